from django import forms
from django.core.exceptions import ValidationError

from alerts.models import Frequency
from factsheets.models import Bureau, Country


class SubscribeForm(forms.Form):
    """What the small form on sheet, bureau and home pages posts: an address, how
    often, and a country or a bureau (a slug), or neither for every sheet."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )
    frequency = forms.ChoiceField(
        label="How often",
        choices=Frequency.choices,
        initial=Frequency.IMMEDIATE,
        widget=forms.RadioSelect,
    )
    country = forms.SlugField(required=False, widget=forms.HiddenInput)
    bureau = forms.SlugField(required=False, widget=forms.HiddenInput)
    # Left empty by people, whose browsers do not show it; filled by form robots.
    website = forms.CharField(required=False, label="Leave this empty")

    def clean(self):
        data = super().clean()
        if data.get("country") and data.get("bureau"):
            raise ValidationError("Choose a country or a bureau, not both.")
        data["country_obj"] = data["bureau_obj"] = None
        if data.get("country"):
            data["country_obj"] = Country.objects.filter(slug=data["country"]).first()
            if data["country_obj"] is None:
                raise ValidationError("There is no fact sheet by that name to follow.")
        if data.get("bureau"):
            data["bureau_obj"] = Bureau.objects.filter(slug=data["bureau"]).first()
            if data["bureau_obj"] is None:
                raise ValidationError("There is no bureau by that name to follow.")
        return data

    @property
    def is_robot(self):
        return bool(self.cleaned_data.get("website"))


class FrequencyForm(forms.Form):
    frequency = forms.ChoiceField(label="How often", choices=Frequency.choices)
