/*
 * limit - the cryptographic work of one enrollment, in-process, without
 * HTTP or LMDB: the upper bound of what /Enrollment/PFX can reach.
 *
 *   limit [-s SECONDS] [-j PROCS] [-L] [-P] ecc|rsa
 *
 * ecc: ECC P-256 key, certificate signed by a P-256 CA, PEM answer (the key
 *      as encrypted PKCS#8, leaf, chain, subject headers), base64.
 * rsa: RSA-2048 key, certificate signed by an RSA-2048 CA, PKCS#12 answer
 *      (AES-256 / PBKDF2, MAC SHA-256, 2048 iterations), base64.
 * Per operation, as lib/usecases/enroll.c + lib/pki/issue.c do: key_generate (RSA from
 * lib's rsa_fast, as the service generates it), certificate built with the
 * same extensions, the throwaway pre-signature and the lints (lib/pki/lint.c;
 * -L skips both), the CA signature, the re-parse of the DER, pem_build or
 * pfx_build (lib/pki/output.h), b64_encode.  -P (ecc): an empty password, so the
 * PEM key is plain PKCS#8 - no PBKDF2 - as cfssl hands keys out.
 * PROCS processes (default: one per core) run for SECONDS (default 10).
 * Prints one line:
 *   limit <ecc|rsa> procs=N seconds=S ops=N ops_per_s=X p50_ms=X p99_ms=X
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "b64.h"
#include "ca.h"
#include "error.h"
#include "keys.h"
#include "lint.h"
#include "output.h"
#include "pemutil.h"

#define PASSWORD	"bench-Password-0123456789"
#define MAX_SAMPLES	(1 << 20)

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die(const char *what, const struct ce_error *err)
{
	fprintf(stderr, "limit: %s%s%s\n", what, err ? ": " : "",
	    err ? err->msg : "");
	ERR_print_errors_fp(stderr);
	exit(1);
}

/* A self-signed CA of spec, as certenroll ca create makes one. */
static void
make_ca(const struct key_spec *spec, struct ca *ca, EVP_PKEY **cakey)
{
	struct ce_error err;
	X509_NAME *name;
	X509 *c;

	ce_error_clear(&err);
	if (key_generate(spec, cakey, &err) != CE_OK)
		die("CA key", &err);
	if ((c = X509_new()) == NULL || (name = X509_NAME_new()) == NULL)
		die("X509_new", NULL);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
	    (const unsigned char *)"certenroll bench", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"certenroll bench CA", -1, -1, 0);
	if (X509_set_version(c, X509_VERSION_3) != 1 ||
	    X509_set_subject_name(c, name) != 1 ||
	    X509_set_issuer_name(c, name) != 1 ||
	    X509_set_pubkey(c, *cakey) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(c), -60) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(c), 10L * 365 * 86400) == NULL ||
	    x509_set_random_serial(c, &err) != CE_OK ||
	    x509_add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE", &err) ||
	    x509_add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign",
	    &err) ||
	    x509_add_ext(c, c, NID_subject_key_identifier, "hash", &err) ||
	    X509_sign(c, *cakey, EVP_sha256()) <= 0)
		die("CA certificate", &err);
	X509_NAME_free(name);
	memset(ca, 0, sizeof(*ca));
	ca->id = 1;
	snprintf(ca->name, sizeof(ca->name), "bench\\BenchCA");
	ca->cert = c;
	if ((ca->chain = sk_X509_new_null()) == NULL)
		die("chain", NULL);
}

/* One enrollment's cryptography; returns 0 or dies. */
static const char *password = PASSWORD;

