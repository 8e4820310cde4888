"""Review through the real admin, as each role uses it: what the change form offers,
what each button does and says, what another role's forged post gets, and the
sheet's history and list."""

import datetime
import re

from django.contrib.auth.models import Permission, User
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from factsheets import sheet_operations
from factsheets.models import FactSheet, ReviewStep
from factsheets.revisions import sheet_versions
from tests.helpers.admin_forms import (
    change_data,
    change_url,
    full_rows,
    sheet_form_data,
    snapshot,
)
from tests.helpers.factories import (
    make_country,
    make_factsheet,
    make_full_factsheet,
    make_user,
)

Action = ReviewStep.Action


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


class ReviewAdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", "Editors", first_name="Ann", last_name="Lee")
        cls.publisher = make_user(
            "publisher", "Publishers", first_name="Pat", last_name="Ng"
        )
        cls.other_publisher = make_user("other", "Publishers")
        make_user("retired", "Publishers", is_active=False)
        cls.admin = User.objects.create_superuser("admin", "a@example.gov", "pw")

    def draft_by(self, user):
        sheet = make_full_factsheet(status=FactSheet.Status.DRAFT)
        sheet.lead = f"Written by {user}."
        sheet_operations.save(sheet, by=user)
        return FactSheet.objects.get(pk=sheet.pk)

    def in_review(self, message="Figures updated."):
        sheet = self.draft_by(self.editor)
        sheet_operations.submit_for_review(sheet, by=self.editor, message=message)
        return FactSheet.objects.get(pk=sheet.pk)

    def post(self, user, sheet, **fields):
        self.client.force_login(user)
        return self.client.post(change_url(sheet), change_data(sheet, **fields))


