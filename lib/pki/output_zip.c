/*
 * output_zip.c - the ZIP archive of /Enrollment/PFX with x-CertificateFormat ZIP:
 * "<name>.crt", "<name>.key" and "<name>-chain.crt", stored (method 0).
 *
 * Written by hand from the PKWARE APPNOTE: per entry a local file header
 * and the data, then the central directory and the end record.  No
 * compression, no ZIP64 (the files are a few kilobytes), no data
 * descriptors (CRC and sizes are known before the header is written).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <time.h>

#include <openssl/crypto.h>

#include "output_int.h"

#define ZIP_LOCAL_SIG	0x04034b50
#define ZIP_CENTRAL_SIG	0x02014b50
#define ZIP_END_SIG	0x06054b50
#define ZIP_LOCAL_LEN	30	/* fixed part of a local file header */
#define ZIP_CENTRAL_LEN	46	/* fixed part of a central directory header */
#define ZIP_END_LEN	22
#define ZIP_VERSION	10	/* 1.0: stored entries need nothing newer */
#define ZIP_MADE_BY	(3 << 8 | 20)	/* Unix, so the modes below apply */
#define ZIP_FLAG_UTF8	0x0800	/* general purpose bit 11: UTF-8 names */
#define ZIP_NAME_MAX	200	/* longest base name accepted */
#define ZIP_ENTRIES	3

struct zip_entry {
	char		name[ZIP_NAME_MAX + 16];
	unsigned int	mode;		/* Unix permission bits */
	struct ce_buf	data;
	uint32_t	crc;
	uint32_t	offset;		/* of its local header */
};

struct zip_out {
	unsigned char	*p;
	uint16_t	 time, date;	/* MS-DOS format, local time */
};

/* CRC-32 (ISO 3309, reflected 0xEDB88320), four bits per table step. */
static const uint32_t crc_nibble[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
	0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
	0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

static uint32_t
zip_crc32(const unsigned char *p, size_t len)
{
	uint32_t c = 0xffffffff;

	while (len-- > 0) {
		c ^= *p++;
		c = (c >> 4) ^ crc_nibble[c & 0xf];
		c = (c >> 4) ^ crc_nibble[c & 0xf];
	}
	return c ^ 0xffffffff;
}

/* Now as MS-DOS time and date; 1980-01-01 when the clock is before that. */
static void
dos_now(uint16_t *dtime, uint16_t *ddate)
{
	struct tm tm;
	time_t now = time(NULL);

	if (localtime_r(&now, &tm) == NULL || tm.tm_year < 80) {
		*dtime = 0;
		*ddate = (1 << 5) | 1;
		return;
	}
	*dtime = (uint16_t)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
	*ddate = (uint16_t)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 |
	    tm.tm_mday);
}

