"""A public page whose view names nothing it shows, for the page cache's tests: the
page cache must then treat it as showing everything."""

from django.http import HttpResponse
from django.urls import path

from config import urls
from factsheets.models import Section


def sections_counted(request):
    return HttpResponse(f"{Section.objects.count()} sections")


urlpatterns = [
    path("counted/", sections_counted),
    *urls.urlpatterns,
]
