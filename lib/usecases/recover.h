/*
 * recover.h - POST /Certificates/Recover: a certificate with the private
 * key certenroll kept for it (retained.h), packaged under the caller's
 * password, named the ways Download names one (certdownload.h).
 */
#ifndef CE_RECOVER_H
#define CE_RECOVER_H

#include <json-c/json.h>

#include "certdownload.h"
#include "error.h"
#include "output.h"

struct ce_db;

enum recover_format { RECOVER_PFX, RECOVER_PEM, RECOVER_ZIP };
/* x-certificateformat of a recovery: PFX, PEM or ZIP, any case; CE_NOFORMAT
 * (Keyfactor's 0xA0110007) when absent, CE_INVAL naming the header for
 * another word (JKS is Java's store: not made here). */
enum ce_err	recover_format_parse(const char *hdr, enum recover_format *out,
		    struct ce_error *err);

struct recover_input {
	struct cert_ident	 who;
	enum recover_format	 format;
	const char		*password;	/* required: protects the key */
	int			 include_chain;
	enum chain_order	 order;
	int			 legacy;	/* UseLegacyEncryption (PFX) */
	int			 subject_header;	/* PEM */
	const char		*user;		/* for the audit log */
};

/*
 * {"PFX": base64 of the PKCS#12 (leaf, key and, with include_chain, the
 * chain: output.h's layout), the PEM text or the ZIP, "FileName":
 * "<CN>.pfx|.pem|.zip"}.  400 (CE_INVAL) for a missing or short password or
 * no certificate named, CE_NOKEY "No private key could be found for the
 * given certificate." when none is kept (a CSR's key, a template that keeps
 * none, a time that is past), 404 for no such certificate.  Revoked
 * certificates recover too (the key may still be needed to read what was
 * encrypted to it).  Every recovery is in the audit log.
 */
enum ce_err	cert_recover(struct ce_db *db, const struct recover_input *in,
		    json_object **resp, struct ce_error *err);

#endif
