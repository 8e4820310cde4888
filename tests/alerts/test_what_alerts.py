"""What sends an alert, through the sheet operations an editor's actions run: a new
edition published (at once or at its scheduled time), a major change with its note,
a sheet withdrawn; never a minor change, a draft or a sheet scheduled for later."""

import datetime

from django.test import TestCase
from django.utils import timezone

from alerts.models import Alert
from factsheets import sheet_operations
from factsheets.models import FactSheet
from tests.helpers.alerts import make_live_mali, make_publisher
from tests.helpers.factories import make_full_factsheet, make_user

Kind = Alert.Kind


class WhatAlertsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("ed", "Editors", email="ed@example.org")
        cls.publisher = make_publisher()
        cls.sheet = make_live_mali()

    def alerts(self):
        return list(
            Alert.objects.order_by("pk").values_list("kind", "factsheet_id", "note")
        )

    def new_edition(self, day=datetime.date(2016, 3, 1)):
        draft = sheet_operations.new_edition(self.sheet, day, by=self.editor)
        return FactSheet.objects.get(pk=draft.pk)

    def test_a_major_change_is_told_with_its_note(self):
        sheet_operations.save(
            self.sheet,
            by=self.publisher,
            change=sheet_operations.Change("New figures for FY 2015."),
        )
        self.assertEqual(
            self.alerts(),
            [(Kind.MAJOR_CHANGE, self.sheet.pk, "New figures for FY 2015.")],
        )
        alert = Alert.objects.get()
        self.assertEqual(
            (alert.country, alert.bureau), (self.sheet.country, self.sheet.bureau)
        )

    def test_a_minor_change_is_not(self):
        sheet_operations.save(
            self.sheet, by=self.publisher, change=sheet_operations.MINOR
        )
        self.assertEqual(self.alerts(), [])

    def test_drafts_and_review_steps_are_not(self):
        draft = self.new_edition()
        sheet_operations.save(draft, by=self.editor)
        sheet_operations.submit_for_review(
            FactSheet.objects.get(pk=draft.pk), by=self.editor
        )
        self.assertEqual(self.alerts(), [])

    def test_a_new_edition_published_is_told(self):
        draft = self.new_edition()
        sheet_operations.publish(draft, by=self.publisher)
        self.assertEqual(self.alerts(), [(Kind.PUBLISHED, draft.pk, "")])

    def test_a_scheduled_edition_is_told_when_it_goes_live_not_before(self):
        draft = self.new_edition()
        goes_live = timezone.now() + datetime.timedelta(hours=2)
        sheet_operations.publish(draft, by=self.publisher, at=goes_live)
        sheet_operations.record_scheduled_changes(now=timezone.now())
        self.assertEqual(self.alerts(), [])
        sheet_operations.record_scheduled_changes(
            now=goes_live + datetime.timedelta(minutes=1)
        )
        self.assertEqual(self.alerts(), [(Kind.PUBLISHED, draft.pk, "")])
        # The worker's next round records nothing twice.
        sheet_operations.record_scheduled_changes(
            now=goes_live + datetime.timedelta(minutes=2)
        )
        self.assertEqual(len(self.alerts()), 1)

    def test_an_older_edition_published_behind_the_current_one_is_not(self):
        older = make_full_factsheet(
            country=self.sheet.country,
            issued_on=datetime.date(2014, 1, 1),
            status=FactSheet.Status.DRAFT,
        )
        sheet_operations.publish(older, by=self.publisher)
        self.assertEqual(self.alerts(), [])

    def test_a_sheet_that_expires_with_no_edition_after_it_is_withdrawn(self):
        expiry = timezone.now() + datetime.timedelta(hours=1)
        FactSheet.objects.filter(pk=self.sheet.pk).update(expires_at=expiry)
        self.record_published_step()
        sheet_operations.record_scheduled_changes(
            now=expiry + datetime.timedelta(minutes=1)
        )
        self.assertEqual(self.alerts(), [(Kind.WITHDRAWN, self.sheet.pk, "")])

    def test_an_edition_that_expires_behind_a_newer_one_is_not_withdrawn(self):
        newer = self.new_edition()
        sheet_operations.publish(newer, by=self.publisher)
        Alert.objects.all().delete()
        expiry = timezone.now() + datetime.timedelta(hours=1)
        FactSheet.objects.filter(pk=self.sheet.pk).update(expires_at=expiry)
        self.record_published_step()
        sheet_operations.record_scheduled_changes(
            now=expiry + datetime.timedelta(minutes=1)
        )
        self.assertEqual(self.alerts(), [])

    def record_published_step(self):
        # The factory publishes by setting the state; an expiry is recorded only
        # for a sheet released by a step, as every sheet the admin publishes is.
        from factsheets.models import ReviewStep

        ReviewStep.objects.create(
            factsheet=self.sheet,
            action=ReviewStep.Action.PUBLISHED,
            by=self.publisher,
            at=timezone.now() - datetime.timedelta(days=1),
        )
