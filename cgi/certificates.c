/*
 * certificates - GET /KeyfactorAPI/Certificates/{id} and
 *                GET /KeyfactorAPI/Certificates?pq.queryString=...
 * Declared in lib/api/api_certificates.c; run by lib/http/endpoint.c.
 */
#include "api.h"

int
main(void)
{
	return endpoint_serve(&api_certificates);
}
