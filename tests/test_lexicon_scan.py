"""Batch scanning of lexicon mentions (LexiconMatcher.scan_many / scan_batches) against the reference scan.

``LexiconMatcher.scan`` is the definition of what a mention and a word are; the batch scan must give the
same mentions, in the same order, and exactly the same word counts, for any text and any lexicon.
"""

import random

import numpy as np
import pandas as pd
import pytest

import framing.lexicon as L
from framing import corpus_from_frame
from framing.lexicon import compile_lexicon, load_lexicon
from framing.terms import term_choice


@pytest.fixture(scope="module")
def bundled():
    return compile_lexicon(load_lexicon())


def _lexicon(rows):
    return compile_lexicon(pd.DataFrame(rows, columns=["concept", "variant", "pattern"]))


def _names(matcher, hits):
    return matcher.variants.loc[hits, "variant"].tolist()


def _both(matcher, text):
    """(variants, words) from the reference scan, after checking that the batch scan agrees."""
    low = text.lower()
    hits, n_words = matcher.scan(low)
    batch_hits, batch_words = matcher.scan_many([low])
    assert batch_hits == [hits] and batch_words.tolist() == [n_words], text
    return _names(matcher, hits), n_words


# Hand-counted cases. Words are letter-initial tokens; an apostrophe between word characters joins
# ("o'neill", "1'abc'def" is one word, from "abc"); hyphens and other punctuation split; a mention counts
# its letter runs, so "donetsk people's republic" is four words while the same words unmatched are three.
@pytest.mark.parametrize("text, variants, n_words", [
    ("Kiev's regime, the Kyiv-based military-political bloc.", ["Kiev", "regime", "Kyiv", "military bloc"], 8),
    ("Kyiv", ["Kyiv"], 1),                                   # a mention that is the whole text
    ("the capital is Kiev", ["Kiev"], 4),                    # ... at the very end
    ("Kiev, then the capital", ["Kiev"], 4),                 # ... at the very start
    ("o'neill said rock'n'roll isn't 1'abc'def _x'yz 2022 g7 abc_def", [], 8),
    ("Київ і Москва — Σίσυφος. İstanbul 😀 emoji𝐀b", [], 7),  # "i̇stanbul": a combining dot splits it
    ("The Ukraine would not; the Ukraine crisis. In the Ukraine.", ["the Ukraine", "Ukraine", "the Ukraine"], 10),
    ("special military operation and military operations",
     ["special military operation", "military operation"], 6),  # the longest form wins
    ("military  bloc, military\nbloc, military–bloc", ["military bloc", "military bloc"], 6),
    ("the Donetsk People’s Republic", ["the republics"], 5),
    ("Donetsk People's Republics", [], 3),
    ("Kiev'x and kiev’s", ["Kiev", "Kiev"], 4),              # "x" after a mention is a word of its own
    ("", [], 0),
    (" \n\t-'’", [], 0),
])
def test_hand_counted_mentions_and_words(bundled, text, variants, n_words):
    assert _both(bundled, text) == (variants, n_words)


def test_custom_lexicon_forms_and_patterns():
    m = _lexicon([
        ("a", "O'Neill", "o'neill"), ("a", "US", "u.s."), ("b", "rebels", "rebel*"),
        ("c", "late", r"re:(?<=\s)kiev\b"),              # a look-behind that needs the text before
        ("c", "spaced", r"re:\s+the end"),               # starts with a separator, not a word character
        ("d", "G7", "g7"),
    ])
    # As mentions, "O’Neill" and "U.S." count their letter runs (two words each), "G7" one.
    assert _both(m, "O’Neill and the U.S. rebels, rebellion; G7 at kiev") == (
        ["O'Neill", "US", "rebels", "rebels", "G7", "late"], 11)
    assert _both(m, "O’Neills and the U.S.A.") == ([], 6)  # unmatched: one word, then three
    assert _both(m, "kiev at the start") == ([], 4)
    assert _both(m, "so:  the end") == (["spaced"], 3)


def test_patterns_that_can_match_nothing_use_the_reference_scan():
    m = _lexicon([("a", "Kiev", "kiev"), ("a", "x", "re:(?=[.])|xx")])
    assert not m._batch_ok
    # The reference scan counts the empty match before "." as a word (and no mention).
    assert _both(m, "kiev xx . kiev") == (["Kiev", "x", "Kiev"], 4)


def test_a_pattern_that_starts_everywhere_falls_back_per_text():
    m = _lexicon([("a", "e-words", r"re:e\w*"), ("a", "Kiev", "kiev")])
    crowded = " ".join(["eel"] * 500) + " kiev"
    assert L._raw_candidates(m, [crowded, "kiev"]) == {0: None, 1: [2]}  # where the prefix "e" is
    assert _both(m, crowded) == (["e-words"] * 500 + ["Kiev"], 501)


_ALPHABET = (list("abcdefghijklmnopqrstuvwxyz") * 3 + list("KIEVΣσςİ0123456789_") + list("'’‘ʼ") * 3
             + list("-‐‑") * 2 + [" "] * 20 + ["\n", "\t", "  ", "–"] + list(".,;:!?()\"“”")
             + ["кiев", "київ", "𝐀", "😀", "ǅ", "²", "Ⅰ"])
