from django import template

from dashboard.panels import panels

register = template.Library()


@register.simple_tag
def dashboard_panels(user):
    """The admin's first page's panels for `user`."""
    return panels(user)
