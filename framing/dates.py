"""Resolve date expressions in English news text against the publication date.

Used for event alignment: two articles far apart in time should only be
merged when their text points at the same dates.  Everything is done with one
combined regular expression compiled at import time, tried only at the words
where a date expression can start (found with NumPy for a batch of documents
at once), plus a short look-back for weekdays (see below).

Resolution rules
----------------
* **Bare weekdays** ("Monday", "on Monday", "late Monday", "early Monday")
  follow the past-tense convention of news: the most recent such day on or
  before publication (the publication day itself if the weekday matches).
  If the *same sentence before the weekday* contains a future cue ("will",
  "'ll", "is due/set/expected/scheduled to", "plans to", "upcoming",
  "look forward to", ...) the weekday is resolved forward instead: the first
  such day on or after publication.
* "last <weekday>" is the most recent one strictly before publication,
  "next/coming <weekday>" the first one strictly after, and
  "this <weekday>" the one in the publication week (weeks run Monday-Sunday).
* **Month-day without a year** ("December 30", "30 Dec.", "January 9-10")
  takes the year that puts the date closest to publication (ties go to the
  past), so "January 2" published 2021-12-31 is 2022-01-02.
* **Bare months** ("in June", "since December", "mid-March") resolve to the
  occurrence within the window from six months before to five months after
  the publication month, i.e. the closest one with ties going to the past.
  A month name alone needs a preposition, a modifier or a year ("May" and
  "March" must also be capitalised), so "Russia may invade" is not a date.
  "early/mid/late June" keep the whole month as span.
* **Years** need a preposition ("in", "since", "by", ...), a modifier
  ("early", "mid-", "late") or a month before them; decades ("the 1990s")
  span ten years.  Bare numbers such as "the 2014 overthrow" are skipped.
* "N days/weeks/months/years ago" count back from publication (weeks give the
  Monday-Sunday week containing that day).  "a day later", "two days
  earlier", "the next day" are anaphoric: they count from the preceding
  day-granularity mention in the same text (date None if there is none).
* Numeric dates: ISO "2022-01-27" always; "27/01/2022" only when the
  day/month order is unambiguous.  Vague phrases ("within weeks") are skipped.

``relative`` is True when the mention is not self-contained (it needed the
publication date or a preceding mention); such mentions get ``date=None`` when
no publication date is given.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import itertools
import re
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

__all__ = ["DateMention", "resolve_dates", "resolve_dates_frame"]


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression found in a text.

    Attributes
    ----------
    start, end : int
        Character offsets; ``text[start:end]`` is the matched expression.
    text : str
        The matched expression (without a leading plain preposition).
    date, end_date : datetime.date or None
        First and last day of the referenced span (equal for a single day);
        None when the expression cannot be resolved.
    granularity : str
        ``"day"``, ``"week"``, ``"month"`` or ``"year"``.
    relative : bool
        Whether resolution needed the publication date (or a previous mention).

    Examples
    --------
    >>> m = resolve_dates("talks on December 30", "2021-12-31")[0]
    >>> (m.text, m.date, m.granularity)
    ('December 30', datetime.date(2021, 12, 30), 'day')
    """

    start: int
    end: int
    text: str
    date: dt.date | None
    end_date: dt.date | None
    granularity: str
    relative: bool


# --------------------------------------------------------------------- regex
_MONTH_NUM = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_MONTH_NUM["sep"] = 9
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WORDNUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}

# Matching runs case-sensitively on the lower-cased text (much faster than
# re.IGNORECASE); "May"/"March" capitalisation is checked on the original.
_MONTH_FULL = (r"(?:january|february|march|april|may|june|july|august|september|october"
               r"|november|december)")
_MONTH_ANY = rf"(?:{_MONTH_FULL}|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)(?:\.|\b))"
_YEAR = r"(?:19|20)\d\d(?!\d)"
_NUM = r"(?:\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_DAYNUM = r"\d{1,2}(?:st|nd|rd|th)?\b"
# Every expression starts with a digit or one of these words; a lookahead on
# their first two letters rejects most word starts before the alternation runs.
_FIRST_WORDS = (
    "on in since from until till by of during before after through early mid late last "
    "next this coming earlier later the today tonight yesterday tomorrow a an one two three "
    "four five six seven eight nine ten eleven twelve " + " ".join(_MONTH_NUM) + " "
    + " ".join(_WEEKDAYS)).split()
