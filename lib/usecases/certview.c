/*
 * certview.c - the API object of a certificate: its record, its facts
 * (certfacts.h), where it came from and where it is (see certview.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ca.h"
#include "certdb.h"
#include "certfacts.h"
#include "certstore.h"
#include "certview.h"
#include "jbuild.h"
#include "store.h"
#include "stores.h"
#include "timeutil.h"

/* ---- the certificate's identity and state ------------------------------ */

/* Id, names, dates, state: all from the record. */
static void
add_identity(struct jb *b, const struct cert *c)
{
	int revoked = c->state == CERT_REVOKED;

	jb_int(b, "Id", c->id);
	jb_str(b, "Thumbprint", c->thumbprint);
	jb_str(b, "SerialNumber", c->serial);
	jb_str(b, "IssuedDN", jb_nonempty(c->subject));
	jb_str(b, "IssuedCN", jb_nonempty(c->cn));
	jb_date(b, "ImportDate", c->import_date);
	jb_date(b, "NotBefore", c->not_before);
	jb_date(b, "NotAfter", c->not_after);
	jb_str(b, "IssuerDN", jb_nonempty(c->issuer));
	jb_null(b, "PrincipalId");
	jb_int(b, "TemplateId", 0);
	jb_int(b, "CertState", revoked ? 2 : 1);
	jb_str(b, "CertStateString", revoked ? "Revoked" : "Active");
	jb_null(b, "RevocationEffDate");
	jb_null(b, "RevocationReason");
	jb_null(b, "RevocationComment");
}

/* ---- where it came from ------------------------------------------------ */

/* CA, template, requester, request, key archive and the certificate bytes. */
static enum ce_err
add_origin(struct ce_txn *txn, struct jb *b, const struct cert *c,
    struct ce_error *err)
{
	int64_t caid;
	enum ce_err rc;

	if ((rc = ca_record_id(txn, c->ca, &caid, err)) != CE_OK)
		return rc;
	jb_int(b, "CertificateAuthorityId", caid);
	jb_str(b, "CertificateAuthorityName", c->ca);
	jb_str(b, "TemplateName", c->template_name);
	jb_int(b, "RequesterId", 0);
	jb_str(b, "RequesterName", c->requester);
	jb_int(b, "CertRequestId", c->request_id);
	jb_null(b, "PrincipalName");
	jb_bool(b, "ArchivedKey", 0);
	jb_bool(b, "HasPrivateKey", c->has_private_key);
	jb_bool(b, "KeyRecoverable", c->has_private_key);
	jb_str(b, "ContentBytes", c->der);
	jb_add(b, "CRLDistributionPoints", json_object_new_array());
	jb_add(b, "SSLLocations", json_object_new_array());
	jb_int(b, "CertificateKeyId", 0);
	jb_int(b, "CARowIndex", 0);
	jb_str(b, "CARecordId", "");
	return CE_OK;
}

/* ---- locations and metadata -------------------------------------------- */

/* Counts one more location of store type name in counts [{Type,Count}]. */
static void
count_type(json_object *counts, const char *name, int *bad)
{
	json_object *e, *v;
	struct jb item;
	size_t i;

	for (i = 0; i < json_arr_len(counts); i++) {
		e = json_object_array_get_idx(counts, i);
		if (json_object_object_get_ex(e, "Count", &v) &&
		    jrec_str(e, "Type") != NULL &&
		    strcmp(jrec_str(e, "Type"), name) == 0) {
			if (json_object_int_inc(v, 1) != 1)
				*bad = 1;
			return;
		}
	}
	jb_init(&item, json_object_new_object());
	jb_str(&item, "Type", name);
	jb_int(&item, "Count", 1);
	if (item.bad) {
		json_object_put(item.o);
		*bad = 1;
	} else
		jb_arr_add(counts, item.o, bad);
}

/* One Locations[] item: location loc in store. */
static json_object *
location_item(json_object *loc, json_object *store)
{
	struct jb item;

	jb_init(&item, json_object_new_object());
	jb_str(&item, "StoreMachine", jrec_str(store, "client_machine"));
	jb_str(&item, "StorePath", jrec_str(store, "store_path"));
	jb_int(&item, "StoreType", store_type_id(store));
	jb_str(&item, "Alias", jrec_str(loc, "alias"));
	jb_int(&item, "ChainLevel", 0);
	jb_str(&item, "CertStoreId", jrec_str(store, "id"));
	if (item.bad) {
		json_object_put(item.o);
		return NULL;
	}
	return item.o;
}

