/* counts.c - per-user counters moved with the records they count. */
#include <json-c/json.h>

#include "counts.h"

enum ce_err
count_get(struct ce_txn *txn, enum db_table t, const char *who, int64_t *n,
    struct ce_error *err)
{
	json_object *rec = NULL, *v;
	enum ce_err rc;

	*n = 0;
	if (who == NULL || *who == '\0')
		return CE_OK;
	rc = db_get(txn, t, who, &rec, err);
	if (rc == CE_NOTFOUND)
		return CE_OK;
	if (rc == CE_OK && json_object_object_get_ex(rec, "n", &v) &&
	    json_object_is_type(v, json_type_int))
		*n = json_object_get_int64(v);
	json_object_put(rec);
	return rc;
}

enum ce_err
count_add(struct ce_txn *txn, enum db_table t, const char *who, int64_t delta,
    struct ce_error *err)
{
	json_object *rec;
	int64_t n;
	enum ce_err rc;

	if (who == NULL || *who == '\0')
		return CE_OK;
	if ((rc = count_get(txn, t, who, &n, err)) != CE_OK)
		return rc;
	if ((n = (n > 0 ? n : 0) + delta) <= 0) {
		rc = db_del(txn, t, who, err);
		return rc == CE_NOTFOUND ? CE_OK : rc;
	}
	if ((rec = json_object_new_object()) == NULL ||
	    json_object_object_add(rec, "n", json_object_new_int64(n)) != 0) {
		json_object_put(rec);
		return ce_fault(err, CE_NOMEM, "count");
	}
	rc = db_put(txn, t, who, rec, err);
	json_object_put(rec);
	return rc;
}
