/*
 * certdownload.h - POST /Certificates/Download: a certificate and its chain
 * without the key, named the ways Keyfactor's clients name one.
 */
#ifndef CE_CERTDOWNLOAD_H
#define CE_CERTDOWNLOAD_H

#include <stdint.h>
#include <json-c/json.h>

#include "error.h"
#include "output.h"

struct ce_db;
struct ce_txn;

/* How a request names its certificate: CertID, or Thumbprint, or
 * SerialNumber with IssuerDN (the first given, in that order). */
struct cert_ident {
	int64_t		 id;		/* 0: not given */
	const char	*thumbprint;
	const char	*serial;
	const char	*issuer_dn;
};

/* The id of the certificate who names: CE_INVAL when it names none (or a
 * serial without its issuer), CE_NOTFOUND when there is no such one. */
enum ce_err	cert_identify(struct ce_txn *txn, const struct cert_ident *who,
		    int64_t *id, struct ce_error *err);

enum download_format { DL_PEM, DL_DER, DL_P7B };
/* x-certificateformat of a download: PEM (also when absent), DER, P7B, any
 * case; CE_INVAL naming the header otherwise. */
enum ce_err	download_format_parse(const char *hdr, enum download_format *out,
		    struct ce_error *err);

/*
 * {"Content": base64 of the leaf's DER (DER), the PEM text (PEM: the leaf,
 * and the chain when include_chain, in order; subject and issuer lines
 * with subject_header) or a PKCS#7 of the same certificates (P7B)}.
 * Revoked certificates download too.
 */
enum ce_err	cert_download(struct ce_db *db, const struct cert_ident *who,
		    enum download_format fmt, int include_chain,
		    enum chain_order order, int subject_header,
		    json_object **resp, struct ce_error *err);

#endif
