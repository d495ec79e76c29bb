"""Lexical and tone features per article and per outlet.

:func:`lexical_features` describes how each article (or outlet) writes: length, sentence length, lexical
diversity (MTLD), readability (Flesch reading ease), hedges and modal verbs, the share of quoted text,
and tone. :func:`tone` measures tone overall and toward configurable targets (Russia, Ukraine, NATO, the
US, ...: sentences that mention them), with bootstrap confidence intervals. :func:`sentence_tone` gives
the sentence-level scores behind both.

Methods
-------
* **MTLD** (McCarthy & Jarvis 2010, *Behavior Research Methods* 42(2)): the mean length of the word
  sequences that keep a type-token ratio above 0.72, computed forwards and backwards and averaged, with a
  partial factor for the remainder. Unlike the type-token ratio it does not fall with text length; it is
  unstable for texts under about 100 words.
* **Flesch reading ease** = 206.835 - 1.015 (words / sentences) - 84.6 (syllables / words). Syllables are
  counted by a rule (no dictionary download): groups of vowels (a, e, i, o, u and y after the first letter),
  minus a silent final "e" (make, state; not "-le" after a consonant: table), a silent "-es" (makes, not
  boxes or changes) or "-ed" (asked, not wanted); at least one per word, and one for words of up to three
  letters. Words without Latin letters count one syllable.
* **Hedges and modals** from ``framing/data/hedges.txt`` (Hyland 1998/2005 and news hedges such as
  "reportedly", "allegedly", "according to"), per 1,000 words. A one-word entry matches a word token (the
  words MTLD counts), so a word in single quotation marks ('likely') counts; a phrase matches its words
  with white space between them. Matches are leftmost and longest first, without overlaps: "it is
  unclear" counts once, not also as "unclear". Hedges match in any case, modals in
  lower case only ("May" is a month). "will" is not counted as a modal (in news it mostly marks the
  future).
* **Tone**: the VADER compound score (Hutto & Gilbert 2014; the ``vaderSentiment`` package and the lexicon
  it ships) of each sentence, from -1 to 1. Tone toward a target is the mean score of the sentences that
  mention it. This is the simple, standard approach and it has known limits: VADER is a general-purpose
  sentiment lexicon built on social media, not a stance detector. A sentence about an attack on Ukraine
  scores negative whoever the sentence blames, so read differences between outlets as differences in
  wording around a target, not as the outlets' positions. By default (``exclude_quotes=True``) the
  outlet's own voice is scored: text inside quotation marks and embedded posts is removed first, and
  sentences with fewer than three words left are not scored; indirect quotes (paraphrase) are the outlet's
  words and stay.
  Sentences are scored in batches (:mod:`framing.vader_batch`: VADER's rules as array operations), with
  results identical to ``vaderSentiment`` to the last bit.

Speed: :func:`lexical_features` splits each sentence into whitespace-separated tokens once, for VADER and
for the words (the words of a text are the words of its tokens, see :class:`_TokenWords`); the words of
each distinct token are found once per process, and the syllables of new words counted together with array
operations (:func:`_syllables_many`, the same rule). Where the sentences do not hold an article's tokens whole
(a sentence boundary inside a token), the article's text is split again. The results are those of
:func:`framing.charscan.word_types` on the whole texts, exactly.
"""

from __future__ import annotations

import re
import string
import weakref
from bisect import bisect_right
from functools import lru_cache
from importlib import resources
from itertools import compress
from pathlib import Path

import numpy as np
import pandas as pd

from .attribution import (_WORD_RE, _direct_quote_spans, _span_word_counts, _union_words, _word_counts_many,
                          article_word_counts, attribution, cached_quote_spans, count_words)
from .charscan import WordTypes, word_types
from .errors import FramingError
from .parallel import parallel_map

__all__ = [
    "lexical_features",
    "tone",
    "sentence_tone",
    "mtld",
    "count_syllables",
    "flesch_reading_ease",
    "load_hedges",
    "load_targets",
    "ARTICLE_COLUMNS",
    "OUTLET_COLUMNS",
    "TONE_COLUMNS",
    "SENTENCE_TONE_COLUMNS",
]

ARTICLE_COLUMNS = ["article_id", "outlet", "words", "sentences", "mean_sentence_length", "mtld",
                   "flesch_reading_ease", "hedges_per_1k", "modals_per_1k", "quoted_share", "tone",
                   "syllables_per_word", "tone_sentences"]
OUTLET_COLUMNS = ["outlet", "articles", "words", "sentences", "mean_sentence_length", "mtld",
                  "flesch_reading_ease", "hedges_per_1k", "modals_per_1k", "quoted_share", "tone",
                  "syllables_per_word", "tone_sentences"]
TONE_COLUMNS = ["outlet", "target", "sentences", "mean_compound", "ci_low", "ci_high", "positive_share",
                "negative_share", "articles", "ci_unit"]
SENTENCE_TONE_COLUMNS = ["article_id", "outlet", "sent_id", "kind", "compound", "words", "targets"]

MTLD_THRESHOLD = 0.72
POSITIVE, NEGATIVE = 0.05, -0.05          # VADER's conventional thresholds for the compound score
ALL_TARGET = "all"


# ------------------------------------------------------------------------------------------- MTLD

def _mtld_pass(tokens, threshold: float) -> float:
    factors = 0.0
    types: set = set()
    count = 0
    ttr = 1.0
    for tok in tokens:
        count += 1
        types.add(tok)
        ttr = len(types) / count
        if ttr <= threshold:
            factors += 1.0
            types = set()
            count = 0
            ttr = 1.0
    factors += (1.0 - ttr) / (1.0 - threshold)        # partial factor for the remainder
    return len(tokens) / factors if factors > 0 else float("nan")


