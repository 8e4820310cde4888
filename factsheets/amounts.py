"""Dollar amounts as sheets write them, and back again, with nothing rounded.

Editors type “$135.4 million”, “2.375 billion”, “135,400,000” or “$80,000”; the
database holds the exact decimal; the page says it the way it was written.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

SCALES = {
    "thousand": 10**3,
    "k": 10**3,
    "million": 10**6,
    "mn": 10**6,
    "m": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "b": 10**9,
    "trillion": 10**12,
    "tn": 10**12,
}
# The words a page uses, from the largest down; “thousand” is never used on the page.
WORDS = [(10**12, "trillion"), (10**9, "billion"), (10**6, "million")]
# Beyond three decimals (“$2.375 billion”), a scaled figure is harder to read than
# the whole number, so such an amount is written out in full.
MAX_SCALED_DECIMALS = 3
CENT = Decimal("0.01")
# The column holds 15 digits, two of them cents; no written amount is anywhere near
# this long (“U.S. $9,999,999,999,999.99 U.S. dollars” is 40 characters), and
# checking the length first keeps the pattern below from slow work on long input.
LIMIT = Decimal(10) ** 13
MAX_LENGTH = 60

AMOUNT = re.compile(
    r"""^\s*
    (?P<sign>[-−])?\s*
    (?:U\.?S\.?\s*\$|USD\s*|\$)?\s*
    (?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*
    (?:(?P<scale>thousand|million|billion|trillion|mn|bn|tn|k|m|b)\b\.?)?\s*
    (?:(?:U\.S\.\s+)?dollars|USD)?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)

HELP = (
    "As the sheet writes it: “$135.4 million”, “2.375 billion”, “135,400,000” or "
    "“$80,000”. Stored exactly, to the cent, and shown the same way."
)
INVALID = (
    "Enter an amount in dollars as the sheet writes it, such as “$135.4 million”, "
    "“2.375 billion”, “135,400,000” or “$80,000”."
)


def parse_amount(text):
    """The exact amount that `text` writes, as a Decimal in dollars and cents.

    Raises ValidationError for anything that is not an amount, or that goes
    below the cent.
    """
    if isinstance(text, (int, Decimal)):
        value = Decimal(text)
    else:
        text = str(text)
        if len(text) > MAX_LENGTH:
            raise ValidationError(INVALID, code="invalid")
        match = AMOUNT.match(text)
        if not match:
            raise ValidationError(INVALID, code="invalid")
        scale = (match["scale"] or "").lower()
        try:
            value = Decimal(match["number"].replace(",", ""))
        except InvalidOperation:
            raise ValidationError(INVALID, code="invalid") from None
        value *= SCALES.get(scale, 1)
        if match["sign"]:
            value = -value
    if not value.is_finite():  # NaN, sNaN, Infinity
        raise ValidationError(INVALID, code="invalid")
    if abs(value) >= LIMIT:
        raise ValidationError(
            "An amount must be less than $10 trillion: check the figure.",
            code="max_value",
        )
    if value != value.quantize(CENT):
        raise ValidationError(
            "An amount goes to the cent at most: check the decimals.", code="cents"
        )
    return value.quantize(CENT)


def format_amount(amount):
    """`amount` the way a reader says it: “$135.4 million”, “$2.375 billion”, “$80,000”."""
    amount = Decimal(amount)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    for size, word in WORDS:
        if amount >= size:
            scaled = (amount / size).normalize()
            if -scaled.as_tuple().exponent <= MAX_SCALED_DECIMALS:
                return f"{sign}${scaled:,f} {word}"
    if amount == amount.to_integral_value():
        return f"{sign}${amount:,.0f}"
    return f"{sign}${amount:,.2f}"


class AmountFormField(forms.DecimalField):
    """Reads an amount as written and shows a stored one the same way."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", HELP)
        super().__init__(**kwargs)
        # A text box, not type=number, so that “$” and “million” can be typed.
        self.widget.attrs.pop("step", None)
        self.widget.attrs.setdefault("spellcheck", "false")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_amount(value)

    def prepare_value(self, value):
        if isinstance(value, (int, Decimal)):
            return format_amount(value)
        return value

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (
                None if initial in self.empty_values else Decimal(initial)
            )
        except ValidationError:
            return True


class AmountField(models.DecimalField):
    """U.S. dollars to the cent, accepting amounts as sheets write them on every path."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("help_text", HELP)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value is None or isinstance(value, float):
            return super().to_python(value)
        return parse_amount(value)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": AmountFormField, **kwargs})
