"""Plain builders for test data: keyword defaults, unique slugs from a counter."""

import datetime
import itertools
from importlib import import_module

from factsheets.models import (
    AssistanceLine,
    Bureau,
    Country,
    FactSheet,
    Official,
    RelatedLink,
    Section,
)

_numbers = itertools.count(1)

# Rich text as someone who altered stored data would write it, and what of it must
# never reach a page (lower case).
HOSTILE_RICH_TEXT = (
    '<p>Ties.<script>alert("script")</script><img src="x" onerror="alert(1)">'
    '<a href="javascript:alert(2)" onclick="alert(3)">Read more</a></p>'
)
HOSTILE_MARKS = ["<script>alert", "onerror", "onclick", "javascript:", "alert("]


def make_bureau(**kwargs):
    n = next(_numbers)
    kwargs.setdefault("name", f"Bureau of Test Affairs {n}")
    kwargs.setdefault("slug", f"test-affairs-{n}")
    kwargs.setdefault("short_name", f"T{n}")
    return Bureau.objects.create(**kwargs)


def make_country(bureau=None, **kwargs):
    n = next(_numbers)
    kwargs.setdefault("name", f"Country {n}")
    kwargs.setdefault("slug", f"country-{n}")
    return Country.objects.create(bureau=bureau or make_bureau(), **kwargs)


def make_factsheet(country=None, **kwargs):
    """A sheet, published unless told otherwise.

    Its rows are added after it, so it is published by setting its state directly,
    as a fixture would; the rule that publishing needs a complete sheet is tested on
    its own."""
    kwargs.setdefault("issued_on", datetime.date(2015, 10, 15))
    status = kwargs.pop("status", FactSheet.Status.PUBLISHED)
    factsheet = FactSheet.objects.create(country=country or make_country(), **kwargs)
    if status != factsheet.status:
        FactSheet.objects.filter(pk=factsheet.pk).update(status=status)
        factsheet.refresh_from_db()
    return factsheet


def make_section(factsheet, **kwargs):
    n = next(_numbers)
    kwargs.setdefault("heading", f"Section {n}")
    kwargs.setdefault("body", f"<p>Text of section {n}.</p>")
    kwargs.setdefault("position", n)
    return Section.objects.create(factsheet=factsheet, **kwargs)


def make_assistance_line(factsheet, **kwargs):
    kwargs.setdefault("year", 2014)
    kwargs.setdefault("amount_usd", "135400000")
    kwargs.setdefault("kind", AssistanceLine.Kind.ACTUAL)
    return AssistanceLine.objects.create(factsheet=factsheet, **kwargs)


def make_official(factsheet, **kwargs):
    n = next(_numbers)
    kwargs.setdefault("role", f"Official {n}")
    kwargs.setdefault("name", f"Name {n}")
    return Official.objects.create(factsheet=factsheet, **kwargs)


def make_related_link(factsheet, **kwargs):
    n = next(_numbers)
    kwargs.setdefault("title", f"Related link {n}")
    kwargs.setdefault("url", f"https://example.org/{n}/")
    kwargs.setdefault("position", n)
    return RelatedLink.objects.create(factsheet=factsheet, **kwargs)


def make_full_factsheet(children=1, **kwargs):
    """A sheet with `children` rows of each of the four kinds."""
    factsheet = make_factsheet(**kwargs)
    for _ in range(children):
        make_section(factsheet)
        make_assistance_line(factsheet)
        make_official(factsheet)
        make_related_link(factsheet)
    return factsheet


def make_user(username, *groups, **fields):
    """A staff account in the named groups (“Editors”, “Publishers”)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission, User

    if Group.objects.filter(name__in=groups).count() != len(groups):
        # A transactional test before this one emptied the tables the migrations
        # filled; make the groups again with the permissions their migration gives.
        for app_config in apps.get_app_configs():
            create_permissions(app_config, verbosity=0)
        for module in ("0006_editor_and_publisher_groups", "0007_legacy_addresses"):
            migration = import_module(f"factsheets.migrations.{module}")
            for name, codenames in (
                ("Editors", migration.EDITORS),
                ("Publishers", migration.PUBLISHERS),
            ):
                group, _ = Group.objects.get_or_create(name=name)
                group.permissions.add(
                    *Permission.objects.filter(
                        content_type__app_label="factsheets", codename__in=codenames
                    )
                )
    user = User.objects.create_user(username, password="pw", is_staff=True, **fields)
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user
