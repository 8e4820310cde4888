"""Django's file cache, counting its files now and then instead of at every write,
and watching one key without reading it.

Django's backend lists the whole cache folder at each write to see whether it is
full: with the pages of a whole catalogue stored (2,000 files) a write costs 8 ms,
and giving the tags of a changed list new versions (hundreds of small writes) took
seconds. This one counts at one write in CULL_EVERY per process, so the folder may
pass MAX_ENTRIES by that many writes per process before a cull (which drops a third
of the entries, as Django's does) brings it back."""

import os
import pickle
import time
import zlib

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 100


class FileCache(FileBasedCache):
    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._writes = 0
        # key -> (its file's path, the file read last, held open, that file's inode
        # and device, its value and expiry), for watched_get().
        self._watched = {}

    def _cull(self):
        self._writes += 1
        if self._writes % CULL_EVERY == 1:
            super()._cull()

    def watched_get(self, key):
        """get(), reading the file only when it is another file than the last read.

        Django writes a value to a new file and renames it over the old one
        (touch() aside, which is never used on a watched key), so the same file
        holds the same value. The last file read is held open, so its inode cannot
        be taken by a newer file: one stat() tells whether anything was written
        since. A key whose value changes seldom but is read at every page served
        (the page cache's token of the last change) costs a system call, not an
        open, a read and an unpickling."""
        held = self._watched.get(key)
        if held is not None:
            path, file, inode, value, expiry = held
            try:
                current = os.stat(path)
            except FileNotFoundError:
                current = None
            if current is not None and (current.st_ino, current.st_dev) == inode:
                return value if expiry is None or time.time() < expiry else None
            file.close()
            del self._watched[key]
        path = self._key_to_file(key)
        try:
            file = open(path, "rb")
        except FileNotFoundError:
            return None
        try:
            expiry = pickle.load(file)
            if expiry is not None and expiry < time.time():
                file.close()
                return None
            value = pickle.loads(zlib.decompress(file.read()))
        except Exception:
            file.close()
            raise
        kept = os.fstat(file.fileno())
        self._watched[key] = (path, file, (kept.st_ino, kept.st_dev), value, expiry)
        return value
