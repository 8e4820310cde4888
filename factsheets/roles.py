"""Who may do what with a sheet. Editors write drafts and submit them for review;
Publishers also review them and decide what the public sees. Every admin path
(forms, actions, views) asks here."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q

EDITORS = "Editors"
PUBLISHERS = "Publishers"


def can_publish(user):
    """Publish, unpublish, schedule, and change or restore a published sheet."""
    return user.has_perm("factsheets.publish_factsheet")


def can_submit(user):
    """Submit a draft for review: whoever may change drafts, editors and publishers."""
    return user.is_active and user.has_perm("factsheets.change_factsheet")


def can_review(user):
    """Approve a sheet in review (publish or schedule it) or send it back with a
    comment: publishers."""
    return can_publish(user)


def publishers():
    """The people who may publish, as a submitter is told: active staff in the
    Publishers group, or given the permission otherwise (their own, another
    group's, or as superusers); by name."""
    permission = Permission.objects.filter(
        content_type__app_label="factsheets", codename="publish_factsheet"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(groups__name=PUBLISHERS)
            | Q(groups__permissions__in=permission)
            | Q(user_permissions__in=permission)
            | Q(is_superuser=True)
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def can_change(user, factsheet=None):
    """Change this sheet: any draft for an editor; a published one only for a publisher."""
    if not user.has_perm("factsheets.change_factsheet"):
        return False
    return factsheet is None or not factsheet.is_published or can_publish(user)


def can_import(user):
    """Import old sheets, which become drafts: add and change sheets."""
    return (
        user.is_active
        and user.is_staff
        and user.has_perms(["factsheets.add_factsheet", "factsheets.change_factsheet"])
    )


def can_preview(user):
    """See any sheet as it will look: whoever the admin lets open sheets, to view or
    to change them."""
    return user.is_active and (
        user.has_perm("factsheets.view_factsheet")
        or user.has_perm("factsheets.change_factsheet")
    )
