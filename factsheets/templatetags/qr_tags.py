from functools import lru_cache

import segno
from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def qr_code(address, css_class="qr-code"):
    """`address` as a QR code in inline SVG, drawn here with segno, no image service.

    Hidden from assistive technology: the address is written out beside it.
    """
    svg = mark_safe(qr_svg(address))
    return format_html('<span class="{}" aria-hidden="true">{}</span>', css_class, svg)


# Drawing a code took a quarter of an uncached sheet page (profiled); the same
# address always gives the same drawing, and a site has a few hundred addresses.
@lru_cache(maxsize=1024)
def qr_svg(address):
    # Level L, raised by segno where it costs no extra size: the smallest code, so
    # that the line fits at the foot of a full page.
    qr = segno.make_qr(address, error="l")
    # segno writes only its own markup (a path of modules); nothing of `address` is
    # in it, so it is the one thing marked safe.
    return qr.svg_inline(border=2, omitsize=True, svgclass=None, lineclass=None)
