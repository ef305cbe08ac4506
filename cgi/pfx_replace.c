/*
 * pfx_replace - POST /KeyfactorAPI/Enrollment/PFX/Replace.
 * Declared in lib/api/api_deploy.c; run by lib/http/endpoint.c.
 */
#include "api.h"

int
main(void)
{
	return endpoint_serve(&api_pfx_replace);
}
