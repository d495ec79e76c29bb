"""Tests for framing.dates (date expression resolution)."""

from datetime import date

import pandas as pd
import pytest

from framing.dates import DateMention, resolve_dates, resolve_dates_frame


def one(text, published):
    """The single mention in ``text`` (asserts there is exactly one)."""
    found = resolve_dates(text, published)
    assert len(found) == 1, found
    return found[0]


def spans(text, published):
    return [(m.text, m.date, m.end_date, m.granularity) for m in resolve_dates(text, published)]


# ---------------------------------------------------------------- weekdays
@pytest.mark.parametrize(
    "text, published, expected",
    [
        ("Troops moved late Monday.", "2021-12-07", date(2021, 12, 6)),  # Tuesday article
        ("She spoke on Thursday.", "2022-01-27", date(2022, 1, 27)),  # same weekday
        ("They met on Monday.", "2021-12-08", date(2021, 12, 6)),  # Wednesday article
        ("Shelling resumed early Tuesday.", "2021-12-08", date(2021, 12, 7)),
        ("They met Friday.", "2021-12-08", date(2021, 12, 3)),
        ("They met last Friday.", "2021-12-10", date(2021, 12, 3)),  # strictly before
        ("They meet next Monday.", "2021-12-06", date(2021, 12, 13)),  # strictly after
        ("They meet this Wednesday.", "2021-12-06", date(2021, 12, 8)),  # same week
        ("The leaders will talk Thursday.", "2021-12-08", date(2021, 12, 9)),  # future cue
        ("The vote is scheduled for Friday.", "2021-12-08", date(2021, 12, 10)),
        ("The envoy is due to arrive on Monday.", "2022-01-27", date(2022, 1, 31)),
        ("He will decide later. They met on Monday.", "2021-12-08", date(2021, 12, 6)),
    ],
)
def test_weekdays(text, published, expected):
    m = one(text, published)
    assert (m.date, m.end_date, m.granularity, m.relative) == (expected, expected, "day", True)


def test_weekday_modifier_is_part_of_match_but_preposition_is_not():
    assert one("Troops moved late Monday.", "2021-12-07").text == "late Monday"
    assert one("She spoke on Thursday.", "2022-01-27").text == "Thursday"
    assert resolve_dates("Mondays are quiet.", "2021-12-07") == []


# ------------------------------------------------------------ month / day
def test_month_day_closest_year_and_rollover():
    assert one("Putin spoke on December 30.", "2021-12-31").date == date(2021, 12, 30)
    m = one("Biden will call on January 2 again.", "2021-12-31")
    assert (m.text, m.date, m.relative) == ("January 2", date(2022, 1, 2), True)
    assert one("They met on December 30.", "2022-01-05").date == date(2021, 12, 30)


@pytest.mark.parametrize(
    "text, start, end, relative",
    [
        ("on Dec. 30 officials met", date(2021, 12, 30), date(2021, 12, 30), True),
        ("on 30 December officials met", date(2021, 12, 30), date(2021, 12, 30), True),
        ("on December 30, 2020 officials met", date(2020, 12, 30), date(2020, 12, 30), False),
        ("talks January 9-10 in Geneva", date(2022, 1, 9), date(2022, 1, 10), True),
        ("posted January 27, 2022", date(2022, 1, 27), date(2022, 1, 27), False),
        ("since the 2nd of January", date(2022, 1, 2), date(2022, 1, 2), True),
        ("on May 9 Russia parades", date(2022, 5, 9), date(2022, 5, 9), True),
    ],
)
def test_month_day_forms(text, start, end, relative):
    m = one(text, "2021-12-31")
    assert (m.date, m.end_date, m.granularity, m.relative) == (start, end, "day", relative)


def test_invalid_month_day_skipped():
    assert resolve_dates("on February 30 nothing", "2022-01-01") == []


