"""No lost edits: two editors save the same sheet, one after the other and truly at
once. Exactly one save wins; the other is refused with its input kept."""

import threading

from django.db import connection
from django.test import Client, TestCase, TransactionTestCase
from django.urls import reverse

from factsheets.models import EditingSession, FactSheet
from tests.helpers.admin_forms import change_data, change_url, snapshot
from tests.helpers.factories import make_full_factsheet, make_user


def opened_form(client, sheet):
    """What an editor's browser posts back for `sheet`, as its form was opened now."""
    response = client.get(change_url(sheet))
    assert response.status_code == 200, response.status_code
    return change_data(sheet)


def resubmitted(response):
    """What the browser posts when the editor saves the form `response` shows again."""
    form = response.context["adminform"].form
    data = {key: form.data.getlist(key) for key in form.data}
    data = {
        key: values[0] if len(values) == 1 else values for key, values in data.items()
    }
    if form.conflict:
        data["conflict_version"] = str(form.conflict.version)
    data.pop("replace_saved", None)
    return data


class OneAfterTheOtherTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ana = make_user("ana", "Editors", first_name="Ana", last_name="Ruiz")
        cls.ben = make_user("ben", "Editors")

    def setUp(self):
        self.sheet = make_full_factsheet(children=2, status=FactSheet.Status.DRAFT)
        self.first, self.second = Client(), Client()
        self.first.force_login(self.ana)
        self.second.force_login(self.ben)

    def test_the_second_save_is_refused_with_its_input_kept(self):
        anas = opened_form(self.first, self.sheet)
        bens = opened_form(self.second, self.sheet)
        anas["title"] = "Ana’s title"
        anas["sections-0-body"] = "<p>Ana’s section text.</p>"
        self.assertEqual(self.first.post(change_url(self.sheet), anas).status_code, 302)
        saved = snapshot(self.sheet)

        bens["title"] = "Ben’s title"
        bens["sections-1-body"] = "<p>Ben’s section text.</p>"
        bens["officials-0-name"] = "Ben’s official"
        response = self.second.post(change_url(self.sheet), bens)
        self.assertEqual(response.status_code, 200)
        # Nothing of Ben's was written; Ana's save stands whole.
        self.assertEqual(snapshot(self.sheet), saved)
        # Ben is told who saved and when, and can see what changed.
        errors = response.context["adminform"].form.non_field_errors()
        self.assertEqual(len(errors), 1)
        self.assertIn("ana saved this sheet on", errors[0])
        self.assertIn("Nothing of yours was saved", errors[0])
        self.assertContains(response, "See what they changed")
        compare = response.context["adminform"].form.non_field_errors().as_data()[0]
        self.assertIn(
            reverse("admin:factsheets_factsheet_compare", args=[self.sheet.pk]),
            compare.message,
        )
        # His input, the inlines' too, is still in the form to reconcile.
        self.assertContains(response, 'value="Ben’s title"')
        self.assertContains(response, "Ben’s section text.")
        self.assertContains(response, 'value="Ben’s official"')

        # The form now carries the saved version, and says it was refused over it.
        again = resubmitted(response)
        self.assertEqual(
            again["base_version"], str(FactSheet.objects.get(pk=self.sheet.pk).version)
        )
        # Clicking Save again without saying so replaces nothing.
        response = self.second.post(change_url(self.sheet), again)
        self.assertContains(response, "This form still holds your version")
        self.assertEqual(snapshot(self.sheet), saved)
        # Ticked, his version replaces theirs, deliberately.
        again = resubmitted(response) | {"replace_saved": "on"}
        self.assertEqual(
            self.second.post(change_url(self.sheet), again).status_code, 302
        )
        self.assertEqual(FactSheet.objects.get(pk=self.sheet.pk).title, "Ben’s title")

    def test_rows_deleted_meanwhile_come_back_as_new_rows_not_errors(self):
        anas = opened_form(self.first, self.sheet)
        bens = opened_form(self.second, self.sheet)
        gone = self.sheet.officials.first()
        anas["officials-0-DELETE"] = "on"
        anas["related_links-1-DELETE"] = "on"
        self.assertEqual(self.first.post(change_url(self.sheet), anas).status_code, 302)
        bens["officials-0-name"] = "Ben’s official"
        bens["related_links-1-DELETE"] = "on"  # Ben deleted that one too.
        response = self.second.post(change_url(self.sheet), bens)
        self.assertContains(response, "Nothing of yours was saved")
        self.assertContains(response, "1 of the rows you had open were deleted")
        formset = next(
            f
            for f in response.context["inline_admin_formsets"]
            if f.formset.prefix == "officials"
        ).formset
        # His official is kept as a new row, after the one that still exists.
        self.assertEqual(formset.initial_form_count(), 1)
        self.assertEqual(
            [form["name"].value() for form in formset.forms],
            [self.sheet.officials.get().name, "Ben’s official"],
        )
        again = resubmitted(response) | {"replace_saved": "on"}
        self.assertEqual(
            self.second.post(change_url(self.sheet), again).status_code, 302
        )
        names = list(self.sheet.officials.values_list("name", flat=True))
        self.assertIn("Ben’s official", names)
        self.assertFalse(self.sheet.officials.filter(pk=gone.pk).exists())
        self.assertEqual(self.sheet.related_links.count(), 1)

    def test_the_difference_link_shows_what_the_other_editor_changed(self):
        anas = opened_form(self.first, self.sheet)
        bens = opened_form(self.second, self.sheet)
        anas["title"] = "Ana’s title"
        self.first.post(change_url(self.sheet), anas)
        response = self.second.post(change_url(self.sheet), bens)
        url = response.context["adminform"].form.non_field_errors().as_data()[0].message
        href = url.split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        changes = self.second.get(href).context["changes"]
        self.assertEqual(
            [(c.label, c.new) for c in changes.fields], [("Title", "Ana’s title")]
        )

    def test_a_save_that_does_not_say_its_version_is_refused(self):
        data = opened_form(self.first, self.sheet)
        data.pop("base_version")
        data["title"] = "Overwrite"
        before = snapshot(self.sheet)
        response = self.first.post(change_url(self.sheet), data)
        self.assertContains(response, "did not say which version of the sheet")
        self.assertEqual(snapshot(self.sheet), before)
        data["base_version"] = "not a number"
        response = self.first.post(change_url(self.sheet), data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(snapshot(self.sheet), before)

    def test_the_model_refuses_a_stale_copy_on_any_path(self):
        mine = FactSheet.objects.get(pk=self.sheet.pk)
        theirs = FactSheet.objects.get(pk=self.sheet.pk)
        theirs.title = "Theirs"
        theirs.save()
        mine.title = "Mine"
        with self.assertRaisesMessage(Exception, "was saved by someone else"):
            mine.save()
        self.assertEqual(FactSheet.objects.get(pk=self.sheet.pk).title, "Theirs")

    def test_the_form_says_who_else_has_it_open_without_blocking(self):
        self.first.get(change_url(self.sheet))
        response = self.second.get(change_url(self.sheet))
        self.assertContains(response, "Ana Ruiz opened this sheet for editing at")
        # Ana is told about Ben, not about herself.
        response = self.first.get(change_url(self.sheet))
        self.assertContains(response, "ben opened this sheet for editing at")
        self.assertNotContains(response, "Ana Ruiz opened")
        # Once she has saved, she no longer has it open; nobody was blocked.
        self.first.post(change_url(self.sheet), change_data(self.sheet))
        self.assertFalse(EditingSession.objects.filter(user=self.ana).exists())
        response = self.second.get(change_url(self.sheet))
        self.assertNotContains(response, "Ana Ruiz opened")

    def test_the_open_form_keeps_its_notice_alive(self):
        self.first.get(change_url(self.sheet))
        url = reverse("admin:factsheets_factsheet_editing", args=[self.sheet.pk])
        self.assertEqual(self.first.post(url).status_code, 204)
        self.assertEqual(self.first.get(url).status_code, 405)

    def test_leaving_the_form_without_saving_ends_the_notice(self):
        self.first.get(change_url(self.sheet))
        url = reverse("admin:factsheets_factsheet_editing", args=[self.sheet.pk])
        # What the page's script sends as it is left (closed, or another page).
        self.assertEqual(self.first.post(url, {"left": "1"}).status_code, 204)
        self.assertFalse(EditingSession.objects.filter(user=self.ana).exists())
        response = self.second.get(change_url(self.sheet))
        self.assertNotContains(response, "Ana Ruiz opened")


class AtOnceTests(TransactionTestCase):
    """Two signed-in editors whose saves reach the server at the same moment."""

    ROUNDS = 12

    def setUp(self):
        self.sheet = make_full_factsheet(children=2, status=FactSheet.Status.DRAFT)
        self.editors = [make_user(name, "Editors") for name in ("ana", "ben")]

    def save(self, barrier, client, data, results, i):
        """One editor's save, released together with the other's."""
        try:
            barrier.wait()
            response = client.post(change_url(self.sheet), data)
            page = response.content.decode() if response.status_code == 200 else ""
            results[i] = (response.status_code, page)
        finally:
            connection.close()

    def test_exactly_one_of_two_simultaneous_saves_wins(self):
        outcomes = []
        for round_ in range(self.ROUNDS):
            clients = []
            for editor in self.editors:
                client = Client()
                client.force_login(editor)
                clients.append(client)
            base = change_data(self.sheet)
            posts = []
            for editor in self.editors:
                data = dict(base)
                data["title"] = f"{editor.username} {round_}"
                data["sections-0-body"] = (
                    f"<p>{editor.username} wrote this in round {round_}.</p>"
                )
                posts.append(data)

            barrier = threading.Barrier(2)
            results = [None, None]
            threads = [
                threading.Thread(
                    target=self.save, args=(barrier, clients[i], posts[i], results, i)
                )
                for i in range(2)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)

            codes = sorted(code for code, _ in results)
            self.assertEqual(codes, [200, 302], f"round {round_}")
            winner = next(i for i in range(2) if results[i][0] == 302)
            loser = 1 - winner
            sheet = FactSheet.objects.get(pk=self.sheet.pk)
            name = self.editors[winner].username
            # The winner's whole save is there, sheet and rows; nothing of the loser's.
            self.assertEqual(sheet.title, f"{name} {round_}")
            self.assertEqual(
                sheet.sections.order_by("position", "pk").first().body,
                f"<p>{name} wrote this in round {round_}.</p>",
            )
            page = results[loser][1]
            self.assertIn("Nothing of yours was saved", page)
            self.assertIn(f'value="{self.editors[loser].username} {round_}"', page)
            outcomes.append(name)
        # Both orders happened, or at least the test ran every round.
        self.assertEqual(len(outcomes), self.ROUNDS)
