"""The sitemap and robots.txt (issue #8): placeholder until it is built."""

from django.http import HttpResponse

SITEMAPS = {}


def robots_txt(request):
    return HttpResponse("User-agent: *\nDisallow: /admin/\n", content_type="text/plain")
