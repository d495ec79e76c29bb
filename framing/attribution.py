"""Attribution and sourcing: reporting verbs, quotes, speakers and source types per outlet.

How an outlet attributes what others said is part of its framing: "Kiev claims" and "Kyiv said" report the
same statement, and a story built on "a senior official" differs from one built on named ministers.
:func:`attribution` finds, in one pass over a corpus:

* **reporting verbs** from an editable list (``framing/data/reporting_verbs.csv``: said, told, claimed,
  insisted, admitted, ... with a neutral/loaded connotation), told apart from the nouns built on them
  ("Kiev claims ..." is a verb, "amid claims by Washington" a noun) by their neighbours;
* **direct quotes** (text in quotation marks: “...”, "...", ‘...’, «...», „...“) and **indirect quotes**
  (the content clause of a reporting verb: "Putin has said *he would ponder various options*");
* the **speaker** of each quote where the sentence gives it: the subject of the reporting verb ("Kremlin
  spokesman Dmitry Peskov told reporters"), an inverted subject (“...,” said Alan Fisher), an apposition
  ("Ukraine's foreign minister, Dmytro Kuleba, told"), a pronoun resolved to the nearest person named
  before it ("he said"), or the speaker of the previous quote when a quotation simply continues;
* the **source type** of each speaker from editable patterns (``framing/data/source_types.csv``): anonymous
  official, anonymous source, news agency, news media, government body, international organization,
  state actor, named official, named person, expert, journalist, document, social media ...; embedded
  social-media posts (sentences of kind ``embedded_post``) are quoted social-media material.

The rules are deliberately simple and transparent (no parser, no model download); they are tuned on news
prose in English. Reporting verbs inside direct quotes and embedded posts are not counted: they are the
speaker's words, not the outlet's.
"""

from __future__ import annotations

import bisect
import csv
import re
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import accumulate, chain
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd

from . import charscan
from .errors import FramingError
from .output import write_csv
from .parallel import parallel_map

__all__ = [
    "Attribution",
    "attribution",
    "find_direct_quotes",
    "load_reporting_verbs",
    "load_source_types",
    "count_words",
    "article_word_counts",
    "VERB_COLUMNS",
    "QUOTE_COLUMNS",
    "SOURCE_COLUMNS",
    "BY_OUTLET_COLUMNS",
    "BY_ARTICLE_COLUMNS",
]

VERB_COLUMNS = ["outlet", "verb", "form", "count", "per_10k_words", "connotation", "category", "articles",
                "share"]
QUOTE_COLUMNS = ["article_id", "outlet", "sent_id", "start", "end", "quote", "kind", "speaker", "source_type",
                 "verb", "speaker_mention", "words", "chars", "cites", "cited_by", "embedded_post"]
SOURCE_COLUMNS = ["outlet", "source_type", "quotes", "quoted_chars", "share_of_quoted", "direct", "indirect",
                  "speakers"]
BY_ARTICLE_COLUMNS = ["article_id", "outlet", "words", "quoted_words", "quoted_share", "n_quotes"]
BY_OUTLET_COLUMNS = ["outlet", "articles", "words", "quoted_words", "quoted_share", "n_quotes", "n_sources",
                     "direct_quotes", "indirect_quotes", "embedded_posts", "unattributed_quotes",
                     "anonymous_share"]

# ----------------------------------------------------------------------------------------- tokens

# Words: letters first, then letters/digits, with inner hyphens or apostrophes (Kiev's, Thomas-Greenfield),
# and dotted abbreviations (U.S.): the words of framing.text.words, as one regular expression that findall
# runs at C speed (framing.text's general tokenizer is several times slower).
# (The lookahead only says what the repetition after it needs, a letter and a dot, and lets the engine give up
# at once; the final group is possessive because nothing follows it: the matches are the same, found faster.)
_WORD_RE = re.compile(r"(?=[^\W\d_]\.)(?:[^\W\d_]\.){2,}(?![^\W\d_])"
                      r"|(?<![\w@#])[@#]?[^\W\d_]\w*(?:[-'’‘ʼ][^\W_]\w*)*+")
# Counting needs only where words start: a letter not glued to a word character, an apostrophe, a dot or a
# hyphen before it (so "Kiev's", "U.S." and "Thomas-Greenfield" are one word each). About twice as fast.
_WORD_START_RE = re.compile(r"(?<![\w'’‘ʼ.-])[^\W\d_]")
# Tokens for the attribution rules: dotted abbreviations, words (with inner hyphens and apostrophes) and
# single punctuation characters; kept simple because it runs on every sentence with a reporting word.
_ABBREVIATIONS = "Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Prof|Rev|St|Jr|Sr|Adm|Maj|Cmdr|Supt|Det|Hon|Atty|Amb"
_TOKEN_RE = re.compile(rf"(?:{_ABBREVIATIONS})\.(?=\s)|(?=\w\.)(?:\w\.){{2,}}(?!\w)|\w+(?:[-'’]\w+)*+|[^\w\s]")


def count_words(text: str) -> int:
    """Number of words in ``text``: tokens that start with a letter, as :func:`framing.text.words` counts
    them (up to rare tokenisation details such as "U.S.-backed", one word here and two there).

    Examples
    --------
    >>> count_words("Kiev's Thomas-Greenfield plan cost $2.5bn in 2021.")
    5
    """
    return len(_WORD_START_RE.findall(text))


# count_words over a whole article and over many spans of it at once, with NumPy: a word starts at a letter
# ([^\W\d_]) whose previous character does not glue it to the word before ([\w'’‘ʼ.-]). The characters'
# classes come from framing.charscan, whose tables run those very classes over every character, so the
# counts are count_words' exactly.
_GLUE_CLASSES = np.isin(np.arange(8), [charscan.LETTER, charscan.WORD, charscan.UNDERSCORE, charscan.CONNECTOR,
                                       charscan.DOT])