def _occurrences(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the previous and of the next token with the same code (-1 for none).

    Equal codes in position order, from one plain sort of (code << bits) | position: faster than a stable
    argsort, and the shifts and masks cost less than division. Every position is written once, in the
    sorted order (a permutation), rather than through masks."""
    n = len(codes)
    bits = max(int(n).bit_length(), 1)
    key = (codes.astype(np.int64) << bits) | np.arange(n, dtype=np.int64)
    key.sort()
    position = key & ((1 << bits) - 1)
    key >>= bits
    same = key[1:] == key[:-1]
    prev = np.empty(n, dtype=np.int64)
    nxt = np.empty(n, dtype=np.int64)
    if n:
        prev[position[0]] = -1
        prev[position[1:]] = np.where(same, position[:-1], -1)
        nxt[position[-1]] = -1
        nxt[position[:-1]] = np.where(same, position[1:], -1)
    return prev, nxt


def _ttr_limits(n: int, threshold: float) -> np.ndarray:
    """For k = 1 .. max(n, 1): the largest count c with ``c / k <= threshold`` as floating point divides
    (a division is monotone in c, so ``c / k <= threshold`` exactly when ``c <= limits[k - 1]``): an
    integer comparison instead of a division per token and window position."""
    k = np.arange(1, max(n, 1) + 1, dtype=np.int64)
    c = np.floor(threshold * k).astype(np.int64)
    c = np.where((c + 1) / k <= threshold, c + 1, c)
    return np.where(c / k > threshold, c - 1, c)


def _mtld_direction(other: np.ndarray, starts: np.ndarray, ends: np.ndarray, threshold: float, *,
                    backward: bool = False, window: int = 256) -> np.ndarray:
    """:func:`_mtld_pass` over the token runs ``starts[k]:ends[k]`` of many texts at once, read forward
    (``other``: each token's previous occurrence, :func:`_occurrences`) or backward (``other``: its next
    occurrence).

    Read forward, a token is new in the segment that starts at s when its previous occurrence is before
    s (an occurrence in another text is, as is -1); read backward, when its next occurrence is after the
    segment's first token, or none. So the segment's type count is a cumulative sum. Positions are
    oriented: read backward, token p is at -p, its next occurrence at -next (none: below every position),
    and both directions are the same walk up. Every text's current segment is examined at once, ``window``
    tokens ahead (a segment rarely runs longer; one that does is examined again with a window four times
    as long, from the same start).
    The arithmetic is _mtld_pass's own, so the results are identical to the last bit."""
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    if backward:
        pos, stop = 1 - ends, 1 - starts                # oriented: the last token first
        seen = np.where(other >= 0, -other, -len(other) - 1)
    else:
        pos, stop, seen = starts.copy(), ends, other
    factors = np.zeros(len(starts))
    last = max(len(other) - 1, 0)
    limits = _ttr_limits(max(int((ends - starts).max()) if len(starts) else 0, window), threshold)

    def step(rows, w):
        s, e = pos[rows], stop[rows]
        idx = s[:, None] + np.arange(w)
        valid = idx < e[:, None]
        if backward:
            np.negative(idx, out=idx)
        np.clip(idx, 0, last, out=idx)
        # (past a text's end the counts are not used: only `fail` reads them there, masked by `valid`)
        cnt = np.cumsum(seen[idx] < s[:, None], axis=1)
        fail = (cnt <= limits[:w]) & valid               # cnt / (k + 1) <= threshold
        first = fail.argmax(axis=1)
        done = fail[np.arange(len(rows)), first]        # a factor is complete at s + first
        factors[rows[done]] += 1.0
        pos[rows[done]] = s[done] + first[done] + 1
        length = e - s
        tail = ~done & (length <= w)                    # the text ends before a factor does
        if tail.any():
            k = length[tail]
            factors[rows[tail]] += (1.0 - cnt[tail, k - 1] / k) / (1.0 - threshold)
            pos[rows[tail]] = e[tail]
        longer = ~done & ~tail
        if longer.any():
            step(rows[longer], min(4 * w, int(length[longer].max())))

    active = np.flatnonzero(pos < stop)
    while len(active):
        step(active, window)
        active = active[pos[active] < stop[active]]
    n = (ends - starts).astype(float)
    out = np.full(len(starts), np.nan)
    ok = factors > 0
    out[ok] = n[ok] / factors[ok]
    return out


def _mtld_many(codes: np.ndarray, offsets: np.ndarray, threshold: float = MTLD_THRESHOLD) -> np.ndarray:
    """:func:`mtld` of many texts: text k is the token codes ``codes[offsets[k]:offsets[k + 1]]`` (equal
    codes for equal tokens). NaN for texts without tokens."""
    offsets = np.asarray(offsets, dtype=np.int64)
    starts, ends = offsets[:-1], offsets[1:]
    prev, nxt = _occurrences(np.asarray(codes))
    forward = _mtld_direction(prev, starts, ends, threshold)
    backward = _mtld_direction(nxt, starts, ends, threshold, backward=True)
    return (forward + backward) / 2


def mtld(tokens, *, threshold: float = MTLD_THRESHOLD) -> float:
    """Measure of textual lexical diversity (McCarthy & Jarvis 2010), bidirectional.

    Walks through the tokens keeping the type-token ratio (TTR) of the current segment; each time it falls
    to ``threshold`` one factor is complete and a new segment starts. The remainder adds a partial factor
    (1 - TTR) / (1 - threshold). MTLD is the number of tokens divided by the number of factors, averaged
    over a forward and a backward pass.

    Parameters
    ----------
    tokens : sequence of str
        Word tokens, already normalised (lower case); punctuation should be left out.
    threshold : float, default 0.72
        The TTR at which a factor is complete (the value McCarthy and Jarvis validated).

    Returns
    -------
    float
        NaN when no factor can be counted (no tokens, or every token is different).

    Examples
    --------
    >>> round(mtld("the cat sat on the mat the end".split()), 4)
    8.48
    """
    tokens = list(tokens)
    if not tokens:
        return float("nan")
    forward = _mtld_pass(tokens, threshold)
    backward = _mtld_pass(tokens[::-1], threshold)
    return (forward + backward) / 2


# ------------------------------------------------------------------------------------- readability

_NON_LETTERS_RE = re.compile(r"[^a-z]")
_VOWEL_GROUPS_RE = re.compile(r"[aeiouy]+")


@lru_cache(maxsize=500_000)
def count_syllables(word: str) -> int:
    """Syllables in an English word, by rule (see the module notes); at least 1.

    Examples
    --------
    >>> [count_syllables(w) for w in ["the", "make", "table", "asked", "wanted", "boxes", "government"]]
    [1, 1, 2, 1, 2, 2, 3]
    """
    w = _NON_LETTERS_RE.sub("", word.lower())
    if len(w) <= 3:
        return 1
    body = w[1:] if w[0] == "y" else w                   # a leading y is a consonant (year, yellow)
    n = len(_VOWEL_GROUPS_RE.findall(body))
    if n > 1:
        if w.endswith("e") and not w.endswith(("ee", "ye")) and not (w.endswith("le") and w[-3] not in "aeiouy"):
            n -= 1                                        # make, state; not table, free
        elif w.endswith("es") and w[-3] not in "aeiouysxzcg" and not w.endswith(("shes", "ches")):
            n -= 1                                        # makes; not boxes, changes, places
        elif w.endswith("ed") and w[-3] not in "aeioutd":
            n -= 1                                        # asked, played; not wanted, needed
    return max(1, n)


_LETTER_CODES = np.zeros(256, dtype=bool)
_LETTER_CODES[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz\n", dtype=np.uint8)] = True
_VOWEL_CODES = np.zeros(256, dtype=bool)
_VOWEL_CODES[np.frombuffer(b"aeiouy", dtype=np.uint8)] = True


def _syllables_many(words: list[str]) -> np.ndarray:
    """:func:`count_syllables` of every word (none holding a line break), with array operations over the
    letters of all of them: the same rules, the same counts (int64).

    Only the letters a-z of the lower-cased words count. Lower-casing is per character (the one
    context-dependent case, a final sigma, never gives a-z), so the words can be lower-cased joined."""
    n_words = len(words)
    if not n_words:
        return np.zeros(0, dtype=np.int64)
    data = np.frombuffer("\n".join(words).lower().encode("ascii", "ignore"), dtype=np.uint8)
    chars = data[_LETTER_CODES[data]]
    sep = chars == 10
    word_of = np.cumsum(sep)[~sep]                       # each letter's word
    letters = chars[~sep]
    length = np.bincount(word_of, minlength=n_words)
    end = np.cumsum(length)
    start = end - length
    vowel = _VOWEL_CODES[letters]
    first = np.zeros(len(letters), dtype=bool)
    first[start[length > 0]] = True
    vowel &= ~(first & (letters == ord("y")))            # a leading y is a consonant (year, yellow)
    group = vowel.copy()                                 # the first vowel of each run of vowels
    group[1:] &= ~(vowel[:-1] & ~first[1:])
    n = np.bincount(word_of[group], minlength=n_words)

    def back(k):                                         # the k-th last letter of the words of 4 or more
        return letters[np.maximum(end - k, 0)] if len(letters) else np.zeros(n_words, dtype=np.uint8)

    last, l2, l3, l4 = back(1), back(2), back(3), back(4)
    e, s, d = ord("e"), ord("s"), ord("d")
    drop_e = (last == e) & (l2 != e) & (l2 != ord("y")) & ~((l2 == ord("l")) & ~_VOWEL_CODES[l3])
    drop_es = ((last == s) & (l2 == e) & ~np.isin(l3, np.frombuffer(b"aeiouysxzcg", dtype=np.uint8))
               & ~((l3 == ord("h")) & ((l4 == s) | (l4 == ord("c")))))
    drop_ed = (last == d) & (l2 == e) & ~np.isin(l3, np.frombuffer(b"aeioutd", dtype=np.uint8))
    n = np.where((n > 1) & (drop_e | drop_es | drop_ed), n - 1, n)
    return np.where(length <= 3, 1, np.maximum(n, 1)).astype(np.int64)


def flesch_reading_ease(words: int, sentences: int, syllables: int) -> float:
    """Flesch reading ease: 206.835 - 1.015 words/sentences - 84.6 syllables/words (NaN without words).

    Higher is easier: 60-70 is plain English, 30-50 is typical of quality newspapers.

    Examples
    --------
    >>> round(flesch_reading_ease(6, 1, 6), 3)          # "The cat sat on the mat."
    116.145
    """
    if words <= 0 or sentences <= 0:
        return float("nan")
    return 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words)


# ----------------------------------------------------------------------------------- data files

def _read_data(path, default: str, what: str) -> tuple[str, str]:
    if path is None:
        return resources.files("framing.data").joinpath(default).read_text(encoding="utf-8"), default
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8"), str(p)
    except FileNotFoundError:
        raise FramingError(f"{path}: no such {what} file; give the path of a file in the format of "
                           f"framing/data/{default}.") from None
    except UnicodeDecodeError:
        raise FramingError(f"{path}: the {what} file is not UTF-8 text; save it as UTF-8.") from None


def load_hedges(path=None) -> dict[str, list[str]]:
    """Load hedges and modal verbs (default: the bundled ``framing/data/hedges.txt``).

    The file has a ``[hedge]`` and a ``[modal]`` section, one word or phrase per line; ``#`` starts a
    comment line.

    Returns
    -------
    dict
        ``{"hedge": [...], "modal": [...]}``, in file order.

    Examples
    --------
    >>> h = load_hedges()
    >>> "reportedly" in h["hedge"], "might" in h["modal"], "will" in h["modal"]
    (True, True, False)
    """
    raw, name = _read_data(path, "hedges.txt", "hedge")
    out: dict[str, list[str]] = {"hedge": [], "modal": []}
    section = None
    for line in raw.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            if section not in out:
                raise FramingError(f"{name}: unknown section [{section}]; use [hedge] and [modal].")
            continue
        if section is None:
            raise FramingError(f"{name}: the entry {line!r} comes before a [hedge] or [modal] section header; "
                               "add the header.")
        out[section].append(" ".join(line.lower().split()))
    return out


def load_targets(path=None) -> dict[str, list[str]]:
    """Load tone targets (default: the bundled ``framing/data/tone_targets.csv``): target -> patterns.

    Returns
    -------
    dict
        Target name -> list of regular expressions, in file order.

    Examples
    --------
    >>> t = load_targets()
    >>> list(t)[:4]
    ['Russia', 'Ukraine', 'NATO', 'US']
    """
    import csv

    raw, name = _read_data(path, "tone_targets.csv", "tone target")
    lines = [ln for ln in raw.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    rows = list(csv.DictReader(lines))
    if not rows or not {"target", "pattern"} <= set(rows[0]):
        raise FramingError(f"{name}: needs a header line `target,pattern` and at least one row.")
    out: dict[str, list[str]] = {}
    for row in rows:
        target, pattern = (row.get("target") or "").strip(), (row.get("pattern") or "").strip()
        if not target or not pattern:
            continue
        try:
            re.compile(pattern)
        except re.error as exc:
            raise FramingError(f"{name}, target {target!r}: {pattern!r} is not a valid regular expression "
                               f"({exc}).") from None
        out.setdefault(target, []).append(pattern)
    return out


def _resolve_targets(targets) -> dict[str, list[str]]:
    if targets is None:
        return load_targets()
    if isinstance(targets, dict):
        out = {}
        for target, patterns in targets.items():
            pats = [patterns] if isinstance(patterns, str) else list(patterns)
            for p in pats:
                try:
                    re.compile(p)
                except re.error as exc:
                    raise FramingError(f"targets[{target!r}]: {p!r} is not a valid regular expression ({exc}).") \
                        from None
            out[str(target)] = pats
        if ALL_TARGET in out:
            raise FramingError(f"targets: {ALL_TARGET!r} is reserved for all sentences; rename that target.")
        return out
    return load_targets(targets)


def _required_literals(pattern: str) -> frozenset | None:
    """Strings of which every match of ``pattern`` contains at least one, or None when that cannot be told
    (case-insensitive parts, no literal in every branch). ``"military bloc" not in text`` then proves that
    the pattern cannot match, far faster than the regex engine can try it at every position."""
    from re import _constants as c, _parser

    try:
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError):
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    repeats = (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT))

    def required(items) -> frozenset | None:
        best: frozenset | None = None
        run: list[str] = []

        def consider(candidate):
            nonlocal best
            if candidate and (best is None or min(map(len, candidate)) > min(map(len, best))):
                best = candidate

        for op, av in items:
            if op is c.LITERAL:
                run.append(chr(av))
                continue
            if run:
                consider(frozenset(["".join(run)]))
                run = []
            if op is c.SUBPATTERN:
                _, add_flags, _, sub = av
                if not add_flags & re.IGNORECASE:
                    consider(required(sub))
            elif op is c.BRANCH:
                options = [required(branch) for branch in av[1]]
                if all(o is not None for o in options):
                    consider(frozenset().union(*options))
            elif op in repeats:
                low, _, sub = av
                if low >= 1:
                    consider(required(sub))
            elif op is getattr(c, "ATOMIC_GROUP", None):
                consider(required(av))
        if run:
            consider(frozenset(["".join(run)]))
        return best

    return required(parsed)


