"""The sign-in packages' apps, under names the admin's index can show editors
(factsheets/signin.py, issue #10)."""

from axes.apps import AppConfig as AxesConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class SignInAttemptsConfig(AxesConfig):
    verbose_name = "Sign-in attempts"


class AuthenticatorAppsConfig(TOTPConfig):
    verbose_name = "Two-step verification"