/*
 * LocationsCount (always) and Locations (with includeLocations) from the
 * certificate's locations; a location whose store was removed is left out.
 */
static enum ce_err
add_locations(struct ce_txn *txn, struct jb *b, int64_t cert_id,
    const struct certview_opts *opts, struct ce_error *err)
{
	json_object *locs = NULL, *store = NULL, *loc, *counts, *list;
	const char *sid;
	struct ce_error scratch;
	enum ce_err rc;
	size_t i;

	counts = json_object_new_array();
	list = json_object_new_array();
	if ((rc = locations_get(txn, cert_id, &locs, err)) != CE_OK)
		goto out;
	for (i = 0; i < json_arr_len(locs); i++) {
		loc = json_object_array_get_idx(locs, i);
		if ((sid = jrec_str(loc, "store_id")) == NULL)
			continue;
		ce_error_clear(&scratch);
		rc = store_get(txn, sid, &store, &scratch);
		if (rc == CE_NOTFOUND || rc == CE_INVAL)
			continue;
		if (rc != CE_OK) {
			*err = scratch;
			goto out;
		}
		count_type(counts, jrec_str(store, "store_type") != NULL ?
		    jrec_str(store, "store_type") : "", &b->bad);
		if (opts->locations)
			jb_arr_add(list, location_item(loc, store), &b->bad);
		json_object_put(store);
		store = NULL;
	}
	rc = CE_OK;
out:
	if (rc == CE_OK) {
		jb_add(b, "LocationsCount", counts);
		jb_add(b, "Locations", list);
	} else {
		json_object_put(counts);
		json_object_put(list);
	}
	json_object_put(store);
	json_object_put(locs);
	return rc;
}

/* Metadata: the record's string map with includeMetadata, else {}. */
static void
add_metadata(struct jb *b, const struct cert *c,
    const struct certview_opts *opts)
{
	struct jb m;

	jb_init(&m, json_object_new_object());
	if (opts->metadata && c->metadata != NULL) {
		json_object_object_foreach(c->metadata, k, v) {
			if (v != NULL)
				jb_str(&m, k, json_object_get_string(v));
		}
	}
	jb_take(b, "Metadata", &m);
}

/*
 * Builds the ModelsCertificateRetrievalResponse of c: identity from the
 * record, key and extensions from the record's facts about the certificate
 * (certfacts_json, stored at issuance; parsing the certificate costs more
 * than the rest of a GET together), locations and the CA's id from txn.
 */
enum ce_err
certview_json(struct ce_txn *txn, const struct cert *c,
    const struct certview_opts *opts, json_object **out, struct ce_error *err)
{
	struct jb b;
	X509 *x = NULL;
	enum ce_err rc;

	*out = NULL;
	jb_init(&b, NULL);
	/* a record from before facts were kept: parse */
	if (c->facts == NULL && (x = cert_x509(c)) == NULL) {
		rc = ce_fault(err, CE_DB, "certificate record %lld holds no "
		    "readable certificate", (long long)c->id);
		goto out;
	}
	jb_init(&b, json_object_new_object());
	add_identity(&b, c);
	if (c->facts != NULL) {
		json_object_object_foreach(c->facts, k, v) {
			if (v == NULL)
				jb_null(&b, k);
			else
				jb_add(&b, k, json_object_get(v));
		}
	} else
		certfacts_add(&b, x, c->key_bits, c->curve);
	if ((rc = add_origin(txn, &b, c, err)) != CE_OK ||
	    (rc = add_locations(txn, &b, c->id, opts, err)) != CE_OK)
		goto out;
	add_metadata(&b, c, opts);
	rc = jb_end(&b, out, err);
out:
	json_object_put(b.o);
	X509_free(x);
	return rc;
}

/*
 * Reads certificate id (path text) and builds its view: CE_INVAL for a
 * malformed id, CE_NOTFOUND naming it.
 */
enum ce_err
certview_get(struct ce_db *db, const char *id,
    const struct certview_opts *opts, json_object **out, struct ce_error *err)
{
	struct ce_txn *txn = NULL;
	struct cert c;
	int64_t n;
	enum ce_err rc;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	if ((rc = query_id(id, "Id", &n, err)) != CE_OK ||
	    (rc = db_begin(db, 0, &txn, err)) != CE_OK)
		goto out;
	if ((rc = cert_get(txn, n, &c, err)) != CE_OK)
		goto out;
	rc = certview_json(txn, &c, opts, out, err);
out:
	db_abort(txn);
	cert_clear(&c);
	return rc;
}

