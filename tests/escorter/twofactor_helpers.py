"""Enrolled users and current TOTP codes, computed from the device's key as the phone app does."""

from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from escorter.twofactor import new_recovery_codes


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    return device, new_recovery_codes(user=user)


def current_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
