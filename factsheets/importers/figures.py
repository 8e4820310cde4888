"""U.S. assistance figures in a sheet's text, and only those.

A sheet's prose mentions many dollar amounts: U.S. assistance, but also two-way
trade, investment, remittances, a partner government's own share of a program,
other donors' money. Each amount is read with its own clause: what it is, whose
money, for which period. A figure is kept only when all of that is clear; every
other amount is named in the report with the reason it was left out, because a
false line in the table is worse than a missing one.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from factsheets.amounts import format_amount

NUMBER_WORDS = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
SCALE = {
    "thousand": 10**3,
    "million": 10**6,
    "mn": 10**6,
    "m": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "b": 10**9,
    "trillion": 10**12,
}
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
MONEY = re.compile(
    rf"""
    (?:US\s?\$|U\.S\.\s?\$|USD\s?|\$)\s?(?P<num>{NUMBER})
        (?P<range>\s?(?:[-–]|to)\s?\$?\s?\d)?
        (?:\s?(?P<scale>trillion|billion|million|thousand|bn|mn|m|b)\b)?
        (?:\s(?:U\.S\.\s)?dollars)?
    | (?P<num2>{NUMBER}|one|two|three|four|five|six|seven|eight|nine|ten|a)
        \s(?P<scale2>trillion|billion|million)\s(?:U\.S\.\s)?(?:dollars|USD)\b
    """,
    re.VERBOSE | re.IGNORECASE,
)
QUALIFIERS = [
    ("more than", "more than"),
    ("in excess of", "more than"),
    ("exceeding", "more than"),
    ("exceeded", "more than"),
    ("exceeds", "more than"),
    ("well over", "over"),
    ("over", "over"),
    ("at least", "at least"),
    ("approximately", "approximately"),
    ("an estimated", "approximately"),
    ("roughly", "roughly"),
    ("about", "about"),
    ("some", "some"),
    ("nearly", "nearly"),
    ("almost", "almost"),
    ("just under", "nearly"),
    ("up to", "up to"),
    ("less than", "less than"),
]
QUALIFIER = re.compile(
    r"\b(" + "|".join(re.escape(q) for q, _ in QUALIFIERS) + r")\s*$", re.I
)

# What makes an amount something other than U.S. assistance.
NOT_ASSISTANCE = re.compile(
    r"\b(trade|trading|exports?|exported|imports?|imported|two-way|investment stock|"
    r"direct investment|FDI|private investment|business investment|remittances?|"
    r"remitted|GDP|gross domestic product|tourism|tourists?|visitors|deficit|"
    r"surplus|sales|sold|revenues?|reserves|worth of|valued at|loans?|"
    r"guarantees?|debt|bonds?|budget|salar(?:y|ies)|wages|compensation|contracts?|"
    r"purchases?|purchased|assessed contributions?|exchange rate|per capita|"
    r"Foreign Military Sales)\b",
    re.I,
)
PARTNER_MONEY = re.compile(
    r"(\bGovernment of (?!the United States)[A-Z]|\b(?!U\.S\.|US\b)[A-Z][\w’'-]+ "
    r"(?:[Gg]overnment|authorities|ministry|treasury)\b|\bits own\b|\bown (?:funds|"
    r"resources|money|budget|contribution)|co-?financ|counterpart (?:funds|funding|"
    r"contribution)|matching funds|program total|combined total|total program)",
)
OTHER_DONORS = re.compile(
    r"\b(China|Chinese|Japan|Japanese|European Union|EU|World Bank|IMF|International "
    r"Monetary Fund|United Nations|UN|African Development Bank|Asian Development Bank|"
    r"Inter-American Development Bank|Saudi|Qatar|Qatari|Kuwait|Kuwaiti|Emirati|"
    r"Australia|Australian|New Zealand|France|French|Germany|German|United Kingdom|"
    r"British|Canada|Canadian|India|Indian|Russia|Russian|Turkey|Turkish|Taiwan|"
    r"Korea|Korean|Norway|Norwegian|Sweden|Swedish|Netherlands|Dutch|Italy|Italian|"
    r"Spain|Spanish|Switzerland|Swiss|other donors|international donors|donors)\b"
)
ASSISTANCE = re.compile(
    r"\b(assistance|aid|funding|funds|funded|grants?|Foreign Military Financing|FMF|"
    r"IMET|compacts?|threshold program|support|relief|programs|programming|"
    r"investments?|invest|invests|invested|investing)\b",
    re.I,
)
# With the United States as the giver, these say the money is assistance too.
GIVING = re.compile(
    r"\b(provided|provides|providing|allocated|allocates|contributed|contributes|"
    r"donated|obligated|disbursed|granted|gave|committed|awarded|spent|spends)\b",
    re.I,
)
INVESTMENT = re.compile(r"\binvest(?:ments?|ed|ing)\b", re.I)
US_ACTOR = re.compile(
    r"(\bU\.S\.(?!\s?\$)|\bUS\b(?!\s?\$)|United States|USAID|\bUSG\b|American people|"
    r"PEPFAR|Millennium Challenge|\bMCC\b|Department of State|State Department|"
    r"Department of Defense|\bDoD\b|Peace Corps|Americans?\b)"
)
AGENCIES = [
    (re.compile(r"\bUSAID\b|Agency for International Development"), "USAID"),
    (re.compile(r"Millennium Challenge|\bMCC\b"), "MCC"),
    (re.compile(r"\bPEPFAR\b"), "PEPFAR"),
    (re.compile(r"Peace Corps"), "Peace Corps"),
    (re.compile(r"Department of Defense|\bDoD\b"), "DoD"),
]
REQUESTED = re.compile(r"\brequest(?:ed|s)?\b", re.I)
PLANNED = re.compile(
    r"\b(projected|planned|will (?:provide|invest|fund|support|give|make)|plans? to|"
    r"pledged?|expects? to|intends? to|proposed|over the next|during the next|"
    r"to be provided|is expected|would provide|to provide)\b",
    re.I,
)
RECURRING = re.compile(
    r"^\W*(?:\w+\s){0,4}?(per year|a year|each year|annually|every year|per annum|/year)",
    re.I,
)
FISCAL = re.compile(
    r"\b(?:FY|[Ff]iscal [Yy]ear)\s?'?(?P<y1>(?:19|20)\d{2}|\d{2})\b"
    r"(?:\s?(?:[-–]|to|through)\s?(?:FY\s?|[Ff]iscal [Yy]ear\s)?(?P<y2>(?:19|20)\d{2}|\d{2})\b)?"
)
CALENDAR = re.compile(
    r"\b(?:in|during|for|throughout|in calendar year|in CY)\s+(?P<y1>(?:19|20)\d{2})\b"
    r"(?!\s*[-–]\s*\d)"
    r"|\b(?:between|from)\s+(?P<y2>(?:19|20)\d{2})\s+(?:and|to|through)\s+"
    r"(?P<y3>(?:19|20)\d{2})\b"
    r"|\b(?:in|during)\s+(?P<y4>(?:19|20)\d{2})\s?[-–]\s?(?P<y5>(?:19|20)\d{2})\b"
)
FRONTED = re.compile(
    r"^(?:(?:In|During)\s+(?:(?:FY|[Ff]iscal [Yy]ear)\s?(?P<fy>(?:19|20)\d{2})"
    r"|(?P<cy>(?:19|20)\d{2}))"
    r"|(?:Between|From)\s+(?P<from>(?:19|20)\d{2})\s+(?:and|to|through)\s+"
    r"(?P<to>(?:19|20)\d{2}))\s*,"
)
DURATION = re.compile(
    r"\b(over (?:(?:the|a) )?(?:next |past |last |coming )?(?:\w+|\d+)[- ]years?"
    r"(?: period)?|over the (?:past|last|next) (?:decade|\w+ decades?)|"
    r"\b(?:\w+|\d+)-year\b(?: period)?|during the next (?:\w+|\d+) years|"
    r"for (?:more than |over |nearly |almost |some )?(?:\w+|\d+) (?:years|decades))",
    re.I,
)
SINCE = re.compile(
    r"\b(since\b(?:\s(?!to\b|for\b|and\b|in order\b)[^\s,;.]+){1,8}|to date|so far|"
    r"over the (?:past|last)(?:\s[^\s,;.]+){1,4})",
    re.I,
)
FRONTED_SINCE = re.compile(r"^(Since [^,]+),")

ABBREVIATIONS = re.compile(
    r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|St|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|"
    r"Sept|Oct|Nov|Dec|Gen|Sen|Rep|Amb|Gov|Inc|Co|Corp|Ltd|Jr|Sr|vs|etc|e\.g|i\.e|"
    r"approx)\.)$"
)


CLAUSE_BREAK = re.compile(
    r";|,\s+(?:while|but|whereas|and|although|though)\b|\s(?:while|whereas)\s"
    # “$1 billion in assistance and $1 billion in assessed contributions”
    r"|\sand\s(?=(?:(?:more than|over|about|nearly|almost|approximately|some)\s)?\$)"
)
# The U.S. government is not “another government”.
US_GOVERNMENT = re.compile(
    r"(?:the )?(?:United States|U\.S\.|US|American|Federal) [Gg]overnment", re.I
)


class Parts(tuple):
    """An amount's sentence, its clause, and the clause's text either side of it."""

    def __new__(cls, sentence, clause, before, after, first):
        self = super().__new__(cls, (sentence, clause, before, after))
        self.first = first
        return self


@dataclass
class Figure:
    amount_usd: Decimal
    qualifier: str
    period: str
    year: int | None
    year_end: int | None
    kind: str
    agency: str
    note: str

    def same_line(self, other):
        fields = ("amount_usd", "period", "year", "year_end", "kind")
        return all(getattr(self, f) == getattr(other, f) for f in fields)

    def as_dict(self):
        return {
            "amount_usd": str(self.amount_usd),
            "qualifier": self.qualifier,
            "year": self.year,
            "year_end": self.year_end,
            "period": self.period,
            "kind": self.kind,
            "agency": self.agency,
            "note": self.note,
        }


def sentences(paragraph):
    """The sentences of `paragraph`; “U.S.”, initials and “Dr.” do not end one."""
    out, start = [], 0
    for match in re.finditer(r"[.!?][”\")]?\s+(?=[A-Z“\"(\d$])", paragraph):
        before = paragraph[start : match.start() + 1]
        if ABBREVIATIONS.search(before):
            continue
        out.append(paragraph[start : match.end()].strip())
        start = match.end()
    out.append(paragraph[start:].strip())
    return [s for s in out if s]


def full_year(text):
    year = int(text)
    return year + (2000 if year < 50 else 1900) if year < 100 else year


def amount_of(match):
    number = match["num"] or match["num2"]
    scale = (match["scale"] or match["scale2"] or "").lower()
    if number.lower() in NUMBER_WORDS:
        value = Decimal(NUMBER_WORDS[number.lower()])
    else:
        value = Decimal(number.replace(",", ""))
    return (value * SCALE.get(scale, 1)).quantize(Decimal("0.01"))


def short(sentence, limit=160):
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


class FigureReader:
    """Reads the assistance figures of one sheet, and notes every amount it leaves out."""

    def __init__(self, country_names=(), other_countries=()):
        # The sheet's own country receives aid; any other country may be a donor.
        self.country_names = [n for n in country_names if n]
        names = sorted({n for n in other_countries if n}, key=len, reverse=True)
        self.other_countries = (
            re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
            if names
            else None
        )
        self.figures, self.left_out = [], []

    def read_section(self, heading, paragraphs):
        assistance_section = bool(re.search(r"assistance", heading, re.I))
        for paragraph in paragraphs:
            for sentence in sentences(paragraph):
                self.read_sentence(sentence, assistance_section)

    def leave_out(self, match, sentence, reason):
        self.left_out.append(
            f"Left out {match.group(0).strip()} ({reason}): “{short(sentence)}”"
        )

    def read_sentence(self, sentence, assistance_section):
        matches = list(MONEY.finditer(sentence))
        breaks = [
            0,
            *(b.start() for b in CLAUSE_BREAK.finditer(sentence)),
            len(sentence),
        ]
        for i, match in enumerate(matches):
            # The amount's clause, and its own part of it between its neighbours.
            clause_start = max(b for b in breaks if b <= match.start())
            clause_end = min(b for b in breaks if b >= match.end())
            start = max(clause_start, matches[i - 1].end() if i else 0)
            end = min(
                clause_end,
                matches[i + 1].start() if i + 1 < len(matches) else clause_end,
            )
            parts = Parts(
                sentence,
                clause=sentence[clause_start:clause_end],
                before=sentence[start : match.start()],
                after=sentence[match.end() : end],
                first=i == 0,
            )
            figure = self.read_amount(match, parts, assistance_section)
            if figure and not any(figure.same_line(f) for f in self.figures):
                self.figures.append(figure)

    def read_amount(self, match, parts, in_section):
        sentence, clause, before, after = parts
        if match["range"]:
            return self.leave_out(match, sentence, "a range, not one amount")
        # Whose money, and is it assistance at all?
        if NOT_ASSISTANCE.search(clause):
            if not (INVESTMENT.search(clause) and self.us_agency(clause)):
                return self.leave_out(
                    match, sentence, "trade, investment or another economic figure"
                )
        if PARTNER_MONEY.search(US_GOVERNMENT.sub("", clause)):
            return self.leave_out(match, sentence, "another government's money")
        # Another donor named before the amount, or as “from …” after it.
        donors = self.other_donors(
            sentence[: match.start()] + " ".join(re.findall(r"\bfrom [^,;.]+", after))
        )
        if donors:
            return self.leave_out(match, sentence, f"money from {donors}")
        us_named = US_ACTOR.search(re.sub(r"U\.S\.\s?\$", "$", sentence))
        if not (ASSISTANCE.search(sentence) or (us_named and GIVING.search(sentence))):
            return self.leave_out(match, sentence, "not described as assistance")
        if not us_named and not in_section:
            return self.leave_out(match, sentence, "not clearly U.S. money")
        if not parts.first and re.search(
            r"\b(?:including|includes|included|of which)\b", sentence[: match.start()]
        ):
            return self.leave_out(match, sentence, "a part of the total before it")
        if RECURRING.search(after):
            return self.leave_out(match, sentence, "a yearly amount, not a total")
        period = self.period(sentence, match, before, after)
        if period is None:
            return self.leave_out(match, sentence, "no year or period for it")
        kind, years, note = period
        return Figure(
            amount_usd=amount_of(match),
            qualifier=self.qualifier(sentence[: match.start()]),
            period=kind,
            year=years[0],
            year_end=years[1],
            kind=self.kind(before + after),
            agency=self.agency(before + after, sentence),
            note=note,
        )

    def other_donors(self, text):
        """The first other donor `text` names: an institution, or another country."""
        text = re.sub(r"(United States|U\.S\.)", "", text)
        found = [m.group(0) for m in OTHER_DONORS.finditer(text)]
        if self.other_countries:
            found += [m.group(0) for m in self.other_countries.finditer(text)]
        for word in found:
            if not any(word in name or name in word for name in self.country_names):
                return word
        return ""

    @staticmethod
    def us_agency(sentence):
        return any(pattern.search(sentence) for pattern, _ in AGENCIES[:2])

    @staticmethod
    def qualifier(text_before):
        found = QUALIFIER.search(text_before)
        if not found:
            return ""
        return dict(QUALIFIERS)[found.group(1).lower()]

    def period(self, sentence, match, before, after):
        """("fiscal"|"calendar"|"none", (year, year_end), note), or None when unclear.

        The amount's own words after it come first (“$135.4 million in FY 2014”,
        “$4.2 billion over five years”, “$1.5 billion since 2006”), then a span in the
        words before it (“a five-year compact … $524.7 million”), then a year or
        span that opens the sentence (“In FY 2016, …”, “Since 1992, …”).
        """
        window = re.split(r"[;]|, (?:while|but|and|which|including)\b", after)[0][:90]
        found = [
            (m.start(), kind, m)
            for kind, pattern in (
                ("fiscal", FISCAL),
                ("calendar", CALENDAR),
                ("duration", DURATION),
                ("since", SINCE),
            )
            for m in [pattern.search(window)]
            if m
        ]
        if found:
            _, kind, m = min(found, key=lambda f: f[0])
            if kind == "fiscal":
                return (
                    "fiscal",
                    self.years(m["y1"], m["y2"]),
                    self.note(sentence, match),
                )
            if kind == "calendar":
                first = m["y1"] or m["y2"] or m["y4"]
                last = m["y3"] or m["y5"]
                return "calendar", self.years(first, last), self.note(sentence, match)
            return "none", (None, None), self.note(sentence, match, m.group(1))
        duration = DURATION.search(before)
        if duration:
            return "none", (None, None), self.note(sentence, match, duration.group(1))
        fronted = FRONTED.match(sentence)
        if fronted:
            note = self.note(sentence, match)
            if fronted["fy"]:
                return "fiscal", self.years(fronted["fy"], None), note
            if fronted["cy"]:
                return "calendar", self.years(fronted["cy"], None), note
            return "calendar", self.years(fronted["from"], fronted["to"]), note
        since = FRONTED_SINCE.match(sentence) or SINCE.search(sentence)
        if since:
            return "none", (None, None), self.note(sentence, match, since.group(1))
        return None

    @staticmethod
    def years(first, last):
        first = full_year(first)
        last = full_year(last) if last else None
        if last is not None and last <= first:
            last = None if last == first else last
        return first, last

    @staticmethod
    def kind(own):
        if REQUESTED.search(own):
            return "requested"
        if PLANNED.search(own):
            return "planned"
        return "actual"

    @staticmethod
    def agency(own, sentence):
        for pattern, name in AGENCIES:
            if pattern.search(own):
                return name
        if len(MONEY.findall(sentence)) == 1:
            for pattern, name in AGENCIES:
                if pattern.search(sentence):
                    return name
        return ""

    @staticmethod
    def note(sentence, match, scope=""):
        """A few words saying what the amount is, e.g. “Humanitarian assistance, since 2006”."""
        around = sentence[max(0, match.start() - 80) : match.end() + 80]
        cue = re.search(
            r"((?:[A-Za-z’'-]+\s){0,3}(?:assistance|aid|funding|funds|grants?|"
            r"Foreign Military Financing|investment|compact|support))\b",
            sentence[match.end() : match.end() + 80],
        ) or re.search(
            r"((?:[A-Za-z’'/-]+\s){0,2}(?:assistance|aid|funding|funds|grants?|"
            r"Financing|investment|compact|support))\b",
            around,
        )
        words = cue.group(1).strip() if cue else ""
        words = re.sub(r"^(?:in|of|for|the|to|and|with|a|an)\s+", "", words, flags=re.I)
        words = re.sub(r"^(?:in|of|for|the|to|and|with|a|an)\s+", "", words, flags=re.I)
        parts = [words[:1].upper() + words[1:]] if words else []
        if scope:
            parts.append(scope.strip())
        return ", ".join(parts)[:200]


def describe(figure):
    """A figure in the report's words: “FY 2014: more than $135.4 million (actual)”."""
    years = ""
    if figure.year:
        years = str(figure.year) + (f"-{figure.year_end}" if figure.year_end else "")
        years = ("FY " if figure.period == "fiscal" else "") + years
    amount = f"{figure.qualifier} {format_amount(figure.amount_usd)}".strip()
    return f"{years or 'no period'}: {amount} ({figure.kind})"
