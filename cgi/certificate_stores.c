/*
 * certificate_stores - GET /KeyfactorAPI/CertificateStores (paged with
 * ReturnLimit and PageReturned, bare, pq. or pagedQuery.) and
 * GET /KeyfactorAPI/CertificateStores/{id} (a GUID).
 * Declared in lib/api/api_stores.c; run by lib/http/endpoint.c.
 */
#include "api.h"

int
main(void)
{
	return endpoint_serve(&api_certificate_stores);
}
