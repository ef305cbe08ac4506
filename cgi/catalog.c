/*
 * catalog - GET /KeyfactorAPI/Templates, /Templates/{id} and
 *           GET /KeyfactorAPI/CertificateAuthority
 * Declared in lib/api/api_catalog.c; run by lib/http/endpoint.c.
 */
#include "api.h"

int
main(void)
{
	return endpoint_serve(&api_catalog);
}
