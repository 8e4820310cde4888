"""Who is told of a review step, and of what. Never the person who took the step,
and only active staff with an email address."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from reversion.models import Version

from factsheets import roles
from factsheets.models import FactSheet, ReviewStep
from notices.models import Kind

Action = ReviewStep.Action


def who_is_told(step):
    """[(kind, user)] for the step, each user once."""
    if step.action == Action.SUBMITTED:
        found = [(Kind.REVIEW_WAITING, user) for user in publishers()]
    elif step.action in (Action.PUBLISHED, Action.SCHEDULED):
        found = [(Kind.APPROVED, user) for user in submitter(step)]
    elif step.action == Action.CHANGES_REQUESTED:
        found = [(Kind.CHANGES_REQUESTED, user) for user in submitter(step)]
    elif step.action == Action.WENT_LIVE:
        found = [(Kind.WENT_LIVE, user) for user in recent_editors(step.factsheet_id)]
    elif step.action == Action.EXPIRED:
        found = [(Kind.EXPIRED, user) for user in recent_editors(step.factsheet_id)]
    else:
        found = []
    return [(kind, user) for kind, user in found if user.pk != step.by_id]


def reachable():
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .exclude(email="")
        .order_by("pk")
    )


def publishers():
    """Everyone who may publish, as the change form names them to a submitter."""
    return roles.publishers().exclude(email="")


def submitter(step):
    """Who submitted what this step answers (nobody for a step that answers none)."""
    if step.answers_id is None:
        return []
    return reachable().filter(
        pk__in=ReviewStep.objects.filter(pk=step.answers_id).values("by")
    )


def recent_editors(factsheet_id):
    """Whoever saved a revision of the sheet in the last NOTICES_RECENT_EDITOR_DAYS."""
    since = timezone.now() - timedelta(days=settings.NOTICES_RECENT_EDITOR_DAYS)
    saves = Version.objects.get_for_object_reference(FactSheet, factsheet_id).filter(
        revision__date_created__gte=since
    )
    return reachable().filter(pk__in=saves.values("revision__user"))
