/* enroll_request.c - the field table and header words of /Enrollment/PFX. */
#include <stddef.h>
#include <strings.h>

#include "enroll.h"

#define E(name, type, flags, member) \
	{ name, type, flags, offsetof(struct enroll_req, member) }

const struct field enroll_fields[] = {
	E("CustomFriendlyName", F_STRING, F_NONEMPTY, custom_friendly_name),
	E("Password", F_STRING, 0, password),
	E("PopulateMissingValuesFromAD", F_BOOL, 0, populate_missing_values_from_ad),
	E("Subject", F_STRING, 0, subject),
	E("IncludeChain", F_BOOL, 0, include_chain),
	E("IncludeSubjectHeader", F_BOOL, 0, include_subject_header),
	E("RenewalCertificateId", F_INT, F_ID, renewal_certificate_id),
	E("CertificateAuthority", F_STRING, F_NONEMPTY, certificate_authority),
	E("Template", F_STRING, F_NONEMPTY, template),
	E("EnrollmentPatternId", F_INT, 0, enrollment_pattern_id),
	E("Timestamp", F_TIME, F_REQUIRED, timestamp),
	E("SANs", F_OBJECT, 0, sans),
	E("Metadata", F_STRMAP, 0, metadata),
	E("AdditionalEnrollmentFields", F_STRMAP, 0, additional_enrollment_fields),
	E("ChainOrder", F_STRING, F_NONEMPTY, chain_order),
	E("UseLegacyEncryption", F_BOOL, 0, use_legacy_encryption),
	E("KeyType", F_STRING, F_NONEMPTY, key_type),
	E("KeyLength", F_INT, 0, key_length),
	E("Curve", F_STRING, F_NONEMPTY, curve),
	E("AlternativeKeyType", F_STRING, F_NONEMPTY, alternative_key_type),
	E("MicrosoftTargetCSP", F_STRING, F_NONEMPTY, microsoft_target_csp),
	E("OwnerRoleId", F_INT, 0, owner_role_id),
	E("OwnerRoleName", F_STRING, F_NONEMPTY, owner_role_name),
	E("FileExtension", F_STRING, F_NONEMPTY, file_extension),
	E("Stores", F_ARRAY, 0, stores),
	E("InstallIntoExistingCertificateStores", F_BOOL, 0, install_into_existing),
	E("JobTime", F_TIME, 0, job_time),
};
const size_t enroll_nfields = sizeof(enroll_fields) / sizeof(enroll_fields[0]);
FIELD_TABLE(enroll_table, enroll_fields, struct enroll_req);

/* SDK v10's and v25's, and what cert-manager's issuer sends (OwnerRole*,
 * read and not used); PrivateKey is refused (no key is kept here). */
const struct field csr_fields[] = {
	E("CSR", F_STRING, F_REQUIRED | F_NONEMPTY, csr),
	E("CertificateAuthority", F_STRING, F_NONEMPTY, certificate_authority),
	E("Template", F_STRING, F_NONEMPTY, template),
	E("EnrollmentPatternId", F_INT, 0, enrollment_pattern_id),
	E("Timestamp", F_TIME, 0, timestamp),
	E("IncludeChain", F_BOOL, 0, include_chain),
	E("IncludeSubjectHeader", F_BOOL, 0, include_subject_header),
	E("SANs", F_OBJECT, 0, sans),
	E("Metadata", F_STRMAP, 0, metadata),
	E("AdditionalEnrollmentFields", F_STRMAP, 0, additional_enrollment_fields),
	E("PrivateKey", F_STRING, 0, private_key),
	E("OwnerRoleId", F_INT, 0, owner_role_id),
	E("OwnerRoleName", F_STRING, 0, owner_role_name),
};
const size_t csr_nfields = sizeof(csr_fields) / sizeof(csr_fields[0]);
FIELD_TABLE(csr_table, csr_fields, struct enroll_req);

static const char *format_names[FMT__MAX] = {
	[FMT_PFX]	= "PFX",
	[FMT_PEM]	= "PEM",
	[FMT_ZIP]	= "ZIP",
	[FMT_STORE]	= "STORE",
	[FMT_REPLACE]	= "REPLACE",
};

const char *
cert_format_name(enum cert_format f)
{
	return f < FMT__MAX ? format_names[f] : "?";
}

enum ce_err
cert_format_parse(const char *hdr, enum cert_format *out, struct ce_error *err)
{
	int i;

	if (hdr == NULL || *hdr == '\0')
		return ce_fail(err, CE_NOFORMAT, "You must supply a certificate "
		    "format in the 'X-CertificateFormat' header of the request.");
	for (i = 0; i < FMT__MAX; i++)
		if (strcasecmp(hdr, format_names[i]) == 0) {
			*out = (enum cert_format)i;
			return CE_OK;
		}
	return ce_fail(err, CE_INVAL, "x-CertificateFormat: '%.32s' is not a "
	    "supported format (PFX, PEM, ZIP, STORE, REPLACE).", hdr);
}