_GATE = "(?=\\d|a\\b|" + "|".join(
    f"{c}[{''.join(sorted({w[1] for w in _FIRST_WORDS if w[0] == c and len(w) > 1}))}]"
    for c in sorted({w[0] for w in _FIRST_WORDS})) + ")"

_HEAD = r"\b" + _GATE + r"(?:(?P<prep>on|in|since|from|until|till|by|of|during|before|after|through)\s+)?"
# The alternatives after the optional preposition, in order: a match takes the first that fits.
_BRANCHES = {
    "iso": rf"(?P<iso>(?<![\d-])(?P<iso_y>{_YEAR})-(?P<iso_m>\d\d)-(?P<iso_d>\d\d)(?![\d-]))",
    "num": rf"(?P<num>(?<![\d/.])(?P<num_a>\d{{1,2}})(?P<num_sep>[/.])(?P<num_b>\d{{1,2}})"
           rf"(?P=num_sep)(?P<num_y>{_YEAR})(?![/]|\.\d))",
    "md": rf"(?P<md>(?P<md_m>{_MONTH_ANY})\s*(?P<md_d1>{_DAYNUM})(?:\s*[-–]\s*(?P<md_d2>{_DAYNUM}))?"
          rf"(?:,?\s+(?P<md_y>{_YEAR}))?)",
    "dm": rf"(?P<dm>(?P<dm_d1>{_DAYNUM})(?:\s*[-–]\s*(?P<dm_d2>{_DAYNUM}))?\s+(?:of\s+)?"
          rf"(?P<dm_m>{_MONTH_ANY})(?:,?\s+(?P<dm_y>{_YEAR}))?)",
    "mo": rf"(?P<mo>(?:(?P<mo_mod>early|mid|late|last|next|this)[\s-]+)?(?P<mo_m>{_MONTH_FULL})\b"
          rf"(?:,?\s+(?P<mo_y>{_YEAR}))?)",
    "ago": rf"(?P<ago>(?<![\d,.])(?P<ago_n>{_NUM})\s+(?P<ago_u>day|week|month|year)s?\s+ago\b)",
    "lat": rf"(?P<lat>(?<![\d,.])(?P<lat_n>{_NUM})\s+(?P<lat_u>day|week)s?\s+(?P<lat_dir>later|earlier)\b)",
    "nextday": r"(?P<nextday>the\s+(?:next|following)\s+day\b)",
    "rel": r"(?P<rel>(?<!\bthe\s)(?P<rel_mod>(?:earlier|later)\s+(?:this|in\s+the)|this|last|next)"
           r"\s+(?P<rel_u>week|month|year)\b)",
    "sea": r"(?P<sea>(?P<sea_mod>(?:earlier\s+|later\s+)?this|last|next)\s+"
           r"(?P<sea_n>spring|summer|autumn|fall|winter)\b)",
    "day": r"(?P<day>today|tonight|yesterday|tomorrow|this\s+(?:morning|afternoon|evening)"
           r"|last\s+night)\b",
    "wd": r"(?P<wd>(?:(?P<wd_mod>last|next|this|coming|late|early)\s+)?"
          rf"(?P<wd_n>{'|'.join(_WEEKDAYS)})\b)",
    "yr": rf"(?P<yr>(?:(?P<yr_mod>(?:the\s+)?(?:early|mid|late)|the)[\s-]+)?(?P<yr_n>{_YEAR})"
          r"(?P<yr_s>'?s)?(?![\w%]|[.,]\d))",
}


def _compile(kinds: Iterable[str]) -> re.Pattern:
    """The pattern with only the alternatives ``kinds`` (kept in their order)."""
    kinds = set(kinds)
    return re.compile(_HEAD + "(?:" + "|".join(b for k, b in _BRANCHES.items() if k in kinds) + ")")


_PATTERN = _compile(_BRANCHES)
_FUTURE = re.compile(
    r"\b(?:will|shall|won['’]t|upcoming|plans?\s+to|planning\s+to|to\s+be\s+held"
    r"|(?:is|are)\s+(?:due|set|expected|scheduled|slated)\b|look(?:s|ing)?\s+forward\s+to)\b"
    r"|\w['’]ll\b"
)
# every match of _FUTURE contains one of these
_FUTURE_WORDS = ("will", "shall", "won'", "won’", "upcoming", "plan", "held", "due", "set", "expected",
                 "scheduled", "slated", "forward", "'ll", "’ll")
