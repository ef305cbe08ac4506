/*
 * renew - POST /KeyfactorAPI/Enrollment/Renew and
 *         GET /KeyfactorAPI/Enrollment/AvailableRenewal/Id/{id}
 *         GET /KeyfactorAPI/Enrollment/AvailableRenewal/Thumbprint/{thumbprint}
 * Declared in lib/api/api_renew.c; run by lib/http/endpoint.c.
 */
#include "api.h"

int
main(void)
{
	return endpoint_serve(&api_renew);
}
