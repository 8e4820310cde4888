from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse

from accounts.devices import SETUP_URL_NAME, confirmed_devices

# Admin pages a signed-in staff member still owing a second factor may open; the
# setup page too, for those who have no authenticator app yet.
OPEN_WITHOUT_SECOND_FACTOR = {"login", "logout"}


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
    """On the admin's pages and SECOND_FACTOR_VIEWS: a second factor where the staff
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
        if match.app_name == "admin" or match.view_name in settings.SECOND_FACTOR_VIEWS:
            return second_factor_missing(request)
        return None
