"""Two-step verification in the admin: the sign-in form that asks for a code, and the
page where staff set up their authenticator app (factsheets/signin.py, issue #10)."""

from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from factsheets.signin import SETUP_URL_NAME, SignInForm

admin.site.login_form = SignInForm


class ConfirmCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
        help_text="The 6 digits the app shows for this account now.",
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not self.device.verify_is_allowed()[0]:
            raise forms.ValidationError(
                "Too many wrong codes: wait a minute, then enter the newest one."
            )
        if not self.device.verify_token(code):
            raise forms.ValidationError(
                "That code is wrong or has expired. Check that the app's clock is "
                "right, and enter the code it shows now."
            )
        return code


class CurrentCodeForm(ConfirmCodeForm):
    """The code of the app now in use, before two-step verification is moved or
    turned off: a session alone, left open or taken over, is not enough."""

    code = forms.CharField(
        label="Code from your current app",
        max_length=12,
        error_messages={
            "required": "Enter the code your authenticator app shows now: moving "
            "or turning off two-step verification needs it."
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
        help_text="The 6 digits the app you use now shows for this account.",
    )


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(TOTPDeviceAdmin):
    """Administrators see who has an authenticator app and may delete one (a lost
    phone); only its owner sets one up, on the two-step verification page."""

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        return [
            path(
                "setup/",
                self.admin_site.admin_view(self.setup_view),
                name=SETUP_URL_NAME,
            ),
            *super().get_urls(),
        ]

    def setup_view(self, request):
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
                    return self.confirmed(request, pending)
        if pending is not None and form is None:
            form = ConfirmCodeForm(device=pending)
        if current is not None and current_form is None:
            current_form = CurrentCodeForm(device=current)
        return TemplateResponse(
            request,
            "admin/otp_totp/totpdevice/setup.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Two-step verification",
                "current": current,
                "pending": pending,
                "secret": pending and spaced(b32encode(pending.bin_key).decode()),
                "qr_code": pending and qr_code(pending.config_url),
                "form": form,
                "current_form": current_form,
                "required": settings.OTP_REQUIRED,
                "next": self.next_url(request),
            },
        )

    def confirmed(self, request, device):
        with transaction.atomic():
            TOTPDevice.objects.filter(user=device.user_id).exclude(
                pk=device.pk
            ).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        # This session has just shown a code from the device.
        otp_login(request, device)
        messages.success(
            request,
            "Two-step verification is on: from now on, signing in asks for the code "
            "your authenticator app shows.",
        )
        return redirect(self.next_url(request) or "admin:index")

    def next_url(self, request):
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