static void
one(const struct key_spec *spec, const struct ca *ca, EVP_PKEY *cakey,
    STACK_OF(X509) *chain, STACK_OF(ASN1_OBJECT) *eku, int lint, int n)
{
	struct ce_error err;
	struct ce_buf out = { NULL, 0 };
	EVP_PKEY *key = NULL;
	X509_NAME *subj;
	X509 *cert, *fresh;
	unsigned char *der = NULL;
	const unsigned char *p;
	char cn[64], san[96], *b64;
	int len;

	ce_error_clear(&err);
	snprintf(cn, sizeof(cn), "limit-%d.bench.example.com", n);
	snprintf(san, sizeof(san), "DNS:%s", cn);
	if (key_generate(spec, &key, &err) != CE_OK)
		die("key_generate", &err);
	if ((cert = X509_new()) == NULL || (subj = X509_NAME_new()) == NULL)
		die("X509_new", NULL);
	X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0);
	if (X509_set_version(cert, X509_VERSION_3) != 1 ||
	    X509_set_subject_name(cert, subj) != 1 ||
	    X509_set_issuer_name(cert, X509_get_subject_name(ca->cert)) != 1 ||
	    X509_set_pubkey(cert, key) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(cert), -60) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(cert), 365L * 86400) == NULL)
		die("building certificate", NULL);
	if (x509_set_random_serial(cert, &err) != CE_OK ||
	    x509_add_ext(cert, ca->cert, NID_basic_constraints,
	    "critical,CA:FALSE", &err) != CE_OK ||
	    x509_add_ext(cert, ca->cert, NID_key_usage, spec->type == KEY_RSA ?
	    "critical,digitalSignature,keyEncipherment" :
	    "critical,digitalSignature", &err) != CE_OK ||
	    x509_add_ext(cert, ca->cert, NID_ext_key_usage,
	    "serverAuth,clientAuth", &err) != CE_OK ||
	    x509_add_ext(cert, ca->cert, NID_subject_key_identifier, "hash",
	    &err) != CE_OK ||
	    x509_add_ext(cert, ca->cert, NID_authority_key_identifier,
	    "keyid:always", &err) != CE_OK ||
	    x509_add_ext(cert, ca->cert, NID_subject_alt_name, san, &err) != CE_OK)
		die("extensions", &err);
	X509_NAME_free(subj);
	if (lint && (lint_presign(cert, ca, &err) != CE_OK ||
	    lint_certificate(cert, ca, eku, &err) != CE_OK))
		die("lint", &err);
	if (X509_sign(cert, cakey, ca_digest(ca)) <= 0)
		die("X509_sign", NULL);
	/* issue.c re-parses the signed DER (drops the lint's cached facts). */
	if ((len = i2d_X509(cert, &der)) <= 0)
		die("i2d_X509", NULL);
	p = der;
	if ((fresh = d2i_X509(NULL, &p, len)) == NULL)
		die("d2i_X509", NULL);
	OPENSSL_free(der);
	X509_free(cert);
	cert = fresh;
	if (spec->type == KEY_RSA) {
		if (pfx_build(key, cert, chain, NULL, password, 0, &out, &err) != CE_OK)
			die("pfx_build", &err);
	} else if (pem_build(key, cert, chain, password, CHAIN_END_ENTITY_FIRST,
	    1, &out, &err) != CE_OK)
		die("pem_build", &err);
	if ((b64 = b64_encode(out.data, out.len)) == NULL)
		die("b64_encode", NULL);
	free(b64);
	buf_free(&out);
	X509_free(cert);
	EVP_PKEY_free(key);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Writes all of buf (a pipe). */
