/*
 * serials.h - serial numbers the signer reserves before it signs.
 *
 * Reservation record (T_SERIALS, key = the serial in upper-case hex as
 * x509_serial_hex() writes it, the by-serial index's key):
 *   {"ca": "host\\Logical", "subject": "CN=...", "requester": "alice",
 *    "reserved": epoch seconds}
 * A serial is reserved in the signer's write transaction, committed before
 * the signature is made, and never released: a serial that was ever signed
 * (or issued, T_BY_SERIAL) is never signed again, whatever a caller sends.
 * Serials are unique across all CAs here (stricter than per issuer).
 */
#ifndef CE_SERIALS_H
#define CE_SERIALS_H

#include <openssl/x509.h>
#include "error.h"

struct ce_txn;

/*
 * Reserves cert's serial inside the write transaction txn: CE_CONFLICT
 * naming the serial when it was already issued or reserved, CE_OK when it
 * is now reserved for ca (the caller commits).  requester may be NULL.
 */
enum ce_err	serial_reserve(struct ce_txn *txn, X509 *cert, const char *ca,
		    const char *requester, struct ce_error *err);

#endif
