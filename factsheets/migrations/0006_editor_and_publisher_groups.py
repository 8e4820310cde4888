"""The two roles of the newsroom, as groups: Editors write drafts and share previews;
Publishers also decide what the public sees."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROWS = ["section", "assistanceline", "official", "relatedlink"]
EDITORS = [
    "view_factsheet",
    "add_factsheet",
    "change_factsheet",
    *[f"{action}_{row}" for row in ROWS for action in ("view", "add", "change", "delete")],
    "view_previewlink",
    "add_previewlink",
    "change_previewlink",
    "view_changenote",
    "view_country",
    "view_bureau",
]
PUBLISHERS = [*EDITORS, "publish_factsheet", "delete_factsheet"]


def make_groups(apps, schema_editor):
    # Permissions are normally made after all migrations; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Editors", EDITORS), ("Publishers", PUBLISHERS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="factsheets", codename__in=codenames
            )
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Editors", "Publishers"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("factsheets", "0005_editorial_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(make_groups, remove_groups)]
