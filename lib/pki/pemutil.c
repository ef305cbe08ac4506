/* pemutil.c - X509 <-> text conversions (see pemutil.h). */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "pemutil.h"

X509 *
pem_to_x509(const char *pem)
{
	BIO *b;
	X509 *x;

	if (pem == NULL || (b = BIO_new_mem_buf(pem, -1)) == NULL)
		return NULL;
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	return x;
}

char *
x509_to_pem(X509 *cert)
{
	BIO *b;
	BUF_MEM *m;
	char *s = NULL;

	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return NULL;
	if (PEM_write_bio_X509(b, cert) == 1 && BIO_get_mem_ptr(b, &m) == 1 &&
	    (s = malloc(m->length + 1)) != NULL) {
		memcpy(s, m->data, m->length);
		s[m->length] = '\0';
	}
	BIO_free(b);
	return s;
}

X509 *
der_to_x509(const unsigned char *der, size_t len)
{
	return d2i_X509(NULL, &der, (long)len);
}

enum ce_err
p12_to_der(PKCS12 *p12, struct ce_buf *out, struct ce_error *err)
{
	unsigned char *p;
	int len;

	out->data = NULL;
	out->len = 0;
	if ((len = i2d_PKCS12(p12, NULL)) <= 0)
		return ce_fault(err, CE_CRYPTO, "i2d_PKCS12 failed");
	if ((out->data = malloc((size_t)len)) == NULL)
		return ce_fault(err, CE_NOMEM, "malloc(%d) failed", len);
	out->len = (size_t)len;
	p = out->data;
	if (i2d_PKCS12(p12, &p) != len) {
		buf_free(out);
		return ce_fault(err, CE_CRYPTO, "i2d_PKCS12 failed");
	}
	return CE_OK;
}

enum ce_err
p12_add_cert(STACK_OF(PKCS12_SAFEBAG) **bags, X509 *x, PKCS12_SAFEBAG **bagp,
    struct ce_error *err)
{
	X509 *plain = NULL;
	PKCS12_SAFEBAG *bag;
	enum ce_err rc = CE_CRYPTO;

	if (X509_alias_get0(x, NULL) != NULL ||
	    X509_keyid_get0(x, NULL) != NULL) {
		if ((plain = X509_dup(x)) == NULL) {
			ce_fault(err, rc, "X509_dup failed");
			goto out;
		}
		x = plain;
	}
	if ((bag = PKCS12_add_cert(bags, x)) == NULL) {
		ce_fault(err, rc, "PKCS12_add_cert failed");
		goto out;
	}
	if (bagp != NULL)
		*bagp = bag;
	rc = CE_OK;
out:
	X509_free(plain);
	return rc;
}

PKCS12 *
der_to_p12(const unsigned char *der, size_t len)
{
	if (len > LONG_MAX)
		return NULL;
	return d2i_PKCS12(NULL, &der, (long)len);
}

static void
hex_upper(const unsigned char *p, size_t n, char *out)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * n] = '\0';
}

enum ce_err
x509_thumbprint(X509 *cert, char *buf, size_t bufsz)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n;

	if (bufsz < 41 || X509_digest(cert, EVP_sha1(), md, &n) != 1 || n != 20)
		return CE_CRYPTO;
	hex_upper(md, n, buf);
	return CE_OK;
}

enum ce_err
x509_serial_hex(X509 *cert, char *buf, size_t bufsz)
{
	BIGNUM *bn;
	char *hex;
	enum ce_err rc = CE_CRYPTO;

	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL)) == NULL)
		return CE_CRYPTO;
	if ((hex = BN_bn2hex(bn)) != NULL && strlen(hex) < bufsz) {
		strcpy(buf, hex);
		rc = CE_OK;
	}
	OPENSSL_free(hex);
	BN_free(bn);
	return rc;
}

enum ce_err
x509_set_random_serial(X509 *cert, struct ce_error *err)
{
	unsigned char r[16];
	BIGNUM *bn = NULL;
	enum ce_err rc = CE_OK;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return ce_fault(err, CE_CRYPTO, "RAND_bytes");
	r[0] &= 0x7f;		/* positive, at most 16 octets */
	r[0] |= 0x40;		/* never shorter: 127 bits with 126 random */
	if ((bn = BN_bin2bn(r, sizeof(r), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) == NULL)
		rc = ce_fault(err, CE_CRYPTO, "set serial");
	BN_free(bn);
	return rc;
}

enum ce_err
x509_add_ext(X509 *cert, X509 *issuer, int nid, const char *value,
    struct ce_error *err)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return ce_fault(err, CE_CRYPTO, "extension %s=%s",
		    OBJ_nid2sn(nid), value);
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? CE_OK : ce_fault(err, CE_CRYPTO, "X509_add_ext");
}

ASN1_OBJECT *
oid_parse_strict(const char *s)
{
	ASN1_OBJECT *obj;
	char buf[128];
	int n;

	ERR_set_mark();
	obj = OBJ_txt2obj(s, 1);
	ERR_pop_to_mark();
	if (obj == NULL)
		return NULL;
	n = OBJ_obj2txt(buf, sizeof(buf), obj, 1);
	if (n <= 0 || (size_t)n >= sizeof(buf) || strcmp(buf, s) != 0) {
		ASN1_OBJECT_free(obj);
		return NULL;
	}
	return obj;
}

int
thumbprint_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return i == 40;
}

/*
 * A serial number as the index files it: upper-case hex without leading
 * zeros, padded to whole octets ("0A12"), as BN_bn2hex writes it.  Returns
 * -1 for text that is not hex or too long.
 */
int
serial_canon(const char *s, char *buf, size_t bufsz)
{
	size_t n, i, o = 0;

	if (s == NULL)
		return -1;
	while (*s == '0')
		s++;
	n = strlen(s);
	if (n + 3 > bufsz)
		return -1;
	if (n == 0 || n % 2 == 1)
		buf[o++] = '0';
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		buf[o++] = (char)toupper((unsigned char)s[i]);
	}
	if (n == 0)
		o = 1;		/* zero is "0" */
	buf[o] = '\0';
	return 0;
}
