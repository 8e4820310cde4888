"""The pages of signing in that Django's admin does not have: the one a locked-out
sign-in gets, and the two-step verification page (wired into the admin by
accounts/admin.py)."""

import datetime
from base64 import b32encode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import ConfirmCodeForm, CurrentCodeForm


def locked_until(request, credentials):
    """When the lockout of this sign-in ends: when so few recent failures are left,
    for the account or the address, that they no longer reach the limit."""
    cool_off = get_cool_off(request)
    limit = get_failure_limit(request, credentials)
    handler = AxesProxyHandler.get_implementation()
    ends = []
    for attempts in handler.get_user_attempts(request, credentials):
        failures = 0
        for attempt_time, count in attempts.order_by("-attempt_time").values_list(
            "attempt_time", "failures_since_start"
        ):
            failures += count
            if failures >= limit:
                ends.append(attempt_time + cool_off)
                break
    return max(ends, default=timezone.now() + cool_off)


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE): what happened, when
    to try again and whom to ask, with Retry-After for programs."""
    until = locked_until(request, credentials)
    wait = max(until - timezone.now(), datetime.timedelta(seconds=1))
    response = render(
        request,
        "admin/locked_out.html",
        {
            **admin.site.each_context(request),
            "title": "Signing in is paused",
            "failure_limit": get_failure_limit(request, credentials),
            "locked_until": until,
            "minutes": -(-int(wait.total_seconds()) // 60),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(int(wait.total_seconds()) + 1)
    add_never_cache_headers(response)
    return response


def two_step_setup(request, model_admin):
    """The signed-in staff member's own authenticator app: turn it on (scan, then
    confirm with a code), move it to another app, or turn it off."""
    user = request.user
    devices = TOTPDevice.objects.filter(user=user)
    current = devices.filter(confirmed=True).first()
    pending = devices.filter(confirmed=False).first()
    form = None
    current_form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "off" and (settings.OTP_REQUIRED or current is None):
            raise PermissionDenied
        if action in ("start", "off") and current is not None:
            current_form = CurrentCodeForm(request.POST, device=current)
            if not current_form.is_valid():
                # Nothing changes; the page says why.
                action = None
        if action == "start":
            with transaction.atomic():
                devices.filter(confirmed=False).delete()
                TOTPDevice.objects.create(
                    user=user, name="Authenticator app", confirmed=False
                )
            return redirect(request.get_full_path())
        if action == "cancel":
            devices.filter(confirmed=False).delete()
            return redirect(request.get_full_path())
        if action == "off":
            devices.delete()
            messages.success(request, "Two-step verification is off.")
            return redirect(request.get_full_path())
        if action == "confirm" and pending is not None:
            form = ConfirmCodeForm(request.POST, device=pending)
            if form.is_valid():
                return confirmed(request, pending)
    if pending is not None and form is None:
        form = ConfirmCodeForm(device=pending)
    if current is not None and current_form is None:
        current_form = CurrentCodeForm(device=current)
    return TemplateResponse(
        request,
        "admin/otp_totp/totpdevice/setup.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": "Two-step verification",
            "current": current,
            "pending": pending,
            "secret": pending and spaced(b32encode(pending.bin_key).decode()),
            "qr_code": pending and qr_code(pending.config_url),
            "form": form,
            "current_form": current_form,
            "required": settings.OTP_REQUIRED,
            "next": next_url(request),
        },
    )


def confirmed(request, device):
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user_id).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    # This session has just shown a code from the device.
    otp_login(request, device)
    messages.success(
        request,
        "Two-step verification is on: from now on, signing in asks for the code "
        "your authenticator app shows.",
    )
    return redirect(next_url(request) or "admin:index")


def next_url(request):
    url = request.POST.get("next") or request.GET.get("next", "")
    if url and url_has_allowed_host_and_scheme(
        url,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return url
    return ""


def qr_code(address):
    """The app's otpauth:// address as a QR code in inline SVG; never kept, as it
    holds the secret."""
    qr = segno.make_qr(address, error="m")
    # segno's own markup, a path of modules: nothing of the address is in it as text.
    return mark_safe(
        qr.svg_inline(border=2, omitsize=True, svgclass=None, lineclass=None)
    )


def spaced(secret):
    """The secret in groups of four, as authenticator apps accept it typed."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