class _TargetMatcher:
    """Finds target mentions; whole words only. Each pattern is compiled on its own: a pattern that
    starts with a literal ("Russia", "Kremlin") lets the regex engine jump from candidate to candidate,
    which one big alternation of all patterns cannot do (about ten times faster on news text). A pattern
    runs only on texts that contain one of the strings every match of it must contain."""

    def __init__(self, targets: dict[str, list[str]]):
        self.names = list(targets)
        self.patterns = [(i, re.compile(f"(?:{p})" + r"(?![\w])"), _required_literals(p))
                         for i, pats in enumerate(targets.values()) for p in pats]

    def mentions(self, text: str) -> list[tuple[int, int]]:
        """Sorted (position, target index) of each mention in ``text``."""
        out = set()
        for t, regex, needed in self.patterns:
            if needed is not None and not any(s in text for s in needed):
                continue
            for m in regex.finditer(text):
                a = m.start()
                if a and (text[a - 1].isalnum() or text[a - 1] == "_"):
                    continue                              # inside a word: "Belorussia" is not "Russia"
                out.add((a, t))
        return sorted(out)


class _HedgeMatcher:
    """Counts hedges and modals: single words on integer token codes (the tokens of ``_WORD_RE``), so that
    counting costs nothing next to tokenising; phrases on the text, with white space between their words,
    only in the texts whose tokens contain them. Matches are leftmost, longest and not overlapping, as a
    regular expression of the whole list finds them: "it is unclear" counts once, not also as "unclear".
    Hedges match in any case; modals in lower case only, so "May" and "Will" are not counted."""

    def __init__(self, hedges: dict[str, list[str]]):
        def entries(raw_entries):
            out = {}
            for raw in raw_entries:
                words = tuple(_WORD_RE.findall(raw))
                if words:
                    out.setdefault(words, raw)
            singles = {w[0] for w in out if len(w) == 1}
            phrases = [(words, re.compile(r"\s+".join(map(re.escape, raw.split())) + r"(?![\w'’-])"),
                        sum(w in singles for w in words))
                       for words, raw in sorted(out.items()) if len(words) > 1]
            return sorted(singles), phrases

        self.hedge = entries(hedges["hedge"])
        self.modal = entries([m.replace("'", "’") for m in hedges["modal"] if "'" in m] + hedges["modal"])

    @staticmethod
    def _count(entries, found, code_of, n_codes: int, text_of: np.ndarray, n_texts: int, texts: list,
               lower: bool) -> np.ndarray:
        """Matches of ``entries`` per text. ``found``: the texts' tokens (a ``charscan.WordTypes``: lower-cased
        types as codes; ``code_of``: lower-cased word -> its code, for ``n_codes`` codes); ``text_of``: each
        token's text; ``lower``: match in any case (else as written: a single word by its lower-cased type
        and its written form, a phrase in the text)."""
        singles, phrases = entries
        codes = found.codes
        if not (singles or phrases) or not len(codes):
            return np.zeros(n_texts, dtype=np.int64)
        key = (lambda w: w) if lower else str.lower

        def table(ws):
            out = np.zeros(n_codes, dtype=bool)
            out[[code_of[key(w)] for w in ws if key(w) in code_of]] = True
            return out

        if lower:
            hit = table(singles)[codes]
        else:
            # as written: a lower-case entry matches the tokens of its word written in lower case; another
            # entry ("US") compares the written form of the tokens of its word that are not
            cased = {w for w in singles if w != w.lower()}
            hit = table([w for w in singles if w not in cased])[codes] & found.written_lower
            if cased:
                idx = np.flatnonzero(table(cased)[codes] & ~found.written_lower)
                hit[idx] = [w in cased for w in found.written(idx)]
        counts = np.bincount(text_of[hit], minlength=n_texts)
        # phrases: the texts where their words follow one another as tokens, then the text itself decides
        # (white space between the words, no word character before)
        candidates: dict[int, list] = {}
        for k, (words, _, _) in enumerate(phrases):
            c = [code_of.get(key(w), -1) for w in words]
            if min(c) < 0:
                continue
            n = len(c)
            at = np.flatnonzero(codes[:len(codes) - n + 1] == c[0])
            for j in range(1, n):
                at = at[codes[at + j] == c[j]]
            if not lower:
                # as written, as the tokens of the phrase: "#ought to" has the token "#ought", not "ought"
                for j, w in enumerate(words):
                    if len(at):
                        at = at[np.array([t == w for t in found.written(at + j)], dtype=bool)]
            for t in np.unique(text_of[at[text_of[at] == text_of[at + n - 1]]]).tolist():
                candidates.setdefault(t, []).append(k)
        for t, ks in candidates.items():
            text = texts[t].lower() if lower else texts[t]
            spans = []
            for k in ks:
                _, regex, inner = phrases[k]
                for m in regex.finditer(text):
                    a = m.start()
                    if a == 0 or not (text[a - 1].isalnum() or text[a - 1] in "'’-"):
                        spans.append((a, -m.end(), inner))
            end = -1
            for a, neg_end, inner in sorted(spans):
                if a >= end:                      # not inside a phrase already taken
                    counts[t] += 1 - inner        # its single-word entries were counted as tokens
                    end = -neg_end
        return counts

    def counts(self, found, text_of: np.ndarray, texts: list, code_of=None) -> tuple:
        """Hedges (on lower-cased tokens) and modals (on the tokens as written) per text. ``code_of``: each
        word of ``found.words`` -> its code (default: its position)."""
        if code_of is None:
            code_of = dict(zip(found.words, range(len(found.words))))
        n = len(found.words)
        return (self._count(self.hedge, found, code_of, n, text_of, len(texts), texts, True),
                self._count(self.modal, found, code_of, n, text_of, len(texts), texts, False))


# ------------------------------------------------------------------------------------------- VADER

class _VaderWords(dict):
    """Raw token -> the word VADER makes of it (punctuation stripped unless that leaves two characters or
    fewer), lower-cased; filled on first lookup."""

    def __init__(self, punct: str):
        super().__init__()
        self.punct = punct

    def __missing__(self, token: str) -> str:
        stripped = token.strip(self.punct)
        word = (token if len(stripped) <= 2 else stripped).lower()
        self[token] = word
        return word


class _PlainWords(dict):
    """VADER word -> True when it neither is one of ``modifiers`` nor contains "n't"; filled on lookup."""

    def __init__(self, modifiers: frozenset):
        super().__init__()
        self.modifiers = modifiers

    def __missing__(self, word: str) -> bool:
        plain = word not in self.modifiers and "n't" not in word
        if len(self) < 500_000:
            self[word] = plain
        return plain


def _scale_around_but(sentiments: list, bi: int) -> list:
    """The sentiments after :meth:`_FastVader._but_check`, given the position ``bi`` of the first "but"
    (shared with :mod:`framing.vader_batch`)."""
    nonzero = [k for k, value in enumerate(sentiments) if value != 0]
    for idx, k in enumerate(nonzero):
        value = sentiments[k]
        si = k
        for j in nonzero[:idx]:
            if sentiments[j] == value:
                si = j
                break
        if si < bi:
            sentiments[si] = value * 0.5
        elif si > bi:
            sentiments[si] = value * 1.5
    return sentiments


