"""Recreate the consultation and permanence triggers from the model's status sets.

Migrations 0002 and 0007 wrote the status lists into the trigger SQL by hand; this one builds
the same functions from `Consultation.ACTIVE_STATUSES`, `Consultation.UPCOMING_STATUSES`,
`Permanence.Status` and `Premises.Status`, so the database and the Python code name each set
in one place. The behaviour is unchanged. tests/staffing/test_status_sets.py checks that the
installed functions and the constants agree; a change to a set needs a new migration like
this one.
"""

from django.db import migrations

from escorter.db import sql_values
from sites.models import Premises
from staffing.models.consultations import ACTIVE_STATUSES, UPCOMING_STATUSES
from staffing.models.rota import Permanence

ACTIVE = sql_values(ACTIVE_STATUSES)
UPCOMING = sql_values(UPCOMING_STATUSES)
PLANNED = sql_values([Permanence.Status.PLANNED])
CANCELLED = sql_values([Permanence.Status.CANCELLED])
OPEN = sql_values([Premises.Status.OPEN])

# 0002: a permanence cannot shrink away from, or change hands under, its active consultations
PERMANENCE_KEEPS_CONSULTATIONS = f"""
CREATE OR REPLACE FUNCTION staffing_permanence_keeps_consultations() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM staffing_consultation c
         WHERE c.permanence_id = NEW.id
           AND c.status IN ({ACTIVE})
           AND (c.start < NEW.start OR c."end" > NEW."end" OR c.professional_id <> NEW.professional_id)
    ) THEN
        RAISE EXCEPTION 'permanence % would leave consultations outside it', NEW.id
            USING ERRCODE = '23514', CONSTRAINT = 'consultation_inside_permanence';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

# 0007: an appointment to come is only inserted or moved into a planned permanence of premises
# open that day (the permanence row is locked FOR SHARE: see staffing.services.disruptions)
CONSULTATION_INSIDE_PERMANENCE = f"""
CREATE OR REPLACE FUNCTION staffing_consultation_inside_permanence() RETURNS trigger AS $$
DECLARE
    p record;
    day date;
BEGIN
    SELECT start, "end", professional_id, status, premises_id, room_id INTO p
      FROM staffing_permanence WHERE id = NEW.permanence_id FOR SHARE;
    IF NEW.start < p.start OR NEW."end" > p."end" THEN
        RAISE EXCEPTION 'consultation % outside its permanence', NEW.id
            USING ERRCODE = '23514', CONSTRAINT = 'consultation_inside_permanence';
    END IF;
    IF NEW.professional_id <> p.professional_id THEN
        RAISE EXCEPTION 'consultation % not held by its permanence''s professional', NEW.id
            USING ERRCODE = '23514', CONSTRAINT = 'consultation_inside_permanence';
    END IF;
    IF NEW.status IN ({UPCOMING}) THEN
        IF p.status NOT IN ({PLANNED}) THEN
            RAISE EXCEPTION 'permanence % is cancelled', NEW.permanence_id
                USING ERRCODE = '23514', CONSTRAINT = 'consultation_permanence_planned';
        END IF;
        day := (NEW.start AT TIME ZONE 'Europe/Paris')::date;
        IF NOT EXISTS (
            SELECT 1 FROM sites_premises s
             WHERE s.id = p.premises_id AND s.status IN ({OPEN})
               AND s.available_from <= day AND (s.available_until IS NULL OR s.available_until >= day)
        ) OR EXISTS (
            SELECT 1 FROM sites_closure c
             WHERE c.premises_id = p.premises_id AND c.start_date <= day AND c.end_date >= day
               AND (c.room_id IS NULL OR c.room_id = p.room_id)
        ) THEN
            RAISE EXCEPTION 'premises of permanence % not open on %', NEW.permanence_id, day
                USING ERRCODE = '23514', CONSTRAINT = 'consultation_premises_open';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

# 0007: a permanence is cancelled only once nothing is left to come on it
PERMANENCE_CANCELLED_EMPTY = f"""
CREATE OR REPLACE FUNCTION staffing_permanence_cancelled_empty() RETURNS trigger AS $$
BEGIN
    IF NEW.status IN ({CANCELLED}) AND OLD.status NOT IN ({CANCELLED}) AND EXISTS (
        SELECT 1 FROM staffing_consultation c
         WHERE c.permanence_id = NEW.id AND c.status IN ({UPCOMING})
    ) THEN
        RAISE EXCEPTION 'permanence % still has appointments to come', NEW.id
            USING ERRCODE = '23514', CONSTRAINT = 'permanence_cancelled_empty';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("staffing", "0007_disruptions")]

    # Going back leaves these functions in place: they behave exactly as 0002 and 0007's.
    operations = [
        migrations.RunSQL(PERMANENCE_KEEPS_CONSULTATIONS, migrations.RunSQL.noop),
        migrations.RunSQL(CONSULTATION_INSIDE_PERMANENCE, migrations.RunSQL.noop),
        migrations.RunSQL(PERMANENCE_CANCELLED_EMPTY, migrations.RunSQL.noop),
    ]
