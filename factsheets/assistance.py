"""U.S. assistance across the current sheets (issue #8): placeholder until it is built."""

from django.http import Http404


def overview(request):
    raise Http404("Not built yet.")


def overview_csv(request):
    raise Http404("Not built yet.")