# ------------------------------------------------------------------ months
@pytest.mark.parametrize(
    "text, published, start, end",
    [
        ("It began in June.", "2021-12-31", date(2021, 6, 1), date(2021, 6, 30)),  # tie -> past
        ("Talks resume in January.", "2021-12-31", date(2022, 1, 1), date(2022, 1, 31)),
        ("He took over in December.", "2022-01-27", date(2021, 12, 1), date(2021, 12, 31)),
        ("Unrest since December.", "2022-01-27", date(2021, 12, 1), date(2021, 12, 31)),
        ("It was signed in June 2021.", "2023-05-01", date(2021, 6, 1), date(2021, 6, 30)),
        ("Troops massed in mid-November.", "2022-01-27", date(2021, 11, 1), date(2021, 11, 30)),
        ("He left last December.", "2022-12-15", date(2021, 12, 1), date(2021, 12, 31)),
        ("Elections come next March.", "2022-03-10", date(2023, 3, 1), date(2023, 3, 31)),
        ("Rallies this summer drew crowds.", "2021-12-31", date(2021, 6, 1), date(2021, 8, 31)),
        ("Fighting flared last winter.", "2022-06-01", date(2021, 12, 1), date(2022, 2, 28)),
    ],
)
def test_months(text, published, start, end):
    m = one(text, published)
    assert (m.date, m.end_date, m.granularity) == (start, end, "month")


def test_may_and_march_as_verbs_or_names_not_matched():
    assert resolve_dates("Russia may invade Ukraine, officials warn.", "2022-01-27") == []
    assert resolve_dates("May the talks succeed. Protesters march on.", "2022-01-27") == []
    assert resolve_dates("June Smith said nothing.", "2022-01-27") == []
    assert one("Elections are held in May.", "2022-01-27").date == date(2022, 5, 1)


# ------------------------------------------------------------------- years
def test_years():
    m = one("Russia annexed Crimea in 2014.", None)
    assert (m.text, m.date, m.end_date, m.granularity, m.relative) == (
        "2014", date(2014, 1, 1), date(2014, 12, 31), "year", False)
    assert one("Tensions simmered since 2014.", "2022-01-27").date == date(2014, 1, 1)
    m = one("in the early 1990s", None)
    assert (m.text, m.date, m.end_date) == (
        "the early 1990s", date(1990, 1, 1), date(1999, 12, 31))
    assert one("by mid-2023", None).date == date(2023, 1, 1)


def test_case_handling_and_offsets_with_unusual_characters():
    assert spans("SUMMIT ON DECEMBER 30; PARADE ON MAY 9", "2021-12-31") == [
        ("DECEMBER 30", date(2021, 12, 30), date(2021, 12, 30), "day"),
        ("MAY 9", date(2022, 5, 9), date(2022, 5, 9), "day"),
    ]
    assert [m.text for m in resolve_dates("Protesters march in March.", "2022-01-27")] == ["March"]
    text = "İstanbul talks on Monday"  # "İ".lower() has two characters
    m = one(text, "2021-12-08")
    assert (text[m.start:m.end], m.date) == ("Monday", date(2021, 12, 6))


def test_bare_numbers_are_not_years():
    text = "Following the 2014 overthrow, $2014 was paid and 2014 people left 1899 homes."
    assert resolve_dates(text, "2022-01-27") == []


# ---------------------------------------------------------------- relative
@pytest.mark.parametrize(
    "text, published, start, end, granularity",
    [
        ("talks next month", "2021-12-31", date(2022, 1, 1), date(2022, 1, 31), "month"),
        ("demanded last month", "2022-01-27", date(2021, 12, 1), date(2021, 12, 31), "month"),
        ("later this month", "2022-01-27", date(2022, 1, 1), date(2022, 1, 31), "month"),
        ("met this week", "2021-12-31", date(2021, 12, 27), date(2022, 1, 2), "week"),
        ("met last week", "2021-12-31", date(2021, 12, 20), date(2021, 12, 26), "week"),
        ("meet next week", "2021-12-31", date(2022, 1, 3), date(2022, 1, 9), "week"),
        ("said earlier in the week", "2021-12-31", date(2021, 12, 27), date(2022, 1, 2), "week"),
        ("grew last year", "2022-01-27", date(2021, 1, 1), date(2021, 12, 31), "year"),
        ("earlier this year", "2022-03-01", date(2022, 1, 1), date(2022, 12, 31), "year"),
        ("talks today", "2022-01-27", date(2022, 1, 27), date(2022, 1, 27), "day"),
        ("talks yesterday", "2022-01-27", date(2022, 1, 26), date(2022, 1, 26), "day"),
        ("talks tomorrow", "2022-01-27", date(2022, 1, 28), date(2022, 1, 28), "day"),
        ("spoke three weeks ago", "2021-12-31", date(2021, 12, 6), date(2021, 12, 12), "week"),
        ("spoke two days ago", "2021-12-31", date(2021, 12, 29), date(2021, 12, 29), "day"),
        ("spoke 2 months ago", "2021-12-31", date(2021, 10, 1), date(2021, 10, 31), "month"),
    ],
)
def test_relative_expressions(text, published, start, end, granularity):
    m = one(text, published)
    assert (m.date, m.end_date, m.granularity, m.relative) == (start, end, granularity, True)


