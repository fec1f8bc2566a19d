"""The registry bench/search.py measures: a territory (Vendée), a secretary and N patients built server-side."""

from __future__ import annotations

import time

LAST_NAMES = [
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
    "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
    "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Müller", "Lefebvre", "Faure", "André",
    "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia",
    "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson",
    "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier",
    "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud",
    "Martínez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron",
]  # fmt: skip
SYLLABLES = [
    "ba", "bé", "cha", "do", "fa", "gui", "jo", "ker", "la", "lè", "ma", "mo", "né", "no", "pa",
    "pi", "ra", "ri", "ro", "sa", "ta", "tu", "va", "vi", "zo", "gré", "bou", "çon", "dan", "lin",
]  # fmt: skip
FIRST_NAMES = [
    "Marie", "Jean", "Pierre", "Michel", "André", "Philippe", "Nathalie", "Isabelle", "Sylvie", "Catherine",
    "Françoise", "Monique", "Jacques", "Bernard", "Christiane", "Hélène", "Loïc", "Anaïs", "Gaëlle", "Jérôme",
    "Chloé", "Léa", "Théo", "Noémie", "Zoé", "Maël", "Inès", "Raphaël", "Cécile", "Benoît",
]  # fmt: skip


def _sql_array(values) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _fill_defaults(cursor, table: str, given: set[str]) -> list[tuple[str, str]]:
    """NOT NULL columns without a database default that the bench does not know (columns added later)."""
    cursor.execute(
        """SELECT column_name, data_type FROM information_schema.columns
           WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL
             AND is_generated = 'NEVER' AND identity_generation IS NULL""",
        [table],
    )
    zero = {"boolean": "false", "integer": "0", "smallint": "0", "bigint": "0", "jsonb": "'{}'::jsonb", "ARRAY": "'{}'"}
    return [(name, zero.get(kind, "''")) for name, kind in cursor.fetchall() if name not in given]


