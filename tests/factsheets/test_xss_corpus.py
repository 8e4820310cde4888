"""Known XSS payloads, saved through the real admin into every text field of every
model the site shows, run nothing anywhere.

The payloads go in batches: each batch is one bureau, one country and one sheet with
a row per payload in each kind of row, published, changed in place with a change
note, and given a newer edition. Fields too short for a whole batch take the
payloads that fit. Every page is then parsed, as a browser would read it, for
scripts, event handlers and dangerous addresses; feeds, the sitemap and JSON are
parsed as what they are, and the HTML they carry is checked the same way.
"""

import json
import re
from html.parser import HTMLParser
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, TestCase
from django.urls import reverse

from factsheets import revisions
from factsheets.models import (
    Bureau,
    Country,
    FactSheet,
    LegacyAddress,
    PreviewLink,
    RelatedLink,
)
from tests.helpers.admin_forms import change_data, change_url, sheet_form_data

PAYLOADS = [
    # Script elements, in every disguise.
    "<script>alert(1)</script>",
    "<ScRiPt>alert(2)</sCrIpT>",
    "<script src=//evil.example/x.js></script>",
    "<scr<script>ipt>alert(3)</scr</script>ipt>",
    "<script\x0c>alert(4)</script>",
    "<!--<script>alert(5)//-->",
    "<![CDATA[<script>alert(6)</script>]]>",
    "]]><script>alert(7)</script>",
    "</script><script>alert(8)</script>",
    "<xss onafterscriptexecute=alert(9)><script>1</script>",
    # Event handlers.
    "<img src=x onerror=alert(10)>",
    '<img src="x" onerror="&#97;lert(11)">',
    "<img src=x:alert(alt) onerror=eval(src) alt=12>",
    "<svg onload=alert(13)>",
    "<svg/onload=alert(14)>",
    "<body onload=alert(15)>",
    "<input autofocus onfocus=alert(16)>",
    "<details open ontoggle=alert(17)>",
    "<video><source onerror=alert(18)></video>",
    "<marquee onstart=alert(19)>x</marquee>",
    "<p onclick=alert(20)>click</p>",
    '<a href="#" onmouseover="alert(21)">x</a>',
    "<svg><animate onbegin=alert(22) attributeName=x dur=1s>",
    "<isindex type=image src=1 onerror=alert(23)>",
    # Dangerous addresses: case, whitespace, entities and encodings.
    '<a href="javascript:alert(24)">x</a>',
    '<a href="JaVaScRiPt:alert(25)">x</a>',
    '<a href=" javascript:alert(26)">x</a>',
    '<a href="java&#x09;script:alert(27)">x</a>',
    '<a href="jav&#x0A;ascript:alert(28)">x</a>',
    '<a href="&#106;avascript:alert(29)">x</a>',
    '<a href="javascript&colon;alert(30)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(31)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgzMik8L3NjcmlwdD4=">x</a>',
    '<a href="data:image/svg+xml,<svg onload=alert(33)>">x</a>',
    '<a href="vbscript:msgbox(34)">x</a>',
    '<a href="VBScript:msgbox(35)">x</a>',
    '<form action="javascript:alert(36)"><button>x</button></form>',
    '<button formaction="javascript:alert(37)">x</button>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(38)">',
    '<base href="javascript:alert(39)//">',
    "<link rel=stylesheet href=javascript:alert(40)>",
    # SVG and MathML.
    "<svg><script>alert(41)</script></svg>",
    '<svg><a xlink:href="javascript:alert(42)"><text x="9">x</text></a></svg>',
    '<svg><set attributeName="href" to="javascript:alert(43)"/></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(44)>",
    # Frames, objects and styles.
    '<iframe src="javascript:alert(45)"></iframe>',
    '<iframe srcdoc="&lt;script&gt;alert(46)&lt;/script&gt;"></iframe>',
    '<object data="javascript:alert(47)"></object>',
    '<embed src="javascript:alert(48)">',
    "<style>@import 'javascript:alert(49)';</style>",
    '<div style="background:url(javascript:alert(50))">x</div>',
    '<p style="width:expression(alert(51))">x</p>',
    "</style><script>alert(52)</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(53)>">',
    # Breaking out of an attribute or an element.
    '" onmouseover="alert(54)',
    "' onmouseover='alert(55)",
    '"><script>alert(56)</script>',
    "'><img src=x onerror=alert(57)>",
    "</title><script>alert(58)</script>",
    "</textarea><script>alert(59)</script>",
    # Template syntax: shown as typed, never run.
    "{{ 7|add:60 }}",
    "{% debug %}",
    "{% load static %}{% static 'x' %}",
    "${alert(61)}",
    # Already encoded: stays text.
    "&lt;script&gt;alert(62)&lt;/script&gt;",
    "%3Cscript%3Ealert(63)%3C/script%3E",
    "\\u003cscript\\u003ealert(64)\\u003c/script\\u003e",
]
TEMPLATE_PAYLOADS = ["{{ 7|add:60 }}", "{% debug %}"]
# Harmless as they are, or dangerous only to a parser that follows the HTML standard
# more closely than Python's (comments, CDATA, MathML, noscript): the inspector's
# own test leaves them out.
NOT_SEEN_RAW = ("<!--", "<![CDATA[", "<scr<", "<math", "<noscript", "${", "&lt;", "%3C")