class EditorTests(ReviewAdminTestCase):
    def test_an_editor_sees_who_publishes_and_a_submit_button(self):
        sheet = self.draft_by(self.editor)
        self.client.force_login(self.editor)
        response = self.client.get(change_url(sheet))
        self.assertContains(response, 'name="_submit_for_review"', count=2)
        self.assertContains(response, 'name="review_message"')
        self.assertContains(
            response,
            "A publisher reviews the sheet and publishes it, or sends it back with a "
            "comment. Publishers: admin, other, Pat Ng.",
        )
        self.assertNotContains(response, "retired")
        self.assertNotContains(response, 'name="_publish"')
        self.assertNotContains(response, 'name="_request_changes"')
        self.assertNotContains(response, 'name="override_review"')

    def test_a_new_sheet_can_be_submitted_from_the_add_form(self):
        self.client.force_login(self.editor)
        response = self.client.get(reverse("admin:factsheets_factsheet_add"))
        self.assertContains(response, 'name="_submit_for_review"', count=2)
        self.assertContains(response, "Not submitted for review yet.")

    def test_an_editor_submits_a_draft_with_a_message(self):
        sheet = self.draft_by(self.editor)
        response = self.post(
            self.editor,
            sheet,
            review_message="Please check the aid table.",
            _submit_for_review="Save and submit for review",
        )
        self.assertRedirects(
            response,
            reverse("admin:factsheets_factsheet_changelist"),
            fetch_redirect_response=False,
        )
        sheet.refresh_from_db()
        self.assertEqual(sheet.status, FactSheet.Status.IN_REVIEW)
        step = sheet.review_steps.get()
        self.assertEqual(
            (step.action, step.by, step.message),
            (Action.SUBMITTED, self.editor, "Please check the aid table."),
        )
        page = self.client.get(response.url)
        self.assertIn(
            f"Sent for review: “{sheet}” waits for a publisher to publish it or send "
            "it back.",
            messages_of(page),
        )

    def test_an_editor_edits_and_submits_in_one_go(self):
        sheet = self.draft_by(self.publisher)
        self.post(self.editor, sheet, lead="Rewritten.", _submit_for_review="Submit")
        sheet.refresh_from_db()
        self.assertEqual(
            (sheet.status, sheet.lead, sheet.content_changed_by),
            (FactSheet.Status.IN_REVIEW, "Rewritten.", self.editor),
        )

    def test_an_incomplete_draft_is_not_submitted_and_the_page_says_why(self):
        sheet = make_factsheet(status=FactSheet.Status.DRAFT)
        before = snapshot(sheet)
        response = self.post(
            self.editor, sheet, title="Mine", _submit_for_review="Submit"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["adminform"].form.non_field_errors(),
            ["This sheet cannot be published yet. It needs at least one section."],
        )
        self.assertContains(response, 'value="Mine"')
        self.assertEqual(snapshot(sheet), before)

    def test_an_editor_sees_a_submission_but_no_review_buttons(self):
        sheet = self.in_review()
        self.client.force_login(self.editor)
        response = self.client.get(change_url(sheet))
        self.assertContains(response, "<strong>In review.</strong>", html=True)
        self.assertContains(response, "By Ann Lee on ")
        self.assertContains(response, ", with the message “Figures updated.”")
        self.assertNotContains(response, 'name="_submit_for_review"')
        self.assertNotContains(response, 'name="_publish"')
        self.assertNotContains(response, 'name="_request_changes"')
        self.assertNotContains(response, 'name="review_comment"')

    def test_an_editors_forged_review_posts_are_refused_with_the_reason(self):
        sheet = self.in_review()
        forgeries = {
            "publish": (
                {"_publish": "Save and publish"},
                "Only publishers may publish or schedule a sheet.",
            ),
            "request changes": (
                {"_request_changes": "Request changes", "review_comment": "No."},
                "Only publishers may request changes on a sheet in review.",
            ),
            "comment only": (
                {"review_comment": "No."},
                "Only publishers may request changes on a sheet in review.",
            ),
            "override": (
                {"override_review": "on"},
                "Only an administrator may publish past the second pair of eyes.",
            ),
        }
        for name, (fields, reason) in forgeries.items():
            with self.subTest(name):
                before = snapshot(sheet)
                steps = list(ReviewStep.objects.values())
                response = self.post(self.editor, sheet, title="Forged", **fields)
                self.assertContains(
                    response, f"<strong>{reason}</strong>", status_code=403
                )
                self.assertEqual(snapshot(sheet), before)
                self.assertEqual(list(ReviewStep.objects.values()), steps)

    def test_an_account_that_may_only_add_sheets_cannot_submit_one(self):
        # Adding is not changing: roles.can_submit() asks for the change permission.
        adder = make_user("adder")
        adder.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="factsheets", codename__startswith="add_"
            )
        )
        self.client.force_login(adder)
        data = sheet_form_data(
            {"country": str(make_country().pk), "issued_on": "2026-11-01"},
            **full_rows(),
        )
        response = self.client.post(
            reverse("admin:factsheets_factsheet_add"),
            {**data, "_submit_for_review": "Save and submit for review"},
        )
        self.assertContains(
            response,
            "<strong>Only those who may change drafts may submit one for "
            "review.</strong>",
            status_code=403,
        )
        self.assertFalse(FactSheet.objects.exists())

    def test_a_publishers_forged_override_is_refused_with_the_reason(self):
        sheet = self.draft_by(self.publisher)
        before = snapshot(sheet)
        response = self.post(
            self.publisher, sheet, _publish="Save and publish", override_review="on"
        )
        self.assertContains(
            response,
            "<strong>Only an administrator may publish past the second pair of "
            "eyes.</strong>",
            status_code=403,
        )
        self.assertEqual(snapshot(sheet), before)

    def test_an_edit_in_review_keeps_it_in_review(self):
        sheet = self.in_review()
        response = self.post(self.editor, sheet, lead="Clearer.", _continue="1")
        self.assertEqual(response.status_code, 302)
        sheet.refresh_from_db()
        self.assertEqual(sheet.status, FactSheet.Status.IN_REVIEW)
        self.assertEqual(
            sheet_versions(sheet).first().revision.comment,
            "Saved. Changed while in review.",
        )

    def test_a_save_that_changed_nothing_records_no_author(self):
        sheet = self.draft_by(self.editor)
        changed_at = sheet.content_changed_at
        response = self.post(self.publisher, sheet, _continue="1")
        self.assertEqual(response.status_code, 302)
        sheet.refresh_from_db()
        self.assertEqual(
            (sheet.content_changed_by, sheet.content_changed_at, sheet.updated_by),
            (self.editor, changed_at, self.publisher),
        )

    def test_a_row_changed_alone_records_its_author(self):
        sheet = self.draft_by(self.editor)
        data = change_data(sheet)
        data["sections-0-body"] = "<p>A new paragraph.</p>"
        self.client.force_login(self.other_publisher)
        self.assertEqual(self.client.post(change_url(sheet), data).status_code, 302)
        sheet.refresh_from_db()
        self.assertEqual(sheet.content_changed_by, self.other_publisher)


