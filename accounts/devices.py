"""A staff member's authenticator apps (django-otp's TOTP devices)."""

from django_otp.plugins.otp_totp.models import TOTPDevice

# The admin page where staff set up their own app (accounts/admin.py).
SETUP_URL_NAME = "otp_totp_totpdevice_setup"


def confirmed_devices(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True)