def test_the_last_year_and_vague_phrases_skipped():
    assert resolve_dates("aid over the last year, with sanctions within weeks", "2022-01-27") == []


def test_anaphoric_day_later():
    found = spans("They meet on January 12. Another meeting follows a day later.", "2021-12-31")
    assert found[-1] == ("a day later", date(2022, 1, 13), date(2022, 1, 13), "day")
    assert one("A second round came a day later.", "2021-12-31").date is None


# ------------------------------------------------------ numeric / ISO dates
def test_numeric_dates():
    assert one("filed 2022-01-27 in court", None).date == date(2022, 1, 27)
    assert one("filed 27/01/2022 in court", None).date == date(2022, 1, 27)
    assert one("filed 01/27/2022 in court", None).date == date(2022, 1, 27)
    assert resolve_dates("filed 03/04/2022 in court", None) == []  # ambiguous
    assert resolve_dates("filed 2022-13-45 in court", None) == []  # invalid


# ------------------------------------------------------ no publication date
def test_without_publication_date():
    text = "On Monday, after talks next month and on January 27, 2022, and in 2014."
    found = {m.text: m for m in resolve_dates(text, None)}
    assert found["Monday"].date is None and found["Monday"].relative
    assert found["next month"].date is None and found["next month"].granularity == "month"
    assert found["January 27, 2022"].date == date(2022, 1, 27)
    assert found["2014"].date == date(2014, 1, 1)
    assert resolve_dates(text, float("nan"))[0].date is None


def test_published_types_equivalent():
    text = "They met on Monday."
    expected = resolve_dates(text, date(2021, 12, 8))
    assert resolve_dates(text, "2021-12-08") == expected
    assert resolve_dates(text, pd.Timestamp("2021-12-08 15:30")) == expected
    assert resolve_dates(text, "2021-12-08T15:30:00Z") == expected


# --------------------------------------------------------- seed excerpts
SEED_001 = (  # RFE/RL, published 2021-12-31
    "U.S. President Joe Biden will hold another call with his Ukrainian counterpart, "
    "Volodymyr Zelenskiy, on January 2 as the United States seeks to defuse a crisis.\n"
    "A White House official said on December 31 in announcing the date of the call.\n"
    "The two leaders will also discuss U.S. preparations for talks with Russia next month "
    "aimed at de-escalating the situation in the region, the official said.\n"
    "It comes on the heels of talks between Biden and Russian President Vladimir Putin on "
    "December 30. Biden last spoke to Zelenskiy three weeks ago.\n"
    "U.S. and Russian officials will meet January 9-10 in Geneva to discuss arms control.\n"
    "That will be followed by a separate meeting of the Russia-NATO Council in Brussels on "
    "January 12.\nAnother meeting will be held in Vienna a day later within the framework "
    "of the OSCE."
)

SEED_003 = (  # Al Jazeera, published 2022-01-27
    "The US envoy to the UN, Linda Thomas-Greenfield, said in a statement on Thursday that "
    "the Biden administration wanted to discuss Russia's behaviour.\n"
    "\u201cThis is not a moment to wait and see. The council\u2019s full attention is needed "
    "now, and we look forward to direct and purposeful discussion on Monday.\u201d\n"
    "The Kremlin has denied it plans to invade but last month demanded wide-ranging "
    "security guarantees.\n"
    "As expected, the US and the Western alliance on Wednesday firmly rejected any "
    "concessions on Moscow\u2019s main points.\n"
    "The one-on-one meeting will be Scholz\u2019s first Oval Office meeting since he took "
    "over the German leadership in December.\n"
    "\u201cAnd then on February 7, the German chancellor will be at the White House,\u201d "
    "said Al Jazeera correspondent Alan Fisher.\n"
    "Following the 2014 overthrow of a Kremlin-friendly president in Kyiv, Moscow annexed "
    "Ukraine\u2019s Crimean Peninsula."
)


