"""The revocation-at-scale table from revoke.csv (bench/revocost's lines),
for results.md and, run alone (--revoke-only), revoke.md."""
import csv
import sys

TEXT = ("One CA with N revoked certificates (LMDB, bench/revocost; machine.txt): "
        "a full CRL rebuild (the revoked list read, the CRL built, sorted, signed "
        "with the CA's ECDSA P-256 key, recorded durably), and one revocation "
        "through revoke_certificates as POST /Certificates/Revoke makes it (its "
        "durable write and the CRL it publishes at once): with a full CRL "
        "(`crl_delta_min` 0) and with a delta CRL (the default from 10,000 "
        "entries: the changes since the full one).\n")


def table(out):
    rows = list(csv.DictReader(open(out + "/revoke.csv")))
    L = [TEXT,
         "| revoked | CRL rebuild s | one revocation, full CRL s | "
         "one revocation, delta CRL s | full CRL bytes | delta CRL bytes |",
         "|---|---|---|---|---|---|"]
    for r in rows:
        L.append("| %s | %s | %s | %s | %s | %s |" % (
            r["revoked"], r["rebuild_s"], r["revoke_s"], r["revoke_delta_s"],
            r["crl_bytes"], r["delta_bytes"]))
    return L


if __name__ == "__main__":
    out = sys.argv[1]
    L = ["# certenroll: revocation at scale\n"] + table(out)
    open(out + "/revoke.md", "w").write("\n".join(L) + "\n")
    print("\n".join(L))
