"""A sheet as the public will see it, before it is published: for editors signed
in, and through a signed preview link for anyone an editor sends it to."""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from factsheets import roles
from factsheets.models import FactSheet, PreviewLink


def render_preview(request, factsheet, **context):
    response = render(
        request,
        "factsheets/factsheet_detail.html",
        {"factsheet": factsheet, "is_preview": True, "noindex": True, **context},
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The page's links must not hand the preview address to other sites.
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@staff_member_required
def factsheet_preview(request, pk):
    """Any sheet, draft or not, as it will look; for those who may view sheets."""
    if not roles.can_preview(request.user):
        raise PermissionDenied
    factsheet = get_object_or_404(FactSheet.objects.for_display(), pk=pk)
    return render_preview(request, factsheet, can_edit=True)


@never_cache
def preview_link(request, token):
    """The sheet a valid preview link names, as it is now; nothing for any other link."""
    link = PreviewLink.from_token(token)
    if link is None:
        response = render(
            request,
            "factsheets/preview_link_invalid.html",
            {"noindex": True},
            status=404,
        )
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
    factsheet = get_object_or_404(FactSheet.objects.for_display(), pk=link.factsheet_id)
    return render_preview(request, factsheet, preview_link=link)
