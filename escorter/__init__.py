"""Escorter: the project package (settings, urls, Celery app, roles, audit log)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