static int
write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: limit [-s SECONDS] [-j PROCS] [-L] [-P] ecc|rsa\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct key_spec spec;
	struct ca ca;
	EVP_PKEY *cakey = NULL;
	STACK_OF(X509) *chain;
	STACK_OF(ASN1_OBJECT) *eku;
	double seconds = 10, t0, t, *lat, *all;
	long procs = sysconf(_SC_NPROCESSORS_ONLN), i, total = 0, got;
	int c, lint = 1, (*fds)[2];
	pid_t *pids;
	FILE *in;

	while ((c = getopt(argc, argv, "s:j:LP")) != -1) {
		switch (c) {
		case 's': seconds = atof(optarg); break;
		case 'j': procs = atol(optarg); break;
		case 'L': lint = 0; break;
		case 'P': password = ""; break;
		default: usage();
		}
	}
	if (optind != argc - 1 || seconds <= 0 || procs < 1 || procs > 256)
		usage();
	memset(&spec, 0, sizeof(spec));
	if (strcmp(argv[optind], "ecc") == 0) {
		spec.type = KEY_ECC;
		spec.bits = 256;
		spec.nid = NID_X9_62_prime256v1;
	} else if (strcmp(argv[optind], "rsa") == 0) {
		spec.type = KEY_RSA;
		spec.bits = 2048;
	} else
		usage();
	make_ca(&spec, &ca, &cakey);
	/* IncludeChain defaults to true: the answer carries the CA. */
	if ((chain = sk_X509_new_null()) == NULL || !sk_X509_push(chain, ca.cert))
		die("chain", NULL);
	if ((eku = sk_ASN1_OBJECT_new_null()) == NULL ||
	    !sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_server_auth)) ||
	    !sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_client_auth)))
		die("eku", NULL);
	/* Warm-up in the parent (lazy provider loading, lint's throwaway key),
	 * so the children inherit it as the long-lived FastCGI processes do. */
	one(&spec, &ca, cakey, chain, eku, lint, 0);

	if ((pids = calloc((size_t)procs, sizeof(*pids))) == NULL ||
	    (fds = calloc((size_t)procs, sizeof(*fds))) == NULL ||
	    (lat = malloc(MAX_SAMPLES * sizeof(double))) == NULL)
		die("malloc", NULL);
	fflush(NULL);
	for (i = 0; i < procs; i++) {
		if (pipe(fds[i]) != 0)
			die("pipe", NULL);
		if ((pids[i] = fork()) < 0)
			die("fork", NULL);
		if (pids[i] == 0) {
			long n = 0;
			double end, a;

			close(fds[i][0]);
			t0 = now_s();
			end = t0 + seconds;
			for (a = t0; a < end; ) {
				one(&spec, &ca, cakey, chain, eku, lint,
				    (int)(i * 10000000 + n));
				t = now_s();
				if (n < MAX_SAMPLES)
					lat[n] = t - a;
				n++;
				a = t;
			}
			got = n < MAX_SAMPLES ? n : MAX_SAMPLES;
			if (write_all(fds[i][1], &n, sizeof(n)) != 0 ||
			    write_all(fds[i][1], &got, sizeof(got)) != 0 ||
			    write_all(fds[i][1], lat, (size_t)got * sizeof(double)) != 0)
				_exit(1);
			_exit(0);
		}
		close(fds[i][1]);
	}
	if ((all = malloc((size_t)procs * MAX_SAMPLES * sizeof(double))) == NULL)
		die("malloc", NULL);
	got = 0;
	for (i = 0; i < procs; i++) {
		long n, m;

		if ((in = fdopen(fds[i][0], "r")) == NULL ||
		    fread(&n, sizeof(n), 1, in) != 1 || fread(&m, sizeof(m), 1, in) != 1 ||
		    fread(all + got, sizeof(double), (size_t)m, in) != (size_t)m)
			die("reading a child's results", NULL);
		fclose(in);
		total += n;
		got += m;
	}
	for (i = 0; i < procs; i++) {
		int st;

		if (waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			die("a child failed", NULL);
	}
	qsort(all, (size_t)got, sizeof(double), cmp_double);
	printf("limit %s procs=%ld seconds=%g ops=%ld ops_per_s=%.1f "
	    "p50_ms=%.3f p99_ms=%.3f lint=%d key_encrypted=%d\n", argv[optind],
	    procs, seconds, total, total / seconds, got ? all[got / 2] * 1e3 : 0.0,
	    got ? all[(long)(got * 0.99)] * 1e3 : 0.0, lint, password[0] != '\0');
	return 0;
}
