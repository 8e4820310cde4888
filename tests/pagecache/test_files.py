"""The page cache in files (pagecache/files.py): bounded, without listing the folder
at every write."""

import tempfile
import time
from pathlib import Path
from unittest import mock

from django.core.cache.backends.filebased import FileBasedCache
from django.test import SimpleTestCase

from pagecache.files import CULL_EVERY, FileCache


class FileCacheTests(SimpleTestCase):
    def cache(self, max_entries):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        return FileCache(folder.name, {"OPTIONS": {"MAX_ENTRIES": max_entries}}), Path(
            folder.name
        )

    def test_the_folder_is_listed_once_in_a_hundred_writes(self):
        cache, _ = self.cache(1000)
        with mock.patch.object(
            FileBasedCache, "_list_cache_files", autospec=True, return_value=[]
        ) as listed:
            cache.set_many({f"tag:{n}": n for n in range(3 * CULL_EVERY)})
        self.assertEqual(listed.call_count, 3)

    def test_it_stays_within_its_entries_and_a_hundred_writes(self):
        # A cull drops a third of the entries: at least a hundred when it is full.
        entries = 3 * CULL_EVERY + 100
        cache, folder = self.cache(entries)
        for n in range(20 * CULL_EVERY):
            cache.set(f"page:{n}", b"x" * 100)
            self.assertLessEqual(
                len(list(folder.glob("*.djcache"))), entries + CULL_EVERY
            )
        self.assertEqual(cache.get(f"page:{20 * CULL_EVERY - 1}"), b"x" * 100)


class WatchedKeyTests(SimpleTestCase):
    """watched_get(): a key read at every page served, read again only when a write
    replaced its file."""

    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = folder.name
        self.reader = FileCache(self.folder, {})
        # Another process's cache on the same folder: it shares no memory.
        self.writer = FileCache(self.folder, {})

    def test_a_write_by_another_process_is_seen_at_the_next_read(self):
        self.writer.set("changed", "a", None)
        self.assertEqual(self.reader.watched_get("changed"), "a")
        for value in ("b", "c", "d"):
            self.writer.set("changed", value, None)
            self.assertEqual(self.reader.watched_get("changed"), value)

    def test_an_unchanged_file_is_not_read_again(self):
        self.writer.set("changed", "a", None)
        self.assertEqual(self.reader.watched_get("changed"), "a")
        # Rewritten in place, as Django's cache never writes a value: not seen,
        # which shows that only the file's identity was looked at.
        other = tempfile.TemporaryDirectory()
        self.addCleanup(other.cleanup)
        elsewhere = FileCache(other.name, {})
        elsewhere.set("changed", "z", None)
        content = Path(elsewhere._key_to_file("changed")).read_bytes()
        with open(self.writer._key_to_file("changed"), "r+b") as file:
            file.write(content)
        self.assertEqual(self.reader.watched_get("changed"), "a")
        self.assertEqual(self.reader.get("changed"), "z")

    def test_a_deleted_or_culled_key_is_missing(self):
        self.writer.set("changed", "a", None)
        self.assertEqual(self.reader.watched_get("changed"), "a")
        self.writer.delete("changed")
        self.assertIsNone(self.reader.watched_get("changed"))
        self.writer.set("changed", "b", None)
        self.assertEqual(self.reader.watched_get("changed"), "b")
        self.writer.clear()
        self.assertIsNone(self.reader.watched_get("changed"))

    def test_an_expired_value_is_missing(self):
        self.writer.set("changed", "a", 60)
        self.assertEqual(self.reader.watched_get("changed"), "a")
        with mock.patch("time.time", return_value=time.time() + 61):
            self.assertIsNone(self.reader.watched_get("changed"))
