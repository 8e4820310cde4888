"""The page cache in Redis (pagecache/redis.py): a key watched rather than read at
every page served."""

import secrets
import time

import redis
from django.test import SimpleTestCase

from pagecache import redis as page_redis
from tests.helpers.tools import missing

# A database no other test flushes (a flush anywhere on the server still counts as a
# change to every watch: tracking follows key names, not databases).
URL = "redis://127.0.0.1:6379/14"


def eventually(check, seconds=5):
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"Not so after {seconds} s: {check.__doc__}")
        time.sleep(0.01)


class KeyWatchTests(SimpleTestCase):
    def setUp(self):
        # A prefix of its own: tracking follows key names in every database.
        params = {"KEY_PREFIX": secrets.token_hex(6)}
        self.reader = page_redis.ReusedClientRedisCache(URL, params)
        try:
            self.reader.get("probe")
        except redis.RedisError as error:
            missing(f"Redis is not reachable on 127.0.0.1:6379 ({error})")
        # Another process's cache: its writes reach the reader only through Redis.
        self.writer = page_redis.ReusedClientRedisCache(URL, params)
        self.addCleanup(self.writer.delete, "changed")
        self.raw = redis.Redis.from_url(URL)
        self.addCleanup(self.raw.close)
        self.write("a")
        self.assertEqual(self.reader.watched_get("changed"), "a")
        self.watch = page_redis._watches[self.reader.make_key("changed")]
        eventually(self.is_listening)

    def is_listening(self):
        """The watch listens."""
        return self.watch.listening is not None

    def write(self, value):
        # As pagecache.tags.completed() writes the token of the last change.
        self.writer.set("changed", value, None)
        self.writer.get("changed")

    def watched_reads(self, calls):
        """What `calls` watched gets return, and how many of them read Redis."""
        reads = []

        def read():
            reads.append(1)
            return self.reader._cache.get(self.reader.make_key("changed"), None)

        values = {self.watch.value(read) for _ in range(calls)}
        return values, len(reads)

    def test_each_write_elsewhere_is_seen_by_the_next_read(self):
        for n in range(200):
            self.write(f"token {n}")
            self.assertEqual(self.reader.watched_get("changed"), f"token {n}")
            self.assertEqual(self.reader.watched_get("changed"), f"token {n}")
        self.writer.delete("changed")
        self.assertIsNone(self.reader.watched_get("changed"))

    def test_an_unchanged_key_is_not_read_again(self):
        self.write("quiet")
        self.assertEqual(self.watched_reads(1), ({"quiet"}, 1))
        # Not even after quiet seconds, when the watch pings Redis.
        time.sleep(2.2)
        values, reads = self.watched_reads(100)
        self.assertEqual(values, {"quiet"})
        # One read at most, if a test elsewhere flushed a database meanwhile.
        self.assertLessEqual(reads, 1)
        self.write("loud")
        self.assertEqual(self.watched_reads(3)[0], {"loud"})

    def test_a_lost_connection_is_read_through_then_watched_again(self):
        lost = self.watch.client_id
        self.raw.client_kill_filter(_id=lost)
        self.write("while it was lost")
        self.assertEqual(self.reader.watched_get("changed"), "while it was lost")
        eventually(
            lambda: self.is_listening() and self.watch.client_id != lost, seconds=15
        )
        self.write("after")
        self.assertEqual(self.reader.watched_get("changed"), "after")
        # Kept again: a read, then no change counted since.
        eventually(
            lambda: (
                self.reader.watched_get("changed") == "after"
                and self.watch.known == (self.watch.changes, "after")
            )
        )
