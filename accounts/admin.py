"""The admin's side of signing in: its sign-in form asks for the code of an
authenticator app, and staff set up their own app on a page of the authenticator
apps' admin."""

from django.contrib import admin
from django.urls import path
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import views
from accounts.devices import SETUP_URL_NAME
from accounts.forms import SignInForm

admin.site.login_form = SignInForm

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
        return views.two_step_setup(request, self)
