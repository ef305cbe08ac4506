/* api_certificates.c - GET /Certificates/{id} and GET /Certificates (the
 * query language, paged): certview.c, query.c.  Query parameters:
 * includeLocations, includeMetadata (true/false/1/0); for the listing also
 * pq.queryString, ReturnLimit and PageReturned (bare or prefixed, query.h).
 * POST /Certificates/Revoke: revoke.c.  POST /Certificates/Download:
 * certdownload.c.  POST /Certificates/Recover: recover.c. */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "auth.h"
#include "certdownload.h"
#include "certfind.h"
#include "certview.h"
#include "http.h"
#include "query.h"
#include "recover.h"
#include "revoke.h"

struct revoke_req {
	struct opt_json	ids;
	struct opt_int	reason;
	struct opt_str	comment;
	struct opt_time	date;
	struct opt_int	collection;
	struct opt_bool	publish_crl;
};

/* CollectionId and PublishCRL are read and not used: there are no
 * collections, and every revocation publishes the CA's CRL. */
static const struct field revoke_fields[] = {
	{ "CertificateIds", F_ARRAY, F_REQUIRED,
	    offsetof(struct revoke_req, ids) },
	{ "Reason", F_INT, 0, offsetof(struct revoke_req, reason) },
	{ "Comment", F_STRING, F_REQUIRED | F_NONEMPTY,
	    offsetof(struct revoke_req, comment) },
	{ "EffectiveDate", F_TIME, 0, offsetof(struct revoke_req, date) },
	{ "CollectionId", F_INT, 0, offsetof(struct revoke_req, collection) },
	{ "PublishCRL", F_BOOL, 0, offsetof(struct revoke_req, publish_crl) },
};
static FIELD_TABLE(revoke_table, revoke_fields, struct revoke_req);

struct download_req {
	struct opt_int	id;
	struct opt_str	serial, issuer_dn, thumbprint, chain_order;
	struct opt_str	friendly_name;
	struct opt_bool	include_chain, subject_header;
};

/* SDK v10 and v25's bodies (the Go client sends "CertId": names are
 * matched in any case); FriendlyName is read and not used. */
static const struct field download_fields[] = {
	{ "CertID", F_INT, 0, offsetof(struct download_req, id) },
	{ "SerialNumber", F_STRING, 0, offsetof(struct download_req, serial) },
	{ "IssuerDN", F_STRING, 0, offsetof(struct download_req, issuer_dn) },
	{ "Thumbprint", F_STRING, 0, offsetof(struct download_req, thumbprint) },
	{ "IncludeChain", F_BOOL, 0, offsetof(struct download_req,
	    include_chain) },
	{ "ChainOrder", F_STRING, 0, offsetof(struct download_req,
	    chain_order) },
	{ "IncludeSubjectHeader", F_BOOL, 0, offsetof(struct download_req,
	    subject_header) },
	{ "FriendlyName", F_STRING, 0, offsetof(struct download_req,
	    friendly_name) },
};
static FIELD_TABLE(download_table, download_fields, struct download_req);

struct recover_req {
	struct opt_int	id;
	struct opt_str	serial, issuer_dn, thumbprint, chain_order;
	struct opt_str	password, friendly_name, csp;
	struct opt_bool	include_chain, legacy, subject_header;
};

/* SDK v10 and v25's bodies (the Go client sends "CertId");
 * FriendlyName and MicrosoftTargetCSP are read and not used. */
static const struct field recover_fields[] = {
	{ "Password", F_STRING, F_REQUIRED,
	    offsetof(struct recover_req, password) },
	{ "CertID", F_INT, 0, offsetof(struct recover_req, id) },
	{ "SerialNumber", F_STRING, 0, offsetof(struct recover_req, serial) },
	{ "IssuerDN", F_STRING, 0, offsetof(struct recover_req, issuer_dn) },
	{ "Thumbprint", F_STRING, 0, offsetof(struct recover_req, thumbprint) },
	{ "IncludeChain", F_BOOL, 0, offsetof(struct recover_req,
	    include_chain) },
	{ "ChainOrder", F_STRING, 0, offsetof(struct recover_req,
	    chain_order) },
	{ "UseLegacyEncryption", F_BOOL, 0, offsetof(struct recover_req,
	    legacy) },
	{ "IncludeSubjectHeader", F_BOOL, 0, offsetof(struct recover_req,
	    subject_header) },
	{ "FriendlyName", F_STRING, 0, offsetof(struct recover_req,
	    friendly_name) },
	{ "MicrosoftTargetCSP", F_STRING, 0, offsetof(struct recover_req, csp) },
};
static FIELD_TABLE(recover_table, recover_fields, struct recover_req);

