/*
 * status - GET /KeyfactorAPI/Status/Endpoints (the endpoints served; the
 * Keyfactor Go client calls it at login) and GET /health (unauthenticated:
 * LMDB readable and a CA present; no versions, no secrets).
 * Declared in lib/api/api_status.c; run by lib/http/endpoint.c.
 */
#include "api.h"

int
main(void)
{
	return endpoint_serve(&api_status);
}
