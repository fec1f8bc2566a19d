"""Registrations racing to recreate the default priority rule all get the one rule in force."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from patients.models import PriorityRule
from patients.services import priority


def _commit_rule_from_another_connection():
    def insert():
        try:
            PriorityRule.objects.create(version=1, is_active=True, comment="Règle par défaut")
        finally:
            connection.close()

    thread = threading.Thread(target=insert)
    thread.start()
    thread.join(30)


@pytest.mark.django_db(transaction=True)
def test_a_rule_committed_between_the_lookup_and_the_version_count_is_the_one_returned(monkeypatch):
    """The other registration commits after ours found no rule but before we count versions.

    We then try version 2, refused by `one_active_priority_rule`: the rule in force is
    returned, not an IntegrityError (a 500 for a SAS booking racing another).
    """
    PriorityRule.objects.all().delete()
    real_max = priority.Max

    def max_after_a_concurrent_commit(*args, **kwargs):
        _commit_rule_from_another_connection()
        return real_max(*args, **kwargs)

    monkeypatch.setattr(priority, "Max", max_after_a_concurrent_commit)

    rule = priority.active_rule()

    assert (rule.version, rule.is_active) == (1, True)
    assert PriorityRule.objects.count() == 1
