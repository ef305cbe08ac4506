-- cfssl's certdb on SQLite, for bench/run.sh's equal-work peer: the tables
-- and columns cfssl writes (certdb/sql/database_accessor.go in Debian's
-- golang-github-cloudflare-cfssl-dev, whose shipped test database is
-- empty), typed as cfssl's sqlite migration types them: "bytea" gives the
-- serial numeric affinity, so SQLite stores a decimal serial as a number
-- (a float once it is long) -- cfssl's bug, kept as it is.
CREATE TABLE certificates (
	serial_number            bytea NOT NULL,
	authority_key_identifier bytea NOT NULL,
	ca_label                 bytea,
	status                   bytea NOT NULL,
	reason                   int,
	expiry                   timestamp,
	revoked_at               timestamp,
	pem                      bytea NOT NULL,
	PRIMARY KEY (serial_number, authority_key_identifier)
);
CREATE TABLE ocsp_responses (
	serial_number            bytea NOT NULL,
	authority_key_identifier bytea NOT NULL,
	body                     bytea NOT NULL,
	expiry                   timestamp,
	PRIMARY KEY (serial_number, authority_key_identifier),
	FOREIGN KEY (serial_number, authority_key_identifier)
	    REFERENCES certificates (serial_number, authority_key_identifier)
);
