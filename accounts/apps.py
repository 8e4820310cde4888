from axes import apps as axes_apps
from django.apps import AppConfig
from django_otp.plugins.otp_totp import apps as otp_totp_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"


# The sign-in packages' apps, under names the admin's index can show editors. Their
# labels stay the packages' own ("axes", "otp_totp"), as do their tables.


class SignInAttemptsConfig(axes_apps.AppConfig):
    default = False  # AccountsConfig stays the "accounts" app's
    verbose_name = "Sign-in attempts"


class AuthenticatorAppsConfig(otp_totp_apps.DefaultConfig):
    default = False
    verbose_name = "Two-step verification"
