"""Names in old sheets matched to the countries and bureaus in the database."""

import re
import unicodedata

from factsheets.importers.text import SMALL_WORDS
from factsheets.models import Bureau, Country

ACRONYMS = {
    "U.S.",
    "US",
    "USA",
    "UN",
    "EU",
    "NATO",
    "USAID",
    "MCC",
    "PEPFAR",
    "DPRK",
    "ASEAN",
    "AU",
    "ECOWAS",
    "OAS",
    "OSCE",
    "WTO",
    "IMF",
    "UAE",
    "UK",
    "COVID-19",
}


def key(name):
    """`name` reduced for matching: no accents, case, curly quotes, “the”, or “St.”."""
    name = unicodedata.normalize("NFKD", name)
    name = "".join(c for c in name if not unicodedata.combining(c))
    name = name.replace("’", "'").replace("‘", "'").replace("`", "'").casefold()
    name = name.replace("&", " and ")
    name = re.sub(r"\bst\.?\s", "saint ", name)
    name = re.sub(r"[^\w' -]", " ", name)
    name = re.sub(r"\s+", " ", name).strip()
    return re.sub(r"^the ", "", name)


def variants(name):
    """`name`, and the plain order of an inverted one (“Congo, Republic of the”)."""
    yield name
    if "," in name:
        first, _, rest = name.partition(",")
        yield f"{rest.strip()} {first.strip()}"


class Names:
    """Every country and bureau, by every name they go by, loaded once per import."""

    def __init__(self):
        # Each key, the country it names and which of its names it came from (for
        # the import's report: “Swaziland” for Eswatini).
        self.countries = {}
        self.all_countries = list(Country.objects.select_related("bureau"))
        for country in self.all_countries:
            for name in country.all_names:
                for variant in variants(name):
                    self.countries.setdefault(key(variant), (country, name))
        self.bureaus = {key(bureau.name): bureau for bureau in Bureau.objects.all()}

    def match(self, text):
        """The country `text` names and the name of it that matched, or (None, "")."""
        text = re.sub(r"\s+(?:country\s+)?page$", "", text.strip(), flags=re.I)
        for variant in variants(text):
            found = self.countries.get(key(variant))
            if found:
                return found
        return None, ""

    def country(self, text):
        """The country `text` names, or None."""
        return self.match(text)[0]

    def bureau(self, text):
        return self.bureaus.get(key(text))


def title_case(heading, country=None):
    """A heading written in capitals, in title case: “U.S.-PERU RELATIONS” → “U.S.-Peru Relations”."""

    def word(w, first):
        if w.upper() in ACRONYMS or re.fullmatch(r"[A-Z]\.(?:[A-Z]\.)+", w):
            return w.upper() if w.upper() != "US" else w
        parts = re.split(r"([-/–])", w)
        out = []
        for i, part in enumerate(parts):
            if part in "-/–" or not part:
                out.append(part)
            elif part.upper() in ACRONYMS:
                out.append(part.upper())
            elif re.match(r"^[dl][’']", part, re.I):
                out.append(part[:2].lower() + part[2:].capitalize())
            elif not first and i == 0 and part.lower() in SMALL_WORDS:
                out.append(part.lower())
            else:
                out.append(part[:1].upper() + part[1:].lower())
        return "".join(out)

    words = heading.split(" ")
    result = " ".join(word(w, i == 0) for i, w in enumerate(words))
    if country:
        # The country's own spelling (“Cote d'Ivoire”, “Saint Kitts and Nevis”).
        names = {
            re.sub(r"^The ", "", name)
            for name in [country.name, *country.other_names.splitlines()]
            if name.strip()
        }
        for name in sorted(names, key=lambda n: (-len(n), n)):
            result = re.sub(
                rf"(?<!\w){re.escape(name.strip())}(?!\w)",
                name.strip(),
                result,
                flags=re.I,
            )
    return result
