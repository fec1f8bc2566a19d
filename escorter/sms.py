"""Pluggable SMS backends (the SMS gateway is the outside world).

`send_sms(phone, text)` uses settings.SMS_BACKEND. The default writes to a file so
that development and tests can read what would have been sent; `HttpSmsBackend`
posts to a provider's JSON API once SMS_HTTP_URL and SMS_HTTP_TOKEN are set.
"""

from __future__ import annotations

import json
import urllib.request

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsError(Exception):
    pass


class FileSmsBackend:
    def send(self, phone: str, text: str) -> str:
        path = settings.SMS_FILE_PATH
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(
                json.dumps({"at": timezone.now().isoformat(), "to": phone, "text": text}, ensure_ascii=False) + "\n"
            )
        return "file"


class ConsoleSmsBackend:
    def send(self, phone: str, text: str) -> str:
        print(f"[SMS à {phone}] {text}")
        return "console"


class HttpSmsBackend:
    """Generic JSON provider: POST {"to", "text"} with a bearer token; returns the provider id."""

    timeout = 10

    def send(self, phone: str, text: str) -> str:
        if not settings.SMS_HTTP_URL:
            raise SmsError("SMS_HTTP_URL n'est pas configuré.")
        request = urllib.request.Request(
            settings.SMS_HTTP_URL,
            data=json.dumps({"to": phone, "text": text}).encode(),
            headers={"Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}", "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                payload = json.loads(response.read() or b"{}")
        except OSError as exc:
            raise SmsError(f"Envoi du SMS impossible : {exc}") from exc
        return str(payload.get("id", ""))


def send_sms(phone: str, text: str) -> str:
    backend = import_string(settings.SMS_BACKEND)()
    return backend.send(phone, text)


def erase_from_sms_log(*, person) -> None:
    """Right to erasure: the file backend's log keeps that a message was sent, not to whom."""
    from escorter.gdpr import rewrite_text_file

    rewrite_text_file(settings.SMS_FILE_PATH, keep=person.redact)
