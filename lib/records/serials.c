/* serials.c - serial numbers reserved before signing (see serials.h). */
#include <stdlib.h>
#include <time.h>

#include "pemutil.h"
#include "serials.h"
#include "db.h"
#include "x500.h"

/* CE_CONFLICT when table t already holds serial, CE_OK when not. */
static enum ce_err
unused_in(struct ce_txn *txn, enum db_table t, const char *serial,
    const char *what, struct ce_error *err)
{
	json_object *rec = NULL;
	enum ce_err rc;

	rc = db_get(txn, t, serial, &rec, err);
	json_object_put(rec);
	if (rc == CE_OK)
		return ce_fail(err, CE_CONFLICT, "serial %s is %s", serial, what);
	return rc == CE_NOTFOUND ? CE_OK : rc;
}

enum ce_err
serial_reserve(struct ce_txn *txn, X509 *cert, const char *ca,
    const char *requester, struct ce_error *err)
{
	json_object *rec = NULL;
	char serial[64], *subj = NULL;
	enum ce_err rc;

	if (x509_serial_hex(cert, serial, sizeof(serial)) != CE_OK)
		return ce_fail(err, CE_INVAL, "the serial number is unusable");
	if ((rc = unused_in(txn, T_BY_SERIAL, serial, "already issued",
	    err)) != CE_OK ||
	    (rc = unused_in(txn, T_SERIALS, serial, "already signed", err)) !=
	    CE_OK)
		return rc;
	if ((rec = json_object_new_object()) == NULL ||
	    (subj = x500_format(X509_get_subject_name(cert))) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "serial reservation");
		goto out;
	}
	json_object_object_add(rec, "ca", json_object_new_string(ca));
	json_object_object_add(rec, "subject", json_object_new_string(subj));
	json_object_object_add(rec, "requester", requester != NULL ?
	    json_object_new_string(requester) : NULL);
	json_object_object_add(rec, "reserved", json_object_new_int64(time(NULL)));
	rc = db_put(txn, T_SERIALS, serial, rec, err);
out:
	free(subj);
	json_object_put(rec);
	return rc;
}
