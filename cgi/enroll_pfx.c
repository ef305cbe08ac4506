/*
 * enroll_pfx - POST /KeyfactorAPI/Enrollment/PFX (API versions 1 and 2).
 * Declared in lib/api/api_enroll.c; run by lib/http/endpoint.c.
 */
#include "api.h"

int
main(void)
{
	return endpoint_serve(&api_enroll_pfx);
}