class PublisherTests(ReviewAdminTestCase):
    def test_a_publisher_sees_the_submission_and_both_answers(self):
        sheet = self.in_review()
        self.client.force_login(self.publisher)
        response = self.client.get(change_url(sheet))
        self.assertContains(response, "By Ann Lee on ")
        self.assertContains(response, ", with the message “Figures updated.”")
        self.assertContains(response, 'name="_publish"', count=2)
        self.assertContains(response, 'name="publish_time_0"')
        self.assertContains(response, 'name="_request_changes"', count=2)
        self.assertContains(response, 'name="review_comment"')
        self.assertNotContains(response, 'name="_submit_for_review"')
        self.assertNotContains(response, 'name="override_review"')
        self.assertNotContains(response, "Changed since it was submitted")

    def test_the_submitters_message_and_name_are_escaped(self):
        sheet = self.in_review(message="<script>alert(1)</script> & <b>look</b>")
        self.editor.first_name = "<i>Ann</i>"
        self.editor.save()
        self.client.force_login(self.publisher)
        response = self.client.get(change_url(sheet))
        self.assertContains(
            response,
            "By &lt;i&gt;Ann&lt;/i&gt; Lee on ",
        )
        self.assertContains(
            response,
            "“&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;look&lt;/b&gt;”",
        )
        self.assertNotContains(response, "<script>alert(1)")

    def test_a_publisher_publishes_what_was_submitted(self):
        sheet = self.in_review()
        response = self.post(self.publisher, sheet, _publish="Save and publish")
        self.assertEqual(response.status_code, 302)
        sheet.refresh_from_db()
        self.assertTrue(sheet.is_live)
        step = sheet.review_steps.first()
        self.assertEqual(
            (step.action, step.by, step.answers.action),
            (Action.PUBLISHED, self.publisher, Action.SUBMITTED),
        )
        self.assertIn(
            f"“{sheet}” is published.", messages_of(self.client.get(response.url))
        )

    def test_a_publisher_schedules_what_was_submitted(self):
        sheet = self.in_review()
        later = timezone.localtime(timezone.now() + datetime.timedelta(days=2))
        response = self.post(
            self.publisher,
            sheet,
            _publish="Save and publish",
            publish_time_0=later.date().isoformat(),
            publish_time_1="09:00:00",
        )
        self.assertEqual(response.status_code, 302)
        sheet.refresh_from_db()
        self.assertEqual(sheet.public_state(), FactSheet.PublicState.SCHEDULED)
        self.assertEqual(sheet.review_steps.first().action, Action.SCHEDULED)

    def test_a_request_for_changes_needs_a_comment(self):
        sheet = self.in_review()
        before = snapshot(sheet)
        response = self.post(self.publisher, sheet, _request_changes="Request changes")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["adminform"].form.errors["review_comment"],
            [
                "Say what needs changing: “Request changes” sends the sheet back to "
                "its author with this comment."
            ],
        )
        self.assertEqual(snapshot(sheet), before)

    def test_a_request_for_changes_on_a_sheet_no_longer_in_review_is_refused(self):
        # A page opened while the sheet was in review; another publisher has
        # sent it back since.
        sheet = self.in_review()
        sheet_operations.request_changes(sheet, by=self.other_publisher, comment="A.")
        before = snapshot(sheet)
        response = self.post(
            self.publisher,
            sheet,
            review_comment="B.",
            _request_changes="Request changes",
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["adminform"].form.non_field_errors(),
            [f"“{sheet}” is not in review, so no changes can be requested on it."],
        )
        self.assertEqual(snapshot(sheet), before)

    def test_a_request_for_changes_sends_the_sheet_back_with_the_comment(self):
        sheet = self.in_review()
        response = self.post(
            self.publisher,
            sheet,
            review_comment="The 2016 figure is wrong.",
            _request_changes="Request changes",
        )
        self.assertEqual(response.status_code, 302)
        sheet.refresh_from_db()
        self.assertEqual(sheet.status, FactSheet.Status.DRAFT)
        step = sheet.review_steps.first()
        self.assertEqual(
            (step.action, step.by, step.message),
            (Action.CHANGES_REQUESTED, self.publisher, "The 2016 figure is wrong."),
        )
        self.assertIn(
            f"Changes requested: “{sheet}” is a draft again, with your comment for "
            "Ann Lee.",
            messages_of(self.client.get(response.url)),
        )
        self.assertEqual(list(FactSheet.objects.sent_back_to(self.editor)), [sheet])
        # The author reads the comment on the sheet's page.
        self.client.force_login(self.editor)
        self.assertContains(
            self.client.get(change_url(sheet)),
            "Changes requested by Pat Ng on ",
        )
        self.assertContains(
            self.client.get(change_url(sheet)), ": “The 2016 figure is wrong.”"
        )

    def test_a_publisher_may_not_publish_their_own_change(self):
        sheet = self.in_review()
        before = snapshot(sheet)
        response = self.post(
            self.publisher, sheet, lead="My own words.", _publish="Save and publish"
        )
        self.assertEqual(response.status_code, 200)
        [error] = response.context["adminform"].form.non_field_errors()
        self.assertRegex(
            error,
            r"^You \(Pat Ng\) made the last change to the content of “.*”, on .*: a "
            r"second pair of eyes must publish it\. Ask another publisher to review "
            r"and publish it\.$",
        )
        self.assertContains(response, "My own words.</textarea>")
        self.assertNotContains(response, 'name="override_review"')
        self.assertEqual(snapshot(sheet), before)

    def test_the_author_is_told_on_the_page_before_trying(self):
        sheet = self.in_review()
        sheet.lead = "Changed by the publisher."
        sheet_operations.save(sheet, by=self.publisher)
        self.client.force_login(self.publisher)
        response = self.client.get(change_url(sheet))
        self.assertContains(
            response, "<strong>Changed since it was submitted</strong> (by Pat Ng on"
        )
        self.assertContains(
            response, "a second pair of eyes must publish it. Ask another publisher"
        )
        self.assertEqual(list(FactSheet.objects.awaiting_review_by(self.publisher)), [])

    def test_a_publisher_who_wrote_a_draft_reads_why_before_trying(self):
        sheet = self.draft_by(self.publisher)
        self.client.force_login(self.publisher)
        response = self.client.get(change_url(sheet))
        self.assertContains(
            response,
            "You (Pat Ng) made the last change to the content of ",
            count=1,
        )
        self.assertContains(
            response, "Ask another publisher to review and publish it, or submit it"
        )
        # Nobody else is told so: another publisher may publish it.
        self.client.force_login(self.other_publisher)
        self.assertNotContains(
            self.client.get(change_url(sheet)), "made the last change to the content"
        )

    def test_a_refusal_just_made_is_said_once(self):
        sheet = self.draft_by(self.publisher)
        response = self.post(self.publisher, sheet, _publish="Save and publish")
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response, "made the last change to the content of ", count=1
        )

    @override_settings(REVIEW_SECOND_PAIR_OF_EYES=False)
    def test_with_the_rule_off_a_publisher_publishes_their_own_change(self):
        sheet = self.in_review()
        response = self.post(
            self.publisher, sheet, lead="My own words.", _publish="Save and publish"
        )
        self.assertEqual(response.status_code, 302)
        sheet.refresh_from_db()
        self.assertEqual((sheet.lead, sheet.is_live), ("My own words.", True))

    def test_changes_since_submission_are_shown_with_a_comparison(self):
        sheet = self.in_review()
        self.post(self.editor, sheet, lead="Changed after submitting.", _continue="1")
        self.client.force_login(self.publisher)
        response = self.client.get(change_url(sheet))
        self.assertContains(
            response, "<strong>Changed since it was submitted</strong> (by Ann Lee on"
        )
        [link] = re.findall(
            r'href="([^"]*/revisions/compare/[^"]*)"', response.content.decode()
        )
        comparison = self.client.get(link.replace("&amp;", "&"))
        # From the sheet as submitted to the sheet as it is now.
        self.assertEqual(
            (
                comparison.context["old"].revision.comment,
                comparison.context["new"].revision.comment,
            ),
            (
                "Submitted for review: Figures updated.",
                "Saved. Changed while in review.",
            ),
        )
        self.assertContains(comparison, "Lead line")

    def test_the_list_shows_and_filters_sheets_in_review(self):
        sheet = self.in_review()
        draft = self.draft_by(self.editor)
        self.client.force_login(self.publisher)
        url = reverse("admin:factsheets_factsheet_changelist")
        response = self.client.get(url, {"status__exact": "in_review"})
        self.assertEqual(list(response.context["cl"].result_list), [sheet])
        self.assertContains(
            response, '<td class="field-state">In review</td>', html=True
        )
        self.assertContains(response, "?status__exact=in_review")
        self.assertNotIn(draft, response.context["cl"].result_list)

    def test_the_history_lists_every_step_with_who(self):
        sheet = self.in_review(message="First try.")
        self.post(
            self.publisher,
            sheet,
            review_comment="Add the 2017 figures.",
            _request_changes="Request changes",
        )
        self.post(self.editor, sheet, _submit_for_review="Submit")
        self.post(self.publisher, sheet, _publish="Save and publish")
        self.client.force_login(self.editor)
        response = self.client.get(
            reverse("admin:factsheets_factsheet_history", args=[sheet.pk])
        )
        rows = [
            (version.revision.user.get_username(), version.revision.comment)
            for version in response.context["versions"][:4]
        ]
        self.assertEqual(
            rows,
            [
                ("publisher", "Published."),
                ("editor", "Submitted for review."),
                ("publisher", "Changes requested: Add the 2017 figures."),
                ("editor", "Submitted for review: First try."),
            ],
        )
        self.assertContains(response, "Changes requested: Add the 2017 figures.")

    def test_a_scheduled_sheet_changed_on_its_page_goes_back_to_review(self):
        sheet = self.in_review()
        later = timezone.now() + datetime.timedelta(days=2)
        sheet_operations.publish(sheet, by=self.publisher, at=later)
        sheet = FactSheet.objects.get(pk=sheet.pk)
        response = self.post(self.publisher, sheet, lead="Changed after approval.")
        self.assertEqual(response.status_code, 302)
        stored = FactSheet.objects.get(pk=sheet.pk)
        self.assertEqual(
            (stored.status, stored.publish_at, stored.lead),
            (FactSheet.Status.IN_REVIEW, None, "Changed after approval."),
        )
        shown = messages_of(self.client.get(change_url(sheet)))
        self.assertIn(
            f"“{stored}” was scheduled. Changed before it went live, it is back in "
            "review: another publisher sees the change and schedules it again.",
            shown,
        )

    def test_a_scheduled_sheet_saved_unchanged_stays_scheduled(self):
        sheet = self.in_review()
        later = (timezone.now() + datetime.timedelta(days=2)).replace(microsecond=0)
        sheet_operations.publish(sheet, by=self.publisher, at=later)
        sheet = FactSheet.objects.get(pk=sheet.pk)
        self.assertEqual(self.post(self.publisher, sheet).status_code, 302)
        stored = FactSheet.objects.get(pk=sheet.pk)
        self.assertEqual(stored.public_state(), FactSheet.PublicState.SCHEDULED)


