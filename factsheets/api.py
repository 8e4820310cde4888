"""The current sheets as JSON (issue #8): placeholder until it is built."""

from django.http import Http404


def catalogue(request):
    raise Http404("Not built yet.")


def sheet(request, country_slug):
    raise Http404("Not built yet.")
