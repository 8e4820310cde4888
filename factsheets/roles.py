"""Who may do what with a sheet. Editors write drafts; Publishers also decide what
the public sees. Every admin path (forms, actions, views) asks here."""

EDITORS = "Editors"
PUBLISHERS = "Publishers"


def can_publish(user):
    """Publish, unpublish, schedule, and change or restore a published sheet."""
    return user.has_perm("factsheets.publish_factsheet")


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
