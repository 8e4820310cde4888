"""Django's Redis cache, with one client per connection pool, and one key watched.

Django's backend builds a new `redis.Redis` for every call, and redis-py fills a
table of about 170 reply callbacks each time: a fifth of a millisecond, more than the
round trip itself, on every page served from the cache. A client shares its pool's
connections safely between threads, so one per pool is enough.

The token of the last change is asked at every page a process serves from those it
kept; a round trip through redis-py costs 75 to 150 µs of a worker, more than the
rest of such a hit. watched_get() keeps it in the process and lets Redis say when
it changes (KeyWatch)."""

import contextlib
import logging
import os
import select
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis._parsers import _RESP2Parser

try:
    from redis.maint_notifications import MaintNotificationsConfig
except ImportError:  # redis-py before 7 has no such handlers
    MaintNotificationsConfig = None

logger = logging.getLogger(__name__)


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def watched_get(self, key):
        """get(), asking Redis only after Redis said the key changed (KeyWatch)."""
        key = self.make_key(key)
        found = _watches.get(key)
        if found is None or found.pid != os.getpid():
            # The primary's: replicas are written by it, not by the writers.
            pool = self._cache._get_connection_pool(write=True)
            found = _watches[key] = KeyWatch(pool, key)
        return found.value(lambda: self._cache.get(key, None))


# One watch per key per process, whichever thread's cache object asks.
_watches = {}
# The listener pings Redis when it heard nothing for this long, and a value is
# trusted only while Redis was heard from within TRUSTED_FOR (a connection that
# died without a word).
HEARTBEAT = 1.0
TRUSTED_FOR = 3.0


class KeyWatch:
    """One key's value, kept in the process until Redis says the key changed.

    A thread holds a connection of its own with tracking on (CLIENT TRACKING,
    broadcast mode, for this key's exact name), subscribed to the invalidations
    Redis sends when the key is written, deleted, evicted or flushed. Each one,
    and each time the connection is lost or made, counts as a change; a value read
    is kept only if no change was counted while it was read.

    Redis writes a write's invalidation in the same pass of its event loop as its
    reply to the writer, and the page cache reads the token back once written
    (tags.completed()): by the time anything that follows from a change reaches
    this process (a reader sent by the editor's saved page), the invalidation is in
    the thread's socket. So a value is trusted only while that socket holds
    nothing unread and the thread is not reading, as well as no change counted. Until the thread listens, and whenever it has not heard
    from Redis for TRUSTED_FOR seconds, every call reads the key as get() does."""

    def __init__(self, pool, key):
        self.pool, self.key, self.pid = pool, key, os.getpid()
        self.changes = 0
        self.known = None  # (changes counted when it was read, value)
        self.listening = None  # [the thread's socket] while it listens
        self.reading = False
        self.heard = 0.0
        self.client_id = None
        threading.Thread(
            target=self.listen, name="pagecache key watch", daemon=True
        ).start()

    def value(self, read):
        known, changes, listening = self.known, self.changes, self.listening
        if (
            known is not None
            and known[0] == changes
            and listening is not None
            and not select.select(listening, (), (), 0)[0]
            # After the poll: the thread flags a read before it takes the bytes.
            and not self.reading
            and self.changes == changes
            and time.monotonic() - self.heard < TRUSTED_FOR
        ):
            return known[1]
        value = read()
        if listening is not None and self.listening and self.changes == changes:
            self.known = (changes, value)
        return value

    def changed(self):
        self.changes += 1
        self.known = None

    def listen(self):
        pause = 0.1
        while True:
            connection = None
            try:
                connection = self.pool.connection_class(
                    **{**self.pool.connection_kwargs, **LISTENER}
                )
                self.follow(connection)
            except Exception:
                if self.heard:
                    pause = 0.1  # it listened: a new loss
                logger.warning(
                    "Lost Redis's word on %s; reading it each time.", self.key
                )
            finally:
                self.listening = None
                self.changed()
                self.reading = False
                self.heard = 0.0
                if connection is not None:
                    with contextlib.suppress(Exception):  # the thread must go on
                        connection.disconnect()
            time.sleep(pause)
            pause = min(pause * 2, 10.0)

    def follow(self, connection):
        connection.connect()
        connection.send_command("CLIENT", "ID")
        own_id = self.client_id = connection.read_response()
        connection.send_command(
            "CLIENT", "TRACKING", "ON", "REDIRECT", own_id, "BCAST", "PREFIX", self.key
        )
        connection.read_response()
        connection.send_command("SUBSCRIBE", INVALIDATIONS)
        connection.read_response()
        # From here on the socket is read directly, not through redis-py's buffer,
        # so that bytes not yet taken are always in the socket, where value() looks.
        # Whatever arrives but the answer to a ping alone counts as a change.
        sock = connection._sock
        listening = select.poll()
        listening.register(sock.fileno(), select.POLLIN)
        self.heard = time.monotonic()
        self.changed()
        self.listening = [sock]
        pinged = False
        while True:
            if not listening.poll(HEARTBEAT * 1000):
                if pinged:
                    raise TimeoutError("Redis did not answer a ping.")
                connection.send_command("PING")
                pinged = True
                continue
            self.reading = True
            data = sock.recv(65536)
            if not data:
                raise ConnectionError("Redis closed the connection.")
            if data != PONG:
                self.changed()
            self.heard = time.monotonic()
            self.reading = False
            pinged = False


INVALIDATIONS = "__redis__:invalidate"
PONG = b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"
# Invalidations as Pub/Sub messages (RESP2), with none of redis-py's own handlers of
# pushed messages, which need RESP3.
LISTENER = {"protocol": 2, "parser_class": _RESP2Parser}
if MaintNotificationsConfig is not None:
    LISTENER["maint_notifications_config"] = MaintNotificationsConfig(enabled=False)
