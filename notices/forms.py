from django import forms

from notices.models import Kind, Preference


class PreferenceForm(forms.ModelForm):
    """One person's choice: how they get notices, and which."""

    kinds = forms.MultipleChoiceField(
        label="Tell me when",
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Untick what you do not want to hear about. “Waiting for review” "
        "goes to Publishers only.",
    )

    class Meta:
        model = Preference
        fields = ["delivery"]
        labels = {"delivery": "Send my notices"}
        widgets = {"delivery": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].initial = [
            kind for kind in Kind.values if self.instance.wants(kind)
        ]

    def save(self, commit=True):
        chosen = set(self.cleaned_data["kinds"])
        self.instance.kinds_off = [kind for kind in Kind.values if kind not in chosen]
        return super().save(commit)
