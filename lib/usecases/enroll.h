/*
 * enroll.h - POST /Enrollment/PFX and /Enrollment/CSR: the typed request,
 * and the one call of each that validates it, issues (or records a
 * pending request) and builds the answer.
 */
#ifndef CE_ENROLL_H
#define CE_ENROLL_H

#include <json-c/json.h>
#include <openssl/x509.h>
#include "error.h"
#include "fields.h"

struct ce_db;

enum cert_format {
	FMT_PFX,
	FMT_PEM,
	FMT_ZIP,
	FMT_STORE,	/* key kept as staging data for Deploy */
	FMT_REPLACE,	/* as STORE, for Replace */
	FMT__MAX
};

/* Parses x-CertificateFormat (case-insensitive); CE_NOFORMAT when absent. */
enum ce_err	cert_format_parse(const char *hdr, enum cert_format *out,
		    struct ce_error *err);
const char	*cert_format_name(enum cert_format f);

/* The body of POST /Enrollment/PFX, v1 and v2 (x-keyfactor-api-version:
 * README "Endpoints"), as enroll_fields declares it. */
struct enroll_req {
	struct opt_str	 custom_friendly_name;
	struct opt_str	 password;
	struct opt_bool	 populate_missing_values_from_ad;
	struct opt_str	 subject;
	struct opt_bool	 include_chain;
	struct opt_bool	 include_subject_header;
	struct opt_int	 renewal_certificate_id;
	struct opt_str	 certificate_authority;
	struct opt_str	 template;
	struct opt_int	 enrollment_pattern_id;
	struct opt_time	 timestamp;
	struct opt_json	 sans;
	struct opt_json	 metadata;
	struct opt_json	 additional_enrollment_fields;
	struct opt_str	 chain_order;
	struct opt_bool	 use_legacy_encryption;
	struct opt_str	 key_type;
	struct opt_int	 key_length;
	struct opt_str	 curve;
	struct opt_str	 alternative_key_type;
	struct opt_str	 microsoft_target_csp;
	struct opt_int	 owner_role_id;
	struct opt_str	 owner_role_name;
	struct opt_str	 file_extension;
	/* v2 */
	struct opt_json	 stores;
	struct opt_bool	 install_into_existing;
	struct opt_time	 job_time;
	/* /Enrollment/CSR */
	struct opt_str	 csr;
	struct opt_str	 private_key;
};

extern const struct field	enroll_fields[];
extern const size_t		enroll_nfields;
extern const struct field_table	enroll_table;
/* /Enrollment/CSR's body: CSR, and the fields it shares with PFX. */
extern const struct field	csr_fields[];
extern const size_t		csr_nfields;
extern const struct field_table	csr_table;

struct enroll_ctx {
	const char		*user;		/* REMOTE_USER */
	int			 api_version;	/* 1 or 2 */
	enum cert_format	 format;
	json_object		*body;		/* the raw request, kept for approval */
	int			 approving;	/* issuing an approved request */
	/* /Enrollment/CSR: the request (its key, subject and SANs), and
	 * whether the answer's certificates are DER (else PEM). */
	X509_REQ		*csr;
	int			 csr_der;
};

/*
 * Enrolls: validates req against the application settings, the template /
 * enrollment pattern and the CA; generates the key; issues and commits the
 * certificate (or records a pending request when approval is required);
 * builds the API answer into *response (caller puts).
 * Returns CE_OK (200), CE_INVAL (400, message names the field), CE_DENIED
 * (403, store claims), or a 500 class fault.
 */
enum ce_err	enroll_pfx(struct ce_db *db, const struct enroll_ctx *ctx,
		    const struct enroll_req *req, json_object **response,
		    struct ce_error *err);

/* The CSR of a request: PEM (with its BEGIN line) or bare base64 DER,
 * whose signature verifies with its own key.  CE_INVAL naming "CSR". */
enum ce_err	csr_parse(const char *text, X509_REQ **out, struct ce_error *err);
/* x-CertificateFormat of a CSR enrollment: PEM or DER (required). */
enum ce_err	csr_format_parse(const char *hdr, int *der, struct ce_error *err);

/*
 * POST /Enrollment/CSR: as enroll_pfx with ctx->csr's key (through the
 * template's key policy), its subject and its SANs merged with the
 * request's (through the same name policy); nothing else of the CSR is
 * used (the template makes the extensions).  The answer holds the
 * certificate and chain (Certificates, one per element) and KeyfactorID.
 */
enum ce_err	enroll_csr(struct ce_db *db, const struct enroll_ctx *ctx,
		    const struct enroll_req *req, json_object **response,
		    struct ce_error *err);

#endif
