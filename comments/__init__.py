"""Editors' comments on an edition, optionally on one of its sections; never public.

Other apps use only what is here (the modules behind it are the app's own):

    import comments
    comments.add(sheet, by=user, body="Check the 2014 figure.", section=section)
    comments.resolve(comment, by=user)
    comments.reopen(comment, by=user)

The factsheets templates show a sheet's comments with ``{% load comments %}`` and
``{% sheet_comments sheet %}``, so factsheets imports nothing from here. Django
imports this package while it loads the apps, so it imports no models itself.
"""


def add(factsheet, by, body, section=None):
    from comments.comment_operations import add

    return add(factsheet, by, body, section=section)


def resolve(comment, by):
    from comments.comment_operations import resolve

    return resolve(comment, by)


def reopen(comment, by):
    from comments.comment_operations import reopen

    return reopen(comment, by)


__all__ = ["add", "reopen", "resolve"]
