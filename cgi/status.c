/*
 * status - GET /KeyfactorAPI/Status/Endpoints (the endpoints served; the
 * Keyfactor Go client calls it at login) and GET /health (unauthenticated:
 * LMDB readable and a CA present; no versions, no secrets).
 */
#include <string.h>
#include <strings.h>

#include "http.h"
#include "store.h"

static const char *endpoints[] = {
	"POST /Enrollment/PFX",
	"POST /Enrollment/PFX/Deploy",
	"POST /Enrollment/PFX/Replace",
	"POST /Enrollment/Renew",
	"GET /Enrollment/AvailableRenewal/Id/{id}",
	"GET /Enrollment/AvailableRenewal/Thumbprint/{thumbprint}",
	"GET /Certificates/{id}",
	"GET /Certificates",
	"GET /CertificateStores",
	"GET /CertificateStores/{id}",
	"POST /Workflow/Certificates/Approve",
	"POST /Workflow/Certificates/Deny",
	"GET /Workflow/Certificates/Pending",
	"GET /Workflow/Certificates/Denied",
	"GET /Status/Endpoints",
};

static int
any_ca(const char *key, json_object *val, void *arg)
{
	(void)key;
	(void)val;
	*(int *)arg = 1;
	return 1;
}

/* 200 {"Status":"OK"} or 503 with the error body. */
static void
health(struct http_req *r, struct ce_db *db)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	json_object *o;
	int found = 0;

	ce_error_clear(&err);
	if (db_begin(db, 0, &txn, &err) != CE_OK ||
	    db_foreach(txn, T_CAS, any_ca, &found, &err) != CE_OK || !found) {
		db_abort(txn);
		o = json_object_new_object();
		json_object_object_add(o, "Status", json_object_new_string("Unavailable"));
		http_send_json(r, 503, o);
		return;
	}
	db_abort(txn);
	o = json_object_new_object();
	json_object_object_add(o, "Status", json_object_new_string("OK"));
	http_send_json(r, 200, o);
}

static void
handle(struct http_req *r)
{
	struct ce_error err;
	struct ce_db *db;
	json_object *arr;
	size_t i;

	ce_error_clear(&err);
	if (http_require_method(r, "GET|HEAD", &err) || http_db(r, &db, &err)) {
		http_send_error(r, &err);
		return;
	}
	if (strcasecmp(http_path(r), "/health") == 0) {
		health(r, db);
		return;
	}
	if (http_user(r) == NULL) {
		ce_fail(&err, CE_UNAUTH, "Access is denied due to invalid credentials.");
		http_send_error(r, &err);
		return;
	}
	arr = json_object_new_array();
	for (i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++)
		json_object_array_add(arr, json_object_new_string(endpoints[i]));
	http_send_json(r, 200, arr);
}

int
main(void)
{
	return http_run("status", handle);
}
