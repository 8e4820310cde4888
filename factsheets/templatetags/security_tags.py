"""Inline code the Content-Security-Policy allows one by one (operations/security.py)."""

import re

from django import template
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from js_asset import Media

from operations import allow_inline_style

register = template.Library()

STYLE_END = re.compile(r"</style", re.IGNORECASE)


@register.tag
def hashed_style(parser, token):
    """A <style> element allowed by the hash of its text in this response's policy.

    {% hashed_style media="print" %}@page { ... }{% endhashed_style %}

    Values inside must be escaped for CSS (the css_string filter)."""
    bits = token.split_contents()[1:]
    attrs = template.base.token_kwargs(bits, parser)
    if bits:
        raise template.TemplateSyntaxError(
            "hashed_style takes only name=value attributes"
        )
    nodelist = parser.parse(("endhashed_style",))
    parser.delete_first_token()
    return HashedStyleNode(nodelist, attrs)


class HashedStyleNode(template.Node):
    def __init__(self, nodelist, attrs):
        self.nodelist = nodelist
        self.attrs = attrs

    def render(self, context):
        css = self.nodelist.render(context)
        if STYLE_END.search(css):
            raise ValueError("A hashed style may not contain '</style'.")
        request = context.get("request")
        if request is not None:
            allow_inline_style(request, css)
        attrs = {name: value.resolve(context) for name, value in self.attrs.items()}
        return format_html("<style{}>{}</style>", flatatt(attrs), mark_safe(css))


@register.filter
def with_csp_nonce(media, request):
    """A form's media whose inline import map carries this response's CSP nonce.

    For admin pages only: public pages are cached whole and never carry a nonce."""
    return Media.from_media(media, nonce=str(request.csp_nonce))