class _FastVader:
    """VADER's compound score, computed exactly as ``vaderSentiment`` 3.3.2 does, about five times faster.

    ``SentimentIntensityAnalyzer.polarity_scores`` lower-cases every word list several times per lexicon
    hit and copies the text character by character to look for emoji. This class lower-cases each distinct
    token once (cached), visits only lexicon words, gives a lexicon word with no negation, booster or idiom
    around it its plain valence directly, skips sentences without a lexicon word (their compound is 0), and
    falls back to the original for text with emoji; the rules and constants are VADER's own (tests compare
    both on real and on constructed sentences).
    """

    def __init__(self):
        from vaderSentiment import vaderSentiment as v

        self.v = v
        self.analyzer = v.SentimentIntensityAnalyzer()
        self.lexicon = self.analyzer.lexicon
        self.emoji = frozenset(self.analyzer.emojis)
        self.negate = frozenset(v.NEGATE)
        import string

        self.punct = string.punctuation
        self._lower = _VaderWords(self.punct)     # raw token -> VADER's word for it, lower-cased
        # Words that change a lexicon word's valence when they stand up to three words before it (negations,
        # boosters, "no", "least", "never so", "without doubt"), and the first two words of VADER's idioms
        # and multi-word boosters: a lexicon word without any of them around it keeps its plain valence.
        self._modifiers = (frozenset(v.NEGATE) | frozenset(v.BOOSTER_DICT)
                           | frozenset(["no", "never", "so", "this", "without", "doubt", "least"]))
        self._idiom_starts = frozenset(tuple(k.split(" ")[:2]) for k in list(v.SPECIAL_CASES) + list(v.BOOSTER_DICT)
                                       if " " in k)
        self._idiom_first = frozenset(a for a, _ in self._idiom_starts)
        self._plain_word = _PlainWords(self._modifiers)

    def _lower_words(self, tokens: list[str]) -> list[str]:
        """``[word.lower() for word in VADER's words_and_emoticons]``, from a cache of raw tokens."""
        cache = self._lower
        if len(cache) > 500_000:                   # bound the memory on very large corpora
            cache.clear()
        return list(map(cache.__getitem__, tokens))

    def _plain_context(self, lower: list[str], i: int, n: int) -> bool:
        """True when no word before ``lower[i]`` (up to three) negates, boosts or dampens it and no idiom
        or multi-word booster starts between i - 3 and i."""
        if not all(map(self._plain_word.__getitem__, lower[max(0, i - 3):i])):
            return False
        if i > 2 and not self._idiom_first.isdisjoint(lower[i - 3:min(i + 1, n - 1)]):
            starts = self._idiom_starts             # VADER checks idioms only from the fourth word on
            for j in range(i - 3, min(i + 1, n - 1)):
                if (lower[j], lower[j + 1]) in starts:
                    return False
        return True

    @staticmethod
    def _but_check(lower: list[str], sentiments: list) -> list:
        """vaderSentiment's ``_but_check``, without its quadratic cost: each sentiment in turn is scaled (0.5
        before the first "but", 1.5 after it) at the *first* position holding an equal value, which VADER
        finds with ``list.index``. Zeros stay zero wherever they are scaled, so only the nonzero values are
        walked; a value is still unscaled when its turn comes, because earlier turns only change positions
        at or before their own."""
        return _scale_around_but(sentiments, lower.index("but"))

    def compound(self, text: str) -> float:
        """VADER's compound score of ``text``."""
        if not self.emoji.isdisjoint(text):
            return self.analyzer.polarity_scores(text)["compound"]
        text = text.strip()
        tokens = text.split()
        lower = self._lower_words(tokens)
        lex = self.lexicon
        n = len(tokens)
        hits = list(compress(range(n), map(lex.__contains__, lower)))
        if not hits:
            return 0.0
        v = self.v
        booster = v.BOOSTER_DICT
        # Only lexicon words get a valence (every other word scores 0), so only they are visited. A word's
        # isupper() is its raw token's: stripping punctuation (uncased) does not change it.
        cap_diff = None                            # VADER's is_cap_diff, computed when first needed

        def is_cap_diff() -> bool:
            nonlocal cap_diff
            if cap_diff is None:
                allcaps = sum(1 for t in tokens if t.isupper())
                cap_diff = 0 < n - allcaps < n
            return cap_diff

        sentiments = [0] * n
        for i in hits:
            item_lower = lower[i]
            if item_lower in booster:
                continue
            if i < n - 1 and item_lower == "kind" and lower[i + 1] == "of":
                continue
            valence = lex[item_lower]
            if item_lower != "no" and self._plain_context(lower, i, n):
                if tokens[i].isupper() and is_cap_diff():
                    valence = valence + v.C_INCR if valence > 0 else valence - v.C_INCR
                sentiments[i] = valence           # the rules below would add 0.0 and change nothing
                continue
            if item_lower == "no" and i != n - 1 and lower[i + 1] in lex:
                valence = 0.0
            if (i > 0 and lower[i - 1] == "no") or (i > 1 and lower[i - 2] == "no") or (
                    i > 2 and lower[i - 3] == "no" and lower[i - 1] in ("or", "nor")):
                valence = lex[item_lower] * v.N_SCALAR
            if tokens[i].isupper() and is_cap_diff():
                valence = valence + v.C_INCR if valence > 0 else valence - v.C_INCR
            for start_i in range(3):
                if i > start_i and lower[i - (start_i + 1)] not in lex:
                    # vaderSentiment.scalar_inc_dec
                    prev_lower = lower[i - (start_i + 1)]
                    s = 0.0
                    if prev_lower in booster:
                        s = booster[prev_lower]
                        if valence < 0:
                            s *= -1
                        if tokens[i - (start_i + 1)].isupper() and is_cap_diff():
                            if valence > 0:
                                s += v.C_INCR
                            else:
                                s -= v.C_INCR
                    if start_i == 1 and s != 0:
                        s = s * 0.95
                    if start_i == 2 and s != 0:
                        s = s * 0.9
                    valence = valence + s
                    valence = self._negation_check(valence, lower, start_i, i)
                    if start_i == 2:
                        valence = self._special_idioms_check(valence, lower, i)
            valence = self._least_check(valence, lower, i)
            sentiments[i] = valence
        if "but" in lower:
            sentiments = self._but_check(lower, sentiments)
        # vaderSentiment's score_valence, compound only
        sum_s = float(sum(sentiments))
        # no "!" or "?": the emphasis is 0.0, and adding it changes nothing
        punct_emph_amplifier = self.analyzer._punctuation_emphasis(text) if "!" in text or "?" in text else 0.0
        if sum_s > 0:
            sum_s += punct_emph_amplifier
        elif sum_s < 0:
            sum_s -= punct_emph_amplifier
        return round(v.normalize(sum_s), 4)

    def _negated(self, word: str) -> bool:
        return word in self.negate or "n't" in word

    def _negation_check(self, valence, lower, start_i, i):
        n_scalar = self.v.N_SCALAR
        if start_i == 0:
            if self._negated(lower[i - 1]):
                valence = valence * n_scalar
        if start_i == 1:
            if lower[i - 2] == "never" and (lower[i - 1] == "so" or lower[i - 1] == "this"):
                valence = valence * 1.25
            elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
                pass
            elif self._negated(lower[i - 2]):
                valence = valence * n_scalar
        if start_i == 2:
            if lower[i - 3] == "never" and (lower[i - 2] == "so" or lower[i - 2] == "this") or (
                    lower[i - 1] == "so" or lower[i - 1] == "this"):
                valence = valence * 1.25
            elif lower[i - 3] == "without" and (lower[i - 2] == "doubt" or lower[i - 1] == "doubt"):
                pass
            elif self._negated(lower[i - 3]):
                valence = valence * n_scalar
        return valence

    def _special_idioms_check(self, valence, lower, i):
        special, booster = self.v.SPECIAL_CASES, self.v.BOOSTER_DICT
        # negative indices wrap around, exactly as in vaderSentiment
        onezero = f"{lower[i - 1]} {lower[i]}"
        twoonezero = f"{lower[i - 2]} {lower[i - 1]} {lower[i]}"
        twoone = f"{lower[i - 2]} {lower[i - 1]}"
        threetwoone = f"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}"
        threetwo = f"{lower[i - 3]} {lower[i - 2]}"
        for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if seq in special:
                valence = special[seq]
                break
        n = len(lower)
        if n - 1 > i:
            zeroone = f"{lower[i]} {lower[i + 1]}"
            if zeroone in special:
                valence = special[zeroone]
        if n - 1 > i + 1:
            zeroonetwo = f"{lower[i]} {lower[i + 1]} {lower[i + 2]}"
            if zeroonetwo in special:
                valence = special[zeroonetwo]
        for n_gram in (threetwoone, threetwo, twoone):
            if n_gram in booster:
                valence = valence + booster[n_gram]
        return valence

    def _least_check(self, valence, lower, i):
        lex, n_scalar = self.lexicon, self.v.N_SCALAR
        if i > 1 and lower[i - 1] not in lex and lower[i - 1] == "least":
            if lower[i - 2] != "at" and lower[i - 2] != "very":
                valence = valence * n_scalar
        elif i > 0 and lower[i - 1] not in lex and lower[i - 1] == "least":
            valence = valence * n_scalar
        return valence


@lru_cache(maxsize=1)
def _vader() -> _FastVader:
    return _FastVader()


# --------------------------------------------------------------------------------- sentence scores

_SCORE_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _cache_get(corpus, key):
    hit = _SCORE_CACHE.get(corpus)
    if hit is not None and hit[0] is corpus.articles:
        return hit[1].get(key)
    return None


def _cache_put(corpus, key, value):
    try:
        hit = _SCORE_CACHE.get(corpus)
        if hit is None or hit[0] is not corpus.articles:
            hit = (corpus.articles, {})
            _SCORE_CACHE[corpus] = hit
        hit[1][key] = value
    except TypeError:
        pass


