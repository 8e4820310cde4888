"""The search page (what it finds, and how, is factsheets/search.py)."""

from django.core.paginator import Paginator
from django.shortcuts import render

import pagecache
from factsheets import page_tags
from factsheets.models import Bureau
from factsheets.search import (
    MAX_QUERY_LENGTH,
    add_snippets,
    clean_query,
    has_words,
    matching_sheets,
)

PER_PAGE = 20


@pagecache.shows(page_tags.CATALOGUE)
def search(request):
    """/search/?q=words&bureau=slug&page=2: the current sheets with these words."""
    q, shortened = clean_query(request.GET.get("q", ""))
    bureaus = list(Bureau.objects.all())
    bureau_slug = request.GET.get("bureau", "")
    bureau = next((b for b in bureaus if b.slug == bureau_slug), None)
    context = {
        "q": q,
        "shortened": shortened,
        "bureaus": bureaus,
        "bureau": bureau,
        "unknown_bureau": bool(bureau_slug) and bureau is None,
        "max_length": MAX_QUERY_LENGTH,
        "noindex": True,
        "breadcrumbs": [("Search", None)],
    }
    if q and has_words(q):
        results = matching_sheets(q, bureau)
        page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            page_obj=page,
            page_range=page.paginator.get_elided_page_range(page.number),
            factsheets=add_snippets(list(page)),
            searched=True,
        )
    elif q:
        context["problem"] = (
            "Your search has no words to look for. Try the name of a country, "
            "a place or a subject."
        )
    return render(request, "factsheets/search.html", context)
