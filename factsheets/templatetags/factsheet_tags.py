from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """The full address of `url`, for printing under a link's title."""
    return context["request"].build_absolute_uri(url)


@register.filter
def css_string(value):
    """`value` as the inside of a double-quoted CSS string, safe within <style>."""
    plain = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-")
    return mark_safe("".join(c if c in plain else f"\\{ord(c):x} " for c in str(value)))
