-- 003_revocation.sql - revocation (revoked.h, crl.h): each CA's revoked
-- certificates, walked by prefix ("<CA id>/") for its CRL, and the last
-- CRL each CA signed.
CREATE TABLE revoked (
	k	text COLLATE "C" PRIMARY KEY,
	doc	json NOT NULL,
	id	integer GENERATED ALWAYS AS ((doc->>'id')::integer) STORED
		NOT NULL UNIQUE REFERENCES certs (id) DEFERRABLE INITIALLY DEFERRED,
	reason	integer GENERATED ALWAYS AS ((doc->>'reason')::integer) STORED
		NOT NULL CHECK (reason IN (0, 1, 2, 3, 4, 5, 6, 999)),
	date	bigint GENERATED ALWAYS AS ((doc->>'date')::bigint) STORED
		NOT NULL
);
-- a certificate is revoked exactly when it has an entry there
ALTER TABLE certs ADD COLUMN state text
	GENERATED ALWAYS AS (coalesce(doc->>'state', 'active')) STORED
	CHECK (state IN ('active', 'revoked'));

-- each CA's last CRL: "<CA id>" what it is (its number: CRL numbers are
-- positive, RFC 5280 5.2.3), "<CA id>/der" the CRL itself
CREATE TABLE crls (
	k	text COLLATE "C" PRIMARY KEY,
	doc	json NOT NULL,
	number	bigint GENERATED ALWAYS AS ((doc->>'number')::bigint) STORED
		CHECK (number > 0),
	CHECK ((number IS NULL) = (k LIKE '%/der'))
);
