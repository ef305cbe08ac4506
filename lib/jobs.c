/* jobs.c - creating management jobs (see jobs.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jobs.h"
#include "seal.h"
#include "store.h"

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

static const char *kind_names[JOB__MAX] = { "add", "replace" };

/* Seals {"pfx": b64, "password": pw} for the job. */
static enum ce_err
seal_payload(struct ce_db *db, int64_t id, const struct job_new *job,
    char **out, struct ce_error *err)
{
	struct ce_buf sealed = { NULL, 0 };
	json_object *p;
	const char *text;
	char aad[64], *b64;
	enum ce_err rc;

	*out = NULL;
	if ((b64 = b64_encode(job->pfx->data, job->pfx->len)) == NULL ||
	    (p = json_object_new_object()) == NULL) {
		free(b64);
		return ce_fault(err, CE_NOMEM, "payload");
	}
	ADD(p, "pfx", json_object_new_string(b64));
	ADD(p, "password", json_object_new_string(job->password));
	free(b64);
	text = json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN);
	snprintf(aad, sizeof(aad), "job:%lld", (long long)id);
	rc = seal(db_dir(db), aad, (const unsigned char *)text, strlen(text),
	    &sealed, err);
	OPENSSL_cleanse((void *)text, strlen(text));
	json_object_put(p);
	if (rc != CE_OK)
		return rc;
	*out = b64_encode(sealed.data, sealed.len);
	buf_free(&sealed);
	return *out != NULL ? CE_OK : ce_fault(err, CE_NOMEM, "base64");
}

enum ce_err
job_create(struct ce_db *db, struct ce_txn *txn, const struct job_new *job,
    int64_t *id, struct ce_error *err)
{
	json_object *rec = NULL;
	char key[DB_IDKEY_MAX], *payload = NULL;
	uint64_t n;
	enum ce_err rc;

	if ((rc = db_next_id(txn, "job", &n, err)) != CE_OK ||
	    (rc = seal_payload(db, (int64_t)n, job, &payload, err)) != CE_OK)
		return rc;
	if ((rec = json_object_new_object()) == NULL) {
		free(payload);
		return ce_fault(err, CE_NOMEM, "json");
	}
	ADD(rec, "id", json_object_new_int64((int64_t)n));
	ADD(rec, "store_id", json_object_new_string(job->store_id));
	ADD(rec, "kind", json_object_new_string(kind_names[job->kind]));
	ADD(rec, "cert_id", json_object_new_int64(job->cert_id));
	ADD(rec, "alias", json_object_new_string(job->alias));
	ADD(rec, "overwrite", json_object_new_boolean(job->overwrite));
	ADD(rec, "due", json_object_new_int64(job->due));
	ADD(rec, "status", json_object_new_string("scheduled"));
	ADD(rec, "attempts", json_object_new_int(0));
	ADD(rec, "last_error", NULL);
	ADD(rec, "requester", job->requester ?
	    json_object_new_string(job->requester) : NULL);
	ADD(rec, "created", json_object_new_int64(time(NULL)));
	ADD(rec, "finished", NULL);
	ADD(rec, "payload", json_object_new_string(payload));
	free(payload);
	rc = db_put(txn, T_JOBS, db_idkey(n, key), rec, err);
	json_object_put(rec);
	if (rc == CE_OK && id != NULL)
		*id = (int64_t)n;
	return rc;
}
