"""The admin's sign-in form, which asks for the code of an authenticator app, and the
forms of the two-step verification page."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.db import transaction

from accounts.devices import confirmed_devices


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
