/*
 * workflow - the approval workflow of pending certificate requests:
 *   POST /KeyfactorAPI/Workflow/Certificates/Approve   [id, ...]
 *   POST /KeyfactorAPI/Workflow/Certificates/Deny      {Comment, CertificateRequestIds}
 *   GET  /KeyfactorAPI/Workflow/Certificates/Pending   (paged)
 *   GET  /KeyfactorAPI/Workflow/Certificates/Denied    (paged)
 *   GET  /KeyfactorAPI/Workflow/Certificates/{id}
 * Declared in lib/api/api_workflow.c; run by lib/http/endpoint.c.
 */
#include "api.h"

int
main(void)
{
	return endpoint_serve(&api_workflow);
}