def _sentence_layout(corpus):
    """Texts, sentence spans and kinds of the corpus, with each article's range of sentence rows, and the
    rows of ``corpus.sentences()`` in that order (article order, then sentence order; the sentences of
    articles no longer in ``corpus.articles`` are left out). Cached per corpus: the compound scores, the
    targets and sentence_tone's word counts all read it."""
    hit = _cache_get(corpus, ("layout",))
    if hit is not None:
        return hit
    arts = corpus.articles
    sents = corpus.sentences()
    texts = [t or "" for t in arts["text"]]
    pos = pd.Index(arts["id"]).get_indexer(sents["article_id"].to_numpy()) if len(sents) else np.zeros(0, int)
    rows = np.arange(len(pos))
    if len(pos) and ((pos < 0).any() or (np.diff(pos) < 0).any()):
        # the articles were reordered or filtered after the sentences were split
        rows = rows[pos >= 0]
        rows = rows[np.argsort(pos[rows], kind="stable")]
        pos = pos[rows]
    bounds = np.searchsorted(pos, np.arange(len(texts) + 1))
    layout = ((texts, sents["start"].to_numpy(np.int64)[rows], sents["end"].to_numpy(np.int64)[rows],
               (sents["kind"] == "embedded_post").to_numpy()[rows], bounds), rows)
    _cache_put(corpus, ("layout",), layout)
    return layout


def _outside_quotes(text: str, s: int, e: int, quotes: list, quote_ends: list | None = None) -> tuple[str, list]:
    """The text of ``text[s:e]`` without the parts inside ``quotes``, and those parts (clipped spans).
    ``quote_ends``: the quotations' ends, when ``quotes`` are in order and do not overlap (as
    ``_direct_quote_spans`` finds them), so that only the ones near the span are looked at."""
    if quote_ends is None:
        inside = sorted((max(qs, s), min(qe, e)) for qs, qe in quotes if qe > s and qs < e)
    else:
        inside = []
        j, n = bisect_right(quote_ends, s), len(quotes)
        while j < n:
            qs, qe = quotes[j]
            if qs >= e:
                break
            inside.append((qs if qs > s else s, qe if qe < e else e))
            j += 1
    pieces, at = [], s
    for a, b in inside:
        if a > at:
            pieces.append(text[at:a])
        if b > at:
            at = b
    pieces.append(text[at:e])
    return " ".join(filter(None, [p.strip() for p in pieces])), inside


def _quotes_of(text: str, i: int, known) -> list:
    """(start, end) of the direct quotations of article ``i``: from the attribution analysis when it has run
    (``known``, see :func:`framing.attribution.cached_quote_spans`), else found now."""
    if known is None:
        return [(qs, qe) for qs, qe, _, _ in _direct_quote_spans(text)]
    qs, qe, bounds = known
    a, b = bounds[i], bounds[i + 1]
    return list(zip(qs[a:b].tolist(), qe[a:b].tolist())) if b > a else []


def _chunk_quotes(texts: list, a0: int, a1: int, known) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Article (counted from ``a0``), start and end of the direct quotations of articles ``a0:a1``, in
    article order and, within an article, in text order (as ``_direct_quote_spans`` finds them: they do not
    overlap)."""
    if known is not None:
        qs, qe, bounds = known
        lo, hi = bounds[a0], bounds[a1]
        art = np.repeat(np.arange(a1 - a0, dtype=np.int64), np.diff(bounds[a0:a1 + 1]))
        return art, qs[lo:hi].astype(np.int64), qe[lo:hi].astype(np.int64)
    per = [_quotes_of(texts[i], i, None) for i in range(a0, a1)]
    art = np.repeat(np.arange(a1 - a0, dtype=np.int64), [len(q) for q in per])
    flat = np.array([q for qs in per for q in qs], dtype=np.int64).reshape(-1, 2)
    return art, flat[:, 0], flat[:, 1]


def _own_voice(layout, a0: int, a1: int, exclude_quotes: bool, known_quotes) -> tuple:
    """The sentences of articles ``a0:a1`` (``layout``: :func:`_sentence_layout`) and their own texts:
    ``(texts, hit, words, scored)``. ``texts``: each sentence's text; ``hit``: the sentences that overlap a
    quotation, whose entries in ``texts`` are replaced by the text outside the quotations (the pieces
    joined by spaces); ``words``: words of those, -1 elsewhere; ``scored``: the sentences VADER scores
    (not embedded posts; three words or more outside quotations)."""
    texts, starts, ends, posts, bounds = layout
    lo, hi = int(bounds[a0]), int(bounds[a1])
    st, en = starts[lo:hi], ends[lo:hi]
    art = np.repeat(np.arange(a1 - a0, dtype=np.int64), np.diff(bounds[a0:a1 + 1]))
    chunk_texts = texts[a0:a1]
    st_l, en_l, art_l = st.tolist(), en.tolist(), art.tolist()
    own = [chunk_texts[i][s:e] for i, s, e in zip(art_l, st_l, en_l)]
    # words are counted here only where quotations were removed (the rule of three words needs them);
    # -1 elsewhere: only sentence_tone reports them, and counts them then (_with_sentence_words)
    words = np.full(hi - lo, -1, dtype=np.int64)
    scored = np.ones(hi - lo, dtype=bool)
    hit = np.zeros(0, dtype=np.int64)
    if exclude_quotes:
        q_art, q_start, q_end = _chunk_quotes(texts, a0, a1, known_quotes)
        if len(q_start):
            # positions as one increasing key over the chunk's articles, so that one search finds, for every
            # sentence, the quotations ending after its start and starting before its end
            width = max(max(map(len, chunk_texts)), 1) + 1
            first = np.searchsorted(q_end + q_art * width, st + art * width, side="right")
            stop = np.searchsorted(q_start + q_art * width, en + art * width, side="left")
            hit = np.flatnonzero(stop > first)
            pieces_of = []
            qs_l, qe_l = q_start.tolist(), q_end.tolist()
            for j, j0, j1 in zip(hit.tolist(), first[hit].tolist(), stop[hit].tolist()):
                text, s, e = chunk_texts[art_l[j]], st_l[j], en_l[j]
                pieces, at = [], s
                for q in range(j0, j1):
                    a, b = qs_l[q], qe_l[q]
                    if a > at:
                        pieces.append(text[at:a])
                    if b > at:
                        at = b
                pieces.append(text[at:e])
                piece = " ".join(filter(None, [p.strip() for p in pieces]))
                own[j] = piece
                pieces_of.append(piece)
            n = _word_counts_many(pieces_of)
            words[hit] = n
            scored[hit] = n >= 3
        scored &= ~posts[lo:hi]
        words[posts[lo:hi]] = 0
    return own, hit, words, scored


def _compound_chunk(shared, chunk) -> list:
    """Compound score and words of every sentence of the articles ``chunk`` (a range): the sentences' own
    texts are cut out first (quotations removed where they overlap one), then scored together."""
    from .vader_batch import compound_many

    layout, exclude_quotes, known_quotes = shared
    own, _, words, scored = _own_voice(layout, chunk[0], chunk[-1] + 1, exclude_quotes, known_quotes)
    compound = np.full(len(own), np.nan)
    at = np.flatnonzero(scored)
    compound[at] = compound_many([own[j] for j in at.tolist()])
    return [(compound, words)]


def _sentence_compound(corpus, exclude_quotes: bool, n_jobs) -> pd.DataFrame:
    """``article_id``, ``outlet``, ``sent_id``, ``kind``, ``compound`` and ``words`` of every sentence
    (cached per corpus). ``words`` is -1 where it was not needed for scoring (see _with_sentence_words)."""
    key = ("compound", bool(exclude_quotes))
    hit = _cache_get(corpus, key)
    if hit is not None:
        return hit
    layout, rows = _sentence_layout(corpus)
    parts = parallel_map(_compound_chunk, range(len(layout[0])), n_jobs=n_jobs,
                         shared=(layout, exclude_quotes, cached_quote_spans(corpus)), chunk_size=500)
    return _put_compound(corpus, key, parts)


def _put_compound(corpus, key, parts: list) -> pd.DataFrame:
    """The sentence compound frame from the ``(compound, words)`` of every chunk, cached under ``key``."""
    layout, rows = _sentence_layout(corpus)
    sents = corpus.sentences().iloc[rows]
    compound = np.concatenate([c for c, _ in parts]) if parts else np.zeros(0)
    words = np.concatenate([w for _, w in parts]) if parts else np.zeros(0, dtype=np.int64)
    outlets = corpus.articles["outlet"].to_numpy()
    frame = pd.DataFrame({"article_id": sents["article_id"].to_numpy(),
                          "outlet": np.repeat(outlets, np.diff(layout[4])),
                          "sent_id": sents["sent_id"].to_numpy(np.int64),
                          "kind": sents["kind"].to_numpy(),
                          "compound": compound.astype(float), "words": words.astype(np.int64)})
    _cache_put(corpus, key, frame)
    return frame


def _with_sentence_words(corpus, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the words of every sentence counted (where the scoring left -1)."""
    missing = frame["words"].to_numpy() < 0
    if not missing.any():
        return frame
    (texts, starts, ends, _, bounds), _ = _sentence_layout(corpus)
    words = frame["words"].to_numpy().copy()
    for i in np.unique(np.searchsorted(bounds, np.flatnonzero(missing), side="right") - 1).tolist():
        a, b = bounds[i], bounds[i + 1]
        todo = np.flatnonzero(missing[a:b])
        words[a + todo] = _span_word_counts(texts[i], starts[a:b][todo], ends[a:b][todo])
    return frame.assign(words=words)


