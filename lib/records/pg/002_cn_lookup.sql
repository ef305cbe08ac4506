-- 002_cn_lookup.sql - IssuedCN -eq "..." through an index (db_foreach_eq).
--
-- The query language compares a common name without regard to ASCII case,
-- as certenroll does on LMDB (strcasecmp): lower() under the "C" collation
-- folds A-Z alone, whatever the database's locale.  k follows, so a walk in
-- key order reads the matching rows in index order, a page at a time.
-- certs_cn (on cn as written) served no query: it goes.
CREATE INDEX certs_cn_lower ON certs (lower(cn COLLATE "C"), k);
DROP INDEX certs_cn;
