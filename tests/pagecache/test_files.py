"""The page cache in files (pagecache/files.py): bounded, without listing the folder
at every write."""

import tempfile
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
