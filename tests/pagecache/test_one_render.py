"""One render of a stale page at a time, across readers: those who ask while another
renders it serve its copy, as a busy site's processes all ask for the page a change
made stale within milliseconds. Real threads, each with its own connection, on
committed rows."""

import threading
import time
from unittest import mock

from django.db import connection
from django.test import Client, TransactionTestCase
from django.test.signals import template_rendered

from pagecache import storage
from tests.helpers.factories import make_full_factsheet

READERS = 4


class OneRenderTests(TransactionTestCase):
    def setUp(self):
        self.sheet = make_full_factsheet(children=12)
        self.url = self.sheet.get_absolute_url()
        self.assertEqual(Client().get(self.url).status_code, 200)  # stored
        section = self.sheet.sections.first()
        section.body = "<p>Changed, so the stored page is stale.</p>"
        section.save()

    def read_together(self):
        """What READERS readers, asking at the same moment, were served, and how
        many times the sheet's page was rendered meanwhile."""
        renders, lock = [], threading.Lock()

        def counted(sender, template, **kwargs):
            if template.name == "factsheets/factsheet_detail.html":
                with lock:
                    renders.append(template.name)

        start = threading.Barrier(READERS)
        served = [None] * READERS

        def read(n):
            try:
                start.wait()
                served[n] = Client().get(self.url)
            finally:
                connection.close()

        template_rendered.connect(counted)
        # However slow this machine's render, the others wait for it.
        with mock.patch.object(storage, "WAIT_SECONDS", 30):
            readers = [threading.Thread(target=read, args=(n,)) for n in range(READERS)]
            for reader in readers:
                reader.start()
            for reader in readers:
                reader.join()
        template_rendered.disconnect(counted)
        return served, len(renders)

    def test_readers_asking_at_once_render_the_stale_page_once(self):
        served, renders = self.read_together()
        self.assertEqual(renders, 1)
        self.assertEqual({response.status_code for response in served}, {200})
        self.assertEqual(len({response.content for response in served}), 1)
        self.assertContains(served[0], "Changed, so the stored page is stale.")

    def test_a_claim_let_go_without_a_page_leaves_the_page_to_the_reader(self):
        """The process that claimed the page stored none (it failed, or a change came
        while it rendered): a reader waiting on it renders the page itself."""
        key = storage.stored_key(Client().get(self.url).wsgi_request)
        section = self.sheet.sections.first()
        section.body = "<p>Changed again.</p>"
        section.save()
        self.assertTrue(storage.claim(key))
        threading.Timer(0.2, storage.let_go, args=(key,)).start()
        began = time.monotonic()
        with mock.patch.object(storage, "WAIT_SECONDS", 30):
            response = Client().get(self.url)
        waited = time.monotonic() - began
        self.assertContains(response, "Changed again.")
        # It waited while the page was claimed, and no longer than that.
        self.assertGreaterEqual(waited, 0.2)
        self.assertLess(waited, 10)
        self.assertTrue(storage.claim(key), "no claim is left behind")
