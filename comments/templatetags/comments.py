"""A sheet's comments where editors work on it: ``{% sheet_comments sheet %}`` on the
change form and the editors' preview. It shows nothing to anyone who may not read
them, and the templates that include it never do so on public pages or shared
preview links."""

from django import template

from comments import comment_operations

register = template.Library()


@register.inclusion_tag("comments/_sheet_comments.html", takes_context=True)
def sheet_comments(context, factsheet):
    request = context.get("request")
    user = getattr(request, "user", None)
    if factsheet is None or factsheet.pk is None or user is None:
        return {"shown": False}
    if not comment_operations.may_read(user, factsheet):
        return {"shown": False}
    return {
        "shown": True,
        "factsheet": factsheet,
        **comment_operations.summary(factsheet),
    }
