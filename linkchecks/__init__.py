"""Checks of every link on the current sheets, in the background.

The worker checks a sheet's links once it is submitted for review and once it goes
out, and every current sheet's links on its own schedule (linkchecks/tasks.py).
What other apps may use, all of it here (the other modules are the app's own):

- `failed()`: links whose last check failed and that a current sheet uses, each
  with the places on current sheets that use it, in a fixed number of queries
  (for the dashboard);
- `broken_links(sheet)`: the links on one sheet, as it is now, that failed their
  last check (a publisher may hold the sheet back for them; nothing else does);
- `{% load linkchecks %}{% link_checks sheet %}`: the results on the sheet's
  change form.

Kept free of Django imports at the top: Django imports app packages early.
"""

__all__ = ["broken_links", "failed"]


def failed():
    """Links that failed their last check and a current sheet uses, newest
    failures first, each with `current_uses` (LinkUse rows with their sheet and
    country). `.count()` is one query; reading rows is two, however many."""
    from linkchecks import results

    return results.failed()


def broken_links(factsheet):
    """The links on `factsheet` as it is now that failed their last check: a list
    of Links (url, result, status_code, redirects, error, checked_at), each with
    `places` (where on the sheet: `place`, `where`, `text`). Three queries."""
    from linkchecks import results

    return results.broken_links(factsheet)
