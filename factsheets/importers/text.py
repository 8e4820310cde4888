"""The shapes of lines of text: is this a heading, is it in capitals."""

import re

SMALL_WORDS = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "by",
    "for",
    "in",
    "of",
    "on",
    "or",
    "the",
    "to",
    "with",
    "its",
}
# Lower-case words inside names: “Bosnia and Herzegovina”, “Timor-Leste”, “de”.
PARTICLES = {"de", "du", "des", "da", "la", "le", "van", "von", "y", "e", "al", "el"}


def looks_like_heading(text):
    """Short, unpunctuated, and in capitals or title case: “Bilateral Representation”."""
    if len(text) > 120:
        return False
    words = text.split()
    if not 1 <= len(words) <= 14:
        return False
    if re.search(r"[.:;,!?”\"]$", text) and not text.endswith("U.S."):
        return False
    letters = [c for c in text if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 1:
        return True
    significant = [
        re.sub(r"^[dl][’']", "", w.strip("()“”\"'"))  # “d’Ivoire”
        for w in words
        if re.search(r"[A-Za-z]", w)
        and w.lower().strip("()“”\"'") not in SMALL_WORDS | PARTICLES
    ]
    return bool(significant) and all(w[:1].isupper() for w in significant)


def in_capitals(text):
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 3 and all(c.isupper() for c in letters)