def _letters_and_starts(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Per character of ``text``: is it a letter, and does a word start there (count_words' rule)."""
    classes = charscan.char_classes(np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4"))
    letter = classes == charscan.LETTER
    starts = letter.copy()
    if len(classes) > 1:
        starts[1:] &= ~_GLUE_CLASSES[classes[:-1]]
    return letter, starts


def _count_words_fast(text: str) -> int:
    """``count_words(text)``, several times faster on long texts."""
    if len(text) < 200:
        return count_words(text)
    return int(np.count_nonzero(_letters_and_starts(text)[1]))


def _span_word_counts(text: str, starts, ends) -> np.ndarray:
    """``[count_words(text[s:e]) for s, e in zip(starts, ends)]`` as one NumPy computation: the words that
    start strictly inside each span, plus one when the span itself opens with a letter."""
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    if not len(starts):
        return np.zeros(0, dtype=np.int64)
    letter, word_start = _letters_and_starts(text)
    cum = np.zeros(len(text) + 1, dtype=np.int64)
    np.cumsum(word_start, out=cum[1:])
    nonempty = ends > starts
    first = np.minimum(starts, max(len(text) - 1, 0))
    inner = cum[np.minimum(ends, len(text))] - cum[np.minimum(starts + 1, len(text))]
    opens = letter[first] if len(text) else np.zeros(len(starts), dtype=bool)
    return np.where(nonempty, np.maximum(inner, 0) + opens, 0).astype(np.int64)


def _word_counts_many(texts: list) -> np.ndarray:
    """``[count_words(t) for t in texts]``: :func:`_span_word_counts` of the texts' spans in one string."""
    if not texts:
        return np.zeros(0, dtype=np.int64)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    first = np.zeros(len(texts), dtype=np.int64)
    np.cumsum(lengths[:-1] + 1, out=first[1:])
    return _span_word_counts("\n".join(texts), first, first + lengths)


_WORD_COUNT_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def article_word_counts(corpus) -> pd.Series:
    """Words per article (:func:`count_words`), indexed by article id; computed once per corpus."""
    counts = _cached_word_counts(corpus)
    if counts is None:
        arts = corpus.articles
        counts = pd.Series([_count_words_fast(t or "") for t in arts["text"]], index=arts["id"].to_numpy(),
                           dtype=np.int64)
        _store_word_counts(corpus, counts)
    return counts


def _cached_word_counts(corpus) -> pd.Series | None:
    cached = _WORD_COUNT_CACHE.get(corpus)
    if cached is not None and cached[0] is corpus.articles:
        return cached[1]
    return None


def _store_word_counts(corpus, counts: pd.Series) -> None:
    try:
        _WORD_COUNT_CACHE[corpus] = (corpus.articles, counts)
    except TypeError:
        pass


# ------------------------------------------------------------------------------------ direct quotes

# Quotation marks: curly double (an unclosed one runs to the end of the paragraph, the news convention for
# quotes that go on in the next paragraph), straight double (paired within a line), guillemets, German
# low-high quotes, and curly single quotes (an apostrophe inside a word, as in Kiev’s, does not close them).
_QUOTE_RE = re.compile(
    r"“(?P<a>[^“”\"\n]{1,3000}?)(?:[”\"]|(?=\n)|\Z)"
    r"|\"(?P<b>[^\"\n]{1,3000}?)\""
    r"|«(?P<c>[^«»\n]{1,3000}?)»"
    r"|„(?P<d>[^„“”\n]{1,3000}?)[“”]"
    r"|‘(?P<e>[^‘’\n]{1,1000}?(?:’[^\W\d_][^‘’\n]*?)*)’(?![^\W\d_])"
)
_HAS_LETTER_RE = re.compile(r"[^\W\d_]")


def _direct_quote_spans(text: str) -> list[tuple[int, int, int, int]]:
    """(outer_start, outer_end, inner_start, inner_end) of each quotation in ``text``."""
    out = []
    for m in _QUOTE_RE.finditer(text):
        group = m.lastgroup
        if group == "e" and m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "’'"):
            continue                                   # ‘ glued to a word is an apostrophe, not a quote
        s, e = m.span(group)
        # Trim white space inside the marks; skip empty or letterless quotes ("  ", "2").
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s and _HAS_LETTER_RE.search(text, s, e):
            out.append((m.start(), m.end(), s, e))
    return out


_QUOTE_SPAN_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cached_quote_spans(corpus):
    """The (outer start, outer end) of the direct quotations of every article, as the attribution analysis
    found them (``corpus.articles`` order): ``(starts, ends, bounds)``, article k's quotations being
    ``starts[bounds[k]:bounds[k + 1]]``; None when :func:`attribution` has not run on ``corpus`` as it is."""
    cached = _QUOTE_SPAN_CACHE.get(corpus)
    if cached is not None and cached[0] is corpus.articles:
        return cached[1]
    return None


def _store_quote_spans(corpus, per_article: list) -> None:
    lengths = np.fromiter(map(len, per_article), dtype=np.int64, count=len(per_article))
    bounds = np.zeros(len(per_article) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    flat = np.array([q for spans in per_article for q in spans], dtype=np.int64).reshape(-1, 2)
    try:
        _QUOTE_SPAN_CACHE[corpus] = (corpus.articles, (flat[:, 0].copy(), flat[:, 1].copy(), bounds))
    except TypeError:
        pass


def find_direct_quotes(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` offsets of the text inside quotation marks.

    Recognises “curly”, "straight", ‘single’, «guillemets» and „German“ quotation marks. A curly double
    quote left open runs to the end of its paragraph (the news convention for quotes continued in the next
    paragraph); an apostrophe inside a word (Kiev’s) never closes a single quote.

    Examples
    --------
    >>> text = 'Kiev’s envoy said “no deal,” and ‘maybe later’.'
    >>> [text[s:e] for s, e in find_direct_quotes(text)]
    ['no deal,', 'maybe later']
    """
    return [(s, e) for _, _, s, e in _direct_quote_spans(text)]


# ----------------------------------------------------------------------------------------- lexicons

def _data_file(name: str):
    return resources.files("framing.data").joinpath(name)


def _read_commented_csv(path, what: str) -> list[dict]:
    source = _data_file(path) if isinstance(path, str) and "/" not in path and "\\" not in path \
        and not Path(path).exists() else Path(path)
    try:
        raw = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FramingError(f"{path}: no such {what} file; give the path of a CSV file in the format of "
                           f"framing/data/{_DEFAULT_FILES[what]}.") from None
    except UnicodeDecodeError:
        raise FramingError(f"{path}: the {what} file is not UTF-8 text; save it as UTF-8.") from None
    lines = [line for line in raw.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    rows = list(csv.DictReader(lines))
    if not rows:
        raise FramingError(f"{path}: the {what} file has no rows; add a header line and at least one row.")
    return rows


_DEFAULT_FILES = {"reporting verb": "reporting_verbs.csv", "source type": "source_types.csv"}
_VERB_FIELDS = ["lemma", "connotation", "category", "clause", "context", "verb_forms", "noun_forms",
                "phrase_forms", "exclude_after"]


def load_reporting_verbs(path=None) -> pd.DataFrame:
    """Load a reporting-verb list (default: the bundled ``framing/data/reporting_verbs.csv``).

    Parameters
    ----------
    path : str or Path, optional
        A CSV file in the format of the bundled file (its header comment explains the columns).

    Returns
    -------
    pandas.DataFrame
        One row per lemma: ``lemma``, ``connotation``, ``category``, ``clause``, ``context``,
        ``verb_forms``, ``noun_forms``, ``phrase_forms`` (lists of strings) and ``exclude_after``.

    Examples
    --------
    >>> verbs = load_reporting_verbs()
    >>> verbs.set_index("lemma").loc["claim", ["connotation", "noun_forms"]].tolist()
    ['loaded', ['claim', 'claims']]
    """
    rows = _read_commented_csv(path or "reporting_verbs.csv", "reporting verb")
    missing = [c for c in ("lemma", "connotation", "verb_forms") if c not in rows[0]]
    if missing:
        raise FramingError(f"{path or 'reporting_verbs.csv'}: missing column {missing[0]!r}; use the header "
                           f"{','.join(_VERB_FIELDS)}.")
    records, seen = [], {}
    for n, row in enumerate(rows, 2):
        lemma = (row.get("lemma") or "").strip().lower()
        if not lemma:
            continue
        rec = {
            "lemma": lemma,
            "connotation": (row.get("connotation") or "neutral").strip() or "neutral",
            "category": (row.get("category") or "").strip() or "neutral",
            "clause": (row.get("clause") or "bare").strip() or "bare",
            "context": (row.get("context") or "any").strip() or "any",
        }
        if rec["clause"] not in ("bare", "that", "none", "around"):
            raise FramingError(f"{path or 'reporting_verbs.csv'}, lemma {lemma!r}: clause must be bare, that, "
                               f"none or around, not {rec['clause']!r}.")
        if rec["context"] not in ("any", "cue", "quote"):
            raise FramingError(f"{path or 'reporting_verbs.csv'}, lemma {lemma!r}: context must be any, cue or "
                               f"quote, not {rec['context']!r}.")
        for col in ("verb_forms", "noun_forms", "phrase_forms"):
            rec[col] = [" ".join(f.lower().split()) for f in (row.get(col) or "").split("|") if f.strip()]
        exclude = (row.get("exclude_after") or "").strip()
        if exclude:
            try:
                re.compile(exclude)
            except re.error as exc:
                raise FramingError(f"{path or 'reporting_verbs.csv'}, lemma {lemma!r}: exclude_after is not a "
                                   f"valid regular expression ({exc}).") from None
        rec["exclude_after"] = exclude
        if not (rec["verb_forms"] or rec["noun_forms"] or rec["phrase_forms"]):
            raise FramingError(f"{path or 'reporting_verbs.csv'}, lemma {lemma!r}: give at least one form in "
                               "verb_forms, noun_forms or phrase_forms.")
        for col in ("verb_forms", "noun_forms", "phrase_forms"):
            for form in rec[col]:
                other = seen.setdefault(form, lemma)
                if other != lemma:
                    raise FramingError(f"{path or 'reporting_verbs.csv'}: the form {form!r} belongs to both "
                                       f"{other!r} and {lemma!r}; keep it in one row.")
        records.append(rec)
    return pd.DataFrame(records, columns=_VERB_FIELDS)


def load_source_types(path=None) -> pd.DataFrame:
    """Load source-type rules (default: the bundled ``framing/data/source_types.csv``).

    Returns
    -------
    pandas.DataFrame
        ``source_type``, ``field`` (context, outlet, speaker, title or name) and ``pattern``, in the order
        the rules are tried.

    Examples
    --------
    >>> rules = load_source_types()
    >>> rules["source_type"].iloc[0], "anonymous official" in set(rules["source_type"])
    ('social media', True)
    """
    name = path or "source_types.csv"
    rows = _read_commented_csv(name, "source type")
    if not {"source_type", "field", "pattern"} <= set(rows[0]):
        raise FramingError(f"{name}: needs the columns source_type, field and pattern; fix the header line.")
    out = []
    for row in rows:
        stype, fld, pattern = (row.get("source_type") or "").strip(), (row.get("field") or "").strip(), \
            (row.get("pattern") or "").strip()
        if not stype:
            continue
        if fld not in ("context", "outlet", "speaker", "title", "name"):
            raise FramingError(f"{name}, source type {stype!r}: field must be context, outlet, speaker, title or "
                               f"name, not {fld!r}.")
        if fld in ("context", "speaker", "title"):
            if not pattern:
                raise FramingError(f"{name}, source type {stype!r}: field {fld} needs a pattern.")
            try:
                re.compile(pattern)
            except re.error as exc:
                raise FramingError(f"{name}, source type {stype!r}: the pattern is not a valid regular "
                                   f"expression ({exc}).") from None
        out.append({"source_type": stype, "field": fld, "pattern": pattern})
    return pd.DataFrame(out, columns=["source_type", "field", "pattern"])


@dataclass
class _VerbLexicon:
    table: pd.DataFrame
    regex: re.Pattern
    kinds: dict            # form -> frozenset of {"verb", "noun", "phrase"}
    lemma: dict            # form -> lemma
    info: dict             # lemma -> row dict
    base: dict             # lemma -> base verb form
    exclude: dict          # lemma -> compiled exclude_after regex or None
    scan: re.Pattern | None = None   # the same matches at word starts only (see _word_start_scan)


def _compile_verbs(table: pd.DataFrame) -> _VerbLexicon:
    kinds, lemma_of, info, base, exclude = {}, {}, {}, {}, {}
    for rec in table.to_dict("records"):
        info[rec["lemma"]] = rec
        base[rec["lemma"]] = rec["verb_forms"][0] if rec["verb_forms"] else rec["lemma"]
        exclude[rec["lemma"]] = re.compile(r"\s*(?:" + rec["exclude_after"] + ")", re.I) \
            if rec["exclude_after"] else None
        for col, kind in (("verb_forms", "verb"), ("noun_forms", "noun"), ("phrase_forms", "phrase")):
            for form in rec[col]:
                kinds.setdefault(form, set()).add(kind)
                lemma_of[form] = rec["lemma"]
    # No leading \b: a pattern that starts with a literal alternation lets the regex engine skip ahead
    # quickly; the word boundary before a match is checked by the caller.
    regex = re.compile(_trie_pattern(kinds) + r"(?![\w-])")
    return _VerbLexicon(table, regex, {k: frozenset(v) for k, v in kinds.items()}, lemma_of, info, base, exclude,
                        _word_start_scan(list(kinds), r"(?![\w-])"))


def _glued(ch: str) -> bool:
    """Does ``ch`` glue a following letter to its word (so that no list word can start after it)?"""
    return ch.isalnum() or ch in "-'’"


def _word_start_scan(words: list[str], tail: str) -> re.Pattern | None:
    """A faster regular expression for the matches of ``_trie_pattern(words) + tail`` that start a word
    (nothing :func:`_glued` before them), or None when it could find different ones.

    The list regex also matches inside words ("said" in "unsaid"); callers skip those. This one matches the
    separator character before a word and then the list (group 1), so the engine only tries the positions after
    white space or punctuation instead of every letter. The matches are the same when (1) no list word can
    start inside another one's match after a separator (then a skipped match inside a word never hides a match
    that starts a word), and (2) every list word ends with a glued character (then a match never ends right
    before a word start). The text must not contain "_" (the one separator the class below leaves out), and a
    match at position 0 is the caller's to find with the list regex itself."""
    if not words or any(not w or w[0].isspace() or not _glued(w[-1]) for w in words):
        return None

    def fits(w: str, k: int) -> bool:            # can a list word match at w[k:] followed by a non-word?
        return k == len(w) or not (w[k].isalnum() or w[k] in "_-")

    for f in words:
        for k in range(1, len(f)):
            if f[k] == " " or _glued(f[k - 1]):
                continue
            rest = f[k:]
            for g in words:
                if (rest.startswith(g) and fits(rest, len(g))) or (g.startswith(rest) and len(g) > len(rest)
                                                                   and fits(g, len(rest))):
                    return None
    return re.compile(r"[^\w'’-](" + _trie_pattern(words) + ")" + tail)


def _trie_pattern(words) -> str:
    """A regular expression matching any of ``words``, factored into a trie so that Python's regex engine
    tries each character once instead of each word in turn (several times faster for long lists)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node) -> str:
        alts, optional = [], False
        for ch in sorted(node):
            if ch == "":
                optional = True
                continue
            piece = r"\s+" if ch == " " else re.escape(ch)
            alts.append(piece + build(node[ch]))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and not optional else "(?:" + "|".join(alts) + ")"
        if optional:
            body = (body if body.startswith("(?:") and len(alts) > 1 else "(?:" + "|".join(alts) + ")") + "?"
        return body

    return build(trie)


@dataclass
class _SourceRules:
    rules: list            # (source_type, field, compiled pattern or None)


def _compile_sources(table: pd.DataFrame) -> _SourceRules:
    return _SourceRules([(r["source_type"], r["field"], re.compile(r["pattern"]) if r["pattern"] else None)
                         for r in table.to_dict("records")])


@lru_cache(maxsize=4)
def _default_verbs() -> _VerbLexicon:
    return _compile_verbs(load_reporting_verbs())


@lru_cache(maxsize=4)
def _default_sources() -> _SourceRules:
    return _compile_sources(load_source_types())


def _resolve_verbs(verbs) -> _VerbLexicon:
    if verbs is None:
        return _default_verbs()
    if isinstance(verbs, pd.DataFrame):
        return _compile_verbs(verbs)
    return _compile_verbs(load_reporting_verbs(verbs))


def _resolve_sources(sources) -> _SourceRules:
    if sources is None:
        return _default_sources()
    if isinstance(sources, pd.DataFrame):
        return _compile_sources(sources)
    return _compile_sources(load_source_types(sources))


# ------------------------------------------------------------------------------------ word classes

_DETERMINERS = frozenset("""the a an this these those his her its their our your my some any no every each
such several many few both all another whose""".split())
_PREPOSITIONS = frozenset("""amid amidst about above across against along among amongst around at before behind
below beneath beside besides between beyond by despite during except for from in inside into like near of off
on onto out outside over past regarding since through throughout toward towards under underneath unlike until
upon with within without via following concerning per""".split())
# Prepositions that cannot start a clause: an NP right after one is its object, never a subject.
_TRUE_PREPOSITIONS = frozenset("""with of from to at by for on in into about against among between over under
through during via toward towards amid amidst like upon onto within without""".split())
_INTERNAL_PREPS = frozenset(["of", "from", "for", "to", "at", "in"])
_SUBJECT_PRONOUNS = frozenset(["he", "she", "it", "they", "we", "i", "you"])
_RELATIVES = frozenset(["who", "which", "that"])
_BE = frozenset(["is", "are", "was", "were", "be", "been", "being", "'s", "’s"])
_AUX = frozenset("""has have had having is are was were be been being will would can could may might must shall
should do does did not n't never 's ’s 've ’ve 'd ’d""".split())
_ADVERBS = frozenset("""also later previously repeatedly publicly privately reportedly still then now already often
again once openly first further just recently earlier initially officially separately always only even long too
however meanwhile yet subsequently immediately quickly flatly firmly strongly angrily sharply explicitly
reportedly allegedly apparently personally directly formally finally ultimately separately similarly likewise
instead nonetheless nevertheless""".split())
_NOT_ADVERBS = frozenset("""family supply assembly rally anomaly monopoly reply ally italy july belly jelly bully
folly holly lily early daily weekly monthly yearly elderly only ugly""".split())
_TEMPORAL = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march april
may june july august september october november december today yesterday tonight tomorrow week weekend month
year summer winter spring autumn fall morning afternoon evening night day days weeks months years last this
next earlier later late early recent past ago""".split())
_COORDINATORS = frozenset(["and", "but", "or", "yet", "nor", "then", "while", "as", "before", "after", "by",
                           "when", "without"])
_FUNCTION = _DETERMINERS | _PREPOSITIONS | _SUBJECT_PRONOUNS | _RELATIVES | _AUX | _COORDINATORS | frozenset(
    """to and but or so if because although though whether than what whom where why how there here
    not no yes however meanwhile also still just even as it's that's he's she's there's what's who's here's
    i'm i'd i've i'll we're we've we'd we'll they're they've they'd they'll you're you've you'd you'll he'd
    she'd he'll she'll it'll let's me him us them""".split())
_NOUN_NEXT = frozenset("""of by about against from regarding over for have has had are were is was say says said
suggest suggested suggests show showed shows indicate indicated""".split())
_ADJ_HINTS = frozenset("""false new unfounded baseless unsubstantiated similar earlier previous repeated recent
such these those official initial latest further other own early late first public private russian ukrainian
western american british european chinese""".split())
_QUOTE_CHARS = frozenset('“”"‘’«»„')
_OPEN_QUOTES = frozenset('“"‘«„')
_CLOSE_QUOTES = frozenset('”"’»“')
_END_PUNCT = frozenset([".", "!", "?", ";", ")", "—", "–"])
_CLAUSE_END = frozenset([".", "!", "?", ";", ",", ")", "—", "–", ":"])
_PAST_PARTICIPLE_IRREGULAR = frozenset(["told", "said", "written", "quoted"])
_PAST_IRREGULAR = frozenset(["told", "said", "wrote", "read"])
# Verbs that can stand before their subject after a quotation (“...,” said Peskov).
_PARTY_LABEL_RE = re.compile(r"[RDI]-[A-Z][\w.]*(?:\s[A-Z][\w.]*)?|[RDI]\.?")
_NOT_FOR_QUOTES = frozenset(["cite", "quote"])       # "citing ..." never introduces a quotation
_INVERTIBLE = frozenset("""say add write ask explain note reply respond recall insist claim warn declare tweet
remark comment concede admit argue acknowledge stress emphasise continue read observe""".split())

_UPPER = "".join(sorted({c for c in map(chr, range(0x2000)) if c.isupper() and c.isalpha()}))
_LOWER = "".join(sorted({c for c in map(chr, range(0x2000)) if c.islower() and c.isalpha()}))
_U = "[" + re.escape(_UPPER) + "]"
_L = "[" + re.escape(_LOWER) + "]"
_NAME_TOKEN = f"{_U}{_L}+(?:{_U}{_L}+)?(?:[-’']{_U}?{_L}+)*"
# Runs of two or more capitalised words (candidate full names), possibly with middle initials ("Joe R.
# Biden"), and single capitalised words right after a lower-case title or a courtesy title ("spokesman
# Peskov", "Mr. Rahami").
_NAME_RUN_RE = re.compile(rf"{_NAME_TOKEN}(?:[ \t]+(?:{_U}\.[ \t]+)?{_NAME_TOKEN}){{1,4}}(?![\w-])")
_SINGLE_TITLES = """president minister secretary spokesman spokeswoman spokesperson chancellor ambassador envoy
chief director chairman chairwoman leader general commander senator governor mayor premier prosecutor adviser
advisor aide correspondent reporter analyst professor Mr Mrs Ms Dr Prof Sen Rep Gov Gen""".split()
_TITLED_SINGLE_RE = re.compile(_trie_pattern(_SINGLE_TITLES) + rf"\.?,?[ \t]+(?P<name>{_NAME_TOKEN})(?![\w-])")
_NAME_TOKEN_RE = re.compile(_NAME_TOKEN)
_POSSESSIVE_END_RE = re.compile(r"(?:'s|’s|s’|s')$")
_COURTESY_RE = re.compile(r"(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+$")
_SOCIAL_HANDLE_RE = re.compile(r"[—–-]\s*(?P<who>[^\n]{1,80}?\(@\w+\)|@\w+)")

# Capitalised words that do not make a person's name.
_NON_NAME = frozenset("""January February March April May June July August September October November December
Monday Tuesday Wednesday Thursday Friday Saturday Sunday House Department Ministry Council Office Union Nations
States Kingdom Republic Republics Federation Sea Ocean River Street Square Stream Agreement Agreements Accords
Peninsula Party Security Organization Organisation Court Assembly Parliament Congress Senate Pentagon Kremlin
Europe European Eastern Western Northern Southern Central North South East West Black Baltic Arctic Atlantic
Pacific Middle University College Institute Center Centre Foundation Times Post News Journal Press Agency Bank
Fund Group Company Committee Commission Service Services Forces Army Navy Air Force Guard Police Airport Station
Island Islands City County State Province Region Oblast Bay Gulf Charter Treaty Act Bill Law Plan Program
Programme Project Initiative Summit Forum Day Week Christmas Easter God Twitter Facebook Instagram Telegram
YouTube Google Apple Microsoft Amazon Nord Dialogue Strategic Stability Defense Defence Foreign Interior Affairs
Energy Economic Finance Justice Health Trade Revolution Maidan Soviet Cold War Democratic Republican Democrats
Republicans Communist National International Global United Secretary Minister President Prime Chancellor
Ambassador Emir King Queen Prince Sheikh General Admiral Colonel Senator Governor Mayor Director Chief Deputy
Vice Chairman Speaker Spokesman Spokeswoman Commander Representative Envoy Premier Pope Patriarch Saint St Mount
Russia Russian Russians Ukraine Ukrainian Ukrainians America American Americans Germany German Germans Britain
British France French China Chinese Poland Polish Belarus Belarusian Turkey Turkish Iran Iranian Israel Israeli
Canada Canadian Italy Italian Japan Japanese Korea Korean India Indian Qatar Qatari Saudi Syria Syrian Georgia
Georgian Moldova Moldovan Hungary Hungarian Sweden Swedish Finland Finnish Norway Norwegian Denmark Danish Dutch
Spain Spanish Estonia Estonian Latvia Latvian Lithuania Lithuanian Romania Romanian Crimea Crimean Donbas Donbass
Donetsk Luhansk Lugansk Kyiv Kiev Moscow Washington Berlin Paris London Beijing Brussels Geneva Vienna Minsk
Warsaw Kremlin Caucasus Asia Asian Africa African Arab Arabia Muslim Jewish Catholic Orthodox Western Covid
Coronavirus Olympic Olympics New York Los Angeles San Francisco Diego Las Vegas Hong Kong Tel Aviv Fort Lake Park
Valley Wall Capitol Hill Street Avenue Road Beach Island County Texas California Florida Georgia Ohio Virginia
Carolina Michigan Pennsylvania Arizona Nevada Iowa Illinois Wisconsin Minnesota Colorado Alabama Kentucky
Tennessee Louisiana Missouri Maryland Massachusetts Oregon Utah Kansas Nebraska Oklahoma Arkansas Mississippi
Alaska Hawaii Maine Vermont Montana Idaho Wyoming Dakota Jersey Mexico Connecticut Delaware Indiana Chicago Boston
Seattle Houston Dallas Atlanta Miami Detroit Philadelphia Baltimore Denver Phoenix Afghanistan Iraq Syria Pakistan
Venezuela Cuba Brazil Mexico Africa America Americas Korea Japan Vietnam Israel Gaza Palestine Palestinian Iranian
Supreme Justice Homeland Treasury Labor Commerce Education Agriculture Interior Federal Reserve Bureau Investigation
Democrat Republican Senators Representatives Governor Affairs Office White Black Green Red Blue Twitter""".split())
_TITLE_WORDS = frozenset("""president vice prime minister secretary spokesman spokeswoman spokesperson chancellor
ambassador envoy chief head director deputy chairman chairwoman chair leader general gen admiral adm colonel col
commander senator sen representative rep congressman congresswoman governor gov mayor king queen prince emir
sheikh sultan premier pope judge justice prosecutor commissioner official adviser advisor aide diplomat speaker
foreign defense defence interior finance economy health justice state press mr mrs ms dr prof lt sgt capt
major attorney lawyer officer police sheriff coach pastor rabbi bishop archbishop cardinal lord lady sir dame
judge rep sen gov atty amb hon""".split())


def _is_possessive(tok: str) -> bool:
    return tok.endswith(("'s", "’s", "s’", "s'"))


def _is_cap(tok: str) -> bool:
    return tok[:1].isupper()


def _is_adverb(low: str) -> bool:
    return low in _ADVERBS or (len(low) > 4 and low.endswith("ly") and low.isalpha() and low not in _NOT_ADVERBS)


def _is_word(tok: str) -> bool:
    return tok[:1].isalpha()


# ---------------------------------------------------------------------------------- sentence model

# _TOKEN_RE with the white space before each token: every character of a sentence is white space or part of
# a token (the last alternative takes any other single character), so findall gives the tokens and, through
# the running sum of the lengths, their offsets, without a match object per token.
_SECOND = itemgetter(1)
_GAP_TOKEN_RE = re.compile(rf"(\s*)((?:{_TOKEN_RE.pattern}))")


class _LowerTokens(dict):
    """Token -> lower case with ’ as ', filled on first lookup (tokens repeat a lot)."""

    def __missing__(self, tok: str) -> str:
        low = tok.lower().replace("’", "'") if "’" in tok else tok.lower()
        if len(self) < 1_000_000:
            self[tok] = low
        return low


_LOWER_TOKENS = _LowerTokens()


class _Sentence:
    """Tokens of one sentence with their absolute offsets and per-token flags."""

    __slots__ = ("index", "start", "end", "toks", "low", "starts", "ends", "in_quote", "has_quote", "verbish")

    def __init__(self, index, text, start, end, quote_spans):
        self.index, self.start, self.end = index, start, end
        # (white space, token) pairs: offsets are running sums of their lengths, all computed in C
        pairs = _GAP_TOKEN_RE.findall(text, start, end)
        if pairs:
            toks = list(map(_SECOND, pairs))
            offsets = list(accumulate(map(len, chain.from_iterable(pairs)), initial=start))
            starts, ends = offsets[1::2], offsets[2::2]
        else:
            toks, starts, ends = [], [], []
        self.toks, self.starts, self.ends = toks, starts, ends
        self.low = list(map(_LOWER_TOKENS.__getitem__, toks))
        inq = [False] * len(toks)
        has = False
        for qs, qe, _, _ in quote_spans:
            if qe <= start or qs >= end:
                continue
            has = True
            lo = bisect.bisect_left(starts, qs)
            hi = bisect.bisect_left(starts, qe)
            inq[lo:hi] = [True] * (hi - lo)
        self.in_quote, self.has_quote = inq, has
        self.verbish = [False] * len(toks)   # reporting-verb tokens, set by the caller

    def __len__(self):
        return len(self.toks)

    def np_ish(self, k: int) -> bool:
        """Could token k be part of a noun phrase (name, noun, adjective, possessive)?"""
        tok, low = self.toks[k], self.low[k]
        if self.verbish[k] or not (tok[:1].isalnum()):
            return False
        if _is_cap(tok):
            return tok.isupper() or low not in _FUNCTION
        return low not in _FUNCTION and not _is_adverb(low) and low not in _AUX

    # -- noun phrases
    def np_backward(self, j: int, lo: int = 0, limit: int = 9) -> tuple[int, int] | None:
        """The noun phrase ending at token j, scanning left: (first, j) or None."""
        if j < lo or not self.np_ish(j):
            return None
        k, first = j, j
        while k >= lo and j - k < limit:
            low = self.low[k]
            if low in _DETERMINERS and not self.toks[k].isupper() and k < j:
                first = k
                if k - 2 >= lo and self.low[k - 1] in _INTERNAL_PREPS and self.np_ish(k - 2):
                    k -= 2
                    first = k
                    continue
                break
            if self.np_ish(k) and not (low.endswith("ed") and len(low) > 3 and not _is_cap(self.toks[k]) and
                                       k > 0 and self.toks[k - 1][:1].isalnum() and
                                       self.low[k - 1] not in _DETERMINERS):
                first = k
            elif low in _INTERNAL_PREPS and k - 1 >= lo and self.np_ish(k - 1) and first == k + 1 and \
                    (_is_cap(self.toks[k + 1]) or self.low[k + 1] in _DETERMINERS):
                pass
            elif low == "and" and k - 1 >= lo and self.np_ish(k - 1) and first == k + 1 and \
                    (_is_cap(self.toks[k + 1]) or self.low[k + 1] in _DETERMINERS):
                pass
            else:
                break
            k -= 1
        return first, j

    def np_forward(self, j: int, limit: int = 9) -> tuple[int, int] | None:
        """The noun phrase starting at token j, scanning right: (j, last) or None."""
        n = len(self.toks)
        k = j
        if k < n and self.low[k] in _DETERMINERS:
            k += 1
        last = None
        while k < n and k - j < limit:
            low = self.low[k]
            if self.in_quote[k]:
                break
            if self.np_ish(k):
                last = k
            elif low in _INTERNAL_PREPS and last == k - 1 and k + 1 < n and \
                    (_is_cap(self.toks[k + 1]) or self.low[k + 1] in _DETERMINERS):
                pass
            elif low in _DETERMINERS and k > j and self.low[k - 1] in _INTERNAL_PREPS:
                pass
            elif low == "and" and last == k - 1 and k + 1 < n and (_is_cap(self.toks[k + 1]) or (
                    self.low[k + 1] in _DETERMINERS and k + 2 < n and _is_cap(self.toks[k + 2]))):
                pass
            else:
                break
            k += 1
        if last is None:
            return None
        return j, last

    def text_of(self, text: str, first: int, last: int) -> str:
        return text[self.starts[first]:self.ends[last]]


# ------------------------------------------------------------------------------------ person names

@dataclass
class _Person:
    start: int
    end: int
    name: str
    surname: str
    titled: bool


def _occurs_lowercase(text: str, word: str) -> bool:
    """Does ``word`` (lower case) occur in ``text`` as a whole lower-case word? ("dialogue" does: so
    "Strategic Stability Dialogue" is not a person)."""
    i = text.find(word)
    n = len(word)
    while i >= 0:
        if (i == 0 or not text[i - 1].isalnum()) and (i + n >= len(text) or not text[i + n].isalnum()):
            return True
        i = text.find(word, i + 1)
    return False


def _is_name_filler(part: str) -> bool:
    low = part.lower()
    return part in _NON_NAME or low.rstrip(".") in _TITLE_WORDS or low in _FUNCTION


@lru_cache(maxsize=100_000)
def _name_in_run(run: str) -> tuple | None:
    """The person name a run of capitalised words ends with (runs repeat across articles, so cached):
    (words, titled, offset of its first word in the run, offset of its end, has a non-name word, full name),
    or None when the run names no one."""
    words = [w for w in run.split() if not (len(w) == 2 and w[1] == ".")]      # drop middle initials
    # a possessive ends a possessor, not a name: "Al Jazeera’s Dominic Kane", "Ukraine’s Foreign Minister"
    for t in range(len(words) - 2, -1, -1):
        if _is_possessive(words[t]):
            words = words[t + 1:]
            break
    if _is_possessive(words[-1]):
        words[-1] = _POSSESSIVE_END_RE.sub("", words[-1])
    # the name is the run of name words at the end: "Attorney General William Barr" -> William Barr
    i = len(words)
    while i > 0 and not _is_name_filler(words[i - 1]):
        i -= 1
    titled = any(w.lower().rstrip(".") in _TITLE_WORDS for w in words[:i])
    words = words[i:]
    if not words or (len(words) == 1 and not titled):
        return None
    return (tuple(words), titled, run.index(words[0]), run.rindex(words[-1]) + len(words[-1]),
            any(w in _NON_NAME for w in words), " ".join(words))


def _person_mentions(text: str, outlet_names: tuple[str, ...], skip=()) -> list[_Person]:
    """Person names in ``text``, in order: full names (two or more capitalised words that are not places,
    months or institutions), titled single names ("President Biden", "spokesman Peskov") and later
    mentions of a known surname ("Lavrov" after "Sergey Lavrov")."""
    people: list[_Person] = []
    surnames: dict[str, tuple[int, str]] = {}
    lowercase_use: dict[str, bool] = {}
    for m in _NAME_RUN_RE.finditer(text):
        s0 = m.start()
        if s0 and (text[s0 - 1].isalnum() or text[s0 - 1] in "’'-"):
            continue
        found = _name_in_run(m.group())
        if found is None:
            continue
        words, titled, first_offset, end_offset, non_name, full = found
        start = s0 + first_offset
        end = s0 + end_offset
        if skip and any(start < b and a < end for a, b in skip):
            continue
        if len(words) == 1:                                    # "President Biden"
            people.append(_Person(start, end, words[0], words[0], True))
            surnames.setdefault(words[0], (start, words[0]))
            continue
        if non_name:
            continue                                           # "Nord Stream"
        last = words[-1].lower()
        if last not in lowercase_use:
            lowercase_use[last] = _occurs_lowercase(text, last)
        if lowercase_use[last]:
            continue                                           # "Strategic Stability Dialogue"
        if any(full in o or o in full for o in outlet_names if o):
            continue
        if not titled:
            titled = _title_before(text[max(0, start - 40):start])
        people.append(_Person(start, end, full, words[-1], titled))
        surnames.setdefault(words[-1], (start, full))
    known = {p.start for p in people}
    for m in _TITLED_SINGLE_RE.finditer(text):
        if m.start() and text[m.start() - 1].isalnum():
            continue
        start, end = m.span("name")
        word = m.group("name")
        if start in known or word in _NON_NAME or word.lower() in _FUNCTION or \
                any(start < b and a < end for a, b in skip):
            continue
        if end < len(text) and text[end] == " " and _NAME_TOKEN_RE.match(text, end + 1):
            continue                                           # part of a longer name, found above
        full = surnames.get(word, (None, word))[1]
        courtesy = m.group().split(None, 1)[0].rstrip(".,") in ("Mr", "Mrs", "Ms", "Dr", "Prof")
        people.append(_Person(start, end, full, word, not courtesy))
        surnames.setdefault(word, (start, word))
        known.add(start)
    # later mentions of a surname ("Lavrov" after "Sergey Lavrov")
    for word, (first, full) in surnames.items():
        i = text.find(word, first + len(full))
        while i >= 0:
            j = i + len(word)
            if (not text[i - 1].isalnum()) and (j >= len(text) or not (text[j].isalnum() or text[j] == "-")) \
                    and i not in known and not any(i < b and a < j for a, b in skip):
                people.append(_Person(i, j, full, word, False))
                known.add(i)
            i = text.find(word, j)
    people.sort(key=lambda p: p.start)
    # a person is titled if any mention of them is
    titled_all = {p.name for p in people if p.titled}
    for p in people:
        if p.name in titled_all:
            p.titled = True
    return people


_TITLES_BEFORE = ["president", "minister", "secretary", "spokesman", "spokeswoman", "spokesperson", "chancellor",
                  "ambassador", "envoy", "chief", "head", "director", "chairman", "chairwoman", "leader", "general",
                  "commander", "senator", "governor", "mayor", "premier", "prosecutor", "official", "adviser",
                  "advisor", "aide", "diplomat", "correspondent", "reporter", "analyst", "professor", "expert",
                  "researcher"]
_TITLE_BEFORE_RE = re.compile(r"(?i)\b(?:" + "|".join(sorted(_TITLES_BEFORE, key=len, reverse=True))
                              + r")\s*,?\s*$")
_TITLE_BEFORE_MAX = max(map(len, _TITLES_BEFORE))


def _title_before(before: str) -> bool:
    # A match ends with the title's last letter right before the trailing white space and comma, and a title
    # matches as many characters as it has: no match can start before ``end - _TITLE_BEFORE_MAX``, so the
    # search starts there instead of trying every position.
    end = len(before.rstrip().rstrip(",").rstrip())
    return bool(_TITLE_BEFORE_RE.search(before, max(0, end - _TITLE_BEFORE_MAX)))


# --------------------------------------------------------------------------------------- extraction

@dataclass
class _Att:
    """One reporting expression (verb, noun or phrase) and what the rules found around it."""

    sent: _Sentence
    lemma: str
    use: str                     # verb, noun, adjective, phrase
    i0: int
    i1: int
    speaker: tuple | None = None         # token span of the speaker phrase
    pronoun: str | None = None
    inherit: bool = False
    passive: bool = False
    inverted: bool = False
    context: str = ""                    # apposition describing a named speaker
    context_first: int | None = None     # its first token when it stands before the name
    content: tuple | None = None         # character span of the reported content
    cites: str = ""
    cited_by: str = ""
    cite_object: tuple | None = None     # for "cite": token span of what is cited
    resolved: dict = field(default_factory=dict)


class _ArticleExtractor:
    """Runs the attribution rules on one article."""

    def __init__(self, lex: _VerbLexicon, text: str, outlet: str, sentence_spans, post_sentences,
                 quote_spans=None):
        self.lex, self.text, self.outlet = lex, text, outlet
        self.sent_starts = [s for s, _ in sentence_spans]
        self.sent_spans = sentence_spans
        self.post_sentences = post_sentences          # set of sentence indices that are embedded posts
        self.quotes = [q for q in (_direct_quote_spans(text) if quote_spans is None else quote_spans)
                       if self._sentence_of(q[2]) not in post_sentences]
        self._quote_starts = [q[0] for q in self.quotes]      # the quotations are in order and do not overlap
        self._quote_ends = [q[1] for q in self.quotes]
        self._sentences: dict[int, _Sentence] = {}

    def _sentence_of(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.sent_starts, pos) - 1)

    def sentence(self, k: int) -> _Sentence:
        s = self._sentences.get(k)
        if s is None:
            start, end = self.sent_spans[k]
            # only the quotations that overlap the sentence (they are in order and do not overlap each other)
            near = self.quotes[bisect.bisect_right(self._quote_ends, start):
                               bisect.bisect_left(self._quote_starts, end)]
            s = _Sentence(k, self.text, start, end, near)
            self._sentences[k] = s
        return s

    def _in_quote(self, pos: int) -> bool:
        k = bisect.bisect_right(self._quote_starts, pos) - 1
        return k >= 0 and pos < self.quotes[k][1]

    # -- reporting words
    def reporting_uses(self) -> list[_Att]:
        lex, text = self.lex, self.text
        atts: list[_Att] = []
        lowered = text.lower()
        if len(lowered) != len(text):          # a few characters change length in lower case: fall back
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        if lex.scan is not None and "_" not in lowered:
            first = lex.regex.match(lowered)
            found = ([first.span() + (first.group(),)] if first else []) + \
                [m.span(1) + (m.group(1),) for m in lex.scan.finditer(lowered)]
        else:
            found = [m.span() + (m.group(),) for m in lex.regex.finditer(lowered)]
        for start, stop, matched in found:
            if start and (text[start - 1].isalnum() or text[start - 1] in "-'’"):
                continue
            k = self._sentence_of(start)
            if k in self.post_sentences or self._in_quote(start) or start >= self.sent_spans[k][1]:
                continue
            form = " ".join(matched.lower().split())
            lemma = lex.lemma[form]
            s = self.sentence(k)
            i0 = bisect.bisect_left(s.starts, start)
            i1 = bisect.bisect_left(s.starts, stop) - 1
            if i0 >= len(s) or s.starts[i0] != start or i1 < i0:
                continue
            use = self._use(form, lemma, s, i0, i1)
            if use is None:
                continue
            info = lex.info[lemma]
            if use == "verb":
                excl = lex.exclude[lemma]
                if excl is not None and excl.match(text, stop):
                    continue
                if info["context"] != "any" and not self._has_cue(s, i0, i1, info["context"] == "quote"):
                    continue
            for t in range(i0, i1 + 1):
                s.verbish[t] = use == "verb"
            atts.append(_Att(s, lemma, use, i0, i1))
        return atts

    def _use(self, form: str, lemma: str, s: _Sentence, i0: int, i1: int) -> str | None:
        kinds = self.lex.kinds[form]
        if "phrase" in kinds:
            return "phrase"
        prev = s.low[i0 - 1] if i0 > 0 else ""
        prev_tok = s.toks[i0 - 1] if i0 > 0 else ""
        nxt = s.low[i1 + 1] if i1 + 1 < len(s) else ""
        if "noun" not in kinds:
            if prev in _DETERMINERS:
                # "the alleged plot" is a distancing adjective; "no say" is a noun
                return "adjective" if form.endswith("ed") else None
            if prev_tok and _is_possessive(prev_tok) and not (form.endswith("ed") or form in _PAST_IRREGULAR):
                return None                   # "Moscow's demands"; but "Ben and Jerry's said" is a verb
            return "verb"
        if "verb" not in kinds:
            return "noun"
        # A form that can be either (claims, reports, warning): decide from the neighbours.
        det_like = prev in _DETERMINERS or (prev_tok and _is_possessive(prev_tok)) or prev in _ADJ_HINTS
        if form.endswith("ing"):
            if det_like:
                return "noun"
            if prev in _BE or prev in {",", "and", "while", "when", "after", "before", "by", "without", "also",
                                       "not", "—", "–", "-"} or i0 == 0 or _is_adverb(prev):
                return "verb"
            return "noun"
        if i0 == 0 or prev_tok in _OPEN_QUOTES or prev in {"(", ":", ";"}:
            return "noun"
        if prev in _SUBJECT_PRONOUNS or prev in ("who", "which"):
            return "verb"
        if prev == "that":
            return "noun" if form == self.lex.base.get(lemma) else "verb"
        if prev in ("to",):
            return "verb" if form == self.lex.base.get(lemma) else "noun"
        if prev in _AUX:
            return "verb"
        if det_like or prev in _PREPOSITIONS:
            return "noun"
        if prev.isalpha() and prev.endswith("ed") and not _is_cap(prev_tok) and prev not in _AUX:
            return "noun"                                   # "unverified claims", "repeated claims"
        if nxt in _NOUN_NEXT:
            return "noun"
        return "verb"

    def _has_cue(self, s: _Sentence, i0: int, i1: int, quote_only: bool = False) -> bool:
        n = len(s)
        # a quotation right before (“...,” he added) or soon after (added: “...”, describes X as “...”)
        for k in range(max(0, i0 - 4), min(n, i1 + 11)):
            if s.in_quote[k] and (k < i0 or s.toks[k] in _OPEN_QUOTES):
                return True
        j = i1 + 1
        # or a quotation that closes the previous sentence (“...?” Biden asked.)
        if i0 <= 4 and self._quote_ends_before(s):
            return True
        if quote_only:
            return j < n and s.low[j] == ":"
        if j >= n:
            return True
        nxt = s.low[j]
        if nxt in _CLAUSE_END or nxt in _QUOTE_CHARS or nxt in ("that", ":") or nxt in _SUBJECT_PRONOUNS:
            return True
        if nxt.endswith("ing") and len(nxt) > 4 and nxt.isalpha():
            return True
        # "demanded written guarantees that", not "respond amid fears that"
        for k in range(j + 1, min(n, j + 3)):
            if s.low[k] == "that":
                return not any(s.low[t] in _PREPOSITIONS for t in range(j, k))
        return False

    def _quote_ends_before(self, s: _Sentence) -> bool:
        """Does a quotation end right before this sentence (the previous sentence closed it)?"""
        before = self.text[max(0, s.start - 3):s.start].rstrip()
        return bool(before) and before[-1] in _CLOSE_QUOTES

    # -- speakers
    def find_speaker(self, att: _Att, previous: list[_Att]) -> None:
        s, i0, i1 = att.sent, att.i0, att.i1
        if att.use == "phrase":                                  # according to X
            span = s.np_forward(i1 + 1)
            att.speaker = span
            return
        if att.use == "noun":
            # "claims by Washington that ...", "Russia's warning that ..."
            j = i1 + 1
            if j < len(s) and s.low[j] in ("by", "from"):
                span = s.np_forward(j + 1)
                if span:
                    att.speaker = span
            elif i0 > 0 and _is_possessive(s.toks[i0 - 1]) and _is_cap(s.toks[i0 - 1]):
                k = i0 - 1
                while k - 1 >= 0 and _is_cap(s.toks[k - 1]) and s.low[k - 1] not in _FUNCTION and \
                        not _is_possessive(s.toks[k - 1]) and i0 - k < 4:
                    k -= 1
                att.speaker = (k, i0 - 1)
            return
        if att.use != "verb":
            return
        # skip adverbs, auxiliaries and time expressions between subject and verb
        j = i0 - 1
        saw_be = False
        while j >= 0:
            low = s.low[j]
            if low in _AUX or _is_adverb(low):
                saw_be = saw_be or low in _BE
                j -= 1
            elif low in _TEMPORAL or low[:1].isdigit() or (low in ("on", "in") and j + 1 < i0 and
                                                             (s.low[j + 1] in _TEMPORAL or s.low[j + 1][:1].isdigit())):
                j -= 1
            else:
                break
        form = s.low[i0]
        participle = form.endswith("ed") or form in _PAST_PARTICIPLE_IRREGULAR
        if saw_be and participle and att.lemma != "quote":
            att.passive = True
            if i1 + 2 < len(s) and s.low[i1 + 1] == "by":
                att.speaker = s.np_forward(i1 + 2)
            return
        if att.lemma == "quote" and saw_be:                      # "X was quoted as saying"
            k = j
            att.speaker = s.np_backward(k) if k >= 0 else None
            return
        if j < 0:
            if form.endswith("ing"):
                att.inherit = True
            elif i0 == 0 and att.lemma in _INVERTIBLE:
                self._inverted(att)                             # "Says Graeber: ..."
            return
        prev_tok, prev = s.toks[j], s.low[j]
        # inverted: “...,” said Al Jazeera correspondent Alan Fisher.
        if (prev_tok in _CLOSE_QUOTES or (prev == "," and j > 0 and s.toks[j - 1] in _CLOSE_QUOTES)) \
                and j == i0 - 1 and att.lemma in _INVERTIBLE and not form.endswith("ing"):
            if self._inverted(att):
                return
        if prev in _SUBJECT_PRONOUNS:
            att.speaker, att.pronoun = (j, j), prev
            return
        if prev in ("who", "which") or (prev == "that" and j > 0 and s.np_ish(j - 1)):
            k = j - 1
            if k >= 0 and s.low[k] == ",":
                k -= 1
            att.speaker = s.np_backward(k) if k >= 0 else None
            if att.speaker:
                first = att.speaker[0]
                for other in reversed(previous):
                    if other.sent is s and other.lemma == "cite" and other.i1 == first - 1:
                        att.cited_by = self.speaker_text(other)
                        break
            return
        if prev in _COORDINATORS or (prev == "," and form.endswith("ing")):
            att.inherit = True
            return
        if prev == ",":
            if j == i0 - 1 and att.lemma in _INVERTIBLE and self._inverted(att):
                return                                          # "..., said the official."
            # an apposition or a parenthetical between commas: "X, Dmytro Kuleba, told", "Kane, reporting
            # from Berlin, said"
            k = j - 1
            while k >= 0 and j - k <= 16 and s.low[k] != ",":
                k -= 1
            if k >= 0 and s.low[k] == "," and k < j - 1:
                inner = list(range(k + 1, j))
                if len(inner) <= 3 and _PARTY_LABEL_RE.fullmatch(s.text_of(self.text, k + 1, j - 1)):
                    att.speaker = self._subject_np(s, k - 1)    # "Sen. Ted Cruz, R-Texas, said"
                    if att.speaker is None:
                        att.inherit = True
                    return
                if all(_is_cap(s.toks[t]) or s.toks[t] in ("-", "’s", "'s") or s.low[t] in ("and", "of")
                       for t in inner) and _is_cap(s.toks[k + 1]):
                    att.speaker = (k + 1, j - 1)
                    ctx = s.np_backward(k - 1) if k > 0 else None
                    if ctx:
                        att.context = s.text_of(self.text, *ctx)
                        att.context_first = ctx[0]
                    return
                if s.toks[k + 1][:1].islower() and s.low[k + 1] not in _DETERMINERS:
                    att.speaker = self._subject_np(s, k - 1)
                    return
                # "Dmytro Kuleba, Ukraine's foreign minister, said"
                att.context = s.text_of(self.text, k + 1, j - 1)
                att.speaker = self._subject_np(s, k - 1)
                if att.speaker is None:
                    att.inherit = True
                return
            att.inherit = True
            return
        att.speaker = self._subject_np(s, j)
        if att.speaker is None:
            # no subject (or the noun before is a prepositional object: "an interview with Axios said")
            att.inherit = True

    def _inverted(self, att: _Att) -> bool:
        s = att.sent
        span = s.np_forward(att.i1 + 1)
        if span is None or all(s.low[t] in _TEMPORAL or s.low[t][:1].isdigit() for t in range(span[0], span[1] + 1)):
            return False
        after = span[1] + 1
        if after >= len(s) or s.low[after] in _CLAUSE_END or s.low[after] in ("who", "(", "adding", "saying",
                                                                                "in", "on", "according", "of"):
            att.speaker, att.inverted = span, True
            return True
        return False

    def _subject_np(self, s: _Sentence, j: int):
        if j < 0:
            return None
        span = s.np_backward(j)
        if span is None:
            return None
        first = span[0]
        if first > 0 and s.low[first - 1] in _TRUE_PREPOSITIONS:
            return None                                         # "an interview with Axios said": not a subject
        return span

    def clause_subject(self, s: _Sentence) -> tuple | None:
        """The noun phrase (or subject pronoun) that opens the sentence's main clause, after an
        introductory phrase ("Later in the testimony, he ...")."""
        n = len(s)
        j = 0
        if n and (s.low[0] in _FUNCTION or _is_adverb(s.low[0])) and s.low[0] not in _DETERMINERS and \
                s.low[0] not in _SUBJECT_PRONOUNS:
            for k in range(1, min(n, 8)):
                if s.low[k] == ",":
                    j = k + 1
                    break
        if j < n and s.low[j] in _SUBJECT_PRONOUNS:
            return (j, j)
        return s.np_forward(j) if j < n else None

    def speaker_text(self, att: _Att) -> str:
        if att.speaker is None:
            return ""
        return att.sent.text_of(self.text, *att.speaker)

    # -- content of indirect quotes
    def find_content(self, att: _Att) -> None:
        s, i1 = att.sent, att.i1
        info = self.lex.info[att.lemma]
        clause = info["clause"]
        n = len(s)
        end = self._content_end(s)
        if att.use == "phrase":
            if att.speaker is None:
                return
            if att.i0 <= 1:                                       # According to X, ...
                k = att.speaker[1] + 1
                if k < n and s.low[k] == ",":
                    k += 1
                if k < n:
                    att.content = (s.starts[k], end)
            else:
                k = att.i0 - 1
                if s.low[k] == ",":
                    k -= 1
                if k >= 0:
                    att.content = (s.start, s.ends[k])
            return
        if att.use == "noun":
            if att.speaker is None:
                return
            k = max(att.speaker[1], i1) + 1
            if k + 1 < n and s.low[k] == "that" and not s.in_quote[k]:
                att.content = (s.starts[k + 1], end)
            return
        if att.use != "verb" or clause == "none" or att.passive:
            return
        j = i1 + 1
        if att.inverted and att.speaker:
            j = att.speaker[1] + 1
        nxt = s.low[j] if j < n else ""
        # "said that ...", "added: ..."
        if nxt in ("that", ":") and not s.in_quote[j]:
            if j + 1 < n:
                att.content = (s.starts[j + 1], end)
            return
        # "told reporters on Thursday that ...", "said in a statement on Thursday that ..."
        if not att.inverted and (clause == "that" or nxt in _PREPOSITIONS or nxt in _TEMPORAL):
            for k in range(j, min(n, j + 10)):
                if s.in_quote[k] or s.low[k] == ";" or s.verbish[k]:
                    break
                if s.low[k] in ("that", ":"):
                    if k + 1 < n:
                        att.content = (s.starts[k + 1], end)
                    return
        # "claims Biden plans to call ...", "said the German government would ..."
        if clause == "bare" and not att.inverted and j < n:
            if not (nxt in _PREPOSITIONS or nxt in ("to", "and", "but", "or", "-") or nxt in _CLAUSE_END
                    or s.toks[j] in _CLOSE_QUOTES or nxt in _TEMPORAL or s.in_quote[j]):
                att.content = (s.starts[j], end)
                return
        # postposed: "..., the official said (on Thursday)." / "..., AP has reported, citing sources."
        if not (j >= n or nxt in _CLAUSE_END or nxt in _PREPOSITIONS or nxt in _TEMPORAL
                or s.toks[j] in _CLOSE_QUOTES or (nxt.endswith("ing") and s.verbish[j])):
            return
        first = att.i0 if att.inverted or not att.speaker else min(att.speaker[0], att.i0)
        if att.context_first is not None:
            first = min(first, att.context_first)
        k = first - 1
        before_end = None
        while k >= 1 and s.toks[k] in _CLOSE_QUOTES:
            before_end = before_end or s.ends[k]                # aggression,” a White House official said
            k -= 1
        if k < 1 or s.low[k] != ",":
            return
        before = (s.start, before_end or s.ends[k - 1])
        t = j
        while t < n and (s.low[t] in _TEMPORAL or s.low[t][:1].isdigit()):
            t += 1
        if self._words_outside_quotes(*before) >= 3:
            att.content = before
        elif t < n - 1 and s.low[t] == "," and not s.verbish[t + 1] and \
                s.low[t + 1] not in _RELATIVES | {"where", "when", "whose", "whom"}:
            # mid-sentence attribution: “In particular,” the statement added, the two men discussed ...
            att.content = (s.starts[t + 1], end)

    def _content_end(self, s: _Sentence) -> int:
        k = len(s) - 1
        while k > 0 and (s.low[k] in _END_PUNCT or s.toks[k] in _CLOSE_QUOTES) and not s.in_quote[k]:
            k -= 1
        return s.ends[k] if k >= 0 else s.end

    def _words_outside_quotes(self, start: int, end: int) -> int:
        spans = [(max(qs, start), min(qe, end)) for qs, qe, _, _ in self.quotes if qe > start and qs < end]
        total = count_words(self.text[start:end])
        return total - sum(count_words(self.text[a:b]) for a, b in spans)


# ------------------------------------------------------------------------------------ classification

def _channel_type(rules: _SourceRules, clause_text: str) -> str | None:
    """The type given by a ``context`` rule (a channel such as "said on Twitter"), or None."""
    if clause_text:
        for stype, fld, pattern in rules.rules:
            if fld == "context" and pattern.search(clause_text):
                return stype
    return None


def _speaker_rule(rules: _SourceRules, phrase: str, context: str, is_person: bool, titled: bool,
                  outlet_names: tuple[str, ...]) -> int | None:
    """Index of the first speaker rule (outlet, speaker, title or name) that fits, or None."""
    low = phrase.lower()
    for idx, (stype, fld, pattern) in enumerate(rules.rules):
        if fld == "outlet":
            if any(o and o.lower() in low for o in outlet_names):
                return idx
        elif fld == "speaker":
            if phrase and pattern.search(phrase):
                return idx
        elif fld == "title":
            if is_person and (titled or pattern.search(phrase) or (context and pattern.search(context))):
                return idx
        elif fld == "name":
            if is_person:
                return idx
    return None


def _outlet_names(outlet: str) -> tuple[str, ...]:
    if not outlet or outlet in ("unknown", "unattributed"):
        return ()
    base = re.split(r"\s+[-–—(]|\s*\(", outlet)[0].strip()
    return tuple(sorted({outlet, base}, key=len, reverse=True))


# --------------------------------------------------------------------------------------- the result

@dataclass
class Attribution:
    """Reporting verbs, quotes and sources of a corpus (see :func:`attribution`).

    Attributes
    ----------
    verbs : pandas.DataFrame
        One row per outlet, reporting word and grammatical use: ``outlet``, ``verb`` (the lemma: say, claim,
        according to), ``form`` ("verb", "noun", "adjective" for distancing participles such as "the alleged
        plot", "phrase" for "according to"), ``count``, ``per_10k_words`` (per 10,000 words of the outlet),
        ``connotation`` (neutral or loaded), ``category``, ``articles`` (articles using it) and ``share``
        (of the outlet's reporting words). Sorted by outlet, then count (descending), verb and form.
    quotes : pandas.DataFrame
        One row per quote: ``article_id``, ``outlet``, ``sent_id`` (sentence where it starts), ``start``,
        ``end`` (offsets in the article's cleaned text; direct quotes without their quotation marks),
        ``quote``, ``kind`` ("direct" or "indirect"), ``speaker`` (a person's full name when one is named,
        else the speaker phrase as written, "" when unknown), ``source_type``, ``verb`` (lemma of the
        reporting verb, "" when none), ``speaker_mention`` (the words that name the speaker at this
        quote, e.g. "she"), ``words``, ``chars`` (characters counted for this quote: text already counted
        for a direct quote inside an indirect one is not counted again), ``cites`` (what the speaker cites:
        "AP has reported, citing *sources*"), ``cited_by`` (who cites the speaker: "*AP* cited a senior
        official, who said ...") and ``embedded_post`` (True for embedded social-media posts).
    sources : pandas.DataFrame
        One row per outlet and source type: ``outlet``, ``source_type``, ``quotes``, ``quoted_chars``,
        ``share_of_quoted`` (of the outlet's quoted characters), ``direct``, ``indirect`` and ``speakers``
        (distinct speakers).
    by_outlet : pandas.DataFrame
        One row per outlet: ``outlet``, ``articles``, ``words``, ``quoted_words`` (words inside any quote),
        ``quoted_share`` (quoted_words / words), ``n_quotes``, ``n_sources`` (distinct named speakers and
        speaker phrases), ``direct_quotes``, ``indirect_quotes``, ``embedded_posts``,
        ``unattributed_quotes`` and ``anonymous_share`` (share of quotes whose source type starts with
        "anonymous").
    by_article : pandas.DataFrame
        One row per article, in corpus order: ``article_id``, ``outlet``, ``words``, ``quoted_words``,
        ``quoted_share`` and ``n_quotes``.
    """

    verbs: pd.DataFrame
    quotes: pd.DataFrame
    sources: pd.DataFrame
    by_outlet: pd.DataFrame
    by_article: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BY_ARTICLE_COLUMNS))

    def save(self, outdir) -> dict[str, Path]:
        """Write ``attribution.csv`` (the verbs table), ``quotes.csv``, ``sources.csv`` and
        ``attribution_by_outlet.csv`` into ``outdir``; return their paths by name."""
        outdir = Path(outdir)
        outdir.mkdir(parents=True, exist_ok=True)
        files = {"attribution.csv": self.verbs, "quotes.csv": self.quotes, "sources.csv": self.sources,
                 "attribution_by_outlet.csv": self.by_outlet}
        return {name: write_csv(frame, outdir / name) for name, frame in files.items()}

    def __repr__(self) -> str:
        return (f"<Attribution: {int(self.verbs['count'].sum()) if len(self.verbs) else 0} reporting words, "
                f"{len(self.quotes)} quotes, {self.by_outlet['outlet'].nunique()} outlets>")


# ------------------------------------------------------------------------------------------ driver

_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def attribution(corpus, *, verbs=None, sources=None, n_jobs=None) -> Attribution:
    """Find reporting verbs, quotes, speakers and source types in a corpus.

    Parameters
    ----------
    corpus : Corpus
    verbs : path or DataFrame, optional
        A reporting-verb list in the format of ``framing/data/reporting_verbs.csv`` (or the DataFrame of
        :func:`load_reporting_verbs`). Default: the bundled list of about 70 verbs.
    sources : path or DataFrame, optional
        Source-type rules in the format of ``framing/data/source_types.csv``. Default: the bundled rules.
    n_jobs : int, optional
        Processes for large corpora (2,000 articles or more), as in scikit-learn: None or 1 runs in this
        process, -1 uses every core. The result does not depend on it.

    Returns
    -------
    Attribution
        With the ``verbs``, ``quotes``, ``sources`` and ``by_outlet`` tables (columns documented on
        :class:`Attribution`).

    Notes
    -----
    * Reporting words are matched with one compiled regular expression per corpus. A form that can be a
      verb or a noun (claims, reports, warning) is a noun after a determiner, possessive, preposition or
      adjective ("the claims", "amid claims", "Russia's warning") or before "of/by/have/say..."
      ("intelligence reports have"), and a verb otherwise ("Kiev claims the republics ...").
    * Verbs marked ``context=cue`` (added, denied, asked ...) count only next to a cue of reported speech.
      Reporting words inside direct quotes or embedded posts are not counted.
    * The speaker is the subject of the reporting verb (skipping adverbs, auxiliaries and time phrases),
      an inverted subject (“...,” said X), the name in an apposition, the antecedent of "who/which", the
      subject of the previous reporting verb in a coordination ("told reporters ... but added"), or the
      subject of the sentence for participles ("..., saying ..."). He/she resolve to the nearest person
      named before; it/they to the previous non-person speaker. A direct quote takes the reporting verb
      right after it, else the nearest one before it in the sentence, else — when it opens its sentence —
      the speaker of the previous quote in the paragraph. Passive verbs ("has been accused") have no
      speaker unless a by-phrase names one.
    * Indirect quotes are the content clause of a reporting verb (after "that", or right after verbs with
      ``clause=bare``) or the clause before a final ", X said". Clauses nested inside another quote are
      part of that quote, not separate quotes; clauses of fewer than three words (outside direct quotes)
      are dropped.
    * Named speakers are "named official" when a title is found with the name anywhere in the corpus
      ("Foreign Minister Sergey Lavrov" makes a later "Lavrov" an official).

    Examples
    --------
    >>> from framing import load_corpus
    >>> att = attribution(load_corpus())
    >>> v = att.verbs.set_index(["outlet", "verb", "form"])["count"]
    >>> int(v["RT", "claim", "verb"]), int(v["RT", "claim", "noun"])
    (2, 1)
    """
    lex = _resolve_verbs(verbs)
    rules = _resolve_sources(sources)
    key = (id(lex), id(rules))
    cached = _CACHE.get(corpus)
    if cached is not None and cached[0] is corpus.articles and key in cached[1]:
        return cached[1][key]
    result = _run(corpus, lex, rules, n_jobs)
    if cached is None or cached[0] is not corpus.articles:
        try:
            _CACHE[corpus] = (corpus.articles, {})
        except TypeError:                       # not weak-referenceable: no cache
            return result
    _CACHE[corpus][1][key] = result
    return result


def _run(corpus, lex: _VerbLexicon, rules: _SourceRules, n_jobs) -> Attribution:
    arts = corpus.articles
    sents = corpus.sentences()
    by_article = {}
    if len(sents):
        sid = sents["article_id"].to_numpy()
        starts = sents["start"].to_numpy()
        ends = sents["end"].to_numpy()
        kinds = sents["kind"].to_numpy()
        bounds = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1], True])
        for a, b in zip(bounds[:-1], bounds[1:]):
            by_article[sid[a]] = (starts[a:b].tolist(), ends[a:b].tolist(), kinds[a:b].tolist())
    counted = _cached_word_counts(corpus)
    records = []
    for aid, outlet, text in zip(arts["id"], arts["outlet"], arts["text"]):
        st, en, kd = by_article.get(aid, ([], [], []))
        records.append((aid, outlet, text or "", list(zip(st, en)), kd))
    results = parallel_map(_extract_chunk, records, n_jobs=n_jobs, shared=lex)
    verb_rows: list[tuple] = []
    quote_rows: list[dict] = []
    quoted_words = {}
    name_counts: dict[str, int] = {}
    if counted is None:
        # word counts came back with the results (counted in the worker processes); keep them for later
        counts = pd.Series([r[6] for r in results], index=arts["id"].to_numpy(), dtype=np.int64)
        _store_word_counts(corpus, counts)
    else:
        counts = counted
    words_per_article = counts.to_dict()
    # the direct quotations' spans, which the tone of the outlet's own voice leaves out (framing.lexical)
    _store_quote_spans(corpus, [r[7] for r in results])
    for aid, outlet, verbs_here, quotes_here, n_quoted, names, _, _ in results:
        verb_rows.extend((aid, outlet, lemma, use) for lemma, use in verbs_here)
        for q in quotes_here:
            q["article_id"], q["outlet"] = aid, outlet
        quote_rows.extend(quotes_here)
        quoted_words[aid] = n_quoted
        for name in set(names):
            name_counts[name] = name_counts.get(name, 0) + 1
    quotes = _classify_quotes(quote_rows, rules, _surname_map(name_counts))
    verbs_table = _verb_table(verb_rows, lex, arts, words_per_article)
    sources_table = _source_table(quotes)
    by_outlet = _by_outlet_table(arts, quotes, words_per_article, quoted_words)
    by_article = pd.DataFrame({"article_id": arts["id"].to_numpy(), "outlet": arts["outlet"].to_numpy(),
                               "words": arts["id"].map(words_per_article).to_numpy(np.int64),
                               "quoted_words": arts["id"].map(quoted_words).to_numpy(np.int64)})
    by_article["quoted_share"] = by_article["quoted_words"] / by_article["words"].where(by_article["words"] > 0)
    n_quotes = quotes.groupby("article_id").size() if len(quotes) else pd.Series(dtype=np.int64)
    by_article["n_quotes"] = by_article["article_id"].map(n_quotes).fillna(0).astype(np.int64)
    return Attribution(verbs_table, quotes, sources_table, by_outlet, by_article)


def _extract_chunk(lex: _VerbLexicon, chunk: list) -> list:
    """Run the per-article rules on a chunk of (id, outlet, text, sentence spans, sentence kinds)."""
    out = []
    for aid, outlet, text, spans, kinds in chunk:
        posts = {k for k, kind in enumerate(kinds) if kind == "embedded_post"}
        subheads = {k for k, kind in enumerate(kinds) if kind == "subhead"}
        quote_spans = _direct_quote_spans(text)
        verbs_here, quotes_here, names = _article(lex, text, outlet, spans, posts, subheads, quote_spans)
        out.append((aid, outlet, verbs_here, quotes_here,
                    _union_words(text, [(q["start"], q["end"]) for q in quotes_here]), names, _count_words_fast(text),
                    [(a, b) for a, b, _, _ in quote_spans]))
    return out


def _union_words(text: str, spans: list[tuple[int, int]]) -> int:
    if not spans:
        return 0
    spans = sorted(spans)
    merged_starts, merged_ends = [], []
    cur_s, cur_e = spans[0]
    for s, e in spans[1:]:
        if s <= cur_e:
            cur_e = max(cur_e, e)
        else:
            merged_starts.append(cur_s)
            merged_ends.append(cur_e)
            cur_s, cur_e = s, e
    merged_starts.append(cur_s)
    merged_ends.append(cur_e)
    return sum(count_words(text[s:e]) for s, e in zip(merged_starts, merged_ends))


def _article(lex: _VerbLexicon, text: str, outlet: str, spans, posts, subheads=frozenset(),
             quote_spans=None) -> tuple:
    """Reporting-word uses, quote records (not yet classified) and the full person names of one article
    (``quote_spans``: its ``_direct_quote_spans``, when already found)."""
    ex = _ArticleExtractor(lex, text, outlet, spans, posts, quote_spans)
    atts = ex.reporting_uses()
    verb_uses = [(a.lemma, a.use) for a in atts]
    outlet_names = _outlet_names(outlet)
    post_spans = [spans[k] for k in posts]
    people = _person_mentions(text, outlet_names, post_spans) if (atts or ex.quotes) else []

    # speakers, in text order so that inheritance and pronouns can look back
    done: list[_Att] = []
    for att in atts:
        if att.use in ("verb", "noun", "phrase"):
            ex.find_speaker(att, done)
            if att.lemma == "cite" and att.use == "verb":
                att.cite_object = att.sent.np_forward(att.i1 + 1)
        done.append(att)
    speaking = [a for a in atts if a.use in ("verb", "phrase") or (a.use == "noun" and a.speaker)]
    # inheritance: coordinated verbs and participles take the previous subject in the sentence
    for idx, att in enumerate(speaking):
        if not att.inherit:
            continue
        src = None
        for other in reversed(speaking[:idx]):
            if other.sent is att.sent and other.use == "verb" and not other.passive and \
                    (other.speaker or other.resolved):
                src = other
                break
        if src is not None:
            att.speaker, att.pronoun, att.context = src.speaker, src.pronoun, src.context
            att.cited_by = src.cited_by
            att.resolved = src.resolved
        else:
            span = ex.clause_subject(att.sent)
            if span and span[1] < att.i0:
                att.speaker = span
                if span[0] == span[1] and att.sent.low[span[0]] in _SUBJECT_PRONOUNS:
                    att.pronoun = att.sent.low[span[0]]
    # "AP has reported, citing sources": the cited object belongs to the reporting verb before "citing"
    for idx, att in enumerate(speaking):
        if att.lemma == "cite" and att.cite_object is not None and att.sent.toks[att.i0].lower().endswith("ing"):
            for other in reversed(speaking[:idx]):
                if other.sent is att.sent and other.lemma != "cite":
                    other.cites = att.sent.text_of(text, *att.cite_object)
                    break
    # resolve speakers to names and pronouns to antecedents
    last_nonperson = None
    for att in speaking:
        if att.resolved:
            continue
        att.resolved = _resolve(ex, att, people, last_nonperson)
        if att.resolved.get("phrase") and not att.resolved.get("person") and not att.pronoun:
            last_nonperson = att.resolved
    for att in speaking:
        ex.find_content(att)
    # "Biden will ... indicate that NATO membership is off the table, AP has reported": the content of
    # "indicate" ends where the postposed attribution ", AP has reported" begins
    for att in speaking:
        if att.content is None:
            continue
        s = att.sent
        cs, ce = att.content
        for other in speaking:
            if other is att or other.sent is not s or other.speaker is None or other.inherit or other.inverted:
                continue
            k = other.speaker[0] - 1
            if k > 0 and s.low[k] == "," and cs < s.starts[k] < ce and other.i0 > att.i1:
                ce = s.ends[k - 1]
        att.content = (cs, ce)

    quotes: list[dict] = []
    sent_of = ex._sentence_of
    # embedded posts: one quote per run of consecutive post sentences
    run = []
    for k in sorted(posts) + [None]:
        if run and (k is None or k != run[-1] + 1):
            start, end = spans[run[0]][0], spans[run[-1]][1]
            body = text[start:end]
            m = _SOCIAL_HANDLE_RE.search(body)
            who = " ".join(m.group("who").split()) if m else ""
            quotes.append(_quote_record(text, run[0], start, end, "direct", who, who, "", {}, True,
                                        clause_text="", forced_type="social media"))
            run = []
        if k is not None:
            run.append(k)
    # direct quotes
    previous_direct = None
    for qs, qe, s_in, e_in in ex.quotes:
        k_start, k_end = sent_of(qs), sent_of(max(qs, qe - 1))
        att = _attribution_for_quote(ex, speaking, qs, qe, k_start, k_end)
        record_from = att
        if att is None and previous_direct is not None and k_start not in subheads:
            # a quotation that opens its sentence right after another quote continues it (the same
            # paragraph, or the next one: news style quotes a speaker over several paragraphs)
            prev_rec, prev_att, prev_last = previous_direct
            opens = spans[k_start][0] == qs
            if opens and prev_att is not None and k_start == prev_last + 1:
                record_from = prev_att
        if record_from is None and k_start > 0 and k_start not in subheads and spans[k_start][0] == qs:
            # a quotation that opens its sentence after "..., Emmerson said." or "the ministry said:" (the
            # same paragraph, or the next one after a colon)
            prev_end = spans[k_start - 1][1]
            colon = text[:prev_end].rstrip().endswith(":")
            if colon or "\n" not in text[prev_end:qs]:
                before = [a for a in speaking if a.sent.index == k_start - 1 and a.use in ("verb", "phrase")
                          and a.resolved and a.lemma not in _NOT_FOR_QUOTES]
                if before:
                    record_from = before[-1]
        rec = _quote_record(text, k_start, s_in, e_in, "direct", *_speaker_fields(ex, record_from), False,
                            clause_text=_clause_text(ex, record_from))
        quotes.append(rec)
        previous_direct = (rec, record_from, k_end) if k_start not in subheads else None
    # indirect quotes: content clauses, outermost only
    direct_spans = [(qs, qe) for qs, qe, _, _ in ex.quotes]
    contents = []
    for att in speaking:
        if att.content is None:
            continue
        cs, ce = att.content
        if ce - cs < 2 or any(qs <= cs and ce <= qe for qs, qe in direct_spans):
            continue
        if ex._words_outside_quotes(cs, ce) < 3:
            continue
        contents.append((cs, ce, att))
    contents.sort(key=lambda c: (c[0], -c[1]))
    kept = []
    for cs, ce, att in contents:
        if any(ks <= cs and ce <= ke for ks, ke, _ in kept):
            continue
        kept.append((cs, ce, att))
    for cs, ce, att in kept:
        quotes.append(_quote_record(text, sent_of(cs), cs, ce, "indirect", *_speaker_fields(ex, att), False,
                                    clause_text=_clause_text(ex, att)))
    # characters each quote adds: direct quotes and posts first, then indirect clauses around them
    quotes.sort(key=lambda q: (q["kind"] != "direct", q["start"], q["end"]))
    covered: list[tuple[int, int]] = []
    for q in quotes:
        q["chars"] = _uncovered(q["start"], q["end"], covered)
        covered.append((q["start"], q["end"]))
    quotes.sort(key=lambda q: (q["start"], q["kind"], q["end"]))
    full_names = [p.name for p in people if " " in p.name]
    return verb_uses, quotes, full_names


def _uncovered(s: int, e: int, covered: list[tuple[int, int]]) -> int:
    pieces = sorted((max(a, s), min(b, e)) for a, b in covered if b > s and a < e)
    total, pos = 0, s
    for a, b in pieces:
        if a > pos:
            total += a - pos
        pos = max(pos, b)
    return total + max(0, e - pos)


def _attribution_for_quote(ex: _ArticleExtractor, speaking: list[_Att], qs: int, qe: int, k_start: int,
                           k_end: int) -> _Att | None:
    """The reporting expression a direct quote belongs to: the one right after it (“...,” she said), else
    the nearest one before it in its sentence, else any later one in its sentence."""
    # A quotation ending in "?" or "!" ends its sentence, so "“...?” Biden asked." puts the reporting verb
    # in the next sentence; look there too (only right after the quotation).
    inner_end = ex.text[:qe].rstrip("”\"’» \t")
    sentences = (k_start, k_end, k_end + 1) if inner_end.endswith(("?", "!")) else (k_start, k_end)
    candidates = [a for a in speaking if a.use in ("verb", "phrase") and a.lemma not in _NOT_FOR_QUOTES
                  and a.sent.index in sentences]
    if not candidates:
        return None
    after = [a for a in candidates if a.sent.starts[a.i0] >= qe]
    before = [a for a in candidates if a.sent.ends[a.i1] <= qs and a.sent.index != k_end + 1]
    for a in sorted(after, key=lambda a: a.sent.starts[a.i0]):
        lead = a.sent.starts[a.i0]
        if a.speaker and not a.inverted and a.sent.starts[a.speaker[0]] >= qe:
            lead = min(lead, a.sent.starts[a.speaker[0]])
        if a.context_first is not None:
            lead = min(lead, a.sent.starts[a.context_first])
        if not _WORD_RE.search(ex.text, qe, lead):
            return a
        break
    if before:
        return max(before, key=lambda a: a.sent.starts[a.i0])
    after = [a for a in after if a.sent.index != k_end + 1]
    return min(after, key=lambda a: a.sent.starts[a.i0]) if after else None


def _speaker_fields(ex: _ArticleExtractor, att: _Att | None) -> tuple:
    """(speaker, mention, verb, resolved) for a quote record."""
    if att is None:
        return "", "", "", {}
    r = att.resolved or {}
    return r.get("speaker", ""), r.get("mention", ""), att.lemma, r


def _clause_text(ex: _ArticleExtractor, att: _Att | None) -> str:
    """The attribution clause around the reporting word (for channel patterns such as "on Twitter")."""
    if att is None:
        return ""
    s = att.sent
    lo = att.i0
    if att.speaker:
        lo = min(lo, att.speaker[0])
    hi = min(len(s) - 1, att.i1 + 4)
    k = att.i1 + 1
    while k <= hi and not s.in_quote[k] and s.low[k] not in (",", ".", "that"):
        k += 1
    return ex.text[s.starts[lo]:s.ends[max(att.i1, min(k, len(s)) - 1)]] if s.toks else ""


def _quote_record(text, sent_id, start, end, kind, speaker, mention, verb, resolved, embedded, *, clause_text,
                  forced_type=None) -> dict:
    return {"sent_id": int(sent_id), "start": int(start), "end": int(end), "quote": text[start:end],
            "kind": kind, "speaker": speaker, "speaker_mention": mention, "verb": verb,
            "words": count_words(text[start:end]), "cites": resolved.get("cites", ""),
            "cited_by": resolved.get("cited_by", ""), "embedded_post": embedded,
            "_phrase": resolved.get("phrase", ""), "_context": resolved.get("context", ""),
            "_person": resolved.get("person", False), "_titled": resolved.get("titled", False),
            "_clause": clause_text, "_forced": forced_type, "_unresolved": resolved.get("unresolved", False)}


def _resolve(ex: _ArticleExtractor, att: _Att, people: list[_Person], last_nonperson) -> dict:
    """Speaker name, surface mention, and what classification needs."""
    s = att.sent
    base = {"cites": att.cites, "cited_by": att.cited_by, "context": att.context}
    if att.speaker is None:
        return {}
    first, last = att.speaker
    mention = s.text_of(ex.text, first, last)
    start, end = s.starts[first], s.ends[last]
    if att.pronoun:
        pos = s.starts[att.i0]
        if att.pronoun in ("he", "she"):
            # the nearest person named before it
            k = bisect.bisect_right([p.end for p in people], pos)
            if k:
                p = people[k - 1]
                return {**base, "speaker": p.name, "mention": mention, "phrase": p.name, "person": True,
                        "titled": p.titled}
        elif att.pronoun in ("it", "they") and last_nonperson:
            return {**last_nonperson, **{k: v for k, v in base.items() if v}, "mention": mention}
        return {**base, "speaker": "", "mention": mention, "phrase": "", "unresolved": True}
    # strip a possessive ending ("Russia's warning")
    phrase = re.sub(r"(?:'s|’s|s’|s')$", "", mention) if _is_possessive(mention) and att.use == "noun" else mention
    # the phrase is a person when a person's name ends it
    person = None
    for p in people:
        if p.end == end or (p.end <= end and end - p.end <= 2 and ex.text[p.end:end] in ("'s", "’s")):
            if p.start >= start:
                person = p
        if p.start > end:
            break
    if person is not None:
        return {**base, "speaker": person.name, "mention": mention, "phrase": phrase, "person": True,
                "titled": person.titled, "name": person.name}
    return {**base, "speaker": phrase, "mention": mention, "phrase": phrase, "person": False}


def _surname_map(name_counts: dict[str, int]) -> dict[str, str]:
    """Surname -> the full name it stands for across the corpus, when one full name clearly dominates (named
    in at least 60% of the articles that name someone with that surname)."""
    by_surname: dict[str, list] = {}
    for name, n in name_counts.items():
        by_surname.setdefault(name.split()[-1], []).append((n, name))
    out = {}
    for surname, options in by_surname.items():
        options.sort(key=lambda t: (-t[0], t[1]))
        total = sum(n for n, _ in options)
        if options[0][0] >= 0.6 * total:
            out[surname] = options[0][1]
    return out


def _canonical_person(r: dict, surnames: dict[str, str]) -> None:
    """Give "Trump", "Mr. Trump" or "President Trump" the full name the corpus knows them by."""
    if r["_person"]:
        if " " not in r["speaker"] and r["speaker"] in surnames:
            r["speaker"] = surnames[r["speaker"]]
        return
    words = r["_phrase"].split()
    while len(words) > 1 and words[0].lower().rstrip(".") in _TITLE_WORDS:
        words = words[1:]
    if len(words) == 1:
        word = _POSSESSIVE_END_RE.sub("", words[0])
        if word in surnames:
            r["_person"], r["speaker"] = True, surnames[word]


def _classify_quotes(rows: list[dict], rules: _SourceRules, surnames: dict | None = None) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=QUOTE_COLUMNS).astype({"sent_id": int, "start": int, "end": int,
                                                           "words": int, "chars": int, "embedded_post": bool})
    if surnames:
        for r in rows:
            if r["_phrase"] and not r["_forced"]:
                _canonical_person(r, surnames)
    cache: dict = {}

    def rule_of(r, titled):
        key = (r["_phrase"], r["_context"], r["_person"], titled, r["outlet"])
        if key not in cache:
            cache[key] = _speaker_rule(rules, r["_phrase"], r["_context"], r["_person"], titled,
                                       _outlet_names(r["outlet"]))
        return cache[key]

    todo = [r for r in rows if not r["_forced"] and r["_phrase"]]
    for r in todo:
        r["_rule"] = rule_of(r, r["_titled"])
    # A person keeps the most specific type any mention of them earns in the article ("Al Jazeera's Dominic
    # Kane" makes a later "Kane said" a journalist), and a person named with a title anywhere in the corpus
    # is an official everywhere ("Foreign Minister Sergey Lavrov" makes "Lavrov" an official).
    def order(idx):
        return len(rules.rules) if idx is None else idx

    title_rules = {i for i, (_, fld, _) in enumerate(rules.rules) if fld == "title"}
    titled_anywhere = {r["speaker"] for r in todo if r["_person"] and r["_rule"] in title_rules}
    best: dict = {}
    for r in todo:
        if r["_person"]:
            idx = r["_rule"]
            if r["speaker"] in titled_anywhere:
                idx = min(idx, rule_of(r, True), key=order)
            key = (r["article_id"], r["speaker"])
            best[key] = min(best.get(key, idx), idx, key=order)
    for r in rows:
        if r["_forced"]:
            r["source_type"] = r["_forced"]
        elif not r["_phrase"]:
            r["source_type"] = "unknown" if r["_unresolved"] else "unattributed"
        else:
            idx = best[(r["article_id"], r["speaker"])] if r["_person"] else r["_rule"]
            channel = _channel_type(rules, r["_clause"])
            r["source_type"] = channel or ("other" if idx is None else rules.rules[idx][0])
    frame = pd.DataFrame(rows)
    frame = frame[QUOTE_COLUMNS].astype({"sent_id": int, "start": int, "end": int, "words": int, "chars": int,
                                         "embedded_post": bool})
    return frame.reset_index(drop=True)


def _verb_table(rows, lex: _VerbLexicon, arts: pd.DataFrame, words_per_article: dict) -> pd.DataFrame:
    words_per_outlet = pd.Series(words_per_article).groupby(arts.set_index("id")["outlet"]).sum()
    if not rows:
        return pd.DataFrame(columns=VERB_COLUMNS)
    df = pd.DataFrame(rows, columns=["article_id", "outlet", "verb", "form"])
    g = df.groupby(["outlet", "verb", "form"], sort=True)
    table = pd.DataFrame({"count": g.size(), "articles": g["article_id"].nunique()}).reset_index()
    table["per_10k_words"] = table["count"] / table["outlet"].map(words_per_outlet).clip(lower=1) * 10_000
    table["connotation"] = table["verb"].map({k: v["connotation"] for k, v in lex.info.items()})
    table["category"] = table["verb"].map({k: v["category"] for k, v in lex.info.items()})
    table["share"] = table["count"] / table.groupby("outlet")["count"].transform("sum")
    table = table.sort_values(["outlet", "count", "verb", "form"], ascending=[True, False, True, True])
    return table[VERB_COLUMNS].reset_index(drop=True)


def _source_table(quotes: pd.DataFrame) -> pd.DataFrame:
    if quotes.empty:
        return pd.DataFrame(columns=SOURCE_COLUMNS)
    q = quotes.assign(is_direct=quotes["kind"] == "direct", is_indirect=quotes["kind"] == "indirect",
                      who=quotes["speaker"].where(quotes["speaker"] != "", None))
    g = q.groupby(["outlet", "source_type"], sort=True)
    table = pd.DataFrame({"quotes": g.size(), "quoted_chars": g["chars"].sum(), "direct": g["is_direct"].sum(),
                          "indirect": g["is_indirect"].sum(), "speakers": g["who"].nunique()}).reset_index()
    total = table.groupby("outlet")["quoted_chars"].transform("sum")
    table["share_of_quoted"] = np.where(total > 0, table["quoted_chars"] / total.where(total > 0, 1), 0.0)
    table = table.sort_values(["outlet", "quoted_chars", "source_type"], ascending=[True, False, True])
    return table[SOURCE_COLUMNS].astype({"quotes": int, "quoted_chars": int, "direct": int, "indirect": int,
                                         "speakers": int}).reset_index(drop=True)


def _by_outlet_table(arts: pd.DataFrame, quotes: pd.DataFrame, words: dict, quoted: dict) -> pd.DataFrame:
    frame = pd.DataFrame({"outlet": arts["outlet"].to_numpy(), "words": arts["id"].map(words).to_numpy(),
                          "quoted_words": arts["id"].map(quoted).to_numpy()})
    g = frame.groupby("outlet", sort=True)
    table = pd.DataFrame({"articles": g.size(), "words": g["words"].sum(), "quoted_words": g["quoted_words"].sum()})
    if len(quotes):
        q = quotes
        qg = q.groupby("outlet")
        named = q[q["speaker"] != ""].groupby("outlet")["speaker"].nunique()
        table["n_quotes"] = qg.size()
        table["n_sources"] = named
        table["direct_quotes"] = q[q["kind"] == "direct"].groupby("outlet").size()
        table["indirect_quotes"] = q[q["kind"] == "indirect"].groupby("outlet").size()
        table["embedded_posts"] = q[q["embedded_post"]].groupby("outlet").size()
        table["unattributed_quotes"] = q[q["source_type"] == "unattributed"].groupby("outlet").size()
        anon = q[q["source_type"].str.startswith("anonymous")].groupby("outlet").size()
        table["anonymous_share"] = anon.reindex(table.index).fillna(0) / table["n_quotes"].where(
            table["n_quotes"] > 0)
    for col in ("n_quotes", "n_sources", "direct_quotes", "indirect_quotes", "embedded_posts",
                "unattributed_quotes"):
        table[col] = table[col].fillna(0).astype(int) if col in table else 0
    if "anonymous_share" not in table:
        table["anonymous_share"] = np.nan
    table["quoted_share"] = table["quoted_words"] / table["words"].where(table["words"] > 0)
    table = table.reset_index()
    return table[BY_OUTLET_COLUMNS]
