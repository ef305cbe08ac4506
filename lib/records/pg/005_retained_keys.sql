-- 005_retained_keys.sql - private keys kept for POST /Certificates/Recover
-- (retained.h): one per certificate whose template retains keys, sealed
-- (AES-GCM under the DEK, bound to the certificate id) before it reaches
-- the row; "until" 0 keeps it, otherwise the agent deletes it after then.
CREATE TABLE retained_keys (
	k	text COLLATE "C" PRIMARY KEY,
	doc	json NOT NULL,
	id	integer GENERATED ALWAYS AS ((doc->>'id')::integer) STORED
		NOT NULL UNIQUE REFERENCES certs (id) DEFERRABLE INITIALLY DEFERRED,
	until	bigint GENERATED ALWAYS AS ((doc->>'until')::bigint) STORED
		NOT NULL CHECK (until >= 0),
	CHECK (k = lpad(id::text, 20, '0')),
	CHECK (doc->>'blob' LIKE 'Q0Ux%')
);
CREATE INDEX retained_keys_until ON retained_keys (until) WHERE until > 0;
-- the keys kept until a time, in time order: "<until>/<cert id>", each 20
-- digits
CREATE TABLE retained_due (k text COLLATE "C" PRIMARY KEY, doc json NOT NULL,
	CHECK (k ~ '^[0-9]{20}/[0-9]{20}$'));