static enum ce_err
view_opts(struct ep_call *c, struct certview_opts *o, struct ce_error *err)
{
	memset(o, 0, sizeof(*o));
	if (query_bool(http_query_lookup, c->r, "includeLocations", &o->locations, err) ||
	    query_bool(http_query_lookup, c->r, "includeMetadata", &o->metadata, err) ||
	    query_paged_bool(http_query_lookup, c->r, "includeRevoked",
	    &o->revoked, err))
		return err->code;
	return CE_OK;
}

/* 200 the certificate; 400 malformed id or flag; 404 unknown id. */
static enum ce_err
get(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	struct certview_opts o;

	if (view_opts(c, &o, err) != CE_OK)
		return err->code;
	return certview_get(c->db, c->arg[0], &o, resp, err);
}

/* 200 an array; 400 bad query, paging or flag. */
static enum ce_err
find(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	struct certview_opts o;
	struct paging pg;
	struct query q;

	if (view_opts(c, &o, err) != CE_OK ||
	    query_filter(http_query_lookup, c->r, &q, err) != CE_OK ||
	    query_bind_me(&q, c->user, err) != CE_OK ||
	    query_paging(http_query_lookup, c->r, &pg, err) != CE_OK)
		return err->code;
	return certview_find(c->db, &q, &pg, &o, resp, err);
}

/* 200 {RevokedIds, SuspendedCerts, FailedOperations}; 400 when none was
 * revoked (with FailedOperations) or the input is bad. */
static enum ce_err
revoke(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	const struct revoke_req *b = c->req;
	struct revoke_input in;

	memset(&in, 0, sizeof(in));
	in.ids = b->ids.v;
	in.reason = b->reason.set ? b->reason.v : 0;
	in.comment = b->comment.v;
	in.date = b->date.set ? b->date.v : 0;
	in.user = c->user;
	return revoke_certificates(c->db, &in, resp, &c->status, err);
}

/* 200 {Content}; 400 no certificate named, bad format or chain order; 404
 * none such. */
static enum ce_err
download(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	const struct download_req *b = c->req;
	struct cert_ident who = { b->id.set ? b->id.v : 0, b->thumbprint.v,
	    b->serial.v, b->issuer_dn.v };
	enum download_format fmt;
	enum chain_order order;

	if (download_format_parse(http_param(c->r, "HTTP_X_CERTIFICATEFORMAT"),
	    &fmt, err) != CE_OK || chain_order_parse(b->chain_order.v, &order,
	    err) != CE_OK)
		return err->code;
	return cert_download(c->db, &who, fmt, b->include_chain.set &&
	    b->include_chain.v, order, b->subject_header.set &&
	    b->subject_header.v, resp, err);
}

/* 200 {PFX, FileName}; 400 no format, password or certificate named, no
 * key kept; 404 none such. */
static enum ce_err
recover(struct ep_call *c, json_object **resp, struct ce_error *err)
{
	const struct recover_req *b = c->req;
	struct recover_input in;

	memset(&in, 0, sizeof(in));
	in.who = (struct cert_ident){ b->id.set ? b->id.v : 0, b->thumbprint.v,
	    b->serial.v, b->issuer_dn.v };
	in.password = b->password.v;
	in.include_chain = b->include_chain.set && b->include_chain.v;
	in.legacy = b->legacy.set && b->legacy.v;
	in.subject_header = b->subject_header.set && b->subject_header.v;
	in.user = c->user;
	if (recover_format_parse(http_param(c->r, "HTTP_X_CERTIFICATEFORMAT"),
	    &in.format, err) != CE_OK || chain_order_parse(b->chain_order.v,
	    &in.order, err) != CE_OK)
		return err->code;
	return cert_recover(c->db, &in, resp, err);
}

static const struct endpoint eps[] = {
	{ "POST", "/Certificates/Revoke", CLAIM_CERT_REVOKE, EP_BODY,
	    &revoke_table, revoke },
	{ "POST", "/Certificates/Download", CLAIM_CERT_READ, EP_BODY,
	    &download_table, download },
	{ "POST", "/Certificates/Recover", CLAIM_PRIVATE_KEY_READ, EP_BODY,
	    &recover_table, recover },
	{ "GET|HEAD", "/Certificates/{id:int}", CLAIM_CERT_READ, 0, NULL, get },
	{ "GET|HEAD", "/Certificates", CLAIM_CERT_READ, 0, NULL, find },
};
EP_GROUP(api_certificates, "certificates", eps);
