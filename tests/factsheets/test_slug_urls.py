"""Lists link to every country by a pattern reversed once (factsheets/slug_urls.py):
the addresses must be exactly what reverse() gives."""

from django.test import SimpleTestCase, override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from factsheets.slug_urls import reverse_slug

urlpatterns = []  # a URLconf without the site's addresses, for the test below


class ReverseSlugTests(SimpleTestCase):
    def test_gives_what_reverse_gives(self):
        for slug in ["mali", "cote-d-ivoire", "x_1", "A"]:
            self.assertEqual(
                reverse_slug("factsheets:detail", slug, kwarg="country_slug"),
                reverse("factsheets:detail", kwargs={"country_slug": slug}),
            )
            self.assertEqual(
                reverse_slug("factsheets:bureau", slug),
                reverse("factsheets:bureau", kwargs={"slug": slug}),
            )

    def test_follows_the_script_prefix(self):
        reverse_slug("factsheets:detail", "mali", kwarg="country_slug")  # remembered
        set_script_prefix("/state/")
        self.addCleanup(clear_script_prefix)
        self.assertEqual(
            reverse_slug("factsheets:detail", "mali", kwarg="country_slug"),
            "/state/fact-sheets/mali/",
        )

    def test_follows_a_changed_urlconf(self):
        reverse_slug("factsheets:detail", "mali", kwarg="country_slug")  # remembered
        with override_settings(ROOT_URLCONF=__name__):
            with self.assertRaises(NoReverseMatch):
                reverse_slug("factsheets:detail", "mali", kwarg="country_slug")

    def test_refuses_what_reverse_refuses(self):
        for slug in ["", "a b", "a/b", "mali?x=1"]:
            with self.assertRaises(NoReverseMatch):
                reverse_slug("factsheets:detail", slug, kwarg="country_slug")
