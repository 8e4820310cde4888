"""The checker against a real HTTP server on 127.0.0.1: what it asks, and what it
makes of each answer."""

import time

from django.test import TestCase, override_settings

from linkchecks import checking, runs
from tests.helpers.http_server import LocalServer, answer, by_method, hang_up, slow
from tests.helpers.servers import free_port

FAST = {"LINK_CHECK_HOST_INTERVAL": 0, "LINK_CHECK_TIMEOUT": 2}


def check(url, **options):
    return checking.Checker(runs.wait_for_turn, **options).check(url)


@override_settings(**FAST)
class AnswerTests(TestCase):
    def test_2xx_is_ok_from_one_head_request(self):
        with LocalServer({"/ok": answer(200)}) as server:
            outcome = check(server.url("/ok"))
        self.assertEqual((outcome.result, outcome.status_code), ("ok", 200))
        self.assertEqual(outcome.redirects, [])
        self.assertEqual(outcome.final_url, server.url("/ok"))
        self.assertEqual([r.method for r in server.requests], ["HEAD"])

    def test_404_and_500_are_broken_after_get_confirms_them(self):
        with LocalServer({"/gone": answer(404), "/fails": answer(500)}) as server:
            gone, fails = check(server.url("/gone")), check(server.url("/fails"))
        self.assertEqual((gone.result, gone.status_code), ("broken", 404))
        self.assertEqual((fails.result, fails.status_code), ("broken", 500))
        self.assertEqual(
            [(r.method, r.path) for r in server.requests],
            [
                ("HEAD", "/gone"),
                ("GET", "/gone"),
                ("HEAD", "/fails"),
                ("GET", "/fails"),
            ],
        )

    def test_head_refused_with_405_is_asked_again_with_get(self):
        route = by_method(HEAD=answer(405), GET=answer(200))
        with LocalServer({"/page": route}) as server:
            outcome = check(server.url("/page"))
        self.assertEqual((outcome.result, outcome.status_code), ("ok", 200))
        self.assertEqual([r.method for r in server.requests], ["HEAD", "GET"])

    def test_head_that_hangs_up_is_asked_again_with_get(self):
        route = by_method(HEAD=hang_up, GET=answer(200))
        with LocalServer({"/page": route}) as server:
            outcome = check(server.url("/page"))
        self.assertEqual(outcome.result, "ok")
        self.assertEqual([r.method for r in server.requests], ["HEAD", "GET"])

    def test_429_is_unreachable_to_try_again_later(self):
        with LocalServer({"/busy": answer(429)}) as server:
            outcome = check(server.url("/busy"))
        self.assertEqual((outcome.result, outcome.status_code), ("unreachable", 429))

    def test_an_address_with_non_ascii_characters_is_sent_encoded(self):
        with LocalServer({"/caf%C3%A9/": answer(200)}) as server:
            outcome = check(server.url("/café/"))
        self.assertEqual(outcome.result, "ok")
        self.assertEqual(server.requests[0].path, "/caf%C3%A9/")


