-- Hand the audit trail to a role other than the application's (issue 9).
-- Run once as a PostgreSQL superuser, in the app's database, after `dryneedling migrate`:
--   psql -v ON_ERROR_STOP=1 -d dryneedling -f deploy/postgres-audit-owner.sql
-- The application role (here `dryneedling`) keeps INSERT and SELECT on the audit table and only
-- SELECT on the guard row the append-only triggers read, so neither a bug nor a stolen app
-- password can rewrite, delete or truncate the trail, or lift the triggers of signed notes.
CREATE ROLE dryneedling_audit NOLOGIN;
ALTER TABLE accounts_auditevent OWNER TO dryneedling_audit;
ALTER TABLE dryneedling_audit_guard OWNER TO dryneedling_audit;
REVOKE ALL ON accounts_auditevent, dryneedling_audit_guard FROM dryneedling;
GRANT SELECT, INSERT ON accounts_auditevent TO dryneedling;
GRANT SELECT ON dryneedling_audit_guard TO dryneedling;