def _targets_chunk(shared, chunk) -> list:
    """The targets (sorted indices) each sentence of the articles ``chunk`` mentions outside quotations."""
    (texts, starts, ends, posts, bounds), matcher, exclude_quotes, known_quotes = shared
    out = []
    for i in chunk:
        text, a, b = texts[i], bounds[i], bounds[i + 1]
        found = [()] * (b - a)
        mentions = matcher.mentions(text) if b > a else []
        if mentions:
            m_pos = np.array([p for p, _ in mentions])
            sent = np.searchsorted(starts[a:b], m_pos, side="right") - 1
            inside_sent = (sent >= 0) & (m_pos < ends[a:b][np.maximum(sent, 0)])
            quotes = _quotes_of(text, i, known_quotes) if exclude_quotes else []
            per: dict = {}
            for (p, t), k, ok in zip(mentions, sent.tolist(), inside_sent.tolist()):
                if ok and not (exclude_quotes and posts[a + k]):
                    per.setdefault(k, []).append((p, t))
            quote_ends = [q[1] for q in quotes]
            for k, ms in per.items():
                own, inside = _outside_quotes(text, int(starts[a + k]), int(ends[a + k]), quotes, quote_ends)
                ids = sorted({t for p, t in ms if not any(x <= p < y for x, y in inside)})
                if ids and not (inside and count_words(own) < 3):
                    found[k] = tuple(ids)
        out.extend(found)
    return out


def _sentence_scores(corpus, targets: dict, exclude_quotes: bool, n_jobs) -> pd.DataFrame:
    """The sentence compound frame with ``target_ids``: the targets each scored sentence mentions."""
    key = ("scores", tuple((k, tuple(v)) for k, v in targets.items()), bool(exclude_quotes))
    hit = _cache_get(corpus, key)
    if hit is not None:
        return hit
    frame = _sentence_compound(corpus, exclude_quotes, n_jobs).copy()
    layout, _ = _sentence_layout(corpus)
    ids = parallel_map(_targets_chunk, range(len(layout[0])), n_jobs=n_jobs,
                       shared=(layout, _TargetMatcher(targets), exclude_quotes, cached_quote_spans(corpus)),
                       chunk_size=500)
    frame["target_ids"] = pd.Series(ids, index=frame.index, dtype=object)
    _cache_put(corpus, key, frame)
    return frame


def sentence_tone(corpus, *, targets=None, exclude_quotes: bool = True, n_jobs=None) -> pd.DataFrame:
    """VADER compound score of every sentence, with the targets it mentions.

    Parameters
    ----------
    corpus : Corpus
    targets : path or dict, optional
        Target -> list of regular expressions (``{"China": ["China", "Beijing", "Xi Jinping"]}``) or a file
        in the format of ``framing/data/tone_targets.csv`` (the default).
    exclude_quotes : bool, default True
        Score the outlet's own voice: remove text inside quotation marks before scoring, leave embedded
        posts and sentences with fewer than three words left unscored (compound NaN), and ignore target
        mentions inside quotations. With False every sentence is scored as written.
    n_jobs : int, optional
        Processes for large corpora (scikit-learn convention; the result does not depend on it).

    Returns
    -------
    pandas.DataFrame
        ``article_id``, ``outlet``, ``sent_id``, ``kind``, ``compound`` (NaN when not scored), ``words``
        (of the scored text) and ``targets`` (the targets mentioned, joined with ";").

    Examples
    --------
    >>> from framing import load_corpus
    >>> st = sentence_tone(load_corpus())
    >>> int(st.loc[st["targets"].str.contains("NATO"), "outlet"].value_counts()["RT"])
    7
    """
    targets = _resolve_targets(targets)
    frame = _with_sentence_words(corpus, _sentence_scores(corpus, targets, exclude_quotes, n_jobs))
    names = list(targets)
    labels = frame["target_ids"].map(lambda ids: ";".join(names[i] for i in ids))
    out = frame.drop(columns=["target_ids"]).assign(targets=labels)
    return out[SENTENCE_TONE_COLUMNS]


# ------------------------------------------------------------------------------------------- tone

