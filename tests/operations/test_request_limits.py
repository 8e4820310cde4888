"""Request bodies larger than their sender may send are refused with 413 before
they are read: a small limit for anyone not signed in as staff, Django's form limit
for staff, and the import's limit on the import page for staff who may import."""

import os
import select
import socket
import tempfile

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, TransactionTestCase, override_settings
from django.urls import reverse

from tests.helpers.factories import make_user
from tests.helpers.servers import production_server

MB = 1024 * 1024
SIGN_IN = "/admin/login/"
IMPORT = reverse("admin:factsheets_factsheet_import")
ADD = reverse("admin:factsheets_factsheet_add")


def upload(size, name="old-sheet.txt"):
    return SimpleUploadedFile(name, b"x" * size, content_type="text/plain")


class TooLargeAssertions:
    def assertTooLarge(self, response, limit_text):
        self.assertEqual(response.status_code, 413)
        self.assertTemplateUsed(response, "413.html")
        self.assertContains(response, "What was sent is too large", status_code=413)
        self.assertContains(response, f"at most {limit_text}", status_code=413)
        self.assertNotContains(response, "Traceback", status_code=413)
        self.assertIn("no-store", response["Cache-Control"])
        # The security headers, though it may answer before most of the middleware.
        self.assertIn("default-src 'none'", response["Content-Security-Policy"])
        self.assertIn("camera=()", response["Permissions-Policy"])
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")

    def assertNotTooLarge(self, response):
        self.assertNotEqual(response.status_code, 413)


class PublicLimitTests(TooLargeAssertions, TestCase):
    def test_a_declared_body_over_the_limit_is_refused_unread(self):
        # Ten bytes behind a Content-Length of 200 MB: reading the body would fail.
        with self.assertNumQueries(0):
            response = self.client.generic(
                "POST",
                SIGN_IN,
                b"username=a",
                content_type="application/x-www-form-urlencoded",
                CONTENT_LENGTH=str(200 * MB),
            )
        self.assertTooLarge(response, "5.1\xa0MB")

    def test_a_sign_in_form_over_a_megabyte_is_refused(self):
        fields = {"username": "a", "password": "b"}
        for name, data in {
            "a file": {**fields, "file": upload(2 * MB)},
            "a field": {**fields, "junk": "x" * MB},
        }.items():
            with self.subTest(name), self.assertNumQueries(0):
                self.assertTooLarge(self.client.post(SIGN_IN, data), "1.0\xa0MB")

    def test_a_session_cookie_is_no_way_past_the_limit(self):
        self.client.cookies["sessionid"] = "not-a-session"
        response = self.client.post(SIGN_IN, {"junk": "x" * (2 * MB)})
        self.assertTooLarge(response, "1.0\xa0MB")
        response = self.client.post(IMPORT, {"file": upload(4 * MB)})
        self.assertTooLarge(response, "1.0\xa0MB")

    def test_a_sign_in_under_the_limit_is_answered_as_usual(self):
        response = self.client.post(
            SIGN_IN, {"username": "a", "password": "b", "junk": "x" * (MB - 1000)}
        )
        self.assertContains(response, "Enter the username and password of a staff")

    @override_settings(PUBLIC_REQUEST_MAX_BYTES=100 * 1024)
    def test_the_public_limit_is_a_setting(self):
        response = self.client.post(SIGN_IN, {"junk": "x" * (200 * 1024)})
        self.assertTooLarge(response, "100.0\xa0KB")