class SuperuserTests(ReviewAdminTestCase):
    def test_the_override_is_offered_only_when_the_rule_would_refuse(self):
        self.client.force_login(self.admin)
        mine = self.draft_by(self.admin)
        response = self.client.get(change_url(mine))
        self.assertContains(response, 'name="override_review"', count=1)
        self.assertContains(
            response, "You made the last change to this sheet’s content"
        )
        theirs = self.draft_by(self.editor)
        self.assertNotContains(
            self.client.get(change_url(theirs)), 'name="override_review"'
        )

    def test_refused_then_overridden_and_recorded(self):
        sheet = self.in_review()
        before = snapshot(sheet)
        response = self.post(
            self.admin, sheet, lead="Fixed by the admin.", _publish="Save and publish"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "a second pair of eyes must publish it",
            response.context["adminform"].form.non_field_errors()[0],
        )
        # The page now offers the override, the admin's input still in the form.
        self.assertContains(response, 'name="override_review"', count=1)
        self.assertContains(response, "Fixed by the admin.</textarea>")
        self.assertEqual(snapshot(sheet), before)

        response = self.post(
            self.admin,
            sheet,
            lead="Fixed by the admin.",
            override_review="on",
            _publish="Save and publish",
        )
        self.assertEqual(response.status_code, 302)
        sheet.refresh_from_db()
        self.assertEqual((sheet.lead, sheet.is_live), ("Fixed by the admin.", True))
        step = sheet.review_steps.first()
        self.assertEqual((step.action, step.overridden), (Action.PUBLISHED, True))
        self.assertIn(
            f"“{sheet}” is published. You published it past the second pair of eyes; "
            "its history records that.",
            messages_of(self.client.get(response.url)),
        )
        self.assertEqual(
            sheet_versions(sheet).first().revision.comment,
            "Published. admin published past the second-pair-of-eyes rule, as the "
            "last person who changed the content.",
        )

    def test_a_new_sheet_an_administrator_publishes_at_once_needs_the_override(self):
        self.client.force_login(self.admin)
        url = reverse("admin:factsheets_factsheet_add")
        data = sheet_form_data(
            {"country": str(make_country().pk), "issued_on": "2026-11-01"},
            **full_rows(),
        )
        response = self.client.post(url, {**data, "_publish": "Save and publish"})
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "a second pair of eyes must publish it",
            response.context["adminform"].form.non_field_errors()[0],
        )
        self.assertContains(response, 'name="override_review"', count=1)
        self.assertFalse(FactSheet.objects.exists())

        response = self.client.post(
            url, {**data, "_publish": "Save and publish", "override_review": "on"}
        )
        self.assertEqual(response.status_code, 302)
        sheet = FactSheet.objects.get()
        self.assertTrue(sheet.is_live)
        self.assertTrue(sheet.review_steps.get().overridden)