def build_registry(patients: int) -> dict:
    """The territory (the communes of the reference file: Vendée), a secretary and `patients` rows.

    Returns the ids and codes the request kinds use."""
    from django.contrib.auth.models import Group, User
    from django.db import connection

    started = time.perf_counter()
    try:  # older checkouts load the Vendée reference file by hand; newer ones load France in migrate
        from sites.services import load_communes

        load_communes()
    except ImportError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sites_commune SET in_territory = (insee_code LIKE '85%%')")
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM sites_commune WHERE in_territory")
        communes = cursor.fetchone()[0]
        if not communes:
            raise SystemExit("no commune in the reference data")
        # secondary indexes off during the load (a bulk import's practice), rebuilt after
        cursor.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
               WHERE i.tablename = 'patients_patient' AND NOT EXISTS (
                 SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"""
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        given = {
            "last_name", "birth_name", "first_names", "sex", "birth_date", "nir", "address", "commune_id", "phone",
            "phone_2", "email", "sms_consent", "referral_date", "referral_source", "ald", "ald_codes", "disability",
            "pregnancy", "lives_alone", "notes", "status", "status_changed_at", "new_gp_name", "new_gp_rpps",
            "gp_found_date", "priority_score", "priority_tier", "priority_explanation", "created_at", "updated_at",
        }  # fmt: skip
        extra = _fill_defaults(cursor, "patients_patient", given)
        extra_columns = "".join(f", {name}" for name, _ in extra)
        extra_values = "".join(f", {value}" for _, value in extra)
        last, syl, first = _sql_array(LAST_NAMES), _sql_array(SYLLABLES), _sql_array(FIRST_NAMES)
        cursor.execute(
            f"""
            WITH g AS (
              SELECT i, random() AS r_status, random() AS r_ald, random() AS r_dis, random() AS r_src,
                     random() AS r_phone2, random() AS r_fmt,
                     DATE '1925-01-01' + (random() * 36500)::int AS born,
                     DATE '2023-01-01' + (random() * 1000)::int AS referred,
                     ({_sql_array([str(c) for c in communes])}::int[])[1 + floor(random() * {len(communes)})::int]
                       AS commune,
                     CASE WHEN random() < 0.5 THEN ({last})[1 + floor(random() * {len(LAST_NAMES)})::int]
                          ELSE initcap(({syl})[1 + floor(random() * 30)::int] || ({syl})[1 + floor(random() * 30)::int]
                                       || ({syl})[1 + floor(random() * 30)::int]) END AS last_name,
                     ({first})[1 + floor(random() * {len(FIRST_NAMES)})::int] AS first_name,
                     lpad((floor(random() * 100000000))::bigint::text, 8, '0') AS digits,
                     lpad((floor(random() * 100000000))::bigint::text, 8, '0') AS digits_2
              FROM generate_series(1, {patients}) AS i
            ), s AS (
              SELECT g.*, (CASE WHEN r_ald < 0.15 THEN 40 ELSE 0 END)
                          + (CASE WHEN born < DATE '1946-01-01' THEN 30
                                  WHEN born < DATE '1956-01-01' THEN 20 ELSE 0 END)
                          + (CASE WHEN r_dis < 0.05 THEN 30 ELSE 0 END)
                          + (CASE WHEN born > DATE '2020-01-01' THEN 25 ELSE 0 END) AS score
              FROM g
            )
            INSERT INTO patients_patient (
              last_name, birth_name, first_names, sex, birth_date, nir, address, commune_id, phone, phone_2, email,
              sms_consent, referral_date, referral_source, ald, ald_codes, disability, pregnancy, lives_alone, notes,
              status, status_changed_at, new_gp_name, new_gp_rpps, gp_found_date, priority_score, priority_tier,
              priority_explanation, created_at, updated_at{extra_columns})
            SELECT last_name, '', first_name, CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END, born, '', '', commune,
                   CASE WHEN r_fmt < 0.6 THEN '0' || (6 + i % 2) || digits
                        WHEN r_fmt < 0.9 THEN regexp_replace('0' || (6 + i % 2) || digits, '(..)', '\\1 ', 'g')
                        ELSE '+33 ' || (6 + i % 2) || ' ' || digits END,
                   CASE WHEN r_phone2 < 0.3 THEN '02' || digits_2 ELSE '' END, '', false,
                   referred, (ARRAY['cpam','cpam','cpam','hospital','pharmacy','town_hall','self','other'])
                     [1 + floor(r_src * 8)::int],
                   r_ald < 0.15, '{{}}', r_dis < 0.05, false, false, '',
                   CASE WHEN r_status < 0.78 THEN 'waiting' WHEN r_status < 0.88 THEN 'in_care'
                        WHEN r_status < 0.95 THEN 'gp_found' ELSE 'moved' END,
                   now(), '', '', CASE WHEN r_status >= 0.88 AND r_status < 0.95 THEN referred + 90 END,
                   score, CASE WHEN score >= 50 THEN 'P1' WHEN score >= 25 THEN 'P2' ELSE 'P3' END,
                   '{{}}'::jsonb, now(), now(){extra_values}
            FROM s
            """
        )
        # the needles the name, date and phone kinds look for
        cursor.execute(
            f"""INSERT INTO patients_patient (
                  last_name, birth_name, first_names, sex, birth_date, nir, address, commune_id, phone, phone_2,
                  email, sms_consent, referral_date, referral_source, ald, ald_codes, disability, pregnancy,
                  lives_alone, notes, status, status_changed_at, new_gp_name, new_gp_rpps, priority_score,
                  priority_tier, priority_explanation, created_at, updated_at{extra_columns})
                VALUES ('Hérault', '', 'Élodie', 'F', DATE '1950-03-02', '', '', %s, '06 12 34 56 78',
                        '07 98 76 54 32', '', false, DATE '2024-05-01', 'cpam', true, '{{}}', false, false, false, '',
                        'waiting', now(), '', '', 60, 'P1', '{{}}'::jsonb, now(), now(){extra_values})""",
            [communes[0]],
        )
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("VACUUM ANALYZE")  # statistics, and the visibility map autovacuum would set after a load
        # a small commune and a small EPCI of the territory (the selective filters), and the biggest EPCI
        cursor.execute(
            """SELECT c.id FROM sites_commune c JOIN patients_patient p ON p.commune_id = c.id
               GROUP BY c.id ORDER BY count(*), c.id LIMIT 1"""
        )
        small_commune = cursor.fetchone()[0]
        cursor.execute(
            """SELECT c.epci_code FROM sites_commune c WHERE c.in_territory AND c.epci_code <> ''
               GROUP BY c.epci_code ORDER BY count(*), c.epci_code"""
        )
        epcis = [row[0] for row in cursor.fetchall()]
    user = User.objects.create_user("bench-secretaire", password="x")
    user.groups.add(Group.objects.get(name="secretary"))
    return {
        "<small-commune>": str(small_commune),
        "<small-epci>": epcis[0],
        "<big-epci>": epcis[-1],
        "seconds": round(time.perf_counter() - started, 1),
        "user": user.pk,
    }
