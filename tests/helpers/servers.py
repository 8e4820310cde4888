"""Real gunicorn servers for the tests that need one: each in a process of its own,
with production settings, and a client that talks HTTP to them."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from django.conf import settings

GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict):
    """The test database, as the servers' DATABASE_URL."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    user = urllib.parse.quote(settings_dict["USER"] or "", safe="")
    if settings_dict["PASSWORD"]:
        user += ":" + urllib.parse.quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    name = urllib.parse.quote(settings_dict["NAME"], safe="")
    return f"postgres://{user}@{host}:{port}/{name}"


def server_environment(workdir, settings_module, **values):
    """A server process's environment: production settings (DEBUG off, plain http
    on 127.0.0.1) from `settings_module` in `workdir`, with `values` on top, and
    nothing of the test run's own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        PYTHONPATH=os.pathsep.join([workdir, str(settings.BASE_DIR)]),
        PYTHONUNBUFFERED="1",
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        # At the test run's own priority: a worker that yields (as in production)
        # waits seconds for a core behind the test processes and Chromium.
        TASK_WORKER_NICENESS="0",
    )
    env.update(values)
    return env


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """A reader, or with cookies an editor, talking HTTP to the servers."""

    def __init__(self, cookies=False):
        self.jar = CookieJar() if cookies else None
        handlers = [NoRedirects()]
        if self.jar is not None:
            handlers.append(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, url, data=None, headers=None):
        """(status, headers, body) of one request; redirects are not followed."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read().decode()

    def cookie(self, name):
        return next(cookie.value for cookie in self.jar if cookie.name == name)


class Server:
    """One gunicorn server with production settings, in a process of its own."""

    def __init__(self, name, env, workdir):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(Path(workdir) / f"{name}.log", "w+b")
        command = [
            str(GUNICORN),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "1",
        ]
        if has_control_socket_option():
            # Two servers would otherwise claim the same control socket.
            command.append("--no-control-socket")
        self.process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_ready(self, deadline):
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server {self.name} exited:\n{self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
            except OSError:
                time.sleep(0.1)
                continue
            status, _, _ = Client().request(self.url + "/robots.txt")
            if status == 200:
                return
            time.sleep(0.1)
        raise AssertionError(f"server {self.name} did not answer:\n{self.output()}")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]


_control_socket_option = None


def has_control_socket_option():
    """gunicorn 27 gives every server one control socket unless told not to."""
    global _control_socket_option
    if _control_socket_option is None:
        help_text = subprocess.run(
            [str(GUNICORN), "--help"], capture_output=True, text=True, check=False
        ).stdout
        _control_socket_option = "--no-control-socket" in help_text
    return _control_socket_option


# Production settings, but static files named as they are: no collectstatic needed.
PLAIN_STATIC_SETTINGS = """\
from config.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
"""


def production_server(test, name, extra_settings="", **values):
    """One gunicorn server on the test database (a TransactionTestCase's), started
    from the project's folder as `make run` starts it, and stopped after the test.
    `extra_settings` is Python added to its settings module."""
    from django.db import connection

    workdir = tempfile.mkdtemp(prefix=f"{name}-")
    test.addCleanup(shutil.rmtree, workdir, ignore_errors=True)
    (Path(workdir) / f"{name}_settings.py").write_text(
        PLAIN_STATIC_SETTINGS + extra_settings
    )
    env = server_environment(
        workdir,
        f"{name}_settings",
        SECRET_KEY=settings.SECRET_KEY,
        DATABASE_URL=database_url(connection.settings_dict),
        CACHE_URL="locmemcache://",  # one worker
        **values,
    )
    server = Server(name, env, workdir)
    test.addCleanup(server.stop)
    server.wait_until_ready(time.monotonic() + 20)
    return server