def _bootstrap_ratio(sums: np.ndarray, counts: np.ndarray, n_boot: int, rng, alpha: float) -> tuple:
    """Percentile interval of sum(sums[idx]) / sum(counts[idx]) over resamples of the units."""
    n = len(sums)
    stats = np.empty(n_boot)
    step = max(1, 2_000_000 // max(n, 1))
    for b0 in range(0, n_boot, step):
        b1 = min(n_boot, b0 + step)
        idx = rng.integers(0, n, size=(b1 - b0, n))
        stats[b0:b1] = sums[idx].sum(axis=1) / counts[idx].sum(axis=1)
    lo, hi = np.quantile(stats, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def tone(corpus, *, targets=None, exclude_quotes: bool = True, unit: str = "article", n_boot: int = 1000,
         ci: float = 0.95, random_state: int = 0, n_jobs=None) -> pd.DataFrame:
    """Tone (VADER compound) per outlet, overall and toward each target, with bootstrap intervals.

    Parameters
    ----------
    corpus : Corpus
    targets : path or dict, optional
        What to measure tone toward (see :func:`sentence_tone`); default ``framing/data/tone_targets.csv``
        (Russia, Ukraine, NATO, US, EU/Europe, Germany, UK, China).
    exclude_quotes : bool, default True
        Score the outlet's own voice only (see :func:`sentence_tone`).
    unit : {"article", "sentence"}, default "article"
        What the bootstrap resamples. Sentences of one article are not independent, so resampling whole
        articles (a cluster bootstrap) gives honest intervals; a row with a single article falls back to
        resampling its sentences, and says so in ``ci_unit``.
    n_boot : int, default 1000
    ci : float, default 0.95
    random_state : int, default 0

    Returns
    -------
    pandas.DataFrame
        One row per outlet and target, the target ``"all"`` (every scored sentence) first: ``outlet``,
        ``target``, ``sentences`` (scored sentences that mention the target), ``mean_compound``,
        ``ci_low``, ``ci_high`` (NaN with fewer than two sentences), ``positive_share`` (compound >= 0.05)
        and ``negative_share`` (<= -0.05), ``articles`` and ``ci_unit``. Targets an outlet never mentions
        have no row.

    Examples
    --------
    >>> from framing import load_corpus
    >>> t = tone(load_corpus())
    >>> t.loc[(t["outlet"] == "RT") & (t["target"] == "NATO"), "sentences"].item()
    7
    """
    if unit not in ("article", "sentence"):
        raise FramingError(f"unit={unit!r}: use 'article' or 'sentence'.")
    if not 0 < ci < 1:
        raise FramingError(f"ci={ci!r}: give a confidence level between 0 and 1, such as 0.95.")
    if n_boot < 1:
        raise FramingError(f"n_boot={n_boot!r}: give a positive number of bootstrap resamples, such as 1000.")
    targets = _resolve_targets(targets)
    frame = _sentence_scores(corpus, targets, exclude_quotes, n_jobs)
    scored = frame[frame["compound"].notna()]
    names = [ALL_TARGET] + list(targets)
    parts = [scored.assign(target=0)]
    exploded = scored[scored["target_ids"].map(len) > 0].explode("target_ids")
    if len(exploded):
        parts.append(exploded.assign(target=exploded["target_ids"].astype(int) + 1))
    long = pd.concat(parts, ignore_index=True)[["outlet", "article_id", "target", "compound"]]
    alpha = 1 - ci
    rows = []
    # every group's sentences from one stable sort (a groupby per group cost more than the bootstrap)
    long = long.sort_values(["outlet", "target"], kind="stable")
    outlets = long["outlet"].to_numpy()
    targets_of = long["target"].to_numpy()
    outlet_codes = pd.factorize(outlets)[0]
    compound = long["compound"].to_numpy(dtype=float)
    change = np.flatnonzero((outlet_codes[1:] != outlet_codes[:-1]) | (targets_of[1:] != targets_of[:-1])) + 1
    cuts = np.r_[0, change, len(long)].tolist() if len(long) else [0]
    # per-article sums and counts of every group at once, in article-id order within each group (the
    # order the bootstrap draws them in)
    per = long.groupby(["outlet", "target", "article_id"], sort=True)["compound"].agg(["sum", "count"])
    per_sum, per_count = per["sum"].to_numpy(float), per["count"].to_numpy(float)
    per_group = np.r_[0, np.cumsum(long.groupby(["outlet", "target"], sort=True)["article_id"].nunique()
                                   .to_numpy())].tolist()
    for i, (a, b) in enumerate(zip(cuts[:-1], cuts[1:])):
        outlet, t = outlets[a], int(targets_of[a])
        values = compound[a:b]
        n = len(values)
        rng = np.random.default_rng(np.random.SeedSequence([random_state, i]))
        art_sums, art_counts = per_sum[per_group[i]:per_group[i + 1]], per_count[per_group[i]:per_group[i + 1]]
        use_unit = unit if (unit == "sentence" or len(art_sums) >= 2) else "sentence"
        if n < 2:
            lo = hi = np.nan
        elif use_unit == "article":
            lo, hi = _bootstrap_ratio(art_sums, art_counts, n_boot, rng, alpha)
        else:
            lo, hi = _bootstrap_ratio(values, np.ones(n), n_boot, rng, alpha)
        rows.append({"outlet": outlet, "target": names[t], "sentences": n, "mean_compound": values.mean(),
                     "ci_low": lo, "ci_high": hi, "positive_share": float((values >= POSITIVE).mean()),
                     "negative_share": float((values <= NEGATIVE).mean()), "articles": len(art_sums),
                     "ci_unit": use_unit if n >= 2 else ""})
    out = pd.DataFrame(rows, columns=TONE_COLUMNS)
    return out.astype({"sentences": np.int64, "articles": np.int64}).reset_index(drop=True)


# ------------------------------------------------------------------------------- lexical features

def _lexical_chunk(shared, chunk) -> list:
    """Token counts, syllables, MTLD, hedges and modals of the articles ``chunk`` (a range of positions in
    ``texts``), as one small DataFrame. Tokens are found as lower-cased types with array operations
    (:mod:`framing.charscan`)."""
    matcher, texts = shared
    texts = [texts[i] for i in chunk]
    return [_token_features(word_types(texts, _WORD_RE), texts, matcher)]


def _token_features(found, texts: list, matcher, code_of=None, per_word=None) -> pd.DataFrame:
    """Token counts, syllables, MTLD, hedges and modals of ``texts``, whose tokens are ``found`` (a
    :class:`framing.charscan.WordTypes`; ``code_of`` and ``per_word``: each of its words' code and
    syllables, when known). Syllables are counted once per distinct word, and MTLD, hedges and modals run
    on the integer codes of all the texts at once."""
    n_tokens, lower = found.counts, found.codes
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(n_tokens, out=offsets[1:])
    if per_word is None:
        per_word = _syllables_many(found.words)
    text_of = np.repeat(np.arange(len(texts)), n_tokens)
    syllables = np.bincount(text_of, weights=per_word[lower], minlength=len(texts)).astype(np.int64)
    hedges, modals = matcher.counts(found, text_of, texts, code_of)
    return pd.DataFrame({"tokens": n_tokens, "syllables": syllables, "mtld": _mtld_many(lower, offsets),
                         "hedges": hedges, "modals": modals})


_PLAIN_PUNCT = "".join(c for c in string.punctuation if c not in "@#_")


class _TokenWords:
    """The words (``_WORD_RE`` tokens) of each token type of :func:`framing.vader_batch.token_batch`: the
    lexical features read the words of the whitespace-separated tokens that VADER's split has made.

    The words of a text are those of its whitespace-separated tokens, in order: no word holds white
    space, and what ``_WORD_RE`` looks at around a word (a letter, ``\\w``, "@" or "#") is never white
    space, so the edges of a token are to it what the edges of the text are. A token type's words are
    found once, as ids of the words as written; each written word knows its lower-cased word."""

    _MAX_WORDS = 2_000_000          # written words kept before the tables start again

    def __init__(self):
        self._clear_words()

    def _clear_words(self):
        self.written: dict[str, int] = {}
        self.written_words: list[str] = []
        self.lower: dict[str, int] = {}
        self.lower_words: list[str] = []
        self.syllables = np.zeros(0, dtype=np.int64)    # lower-cased word -> its syllables
        self.lower_of = np.zeros(0, dtype=np.int64)     # written word -> its lower-cased word
        self.is_lower = np.zeros(0, dtype=bool)         # written word -> written in lower case
        self._clear_types(None)

    def _clear_types(self, generation):
        self.generation, self.n_types = generation, 0
        self.first = np.zeros(0, dtype=np.int64)        # token type -> its first word in `flat`
        self.count = np.zeros(0, dtype=np.int64)        # token type -> its number of words
        self.flat = np.zeros(0, dtype=np.int64)         # written word ids of the types, one after another

    def update(self, batch) -> None:
        """Find the words of the token types that ``batch`` has made since the last update."""
        if len(self.written_words) > self._MAX_WORDS:
            self._clear_words()
        if batch.generation != self.generation:
            self._clear_types(batch.generation)
        new = batch.tokens[self.n_types:]
        if not new:
            return
        # Most tokens are one word between punctuation marks ("Kyiv,"): the word is the token stripped of
        # them. Not of "@" or "#" (part of the word after them, and no word starts right after one) nor
        # of "_" (a \w character): tokens with those at an edge take the scan.
        stripped = [t.strip(_PLAIN_PUNCT) for t in new]
        plain = np.fromiter(map(str.isalpha, stripped), dtype=bool, count=len(new))
        other = np.flatnonzero(~plain)
        count = np.ones(len(new), dtype=np.int64)
        found = list(compress(stripped, plain.tolist()))
        if len(other):
            split = word_types([new[i] for i in other.tolist()], _WORD_RE)   # with arrays
            count[other] = split.counts
            found += split.written(np.arange(len(split.codes)))
        fresh = [w for w in dict.fromkeys(found) if w not in self.written]
        if fresh:
            lowered = [w.lower() for w in fresh]
            unseen = [w for w in dict.fromkeys(lowered) if w not in self.lower]
            self.lower.update(zip(unseen, range(len(self.lower_words), len(self.lower_words) + len(unseen))))
            self.lower_words.extend(unseen)
            self.syllables = np.concatenate((self.syllables, _syllables_many(unseen)))
            self.written.update(zip(fresh, range(len(self.written_words), len(self.written_words) + len(fresh))))
            self.written_words.extend(fresh)
            self.lower_of = np.concatenate((self.lower_of, np.fromiter(
                map(self.lower.__getitem__, lowered), dtype=np.int64, count=len(lowered))))
            self.is_lower = np.concatenate((self.is_lower, np.fromiter(
                map(str.__eq__, fresh, lowered), dtype=bool, count=len(fresh))))
        ids = np.fromiter(map(self.written.__getitem__, found), dtype=np.int64, count=len(found))
        first = len(self.flat) + np.cumsum(count) - count
        flat = np.empty(len(found), dtype=np.int64)
        n_plain = len(found) - int(count[other].sum())
        flat[first[plain] - len(self.flat)] = ids[:n_plain]
        if len(other):                                    # `found`: the plain types' words, then the others'
            n = count[other]
            flat[np.repeat(first[other] - len(self.flat) - (np.cumsum(n) - n), n) + np.arange(int(n.sum()))] = \
                ids[n_plain:]
        self.first = np.concatenate((self.first, first))
        self.count = np.concatenate((self.count, count))
        self.flat = np.concatenate((self.flat, flat))
        self.n_types += len(new)

    def word_types(self, type_ids: np.ndarray, text_of_token: np.ndarray, n_texts: int):
        """The words of the tokens ``type_ids`` (``text_of_token``: each token's text, increasing) as a
        :class:`framing.charscan.WordTypes` whose ``words`` are all the lower-cased words of these tables."""
        n = self.count[type_ids]
        total = int(n.sum())
        before = np.cumsum(n) - n
        written_ids = self.flat[np.repeat(self.first[type_ids] - before, n) + np.arange(total)]
        counts = np.bincount(np.repeat(text_of_token, n), minlength=n_texts)
        written_words = self.written_words

        def written(tokens):
            return [written_words[w] for w in written_ids[tokens].tolist()]

        # the codes are the lower-cased words' ids in these tables (``words``: all their words)
        return WordTypes(counts, self.lower_of[written_ids], self.lower_words, self.is_lower[written_ids],
                         [(0, written)])


_TOKEN_WORDS = _TokenWords()


def _tiled(layout, a0: int, a1: int) -> np.ndarray:
    """Per article of ``a0:a1``: whether its sentences hold all of its whitespace-separated tokens, whole
    and in order (only white space between, before and after them, and none begins or ends inside a run of
    non-space characters)."""
    texts, starts, ends, _, bounds = layout
    out = np.ones(a1 - a0, dtype=bool)
    for k in range(a1 - a0):
        text, a, b = texts[a0 + k], bounds[a0 + k], bounds[a0 + k + 1]
        at, n = 0, len(text)
        for s, e in zip(starts[a:b].tolist(), ends[a:b].tolist()):
            if s > at:
                if not text[at:s].isspace():
                    break
            elif s < at or (0 < s < n and not (text[s - 1].isspace() or text[s].isspace())):
                break
            at = e
        else:
            if at >= n or text[at:].isspace():
                continue
        out[k] = False
    return out


def _lexical_tone_chunk(shared, chunk) -> list:
    """:func:`_lexical_chunk` and :func:`_compound_chunk` of the articles ``chunk`` (a range) at once: the
    sentences are split into tokens once, for VADER and for the words (see :class:`_TokenWords`)."""
    from .vader_batch import token_batch

    matcher, layout, exclude_quotes, known_quotes = shared
    texts, starts, ends, _, bounds = layout
    a0, a1 = chunk[0], chunk[-1] + 1
    lo, hi = int(bounds[a0]), int(bounds[a1])
    own, hit, words, scored = _own_voice(layout, a0, a1, exclude_quotes, known_quotes)
    sentence_article = np.repeat(np.arange(a1 - a0), np.diff(bounds[a0:a1 + 1]))
    full = list(own)
    for j in hit.tolist():
        full[j] = texts[a0 + sentence_article[j]][starts[lo + j]:ends[lo + j]]
    tiled = _tiled(layout, a0, a1)
    compound = np.full(hi - lo, np.nan)
    with token_batch() as batch:
        ids = batch.ids(full)
        marks = np.flatnonzero(ids == 0)                        # the end of each sentence
        sentence_of = np.repeat(np.arange(hi - lo), np.diff(marks, prepend=-1))
        # VADER: the scored sentences whose own text is their text, then those cut around quotations
        whole = scored.copy()
        whole[hit] = False
        at = np.flatnonzero(whole)
        compound[at] = batch.compound(ids[whole[sentence_of]], [full[j] for j in at.tolist()])
        cut = hit[scored[hit]].tolist()
        if cut:
            pieces = [own[j] for j in cut]
            compound[cut] = batch.compound(batch.ids(pieces), pieces)
        # words: an article's tokens are its sentences' tokens where they hold it all, else its own
        token = ids != 0
        type_ids, article_of = ids[token], sentence_article[sentence_of[token]]
        untiled = np.flatnonzero(~tiled)
        if len(untiled):
            again = batch.ids([texts[a0 + k] for k in untiled.tolist()])
            lengths = np.diff(np.flatnonzero(again == 0), prepend=-1) - 1
            keep = tiled[article_of]
            type_ids = np.concatenate((type_ids[keep], again[again != 0]))
            article_of = np.concatenate((article_of[keep], np.repeat(untiled, lengths)))
            order = np.argsort(article_of, kind="stable")
            type_ids, article_of = type_ids[order], article_of[order]
        _TOKEN_WORDS.update(batch)
        found = _TOKEN_WORDS.word_types(type_ids, article_of, a1 - a0)
        frame = _token_features(found, texts[a0:a1], matcher, _TOKEN_WORDS.lower, _TOKEN_WORDS.syllables)
    return [(frame, compound, words)]


def lexical_features(corpus, *, by: str = "article", targets=None, hedges=None, exclude_quotes: bool = True,
                     quotes=None, n_jobs=None, scheduler=None) -> pd.DataFrame:
    """Length, sentence length, lexical diversity, readability, hedging, quoting and tone.

    Parameters
    ----------
    corpus : Corpus or PartitionedCorpus
        A :class:`~framing.distributed.PartitionedCorpus` (a folder of ingested Parquet parts) is read
        one part at a time.
    by : {"article", "outlet"}, default "article"
        One row per article, or per outlet (sums of words and sentences, means over the outlet's articles
        of everything else: each article counts once).
    targets : path or dict, optional
        Also give the tone toward these targets, in columns ``tone_<target>`` (mean compound of the
        sentences mentioning it; NaN when none does). Default: no target columns (see :func:`tone` for
        tone toward targets with intervals).
    hedges : path, optional
        Hedges and modals in the format of ``framing/data/hedges.txt``.
    exclude_quotes : bool, default True
        Tone of the outlet's own voice (see :func:`sentence_tone`).
    quotes : Attribution or DataFrame, optional
        The quotes behind ``quoted_share`` (an :class:`~framing.attribution.Attribution` or its ``quotes``
        table), e.g. from a run with your own reporting verbs; default: :func:`framing.attribution.
        attribution` with the bundled lists (computed once per corpus and cached).
    n_jobs : int, optional
        Processes for large corpora (scikit-learn convention; the result does not depend on it).
    scheduler : None, "local", "tcp://HOST:PORT" or distributed.Client, optional
        None runs in this process; "local" starts a Dask LocalCluster; "tcp://HOST:PORT" connects to a
        running Dask scheduler; or pass a ``distributed.Client``. Every article's row depends on that
        article alone, so the partitions are computed on the workers and concatenated in corpus order;
        the per-outlet means are taken here (``n_jobs`` is then not used). The result is the same as
        without a scheduler.

    Returns
    -------
    pandas.DataFrame
        Per article: ``article_id``, ``outlet``, ``words``, ``sentences``, ``mean_sentence_length`` (words per
        sentence), ``mtld`` (McCarthy & Jarvis 2010, threshold 0.72), ``flesch_reading_ease``,
        ``hedges_per_1k`` and ``modals_per_1k`` (per 1,000 words), ``quoted_share`` (share of words inside
        direct or indirect quotes or embedded posts, from :func:`framing.attribution.attribution`),
        ``tone`` (mean VADER compound of the scored sentences), ``syllables_per_word``, ``tone_sentences``
        (sentences scored) and any ``tone_<target>`` columns. Per outlet: ``outlet``, ``articles`` and the
        same columns (``words``, ``sentences`` and ``tone_sentences`` summed, the rest averaged over
        articles).

    Examples
    --------
    >>> from framing import load_corpus
    >>> lex = lexical_features(load_corpus(), by="outlet")
    >>> lex.set_index("outlet").loc["RFE/RL", ["articles", "words"]].tolist()
    [2, 952]
    """
    if by not in ("article", "outlet"):
        raise FramingError(f"by={by!r}: use 'article' or 'outlet'.")
    from .distributed import is_partitioned

    if scheduler is not None or is_partitioned(corpus):
        from .distributed import lexical_article_rows

        frame = lexical_article_rows(corpus, scheduler=scheduler, targets=targets, hedges=hedges,
                                     exclude_quotes=exclude_quotes, quotes=quotes)
        extra = list(frame.columns[len(ARTICLE_COLUMNS):])
    else:
        arts = corpus.articles
        matcher = _HedgeMatcher(load_hedges(hedges))
        key = ("lexical", str(hedges))
        base = _cache_get(corpus, key)
        if base is None:
            if quotes is None:
                quotes = attribution(corpus, n_jobs=n_jobs)      # first: tone reads its quotation spans
            compound_key = ("compound", bool(exclude_quotes))
            if _cache_get(corpus, compound_key) is None:
                # the words and the sentences' tone together, from one split of the sentences
                layout, _ = _sentence_layout(corpus)
                parts = parallel_map(_lexical_tone_chunk, range(len(layout[0])), n_jobs=n_jobs,
                                     shared=(matcher, layout, exclude_quotes, cached_quote_spans(corpus)),
                                     chunk_size=500, min_items=500)   # two workers win from ~300 articles
                _put_compound(corpus, compound_key, [(c, w) for _, c, w in parts])
                parts = [frame for frame, _, _ in parts]
            else:
                texts = [t or "" for t in arts["text"]]
                parts = parallel_map(_lexical_chunk, range(len(texts)), n_jobs=n_jobs, shared=(matcher, texts),
                                     chunk_size=1000)
            base = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
                {c: np.array([], dtype=float if c == "mtld" else np.int64)
                 for c in ["tokens", "syllables", "mtld", "hedges", "modals"]})
            base.insert(0, "article_id", arts["id"].to_numpy())
            _cache_put(corpus, key, base)
        frame = base.copy()
        frame.insert(1, "outlet", arts["outlet"].to_numpy())
        frame["words"] = arts["id"].map(article_word_counts(corpus)).to_numpy()
        n_sents = corpus.sentences().groupby("article_id").size()
        frame["sentences"] = arts["id"].map(n_sents).fillna(0).astype(np.int64).to_numpy()
        words = frame["words"].where(frame["words"] > 0)
        frame["mean_sentence_length"] = words / frame["sentences"].where(frame["sentences"] > 0)
        frame["syllables_per_word"] = frame["syllables"] / frame["tokens"].where(frame["tokens"] > 0)
        frame["flesch_reading_ease"] = 206.835 - 1.015 * frame["mean_sentence_length"] - 84.6 * frame[
            "syllables_per_word"]
        frame["hedges_per_1k"] = frame["hedges"] / words * 1000
        frame["modals_per_1k"] = frame["modals"] / words * 1000
        # quoted words per article, from the attribution analysis (cached when it has already run)
        if quotes is None:
            quotes = attribution(corpus, n_jobs=n_jobs)
        if hasattr(quotes, "by_article") and len(quotes.by_article) == len(arts):
            quoted = dict(zip(quotes.by_article["article_id"], quotes.by_article["quoted_words"]))
        else:
            table = quotes.quotes if hasattr(quotes, "quotes") else quotes
            quoted = {}
            texts = dict(zip(arts["id"], arts["text"]))
            for aid, g in table[table["article_id"].isin(texts)].groupby("article_id", sort=False):
                quoted[aid] = _union_words(texts[aid] or "", list(zip(g["start"], g["end"])))
        frame["quoted_share"] = arts["id"].map(quoted).fillna(0).to_numpy() / words
        # tone of the outlet's own voice
        target_map = _resolve_targets(targets) if targets is not None else {}
        scores = (_sentence_scores(corpus, target_map, exclude_quotes, n_jobs) if target_map
                  else _sentence_compound(corpus, exclude_quotes, n_jobs))
        scored = scores[scores["compound"].notna()]
        per_article = scored.groupby("article_id")["compound"].agg(["mean", "count"])
        frame["tone"] = arts["id"].map(per_article["mean"]).to_numpy()
        frame["tone_sentences"] = arts["id"].map(per_article["count"]).fillna(0).astype(np.int64).to_numpy()
        extra = []
        for i, name in enumerate(target_map):
            col = f"tone_{name}"
            hit = scored[scored["target_ids"].map(lambda ids, i=i: i in ids)]
            frame[col] = arts["id"].map(hit.groupby("article_id")["compound"].mean()).to_numpy()
            extra.append(col)
        frame = frame[ARTICLE_COLUMNS + extra]
    if by == "article":
        return frame.reset_index(drop=True)
    g = frame.groupby("outlet", sort=True)
    out = g[[c for c in ARTICLE_COLUMNS[4:] + extra if c != "tone_sentences"]].mean()
    out.insert(0, "articles", g.size())
    out.insert(1, "words", g["words"].sum())
    out.insert(2, "sentences", g["sentences"].sum())
    out["tone_sentences"] = g["tone_sentences"].sum()
    out = out.reset_index()
    return out[OUTLET_COLUMNS + extra]
