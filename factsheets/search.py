"""Search over the current sheets (issue #8): placeholder until it is built."""

from django.http import Http404


def search(request):
    raise Http404("Search is not built yet.")
