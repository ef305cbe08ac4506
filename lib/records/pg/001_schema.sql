-- 001_schema.sql - certenroll's state on PostgreSQL (db_pg.c).
--
-- One table per table of lib/records/db.h, same name.  k is the record's key,
-- sorted as bytes (COLLATE "C") as LMDB sorts it; doc is the record as json
-- (not jsonb: the text is kept byte for byte, so an LMDB installation and its
-- copy here digest alike); raw tables hold bytea.  Columns generated from the
-- document carry the indexes the endpoints look up by, and the constraints
-- that make the invariants hold in the database itself, whoever writes.
-- Secrets are sealed (AES-GCM, the data-encryption key each host holds as a
-- file) before they reach any row: staging blobs, job payloads, pooled keys,
-- store passwords.

-- db_next_id()'s counters (LMDB's "counters" table); the API's ids are int32
CREATE SEQUENCE counter_request AS integer;
CREATE SEQUENCE counter_certificate AS integer;
CREATE SEQUENCE counter_job AS integer;
CREATE SEQUENCE counter_pattern AS integer;
CREATE SEQUENCE counter_ca AS integer;
CREATE SEQUENCE counter_keypool AS bigint;

CREATE TABLE settings (k text COLLATE "C" PRIMARY KEY, doc json NOT NULL);
CREATE TABLE cas (k text COLLATE "C" PRIMARY KEY, doc json NOT NULL);
CREATE TABLE templates (k text COLLATE "C" PRIMARY KEY, doc json NOT NULL);
CREATE TABLE patterns (k text COLLATE "C" PRIMARY KEY, doc json NOT NULL);
CREATE TABLE users (k text COLLATE "C" PRIMARY KEY, doc json NOT NULL);
CREATE TABLE roles (k text COLLATE "C" PRIMARY KEY, doc json NOT NULL);

CREATE TABLE certs (
	k		text COLLATE "C" PRIMARY KEY,
	doc		json NOT NULL,
	id		integer GENERATED ALWAYS AS ((doc->>'id')::integer) STORED
			NOT NULL UNIQUE CHECK (id > 0),
	request_id	integer GENERATED ALWAYS AS
			((doc->>'request_id')::integer) STORED,
	thumbprint	text COLLATE "C" GENERATED ALWAYS AS
			(doc->>'thumbprint') STORED NOT NULL UNIQUE,
	serial		text COLLATE "C" GENERATED ALWAYS AS (doc->>'serial')
			STORED NOT NULL,
	issuer		text COLLATE "C" GENERATED ALWAYS AS (doc->>'issuer')
			STORED NOT NULL,
	cn		text GENERATED ALWAYS AS (doc->>'cn') STORED,
	not_before	bigint GENERATED ALWAYS AS
			((doc->>'not_before')::bigint) STORED,
	not_after	bigint GENERATED ALWAYS AS
			((doc->>'not_after')::bigint) STORED NOT NULL,
	template	text GENERATED ALWAYS AS (doc->>'template') STORED,
	requester	text GENERATED ALWAYS AS (doc->>'requester') STORED,
	-- a key is the id in db_idkey()'s 20 digits
	CHECK (k = lpad(id::text, 20, '0')),
	UNIQUE (issuer, serial)
);
CREATE INDEX certs_request_id ON certs (request_id);
CREATE INDEX certs_cn ON certs (cn);
CREATE INDEX certs_not_after ON certs (not_after);
CREATE INDEX certs_requester ON certs (requester);

