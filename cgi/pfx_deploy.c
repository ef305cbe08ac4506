/*
 * pfx_deploy - POST /KeyfactorAPI/Enrollment/PFX/Deploy.
 * Declared in lib/api_deploy.c; run by lib/endpoint.c.
 */
#include "api.h"

int
main(void)
{
	return endpoint_serve(&api_pfx_deploy);
}
