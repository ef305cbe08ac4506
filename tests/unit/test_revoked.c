/*
 * test_revoked.c - revoked.h, the record layer of revocation: which codes
 * Revoke takes and what each is on a CRL, cert_revoke's outcomes (now,
 * already, held made permanent, off hold, not held) as the certificate
 * record and the CA's revoked list show them, list keys in serial order
 * under their CA, and an unknown id.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "certdb.h"
#include "kit.h"
#include "revoked.h"

#define ROOT	KIT_ROOT
#define WEB	KIT_WEB
#define BODY	KIT_BODY

static void
test_reasons(void **state)
{
	static const int64_t take[] = { 0, 1, 2, 3, 4, 5, 6, 999 };
	static const int64_t unhold[] = { -1, 7, 8 };
	static const int64_t refuse[] = { -2, 9, 10, 998, 1000, INT64_MAX };
	size_t i;
	int u;

	(void)state;
	for (i = 0; i < sizeof(take) / sizeof(take[0]); i++)
		CHECK(revoke_reason_valid(take[i], &u) && !u);
	for (i = 0; i < sizeof(unhold) / sizeof(unhold[0]); i++)
		CHECK(revoke_reason_valid(unhold[i], &u) && u);
	for (i = 0; i < sizeof(refuse) / sizeof(refuse[0]); i++)
		CHECK(!revoke_reason_valid(refuse[i], &u));
	CHECK(revoke_reason_crl(1) == 1 && revoke_reason_crl(6) == 6);
	CHECK(revoke_reason_crl(999) == 0 && revoke_reason_crl(0) == 0);
}

/* cert_revoke of id in a write of its own: the outcome. */
static enum revoke_outcome
rev(struct kit *k, int64_t ca, int64_t id, int64_t reason)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct revocation r = { reason, 1700000000, "c", "u" };
	enum revoke_outcome out;
	int unhold;

	CHECK(revoke_reason_valid(reason, &unhold));
	E(db_begin(k->db, 1, &txn, &err));
	E(cert_revoke(txn, id, ca, &r, unhold, &out, &err));
	E(db_commit(txn, &err));
	return out;
}

struct seen {
	int	n;
	int64_t	id[4], reason[4];
	char	serial[4][64];
};

static int
seen_cb(const struct revoked_entry *e, void *arg)
{
	struct seen *s = arg;

	if (s->n < 4) {
		s->id[s->n] = e->id;
		s->reason[s->n] = e->reason;
		snprintf(s->serial[s->n], sizeof(s->serial[0]), "%s", e->serial);
	}
	s->n++;
	return 0;
}

static struct seen
list(struct kit *k, int64_t ca)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct seen s;

	memset(&s, 0, sizeof(s));
	E(db_begin(k->db, 0, &txn, &err));
	E(revoked_list(txn, ca, seen_cb, &s, &err));
	db_abort(txn);
	return s;
}

static int64_t
state_reason(struct kit *k, int64_t id)
{
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct cert c;
	int64_t r;

	E(db_begin(k->db, 0, &txn, &err));
	E(cert_get(txn, id, &c, &err));
	db_abort(txn);
	r = c.state == CERT_REVOKED ? c.rev_reason : -100;
	cert_clear(&c);
	return r;
}

static void
test_outcomes_and_the_list(void **state)
{
	struct kit *k = *state;
	struct ce_error err;
	struct ce_txn *txn = NULL;
	struct revocation r = { 1, 1, "c", "u" };
	enum revoke_outcome out;
	struct seen s;
	char key[96];
	int64_t ca;

	ca = kit_ca(k, ROOT, "ECC-P-256", 3650, NULL);
	kit_template(k, WEB);
	kit_issue(k, "alice", FMT_PEM, BODY("a.example.com"));
	kit_issue(k, "alice", FMT_PEM, BODY("b.example.com"));
	CHECK(rev(k, ca, 1, 1) == REVOKED_NOW);
	CHECK(rev(k, ca, 1, 4) == REVOKED_ALREADY && state_reason(k, 1) == 1);
	CHECK(rev(k, ca, 1, -1) == NOT_HELD && state_reason(k, 1) == 1);
	CHECK(rev(k, ca, 2, 6) == REVOKED_NOW);
	CHECK(rev(k, ca, 2, 6) == REVOKED_ALREADY);
	s = list(k, ca);
	CHECK(s.n == 2 && strcmp(s.serial[0], s.serial[1]) < 0);
	CHECK(rev(k, ca, 2, 8) == UNHELD && state_reason(k, 2) == -100);
	s = list(k, ca);
	CHECK(s.n == 1 && s.id[0] == 1 && s.reason[0] == 1);
	CHECK(rev(k, ca, 2, 6) == REVOKED_NOW);
	CHECK(rev(k, ca, 2, 2) == REVOKED_NOW && state_reason(k, 2) == 2);
	s = list(k, ca);
	CHECK(s.n == 2);
	/* another CA's list is its own */
	CHECK(list(k, ca + 1).n == 0);
	revoked_key(7, "0A1B", key, sizeof(key));
	CHECK(strcmp(key, "00000000000000000007/0A1B") == 0);
	E(db_begin(k->db, 1, &txn, &err));
	EFAIL(cert_revoke(txn, 99, ca, &r, 0, &out, &err), CE_NOTFOUND,
	    "Certificate 99 was not found.");
	db_abort(txn);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		KIT_TEST(test_reasons),
		KIT_TEST(test_outcomes_and_the_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
