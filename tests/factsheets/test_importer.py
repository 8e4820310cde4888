"""The importer, through its command: the seed, the written variants, and its rules."""

import datetime
import io
import json
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.utils.html import strip_tags

from factsheets.models import (
    AssistanceLine,
    FactSheet,
    ImportRecord,
    Official,
    RelatedLink,
    Section,
)
from tests.helpers.html_forms import FormFields, form_errors
from tests.helpers.seed import SEED, TextOf, assert_every_content_sentence_in

DATA = Path(__file__).parent.parent / "data" / "import"
FIXTURE = Path(__file__).parents[2] / "fixtures" / "mali-2015.json"


class LinksOf(HTMLParser):
    """The (text, href) of each link in a piece of HTML."""

    def __init__(self):
        super().__init__()
        self.links, self.href = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.href = dict(attrs).get("href")
            self.links.append(["", self.href])

    def handle_endtag(self, tag):
        if tag == "a":
            self.href = None

    def handle_data(self, data):
        if self.href is not None:
            self.links[-1][0] += data

    @classmethod
    def of(cls, html):
        parser = cls()
        parser.feed(html)
        return [
            (re.sub(r"\s+", " ", text).strip(), href) for text, href in parser.links
        ]


def run(*args):
    """The command's output, and its error if it failed."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_factsheet", *map(str, args), stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), f"{err.getvalue()}{error}"
    return out.getvalue(), ""


def dry_run(path):
    out, err = run(path, "--dry-run", "--json")
    if err:
        raise AssertionError(err)
    return json.loads(out)


class ImporterTestCase(TestCase):
    fixtures = ["bureaus", "countries"]

    def assertNothingWritten(self):
        for model in (FactSheet, Section, AssistanceLine, Official, RelatedLink):
            self.assertFalse(model.objects.exists(), model.__name__)
        self.assertFalse(ImportRecord.objects.exists())


class SeedImportTests(ImporterTestCase):
    def test_the_seed_becomes_a_draft_carrying_every_sentence_of_it(self):
        out, err = run(SEED)
        self.assertEqual(err, "")
        self.assertIn("created the draft “U.S. Relations With Mali (2015-10-15)”", out)
        sheet = FactSheet.objects.get()
        self.assertEqual(sheet.status, FactSheet.Status.DRAFT)
        self.assertEqual(self.client.get("/fact-sheets/mali/").status_code, 404)
        self.client.force_login(User.objects.create_superuser("e", "e@x.gov", "pw"))
        page = self.client.get(sheet.get_preview_url()).content.decode()
        assert_every_content_sentence_in(self, TextOf.of(page))

    def test_a_file_with_a_nul_character_is_refused_and_nothing_written(self):
        path = Path(self.enterContext(tempfile.TemporaryDirectory())) / "nul.txt"
        path.write_text(SEED.read_text(encoding="utf-8").replace("Mali", "Ma\x00li", 1))
        out, err = run(path)
        self.assertIn("nul.txt: nothing imported: it is not a text or HTML file", err)
        self.assertNothingWritten()

    def test_the_draft_has_the_structure_of_the_shipped_fixture(self):
        run(SEED)
        sheet = FactSheet.objects.for_display().get()
        rows = json.loads(FIXTURE.read_text(encoding="utf-8"))

        def fixture(model, *fields):
            return [
                tuple(row["fields"][f] for f in fields)
                for row in rows
                if row["model"] == f"factsheets.{model}"
            ]

        self.assertEqual(
            [(s.heading,) for s in sheet.sections.all()], fixture("section", "heading")
        )
        self.assertEqual(
            [
                (str(a.amount_usd), a.qualifier, a.period, a.year, a.year_end, a.kind)
                for a in sheet.assistance_lines.all()
            ],
            fixture(
                "assistanceline",
                "amount_usd",
                "qualifier",
                "period",
                "year",
                "year_end",
                "kind",
            ),
        )
        self.assertEqual(
            [(o.role, o.name) for o in sheet.officials.all()],
            fixture("official", "role", "name"),
        )
        self.assertEqual(
            [(link.title,) for link in sheet.related_links.all()],
            fixture("relatedlink", "title"),
        )
        (header,) = fixture("factsheet", "title", "kind", "issued_on", "lead")
        self.assertEqual(
            (sheet.title, sheet.kind, sheet.issued_on.isoformat(), sheet.lead), header
        )
        self.assertEqual(sheet.bureau.slug, "african-affairs")
        self.assertEqual(sheet.assistance_lines.get(year=2016).agency, "USAID")

    def test_the_dry_run_prints_the_documented_json_and_writes_nothing(self):
        data = dry_run(SEED)
        self.assertNothingWritten()
        self.assertEqual(
            list(data),
            [
                "country",
                "bureau",
                "title",
                "kind",
                "issued_on",
                "notice",
                "lead",
                "sections",
                "assistance_lines",
                "officials",
                "related_links",
                "warnings",
            ],
        )
        self.assertEqual(
            (data["country"], data["bureau"], data["issued_on"], data["kind"]),
            ("Mali", "Bureau of African Affairs", "2015-10-15", "Fact Sheet"),
        )
        self.assertEqual(
            data["assistance_lines"][0],
            {
                "amount_usd": "135400000.00",
                "qualifier": "more than",
                "year": 2014,
                "year_end": None,
                "period": "fiscal",
                "kind": "actual",
                "agency": "",
                "note": "Foreign assistance",
            },
        )
        self.assertEqual(
            data["related_links"][0],
            {"title": "Department of State Mali Page", "url": None},
        )
        self.assertIn(
            "16 of 16 related links have no address in the source; add them before "
            "publishing.",
            data["warnings"],
        )
        self.assertEqual(data["sections"][4]["heading"], "Bilateral Representation")
        self.assertIn("2130 R Street NW", data["sections"][4]["body"])


class ReimportTests(ImporterTestCase):
    def test_importing_the_same_source_again_updates_its_draft(self):
        run(SEED)
        first = FactSheet.objects.get()
        out, err = run(SEED)
        self.assertEqual(err, "")
        self.assertIn("updated the draft", out)
        self.assertEqual(FactSheet.objects.get().pk, first.pk)
        self.assertEqual(Section.objects.count(), 5)
        self.assertEqual(AssistanceLine.objects.count(), 3)
        self.assertEqual(ImportRecord.objects.count(), 2)

    def test_another_edition_under_the_same_file_name_is_a_draft_of_its_own(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        path = folder / "mali.txt"
        path.write_bytes(SEED.read_bytes())
        run(path)
        path.write_text(
            SEED.read_text(encoding="utf-8").replace(
                "October 15, 2015", "March 2, 2017"
            ),
            encoding="utf-8",
        )
        out, err = run(path)
        self.assertEqual(err, "")
        self.assertEqual(
            sorted(FactSheet.objects.values_list("issued_on", flat=True)),
            [datetime.date(2015, 10, 15), datetime.date(2017, 3, 2)],
        )

    def test_a_draft_edited_after_its_import_is_not_overwritten(self):
        run(SEED)
        sheet = FactSheet.objects.get()
        sheet.lead = "An editor's better lead."
        sheet.save()
        out, err = run(SEED)
        self.assertIn("was edited after it was imported", err)
        self.assertIn("Nothing was written", err)
        sheet.refresh_from_db()
        self.assertEqual(sheet.lead, "An editor's better lead.")
        self.assertEqual(ImportRecord.objects.count(), 1)
        out, err = run(SEED, "--replace-edits")
        self.assertEqual(err, "")
        sheet.refresh_from_db()
        self.assertTrue(sheet.lead.startswith("More information about Mali"))

    def test_a_published_sheet_is_never_changed_by_an_import(self):
        call_command("loaddata", "mali-2015", verbosity=0)
        before = FactSheet.objects.get().updated_at
        out, err = run(SEED, "--replace-edits")
        self.assertIn("is already published; an import never changes a published", err)
        self.assertEqual(FactSheet.objects.get().updated_at, before)
        self.assertFalse(ImportRecord.objects.exists())

    def test_a_sheet_typed_by_an_editor_is_not_overwritten(self):
        call_command("loaddata", "mali-2015", verbosity=0)
        FactSheet.objects.update(status=FactSheet.Status.DRAFT)
        out, err = run(SEED)
        self.assertIn("not by an import", err)
        self.assertEqual(Section.objects.count(), 5)


class BadInputTests(ImporterTestCase):
    def setUp(self):
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))

    def write(self, name, data):
        path = self.folder / name
        path.write_bytes(data)
        return path

    def test_a_file_it_cannot_read_gets_a_clear_error_and_writes_nothing(self):
        cases = {
            "empty.txt": (b"  \n", "it is empty."),
            "page.pdf": (b"%PDF-1.4 binary", "it is a PDF"),
            "image.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a text or HTML file"),
            "notes.txt": (b"Shopping list\nMilk\nBread\n", "no fact sheet was found"),
        }
        for name, (data, message) in cases.items():
            with self.subTest(name=name):
                out, err = run(self.write(name, data))
                self.assertIn(f"{name}: nothing imported: ", err)
                self.assertIn(message, err)
                self.assertIn("1 of 1 file could not be imported", err)
                self.assertNothingWritten()
        out, err = run(DATA / "missing.txt")
        self.assertIn("cannot open it", err)

    def test_each_file_is_its_own_transaction(self):
        bad = self.write(
            "atlantis.txt", SEED.read_bytes().replace(b"Mali", b"Atlantis")
        )
        out, err = run(bad, SEED)
        self.assertIn("its country is not known (“Atlantis”)", err)
        self.assertIn("1 of 2 files could not be imported", err)
        self.assertEqual(FactSheet.objects.get().country.slug, "mali")

    def test_an_unknown_country_is_named_not_invented(self):
        bad = self.write(
            "atlantis.txt", SEED.read_bytes().replace(b"Mali", b"Atlantis")
        )
        data = dry_run(bad)
        self.assertIsNone(data["country"])
        self.assertIn(
            "No country matches “Atlantis” (from the title). Add the country, or this "
            "name under its other names, and import again.",
            data["warnings"],
        )
        self.assertNothingWritten()

    def test_only_a_note_to_readers_is_a_notice(self):
        seed = SEED.read_text(encoding="utf-8")
        wrapped = seed.replace(
            "October 15, 2015\n",
            "October 15, 2015\n\nFederal Information & News Dispatch, reposted in full "
            "today\n\nNote to our readers: this fact sheet is no longer updated.\n",
        )
        data = dry_run(self.write("wrapped.txt", wrapped.encode()))
        self.assertEqual(
            TextOf.of(data["notice"]),
            "Note to our readers: this fact sheet is no longer updated.",
        )
        self.assertIn(
            "Left out a line before the lead: “Federal Information & News Dispatch, "
            "reposted in full today”",
            data["warnings"],
        )

    def test_the_country_may_go_by_another_name(self):
        data = SEED.read_bytes().replace(b"Mali", b"Swaziland")
        self.assertEqual(dry_run(self.write("old.txt", data))["country"], "Eswatini")


class AdminImportTests(ImporterTestCase):
    url = "/admin/factsheets/factsheet/import/"

    def setUp(self):
        self.editor = User.objects.create_superuser("editor", "e@x.gov", "pw")
        self.client.force_login(self.editor)

    def upload(self, data=None, name="mali.txt", **fields):
        if data is not None:
            fields["file"] = SimpleUploadedFile(name, data)
        return self.client.post(self.url, fields)

    def test_the_changelist_offers_the_import(self):
        response = self.client.get("/admin/factsheets/factsheet/")
        self.assertContains(response, f'<a href="{self.url}">Import an old sheet</a>')
        self.assertContains(self.client.get(self.url), "Import as a draft")

    def report_url(self):
        return f"{self.url}{ImportRecord.objects.latest().pk}/"

    def change_url(self):
        return f"/admin/factsheets/factsheet/{FactSheet.objects.get().pk}/change/"

    def test_an_uploaded_capture_becomes_a_draft_shown_with_what_to_check(self):
        response = self.upload(SEED.read_bytes())
        sheet = FactSheet.objects.get()
        # First the report of what was found (test_import_report.py), then the draft.
        self.assertRedirects(response, self.report_url(), fetch_redirect_response=False)
        self.assertEqual(sheet.status, FactSheet.Status.DRAFT)
        self.assertEqual(sheet.imports.get().imported_by, self.editor)
        page = self.client.get(response["Location"])
        self.assertContains(page, "Created the draft “U.S. Relations With Mali")
        self.assertContains(page, "It is not published.")
        self.assertContains(
            page, "<li>16 of 16 related links have no address in the source"
        )
        self.assertContains(page, f'href="{self.change_url()}">Open the draft</a>')
        # The report stays on the sheet's page too.
        again = self.client.get(self.change_url())
        self.assertContains(again, "From mali.txt on")
        self.assertContains(again, "Still to check:")

    def test_the_draft_says_who_imported_it_as_last_saved_by(self):
        self.upload(SEED.read_bytes())
        self.assertEqual(FactSheet.objects.get().updated_by, self.editor)
        page = self.client.get(self.change_url()).content.decode()
        shown = re.search(
            r'fieldBox field-updated_by.*?<div class="readonly">(.*?)</div>', page, re.S
        )
        self.assertEqual(strip_tags(shown[1]).strip(), "editor")

    def test_pasted_text_works_too_and_importing_it_again_updates_the_draft(self):
        text = SEED.read_text(encoding="utf-8")
        self.client.post(self.url, {"text": text})
        response = self.client.post(self.url, {"text": text})
        sheet = FactSheet.objects.get()
        self.assertRedirects(response, self.report_url(), fetch_redirect_response=False)
        self.assertContains(self.client.get(response["Location"]), "Updated the draft")
        self.assertEqual(sheet.imports.count(), 2)

    def test_bad_input_gets_a_clear_message_and_writes_nothing(self):
        cases = [
            ({}, "Upload a file or paste the text: one of the two."),
            (
                {"text": "x", "file": SimpleUploadedFile("a.txt", b"y")},
                "Upload a file or paste the text: one of the two.",
            ),
            ({"file": SimpleUploadedFile("a.pdf", b"%PDF-1.7")}, "it is a PDF"),
            ({"text": "Dear diary"}, "no fact sheet was found in it"),
            (
                {"text": SEED.read_text(encoding="utf-8").replace("Mali", "Atlantis")},
                "its country is not known (“Atlantis”)",
            ),
        ]
        for fields, message in cases:
            with self.subTest(message=message):
                response = self.client.post(self.url, fields)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
                self.assertNothingWritten()

    def test_a_page_declaring_an_unknown_charset_is_read_as_browsers_read_it(self):
        page = (DATA / "drc-2017-old-site.html").read_bytes()
        page = re.sub(rb"<meta[^>]*charset[^>]*>", b"", page, flags=re.I)
        page = page.replace(b"<head>", b'<head><meta charset="undefined">', 1)
        response = self.upload(page, name="drc.html")
        sheet = FactSheet.objects.get()
        self.assertRedirects(response, self.report_url(), fetch_redirect_response=False)
        self.assertEqual(sheet.country.name, "Democratic Republic of the Congo")

    def test_an_edited_draft_is_kept_unless_the_editor_asks_to_replace_it(self):
        self.upload(SEED.read_bytes())
        FactSheet.objects.update(lead="Edited.")
        sheet = FactSheet.objects.get()
        sheet.save()  # as the admin does, which marks it edited
        response = self.upload(SEED.read_bytes())
        self.assertContains(response, "was edited after it was imported")
        self.assertEqual(FactSheet.objects.get().lead, "Edited.")
        self.upload(SEED.read_bytes(), replace_edits="on")
        self.assertTrue(FactSheet.objects.get().lead.startswith("More information"))

    def test_the_import_needs_the_right_to_add_and_change_sheets(self):
        clerk = User.objects.create_user("clerk", password="pw", is_staff=True)
        self.client.force_login(clerk)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.upload(SEED.read_bytes()).status_code, 403)
        self.assertNothingWritten()


class VariantTests(ImporterTestCase):
    """The variants written for these tests (tests/data/import/README.md), each against
    what an editor reading it would expect."""

    def check(self, expected, data):
        plain = {
            key: expected[key]
            for key in ("country", "bureau", "title", "kind", "issued_on", "lead")
            if key in expected
        }
        self.assertEqual({key: data[key] for key in plain}, plain)
        if "notice_contains" in expected:
            notice = TextOf.of(data["notice"])
            if not expected["notice_contains"]:
                self.assertEqual(data["notice"], "")
            for text in expected["notice_contains"]:
                self.assertIn(text, notice)
        sections = {s["heading"]: TextOf.of(s["body"]) for s in data["sections"]}
        links = {s["heading"]: LinksOf.of(s["body"]) for s in data["sections"]}
        if "section_headings" in expected:
            self.assertEqual(
                [s["heading"] for s in data["sections"]], expected["section_headings"]
            )
        for heading, texts in expected.get("section_sentences", {}).items():
            for text in texts:
                self.assertIn(text, sections.get(heading, ""), heading)
        for heading, expected_links in expected.get("section_links", {}).items():
            for text, href in expected_links:
                self.assertIn((text, href), links.get(heading, []), heading)
        for text in expected.get("body_absent", []):
            self.assertNotIn(text, " ".join(sections.values()))
        if "assistance_lines" in expected:
            fields = ["amount_usd", "qualifier", "year", "year_end", "period", "kind"]
            self.assertEqual(
                [{f: line[f] for f in fields} for line in data["assistance_lines"]],
                [{f: line[f] for f in fields} for line in expected["assistance_lines"]],
            )
        for key in ("officials", "related_links"):
            if key in expected:
                self.assertEqual(data[key], expected[key])
        everything = json.dumps(
            {k: v for k, v in data.items() if k != "warnings"}, ensure_ascii=False
        )
        everything = TextOf.of(everything)
        for text in expected.get("absent", []):
            self.assertNotIn(text, everything)

    def test_every_variant_reads_as_expected(self):
        checked = 0
        for path in sorted(DATA.glob("*.expected.json")):
            expected = json.loads(path.read_text(encoding="utf-8"))
            source = DATA / expected["source"]
            with self.subTest(variant=source.name):
                self.check(expected, dry_run(source))
            checked += 1
        self.assertGreaterEqual(checked, 50)
        self.assertNothingWritten()


HEADER = (
    "U.S. Relations With Mali\n\nBureau of African Affairs\nFact Sheet\n"
    "October 15, 2015\n\nMore information about Mali is available on the Mali page "
    "and from other Department of State publications and other sources listed at the "
    "end of this fact sheet.\n\n"
)
SENTENCE = "The United States provided support to the people of Mali in many ways. "


class LimitTests(ImporterTestCase):
    """Sources far beyond any sheet: each import takes one pass over the source and
    writes a draft the admin can save as it stands, with a report of what was left
    out to make it fit; or nothing, with a message."""

    url = "/admin/factsheets/factsheet/import/"

    def setUp(self):
        self.client.force_login(User.objects.create_superuser("e", "e@x.gov", "pw"))

    def import_and_save_unchanged(self, text):
        """Imports `text` in the admin, then sends its draft's change form back as
        a browser would; returns the draft and the report the import led to."""
        response = self.client.post(
            self.url, {"file": SimpleUploadedFile("big.txt", text.encode())}
        )
        sheet = FactSheet.objects.get()
        change = f"/admin/factsheets/factsheet/{sheet.pk}/change/"
        report = f"{self.url}{sheet.imports.get().pk}/"
        self.assertRedirects(response, report, fetch_redirect_response=False)
        page = self.client.get(report).content.decode()
        fields = FormFields.of(
            self.client.get(change).content.decode(), "factsheet_form"
        )
        rows = [
            list(sheet.sections.values_list("heading", "body")),
            list(sheet.related_links.values_list("title", "url")),
        ]
        saved = self.client.post(
            change, urlencode(fields), content_type="application/x-www-form-urlencoded"
        )
        self.assertEqual(saved.status_code, 302, form_errors(saved.content.decode()))
        self.assertEqual(
            [
                list(sheet.sections.values_list("heading", "body")),
                list(sheet.related_links.values_list("title", "url")),
            ],
            rows,
        )
        return sheet, page

    def report(self, sheet):
        return sheet.imports.get().report["warnings"]

    def test_five_thousand_headings_become_the_hundred_sections_a_sheet_may_have(self):
        text = HEADER + "".join(f"BILATERAL HEADING {n}\n" for n in range(5000))
        sheet, page = self.import_and_save_unchanged(text + "The end of the sheet.\n")
        self.assertEqual(sheet.sections.count(), 100)
        self.assertEqual(sheet.sections.last().heading, "BILATERAL HEADING 99")
        message = (
            "The source has 5,000 sections, more than the 100 a sheet may have: the "
            "last 4,900, from “BILATERAL HEADING 100” on, were left out."
        )
        self.assertEqual(self.report(sheet)[0], message)
        self.assertIn(f"<li>{message}</li>", page)
        # One line says how many more there are, rather than a page of them.
        self.assertEqual(len(self.report(sheet)), 60)
        self.assertEqual(
            self.report(sheet)[-1], "And 142 more of the kinds above, not listed here."
        )

    def test_a_million_short_lines_are_read_up_to_twenty_thousand(self):
        text = HEADER + "x\n" * 1_000_000
        sheet, page = self.import_and_save_unchanged(text)
        rest = len(text.split("\n", 20_000)[-1])
        self.assertEqual(
            self.report(sheet)[0],
            "The source is longer than any sheet: only its first 20,000 lines were "
            f"read. The rest, {rest:,} characters from “x x x x x x x x x x x x x x x "
            "x x x x x x x x x x x x x x x…”, was left out.",
        )
        self.assertLessEqual(len(sheet.sections.get().body), 100_000)

    def test_sixty_thousand_sentences_are_cut_after_the_last_that_fits(self):
        sheet, page = self.import_and_save_unchanged(HEADER + SENTENCE * 60_000)
        body = sheet.sections.get().body
        self.assertLessEqual(len(body), 100_000)
        self.assertTrue(body.endswith("in many ways.</p>"))
        kept = body.count("The United States")
        self.assertEqual(
            self.report(sheet)[0],
            "The opening section is longer than the 100,000 characters the admin "
            "allows: it now ends at “…States provided support to the people of Mali "
            f"in many ways.”. The rest of it, {(60_000 - kept) * len(SENTENCE) - 1:,} "
            "characters from “The United States provided support to the people of "
            "Mali in…”, was left out.",
        )

    def test_long_sections_stop_at_what_a_whole_sheet_may_hold(self):
        paragraph = (SENTENCE * 1000).strip() + "\n\n"  # 71,000 characters
        text = HEADER + "".join(f"HEADING {n}\n\n{paragraph}" for n in range(6))
        sheet, page = self.import_and_save_unchanged(text)
        self.assertEqual(
            [s.heading for s in sheet.sections.all()],
            ["HEADING 0", "HEADING 1", "HEADING 2", "HEADING 3"],
        )
        report = self.report(sheet)
        self.assertTrue(
            report[0].startswith(
                "The section “HEADING 3” does not fit in what a sheet may hold (250,000 "
                "characters in all): it now ends at “…"
            ),
            report[0],
        )
        self.assertEqual(
            report[1],
            "The sections hold more text than a sheet may (250,000 characters in all): "
            "the last 2, from “HEADING 4” on, were left out.",
        )

    def test_related_links_stop_at_the_hundred_a_sheet_may_have(self):
        text = (
            HEADER
            + "HISTORY\n\nOne.\n\nMore information about Mali is available from the "
            "Department of State and other sources, some of which are listed here:\n\n"
            + "".join(f"Link {n} [https://example.org/{n}]\n" for n in range(150))
        )
        sheet, page = self.import_and_save_unchanged(text)
        self.assertEqual(sheet.related_links.count(), 100)
        self.assertIn(
            "The source has 150 related links, more than the 100 a sheet may have: "
            "the last 50 were left out.",
            self.report(sheet),
        )

    def test_a_heading_there_twice_is_numbered_so_the_admin_takes_it(self):
        text = HEADER + "HISTORY\n\nOne.\n\nHISTORY\n\nTwo.\n"
        sheet, page = self.import_and_save_unchanged(text)
        self.assertEqual(
            [s.heading for s in sheet.sections.all()], ["HISTORY", "HISTORY (2)"]
        )
        self.assertIn(
            "The heading “HISTORY” is there more than once; this one is now "
            "“HISTORY (2)”.",
            self.report(sheet),
        )

    @override_settings(IMPORT_MAX_BYTES=2 * 1024 * 1024)
    def test_the_form_names_the_largest_file_the_setting_allows(self):
        self.assertContains(self.client.get(self.url), "at most 2 MB.")
        response = self.client.post(
            self.url,
            {"file": SimpleUploadedFile("big.txt", b"x" * (2 * 1024 * 1024 + 1))},
        )
        self.assertContains(response, "the file is larger than 2 MB, which no fact")
        self.assertNothingWritten()

    def test_a_file_over_five_megabytes_is_refused_with_a_message(self):
        # Past the largest file, within what the request size lets through for the
        # rest of the form (operations/middleware.py).
        data = (HEADER + SENTENCE * 80_000).encode()[: 5 * 1024 * 1024 + 1000]
        response = self.client.post(
            self.url, {"file": SimpleUploadedFile("big.txt", data)}
        )
        self.assertContains(
            response,
            "Nothing was imported: the file is larger than 5 MB, which no fact sheet "
            "is. Is it the right file?",
        )
        path = Path(self.enterContext(tempfile.TemporaryDirectory())) / "big.txt"
        path.write_bytes(data)
        out, err = run(path)
        self.assertIn(
            "big.txt: nothing imported: it is larger than 5 MB, which no fact sheet "
            "is. Is it the right file?",
            err,
        )
        self.assertNothingWritten()
