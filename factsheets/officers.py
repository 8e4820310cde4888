"""The officials of all current sheets (issue #8): placeholder until it is built."""

from django.http import Http404


def key_officers(request):
    raise Http404("Not built yet.")