@override_settings(**FAST)
class RedirectTests(TestCase):
    def test_each_redirect_is_followed_and_recorded(self):
        with LocalServer() as server:
            server.routes.update(
                {
                    "/old": answer(301, location="/middle#part"),
                    "/middle": answer(302, location=server.url("/new")),
                    "/new": answer(200),
                }
            )
            outcome = check(server.url("/old"))
        self.assertEqual((outcome.result, outcome.status_code), ("ok", 200))
        self.assertEqual(
            outcome.redirects,
            [
                {"status": 301, "url": server.url("/middle")},
                {"status": 302, "url": server.url("/new")},
            ],
        )
        self.assertEqual(outcome.final_url, server.url("/new"))
        self.assertEqual([r.path for r in server.requests], ["/old", "/middle", "/new"])

    def test_a_redirect_loop_is_broken_and_stops(self):
        routes = {"/a": answer(301, location="/b"), "/b": answer(301, location="/a")}
        with LocalServer(routes) as server:
            outcome = check(server.url("/a"))
        self.assertEqual(outcome.result, "broken")
        self.assertEqual(outcome.error, "The redirects go round in a loop.")
        self.assertEqual([hop["status"] for hop in outcome.redirects], [301, 301])
        self.assertEqual(len(server.requests), 2)

    def test_more_redirects_than_the_limit_is_broken(self):
        routes = {f"/{n}": answer(302, location=f"/{n + 1}") for n in range(20)}
        with LocalServer(routes) as server:
            outcome = check(server.url("/0"), max_redirects=3)
        self.assertEqual(outcome.result, "broken")
        self.assertEqual(outcome.error, "More than 3 redirects.")
        self.assertEqual(len(outcome.redirects), 4)
        self.assertEqual(len(server.requests), 4)

    def test_a_redirect_to_another_scheme_is_not_followed(self):
        routes = {"/file": answer(302, location="ftp://127.0.0.1/file")}
        with LocalServer(routes) as server:
            outcome = check(server.url("/file"))
        self.assertEqual((outcome.result, outcome.status_code), ("broken", 302))
        self.assertIn("ftp address, which is not followed", outcome.error)
        self.assertEqual(outcome.redirects, [])

    def test_a_redirect_without_an_address_is_broken(self):
        with LocalServer({"/nowhere": answer(301)}) as server:
            outcome = check(server.url("/nowhere"))
        self.assertEqual(outcome.result, "broken")
        self.assertEqual(outcome.error, "A redirect without an address.")


@override_settings(LINK_CHECK_HOST_INTERVAL=0, LINK_CHECK_TIMEOUT=0.3)
class NoAnswerTests(TestCase):
    def test_a_server_slower_than_the_timeout_is_unreachable(self):
        with LocalServer({"/slow": slow(1.5, answer(200))}) as server:
            started = time.monotonic()
            outcome = check(server.url("/slow"))
            took = time.monotonic() - started
        self.assertEqual(outcome.result, "unreachable")
        self.assertIsNone(outcome.status_code)
        self.assertEqual(outcome.error, "No answer within 0.3 seconds.")
        self.assertLess(took, 1.2)
        self.assertEqual([r.method for r in server.requests], ["HEAD"])

    def test_a_refused_connection_is_unreachable(self):
        outcome = check(f"http://127.0.0.1:{free_port()}/")
        self.assertEqual(outcome.result, "unreachable")
        self.assertEqual(outcome.error, "The server refused the connection.")


class PolitenessTests(TestCase):
    @override_settings(
        LINK_CHECK_HOST_INTERVAL=0,
        SITE_URL="https://factsheets.example.gov",
        DEPARTMENT_NAME="Ministère des Affaires étrangères",
        LINK_CHECK_CONTACT="webmaster@example.gov",
    )
    def test_the_user_agent_names_the_site_its_publisher_and_a_contact(self):
        with LocalServer({"/": answer(200)}) as server:
            check(server.url("/"))
        self.assertEqual(
            server.requests[0].headers["User-Agent"],
            "FactSheetsLinkCheck/1.0 (+https://factsheets.example.gov; Ministere des "
            "Affaires etrangeres; webmaster@example.gov)",
        )

    @override_settings(LINK_CHECK_HOST_INTERVAL=0.6, LINK_CHECK_TIMEOUT=2)
    def test_one_host_is_asked_at_most_once_an_interval_by_every_checker(self):
        routes = {
            "/a": answer(200),
            "/b": answer(301, location="/c"),
            "/c": answer(200),
        }
        with LocalServer(routes) as server:
            check(server.url("/a"))
            # Another checker, as another worker would make: the host's turns are
            # kept in the database, so it waits as well.
            check(server.url("/b"))
        times = [r.at for r in server.requests]
        self.assertEqual(len(times), 3)
        gaps = [
            later - earlier for earlier, later in zip(times, times[1:], strict=False)
        ]
        # Turns are kept by the checker as it sends; a busy machine may deliver
        # one request late and the next on time, so allow a little on arrival.
        self.assertTrue(all(gap >= 0.45 for gap in gaps), gaps)
        self.assertGreaterEqual(times[-1] - times[0], 1.15)