# For the related links' address field: refused unless it is an address one may click.
ADDRESSES = [
    "javascript:alert(101)",
    "JaVaScRiPt:alert(102)",
    " javascript:alert(103)",
    "java\tscript:alert(104)",
    "java&#x09;script:alert(105)",
    "&#106;avascript:alert(106)",
    "vbscript:msgbox(107)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxMDgpPC9zY3JpcHQ+",
    "data:image/svg+xml,<svg/onload=alert(109)>",
    "//evil.example/",
    "/\\evil.example/",
    'https://example.org/"onmouseover="alert(110)',
    "https://example.org/'><script>alert(111)</script>",
    "https://example.org/#<img/src=x/onerror=alert(112)>",
    "mailto:a@example.org?body=</a><script>alert(113)</script>",
    '/fact-sheets/"><svg/onload=alert(114)>',
    "#'><svg/onload=alert(115)>",
]
NEVER_CLICKABLE = ("javascript:", "vbscript:", "data:")

BATCHES = 6

# Elements that load or run something on their own.
FORBIDDEN_ELEMENTS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
}
# Attributes that hold an address a browser may follow or load.
ADDRESS_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "codebase",
    "cite",
    "longdesc",
    "dynsrc",
    "lowsrc",
    "ping",
    "to",
    "from",
    "values",
    "srcset",
}
# Script elements that are data, not code.
DATA_SCRIPTS = {"application/json", "application/ld+json", "importmap"}
DANGEROUS_STYLE = re.compile(
    r"javascript:|vbscript:|expression\s*\(|@import|behavior\s*:|-moz-binding", re.I
)


def clickable(value):
    """An address as a browser reads its scheme: no whitespace or control characters."""
    return re.sub(r"[\x00-\x20\x7f]", "", value).lower()


def pack(payloads, size, start=0):
    """As many of `payloads` as fit in `size` characters, joined, from `start` on."""
    chosen, length = [], -1
    for payload in payloads[start:] + payloads[:start]:
        if length + 1 + len(payload) <= size:
            chosen.append(payload)
            length += 1 + len(payload)
    return " ".join(chosen)


