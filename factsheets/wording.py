"""The words the system writes itself, in one place; the publisher's come from settings.

Country names in sentences use the sentence form (“the Gambia”), titles the name
(“U.S. Relations With The Gambia”).
"""

from django.conf import settings


def _say(key, country=None):
    return settings.FACTSHEET_WORDING[key].format(
        country=country,
        department=settings.DEPARTMENT_SHORT_NAME,
    )


def person(user):
    """A person as the admin and the notices name them: their full name, or their
    username when they have given none."""
    return user.get_full_name() or user.get_username()


def title(country):
    """A sheet's default title, e.g. “U.S. Relations With Mali”."""
    return title_for_name(country.name)


def title_for_name(name):
    """The default title a sheet would have under the country name `name`."""
    return _say("title", name)


def related_links_intro(country):
    return _say("related_links_intro", country.in_sentence)


def assistance_caption(country):
    return _say("assistance_caption", country.in_sentence)


def officials_heading():
    return _say("officials_heading")


def key_facts_heading():
    return _say("key_facts_heading")
