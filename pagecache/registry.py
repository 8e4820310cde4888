"""What the content apps told the page cache (`pagecache.watch()`): the models whose
rows public pages show, which pages each row's change makes stale, and what says
when pages change with nobody saving."""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class Watched:
    ignored: frozenset  # names of the app's models whose rows no public page shows
    next_change: dict  # model name: callable (after, using) -> datetime or None
    tags: object  # callable (model name, row) -> tags, or None: every page
    summarised: frozenset  # names of the models the summaries are made of
    summaries: object  # callable (using) -> {tag: digest}, or None
    pages: object  # callable (tags) -> paths, or None: unknown


_watched = {}  # app label: Watched


def watch(app_config, ignore, next_change, tags, summaries, summarised, pages):
    if isinstance(app_config, str):
        app_config = apps.get_app_config(app_config)
    for name in (*ignore, *next_change, *summarised):
        app_config.get_model(name)  # LookupError on a name the app has no model of
    if summarised and summaries is None:
        raise TypeError("Models are summarised, but nothing makes the summaries.")
    _watched[app_config.label] = Watched(
        frozenset(name.lower() for name in ignore),
        {name.lower(): function for name, function in next_change.items()},
        tags,
        frozenset(name.lower() for name in summarised),
        summaries,
        pages,
    )


def shown(meta):
    """Whether public pages show the rows of the model whose `_meta` is `meta`."""
    watched = _watched.get(meta.app_label)
    return watched is not None and meta.model_name not in watched.ignored


def tags_of(meta, row, model=None):
    """The tags a change to `row` makes stale, or None for every page. `model` is
    the other side of a many-to-many change, whose row is one side."""
    watched = _watched[meta.app_label]
    if watched.tags is None or model is not None:
        return None
    return watched.tags(meta.model_name, row)


def is_summarised(meta):
    watched = _watched.get(meta.app_label)
    return watched is not None and meta.model_name in watched.summarised


def summaries(using):
    """What every app's lists and navigation show, as {tag: digest}."""
    found = {}
    for watched in _watched.values():
        if watched.summaries is not None:
            found.update(watched.summaries(using))
    return found


def pages_for(tags):
    """The paths of the public pages that show any of `tags`, or None if an app
    cannot say."""
    paths = set()
    for watched in _watched.values():
        if watched.pages is None:
            return None
        found = watched.pages(tags)
        if found is None:
            return None
        paths.update(found)
    return sorted(paths)


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
