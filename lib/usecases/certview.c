/*
 * certview.c - the API object of a certificate: its record, its facts
 * (certfacts.h), where it came from and where it is (see certview.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#include "auth.h"
#include "ca.h"
#include "certdb.h"
#include "certfacts.h"
#include "certstore.h"
#include "certview.h"
#include "jbuild.h"
#include "db.h"
#include "policy.h"
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
	jb_int(b, "CertState", revoked ? 2 : 1);
	jb_str(b, "CertStateString", revoked ? "Revoked" : "Active");
	if (revoked) {
		jb_date(b, "RevocationEffDate", c->rev_date);
		jb_int(b, "RevocationReason", c->rev_reason);
		jb_str(b, "RevocationComment", c->rev_comment);
	} else {
		jb_null(b, "RevocationEffDate");
		jb_null(b, "RevocationReason");
		jb_null(b, "RevocationComment");
	}
}

/* ---- where it came from ------------------------------------------------ */

/* Whether c's key is kept for Recover now. */
static int
key_kept(const struct cert *c)
{
	return c->has_private_key &&
	    (c->key_until == 0 || c->key_until > (int64_t)time(NULL));
}

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
	jb_int(b, "TemplateId", template_id(txn, c->template_name));
	jb_str(b, "TemplateName", c->template_name);
	jb_int(b, "RequesterId", auth_user_id(txn, c->requester));
	jb_str(b, "RequesterName", c->requester);
	jb_int(b, "CertRequestId", c->request_id);
	jb_null(b, "PrincipalName");
	jb_bool(b, "ArchivedKey", 0);
	/* A key kept for Recover (retained.h), while its time lasts. */
	jb_bool(b, "HasPrivateKey", key_kept(c));
	jb_bool(b, "KeyRecoverable", key_kept(c));
	jb_str(b, "ContentBytes", c->der);
	jb_add(b, "CRLDistributionPoints", json_object_new_array());
	jb_add(b, "SSLLocations", json_object_new_array());
	jb_int(b, "CertificateKeyId", 0);
	jb_int(b, "CARowIndex", 0);
	jb_str(b, "CARecordId", "");
	return CE_OK;
}

/* ---- locations and metadata -------------------------------------------- */

/* LocationsCount [{Type, Count}]: the locations per store type, in the
 * order the types first appear. */
#define TYPES_MAX	8

struct type_count {
	char		 type[TYPES_MAX][32];
	int64_t		 n[TYPES_MAX];
	size_t		 ntypes;
};

static void
count_type(struct type_count *tc, const char *type)
{
	size_t i;

	for (i = 0; i < tc->ntypes; i++)
		if (strcmp(tc->type[i], type) == 0) {
			tc->n[i]++;
			return;
		}
	if (tc->ntypes < TYPES_MAX) {
		snprintf(tc->type[tc->ntypes], sizeof(tc->type[0]), "%s", type);
		tc->n[tc->ntypes++] = 1;
	}
}

static json_object *
counts_json(const struct type_count *tc, int *bad)
{
	json_object *a = json_object_new_array();
	struct jb item;
	size_t i;

	for (i = 0; i < tc->ntypes; i++) {
		jb_init(&item, json_object_new_object());
		jb_str(&item, "Type", tc->type[i]);
		jb_int(&item, "Count", tc->n[i]);
		if (item.bad) {
			json_object_put(item.o);
			*bad = 1;
		} else
			jb_arr_add(a, item.o, bad);
	}
	return a;
}

/* One Locations[] item: location loc in store. */
static json_object *
location_item(const struct location *loc, const struct store *store)
{
	struct jb item;

	jb_init(&item, json_object_new_object());
	jb_str(&item, "StoreMachine", store->client_machine);
	jb_str(&item, "StorePath", store->store_path);
	jb_int(&item, "StoreType", store_type_id(store));
	jb_str(&item, "Alias", loc->alias);
	jb_int(&item, "ChainLevel", 0);
	jb_str(&item, "CertStoreId", store->id);
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
	json_object *list;
	struct location *locs = NULL;
	struct store store;
	struct type_count tc;
	struct ce_error scratch;
	enum ce_err rc;
	size_t i, n = 0;

	memset(&tc, 0, sizeof(tc));
	list = json_object_new_array();
	if ((rc = locations_get(txn, cert_id, &locs, &n, err)) != CE_OK)
		goto out;
	for (i = 0; i < n; i++) {
		ce_error_clear(&scratch);
		rc = store_get(txn, locs[i].store_id, &store, &scratch);
		if (rc == CE_NOTFOUND || rc == CE_INVAL)
			continue;
		if (rc != CE_OK) {
			*err = scratch;
			goto out;
		}
		count_type(&tc, store.store_type != NULL ? store.store_type : "");
		if (opts->locations)
			jb_arr_add(list, location_item(&locs[i], &store), &b->bad);
		store_clear(&store);
	}
	rc = CE_OK;
out:
	if (rc == CE_OK) {
		jb_add(b, "LocationsCount", counts_json(&tc, &b->bad));
		jb_add(b, "Locations", list);
	} else
		json_object_put(list);
	locations_free(locs, n);
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

