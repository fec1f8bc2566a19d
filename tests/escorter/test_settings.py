"""Settings really loaded: Celery reliability limits, production refusal, deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from escorter.celery import app

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": "x" * 10 + "-production-secret-key-that-is-long-enough-and-random-0123456789",
    "ALLOWED_HOSTS": "escorter.example.fr",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "ESCORTER_TEAM_PHONE": "02 51 49 00 00",
}


def _manage(*args, env=None):
    full_env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set for Playwright only
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_celery_limits_we_rely_on_are_loaded():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    # Redis redelivers unacknowledged tasks after visibility_timeout: a task must be
    # killed before that, or it would run twice.
    assert conf.task_time_limit < conf.broker_transport_options["visibility_timeout"]
    assert conf.task_soft_time_limit < conf.task_time_limit


def test_ui_is_french_on_paris_time():
    assert settings.LANGUAGE_CODE == "fr-fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.USE_TZ


def test_only_postgresql_is_configured():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def test_production_refuses_the_default_secret_key():
    result = _manage("check", env={"DEBUG": "False", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_deploy_check_reports_nothing_with_production_variables():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_the_team_phone_falls_back_to_its_former_sas_name():
    """One setting for the team's number; an older .env that only sets SAS_CPTS_PHONE still works."""
    show = ("shell", "--no-imports", "-c", "from django.conf import settings; print(settings.ESCORTER_TEAM_PHONE)")
    old_name = _manage(*show, env={"ESCORTER_TEAM_PHONE": "", "SAS_CPTS_PHONE": "+33251999999"})
    assert old_name.stdout.strip() == "+33251999999", old_name.stderr
    both = _manage(*show, env={"ESCORTER_TEAM_PHONE": "02 51 11 11 11", "SAS_CPTS_PHONE": "+33251999999"})
    assert both.stdout.strip() == "02 51 11 11 11", both.stderr


def test_deploy_check_warns_while_patients_would_be_given_the_demo_number(settings):
    from escorter.checks import team_phone_is_set

    settings.ESCORTER_TEAM_PHONE = settings.DEMO_TEAM_PHONE
    assert [warning.id for warning in team_phone_is_set()] == ["escorter.W001"]
    settings.ESCORTER_TEAM_PHONE = "02 51 49 00 00"
    assert team_phone_is_set() == []
