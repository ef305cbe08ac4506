/*
 * enroll_csr - POST /KeyfactorAPI/Enrollment/CSR
 * Declared in lib/api/api_enroll.c; run by lib/http/endpoint.c.
 */
#include "api.h"

int
main(void)
{
	return endpoint_serve(&api_enroll_csr);
}
