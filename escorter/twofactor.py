"""Second factor (TOTP app + single-use recovery codes) on django-otp, and the middleware
that holds every signed-in person at the verification or enrolment page until done.

The CNIL expects a second factor for access to health data from the internet: with
settings.TWO_FACTOR_REQUIRED (on whenever DEBUG is off) an account without a confirmed
TOTP device can reach nothing but enrolment. Whatever the setting, an account that has
one must use it at every login.
"""

from __future__ import annotations

import logging
import re
from base64 import b32encode
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

log = logging.getLogger("escorter.security")

RECOVERY_CODES = 10
TOTP_NAME = "Application d'authentification"
RECOVERY_NAME = "Codes de secours"
# Pages a signed-in but not yet verified person may open.
OPEN_URL_NAMES = {
    "login",
    "logout",
    "healthz",
    "otp_verify",
    "otp_enrol",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# The FHIR API authenticates machines with tokens, not people with sessions.
OPEN_PREFIXES = ("/fhir/",)


# --- Services ---------------------------------------------------------------------------------


def confirmed_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp_device(user) -> TOTPDevice:
    """The unconfirmed device shown on the enrolment page (the same key until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG drawn on the server: the secret never leaves us."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return re.sub(r'width="[^"]*" height="[^"]*"', 'role="img" aria-label="QR code à scanner"', svg, count=1)


def manual_key(device: TOTPDevice) -> str:
    """The base-32 secret in groups of four, for apps that cannot scan."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def confirm_enrolment(*, request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm `device` with a first code; returns the new recovery codes, or None if wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user)
    if not device.verify_token(_digits(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
    otp_login(request, device)
    log.info("second factor enrolled: user %s", request.user.pk)
    return new_recovery_codes(user=request.user)


@transaction.atomic
def new_recovery_codes(*, user) -> list[str]:
    """Replace the user's recovery codes; the old ones stop working at once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": RECOVERY_NAME})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(*, request, code: str) -> bool:
    """Check a code from the app (6 digits) or a recovery code; on success the session is verified."""
    user = request.user
    digits = _digits(code)
    with transaction.atomic():
        if re.fullmatch(r"\d{6}", digits):
            devices = TOTPDevice.objects.filter(user=user, confirmed=True)
            token = digits
        else:
            devices = StaticDevice.objects.filter(user=user, confirmed=True)
            token = re.sub(r"[\s-]", "", code).lower()
        device = next((d for d in devices.select_for_update() if d.verify_token(token)), None)
    if device is None:
        log.warning("second factor refused: user %s", user.pk)
        return False
    otp_login(request, device)
    if isinstance(device, StaticDevice):
        log.warning("recovery code used: user %s (%s left)", user.pk, device.token_set.count())
    return True


def _digits(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "")


# --- Middleware -------------------------------------------------------------------------------


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware: a session that has not passed the second factor is
    sent to verification (device enrolled) or, when required, to enrolment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and not self._open(request.path_info):
            if confirmed_totp_device(user) is not None:
                return self._to("otp_verify", request)
            if settings.TWO_FACTOR_REQUIRED:
                return self._to("otp_enrol", request)
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        if path.startswith(("/" + settings.STATIC_URL.lstrip("/"), *OPEN_PREFIXES)):
            return True
        try:
            return resolve(path).url_name in OPEN_URL_NAMES
        except Resolver404:
            return False

    @staticmethod
    def _to(url_name: str, request):
        response = redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")
        if getattr(request, "htmx", False):
            response["HX-Redirect"] = response["Location"]  # a fragment must not swap the login page in
        return response
