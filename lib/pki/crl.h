/*
 * crl.h - each CA's certificate revocation list (RFC 5280 section 5).
 *
 * A CRL is made from the CA's revoked list (revoked.h) as the database
 * holds it, with the next CRL number, thisUpdate now and nextUpdate
 * crl_validity seconds later (a setting), the CA's AKI, and per entry
 * the serial, the revocation date and the reason (none for unspecified).
 * It is signed with the CA key: by the signer where one runs (which reads
 * the revoked list from the database itself: a caller of the signer cannot
 * put entries in; whoever can write the database can, as it can revoke),
 * else in this process.  The last one is kept:
 *
 * Delta CRLs (RFC 5280 5.2.4): once a CA's full CRL has crl_delta_min
 * entries (a setting) and names its delta in its Freshest CRL extension
 * (the CA's CRL URL with "-delta.crl" for ".crl"; without such a URL no
 * delta is made), a revocation makes a delta CRL instead of a new full
 * one, valid crl_delta_validity.  A delta serves every full CRL still
 * valid: its Delta CRL Indicator names the oldest one's number and it
 * lists the changes since that one (revoked.h's log; a hold taken off as
 * removeFromCRL).  Full and delta CRLs share one number sequence; a full
 * one comes with a delta of its number.  A full one is made when it is
 * due (crl_refresh; by the agent, or by the revocation that finds it so),
 * a delta by the agent when half its validity is gone; deltas go on while
 * a full CRL that named one is valid.
 *
 * CRL records (T_CRLS): key db_idkey(CA id) {"number", "this_update",
 *   "next_update" (epoch seconds), "entries" (the full one's), "stale" (a
 *   revocation since: the agent makes the next), "delta" {"number",
 *   "base", "this_update", "next_update", "entries"} (its delta, when it
 *   has one), "fulls" [{"number", "next_update", "deltas"}] (the full
 *   CRLs still valid)}; key "<that>/der" {"der" (base64)} the full CRL,
 *   "<that>/delta" the same for the delta, "<that>/log/<serial>" the
 *   changes (revoked.h).
 *
 * Published as files in crl_dir (certenroll.conf): <CA id>.crl (DER) and
 * <CA id>.crl.pem, <CA id>-delta.crl and .crl.pem, which the web server
 * serves under /crl/ at the URL a CA's certificates carry in their CRL
 * distribution point (ca.h).
 */
#ifndef CE_CRL_H
#define CE_CRL_H

#include <stdint.h>
#include <time.h>
#include <openssl/x509.h>
#include "error.h"

struct ce_db;
struct ca;

/* What one issuance made (or the last recorded): a full CRL, a delta CRL,
 * either or both; no_delta: the full one has none (the delta files go). */
struct crl_pair {
	X509_CRL	*full;
	X509_CRL	*delta;
	int		 no_delta;
};
void		crl_pair_free(struct crl_pair *p);

/* The number of entries of crl (0 for none: OpenSSL then has no list). */
int		crl_entries(X509_CRL *crl);
/* Its CRL number, 0 when it has none. */
int64_t		crl_number(X509_CRL *crl);

/* Makes, signs with the key in this process and records ca's next CRL
 * (the signer's side, and the embedded one): full, or a delta when the
 * CA's are large (above) unless full is set.  Free *out with
 * crl_pair_free(). */
enum ce_err	crl_issue_local(struct ce_db *db, const struct ca *ca,
		    time_t now, int full, struct crl_pair *out,
		    struct ce_error *err);

/* ca_name's next CRL (as crl_issue_local), through the signer when one is
 * configured; checked to be signed by the CA's key.  Free *out with
 * crl_pair_free(). */
enum ce_err	crl_issue(struct ce_db *db, const char *ca_name, int full,
		    struct crl_pair *out, struct ce_error *err);

/* Issues ca_name's next CRL and writes its files into crl_dir (nothing
 * when crl_dir is not configured). */
enum ce_err	crl_publish(struct ce_db *db, const char *ca_name, int full,
		    struct ce_error *err);

/* The agent's round: for every CA, a new CRL when the last is older than
 * crl_refresh or missing, else the last one's files written again where
 * they differ (hosts sharing a database each serve their own copy). */
enum ce_err	crl_refresh_all(struct ce_db *db, time_t now,
		    struct ce_error *err);

#endif
