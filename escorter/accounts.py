"""Account pages: second-factor verification and enrolment, recovery codes, password change
and the "mot de passe oublié" reset by e-mail."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from escorter import twofactor


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


@never_cache
@sensitive_post_parameters("code")
def otp_verify(request):
    """Second step of the login: a code from the app, or one recovery code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if twofactor.confirmed_totp_device(request.user) is None:
        return redirect(f"{reverse('otp_enrol')}?{urlencode({'next': _next_url(request)})}")
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if twofactor.verify(request=request, code=form.cleaned_data["code"]):
            return redirect(_next_url(request))
        form.add_error("code", "Code incorrect ou expiré. Attendez le code suivant de l'application et réessayez.")
    context = {"form": form, "next": _next_url(request), "hide_navigation": True}
    return render(request, "registration/otp_verify.html", context)


@never_cache
@sensitive_post_parameters("code")
def otp_enrol(request):
    """Pair an authenticator app: scan, type the first code, receive the recovery codes once."""
    if twofactor.confirmed_totp_device(request.user) is not None:
        return redirect("account_security" if request.user.is_verified() else "otp_verify")
    device = twofactor.pending_totp_device(request.user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        codes = twofactor.confirm_enrolment(request=request, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            return _show_recovery_codes(request, codes, first_time=True)
        form.add_error("code", "Ce code ne correspond pas. Vérifiez l'heure de votre téléphone et réessayez.")
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_svg": twofactor.qr_code_svg(device),
        "manual_key": twofactor.manual_key(device),
        "required": settings.TWO_FACTOR_REQUIRED,
        "hide_navigation": True,
    }
    return render(request, "registration/otp_enrol.html", context)


@never_cache
def account_security(request):
    device = twofactor.confirmed_totp_device(request.user)
    return render(request, "registration/account_security.html", {"device": device})


@never_cache
@require_POST
def regenerate_recovery_codes(request):
    if twofactor.confirmed_totp_device(request.user) is None:
        return redirect("otp_enrol")
    return _show_recovery_codes(request, twofactor.new_recovery_codes(user=request.user), first_time=False)


def _show_recovery_codes(request, codes: list[str], *, first_time: bool):
    """Shown once, in the response to the POST that made them (never_cache: not kept by the browser)."""
    context = {"codes": codes, "first_time": first_time, "next": _next_url(request)}
    return render(request, "registration/otp_recovery_codes.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("account_security")

    def form_valid(self, form):
        messages.success(self.request, "Votre mot de passe a été changé.")
        return super().form_valid(form)


# "Mot de passe oublié": Django's views answer the same whether or not the address is known
# (no user enumeration); the link works once and for PASSWORD_RESET_TIMEOUT.
password_reset = login_not_required(
    auth_views.PasswordResetView.as_view(
        email_template_name="registration/password_reset_email.txt",
        subject_template_name="registration/password_reset_subject.txt",
    )
)
password_reset_done = login_not_required(auth_views.PasswordResetDoneView.as_view())
password_reset_confirm = login_not_required(auth_views.PasswordResetConfirmView.as_view())
password_reset_complete = login_not_required(auth_views.PasswordResetCompleteView.as_view())
