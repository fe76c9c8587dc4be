"""What a plain-English revenue question mentions, read with keyword and regex rules.

`read_clues(question)` returns `Clues`: the measure (revenue, AOV, …), a grouping dimension,
trend/growth/compare words, a top or bottom N, filter values from the catalogue (regions,
countries, channels, …), periods, follow-up markers and topics the data cannot answer
(profit, forecasts). Each rule blanks out what it matched so later rules do not reuse it.
Deciding what to answer from the clues is `mas.demo.intents`' job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from mas.demo import catalog
from mas.demo.clue_text import blank, lower_in_place, normalise, take
from mas.demo.periods import Period, find_periods
from mas.demo.window import data_window

Grain = Literal["month", "quarter", "year"]
Direction = Literal["desc", "asc"]


@dataclass(frozen=True)
class Clues:
    measure: str | None = None
    dimension: str | None = None
    trend: bool = False
    grain: Grain | None = None
    growth: bool = False
    growth_grain: Grain | None = None
    compare: bool = False
    top_n: int | None = None
    direction: Direction | None = None
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    periods: tuple[Period, ...] = ()
    is_range: bool = False
    same_period_last_year: bool = False
    clear_filters: bool = False
    followup: bool = False
    refusal: str | None = None
    where: bool = False
    """"Where …" with no dimension named: read as by region."""
    share: bool = False
    """"What share comes from online?": group by the named value's dimension."""
    why: bool = False  # "Why did revenue drop …?": the change from the period before, by region or channel

    @property
    def structural(self) -> bool:
        """Mentions a shape of answer (trend, growth, comparison, grouping, ranking)."""
        return bool(self.trend or self.grain or self.growth or self.compare or self.dimension
                    or self.top_n or self.direction or self.where or self.share or self.why)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


MEASURE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("aov", _rx(r"\baverage\s+(?:order|basket|deal|transaction|sale|ticket)s?"
                r"(?:\s+(?:values?|sizes?|amounts?))?\b"
                r"|\baov\b|\bavg\.?\s+order(?:\s+value)?\b|\b(?:revenue|sales)\s+per\s+order\b"
                r"|\bbasket\s+size\b|\btypical\s+order\b|\bmean\s+order\s+value\b|\border\s+values?\b")),
    ("per_customer", _rx(r"\b(?:average\s+|avg\.?\s+|mean\s+)?(?:revenue|sales|spend|spending)\s+per\s+"
                         r"(?:customer|client|account|buyer)\b(?!\s+(?:segments?|types?|groups?|tiers?))"
                         r"|\barp[cua]\b")),
    ("gross", _rx(r"\bgross\s+(?:revenue|sales)\b|\bgross\b|\bbefore\s+(?:discounts?|returns)\b"
                  r"|\blist[- ]price\s+revenue\b")),
    ("returns", _rx(r"\breturns\b|\brefund(?:s|ed)?\b|\breturned\b")),
    ("discounts", _rx(r"\bdiscounts?\b|\bdiscounting\b|\bdiscounted\b|\bmarkdowns?\b")),
    ("orders", _rx(r"\b(?:number|count|#)\s+of\s+orders\b|\bhow\s+many\s+orders\b"
                   r"|\border\s+(?:count|volume)s?\b|\borders\b")),
    ("customers", _rx(r"\bhow\s+many\s+(?:distinct\s+|unique\s+|different\s+)?"
                      r"(?:customers|clients|accounts)\b"
                      r"|\b(?:number|count|#)\s+of\s+(?:customers|clients|accounts)\b|\bcustomer\s+count\b")),
    ("units", _rx(r"\bunits?(?:\s+sold)?\b|\bquantit(?:y|ies)\b|\bhow\s+many\s+(?:items|products|things)\b"
                  r"|\bitems\s+sold\b")),
    ("revenue", _rx(r"\brevenues?\b|\bsales\b|\bsold\b|\bsell(?:s|ing)?\b|\bturnover\b"
                    r"|\bearn(?:ed|ings|s|ing)?\b|\bincome\b|\bmake\b|\bmade\b|\bmoney\b"
                    r"|\bbring(?:s|ing)?\s+in\b|\bbrought\s+in\b|\bnumbers\b|\bfigures\b"
                    r"|\bhow\s+(?:are|is|did|were|was|have)\s+(?:we|things|sales|revenue)\s+"
                    r"(?:doing|do|done|going)\b"
                    r"|\btop[- ]line\b|\bbookings\b|\bperform(?:ance|ing|s|ed)?\b|\bgenerat(?:e|es|ed|ing)\b"
                    r"|\bbiggest\s+contributors?\b|\bcontribut(?:e|es|ed|ion)\b|\bnet\b|\bdollars\b"
                    r"|\bkpis?\b")),
)

