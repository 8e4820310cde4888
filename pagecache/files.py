"""Django's file cache, counting its files now and then instead of at every write.

Django's backend lists the whole cache folder at each write to see whether it is
full: with the pages of a whole catalogue stored (2,000 files) a write costs 8 ms,
and giving the tags of a changed list new versions (hundreds of small writes) took
seconds. This one counts at one write in CULL_EVERY per process, so the folder may
pass MAX_ENTRIES by that many writes per process before a cull (which drops a third
of the entries, as Django's does) brings it back."""

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 100


class FileCache(FileBasedCache):
    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._writes = 0

    def _cull(self):
        self._writes += 1
        if self._writes % CULL_EVERY == 1:
            super()._cull()
