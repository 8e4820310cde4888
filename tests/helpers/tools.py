"""The outside tools some tests run: Chromium, pdftotext, zbarimg, axe-core, the Nu
Html Checker, Redis."""

import os

import pytest


def missing(reason):
    """Skip where the tool is not installed, but fail under CI, which must have it."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must install it: see .ci/run)", pytrace=False)
    pytest.skip(reason)
