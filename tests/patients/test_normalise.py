"""Normalising names: an import remembers its answers while it runs, and forgets them after."""

from __future__ import annotations

import io

import pytest

from patients import normalise
from patients.services.importing import import_patients


def test_names_are_remembered_only_while_an_import_runs():
    assert normalise.simplify("Hélène Bénéteau") == "helene beneteau"
    assert normalise._memo is None  # outside an import: nothing kept
    with normalise.remembering_names():
        assert normalise.simplify("Hélène Bénéteau") == "helene beneteau"
        assert normalise._memo == {"Hélène Bénéteau": "helene beneteau"}
        with normalise.remembering_names():  # a second import in the same process shares it
            normalise.simplify("Zoé")
        assert "Zoé" in normalise._memo
    assert normalise._memo is None  # the import ended: its names are gone


@pytest.mark.django_db
def test_an_import_remembers_names_while_it_runs_and_leaves_none_behind():
    csv = "Nom;Prénoms;Date de naissance;Sexe;Code INSEE\nBénéteau;Hélène;01/02/1950;F;85018\n"
    during = []

    class Progress:
        def step(self, *args, **kwargs):
            during.append(set((normalise._memo or {}).values()))

    report = import_patients(io.BytesIO(csv.encode()), dry_run=True, file_name="liste.csv", progress=Progress())
    assert report.rows == 1 and not report.fatal
    assert any("beneteau" in values for values in during)  # remembered while it ran
    assert normalise._memo is None  # and forgotten after