class StaffLimitTests(TooLargeAssertions, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", "Editors")
        cls.staff = User.objects.create_user("helper", is_staff=True)

    def test_an_editor_imports_a_file_up_to_the_import_limit(self):
        self.client.force_login(self.editor)
        response = self.client.post(IMPORT, {"file": upload(4 * MB)})
        self.assertNotTooLarge(response)
        self.assertTemplateUsed(response, "admin/factsheets/factsheet/import_form.html")
        self.assertTooLarge(
            self.client.post(IMPORT, {"file": upload(6 * MB)}), "5.1\xa0MB"
        )

    @override_settings(IMPORT_MAX_BYTES=8 * MB)
    def test_the_import_limit_is_a_setting(self):
        self.client.force_login(self.editor)
        self.assertNotTooLarge(self.client.post(IMPORT, {"file": upload(7 * MB)}))

    def test_staff_who_may_not_import_have_the_form_limit_there(self):
        self.client.force_login(self.staff)
        response = self.client.post(IMPORT, {"file": upload(4 * MB)})
        self.assertTooLarge(response, "2.5\xa0MB")

    def test_staff_have_the_form_limit_elsewhere(self):
        self.client.force_login(self.editor)
        self.assertTooLarge(
            self.client.post(ADD, {"file": upload(4 * MB)}), "2.5\xa0MB"
        )
        self.assertNotTooLarge(self.client.post(ADD, {"lead": "x" * (2 * MB)}))


def send_until_answered(port, head, body):
    """Sends the request's head, then its body's chunks until the server answers
    or closes; returns how many bytes of the body were sent, and the answer."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(head)
        try:
            for chunk in body:
                if select.select([sock], [], [], 0)[0]:
                    break
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed the connection
        answer = b""
        try:
            while data := sock.recv(65536):
                answer += data
        except ConnectionResetError:
            pass
    return sent, answer.decode(errors="replace")


def zeros(size, chunk=64 * 1024):
    """`size` bytes of body, made as they are sent."""
    for start in range(0, size, chunk):
        yield b"\0" * min(chunk, size - start)


def chunked(size):
    for chunk in zeros(size):
        yield b"%x\r\n%s\r\n" % (len(chunk), chunk)
    yield b"0\r\n\r\n"


class LargeBodiesThroughGunicornTests(TransactionTestCase):
    """A 200 MB body sent to gunicorn with production settings is answered long
    before it is all sent, and none of it reaches the disk."""

    SIZE = 200 * MB
    BOUNDARY = "limit-test-boundary"

    def setUp(self):
        self.uploads = tempfile.mkdtemp(prefix="uploads-")
        self.addCleanup(os.rmdir, self.uploads)  # fails if anything is left in it
        self.server = production_server(
            self, "limits", extra_settings=f"FILE_UPLOAD_TEMP_DIR = {self.uploads!r}\n"
        )

    def head(self, path, headers, cookies=""):
        # With a CSRF cookie, as anyone gets from the sign-in page, CSRF's check
        # reads the form for its token (without one it refuses before reading).
        cookies = f"csrftoken={'a' * 32}; {cookies}"
        lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Cookie: {cookies}"]
        lines += [*headers, "", ""]
        return "\r\n".join(lines).encode()

    def upload(self, path, session=None):
        """A form whose one file is 200 MB of zeros."""
        part = (
            f"--{self.BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="file"; filename="old.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        end = f"\r\n--{self.BOUNDARY}--\r\n".encode()
        headers = [
            f"Content-Type: multipart/form-data; boundary={self.BOUNDARY}",
            f"Content-Length: {len(part) + self.SIZE + len(end)}",
        ]

        def body():
            yield part
            yield from zeros(self.SIZE)
            yield end

        cookies = f"sessionid={session}" if session else ""
        return send_until_answered(
            self.server.port, self.head(path, headers, cookies), body()
        )

    def assertAnsweredEarly(self, sent, answer, status):
        self.assertLess(sent, self.SIZE / 10, answer[:300])
        self.assertTrue(answer.startswith(f"HTTP/1.1 {status}"), answer[:300])
        self.assertEqual(os.listdir(self.uploads), [])

    def test_a_200_mb_sign_in_is_refused_as_it_arrives(self):
        sent, answer = self.upload(SIGN_IN)
        self.assertAnsweredEarly(sent, answer, 413)
        self.assertIn("What was sent is too large", answer)

    def test_an_editors_200_mb_import_is_refused_as_it_arrives(self):
        editor = make_user("editor", "Editors")
        self.client.force_login(editor)
        sent, answer = self.upload(IMPORT, self.client.cookies["sessionid"].value)
        self.assertAnsweredEarly(sent, answer, 413)

    def test_a_body_past_its_length_or_without_one_is_never_read(self):
        for name, headers, body in [
            (
                "longer than declared",
                ["Content-Type: text/plain", "Content-Length: 1000"],
                zeros(self.SIZE),
            ),
            (
                "chunked",
                ["Content-Type: text/plain", "Transfer-Encoding: chunked"],
                chunked(self.SIZE),
            ),
        ]:
            with self.subTest(name):
                sent, answer = send_until_answered(
                    self.server.port, self.head(SIGN_IN, headers), body
                )
                # Refused by CSRF's check: the body's first bytes hold no token.
                self.assertAnsweredEarly(sent, answer, 403)