REFUSAL_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_rx(r"\bprofit(?:s|ability|able)?\b|\bmargins?\b|\bcosts?\b|\bcogs\b|\bexpenses?\b|\bebitda\b"
         r"|\bopex\b"),
     "The demo dataset holds order lines with list prices, discounts and returns, but no costs, "
     "so I can't work out profit or margins."),
    (_rx(r"\bforecast(?:s|ing|ed)?\b|\bpredict(?:s|ion|ions|ed)?\b|\bproject(?:ion|ions|ed)\b"
         r"|\bnext\s+(?:year|quarter|month)\b"
         r"|\bbudget(?:s|ed)?\b|\btargets?\b|\bquotas?\b|\bwill\s+(?:we|revenue|sales)\b"),
     "I can only report what happened in the data ({window}); I don't forecast or track targets."),
    (_rx(r"\bheadcount\b|\bemployees?\b|\bstaff\b|\bsalar(?:y|ies)\b|\bpayroll\b|\binventory\b"
         r"|\bstock\s+levels?\b"
         r"|\bchurn\b|\bretention\b|\bnps\b|\bsatisfaction\b|\bweather\b|\bshare\s+price\b"
         r"|\bstock\s+price\b"),
     "The demo dataset only holds sales order lines (revenue, discounts, returns, orders and units), "
     "so it can't answer that."),
)

DIMENSION_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("segment", _rx(r"\bcustomer\s+(?:segments?|types?|groups?|tiers?|categor(?:y|ies))\b|\bsegments?\b"
                    r"|\bsegmentation\b|\btypes?\s+of\s+customers?\b")),
    ("category", _rx(r"\bproduct\s+(?:categor(?:y|ies)|lines?|groups?|famil(?:y|ies)|types?)\b"
                     r"|\bcategor(?:y|ies)\b")),
    ("channel", _rx(r"\b(?:sales\s+)?channels?\b|\broutes?\s+to\s+market\b")),
    ("region", _rx(r"\bregions?\b|\bregional(?:ly)?\b|\bgeograph(?:y|ies|ic|ical|ically)\b|\bgeos?\b"
                   r"|\bterritor(?:y|ies)\b|\bmarkets?\b|\bareas?\b|\bparts\s+of\s+the\s+world\b")),
    ("country", _rx(r"\bcountr(?:y|ies)\b|\bnations?\b")),
    ("product", _rx(r"\bproducts?\b|\bskus?\b|\bitems?\b|\bbest[- ]?sell(?:ers?|ing)\b|\bofferings?\b")),
    ("customer", _rx(r"\bcustomers?\b|\baccounts?\b|\bclients?\b|\bbuyers?\b")),
)

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "dozen": 12, "a dozen": 12,
}
_N = r"(?P<n>\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_DESC = r"top|best|highest|largest|biggest|leading|greatest|strongest|most"
_ASC = r"bottom|worst|lowest|smallest|weakest|least|fewest|poorest"
TOP_N_RULES: tuple[re.Pattern[str], ...] = (
    _rx(rf"\b(?P<dir>{_DESC}|{_ASC})[- ]?{_N}\b"),
    _rx(rf"\b{_N}\s+(?P<dir>{_DESC}|{_ASC})\b"),
)
DIRECTION_RULES: tuple[tuple[Direction, re.Pattern[str]], ...] = (
    ("asc", _rx(rf"\b(?:{_ASC})\b|\bunderperform(?:ing|ers?|s|ed)?\b|\blagg(?:ing|ards?)\b|\bslowest\b"
                r"|\bsmallest\b|\bleast\b")),
    ("desc", _rx(rf"\b(?:{_DESC})\b|\bnumber\s+one\b|#1\b|\bno\.?\s*1\b|\bfastest\b"
                 r"|\boutperform(?:ing|ers?|s|ed)?\b|\bwinners?\b|\bdominat(?:e|es|ing)\b"
                 r"|\bmaximum\b|\bmax\b")),
)

