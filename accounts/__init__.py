"""Signing in to the admin: failed attempts lock a sign-in out for a while
(django-axes), staff may add a second factor, a code from an authenticator app, and
OTP_REQUIRED makes it compulsory (django-otp); no admin page is indexed.

Other apps import nothing from here: settings name the middleware, the apps and the
lockout page, and the admin finds accounts/admin.py itself.
"""
