/*
 * ocsp - the OCSP responder: POST /ocsp and GET /ocsp/{request}, outside
 * /KeyfactorAPI and without a login (lib/api/api_ocsp.c, lib/pki/ocsp.h).
 */
#include "api.h"

int
main(void)
{
	return ocsp_serve();
}