def test_seed_001():
    found = spans(SEED_001, "2021-12-31")
    assert found == [
        ("January 2", date(2022, 1, 2), date(2022, 1, 2), "day"),
        ("December 31", date(2021, 12, 31), date(2021, 12, 31), "day"),
        ("next month", date(2022, 1, 1), date(2022, 1, 31), "month"),
        ("December 30", date(2021, 12, 30), date(2021, 12, 30), "day"),
        ("three weeks ago", date(2021, 12, 6), date(2021, 12, 12), "week"),
        ("January 9-10", date(2022, 1, 9), date(2022, 1, 10), "day"),
        ("January 12", date(2022, 1, 12), date(2022, 1, 12), "day"),
        ("a day later", date(2022, 1, 13), date(2022, 1, 13), "day"),
    ]


def test_seed_003():
    found = spans(SEED_003, "2022-01-27")
    assert found == [
        ("Thursday", date(2022, 1, 27), date(2022, 1, 27), "day"),
        # "we look forward to ... on Monday" is a future cue -> the coming Monday
        ("Monday", date(2022, 1, 31), date(2022, 1, 31), "day"),
        ("last month", date(2021, 12, 1), date(2021, 12, 31), "month"),
        ("Wednesday", date(2022, 1, 26), date(2022, 1, 26), "day"),
        ("December", date(2021, 12, 1), date(2021, 12, 31), "month"),
        ("February 7", date(2022, 2, 7), date(2022, 2, 7), "day"),
    ]


@pytest.mark.parametrize("text", [SEED_001, SEED_003, "Mid-2023? In the 1990s; on 5 May 2020."])
def test_offsets_slice_back_to_text(text):
    found = resolve_dates(text, "2022-01-27")
    assert found
    for m in found:
        assert isinstance(m, DateMention)
        assert text[m.start:m.end] == m.text
        assert m.date is None or m.date <= m.end_date


def test_mentions_are_frozen():
    m = one("on January 2", "2021-12-31")
    with pytest.raises(AttributeError):
        m.date = date(2000, 1, 1)


# ---------------------------------------------------------------- frame API
def test_resolve_dates_frame():
    df = resolve_dates_frame(
        ["Talks next month.", "No dates here.", "On Monday and on January 27, 2022."],
        ["2021-12-31", "2022-01-01", None],
    )
    assert list(df.columns) == ["doc", "start", "end", "text", "date", "end_date",
                                "granularity", "relative"]
    assert df["doc"].tolist() == [0, 2, 2]
    assert df["date"].dtype == "datetime64[ns]" and df["end_date"].dtype == "datetime64[ns]"
    assert df["start"].dtype == "int64" and df["doc"].dtype == "int64"
    assert df["relative"].dtype == bool
    assert df.loc[0, "end_date"] == pd.Timestamp("2022-01-31")
    assert pd.isna(df.loc[1, "date"]) and df.loc[2, "date"] == pd.Timestamp("2022-01-27")
    assert df["text"].tolist() == ["next month", "Monday", "January 27, 2022"]


def test_resolve_dates_frame_empty_and_mismatched():
    df = resolve_dates_frame([], [])
    assert df.empty and df["date"].dtype == "datetime64[ns]" and df["doc"].dtype == "int64"
    with pytest.raises(ValueError):
        resolve_dates_frame(["a", "b"], ["2022-01-01"])
    df = resolve_dates_frame(pd.Series(["in 2014", float("nan")]), pd.Series([pd.NaT, pd.NaT]))
    assert df["doc"].tolist() == [0] and df.loc[0, "date"] == pd.Timestamp("2014-01-01")


def test_thousands_are_not_read_as_years_ago():
    # "2,600 years ago" once matched as "600 years ago"
    assert resolve_dates("Exiled more than 2,600 years ago.", "2020-01-01") == []
    assert [m.text for m in resolve_dates("It moved 1.5 weeks earlier.", "2020-01-01")] == []


def test_frame_keeps_mentions_outside_the_nanosecond_range_as_nat():
    # a 5,000-article sample of the news corpus crashed alignment on "500 years ago" (year 1514)
    df = resolve_dates_frame(["It happened 500 years ago, and in 2019."], ["2014-06-01"])
    assert df["text"].tolist() == ["500 years ago", "2019"]
    assert df["date"].isna().tolist() == [True, False]
    assert str(df["date"].dtype) == "datetime64[ns]"
