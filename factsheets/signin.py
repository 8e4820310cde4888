"""Signing in to the admin (issue #10): failed attempts lock a sign-in out for a while
(django-axes), staff may add a second factor, a code from an authenticator app, and
OTP_REQUIRED makes it compulsory (django-otp); no admin page is indexed."""

import datetime
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django_otp.plugins.otp_totp.models import TOTPDevice

SETUP_URL_NAME = "otp_totp_totpdevice_setup"
# Admin pages a signed-in staff member still owing a second factor may open; the
# setup page too, for those who have no authenticator app yet.
OPEN_WITHOUT_SECOND_FACTOR = {"login", "logout"}


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


def confirmed_devices(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True)


class SignInForm(AdminAuthenticationForm):
    """The admin's sign-in: the password, and the code of the account's authenticator
    app when it has one.

    Every refusal reads the same, whichever of the name, the password or the code
    was wrong or missing, so that the page never confirms a password to someone
    who lacks the code; each counts as a failed sign-in.
    """

    otp_token = forms.CharField(
        label="Authentication code",
        required=False,
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
        help_text="The 6-digit code your authenticator app shows now, if you have "
        "turned on two-step verification. Otherwise leave it empty.",
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Enter the username and password of a staff account, and "
        "the code your authenticator app shows now if you have turned on two-step "
        "verification. The username and password are case-sensitive.",
    }

    def clean(self):
        cleaned_data = super().clean()
        if self.user_cache is not None:
            self.verify_code(self.user_cache, cleaned_data.get("otp_token", ""))
        return cleaned_data

    def verify_code(self, user, code):
        code = "".join(code.split())
        # The device's row stays locked while its code is checked, so one code
        # cannot sign in twice at once; the error leaves the block afterwards, so
        # that the device's count of wrong codes is kept.
        with transaction.atomic():
            devices = list(confirmed_devices(user).select_for_update())
            if not devices:
                return
            # A device django-otp holds back after wrong codes refuses even the
            # right one, with the same message as any other failure.
            if code and all(device.verify_is_allowed()[0] for device in devices):
                device = next((d for d in devices if d.verify_token(code)), None)
                if device is not None:
                    # django-otp marks the session verified when it signs the user in.
                    user.otp_device = device
                    return
        # A wrong or missing code is a failed sign-in: it counts towards the lockout.
        user_login_failed.send(
            sender=__name__,
            credentials={"username": user.get_username()},
            request=self.request,
        )
        self.user_cache = None
        raise self.get_invalid_login_error()


def second_factor_missing(request):
    """A redirect for staff who have not shown the second factor they have, or must
    have; None for everyone else."""
    user = request.user
    if not (user.is_active and user.is_staff) or user.is_verified():
        return None
    url_name = request.resolver_match.url_name
    if url_name in OPEN_WITHOUT_SECOND_FACTOR:
        return None
    if confirmed_devices(user).exists():
        # Signed in without the code, e.g. before the device was set up elsewhere.
        logout(request)
        messages.info(
            request, "Sign in again with the code from your authenticator app."
        )
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if settings.OTP_REQUIRED and url_name != SETUP_URL_NAME:
        setup = reverse(f"admin:{SETUP_URL_NAME}")
        return redirect(f"{setup}?{urlencode({'next': request.get_full_path()})}")
    return None


class AdminGuardMiddleware:
    """On the admin's pages and the staff's preview: a second factor where the staff
    member has one or OTP_REQUIRED asks for one; on the admin's, no indexing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.app_name == "admin":
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match.app_name == "admin" or match.view_name == "factsheets:preview":
            return second_factor_missing(request)
        return None