/* A base name must not make an entry that lands outside the folder. */
static int
name_ok(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > ZIP_NAME_MAX || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == '\\' ||
		    (unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return 0;
	return 1;
}

static uint16_t
name_flags(const char *name)
{
	for (; *name != '\0'; name++)
		if ((unsigned char)*name >= 0x80)
			return ZIP_FLAG_UTF8;
	return 0;
}

static void
put16(struct zip_out *z, uint16_t v)
{
	*z->p++ = v & 0xff;
	*z->p++ = v >> 8;
}

static void
put32(struct zip_out *z, uint32_t v)
{
	put16(z, v & 0xffff);
	put16(z, v >> 16);
}

static void
put_bytes(struct zip_out *z, const void *p, size_t len)
{
	memcpy(z->p, p, len);
	z->p += len;
}

/* The fields local and central headers share, from "version needed" on. */
static void
put_common(struct zip_out *z, const struct zip_entry *e)
{
	put16(z, ZIP_VERSION);
	put16(z, name_flags(e->name));
	put16(z, 0);			/* method: stored */
	put16(z, z->time);
	put16(z, z->date);
	put32(z, e->crc);
	put32(z, (uint32_t)e->data.len);	/* compressed size */
	put32(z, (uint32_t)e->data.len);	/* uncompressed size */
	put16(z, (uint16_t)strlen(e->name));
	put16(z, 0);			/* extra field length */
}

static void
put_local(struct zip_out *z, const struct zip_entry *e)
{
	put32(z, ZIP_LOCAL_SIG);
	put_common(z, e);
	put_bytes(z, e->name, strlen(e->name));
	put_bytes(z, e->data.data, e->data.len);
}

static void
put_central(struct zip_out *z, const struct zip_entry *e)
{
	put32(z, ZIP_CENTRAL_SIG);
	put16(z, ZIP_MADE_BY);
	put_common(z, e);
	put16(z, 0);			/* comment length */
	put16(z, 0);			/* disk number */
	put16(z, 0);			/* internal attributes */
	put32(z, (uint32_t)(0100000 | e->mode) << 16);	/* regular file */
	put32(z, e->offset);
	put_bytes(z, e->name, strlen(e->name));
}

static void
put_end(struct zip_out *z, size_t n, uint32_t cd_size, uint32_t cd_offset)
{
	put32(z, ZIP_END_SIG);
	put16(z, 0);			/* this disk */
	put16(z, 0);			/* disk with the central directory */
	put16(z, (uint16_t)n);		/* entries on this disk */
	put16(z, (uint16_t)n);		/* entries in all */
	put32(z, cd_size);
	put32(z, cd_offset);
	put16(z, 0);			/* comment length */
}

/*
 * Lays out the archive for the n entries in e (data and CRC filled in):
 * sizes first, so the buffer is allocated once.  Returns CE_OK and out
 * (caller frees), CE_INVAL when it would need ZIP64, or CE_NOMEM.
 */
static enum ce_err
zip_write(struct zip_entry *e, size_t n, struct ce_buf *out,
    struct ce_error *err)
{
	struct zip_out z;
	size_t i, total, local = 0, central = 0;

	for (i = 0; i < n; i++) {
		if (e[i].data.len > UINT32_MAX / 2)
			return ce_fail(err, CE_INVAL, "ZIP entry too large");
		e[i].offset = (uint32_t)local;
		local += ZIP_LOCAL_LEN + strlen(e[i].name) + e[i].data.len;
		central += ZIP_CENTRAL_LEN + strlen(e[i].name);
		if (local > UINT32_MAX / 2)
			return ce_fail(err, CE_INVAL, "ZIP archive too large");
	}
	total = local + central + ZIP_END_LEN;
	if ((out->data = malloc(total)) == NULL)
		return ce_fault(err, CE_NOMEM, "malloc(%zu) failed", total);
	out->len = total;
	z.p = out->data;
	dos_now(&z.time, &z.date);
	for (i = 0; i < n; i++)
		put_local(&z, &e[i]);
	for (i = 0; i < n; i++)
		put_central(&z, &e[i]);
	put_end(&z, n, (uint32_t)central, (uint32_t)local);
	return CE_OK;
}

/* Fills entry e: "<name><suffix>" holding what bio holds. */
static enum ce_err
entry_fill(struct zip_entry *e, const char *name, const char *suffix,
    unsigned int mode, BIO *bio, struct ce_error *err)
{
	enum ce_err rc;

	snprintf(e->name, sizeof(e->name), "%s%s", name, suffix);
	e->mode = mode;
	if ((rc = buf_from_bio(bio, &e->data, err)) != CE_OK)
		return rc;
	e->crc = zip_crc32(e->data.data, e->data.len);
	return CE_OK;
}

static enum ce_err
bio_clear(BIO *bio, struct ce_error *err)
{
	if (BIO_reset(bio) <= 0)	/* a memory BIO wipes its data */
		return ce_fault(err, CE_CRYPTO, "BIO_reset failed");
	return CE_OK;
}

/*
 * Fills the entries with their PEM texts: the certificate, the key (0600,
 * it may be in the clear) and, when there is a chain, the chain issuer
 * first.  *n counts the entries filled.  Returns CE_OK, CE_CRYPTO or
 * CE_NOMEM.
 */
static enum ce_err
entries_build(struct zip_entry *e, size_t *n, EVP_PKEY *key, X509 *leaf,
    STACK_OF(X509) *chain, const char *password, const char *name,
    struct ce_error *err)
{
	BIO *bio = NULL;
	enum ce_err rc;
	int i;

	*n = 0;
	if ((bio = BIO_new(BIO_s_secmem())) == NULL) {
		rc = ce_fault(err, CE_NOMEM, "BIO_new failed");
		goto out;
	}
	if ((rc = pem_put_cert(bio, leaf, 0, err)) != CE_OK ||
	    (rc = entry_fill(&e[0], name, ".crt", 0644, bio, err)) != CE_OK ||
	    (rc = bio_clear(bio, err)) != CE_OK ||
	    (rc = pem_put_key(bio, key, password, err)) != CE_OK ||
	    (rc = entry_fill(&e[1], name, ".key", 0600, bio, err)) != CE_OK)
		goto out;
	*n = 2;
	if (chain == NULL || sk_X509_num(chain) <= 0)
		goto out;
	if ((rc = bio_clear(bio, err)) != CE_OK)
		goto out;
	for (i = 0; i < sk_X509_num(chain); i++)
		if ((rc = pem_put_cert(bio, sk_X509_value(chain, i), 0,
		    err)) != CE_OK)
			goto out;
	if ((rc = entry_fill(&e[2], name, "-chain.crt", 0644, bio,
	    err)) != CE_OK)
		goto out;
	*n = 3;
out:
	BIO_free(bio);
	return rc;
}

/*
 * Builds the ZIP into out (caller frees with buf_free).  Returns CE_OK,
 * CE_INVAL for a name that is not a plain file name, CE_CRYPTO or
 * CE_NOMEM.
 */
enum ce_err
zip_build(EVP_PKEY *key, X509 *leaf, STACK_OF(X509) *chain,
    const char *password, const char *name, struct ce_buf *out,
    struct ce_error *err)
{
	struct zip_entry e[ZIP_ENTRIES];
	enum ce_err rc;
	size_t i, n;

	memset(e, 0, sizeof(e));
	out->data = NULL;
	out->len = 0;
	if (key == NULL || leaf == NULL || name == NULL) {
		rc = ce_fault(err, CE_SYSTEM, "zip_build: no key, leaf or name");
		goto out;
	}
	if (!name_ok(name)) {
		rc = ce_fail(err, CE_INVAL, "'%.64s' is not a valid file name",
		    name);
		goto out;
	}
	if ((rc = entries_build(e, &n, key, leaf, chain, password, name,
	    err)) != CE_OK)
		goto out;
	rc = zip_write(e, n, out, err);
out:
	for (i = 0; i < ZIP_ENTRIES; i++)
		buf_free(&e[i].data);
	return rc;
}

void
output_file_name(const char *cn, char *buf, size_t n)
{
	size_t i, j = 0;

	for (i = 0; cn != NULL && cn[i] != '\0' && j + 1 < n; i++)
		buf[j++] = (isalnum((unsigned char)cn[i]) || cn[i] == '.' ||
		    cn[i] == '-') ? cn[i] : '_';
	buf[j] = '\0';
	/* "." and ".." are no file names (zip_build refuses them). */
	if (j == 0 || strcmp(buf, ".") == 0 || strcmp(buf, "..") == 0)
		snprintf(buf, n, "certificate");
}