_SENT_BREAK = re.compile(r"[.!?]+[\"'”’)]*\s|\n")
_LOOKBACK = 300  # characters searched for a future cue before a weekday

_Span = tuple[dt.date | None, dt.date | None, str, bool]  # date, end_date, granularity, relative


# ------------------------------------------------------------------ helpers
def _as_date(value) -> dt.date | None:
    """Normalise a publication date (date, datetime, Timestamp, str, None/NaN)."""
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    ts = pd.Timestamp(value)
    return None if pd.isna(ts) else ts.date()


def _month_span(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _month_index_span(index: int) -> tuple[dt.date, dt.date]:
    """Span of the month ``index = 12 * year + month - 1``."""
    return _month_span(index // 12, index % 12 + 1)


def _week_span(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def _number(token: str) -> int:
    return int(token) if token.isdigit() else _WORDNUM[token]


def _sentence_start(window: str) -> int:
    """End of the last ``_SENT_BREAK`` match in ``window`` (0 if none), found from the right.

    A run of ".!?" followed by closing quotes breaks where a whitespace character follows them; a match found
    by a left-to-right scan that starts inside such a run ends where the run's break does, so the last match
    ends at the rightmost break.
    """
    cut = window.rfind("\n") + 1
    end = len(window)
    while True:
        i = max(window.rfind(".", 0, end), window.rfind("!", 0, end), window.rfind("?", 0, end))
        if i < max(cut - 1, 0):  # none, or a break there would end at the newline or before
            return cut
        j = i + 1
        while j < len(window) and window[j] in ".!?":
            j += 1
        while j < len(window) and window[j] in "\"'”’)":
            j += 1
        if j < len(window) and window[j].isspace():
            return max(cut, j + 1)
        end = i


def _future_context(text: str, pos: int) -> bool:
    """Whether the sentence before ``pos`` contains a future cue."""
    window = text[max(0, pos - _LOOKBACK):pos]
    cut = _sentence_start(window)
    sentence = window[cut:]
    if not any(word in sentence for word in _FUTURE_WORDS):  # cheaper than the search, which needs one
        return False
    return _FUTURE.search(window, cut) is not None


def _month(m: re.Match, group: str, text: str) -> int | None:
    """Month number of a month-name group; None for lower-case "may"/"march"."""
    token = m[group]
    if token.startswith(("may", "mar")) and not text[m.start(group)].isupper():
        return None
    return _MONTH_NUM[token[:3]]


def _month_day(mon: int | None, d1: str, d2: str | None, year: str | None,
               pub: dt.date | None) -> _Span | None:
    if mon is None:
        return None
    first, last = int(d1.rstrip("stndrh")), int((d2 or d1).rstrip("stndrh"))
    if last < first:
        return None
    if year is None and pub is None:
        return None, None, "day", True
    years = [int(year)] if year else [pub.year - 1, pub.year, pub.year + 1]
    cands = []
    for y in years:
        try:
            cands.append((dt.date(y, mon, first), dt.date(y, mon, last)))
        except ValueError:
            continue
    if not cands:
        return None
    if year is None:  # closest to publication, ties to the past
        cands.sort(key=lambda c: (abs((c[0] - pub).days), c[0] > pub))
    return cands[0][0], cands[0][1], "day", year is None


def _weekday(m: re.Match, pub: dt.date, low: str) -> dt.date:
    target, mod = _WEEKDAYS.index(m["wd_n"]), m["wd_mod"]
    back, fwd = (pub.weekday() - target) % 7, (target - pub.weekday()) % 7
    if mod == "last":
        return pub - dt.timedelta(days=back or 7)
    if mod in ("next", "coming"):
        return pub + dt.timedelta(days=fwd or 7)
    if mod == "this":
        return _week_span(pub)[0] + dt.timedelta(days=target)
    if fwd and _future_context(low, m.start("wd")):
        return pub + dt.timedelta(days=fwd)
    return pub - dt.timedelta(days=back)


def _season(mod: str, name: str, pub: dt.date) -> tuple[dt.date, dt.date]:
    """Three-month season span; winter runs December to February."""
    first = _SEASONS[name]
    spans = [(_month_span(y, first)[0], _month_index_span(12 * y + first + 1)[1])
             for y in range(pub.year - 2, pub.year + 2)]
    if mod == "last":
        return max(s for s in spans if s[1] < pub)
    if mod == "next":
        return min(s for s in spans if s[0] > pub)
    # "this": the season containing publication, else the one in its year
    inside = [s for s in spans if s[0] <= pub <= s[1]]
    if inside:
        return inside[0]
    return next(s for s in spans if s[0].year == pub.year)


def _resolve(m: re.Match, kind: str, pub: dt.date | None, text: str, low: str,
             anchor: dt.date | None) -> _Span | None:
    """Resolve one match of ``_PATTERN`` on ``low``; None means "not a date"."""
    if kind == "iso" or kind == "num":
        if kind == "iso":
            y, mon, d = int(m["iso_y"]), int(m["iso_m"]), int(m["iso_d"])
        else:
            a, b, y = int(m["num_a"]), int(m["num_b"]), int(m["num_y"])
            if a != b and (a > 12) == (b > 12):  # ambiguous (or impossible) order
                return None
            d, mon = (a, b) if a > 12 or a == b else (b, a)
        try:
            day = dt.date(y, mon, d)
        except ValueError:
            return None
        return day, day, "day", False
    if kind == "md":
        return _month_day(_month(m, "md_m", text), m["md_d1"], m["md_d2"], m["md_y"], pub)
    if kind == "dm":
        return _month_day(_month(m, "dm_m", text), m["dm_d1"], m["dm_d2"], m["dm_y"], pub)
    if kind == "yr":
        mod = m["yr_mod"] or ""
        decade = bool(m["yr_s"])
        if not (m["prep"] or (mod and (decade or mod != "the"))):
            return None
        year = int(m["yr_n"])
        if decade and year % 10:
            return None
        return dt.date(year, 1, 1), dt.date(year + 9 if decade else year, 12, 31), "year", False
    if kind == "mo":
        mod, mon = m["mo_mod"] or "", _month(m, "mo_m", text)
        if mon is None:
            return None
        if m["mo_y"]:
            return *_month_span(int(m["mo_y"]), mon), "month", False
        if not (mod or m["prep"]):
            return None
        if pub is None:
            return None, None, "month", True
        here = 12 * pub.year + pub.month - 1
        if mod == "last":
            idx = here - 1 - (here - 1 - (mon - 1)) % 12
        elif mod == "next":
            idx = here + 1 + (mon - 1 - here - 1) % 12
        elif mod == "this":
            idx = 12 * pub.year + mon - 1
        else:  # window [here - 6, here + 5]
            idx = here - 6 + (mon - 1 - (here - 6)) % 12
        return *_month_index_span(idx), "month", True
    if kind in ("lat", "nextday"):
        if anchor is None:
            return None, None, "day", True
        if kind == "nextday":
            day = anchor + dt.timedelta(days=1)
            return day, day, "day", True
        sign = 1 if m["lat_dir"] == "later" else -1
        if m["lat_u"] == "day":
            day = anchor + dt.timedelta(days=sign * _number(m["lat_n"]))
            return day, day, "day", True
        return *_week_span(anchor + dt.timedelta(weeks=sign * _number(m["lat_n"]))), "week", True

    gran = m["ago_u"] if kind == "ago" else m["rel_u"] if kind == "rel" else "month" if kind == "sea" else "day"
    if pub is None:
        return None, None, gran, True
    if kind == "day":
        word = m["day"]
        shift = -1 if word in ("yesterday", "last night") else 1 if word == "tomorrow" else 0
        day = pub + dt.timedelta(days=shift)
        return day, day, "day", True
    if kind == "wd":
        day = _weekday(m, pub, low)
        return day, day, "day", True
    if kind == "sea":
        mod = m["sea_mod"].split()[-1]
        return *_season(mod, m["sea_n"], pub), "month", True
    if kind == "ago":
        shift = -_number(m["ago_n"])
    else:
        mod = m["rel_mod"]
        shift = -1 if mod == "last" else 1 if mod == "next" else 0
    if gran == "day":
        day = pub + dt.timedelta(days=shift)
        return day, day, "day", True
    if gran == "week":
        return *_week_span(pub + dt.timedelta(weeks=shift)), "week", True
    if gran == "month":
        return *_month_index_span(12 * pub.year + pub.month - 1 + shift), "month", True
    return dt.date(pub.year + shift, 1, 1), dt.date(pub.year + shift, 12, 31), "year", True


# --------------------------------------------------------------------- scan
# _PATTERN.finditer costs ~1.5 ms per news article: sre runs the big alternation (~3 µs) at every word that
# passes _GATE ("on", "in", "the", "a", ...).  Whether _PATTERN matches at a position depends on that position
# alone (with pos=, lookbehinds and \b still see the text before it), so the scan is replaced, exactly, by
# _PATTERN.match at every position where a match may start, in text order, skipping those inside the previous
# match (_matches).  Those positions follow from the words there (_candidates):
#
# * every match contains a *core* word: a number, a month name, a weekday, "today", "tonight", "tomorrow",
#   "yesterday", a unit ("day", "weeks", ...), "night", "morning", "afternoon", "evening" or a season;
# * the words before its first core are *lead-in* words: a preposition, a modifier ("early", "last", "coming",
#   "earlier", ...), "the", "following", a number word ("a", "two", ...) or a month abbreviation ("Sept. 5");
# * its first word is a key of _START_KINDS, which also lists the alternatives a match starting with that word
#   can take: _pattern(kind) tries only those, with the same result, much faster.  A number starts a match only
#   if it is a year or is followed by a number, a unit or a month (see _candidates).
#
# The words are classified with NumPy, one byte per character, for a batch of texts at once (a non-ASCII
# character becomes "0" if \d matches it, else "?"); matching then runs on each text's lower-cased string.
# tests/test_dates.py checks this against the plain scan on tricky and random texts.
_NUMBER = "0"  # stands for a word starting with a digit
_MONTHS = tuple(m.lower() for m in calendar.month_name if m)
_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")
_PREPOSITIONS = ("on", "in", "since", "from", "until", "till", "by", "of", "during", "before", "after", "through")
# The words a match of each alternative can start with (after the optional preposition).
_BRANCH_STARTS = {
    "iso": (_NUMBER,), "num": (_NUMBER,), "md": (*_MONTHS, *_ABBREVIATIONS), "dm": (_NUMBER,),
    "mo": ("early", "mid", "late", "last", "next", "this", *_MONTHS),
    "ago": (_NUMBER, *_WORDNUM), "lat": (_NUMBER, *_WORDNUM), "nextday": ("the",),
    "rel": ("earlier", "later", "this", "last", "next"), "sea": ("earlier", "later", "this", "last", "next"),
    "day": ("today", "tonight", "tomorrow", "yesterday", "this", "last"),
    "wd": ("last", "next", "this", "coming", "late", "early", *_WEEKDAYS),
    "yr": ("the", "early", "mid", "late", _NUMBER),
}
_UNITS = ("day", "week", "month", "year")
_CORE_WORDS = ("today", "tonight", "tomorrow", "yesterday", *_WEEKDAYS, *_MONTHS,  # these begin matches too
               *_UNITS, "night", "morning", "afternoon", "evening", *_SEASONS)
# A match can start at a word of _START_KINDS, with the alternatives listed there (a preposition: any).
_START_KINDS = {w: tuple(k for k, starts in _BRANCH_STARTS.items() if w in starts) or tuple(_BRANCHES)
                for w in dict.fromkeys((*_PREPOSITIONS, *itertools.chain(*_BRANCH_STARTS.values())))}
_LEAD_WORDS = (*(w for w in _START_KINDS if w not in _CORE_WORDS and w != _NUMBER), "following")


def _word_table() -> dict:
    """Tables for ``_candidates``: the listed words as 8-byte codes, grouped by their first three letters."""
    options = sorted({(w, "core") for w in _CORE_WORDS} | {(w, "lead") for w in _LEAD_WORDS}
                     | {(w, "month") for w in _MONTHS})  # "month": a month name after a number, see _candidates
    kinds = sorted(set(_START_KINDS.values()))
    keys, first, code, mask, kind = [], [], [], [], []
    for i, (word, role) in enumerate(options):
        head, key = word[:8].encode(), int.from_bytes(word[:3].encode().ljust(3, b"\0"), "big")
        if not keys or keys[-1] != key:
            keys.append(key)
            first.append(i)
        # Words end there ("the" is not "there"), so the mask covers the zero after them, except for words too
        # long for 8 bytes, units ("days") and month names after a number ("5 Mayor" holds "5 May").
        prefix = role == "month" or word in _UNITS
        width = min(len(head) + (not prefix), 8)
        code.append(int.from_bytes(head.ljust(8, b"\0"), "big"))
        mask.append(((1 << 8 * width) - 1) << 8 * (8 - width))
        starts = role != "month" and word in _START_KINDS
        kind.append(kinds.index(_START_KINDS[word]) if starts else -1)
    first.append(len(options))
    role = np.array([r for _, r in options])
    words = np.array([w for w, _ in options])
    # perfect hashing of the keys: key % modulus differs for every key
    modulus = next(m for m in itertools.count(len(keys)) if len({k % m for k in keys}) == len(keys))
    slots = [k % modulus for k in keys]
    slot_key = np.full(modulus, 1 << 63, np.uint64)  # no key
    slot_key[slots] = keys
    slot_first, slot_last = np.zeros(modulus, np.int64), np.zeros(modulus, np.int64)
    slot_first[slots], slot_last[slots] = first[:-1], first[1:]
    return dict(modulus=np.uint64(modulus), slot_key=slot_key, slot_first=slot_first, slot_last=slot_last,
                code=np.array(code, np.uint64), mask=np.array(mask, np.uint64), core=role == "core",
                lead=role == "lead", month=(role == "month") | np.isin(words, _ABBREVIATIONS),
                unit=np.isin(words, _UNITS), of=words == "of",
                kind=np.array(kind, np.int64), kinds=kinds, number_kind=kinds.index(_START_KINDS[_NUMBER]),
                any_kind=kinds.index(tuple(_BRANCHES)))


_WORDS = _word_table()
_BATCH_CHARS = 1 << 20  # characters per batch of texts classified together
_FEW_CHARS = 1500  # below this, NumPy's per-call cost exceeds what the plain scan costs
# bytes.translate tables: ASCII letters (others become 0); word characters (1, others 0)
_LETTERS = bytes(c if 97 <= c <= 122 else 0 for c in range(256))
_WORD_CHARS = bytes(int(chr(c).isalnum() or c == 95) if c < 128 else 0 for c in range(256))


@functools.cache
def _pattern(kind: int) -> re.Pattern:
    """``_PATTERN`` with only the alternatives that can start with a word of that kind: same match, found faster."""
    return _compile(_WORDS["kinds"][kind])


_DIGIT = re.compile(r"\d")


def _ascii_bytes(text: str) -> bytes:
    """``text`` as one byte per character: non-ASCII characters become "0" if ``\\d`` matches them, else "?"."""
    raw = text.encode("ascii", "replace")
    if text.isascii():
        return raw
    unknown = np.flatnonzero(np.frombuffer(raw, np.uint8) == ord("?"))
    digits = unknown[[m.start() for m in _DIGIT.finditer("".join(map(text.__getitem__, unknown.tolist())))]]
    if not len(digits):
        return raw
    out = np.frombuffer(raw, np.uint8).copy()
    out[digits] = ord("0")
    return out.tobytes()


def _chain_ends_in_core(is_core: np.ndarray, is_lead: np.ndarray) -> np.ndarray:
    """Per word: whether it and the lead-in words after it run into a core word."""
    stop = is_core | ~is_lead  # where a run of lead-in words ends
    return np.append(is_core[stop], False)[np.cumsum(stop) - stop]


def _candidates(lows: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(doc, pos, kind)`` of every word of ``lows`` at which a match of ``_PATTERN`` may start, in text order.

    A superset of the positions where ``_PATTERN.match`` succeeds, and there ``_pattern(kind)`` matches the
    same; see the comment above.
    """
    firsts = np.cumsum([1] + [len(low) + 1 for low in lows[:-1]])  # where each text starts in ``raw``
    raw = _ascii_bytes("\0".join(["", *lows, "\0" * 15]))
    b = np.frombuffer(raw, np.uint8)
    word = np.frombuffer(raw.translate(_WORD_CHARS), bool)
    s = np.flatnonzero(word[1:] > word[:-1]) + 1  # word starts
    n = len(s)
    # each word's first 8 bytes, letters only, so that "may" in "may 5" and "may5" look the same
    codes = np.ndarray((len(raw) - 7,), ">u8", raw.translate(_LETTERS), strides=(1,))[s].astype(np.uint64)
    key = codes >> 40  # the first three letters, "a" without what follows
    key = np.where(key & 0xFF00, key, key & 0xFF0000)
    slot = key % _WORDS["modulus"]
    known = np.flatnonzero(_WORDS["slot_key"][slot] == key)
    lo, hi = _WORDS["slot_first"][slot[known]], _WORDS["slot_last"][slot[known]]
    # one row per (word, listed word with the same first letters)
    row_word = np.repeat(known, hi - lo)
    row_opt = np.arange(len(row_word)) + np.repeat(lo - np.cumsum(hi - lo) + (hi - lo), hi - lo)
    same = (codes[row_word] & _WORDS["mask"][row_opt]) == _WORDS["code"][row_opt]
    row_word, row_opt = row_word[same], row_opt[same]
    flags = {}
    for name in ("core", "lead", "month", "unit", "of"):
        flags[name] = np.zeros(n + 2, bool)  # two more: the words after the last one
        flags[name][row_word[_WORDS[name][row_opt]]] = True
    kind = np.full(n, -1)
    starts = _WORDS["kind"][row_opt] >= 0
    kind[row_word[starts]] = _WORDS["kind"][row_opt[starts]]
    kind[np.bincount(row_word[starts], minlength=n) > 1] = _WORDS["any_kind"]  # two listed words fit: all branches
    # A match starting at a number is a year ("2014", "2022-01-27", "1990s"), or the number is followed by a
    # number, a unit or a month, maybe after "of" ("27/01/2022", "5-6 Dec.", "3 days ago", "10th of May").  A
    # number after lead-in words is one of those too, or follows a month abbreviation ("Sept. 5").
    numbers = np.flatnonzero((b[s] - 48) < 10)
    at = s[numbers]
    is_number = np.zeros(n + 2, bool)
    is_number[numbers] = True
    year = ((b[at] == 49) & (b[at + 1] == 57) | (b[at] == 50) & (b[at + 1] == 48)) \
        & ((b[at + 2] - 48) < 10) & ((b[at + 3] - 48) < 10) & ((b[at + 4] - 48) >= 10)
    then = numbers + 1
    starts_match = year | is_number[then] | flags["unit"][then] | flags["month"][then] \
        | flags["of"][then] & flags["month"][then + 1]
    kind[numbers[starts_match]] = _WORDS["number_kind"]
    after_abbreviation = flags["month"][numbers - 1] & flags["lead"][numbers - 1] & (numbers > 0)
    flags["core"][numbers] = starts_match | after_abbreviation
    at = np.flatnonzero((kind >= 0) & _chain_ends_in_core(flags["core"][:n], flags["lead"][:n]))
    pos = s[at]
    doc = np.searchsorted(firsts, pos, side="right") - 1
    return doc, pos - firsts[doc], kind[at]


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):  # a few characters (e.g. "İ") lower-case to two
        low = "".join(ch.lower()[0] for ch in text)
    return low


def _matches(lows: list[str]) -> Iterator[tuple[int, re.Match]]:
    """``(doc, match)`` for every match of ``_PATTERN.finditer`` in each of ``lows``, in order."""
    if sum(map(len, lows)) < _FEW_CHARS:
        for doc, low in enumerate(lows):
            for m in _PATTERN.finditer(low):
                yield doc, m
        return
    doc, end = -1, 0
    for d, pos, kind in zip(*(a.tolist() for a in _candidates(lows))):
        if d != doc:
            doc, end = d, 0
        elif pos < end:
            continue
        m = _pattern(kind).match(lows[d], pos)
        if m is not None:
            end = m.end()
            yield d, m


def _scan(texts: list[str], pubs: list[dt.date | None], doc0: int = 0) -> list[tuple]:
    """``(doc, start, end, text, date, end_date, granularity, relative)`` per mention; docs from ``doc0``."""
    lows = [_lower(t) for t in texts]
    rows: list[tuple] = []
    doc, text, low, pub, anchor = -1, "", "", None, None
    for d, m in _matches(lows):
        if d != doc:
            doc, text, low, pub, anchor = d, texts[d], lows[d], pubs[d], None
        kind = m.lastgroup
        res = _resolve(m, kind, pub, text, low, anchor)
        if res is None:
            continue
        start, stop = m.start(kind), m.end(kind)
        rows.append((doc0 + d, start, stop, text[start:stop], *res))
        if res[2] == "day" and res[0] is not None:
            anchor = res[1]
    return rows


def _scan_all(texts: Iterable, published: Iterable) -> list[tuple]:
    """``_scan`` over all documents, in batches of about ``_BATCH_CHARS`` characters."""
    rows: list[tuple] = []
    batch: list[str] = []
    pubs: list[dt.date | None] = []
    size = doc0 = 0
    for text, pub in zip(texts, published, strict=True):
        text = text if isinstance(text, str) else ""
        batch.append(text)
        pubs.append(_as_date(pub))
        size += len(text) + 1
        if size >= _BATCH_CHARS:
            rows += _scan(batch, pubs, doc0)
            doc0 += len(batch)
            batch, pubs, size = [], [], 0
    if batch:
        rows += _scan(batch, pubs, doc0)
    return rows


# --------------------------------------------------------------------- API
def resolve_dates(text: str, published: dt.date | str | None) -> list[DateMention]:
    """Find and resolve the date expressions in a news text.

    Parameters
    ----------
    text : str
        Article text.
    published : datetime.date, str or None
        Publication date (ISO string, date, datetime or Timestamp).  Without
        it, relative expressions ("Monday", "next month", "December 30")
        get ``date=None`` while absolute ones ("January 27, 2022") resolve.

    Returns
    -------
    list of DateMention
        Mentions in text order; see the module docstring for the rules.

    Raises
    ------
    ValueError
        If ``published`` is a string that cannot be parsed as a date.

    Examples
    --------
    >>> [(m.text, str(m.date)) for m in resolve_dates(
    ...     "Biden will call Zelenskiy on January 2. They spoke late Monday.",
    ...     "2021-12-31")]
    [('January 2', '2022-01-02'), ('late Monday', '2021-12-27')]
    """
    pub = _as_date(published)
    return [DateMention(*row[1:]) for row in _scan([text], [pub])]


# the span of pandas' datetime64[ns]; mentions outside it get NaT in resolve_dates_frame
_NS_FIRST, _NS_LAST = dt.date(1678, 1, 1), dt.date(2261, 12, 31)
_COLUMNS = ["doc", "start", "end", "text", "date", "end_date", "granularity", "relative"]
_EPOCH = dt.date(1970, 1, 1).toordinal()


def _datetime64(days) -> np.ndarray:
    """datetime64[ns] array of dates; NaT for None and dates outside 1678–2261."""
    ok = np.array([d is not None and _NS_FIRST <= d <= _NS_LAST for d in days], dtype=bool)
    ordinal = np.array([d.toordinal() if d is not None else _EPOCH for d in days], dtype=np.int64)
    out = (ordinal - _EPOCH).astype("datetime64[D]").astype("datetime64[ns]")
    out[~ok] = np.datetime64("NaT")
    return out


def resolve_dates_frame(texts: Iterable[str], published: Iterable) -> pd.DataFrame:
    """Resolve dates for many documents into one table.

    Parameters
    ----------
    texts : iterable of str
        Article texts.
    published : iterable
        Publication dates aligned with ``texts`` (dates, strings, Timestamps,
        None/NaT); must have the same length.  Non-string texts (NaN) count
        as empty.

    Returns
    -------
    pandas.DataFrame
        The mentions of ``resolve_dates`` for each document (found in
        batches, much faster than one call per document), one row per mention
        with columns ``doc`` (position in the input),
        ``start``, ``end``, ``text``, ``date``, ``end_date`` (datetime64[ns],
        NaT when unresolved or outside 1678–2261, which datetime64[ns] cannot hold, as in "500 years
        ago"), ``granularity`` and ``relative``.

    Examples
    --------
    >>> df = resolve_dates_frame(["Talks are due next month.", "In 2014."],
    ...                          ["2021-12-31", None])
    >>> df[["doc", "text", "granularity"]].values.tolist()
    [[0, 'next month', 'month'], [1, '2014', 'year']]
    >>> df["date"].dt.strftime("%Y-%m-%d").tolist(), str(df["date"].dtype)
    (['2022-01-01', '2014-01-01'], 'datetime64[ns]')
    """
    rows = _scan_all(texts, published)
    data = dict(zip(_COLUMNS, zip(*rows) if rows else [np.array([], dtype=object)] * len(_COLUMNS)))
    for col in ("doc", "start", "end"):
        data[col] = np.array(data[col], dtype=np.int64)
    for col in ("date", "end_date"):
        data[col] = _datetime64(data[col])
    data["relative"] = np.array(data["relative"], dtype=bool)
    return pd.DataFrame(data, columns=_COLUMNS)