GROWTH_GRAIN_RULES: tuple[tuple[Grain, re.Pattern[str]], ...] = (
    ("quarter", _rx(r"\bqoq\b|\bq/q\b|\bq-o-q\b|\bquarter[- ](?:over|on|to)[- ]quarter\b"
                    r"|\bsequential(?:ly)?\b")),
    ("month", _rx(r"\bmom\b|\bm/m\b|\bm-o-m\b|\bmonth[- ](?:over|on|to)[- ]month\b")),
    ("year", _rx(r"\byoy\b|\by/y\b|\by-o-y\b|\byear[- ](?:over|on|to)[- ]year\b|\bannual\s+growth\b")),
)
GROWTH = _rx(r"\bgrow(?:th|n|ing|s)?\b|\bgrew\b|\bincreas(?:e|es|ed|ing)\b|\bdeclin(?:e|es|ed|ing)\b"
             r"|\bdecreas(?:e|es|ed|ing)\b|\bup\s+or\s+down\b|\bshr[iu]nk(?:ing|s)?\b|\bexpand(?:ed|ing)?\b"
             r"|\bfastest\b|\bslowest\b|\baccelerat(?:e|ed|ing|ion)\b|\bgrowth\s+rates?\b")
WHY = _rx(r"\bwhy\b|\bwhat\s+(?:caused|drove|explains)\b|\bexplain\b|\bdrivers?\s+(?:of|behind)\b")
COMPARE = _rx(r"\bvs\.?(?!\w)|\bversus\b|\bcompar(?:e|ed|ing|ison|isons)\b|\bagainst\b|\brelative\s+to\b"
              r"|\bdifference\b|\bdiffer\b|\bstack\s+up\b|\bchang(?:e|ed|es)\s+(?:from|between)\b|\bchange\b")
GRAIN_RULES: tuple[tuple[Grain, re.Pattern[str]], ...] = (
    # "Which month …", "our best month" (the ranking word is already blanked): a time series.
    ("month", _rx(r"\bmonthly\b|\b(?:by|per|each|every|a|in\s+each)\s+month\b|\bmonth[- ]by[- ]month\b"
                  r"|\bmonths\b|\bseasonal(?:ity)?\b|\b(?:which|what|our)\s+(?:\w+\s+)?month\b")),
    ("quarter", _rx(r"\bquarterly\b|\b(?:by|per|each|every|a|in\s+each)\s+quarter\b"
                    r"|\bquarter[- ]by[- ]quarter\b|\bquarters\b"
                    r"|\b(?:which|what|our)\s+(?:\w+\s+)?quarter\b")),
    ("year", _rx(r"\byearly\b|\bannual(?:ly)?\b|\b(?:by|per|each|every|a|in\s+each)\s+year\b"
                 r"|\byear[- ]by[- ]year\b|\bover\s+the\s+years\b|\byears\b|\b(?:which|what)\s+year\b")),
)
TREND = _rx(r"\btrends?\b|\btrending\b|\bover\s+time\b|\btime\s+series\b|\btrajector(?:y|ies)\b"
            r"|\bhistor(?:y|ic|ical)\b"
            r"|\btimeline\b|\bevol(?:ve|ved|ving|ution)\b|\bprogress(?:ion|ed)?\b"
            r"|\bhow\s+(?:has|have|did|do|does|is|are)\s+(?:\w+\s+){1,4}?(?:been\s+)?"
            r"(?:chang|develop|mov|evolv|trend|fluctuat|var(?:y|ied|ies))\w*")
CLEAR_FILTERS = _rx(r"\boverall\b|\bin\s+total\b"
                    r"|\bacross\s+(?:the\s+)?(?:whole\s+)?(?:company|business|board)\b"
                    r"|\bwhole\s+company\b|\bglobal(?:ly)?\b|\bworldwide\b"
                    r"|\ball\s+(?:regions|countries|channels)\b|\bcompany[- ]wide\b|\beverywhere\b")
SHARE = _rx(r"\bshares?\b|\bpercent(?:age)?s?\b|\bproportions?\b|\bportion\b|\bmix\b|\bsplit\b"
            r"|\bcontribution\b|\bhow\s+much\s+of\b")
FOLLOWUP = _rx(r"^\s*(?:and\b|what\s+about\b|how\s+about\b|what\s+if\b|same\s+(?:for|but|thing)\b|now\b"
               r"|only\b"
               r"|just\b|instead\b|but\b|break\s+(?:it|that|this)\s+down\b"
               r"|split\s+(?:it|that|this)\b|show\s+(?:it|that|this|me\s+that)\b|(?:do|make)\s+(?:it"
               r"|that)\b)")
WHERE = _rx(r"\bwhere\b")


