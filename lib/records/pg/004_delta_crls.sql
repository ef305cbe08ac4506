-- 004_delta_crls.sql - delta CRLs (crl.h, revoked.h): beside each CA's
-- record "<CA id>" (the only one with a number) its last full CRL
-- "<CA id>/der", its last delta CRL "<CA id>/delta" and the changes since
-- the full one, "<CA id>/log/<serial>".
ALTER TABLE crls DROP CONSTRAINT crls_check;
ALTER TABLE crls ADD CONSTRAINT crls_check
	CHECK ((number IS NULL) = (k LIKE '%/%'));
