"""The admin site itself: Django's, with a "View on site" shortcut that shows only what
the account may see.

Django's shortcut (/admin/r/<content type>/<pk>/) redirects any staff account to any
object's get_absolute_url(), whatever its model admin allows: it would tell an account
in no group which sheets exist, and hand it a preview link's address, which shows a
draft to anyone. This module is outside factsheets/admin/ because Django builds the
default site before it imports the admin modules that register on it.
"""

from urllib.parse import urlsplit

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponseRedirect
from django.urls import Resolver404, get_script_prefix, path, resolve

# Addresses that are themselves the permission to read what they show.
SECRET_VIEWS = {"factsheets:preview_link"}


def may_redirect_to(url):
    """Whether `url` is a page of this site whose address is no secret."""
    address = urlsplit(url)
    prefix = get_script_prefix()
    if address.scheme or address.netloc or not address.path.startswith(prefix):
        return False
    try:
        match = resolve("/" + address.path.removeprefix(prefix))
    except Resolver404:
        return False
    return match.view_name not in SECRET_VIEWS


class AdminSite(admin.AdminSite):
    def get_urls(self):
        urls = [
            url
            for url in super().get_urls()
            if getattr(url, "name", None) != "view_on_site"
        ]
        return [
            path(
                "r/<path:content_type_id>/<path:object_id>/",
                self.admin_view(self.view_on_site),
                name="view_on_site",
            ),
            *urls,
        ]

    def view_on_site(self, request, content_type_id, object_id):
        """The object's page on the site, for those its model admin lets view it.

        Anything else is a 404, the same as for an object that does not exist, so
        that the answer tells nothing of what exists.
        """
        # Imported here: this module is loaded before the admin modules.
        from factsheets.admin.base import valid_keys

        content_type = ContentType.objects.filter(
            pk__in=valid_keys(ContentType._meta.pk, [content_type_id])
        ).first()
        model = content_type and content_type.model_class()
        model_admin = self._registry.get(model)
        if model_admin is None:
            raise Http404("No such page.")
        obj = None
        if valid_keys(model._meta.pk, [object_id]):
            obj = model_admin.get_object(request, object_id)
        if obj is None or not model_admin.has_view_or_change_permission(request, obj):
            raise Http404("No such page.")
        if callable(model_admin.view_on_site):
            url = model_admin.view_on_site(obj)
        elif model_admin.view_on_site and hasattr(obj, "get_absolute_url"):
            url = obj.get_absolute_url()
        else:
            url = None
        if not url or not may_redirect_to(url):
            raise Http404("No such page.")
        return HttpResponseRedirect(url)
