-- 006_user_ids.sql - users get ids (auth.h: RequesterId), numbered as the
-- other records are; users set before keep none until they are set again.
CREATE SEQUENCE counter_user AS integer;
