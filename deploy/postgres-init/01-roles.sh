#!/bin/sh
# Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d).
# Two roles (README, "Database roles"):
#   escorter_owner  owns the database, the schema and every table: `migrate` and the audit
#                   retention purge (the `migrate` and `maintenance` services) connect as it;
#   escorter_app    what the web, worker and beat processes connect as: reads and writes rows,
#                   cannot alter, truncate or drop a table nor disable a trigger, and (revoked
#                   by migration escorter 0005) cannot update or delete the audit log.
set -eu
: "${ESCORTER_OWNER_PASSWORD:?}" "${ESCORTER_APP_PASSWORD:?}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v owner_password="$ESCORTER_OWNER_PASSWORD" -v app_password="$ESCORTER_APP_PASSWORD" <<'SQL'
CREATE ROLE escorter_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE escorter_app LOGIN PASSWORD :'app_password';
ALTER DATABASE escorter OWNER TO escorter_owner;
ALTER SCHEMA public OWNER TO escorter_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO escorter_app;
-- every table and sequence the owner creates (migrations) is usable by the app, no more
ALTER DEFAULT PRIVILEGES FOR ROLE escorter_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO escorter_app;
ALTER DEFAULT PRIVILEGES FOR ROLE escorter_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO escorter_app;
-- extensions the first migration asks for (created here by the superuser, once)
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
SQL
