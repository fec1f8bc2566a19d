"""The audit log is append-only for every database client, not only for the ORM."""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION escorter_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'escorter_auditlog is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER escorter_auditlog_no_update_delete
    BEFORE UPDATE OR DELETE ON escorter_auditlog
    FOR EACH ROW EXECUTE FUNCTION escorter_auditlog_append_only();
"""

ALLOW = """
DROP TRIGGER IF EXISTS escorter_auditlog_no_update_delete ON escorter_auditlog;
DROP FUNCTION IF EXISTS escorter_auditlog_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("escorter", "0002_auditlog_taskrun")]
    operations = [migrations.RunSQL(FORBID, ALLOW)]
