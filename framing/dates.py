"""Resolve date expressions in English news text against the publication date.

Used for event alignment: two articles far apart in time should only be
merged when their text points at the same dates.  Everything is done with one
combined regular expression compiled at import time and a single scan per
document (plus a short look-back for weekdays, see below).

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
import re
from dataclasses import dataclass
from typing import Iterable

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

_PATTERN = re.compile(
    r"\b" + _GATE +
    r"(?:(?P<prep>on|in|since|from|until|till|by|of|during|before|after|through)\s+)?(?:"
    rf"(?P<iso>(?<![\d-])(?P<iso_y>{_YEAR})-(?P<iso_m>\d\d)-(?P<iso_d>\d\d)(?![\d-]))"
    rf"|(?P<num>(?<![\d/.])(?P<num_a>\d{{1,2}})(?P<num_sep>[/.])(?P<num_b>\d{{1,2}})"
    rf"(?P=num_sep)(?P<num_y>{_YEAR})(?![/]|\.\d))"
    rf"|(?P<md>(?P<md_m>{_MONTH_ANY})\s*(?P<md_d1>{_DAYNUM})(?:\s*[-–]\s*(?P<md_d2>{_DAYNUM}))?"
    rf"(?:,?\s+(?P<md_y>{_YEAR}))?)"
    rf"|(?P<dm>(?P<dm_d1>{_DAYNUM})(?:\s*[-–]\s*(?P<dm_d2>{_DAYNUM}))?\s+(?:of\s+)?"
    rf"(?P<dm_m>{_MONTH_ANY})(?:,?\s+(?P<dm_y>{_YEAR}))?)"
    rf"|(?P<mo>(?:(?P<mo_mod>early|mid|late|last|next|this)[\s-]+)?(?P<mo_m>{_MONTH_FULL})\b"
    rf"(?:,?\s+(?P<mo_y>{_YEAR}))?)"
    rf"|(?P<ago>(?<![\d,.])(?P<ago_n>{_NUM})\s+(?P<ago_u>day|week|month|year)s?\s+ago\b)"
    rf"|(?P<lat>(?<![\d,.])(?P<lat_n>{_NUM})\s+(?P<lat_u>day|week)s?\s+(?P<lat_dir>later|earlier)\b)"
    r"|(?P<nextday>the\s+(?:next|following)\s+day\b)"
    r"|(?P<rel>(?<!\bthe\s)(?P<rel_mod>(?:earlier|later)\s+(?:this|in\s+the)|this|last|next)"
    r"\s+(?P<rel_u>week|month|year)\b)"
    r"|(?P<sea>(?P<sea_mod>(?:earlier\s+|later\s+)?this|last|next)\s+"
    r"(?P<sea_n>spring|summer|autumn|fall|winter)\b)"
    r"|(?P<day>today|tonight|yesterday|tomorrow|this\s+(?:morning|afternoon|evening)"
    r"|last\s+night)\b"
    r"|(?P<wd>(?:(?P<wd_mod>last|next|this|coming|late|early)\s+)?"
    rf"(?P<wd_n>{'|'.join(_WEEKDAYS)})\b)"
    rf"|(?P<yr>(?:(?P<yr_mod>(?:the\s+)?(?:early|mid|late)|the)[\s-]+)?(?P<yr_n>{_YEAR})"
    r"(?P<yr_s>'?s)?(?![\w%]|[.,]\d))"
    r")"
)
_FUTURE = re.compile(
    r"\b(?:will|shall|won['’]t|upcoming|plans?\s+to|planning\s+to|to\s+be\s+held"
    r"|(?:is|are)\s+(?:due|set|expected|scheduled|slated)\b|look(?:s|ing)?\s+forward\s+to)\b"
    r"|\w['’]ll\b"
)
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


def _future_context(text: str, pos: int) -> bool:
    """Whether the sentence before ``pos`` contains a future cue."""
    lo = max(0, pos - _LOOKBACK)
    window = text[lo:pos]
    cut = 0
    for brk in _SENT_BREAK.finditer(window):
        cut = brk.end()
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

    gran = {"ago": m["ago_u"], "rel": m["rel_u"],
            "sea": "month", "day": "day", "wd": "day"}[kind]
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
    low = text.lower()
    if len(low) != len(text):  # a few characters (e.g. "İ") lower-case to two
        low = "".join(ch.lower()[0] for ch in text)
    out: list[DateMention] = []
    anchor = None
    for m in _PATTERN.finditer(low):
        kind = m.lastgroup
        res = _resolve(m, kind, pub, text, low, anchor)
        if res is None:
            continue
        start, end = m.start(kind), m.end(kind)
        out.append(DateMention(start, end, text[start:end], *res))
        if res[2] == "day" and res[0] is not None:
            anchor = res[1]
    return out


# the span of pandas' datetime64[ns]; mentions outside it get NaT in resolve_dates_frame
_NS_FIRST, _NS_LAST = dt.date(1678, 1, 1), dt.date(2261, 12, 31)
_COLUMNS = ["doc", "start", "end", "text", "date", "end_date", "granularity", "relative"]


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
        One row per mention with columns ``doc`` (position in the input),
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
    rows = [(doc, *(getattr(m, f) for f in _COLUMNS[1:]))
            for doc, (text, pub) in enumerate(zip(texts, published, strict=True))
            for m in resolve_dates(text if isinstance(text, str) else "", pub)]
    df = pd.DataFrame(rows, columns=_COLUMNS)
    for col in ("doc", "start", "end"):
        df[col] = df[col].astype("int64")
    for col in ("date", "end_date"):
        # "500 years ago" is a real mention but lies outside what datetime64[ns] can hold
        values = [d if d is not None and _NS_FIRST <= d <= _NS_LAST else None for d in df[col]]
        df[col] = pd.to_datetime(pd.Series(values, index=df.index, dtype=object)).astype("datetime64[ns]")
    df["relative"] = df["relative"].astype(bool)
    return df