CREATE TABLE by_thumbprint (
	k	text COLLATE "C" PRIMARY KEY,
	doc	json NOT NULL,
	id	integer GENERATED ALWAYS AS ((doc->>'id')::integer) STORED
		NOT NULL REFERENCES certs (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE by_serial (
	k	text COLLATE "C" PRIMARY KEY,
	doc	json NOT NULL,
	id	integer GENERATED ALWAYS AS ((doc->>'id')::integer) STORED
		NOT NULL REFERENCES certs (id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE requests (
	k		text COLLATE "C" PRIMARY KEY,
	doc		json NOT NULL,
	id		integer GENERATED ALWAYS AS ((doc->>'id')::integer) STORED
			NOT NULL UNIQUE CHECK (id > 0),
	state		text GENERATED ALWAYS AS (doc->>'state') STORED NOT NULL
			CHECK (state IN ('PENDING', 'APPROVING', 'ISSUED',
			'DENIED')),
	requester	text GENERATED ALWAYS AS (doc->>'requester') STORED,
	cert_id		integer GENERATED ALWAYS AS ((doc->>'cert_id')::integer)
			STORED,
	CHECK (k = lpad(id::text, 20, '0'))
);
CREATE INDEX requests_state ON requests (state);
CREATE INDEX requests_cert_id ON requests (cert_id);
CREATE TABLE requests_by_state (k text COLLATE "C" PRIMARY KEY,
	doc json NOT NULL);

-- a user's staging data: sealed, 5 minutes, for its owner alone
CREATE TABLE staging (
	k		text COLLATE "C" PRIMARY KEY,
	doc		json NOT NULL,
	expires		bigint GENERATED ALWAYS AS ((doc->>'expires')::bigint)
			STORED NOT NULL,
	owner		text GENERATED ALWAYS AS (doc->>'owner') STORED NOT NULL
);
CREATE INDEX staging_expires ON staging (expires);

CREATE TABLE stores (k text COLLATE "C" PRIMARY KEY, doc json NOT NULL);

CREATE TABLE jobs (
	k		text COLLATE "C" PRIMARY KEY,
	doc		json NOT NULL,
	id		integer GENERATED ALWAYS AS ((doc->>'id')::integer) STORED
			NOT NULL UNIQUE CHECK (id > 0),
	store_id	text GENERATED ALWAYS AS (doc->>'store_id') STORED
			NOT NULL,
	cert_id		integer GENERATED ALWAYS AS ((doc->>'cert_id')::integer)
			STORED,
	status		text GENERATED ALWAYS AS (doc->>'status') STORED NOT NULL
			CHECK (status IN ('scheduled', 'running', 'retry',
			'succeeded', 'failed', 'cancelled')),
	due		bigint GENERATED ALWAYS AS ((doc->>'due')::bigint) STORED,
	CHECK (k = lpad(id::text, 20, '0'))
);
CREATE INDEX jobs_status_due ON jobs (status, due);
CREATE INDEX jobs_store_id ON jobs (store_id);
-- the agents' queue: "<when, 20 digits>/<job id>", claimed in key order
CREATE TABLE jobq (k text COLLATE "C" PRIMARY KEY, doc json NOT NULL);

CREATE TABLE locations (
	k	text COLLATE "C" PRIMARY KEY,
	doc	json NOT NULL
);
-- "which certificates are in this store": the store ids in the array
CREATE INDEX locations_stores ON locations
	USING gin ((doc::jsonb -> 'locations') jsonb_path_ops);

-- sealed private keys, "<spec>/<seq>", handed out once
CREATE TABLE keypool (k text COLLATE "C" PRIMARY KEY, v bytea NOT NULL);

-- serials the signer reserved before signing: one reservation each
CREATE TABLE serials (
	k	text COLLATE "C" PRIMARY KEY,
	doc	json NOT NULL,
	ca	text GENERATED ALWAYS AS (doc->>'ca') STORED NOT NULL
);

CREATE TABLE jobcount (
	k	text COLLATE "C" PRIMARY KEY,
	doc	json NOT NULL,
	n	bigint GENERATED ALWAYS AS ((doc->>'n')::bigint) STORED
		NOT NULL CHECK (n >= 0)
);
CREATE TABLE pendcount (
	k	text COLLATE "C" PRIMARY KEY,
	doc	json NOT NULL,
	n	bigint GENERATED ALWAYS AS ((doc->>'n')::bigint) STORED
		NOT NULL CHECK (n >= 0)
);