def _alias_table() -> list[tuple[str, str, str, bool]]:
    """(alias, dimension, value, case-sensitive), longest alias first."""
    rows = [(value, dim, value, False)
            for dim, values in catalog.DIMENSION_VALUES.items() for value in values]
    for sensitive, table in ((False, catalog.VALUE_ALIASES), (True, catalog.CASE_SENSITIVE_ALIASES)):
        for dim, aliases in table.items():
            rows += [(alias, dim, value, sensitive) for value, names in aliases.items() for alias in names]
    return sorted(rows, key=lambda row: len(row[0]), reverse=True)


_VALUE_SUFFIXES = {
    # A value's own dimension word after it belongs to the value, not a grouping:
    # "Enterprise customers", "Audio products", "the Online channel", "the EMEA region".
    "segment": r"customers?|clients?|accounts?|buyers?|segment",
    "category": r"products?|items?|category|categories|lines?",
    "channel": r"channels?",
    "region": r"regions?",
}
_ALIASES = [
    (re.compile(r"(?<!\w)" + re.escape(alias if sensitive else alias.lower())
                + (rf"(?:\s+(?:{_VALUE_SUFFIXES[dim]}))?" if dim in _VALUE_SUFFIXES else "") + r"(?!\w)"),
     dim, value, sensitive)
    for alias, dim, value, sensitive in _alias_table()
]


def _filters(original: str, lowered: str) -> tuple[tuple[tuple[str, tuple[str, ...]], ...], str]:
    found: dict[str, list[str]] = {}
    for pattern, dim, value, sensitive in _ALIASES:
        for match in pattern.finditer(original if sensitive else lowered):
            if value not in found.setdefault(dim, []):
                found[dim].append(value)
            original = blank(original, start=match.start(), end=match.end())
            lowered = blank(lowered, start=match.start(), end=match.end())
    ordered = [(dim, tuple(sorted(found[dim], key=catalog.DIMENSION_VALUES[dim].index)))
               for dim in catalog.DIMENSION_VALUES if found.get(dim)]
    return tuple(ordered), lowered


def _first(rules: tuple[tuple[str, re.Pattern[str]], ...], text: str) -> tuple[str | None, str]:
    for key, pattern in rules:
        matches, text_after = take(pattern, text)
        if matches:
            return key, text_after
    return None, text


def _top_n(text: str) -> tuple[int | None, Direction | None, str]:
    for pattern in TOP_N_RULES:
        match = pattern.search(text)
        if match is not None:
            raw = match["n"]
            number = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
            word = match["dir"]
            direction: Direction = "asc" if re.fullmatch(_ASC, word) else "desc"
            return (number or None), direction, blank(text, start=match.start(), end=match.end())
    for direction_key, pattern in DIRECTION_RULES:
        matches, text_after = take(pattern, text)
        if matches:
            if re.search(r"\b(?:top|bottom)\b", text):
                return 10, direction_key, text_after
            return None, direction_key, text_after
    return None, None, text


def read_clues(question: str) -> Clues:
    """Everything the rules recognise in one question."""
    original = normalise(question)
    lowered = lower_in_place(original)
    refusal = next((reason.format(window=data_window().label) for pattern, reason in REFUSAL_RULES
                    if pattern.search(lowered)), None)
    followup = bool(FOLLOWUP.search(lowered))
    period_clues, lowered = find_periods(lowered)
    original = "".join(o if t != " " or o == " " else " " for o, t in zip(original, lowered, strict=True))
    filters, text = _filters(original, lowered)
    growth_grain, text = _first(GROWTH_GRAIN_RULES, text)
    trend = TREND.search(text) is not None  # detected only: its words may also name the measure
    measure, text = _first(MEASURE_RULES, text)
    top_n, direction, text = _top_n(text)
    growth_words, text = take(GROWTH, text)
    grain, text = _first(GRAIN_RULES, text)
    dimension, text = _first(DIMENSION_RULES, text)
    compare_words, text = take(COMPARE, text)
    clear, text = take(CLEAR_FILTERS, text)
    share, text = take(SHARE, text)
    return Clues(
        measure=measure, dimension=dimension, trend=trend, grain=_grain(grain),
        growth=bool(growth_words) or growth_grain is not None, growth_grain=_grain(growth_grain),
        compare=bool(compare_words), top_n=top_n, direction=direction, filters=filters,
        periods=period_clues.ordered(), is_range=period_clues.is_range,
        same_period_last_year=period_clues.same_period_last_year, clear_filters=bool(clear),
        followup=followup, refusal=refusal, where=bool(WHERE.search(text)), share=bool(share),
        why=bool(WHY.search(lowered)),
    )


def _grain(value: str | None) -> Grain | None:
    grains: dict[str | None, Grain] = {"month": "month", "quarter": "quarter", "year": "year"}
    return grains.get(value)
