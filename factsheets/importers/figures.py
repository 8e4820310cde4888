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

from factsheets.amounts import SCALES, format_amount

# Amounts
NUMBER_WORDS = {
    "half a": Decimal("0.5"),
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
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
MONEY = re.compile(
    rf"""
    (?:US\s?\$|U\.S\.\s?\$|USD\s?|\$)\s?(?P<num>{NUMBER})
        (?P<range>\s?[-–]\s?\$?\s?\d|\s(?:to|and)\s\$\s?\d)?
        (?:[\s-]?(?P<scale>trillion|billion|million|thousand|bn|mn|m|b)\b)?
        (?:\s(?:U\.S\.\s)?dollars)?
    | (?P<num2>{NUMBER}|half\sa|one|two|three|four|five|six|seven|eight|nine|ten|a)
        \s(?P<scale2>trillion|billion|million)\s(?:U\.S\.\s)?(?:dollars|USD)\b
    """,
    re.VERBOSE | re.IGNORECASE,
)
QUALIFIERS = {
    "more than": "more than",
    "in excess of": "in excess of",
    "exceeding": "more than",
    "exceeded": "more than",
    "exceeds": "more than",
    "well over": "well over",
    "over": "over",
    "at least": "at least",
    "approximately": "approximately",
    "an estimated": "an estimated",
    "roughly": "roughly",
    "about": "about",
    "some": "some",
    "nearly": "nearly",
    "almost": "almost",
    "just under": "just under",
    "up to": "up to",
    "less than": "less than",
}
QUALIFIER = re.compile(
    r"\b(" + "|".join(map(re.escape, QUALIFIERS)) + r")\s*(?:a\s)?$", re.I
)

# What the money is, and whose
NOT_ASSISTANCE = re.compile(
    r"\b(trade|trading|exports?|exported|imports?|imported|two-way|investment stock|"
    r"direct investment|FDI|private investment|business investment|remittances?|"
    r"remitted|GDP|gross domestic product|tourism|tourists?|visitors|deficit|"
    r"surplus|sales|sold|revenues?|reserves|loans?|guarantees?|debt|bonds?|"
    r"assessed contributions?|exchange rate|per capita|Foreign Military Sales|"
    r"students|(?:U\.S\.|American|United States) economy)\b",
    re.I,
)
# Words that make an amount a value rather than a grant, unless the United States
# is said to give it: “$5 million worth of patrol boats”.
VALUED = re.compile(r"\b(worth of|valued at|value of)\b", re.I)
OWN_MONEY = re.compile(
    r"\bits own\b|\bown (?:funds|resources|money|budget|contribution)|co-?financ|"
    r"counterpart (?:funds|funding|contribution)|matching funds|program total|"
    r"combined (?:total|program)|total program",
    re.I,
)
PARTNER_GOVERNMENT = re.compile(
    r"\b[Gg]overnment of (?!the United States)[A-Z]|\b[A-Z][\w’'-]+ "
    r"(?:[Gg]overnment|authorities|ministry|treasury)\b"
)
US_GOVERNMENT = re.compile(
    r"(?:the )?(?:United States|U\.S\.|US|American|Federal) [Gg]overnment", re.I
)
OTHER_DONORS = re.compile(
    r"\b(European Union|EU|World Bank|IMF|International Monetary Fund|United Nations|"
    r"UN|African Development Bank|Asian Development Bank|Inter-American Development "
    r"Bank|Islamic Development Bank|Chinese|Japanese|Saudi|Qatari|Kuwaiti|Emirati|"
    r"Australian|French|German|British|Canadian|Indian|Russian|Turkish|Korean|"
    r"Norwegian|Swedish|Dutch|Italian|Spanish|Swiss|other donors|international "
    r"donors|donors)\b"
)
ASSISTANCE = re.compile(
    r"\b(assistance|aid|funding|funds|funded|grants?|Foreign Military Financing|FMF|"
    r"IMET|Economic Support Funds?|compacts?|threshold program|support|relief|"
    r"programs?|programming|investments?|invest|invests|invested|investing)\b",
    re.I,
)
# With the United States as the giver, these say the money is assistance too.
GIVING = re.compile(
    r"\b(provided?|provides|providing|allocated|allocates|contributed|contributes|"
    r"donated|obligated|disbursed|granted|gave|committed|awarded|spent|spends|"
    r"invest(?:s|ed)?)\b",
    re.I,
)
PAST_GIVING = re.compile(
    r"\b(provided|allocated|contributed|donated|obligated|disbursed|granted|gave|"
    r"awarded|spent|invested|delivered)\b",
    re.I,
)
US_ACTOR = re.compile(
    r"(\bU\.S\.?(?!\s?\$)|\bUS\b(?!\s?\$)|United States|USAID|\bUSG\b|American people|"
    r"Department of Agriculture|\bUSDA\b|Centers for Disease Control|\bCDC\b|"
    r"Department of Health and Human Services|Department of Energy|"
    r"Department of Justice|Department of Homeland Security|Coast Guard|"
    r"PEPFAR|Millennium Challenge|\bMCC\b|Department of State|State Department|"
    r"Department of Defense|\bDoD\b|Peace Corps|Southern Command|Africa Command|"
    r"\bAFRICOM\b|\bSOUTHCOM\b|Americans?\b|U\.S\. Embassy)"
)
AGENCIES = [
    (re.compile(r"\bUSAID\b|Agency for International Development"), "USAID"),
    (re.compile(r"Millennium Challenge|\bMCC\b"), "MCC"),
    (re.compile(r"\bPEPFAR\b"), "PEPFAR"),
    (re.compile(r"Peace Corps"), "Peace Corps"),
    (re.compile(r"Department of Defense|\bDoD\b"), "DoD"),
    (re.compile(r"Department of Agriculture|\bUSDA\b"), "USDA"),
    (re.compile(r"Centers for Disease Control|\bCDC\b"), "CDC"),
]
REQUESTED = re.compile(r"\brequest(?:ed|s)?\b", re.I)
# Money still to come: a total with no years of its own is then a planned total.
FUTURE_WORDS = (
    r"will (?:provide|invest|fund|support|give|make)|plans? to|expects? to|"
    r"intends? to|over the next|during the next|to be provided|is expected"
)
FUTURE = re.compile(rf"\b({FUTURE_WORDS})\b", re.I)
# Money promised, or not yet given.
PLANNED = re.compile(
    rf"\b({FUTURE_WORDS}|announced|projected|planned|pledged?|proposed|would "
    r"provide|to provide|pending)\b",
    re.I,
)
RECURRING = re.compile(
    r"^\W*(?:\w+\s){0,4}?(per year|a year|each year|annually|every year|per annum|"
    r"/year)",
    re.I,
)
CHANGE = re.compile(
    r"\b(?:an? )?(?:increase|decrease|rise|drop|cut|reduction|decline) of\s*$", re.I
)
# An event dated by a year at the head of a sentence: the year is the event's.
EVENT = re.compile(
    r"\b(signed|selected|announced|launched|agreed|approved|completed|began|"
    r"established|opened|visited|elected)\b",
    re.I,
)

# Periods
YEAR = r"(?:19|20)\d{2}"
FY = r"(?:FYs?|[Ff]iscal [Yy]ears?)(?:\s?\(FY\))?"
FISCAL = re.compile(
    rf"\b{FY}\s?'?(?P<y1>{YEAR}|\d{{2}})\b"
    rf"(?:\s?(?:[-–]|to|through|and)\s?(?:{FY}\s?)?(?P<y2>{YEAR}|\d{{2}})\b)?"
)
CALENDAR = re.compile(
    rf"\b(?:in|during|for|throughout|in calendar year|in CY)\s+(?P<y1>{YEAR})\b"
    r"(?!\s*[-–]\s*\d)"
    rf"|\b(?:between|from)\s+(?P<y2>{YEAR})\s+(?:and|to|through)\s+(?P<y3>{YEAR})\b"
    rf"|(?:\b(?:in|during)\s+|^\W{{0,3}})(?P<y4>{YEAR})\s?[-–]\s?(?P<y5>{YEAR})\b"
)
FRONTED = re.compile(
    rf"^(?:(?:In|During)\s+(?:{FY}\s?(?P<fy>{YEAR}|\d{{2}})"
    rf"(?:\s?(?:[-–]|and|to|through)\s?(?:{FY}\s?)?(?P<fy2>{YEAR}|\d{{2}}))?"
    rf"|(?:calendar year |CY\s?)?(?P<cy>{YEAR}))"
    rf"|(?:Between|From)\s+(?:(?P<ffy>{FY})\s?)?(?P<from>{YEAR})\s+(?:and|to|through)\s+"
    rf"(?:{FY}\s?)?(?P<to>{YEAR}))(?:\s*,|\s)"
)
DURATION = re.compile(
    r"\b(over (?:(?:the|a) )?(?:next |past |last |coming )?(?:\w+|\d+)[- ]years?"
    r"(?: period)?|over the (?:past|last|next) (?:decade|\w+ decades?)|"
    r"\b(?:\w+|\d+)-year\b(?: period)?|during the next (?:\w+|\d+) years|"
    r"for (?:more than |over |nearly |almost |some )?(?:\d+|two|three|four|five|six|"
    r"seven|eight|nine|ten|\w+teen|twenty|thirty|forty|fifty|sixty|seventy|several|"
    r"many) (?:years|decades))",
    re.I,
)
SINCE = re.compile(
    r"\b(since\b(?:\s(?!to\b|for\b|and\b|in order\b)[^\s,;.]+){1,8}|to date|so far|"
    r"over the (?:past|last)(?:\s[^\s,;.]+){1,4})",
    re.I,
)
FRONTED_SINCE = re.compile(r"^(Since [^,]+),")

# Sentences and clauses
ABBREVIATIONS = re.compile(
    r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|St|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|"
    r"Sept|Oct|Nov|Dec|Gen|Sen|Rep|Amb|Gov|Inc|Co|Corp|Ltd|Jr|Sr|vs|etc|e\.g|i\.e|"
    r"approx)\.)$"
)
# After “U.S.”, these words start a new sentence: “… in the U.S. In FY 2017, …”.
STARTERS = re.compile(
    r"(?:In|The|This|These|It|Its|Since|For|During|As|At|On|With|Under|After|Before|"
    r"From|A|An|Each|All|Both|Many|Most|Some|Through|While|However|Although|Because)\b"
)
CLAUSE_BREAK = re.compile(
    r";|,\s+(?:while|but|whereas|and|although|though)\b|\s(?:while|whereas)\s"
    # “$1 billion in assistance and $1 billion in assessed contributions”
    r"|\sand\s(?=(?:(?:more than|over|about|nearly|almost|approximately|some)\s)?\$)"
)


# The longest sentence, and the most amounts in one, read for figures. The sheets
# seen so far have at most 1,100 characters and 3 amounts.
MAX_SENTENCE = 3000
MAX_AMOUNTS_IN_SENTENCE = 12


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


@dataclass
class Amount:
    """One amount in its sentence: its clause up to it, and its own words either side."""

    match: re.Match
    sentence: str
    clause: str
    lead: str  # the clause from its start to the amount
    before: str  # the clause between the previous amount and this one
    after: str  # the clause between this amount and the next
    first: bool

    @property
    def text(self):
        return self.match.group(0).strip()


def sentences(paragraph):
    """The sentences of `paragraph`; “U.S.”, initials and “Dr.” do not end one."""
    out, start = [], 0
    for match in re.finditer(r"[.!?][”\")]?\s+(?=[A-Z“\"(\d$])", paragraph):
        end = match.start() + 1
        # Only the last few characters can make an abbreviation: looking at no more
        # keeps a paragraph of many (“U.S. U.S. …”) linear.
        near = max(start, end - 12)
        if ABBREVIATIONS.search(paragraph, near, end) and not (
            paragraph.endswith("U.S.", start, end)
            and STARTERS.match(paragraph, match.end())
        ):
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
    key = re.sub(r"\s+", " ", number.lower())
    value = (
        Decimal(NUMBER_WORDS[key])
        if key in NUMBER_WORDS
        else Decimal(number.replace(",", ""))
    )
    return (value * SCALES.get(scale, 1)).quantize(Decimal("0.01"))


def short(sentence, limit=160):
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def without_us_dollars(text):
    """`text` without what names the U.S. but not as a giver: “U.S. $” (a currency),
    “in the United States” (a place)."""
    text = re.sub(r"U\.S\.\s?\$", "$", text)
    return re.sub(
        r"\b(?:in|to|into|from|across|throughout|within) the (?:United States|U\.S\.)",
        "",
        text,
    )


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
        """Read a section's paragraphs: text, or (text, is_list_item) pairs.

        A list item (“FY 2011: $379.6 million”) is read with the paragraph that
        introduces its list, which says what the amounts are.
        """
        in_section = bool(re.search(r"assistance", heading, re.I))
        context = ""
        for paragraph in paragraphs:
            text, item = (
                paragraph if isinstance(paragraph, tuple) else (paragraph, False)
            )
            if not item:
                context = text
            for sentence in sentences(text):
                self.read_sentence(sentence, in_section, context if item else "")

    def leave_out(self, amount, reason):
        self.left_out.append(
            f"Left out {amount.text} ({reason}): “{short(amount.sentence)}”"
        )

    def read_sentence(self, sentence, in_section, context=""):
        matches = list(MONEY.finditer(sentence))
        if matches and (
            len(sentence) > MAX_SENTENCE or len(matches) > MAX_AMOUNTS_IN_SENTENCE
        ):
            # Each amount is read against its whole sentence: in a run of text this
            # long, or with this many amounts, that would take long and say little.
            self.left_out.append(
                f"Left out {len(matches):,} amounts in a passage of {len(sentence):,} "
                f"characters read as one sentence, too long to tell what each is: "
                f"“{short(sentence)}”"
            )
            return
        breaks = [0, *(b.start() for b in CLAUSE_BREAK.finditer(sentence))]
        breaks.append(len(sentence))
        years = self.respectively(sentence, matches)
        for i, match in enumerate(matches):
            clause_start = max(b for b in breaks if b <= match.start())
            clause_end = min(b for b in breaks if b >= match.end())
            previous = matches[i - 1].end() if i else 0
            following = matches[i + 1].start() if i + 1 < len(matches) else clause_end
            amount = Amount(
                match=match,
                sentence=sentence,
                clause=sentence[clause_start:clause_end],
                lead=sentence[clause_start : match.start()],
                before=sentence[max(clause_start, previous) : match.start()],
                after=sentence[match.end() : min(clause_end, following)],
                first=i == 0,
            )
            figure = self.read_amount(amount, in_section, context, years.get(i))
            if figure and not any(figure.same_line(f) for f in self.figures):
                self.figures.append(figure)

    def read_amount(self, amount, in_section, context, given_period):
        sentence, match = amount.sentence, amount.match
        said = without_us_dollars(f"{sentence} {context}")
        us_named = US_ACTOR.search(said)
        giving = us_named and GIVING.search(said)
        if match["range"]:
            return self.leave_out(amount, "a range, not one amount")
        if RECURRING.search(amount.after):
            return self.leave_out(amount, "a yearly amount, not a total")
        if NOT_ASSISTANCE.search(amount.lead + amount.after):
            if not (
                re.search(r"\binvest", amount.clause, re.I) and self.agency_in(said)
            ):
                return self.leave_out(
                    amount, "trade, investment or another economic figure"
                )
        if VALUED.search(amount.lead + amount.after) and not giving:
            return self.leave_out(amount, "a value, not money given")
        if OWN_MONEY.search(amount.clause) or self.giver_before(
            US_GOVERNMENT.sub("", sentence[: match.start()]), PARTNER_GOVERNMENT
        ):
            return self.leave_out(amount, "another government's money")
        donor = self.donor(sentence[: match.start()], amount.after)
        if donor:
            return self.leave_out(amount, f"another donor's money: {donor}")
        if CHANGE.search(amount.lead):
            return self.leave_out(amount, "a change between years, not an amount")
        if not (
            ASSISTANCE.search(said)
            or (
                (us_named or in_section)
                and (GIVING.search(said) or REQUESTED.search(said))
            )
        ):
            return self.leave_out(amount, "not described as assistance")
        if not us_named and not in_section:
            return self.leave_out(amount, "not clearly U.S. money")
        if not amount.first and re.search(
            r"\b(?:including|includes|included|of which)\b", sentence[: match.start()]
        ):
            return self.leave_out(amount, "a part of the total before it")
        kind = self.kind(amount.before + amount.after)
        period = given_period or self.period(amount)
        if period is None and FUTURE.search(amount.before + amount.after):
            # A commitment for the future with no years given: a planned total.
            period = ("none", (None, None), self.note(amount))
        if period is None:
            return self.leave_out(amount, "no year or period for it")
        span, years, note = period
        if kind == "planned" and span == "none" and SINCE.search(note):
            # “has pledged $1 billion since 2006”: whether it was given is unclear.
            return self.leave_out(amount, "a pledge over past years, given or not")
        return Figure(
            amount_usd=amount_of(match),
            qualifier=self.qualifier(sentence[: match.start()]),
            period=span,
            year=years[0],
            year_end=years[1],
            kind=kind,
            agency=self.agency(amount.before + amount.after, sentence),
            note=note,
        )

    # Whose money
    @staticmethod
    def giver_before(text, pattern):
        """The last giver `pattern` finds in `text`, unless the U.S. is named after it."""
        found = list(pattern.finditer(text))
        if not found or US_ACTOR.search(without_us_dollars(text[found[-1].end() :])):
            return ""
        return found[-1].group(0)

    def donor(self, before, after):
        """Another donor named before the amount (and not followed by the U.S.), or
        as “from …” after it: an institution, or another country."""
        before = without_us_dollars(before)
        # “$112 million from the Mongolian government”, not “… to refugees from Syria”.
        near = re.match(r"^\W*(?:[\w-]+\s){0,4}?(from [^,;.]+)", after)
        after = near.group(1) if near else ""
        for text, last_only in ((before, True), (after, False)):
            found = list(OTHER_DONORS.finditer(text))
            if self.other_countries:
                found += list(self.other_countries.finditer(text))
            found = [m for m in found if not self.own_country(m.group(0))]
            if not found:
                continue
            last = max(found, key=lambda m: m.end())
            if last_only and US_ACTOR.search(without_us_dollars(text[last.end() :])):
                continue
            return last.group(0)
        return ""

    def own_country(self, word):
        return any(word in name or name in word for name in self.country_names)

    @staticmethod
    def agency_in(text):
        return any(pattern.search(text) for pattern, _ in AGENCIES[:2])

    # What kind of amount, and for when
    @staticmethod
    def qualifier(text_before):
        found = QUALIFIER.search(text_before)
        return QUALIFIERS[found.group(1).lower()] if found else ""

    @staticmethod
    def kind(own):
        if REQUESTED.search(own):
            return "requested"
        if PAST_GIVING.search(own):
            return "actual"
        if PLANNED.search(own):
            return "planned"
        return "actual"

    def respectively(self, sentence, matches):
        """“$91 million and $96 million in FY 2018 and FY 2019, respectively”."""
        if len(matches) < 2 or "respectively" not in sentence:
            return {}
        tail = sentence[matches[-1].end() :]
        found = list(re.finditer(rf"\b(?:(FY)\s?)?({YEAR})\b", tail))
        if len(found) != len(matches):
            return {}
        fiscal = any(m.group(1) for m in found) or FISCAL.search(tail)
        span = "fiscal" if fiscal else "calendar"
        return {i: (span, (int(m.group(2)), None), "") for i, m in enumerate(found)}

    def period(self, amount):
        """("fiscal"|"calendar"|"none", (year, year_end), note), or None when unclear.

        A span written right before the amount comes first (“a five-year, $140
        million compact”), then the amount's own words after it (“$135.4 million in
        FY 2014”, “$4.2 billion over five years”, “$1.5 billion since 2006”), then a
        fiscal year before it in its clause (“assistance in FY 2016 totaled $1.45
        billion”), then a year or span that opens the sentence (“In FY 2016, …”,
        “Since 1992, …”) unless the opening dates an event instead.
        """
        before, sentence = amount.before, amount.sentence
        adjacent = DURATION.search(before[-25:])
        if adjacent:
            return "none", (None, None), self.note(amount, adjacent.group(1))
        window = re.split(r"[;]|, (?:while|but|and|which|including)\b", amount.after)
        window = window[0][:90]
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
                return "fiscal", self.years(m["y1"], m["y2"]), self.note(amount)
            if kind == "calendar":
                first = m["y1"] or m["y2"] or m["y4"]
                last = m["y3"] or m["y5"]
                return "calendar", self.years(first, last), self.note(amount)
            return "none", (None, None), self.note(amount, m.group(1))
        fiscal = list(FISCAL.finditer(amount.lead))
        ranges = [m for m in fiscal if m["y2"]]
        if ranges:  # “Over the past five years (FY 2010-2014), …”
            m = ranges[-1]
            return "fiscal", self.years(m["y1"], m["y2"]), self.note(amount)
        spans = [m for m in CALENDAR.finditer(amount.lead) if m["y3"] or m["y5"]]
        if spans:  # “the compact, which ran from 2006 to 2011, invested $177 million”
            m = spans[-1]
            first, last = m["y2"] or m["y4"], m["y3"] or m["y5"]
            return "calendar", self.years(first, last), self.note(amount)
        duration = DURATION.search(amount.lead)
        if duration:
            return "none", (None, None), self.note(amount, duration.group(1))
        if fiscal:
            m = fiscal[-1]
            return "fiscal", self.years(m["y1"], m["y2"]), self.note(amount)
        fronted = FRONTED.match(sentence)
        if fronted and not EVENT.search(sentence[fronted.end() : amount.match.start()]):
            note = self.note(amount)
            if fronted["fy"]:
                return "fiscal", self.years(fronted["fy"], fronted["fy2"]), note
            if fronted["cy"]:
                return "calendar", self.years(fronted["cy"], None), note
            span = "fiscal" if fronted["ffy"] else "calendar"
            return span, self.years(fronted["from"], fronted["to"]), note
        since = FRONTED_SINCE.match(sentence) or SINCE.search(sentence)
        if since:
            return "none", (None, None), self.note(amount, since.group(1))
        return None

    @staticmethod
    def years(first, last):
        first = full_year(first)
        last = full_year(last) if last else None
        if last is not None and last <= first:
            last = None
        return first, last

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
    def note(amount, scope=""):
        """A few words saying what the amount is, e.g. “Humanitarian assistance, since 2006”."""
        match, sentence = amount.match, amount.sentence
        cue = r"(?:assistance|aid|funding|funds|grants?|Financing|investment|compact|support)"
        own = re.split(r"\b(?:including|includes|of which)\b", sentence[match.end() :])[
            0
        ]
        found = re.search(
            rf"((?:[A-Za-z’'-]+\s){{0,3}}{cue})\b", own[:80]
        ) or re.search(
            rf"((?:[A-Za-z’'/-]+\s){{0,2}}{cue})\b",
            sentence[max(0, match.start() - 80) : match.end() + 80],
        )
        words = found.group(1).strip() if found else ""
        for _ in range(2):
            words = re.sub(
                r"^(?:in|of|for|the|to|and|with|a|an)\s+", "", words, flags=re.I
            )
        parts = [words[:1].upper() + words[1:]] if words else []
        if scope:
            scope = scope.strip()
            parts.append(scope[:1].lower() + scope[1:] if parts else scope)
        return ", ".join(parts)[:200]


def describe(figure):
    """A figure in the report's words: “FY 2014: more than $135.4 million (actual)”."""
    years = ""
    if figure.year:
        years = str(figure.year) + (f"-{figure.year_end}" if figure.year_end else "")
        years = ("FY " if figure.period == "fiscal" else "") + years
    amount = f"{figure.qualifier} {format_amount(figure.amount_usd)}".strip()
    return f"{years or 'no period'}: {amount} ({figure.kind})"
