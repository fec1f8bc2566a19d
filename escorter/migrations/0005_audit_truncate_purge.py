"""Audit trail: TRUNCATE refused too, the retention purge the only delete, search terms scrubbed.

- A BEFORE TRUNCATE trigger refuses TRUNCATE for every client, the owner included (the
  app's role holds no TRUNCATE privilege anyway; the trigger guards against mistakes).
- DELETE stays refused except for the retention purge (escorter.audit.purge_audit_log): it
  sets `escorter.audit_purge_before` for its transaction, and the trigger lets through only
  rows older than that date, itself at least AUDIT_MIN_RETENTION_DAYS old. Only the owner
  role holds DELETE on the table (see README, "Database roles").
- The app's restricted role (settings.DATABASE_APP_ROLE, when it exists) loses UPDATE,
  DELETE and TRUNCATE on the table.
- Rows written before searches were audited without their words lose those words.
"""

from django.conf import settings
from django.db import migrations

AUDIT_MIN_RETENTION_DAYS = 180

FORBID = f"""
CREATE OR REPLACE FUNCTION escorter_auditlog_append_only() RETURNS trigger AS $$
DECLARE
    purge_before timestamptz;
BEGIN
    IF TG_OP = 'DELETE' THEN
        purge_before := NULLIF(current_setting('escorter.audit_purge_before', true), '')::timestamptz;
        IF purge_before IS NOT NULL
           AND purge_before <= now() - interval '{AUDIT_MIN_RETENTION_DAYS} days'
           AND OLD.at < purge_before THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'escorter_auditlog is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION escorter_auditlog_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'escorter_auditlog is append-only (TRUNCATE refused)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER escorter_auditlog_no_truncate
    BEFORE TRUNCATE ON escorter_auditlog
    FOR EACH STATEMENT EXECUTE FUNCTION escorter_auditlog_no_truncate();
"""

ALLOW = """
DROP TRIGGER IF EXISTS escorter_auditlog_no_truncate ON escorter_auditlog;
DROP FUNCTION IF EXISTS escorter_auditlog_no_truncate();
CREATE OR REPLACE FUNCTION escorter_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'escorter_auditlog is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

# One-off, as the owner: the words of searches audited before this migration.
SCRUB_SEARCH_TERMS = r"""
ALTER TABLE escorter_auditlog DISABLE TRIGGER escorter_auditlog_no_update_delete;
UPDATE escorter_auditlog
   SET detail = regexp_replace(detail, '(^|[& ])(q|search|nom|name|phone|telephone)=[^&]*', '\1\2=(non conservé)', 'g')
 WHERE detail ~ '(^|[& ])(q|search|nom|name|phone|telephone)=';
UPDATE escorter_auditlog
   SET detail = regexp_replace(detail, '« .* »', '(terme non conservé)')
 WHERE action = 'search' AND detail LIKE '%«%';
ALTER TABLE escorter_auditlog ENABLE TRIGGER escorter_auditlog_no_update_delete;
"""


def revoke_from_app_role(apps, schema_editor):
    role = getattr(settings, "DATABASE_APP_ROLE", "")
    if not role:
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():
            quoted = schema_editor.connection.ops.quote_name(role)
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON escorter_auditlog FROM {quoted}")
            cursor.execute(f"GRANT SELECT, INSERT ON escorter_auditlog TO {quoted}")


class Migration(migrations.Migration):
    dependencies = [("escorter", "0004_role_groups")]
    operations = [
        migrations.RunSQL(FORBID, ALLOW),
        migrations.RunSQL(SCRUB_SEARCH_TERMS, migrations.RunSQL.noop),
        migrations.RunPython(revoke_from_app_role, migrations.RunPython.noop),
    ]
