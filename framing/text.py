"""Text layer: sentences, tokens and normalisation for matching.

Everything here works on plain strings and returns character offsets into the string it was given, so
results can always be traced back to the cleaned article text. Nothing downloads data: the sentence
splitter is NLTK's Punkt algorithm with parameters built from ``framing/data/abbreviations.txt`` (news
abbreviations such as "U.S.", "Gen.", "Jan."), and the tokeniser is a regular expression.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

__all__ = [
    "split_paragraphs",
    "split_sentences",
    "span_tokenize",
    "tokenize",
    "word_count",
    "normalize_token",
    "normalize_text",
    "words",
    "STOP_WORDS",
]

# Tokens: dotted abbreviations (U.S., U.N.), numbers with separators and units ($2.5, 100,000, 8,500,
# 14%), social handles and hashtags, words with inner hyphens or apostrophes (Kiev's, de-escalation,
# Thomas-Greenfield; any script, so Cyrillic names stay whole), then any other non-space character.
_TOKEN_RE = re.compile(
    r"""
    [^\W\d_](?!\.[^\W\d_]\.)\w*(?:[-'’‘ʼ](?=[^\W_])\w*)*   # words first (most tokens), unless U.S. starts
    | (?:[^\W\d_]\.){2,}(?![^\W\d_])          # U.S.  U.N.  e.g.
    | (?>[$€£]?\d+(?:[.,:]\d+)*)(?:%|bn|m|k)?(?![^\W\d_])  # 100,000 $2.5bn 14%; atomic: 1990s stays whole
    | [@\#][^\W_][\w]*                         # @ZelenskyyUa  #UkrainiansWillResist
    | [^\W\d_]\w*(?:[-'’‘ʼ](?=[^\W_])\w*)*      # words, inner hyphens and apostrophes ("U.S.A")
    | \d[\w]*                                  # 2014-style numbers glued to letters (20th, 1990s)
    | [^\w\s]                                  # punctuation
    """,
    re.VERBOSE,
)
_WORD_START_RE = re.compile(r"[^\W_]")

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"})
_POSSESSIVE_RE = re.compile(r"(?<=\w)'s$|(?<=s)'$")


def _data_path(name: str):
    return resources.files("framing.data").joinpath(name)


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset:
    """The lower-cased abbreviations after which a period does not end a sentence."""
    abbreviations = set()
    with _data_path("abbreviations.txt").open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#"):
                abbreviations.add(line.lower())
    # Initials ("Joe R. Biden") never end a sentence in news copy often enough to matter.
    abbreviations.update("abcdefghijklmnopqrstuvwxyz")
    return frozenset(abbreviations)


@lru_cache(maxsize=1)
def _news_language_vars() -> type:
    """``_NewsLanguageVars``, a subclass of NLTK's PunktLanguageVars made on first use. NLTK is imported
    here, not with this module: its package imports SciPy's statistics and scikit-learn (about a second),
    which the fast splitter, the CLI's help and the Dask workers do without."""
    from nltk.tokenize.punkt import PunktLanguageVars

    class _NewsLanguageVars(PunktLanguageVars):
        # Also end sentences at "?" and "!" followed by a closing quote, as Punkt does by default, but keep
        # the ellipsis inside a sentence ("countermeasures…that would").
        sent_end_chars = (".", "?", "!")

    # found by pickle as framing.text._NewsLanguageVars (through this module's __getattr__)
    _NewsLanguageVars.__qualname__ = "_NewsLanguageVars"
    return _NewsLanguageVars


@lru_cache(maxsize=1)
def _punkt():
    """NLTK's PunktSentenceTokenizer with the news abbreviations."""
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = set(_abbreviations())
    return PunktSentenceTokenizer(params, lang_vars=_news_language_vars()())


_PARAGRAPH_RE = re.compile(r"[^\n]+")


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the paragraphs (non-empty lines) of ``text``.

    News text extracted from web pages puts one paragraph on a line; a line never continues a sentence
    across a line break, so splitting on newlines first keeps headlines, subheads and embedded posts
    out of the neighbouring sentences.

    Examples
    --------
    >>> split_paragraphs("Title\\n\\nFirst line. Second.\\n")
    [(0, 5), (7, 26)]
    """
    spans = []
    for m in _PARAGRAPH_RE.finditer(text):
        start, end = m.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def split_sentences(text: str, *, method: str = "fast") -> list[tuple[int, int]]:
    """Split ``text`` into sentences, returning ``(start, end)`` character offsets.

    Paragraphs (lines) are split first, then each paragraph is split by the Punkt decision rule (Kiss &
    Strunk 2006, as implemented in NLTK) with a news abbreviation list, so that "U.S. President Joe
    Biden" or "Gen. Mark Milley" stay in one sentence: a sentence ends at "?" or "!", and at a "." that
    does not end an abbreviation, an initial or an ellipsis; closing quotes and brackets stay with the
    sentence they close. Offsets index into ``text``; surrounding white space is excluded.

    Parameters
    ----------
    method : {"fast", "punkt"}
        "fast" applies the rule with one regular expression (about 20 times faster on long texts);
        "punkt" runs NLTK's PunktSentenceTokenizer with the same parameters. They agree on news text
        (the test suite checks this on the seeds and, where available, on thousands of real articles).

    Examples
    --------
    >>> text = "U.S. President Joe Biden spoke. Putin listened."
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['U.S. President Joe Biden spoke.', 'Putin listened.']
    """
    split = _split_fast if method == "fast" else _split_punkt
    spans = []
    for p_start, p_end in split_paragraphs(text):
        for s, e in split(text, p_start, p_end):
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                spans.append((s, e))
    return spans


def _split_punkt(text: str, start: int, end: int):
    paragraph = text[start:end]
    return [(start + s, start + e) for s, e in _punkt().span_tokenize(paragraph)]


# A candidate boundary: ".", "?" or "!" followed by white space (then more text) or by a character
# that cannot continue a word, as in Punkt's period context.
_CANDIDATE_RE = re.compile(r"[.?!](?=[\"')\]}*:;@({\[‘’“”«»?!]|\s+\S|[A-Z])")
_TOKEN_TAIL_RE = re.compile(r"[^\s\"'(){}\[\]*:;@‘’“”«»?!]*$")
_REALIGN_RE = re.compile(r"[\"')\]}’”»]+")


def _split_fast(text: str, start: int, end: int):
    abbreviations = _abbreviations()
    spans, sent_start = [], start
    for m in _CANDIDATE_RE.finditer(text, start, end):
        i = m.start()
        token = _TOKEN_TAIL_RE.search(text, max(start, i - 60), i).group()
        if text[i] == ".":
            if token.endswith(".") or (not token and i > start and text[i - 1] == "."):
                continue  # ellipsis
            word = token.lower()
            if word in abbreviations or word.split("-")[-1] in abbreviations:
                continue
        cut = i + 1
        closing = _REALIGN_RE.match(text, cut, end)
        if closing:
            cut = closing.end()
        if cut >= end:
            break
        if not text[cut].isspace():
            # Text glued by extraction ("issue.Moore’s", "evil.”Americans") still breaks before a capital;
            # "U.S.-backed" or "(R-Fla.)," do not.
            starts = text[cut].isupper() or (text[cut] in "“‘«\"" and cut + 1 < end and text[cut + 1].isupper())
            glued = starts and (closing is not None and closing.group()[-1] in "”\"’'" or
                                token.isalpha() and token.islower() and len(token) > 1)
            if not glued:
                continue
        spans.append((sent_start, cut))
        sent_start = cut
    spans.append((sent_start, end))
    return spans


def span_tokenize(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the tokens of ``text`` (words, numbers, punctuation).

    Examples
    --------
    >>> text = "Kiev's U.S.-backed $2.5bn plan"
    >>> [text[s:e] for s, e in span_tokenize(text)]
    ["Kiev's", 'U.S.', '-', 'backed', '$2.5bn', 'plan']
    """
    return [m.span() for m in _TOKEN_RE.finditer(text)]


def tokenize(text: str) -> list[str]:
    """Return the tokens of ``text`` as strings, in their surface form.

    Examples
    --------
    >>> tokenize("Zelenskiy said on Twitter.")
    ['Zelenskiy', 'said', 'on', 'Twitter', '.']
    """
    return _TOKEN_RE.findall(text)


def normalize_text(text: str) -> str:
    """Normalise text for matching: NFKC, case folding, one apostrophe and one dash character.

    Examples
    --------
    >>> normalize_text("Kiev’s RED Line — Thomas‑Greenfield")
    "kiev's red line - thomas-greenfield"
    """
    return unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).translate(_DASHES).casefold()


def normalize_token(token: str) -> str:
    """Normalise one token for matching: :func:`normalize_text`, then drop a possessive ending.

    Examples
    --------
    >>> [normalize_token(t) for t in ["Kiev’s", "allies'", "ZELENSKIY", "Thomas‑Greenfield"]]
    ['kiev', 'allies', 'zelenskiy', 'thomas-greenfield']
    """
    return _POSSESSIVE_RE.sub("", normalize_text(token))


def words(text: str, *, lower: bool = True) -> list[str]:
    """Return the word tokens of ``text`` (no punctuation or bare numbers), normalised for matching.

    With ``lower=False`` the surface form is kept (possessives are still dropped), which keeps the
    capitalisation that marks names.

    Examples
    --------
    >>> words("Kiev's 'military bloc' grew by 100,000.")
    ['kiev', 'military', 'bloc', 'grew', 'by']
    """
    out = []
    for token in _TOKEN_RE.findall(text):
        if not token[0].isalpha() and token[0] not in "@#":
            continue
        if lower:
            out.append(normalize_token(token))
        else:
            out.append(_POSSESSIVE_RE.sub("", token.translate(_APOSTROPHES)))
    return out


def word_count(text: str) -> int:
    """Number of word tokens of ``text``: ``len(words(text))`` without normalising each word.

    Examples
    --------
    >>> word_count("Kiev's 'military bloc' grew by 100,000.")
    5
    """
    return sum(1 for token in _TOKEN_RE.findall(text) if token[0].isalpha() or token[0] in "@#")


@lru_cache(maxsize=1)
def _load_stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def __getattr__(name):
    # STOP_WORDS: English stop words (scikit-learn's list), used by the lexical, term and topic analyses.
    # Loaded on first use: importing scikit-learn takes a second, which `import framing` does without.
    if name == "STOP_WORDS":
        return _load_stop_words()
    if name == "_NewsLanguageVars":
        return _news_language_vars()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {"STOP_WORDS"})


def iter_sentence_texts(texts: Iterable[str]) -> Iterable[list[str]]:
    """Yield, for each text, the list of its sentence strings (a streaming helper for large corpora)."""
    for text in texts:
        yield [text[s:e] for s, e in split_sentences(text)]
