from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from factsheets.site_url import absolute
from factsheets.templatetags.meta_tags import json_ld

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """The full address of `url`, for printing under a link's title."""
    return absolute(url)


@register.filter
def css_string(value):
    """`value` as the inside of a double-quoted CSS string, safe within <style>."""
    plain = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-")
    return mark_safe("".join(c if c in plain else f"\\{ord(c):x} " for c in str(value)))


@register.simple_tag(takes_context=True)
def breadcrumb_list(context, breadcrumbs):
    """The breadcrumbs as a schema.org BreadcrumbList, in a JSON-LD script."""
    request = context["request"]
    items = [("Home", reverse("factsheets:home")), *breadcrumbs]
    data = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": absolute(url or request.path),
            }
            for position, (name, url) in enumerate(items, 1)
        ],
    }
    return json_ld(data)


@register.tag
def fragment(parser, token):
    """A part of a public page kept rendered (factsheets/fragments.py):

    {% fragment "sheet.body" %}...{% endfragment %}

    Rendered as usual where the view keeps no parts (previews)."""
    try:
        _, name = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError(
            "fragment takes one argument, the part's name"
        ) from None
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, template.Variable(name))


class FragmentNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        fragments = context.get("fragments")
        name = self.name.resolve(context)
        if fragments is None or not name:
            return self.nodelist.render(context)
        return fragments.part(name, lambda: self.nodelist.render(context))
