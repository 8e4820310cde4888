import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.test import SimpleTestCase, override_settings

from notices.checks import check_notice_settings


class SettingsCheckTests(SimpleTestCase):
    def ids(self):
        return [found.id for found in check_notice_settings(None)]

    def test_the_defaults_pass(self):
        self.assertEqual(self.ids(), [])
        call_command("check", "--fail-level", "WARNING", verbosity=0)

    @override_settings(NOTICES_DIGEST_HOUR=24)
    def test_a_digest_hour_past_the_day_is_refused(self):
        [error] = check_notice_settings(None)
        self.assertEqual(error.id, "notices.E001")
        self.assertIn("from 0 to 23, not 24", error.msg)

    @override_settings(NOTICES_SWEEP_SECONDS=0, NOTICES_MAX_ATTEMPTS=0)
    def test_nothing_may_be_zero(self):
        self.assertEqual(self.ids(), ["notices.E002", "notices.E002"])

    @override_settings(NOTICES_LEASE_SECONDS=60, EMAIL_TIMEOUT=30)
    def test_a_lease_too_short_for_the_mail_servers_timeout_is_warned_of(self):
        self.assertEqual(self.ids(), ["notices.W001"])

    def test_a_sweep_of_zero_is_refused_by_the_check_not_a_traceback(self):
        ran = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DEBUG": "1", "NOTICES_SWEEP_SECONDS": "0"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertEqual(ran.returncode, 1)
        self.assertIn(
            "(notices.E002) NOTICES_SWEEP_SECONDS must be at least 1.", ran.stderr
        )
        self.assertNotIn("Traceback", ran.stderr)