class Inspector(HTMLParser):
    """Reads HTML as a browser would and notes anything that could run."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.text = [], []
        self.raw = None  # the script or style element being read, with its text

    def handle_starttag(self, tag, attrs):
        self.check(tag, attrs)
        if tag in ("script", "style"):
            self.raw = (tag, dict(attrs), [])

    def handle_startendtag(self, tag, attrs):
        self.check(tag, attrs)

    def handle_endtag(self, tag):
        if self.raw and self.raw[0] == tag:
            tag, attrs, text = self.raw
            content = "".join(text)
            if tag == "script" and content.strip():
                if (attrs.get("type") or "").lower() not in DATA_SCRIPTS:
                    self.problems.append(f"inline script: {content[:80]!r}")
            if tag == "style" and DANGEROUS_STYLE.search(content):
                self.problems.append(f"style element: {content[:80]!r}")
            self.raw = None

    def handle_data(self, data):
        if self.raw:
            self.raw[2].append(data)
        else:
            self.text.append(data)

    def check(self, tag, attrs):
        attributes = dict(attrs)
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"<{tag}> element")
        if tag == "script":
            src = attributes.get("src") or ""
            kind = (attributes.get("type") or "").lower()
            own = src.startswith("/") and not src.startswith(("//", "/\\"))
            if src and not (own or kind in DATA_SCRIPTS):
                self.problems.append(f"script from {src!r}")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.problems.append(f"meta refresh to {attributes.get('content')!r}")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value[:60]!r}>")
            elif name == "srcdoc":
                self.problems.append(f"<{tag} srcdoc>")
            elif name in ADDRESS_ATTRIBUTES and clickable(value).startswith(
                NEVER_CLICKABLE
            ):
                if not (tag == "img" and clickable(value).startswith("data:image/")):
                    self.problems.append(f"<{tag} {name}={value[:60]!r}>")
            elif name == "style" and DANGEROUS_STYLE.search(value):
                self.problems.append(f"<{tag} style={value[:60]!r}>")


def html_problems(html):
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def html_text(html):
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return "".join(inspector.text)


def json_problems(data):
    """Dangerous addresses anywhere in a JSON document, and problems in its HTML."""
    problems = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("html", "notice") and isinstance(value, str):
                problems += html_problems(value)
            problems += json_problems(value)
    elif isinstance(data, list):
        for value in data:
            problems += json_problems(value)
    elif isinstance(data, str) and clickable(data).startswith(NEVER_CLICKABLE):
        problems.append(f"address {data[:60]!r}")
    return problems


def xml_problems(content):
    """A feed or sitemap: well formed, no dangerous link, safe HTML in its entries."""
    root = ElementTree.fromstring(content)  # raises on anything not well formed
    problems = []
    for element in root.iter():
        for name, value in element.attrib.items():
            if name == "href" and clickable(value).startswith(NEVER_CLICKABLE):
                problems.append(f"feed link {value[:60]!r}")
        if element.get("type") == "html" and element.text:
            problems += html_problems(element.text)
        tag = element.tag.rpartition("}")[2]
        if tag in ("loc", "id") and clickable(element.text or "").startswith(
            NEVER_CLICKABLE
        ):
            problems.append(f"<{tag}> {element.text[:60]!r}")
    return problems


class XSSCorpusTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = User.objects.create_superuser("editor", "e@example.gov", "pw")
        client = Client()
        client.force_login(cls.editor)
        cls.batches, cls.refused_pages = [], []
        size = -(-len(PAYLOADS) // BATCHES)
        for number in range(BATCHES):
            payloads = PAYLOADS[number * size : (number + 1) * size]
            addresses = ADDRESSES[number::BATCHES]
            cls.batches.append(cls.save_batch(client, number, payloads, addresses))
        cls.save_reference_extras(client)

    @classmethod
    def post(cls, client, url, data, expect=302):
        response = client.post(url, data)
        assert response.status_code == expect, (
            url,
            response.status_code,
            response.context and response.context.get("errors"),
        )
        return response

    @classmethod
    def save_batch(cls, client, number, payloads, addresses):
        """A bureau, a country and a sheet full of `payloads`, saved as editors do."""
        joined = " ".join(payloads)
        cls.post(
            client,
            reverse("admin:factsheets_bureau_add"),
            {
                "name": pack(payloads, 100, 4) or f"Bureau {number}",
                "slug": f"xss-bureau-{number}",
                "short_name": pack(payloads, 10) or f"X{number}",
            },
        )
        bureau = Bureau.objects.get(slug=f"xss-bureau-{number}")
        cls.post(
            client,
            reverse("admin:factsheets_country_add"),
            {
                "name": pack(payloads, 100, 2),
                "sentence_name": pack(payloads, 100, 3),
                "slug": f"xss-{number}",
                "bureau": str(bureau.pk),
                "other_names": "\n".join(payloads),
            },
        )
        country = Country.objects.get(slug=f"xss-{number}")
        rows = {
            "sections": [
                {"position": str(i), "heading": payload, "body": payload}
                for i, payload in enumerate(payloads)
            ],
            "assistance_lines": [
                {
                    "position": str(i),
                    "period": "fiscal",
                    "year": str(2000 + i),
                    "kind": "actual",
                    "amount_usd": f"${i + 1} million",
                    "agency": payload[:100],
                    "note": payload,
                }
                for i, payload in enumerate(payloads)
            ],
            "officials": [
                {"position": str(i), "role": payload, "name": payloads[i - 1]}
                for i, payload in enumerate(payloads)
            ],
            "related_links": [
                {
                    "position": str(i),
                    "title": payload,
                    "url": addresses[i] if i < len(addresses) else "/",
                }
                for i, payload in enumerate(payloads)
            ],
        }
        fields = {
            "country": str(country.pk),
            "bureau": str(bureau.pk),
            "title": pack(payloads, 200),
            "kind": pack(payloads, 50, 1) or "Fact Sheet",
            "issued_on": f"2015-10-{number + 1:02}",
            "notice": joined,
            "lead": joined,
            "related_links_intro": joined,
        }
        url = reverse("admin:factsheets_factsheet_add")
        response = client.post(url, sheet_form_data(fields, **rows))
        if response.status_code == 200:
            # Addresses one may not click are refused; the page that says so is
            # checked too. The rest are saved.
            cls.refused_pages.append(response.content.decode())
            formset = next(
                f.formset
                for f in response.context["inline_admin_formsets"]
                if f.formset.prefix == "related_links"
            )
            for i, form in enumerate(formset.forms):
                if "url" in form.errors:
                    rows["related_links"][i]["url"] = "https://example.org/"
            cls.post(client, url, sheet_form_data(fields, **rows))
        sheet = FactSheet.objects.get(country=country)
        # The superuser who wrote the sheet publishes it past the second pair of
        # eyes, as an administrator may.
        cls.post(
            client,
            change_url(sheet),
            change_data(sheet, _publish="1", override_review="on"),
        )
        # Changed in place, as a publisher does, with a note for readers.
        data = change_data(
            sheet,
            title=pack(payloads, 200, 5),
            change_kind="major",
            change_note=pack(payloads, 300, 6),
        )
        cls.post(client, change_url(sheet), data)
        cls.post(
            client,
            reverse("admin:factsheets_factsheet_preview_link", args=[sheet.pk]),
            {"days": "7"},
        )
        # A newer edition, so the first is read at its dated address and compared.
        cls.post(
            client,
            reverse("admin:factsheets_factsheet_new_edition", args=[sheet.pk]),
            {"issued_on": f"2016-10-{number + 1:02}"},
        )
        edition = FactSheet.objects.get(country=country, issued_on__year=2016)
        data = change_data(
            edition,
            title=pack(payloads, 200, 7),
            kind=pack(payloads, 50, 8) or "Fact Sheet",
            _publish="1",
            override_review="on",
        )
        cls.post(client, change_url(edition), data)
        return {
            "payloads": payloads,
            "bureau": bureau,
            "country": country,
            "first": sheet,
            "current": edition,
        }

    @classmethod
    def save_reference_extras(cls, client):
        """Old addresses, and an import whose report quotes what it read."""
        cls.post(
            client,
            reverse("admin:factsheets_country_add"),
            {
                "name": "Atlantis",
                "slug": "atlantis",
                "bureau": str(cls.batches[0]["bureau"].pk),
            },
        )
        for number, old_path in enumerate(
            ['/old/"><svg/onload=alert(201)>', "/old/'><script>alert(202)</script>"]
        ):
            cls.post(
                client,
                reverse("admin:factsheets_legacyaddress_add"),
                {"old_path": old_path, "new_path": f"/fact-sheets/xss-{number}/"},
            )
        assert LegacyAddress.objects.filter(old_path__startswith="/old/").count() == 2
        text = "\n\n".join(
            [
                "U.S. Relations With Atlantis",
                "Bureau of African Affairs",
                "Fact Sheet",
                "March 17, 2014",
                "More information about Atlantis is available here.",
                "<SCRIPT>ALERT(203)</SCRIPT> RELATIONS",
                "The <img src=x onerror=alert(204)> Bank lent $75 million in 2013.",
                "Bilateral Representation",
                'The U.S. Ambassador is "><svg onload=alert(205)>.',
            ]
        )
        cls.import_page = client.post(
            reverse("admin:factsheets_factsheet_import"), {"text": text}, follow=True
        ).content.decode()

    def setUp(self):
        self.client.force_login(self.editor)

    def assertSafe(self, url, response=None):
        response = response or self.client.get(url)
        self.assertIn(response.status_code, (200, 404), url)
        content = response.content.decode()
        self.assertNotIn(settings.SECRET_KEY, content, url)
        kind = response.get("Content-Type", "").split(";")[0]
        if kind == "text/html":
            problems = html_problems(content)
        elif kind == "application/json":
            problems = json_problems(json.loads(content))
        elif kind in ("application/atom+xml", "application/xml"):
            problems = xml_problems(response.content)
        elif kind in ("text/csv", "text/plain"):
            problems = []
            if kind == "text/csv":
                self.assertIn("attachment", response["Content-Disposition"])
        else:
            self.fail(f"{url}: unexpected content type {kind}")
        self.assertEqual(problems, [], url)
        self.assertEqual(response["X-Content-Type-Options"], "nosniff", url)
        return content

    def test_the_corpus_is_large_and_every_payload_was_saved(self):
        self.assertGreaterEqual(len(PAYLOADS), 50)
        self.assertEqual(len({p.casefold() for p in PAYLOADS}), len(PAYLOADS))
        for batch in self.batches:
            sheet = FactSheet.objects.get(pk=batch["current"].pk)
            self.assertEqual(sheet.sections.count(), len(batch["payloads"]))
            self.assertEqual(sheet.officials.count(), len(batch["payloads"]))
            self.assertTrue(sheet.is_live)
            self.assertTrue(batch["first"].change_notes.exists())

    def test_addresses_one_may_not_click_are_refused(self):
        saved = [link.url for link in RelatedLink.objects.all()]
        self.assertFalse([url for url in saved if clickable(url).startswith("java")])
        for url in saved:
            self.assertFalse(clickable(url).startswith(NEVER_CLICKABLE), url)
        self.assertTrue(self.refused_pages)
        for page in self.refused_pages:
            self.assertEqual(html_problems(page), [])

    def test_public_pages_run_nothing(self):
        self.client.logout()
        urls = [
            "/",
            "/fact-sheets/",
            "/fact-sheets/?by=bureau",
            "/search/?q=alert",
            "/search/?q=script+onerror",
            "/assistance/",
            "/assistance.csv",
            "/key-officers/",
            "/feeds/fact-sheets.atom",
            "/fact-sheets.json",
            "/sitemap.xml",
            "/robots.txt",
        ]
        for batch in self.batches:
            slug = batch["country"].slug
            first = batch["first"]
            urls += [
                f"/fact-sheets/{slug}/",
                first.get_edition_url(),
                f"/fact-sheets/{slug}/changes/",
                f"/fact-sheets/{slug}.json",
                f"/fact-sheets/{slug}/feed.atom",
                batch["bureau"].get_absolute_url(),
                reverse("factsheets:bureau_feed", args=[batch["bureau"].slug]),
                PreviewLink.objects.filter(factsheet=first).get().get_absolute_url(),
                # What readers type comes back on the page too.
                "/search/?" + urlencode({"q": " ".join(batch["payloads"])}),
                f"/fact-sheets/{slug}/changes/?"
                + urlencode({"from": batch["payloads"][0]}),
                "/fact-sheets/" + quote(batch["payloads"][0], safe="") + "/",
            ]
        for url in urls:
            with self.subTest(url=url):
                self.assertSafe(url)

    def test_template_syntax_is_shown_as_typed(self):
        batch = next(b for b in self.batches if TEMPLATE_PAYLOADS[0] in b["payloads"])
        response = self.client.get(f"/fact-sheets/{batch['country'].slug}/")
        text = html_text(response.content.decode())
        for payload in TEMPLATE_PAYLOADS:
            if payload in batch["payloads"]:
                self.assertIn(payload, text)

    def test_admin_pages_run_nothing(self):
        urls = [
            reverse("admin:factsheets_factsheet_changelist"),
            reverse("admin:factsheets_country_changelist"),
            reverse("admin:factsheets_bureau_changelist"),
            reverse("admin:factsheets_legacyaddress_changelist"),
        ]
        for address in LegacyAddress.objects.filter(old_path__startswith="/old/"):
            urls.append(
                reverse("admin:factsheets_legacyaddress_change", args=[address.pk])
            )
        for batch in self.batches:
            first, current = batch["first"], batch["current"]
            versions = list(revisions.sheet_versions(first))
            urls += [
                change_url(first),
                change_url(current),
                reverse("admin:factsheets_factsheet_history", args=[first.pk]),
                reverse("admin:factsheets_factsheet_compare", args=[first.pk])
                + f"?from={versions[-1].pk}&to={versions[0].pk}",
                reverse(
                    "admin:factsheets_factsheet_restore",
                    args=[first.pk, versions[-1].pk],
                ),
                reverse("admin:factsheets_factsheet_new_edition", args=[first.pk]),
                reverse("admin:factsheets_factsheet_preview_link", args=[first.pk]),
                reverse("factsheets:preview", args=[first.pk]),
                reverse("admin:factsheets_country_change", args=[batch["country"].pk]),
                reverse("admin:factsheets_bureau_change", args=[batch["bureau"].pk]),
                reverse("admin:factsheets_factsheet_changelist")
                + "?"
                + urlencode({"q": batch["payloads"][0]}),
            ]
        for url in urls:
            with self.subTest(url=url):
                self.assertSafe(url)

    def test_an_import_report_runs_nothing(self):
        self.assertEqual(html_problems(self.import_page), [])
        record = FactSheet.objects.filter(imports__isnull=False).get()
        self.assertSafe(change_url(record))

    def test_the_inspector_finds_what_it_looks_for(self):
        """The checks above would see a payload that got through."""
        dangerous = [
            payload
            for payload in PAYLOADS
            if re.search(r"alert\(|msgbox\(", payload)
            and not payload.startswith(NOT_SEEN_RAW)
            and "\\u003c" not in payload
        ]
        self.assertGreaterEqual(len(dangerous), 50)
        for payload in dangerous + ['<a href="  &#x6A;avascript:x">x</a>']:
            with self.subTest(payload=payload):
                unescaped = [
                    f"<p>{payload}</p>",
                    f'<p title="{payload}">x</p>',
                    f"<p title='{payload}'>x</p>",
                ]
                self.assertTrue(any(html_problems(html) for html in unescaped))
        self.assertTrue(html_problems('<p title="x" onclick="y">'))
        self.assertFalse(html_problems('<script src="/static/js/print.js"></script>'))
        self.assertTrue(json_problems({"url": " JavaScript:alert(1)"}))
        self.assertTrue(json_problems({"html": "<img src=x onerror=alert(1)>"}))
