/*
 * fuzz_keyspec - key specifications: the request's KeyType, KeyLength and
 * Curve through key_spec_from_request(), and policy words through
 * key_spec_parse_word().  Input: one flag byte (bit 0: KeyType absent,
 * bit 1: KeyLength sent, bit 2: Curve absent), then "KeyType\nKeyLength\n
 * Curve" (KeyLength as decimal text, read with strtol like json-c does).
 * The same text after the flag byte is also tried as a policy word.
 * Every spec accepted must be one of the API's sizes and curves and come
 * back from key_spec_word() -> key_spec_parse_word() unchanged.
 */
#include <openssl/obj_mac.h>

#include "fuzz.h"
#include "keys.h"

/* One of RSA 2048/3072/4096/8192, ECC P-256/384/521, Ed25519, Ed448. */
static void
check_spec(const struct key_spec *k, const char *from)
{
	switch (k->type) {
	case KEY_RSA:
		FUZZ_CHECK((k->bits == 2048 || k->bits == 3072 || k->bits == 4096 ||
		    k->bits == 8192) && k->nid == 0, "%s: RSA-%d", from, k->bits);
		break;
	case KEY_ECC:
		FUZZ_CHECK((k->bits == 256 && k->nid == NID_X9_62_prime256v1) ||
		    (k->bits == 384 && k->nid == NID_secp384r1) ||
		    (k->bits == 521 && k->nid == NID_secp521r1),
		    "%s: ECC bits %d nid %d", from, k->bits, k->nid);
		break;
	case KEY_ED25519:
	case KEY_ED448:
		FUZZ_CHECK(k->bits == 0 && k->nid == 0, "%s: Ed bits %d nid %d",
		    from, k->bits, k->nid);
		break;
	default:
		FUZZ_CHECK(0, "%s: type %d", from, (int)k->type);
	}
}

/* key_spec_word() -> key_spec_parse_word() gives the spec back. */
static void
word_back(const struct key_spec *k, const char *from)
{
	struct ce_error err;
	struct key_spec again;
	char word[64];

	check_spec(k, from);
	key_spec_word(k, word, sizeof(word));
	memset(&again, 0, sizeof(again));
	FUZZ_CHECK(key_spec_parse_word(word, &again, &err) == CE_OK,
	    "%s: word '%s' does not parse: %s", from, word, err.msg);
	FUZZ_CHECK(again.type == k->type && again.bits == k->bits &&
	    again.nid == k->nid, "%s: word '%s' parses into another spec",
	    from, word);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ce_error err;
	struct key_spec spec;
	char *part[3], *word;
	unsigned flags;
	long length;

	if (size < 1)
		return 0;
	flags = data[0];
	word = fuzz_cstr(data + 1, size - 1);
	fuzz_split(data + 1, size - 1, part, 3);
	length = part[1] != NULL ? strtol(part[1], NULL, 10) : 0;
	memset(&spec, 0, sizeof(spec));
	ce_error_clear(&err);
	if (key_spec_from_request(flags & 1 ? NULL : part[0], (flags & 2) != 0,
	    length, flags & 4 ? NULL : part[2], &spec, &err) == CE_OK)
		word_back(&spec, "key_spec_from_request");
	else
		FUZZ_CHECK(err.code == CE_INVAL && err.msg[0] != '\0', "no message");
	memset(&spec, 0, sizeof(spec));
	ce_error_clear(&err);
	if (key_spec_parse_word(word, &spec, &err) == CE_OK)
		word_back(&spec, word);
	else
		FUZZ_CHECK(err.code == CE_INVAL && err.msg[0] != '\0', "no message");
	free(part[0]);
	free(word);
	return 0;
}
