"""What the content apps told the page cache (`pagecache.watch()`): the models whose
rows public pages show, and what says when pages change with nobody saving."""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class Watched:
    ignored: frozenset  # names of the app's models whose rows no public page shows
    next_change: dict  # model name: callable (after, using) -> datetime or None


_watched = {}  # app label: Watched


def watch(app_config, ignore, next_change):
    if isinstance(app_config, str):
        app_config = apps.get_app_config(app_config)
    for name in (*ignore, *next_change):
        app_config.get_model(name)  # LookupError on a name the app has no model of
    _watched[app_config.label] = Watched(
        frozenset(name.lower() for name in ignore),
        {name.lower(): function for name, function in next_change.items()},
    )


def shown(meta):
    """Whether public pages show the rows of the model whose `_meta` is `meta`."""
    watched = _watched.get(meta.app_label)
    return watched is not None and meta.model_name not in watched.ignored


def moves_next_change(meta):
    """Whether a row of this model may bring the next change forward."""
    watched = _watched.get(meta.app_label)
    return watched is not None and meta.model_name in watched.next_change


def next_transition(after, using):
    """The first time after `after` at which a page may change with nobody saving,
    by what the apps registered, or None."""
    moments = (
        function(after, using)
        for watched in _watched.values()
        for function in watched.next_change.values()
    )
    return min((moment for moment in moments if moment), default=None)
