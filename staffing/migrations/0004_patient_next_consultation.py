"""Keep patients_patient.next_consultation_at = the patient's earliest proposed or booked consultation.

It is what makes "waiting to be called" one indexed condition (Patient.objects.awaiting_call):
the waiting list, its counts, the dashboard, the scheduler and the planner read the same
column, and every write path to consultations (booking, scheduler bulk inserts, moves,
cancellations, outcomes, expiries, disruptions) keeps it right because the database does.

The patient row is locked (FOR NO KEY UPDATE: it does not conflict with the FOR KEY SHARE the
foreign key already took, so two writers cannot deadlock on it) before the minimum is read, in
a separate statement: under READ COMMITTED the second of two concurrent writers then sees the
first one's committed row.
"""

from django.db import migrations

from staffing.models.consultations import UPCOMING_STATUSES

STATUSES = ", ".join(f"'{status.value}'" for status in UPCOMING_STATUSES)

FORWARD = f"""
CREATE FUNCTION staffing_refresh_next_consultation(pid bigint) RETURNS void AS $$
DECLARE
    upcoming timestamptz;
BEGIN
    PERFORM 1 FROM patients_patient WHERE id = pid FOR NO KEY UPDATE;
    SELECT min(start) INTO upcoming FROM staffing_consultation
     WHERE patient_id = pid AND status IN ({STATUSES});
    UPDATE patients_patient SET next_consultation_at = upcoming
     WHERE id = pid AND next_consultation_at IS DISTINCT FROM upcoming;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION staffing_consultation_next_for_patient() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM staffing_refresh_next_consultation(OLD.patient_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.patient_id <> OLD.patient_id) THEN
        PERFORM staffing_refresh_next_consultation(NEW.patient_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER consultation_next_for_patient
    AFTER INSERT OR DELETE OR UPDATE OF status, start, patient_id ON staffing_consultation
    FOR EACH ROW EXECUTE FUNCTION staffing_consultation_next_for_patient();

UPDATE patients_patient p SET next_consultation_at = upcoming.start
  FROM (SELECT patient_id, min(start) AS start FROM staffing_consultation
         WHERE status IN ({STATUSES}) GROUP BY patient_id) upcoming
 WHERE p.id = upcoming.patient_id;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS consultation_next_for_patient ON staffing_consultation;
DROP FUNCTION IF EXISTS staffing_consultation_next_for_patient();
DROP FUNCTION IF EXISTS staffing_refresh_next_consultation(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("staffing", "0003_consultation_call"), ("patients", "0006_fragility_tiers")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