_WORDS = ["kiev", "kyiv", "o'neill", "u.s.", "the ukraine", "the", "ukraine", "military", "bloc", "neo-nazi",
          "neo nazi", "neonazi", "coup d'état", "coup", "g7", "_under", "7eleven", "xy", "xyz", "end", "people's",
          "republic", "republics", "far", "right", "'tis", "rock'n'roll", "rock’n’rolls", "ab", "cd", "σς",
          "regime", "government", "separatists", "rebel", "2 people", "kiev's", "kiev'x", "ukrain", "nato",
          "the republics", "gun rights", "pro-life", "pro life", "prolife", "illegals", "dpr", "𝐀b", "would"]


def _random_text(rng):
    parts = []
    for _ in range(rng.randint(0, 60)):
        parts.append(rng.choice(_WORDS) if rng.random() < 0.5 else rng.choice(_ALPHABET))
        if rng.random() < 0.5:
            parts.append(rng.choice([" ", " ", "\n", "-", "'", ".", ", ", "  ", "’s "]))
    text = "".join(parts)
    return text.upper() if rng.random() < 0.1 else text


_CUSTOM = [
    ("a", "oneill", "o'neill|o’neill"), ("a", "us", "u.s.|u.s"), ("a", "ab", "a b|ab-cd"),
    ("b", "x", "xy*|x"), ("b", "g7", "g7|7eleven|under_score"), ("b", "coup", "coup d'état|coup"),
    ("c", "lb", r"re:(?<=\s)kiev\b"), ("c", "start", r"re:^the\s+end|end$"), ("c", "ws", r"re:\s+the\s+ukraine"),
    ("d", "sigma", "σς|ΣΣ|кiев|київ"), ("d", "astral", "𝐀b|ab𝐀"), ("d", "num", r"re:\d+ people"),
    ("e", "multi", "the  republics|neo-nazi|far right"), ("e", "ap", "people's republic|rock'n'roll"),
    ("e", "tis", r"re:'tis\b|’s"),
]


@pytest.mark.parametrize("chunk_chars", [1, 97, 1 << 18])
@pytest.mark.parametrize("which", ["bundled", "custom"])
def test_batch_scan_equals_reference_scan_on_random_texts(bundled, monkeypatch, which, chunk_chars):
    # Small chunks put text borders everywhere; chunk size 1 gives one text per chunk.
    monkeypatch.setattr(L, "_CHUNK_CHARS", chunk_chars)
    matcher = bundled if which == "bundled" else _lexicon(_CUSTOM)
    rng = random.Random(f"{which}-{chunk_chars}")
    texts = [_random_text(rng).lower() for _ in range(1500)]
    hits, n_words = matcher.scan_many(texts)
    reference = [matcher.scan(t) for t in texts]
    assert hits == [h for h, _ in reference]
    assert n_words.tolist() == [n for _, n in reference]
    assert sum(map(len, hits)) > 500  # the texts do mention the lexicon


def test_scan_batches_lower_cases_and_covers_every_text(bundled, monkeypatch):
    monkeypatch.setattr(L, "_CHUNK_CHARS", 20)
    texts = ["KIEV is", "", "the Kyiv REGIME", "nothing here at all", "Regime"]
    seen = []
    for start, lows, hits, n_words in bundled.scan_batches(texts):
        assert lows == [t.lower() for t in texts[start:start + len(lows)]]
        seen += [(start + i, _names(bundled, h), n) for i, (h, n) in enumerate(zip(hits, n_words.tolist()))]
    assert seen == [(0, ["Kiev"], 2), (1, [], 0), (2, ["Kyiv", "regime"], 3), (3, [], 4), (4, ["regime"], 1)]
    hits, n_words = bundled.scan_many([])
    assert hits == [] and n_words.dtype == np.int64 and n_words.shape == (0,)


def test_in_context_filters_like_context_ok(bundled):
    texts = ["the regime and the government in kyiv", "the regime and the government at home",
             "nato's alliance and the attack", "an alliance, an attack, in russia"]
    for text in texts:
        hits, _ = bundled.scan(text)
        ok = bundled.context_ok(text, hits)
        assert bundled.in_context(text, hits) == [h for h in hits if ok[h]]


def test_term_choice_does_not_depend_on_n_jobs(seeds):
    # 2,000 articles (the threshold for worker processes), cut from the seeds' sentences.
    rng = random.Random(0)
    sentences = [s for t in seeds.articles["text"] for s in t.split(". ") if s]
    rows = [{"outlet": f"outlet {i % 3}", "title": rng.choice(sentences),
             "text": ". ".join(rng.sample(sentences, 4)) + f". Item {i}."} for i in range(2000)]
    corpus = corpus_from_frame(pd.DataFrame(rows), clean=False)
    serial = term_choice(corpus, by="article")
    assert serial["count"].sum() > 1000
    pd.testing.assert_frame_equal(term_choice(corpus, by="article", n_jobs=2), serial)
