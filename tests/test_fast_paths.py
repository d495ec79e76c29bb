"""The fast internals of attribution and lexical features give exactly what the plain versions give.

Each fast path (NumPy word counts, word-start regex scans, windowed searches, VADER shortcuts) is compared
with the straightforward computation it replaces, on edge cases and on random text built to hit them.
"""

from __future__ import annotations

import random
import re

import pytest

from framing import attribution as A
from framing import lexical as L

EDGE_TEXTS = ["", "a", " ", "U.S.-backed Kiev's ʼtest ‘quote’ _a 1a a1 é.é-é", "𝐀bc 𝐀 😀word x😀y",
              "\ud800abc def", "Mr. Smith  said:\n“No.”", "x’s’ y-z- __ a_b",
              "\u2028a\u00a0b\tc"]


def _random_text(rng: random.Random, n: int) -> str:
    pieces = ["said", "Said", "told", "according to", "point out", "pointed  out", "claims", "the", "U.S.",
              "Kiev's", "x-ray", "_", "’", "'", "-", " ", "  ", "\n", ".", ",", "“", "”", "😀", "𝐀", "é", "1",
              "unsaid", "resaid", "toldx", "a", "Mr.", "Biden", "Putin"]
    return "".join(rng.choice(pieces) + rng.choice(["", " ", ""]) for _ in range(n))


def test_numpy_word_counts_equal_count_words():
    rng = random.Random(0)
    texts = EDGE_TEXTS + [_random_text(rng, 80) for _ in range(200)]
    texts.append("".join(chr(rng.randint(0, 0x2FFFF)) for _ in range(3000)))     # every plane, surrogates too
    for text in texts:
        assert A._count_words_fast(text) == A.count_words(text)
        n = len(text)
        spans = [sorted((rng.randint(0, n), rng.randint(0, n))) for _ in range(40)] + [(0, n), (0, 0), (n, n)]
        got = A._span_word_counts(text, [s for s, _ in spans], [e for _, e in spans]).tolist()
        assert got == [A.count_words(text[s:e]) for s, e in spans]
    # many texts at once (the pieces of sentences outside quotations), empty ones among them
    pieces = [text[s:e] for text in texts
              for s, e in [sorted((rng.randint(0, len(text)), rng.randint(0, len(text)))), (0, 40), (0, 0)]]
    assert A._word_counts_many(pieces).tolist() == [A.count_words(p) for p in pieces]
    assert A._word_counts_many([]).tolist() == []


def test_word_start_scan_finds_the_same_reporting_words():
    lex = A._default_verbs()
    assert lex.scan is not None
    rng = random.Random(1)
    for text in EDGE_TEXTS + [_random_text(rng, 60).lower() for _ in range(400)]:
        if "_" in text:
            continue
        plain = [m.span() for m in lex.regex.finditer(text)
                 if m.start() == 0 or not A._glued(text[m.start() - 1])]
        first = lex.regex.match(text)
        fast = ([first.span()] if first else []) + [m.span(1) for m in lex.scan.finditer(text)]
        assert fast == plain, text


def test_word_start_scan_refuses_lists_where_a_match_could_hide_another():
    # "is believed" matched inside "this believed to" hides "believed to"
    assert A._word_start_scan(["is believed", "believed to"], "") is None
    assert A._word_start_scan(["may."], "") is None                  # ends with a separator
    assert A._word_start_scan(["according to", "told"], "") is not None


def test_windowed_title_search_equals_the_full_search():
    full = re.compile(A._TITLE_BEFORE_RE.pattern)
    rng = random.Random(2)
    alphabet = list("abcdeiklmnoprstuKSſ ,\n\t.'") + ["President", "minister", "CORRESPONDENT", "aide", ", ", "  "]
    hits = 0
    for _ in range(20000):
        before = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert A._title_before(before) == bool(full.search(before)), before
        hits += A._title_before(before)
    assert hits > 500


def test_sentence_tokens_and_offsets_equal_the_token_regex():
    rng = random.Random(3)
    for text in EDGE_TEXTS + [_random_text(rng, 40) for _ in range(100)]:
        for start in range(0, len(text) + 1, 7):
            for end in (start, min(len(text), start + 13), len(text)):
                spans = [m.span() for m in A._TOKEN_RE.finditer(text, start, end)]
                s = A._Sentence(0, text, start, end, [])
                assert s.starts == [a for a, _ in spans] and s.ends == [b for _, b in spans]
                assert s.toks == [text[a:b] for a, b in spans]
                assert s.low == [t.lower().replace("’", "'") for t in s.toks]


def test_target_prefilter_keeps_every_mention():
    targets = {"NATO": ["(?:[Tt]he )?(?:US-led |Western )?military bloc", "NATO|Nato"], "US": ["U\\.S\\.|US"],
               "Ci": ["(?i:abc)", "x(?i:yz)"], "E": ["EU|E\\.U\\.|European Union"]}
    assert L._required_literals("(?:[Tt]he )?(?:US-led )?military bloc") == frozenset(["military bloc"])
    assert L._required_literals("(?i)abc") is None
    assert L._required_literals("x|") is None
    matcher = L._TargetMatcher(targets)
    plain = [(t, re.compile(f"(?:{p})" + r"(?![\w])")) for t, ps in enumerate(targets.values()) for p in ps]
    rng = random.Random(4)
    words = ["the", "The", "military bloc", "Western", "NATO", "Nato", "U.S.", "US", "USA", "ABC", "xYZ", "EU",
             "E.U.", "European Union", "Belorussia", " ", "  ", "-", "_", "a"]
    for _ in range(300):
        text = "".join(rng.choice(words) for _ in range(30))
        expected = sorted({(m.start(), t) for t, rx in plain for m in rx.finditer(text)
                           if not (m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_"))})
        assert matcher.mentions(text) == expected


def test_fast_vader_on_built_sentences():
    vader = pytest.importorskip("vaderSentiment.vaderSentiment")
    reference = vader.SentimentIntensityAnalyzer()
    fast = L._FastVader()
    rng = random.Random(5)
    vocab = ("but But BUT no not never so this without doubt least at very kind of sort the shit bad ass good "
             "great terrible happy sad love hate war peace kill help !!! ?? ? ! VERY extremely barely isn't "
             "can't nor or yeah right kiss death").split()
    for _ in range(3000):
        sentence = " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 25)))
        assert fast.compound(sentence) == reference.polarity_scores(sentence)["compound"], sentence
    assert fast.compound("good 😀") == reference.polarity_scores("good 😀")["compound"]
