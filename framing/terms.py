"""Term choice: which words each outlet uses for the same things.

Four analyses, each returning a tidy DataFrame:

:func:`term_choice`
    Counts the variants of contested terms (Kiev / Kyiv, regime / government, "military bloc" / alliance)
    from an editable lexicon (:mod:`framing.lexicon`), per outlet, article or event.
:func:`discover_variants`
    Finds, without a lexicon, groups of surface forms that name the same thing but split by outlet,
    from transliteration-aware string similarity, shared contexts and complementary use.
:func:`distinctive_terms`
    Words and phrases that set each outlet (or any pair) apart: log-odds ratios with an informative
    Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"), z-scores and an optional
    permutation check. The numeric core is :func:`log_odds_dirichlet`.
:func:`substitutions`
    Inside sentence pairs aligned across outlets (same fact), the words one outlet uses where the other
    uses another ("Kiev" / "Kyiv", "claims" / "said"), counted per outlet pair; :func:`diff_spans` gives
    the character spans that differ in one pair, for side-by-side highlighting.
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache, partial
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import sparse

from . import text as _text
from .arrays import unique
from .errors import FramingError, FramingWarning
from .lexicon import compile_lexicon, load_lexicon
from .parallel import effective_n_jobs, parallel_map

__all__ = [
    "term_choice",
    "term_mentions",
    "discover_variants",
    "string_similarity",
    "distinctive_terms",
    "log_odds_dirichlet",
    "LogOdds",
    "substitutions",
    "diff_spans",
    "load_lexicon",
]

TERM_CHOICE_COLUMNS = ["concept", "variant", "outlet", "count", "per_10k_words", "share"]
VARIANT_COLUMNS = ["group", "variant", "outlet", "count", "score", "evidence"]
DISTINCTIVE_COLUMNS = ["outlet", "term", "count", "log_odds", "z"]
SUBSTITUTION_COLUMNS = ["outlet_a", "outlet_b", "word_a", "word_b", "count", "examples"]


# =========================================================================================== helpers

def _article_texts(articles: pd.DataFrame, include_titles: bool) -> list[str]:
    texts = articles["text"].tolist()
    if not all(type(t) is str for t in texts):  # only then pay for pandas' conversion (a copy of each text)
        texts = articles["text"].fillna("").astype(str).tolist()
    if include_titles and "title" in articles.columns:
        titles = articles["title"].tolist()
        texts = [f"{t}\n\n{x}" if isinstance(t, str) and t.strip() else x for t, x in zip(titles, texts)]
    return texts


def _check_corpus(corpus, what: str):
    if not hasattr(corpus, "articles") or not isinstance(corpus.articles, pd.DataFrame):
        raise FramingError(f"{what}: expected a Corpus from framing.load_corpus(); got {type(corpus).__name__}.")
    for col in ("id", "outlet", "text"):
        if col not in corpus.articles.columns:
            raise FramingError(f"{what}: the corpus has no {col!r} column; load it with framing.load_corpus().")


def _resolve_lexicon(lexicon) -> pd.DataFrame:
    if lexicon is None:
        return load_lexicon()
    if isinstance(lexicon, (str, Path)):
        return load_lexicon(lexicon)
    return lexicon


def _group_column(corpus, by: str, what: str) -> pd.Series:
    arts = corpus.articles
    if by not in arts.columns:
        cols = ", ".join(c for c in arts.columns if c not in ("text", "raw_text"))
        raise FramingError(f"{what}: by={by!r} is not a column of the corpus (columns: {cols}); pass "
                           "by='outlet' or the name of an article column.")
    return arts[by].fillna("unknown").astype(str)


# ======================================================================================= term choice

def term_choice(corpus, *, lexicon=None, by: str = "outlet", alignment=None,
                include_titles: bool = True, scheduler=None, n_jobs=None) -> pd.DataFrame:
    """Count the variants of contested terms per outlet, article or event.

    Parameters
    ----------
    corpus : Corpus or PartitionedCorpus
        A :class:`~framing.distributed.PartitionedCorpus` (a folder of ingested Parquet parts) is read
        one part at a time.
    lexicon : path or DataFrame, optional
        A lexicon file or a frame from :func:`framing.lexicon.load_lexicon`; default: the bundled
        ``framing/data/contested_terms.tsv``.
    by : {"outlet", "article", "event"}
        The unit counts are summed over. ``"event"`` needs ``alignment``.
    alignment : object, optional
        Anything with an ``article_events`` DataFrame (``article_id``, ``event_id``), such as the result
        of :func:`framing.align.align_events`. An article in several events counts in each.
    include_titles : bool, default True
        Count headlines too (word choice in a headline is framing too).
    scheduler : None, "local", "tcp://HOST:PORT" or distributed.Client, optional
        None runs in this process; "local" starts a Dask LocalCluster; "tcp://HOST:PORT" connects to a
        running Dask scheduler; or pass a ``distributed.Client``. Partitions are counted on the workers
        and the counts added here: the result is the same as without a scheduler.
    n_jobs : int, optional
        Processes for counting at least 2,000 articles in this process (scikit-learn convention: None or
        1 counts here, -1 uses every core); the result does not depend on it. Not used with a scheduler
        or a partitioned corpus.

    Returns
    -------
    pandas.DataFrame
        ``concept``, ``variant``, ``outlet``, ``count`` (mentions), ``per_10k_words`` (mentions per
        10,000 words of that outlet, article or event), ``share`` (of the concept's mentions in that
        outlet/article/event), then ``article_id`` or ``event_id`` when ``by`` asks for them, and
        ``words`` (the denominator). There is a row for every variant of every concept the unit mentions
        at all (zeros included, so shares sum to 1); concepts a unit never mentions have no rows. Rows are
        sorted by concept (lexicon order), then outlet, unit and variant (lexicon order).

    Notes
    -----
    Matching ignores case and possessives ("Kiev's" counts as Kiev) and treats hyphens and spaces alike;
    inflected forms are listed in the lexicon's patterns. A lexicon ``context`` restricts a variant to
    articles that mention one of its context words. Words are letter-initial tokens (a hyphenated
    compound counts one word per part).

    Examples
    --------
    >>> from framing import load_corpus
    >>> tc = term_choice(load_corpus())
    >>> tc[(tc["concept"] == "Kyiv") & (tc["count"] > 0)][["variant", "outlet", "count"]].values.tolist()
    [['Kyiv', 'Al Jazeera', 3], ['Kyiv', 'RFE/RL', 4], ['Kiev', 'RT', 7], ['Kyiv', 'unattributed', 2]]
    """
    partitioned = _is_partitioned(corpus)
    if not partitioned:
        _check_corpus(corpus, "term_choice")
    if by not in ("outlet", "article", "event"):
        raise FramingError(f"term_choice: by={by!r} is not supported; use 'outlet', 'article' or 'event'.")
    lex = _resolve_lexicon(lexicon)
    events = _article_events(alignment) if by == "event" else None
    if scheduler is None and not partitioned:
        matcher = compile_lexicon(lex)
        keys, counts, words = _term_choice_counts(corpus, matcher, by, events, include_titles, n_jobs)
    else:
        from .distributed import imap_partitions

        pieces = imap_partitions(_term_choice_partition, corpus, scheduler=scheduler, shared=events,
                                 args=(lex, by, include_titles))
        keys, counts, words = _merge_group_counts(list(pieces))
        matcher = compile_lexicon(lex)
    return _term_choice_table(matcher.variants, keys, counts, words, by)


def _is_partitioned(corpus) -> bool:
    from .distributed import is_partitioned

    return is_partitioned(corpus)


def _term_choice_counts(corpus, matcher, by: str, events, include_titles: bool, n_jobs=None):
    """Mentions per unit: the unit keys (``outlet`` [, ``article_id`` | ``event_id``]), a sparse units x
    variants count matrix and the words of each unit. Counts of disjoint article sets add up."""
    arts = corpus.articles
    counts, n_words = _count_variants(matcher, _article_texts(arts, include_titles), n_jobs)
    outlets = arts["outlet"].fillna("unknown").astype(str).to_numpy()
    ids = arts["id"].astype(str).to_numpy()
    if by == "outlet":
        keys = pd.DataFrame({"outlet": outlets})
        rows_of_doc = np.arange(len(arts))
    elif by == "article":
        keys = pd.DataFrame({"outlet": outlets, "article_id": ids})
        rows_of_doc = np.arange(len(arts))
    else:
        pos = pd.Series(np.arange(len(arts)), index=ids)
        events = events[events["article_id"].isin(pos.index)]
        rows_of_doc = pos.loc[events["article_id"]].to_numpy()
        keys = pd.DataFrame({"outlet": outlets[rows_of_doc], "event_id": events["event_id"].to_numpy()})
    key_cols = list(keys.columns)
    codes, uniques = pd.MultiIndex.from_frame(keys).factorize() if len(keys) else (np.array([], int), None)
    n_groups = len(uniques) if uniques is not None else 0
    indicator = sparse.csr_matrix((np.ones(len(codes)), (codes, rows_of_doc)), shape=(n_groups, len(arts)))
    unit = pd.DataFrame(list(uniques), columns=key_cols) if n_groups else pd.DataFrame(columns=key_cols)
    return unit, (indicator @ counts).tocsr(), indicator @ n_words.astype(float)


def _term_choice_partition(part, events, lex, by, include_titles):
    return _term_choice_counts(part, compile_lexicon(lex), by, events, include_titles)


def _merge_group_counts(pieces):
    """Add up the per-partition results of :func:`_term_choice_counts` by unit key."""
    keys = pd.concat([p[0] for p in pieces], ignore_index=True)
    key_cols = list(pieces[0][0].columns)
    counts = sparse.vstack([p[1] for p in pieces]).tocsr()
    words = np.concatenate([p[2] for p in pieces])
    if not len(keys):
        return pd.DataFrame(columns=key_cols), counts[:0], words[:0]
    codes, uniques = pd.MultiIndex.from_frame(keys).factorize()
    indicator = sparse.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                                  shape=(len(uniques), len(codes)))
    return pd.DataFrame(list(uniques), columns=key_cols), (indicator @ counts).tocsr(), indicator @ words


def _term_choice_table(variants, unit: pd.DataFrame, counts, group_words, by: str) -> pd.DataFrame:
    key_cols = list(unit.columns)
    n_groups = len(unit)
    group_counts = np.asarray(counts.todense()) if n_groups else np.zeros((0, len(variants)))
    concept_codes, concept_names = pd.factorize(variants["concept"], sort=False)
    concept_of = sparse.csr_matrix((np.ones(len(variants)), (np.arange(len(variants)), concept_codes)),
                                   shape=(len(variants), len(concept_names)))
    concept_totals = np.asarray(group_counts @ concept_of)  # groups x concepts
    per_variant_total = concept_totals[:, concept_codes]     # groups x variants
    g_idx, v_idx = np.nonzero(per_variant_total > 0)
    out = pd.DataFrame({
        "concept": variants["concept"].to_numpy()[v_idx],
        "variant": variants["variant"].to_numpy()[v_idx],
        "outlet": unit["outlet"].to_numpy()[g_idx] if n_groups else np.array([], object),
        "count": group_counts[g_idx, v_idx].astype(np.int64),
    })
    words = np.asarray(group_words)[g_idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["per_10k_words"] = np.where(words > 0, out["count"] / np.maximum(words, 1) * 1e4, 0.0)
    out["share"] = out["count"] / per_variant_total[g_idx, v_idx]
    extra = [c for c in key_cols if c != "outlet"]
    for c in extra:
        out[c] = unit[c].to_numpy()[g_idx]
    out["words"] = words.astype(np.int64)
    out["_c"], out["_v"] = concept_codes[v_idx], v_idx
    # Events are compared across outlets, so they sort before outlets; articles sort within their outlet.
    keys = ["_c", "event_id", "outlet", "_v"] if by == "event" else ["_c", "outlet", *extra, "_v"]
    out = out.sort_values(keys, kind="stable").drop(columns=["_c", "_v"])
    return out.reset_index(drop=True)


def _count_variants(matcher, texts: list[str], n_jobs=None) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Mentions per (text, variant) as a sparse matrix, and the word count of each text."""
    jobs = effective_n_jobs(n_jobs)
    # One chunk when counting here (the scan batches its work itself); two per process otherwise, which
    # evens out the load without copying the texts to the workers many times where they are not forked.
    chunk = max(len(texts), 1) if jobs <= 1 else max(500, -(-len(texts) // (2 * jobs)))
    per_text = parallel_map(_count_variants_chunk, range(len(texts)), n_jobs=jobs, shared=(matcher, texts),
                            chunk_size=chunk, min_items=500)      # forked workers win from a few hundred
    n_words = np.fromiter((n for _, n in per_text), dtype=np.int64, count=len(per_text))
    doc_idx = [i for i, (hits, _) in enumerate(per_text) for _ in hits]
    var_idx = [v for hits, _ in per_text for v in hits]
    counts = sparse.csr_matrix((np.ones(len(doc_idx)), (doc_idx, var_idx)),
                               shape=(len(texts), len(matcher.variants)))
    counts.sum_duplicates()
    return counts, n_words


def _count_variants_chunk(shared, index: range) -> list[tuple[list[int], int]]:
    """(mentions in context, words) of the texts ``index`` (a range) of ``shared = (matcher, texts)``."""
    matcher, texts = shared
    check_context = matcher.has_contexts
    out = []
    for _, lows, found, n_words in matcher.scan_batches(texts[index.start:index.stop]):
        for low, hits, n in zip(lows, found, n_words.tolist()):
            out.append((matcher.in_context(low, hits) if hits and check_context else hits, n))
    return out


def _article_events(alignment) -> pd.DataFrame:
    frame = getattr(alignment, "article_events", None)
    if alignment is None or frame is None:
        raise FramingError("term_choice: by='event' needs alignment= (the result of framing.align.align_events, "
                           "or any object with an article_events DataFrame of article_id and event_id).")
    if not isinstance(frame, pd.DataFrame) or not {"article_id", "event_id"} <= set(frame.columns):
        raise FramingError("term_choice: alignment.article_events must be a DataFrame with the columns "
                           "article_id and event_id.")
    return frame[["article_id", "event_id"]].dropna().astype({"article_id": str})


def term_mentions(corpus, *, lexicon=None, include_titles: bool = True) -> pd.DataFrame:
    """Every mention of a lexicon variant, with its position (for concordances and highlighting).

    Returns
    -------
    pandas.DataFrame
        ``article_id``, ``outlet``, ``concept``, ``variant``, ``start``, ``end`` (character offsets
        into the article's ``text``; -1 for a mention in the title), ``text`` (the matched words) and
        ``in_title``.

    Examples
    --------
    >>> from framing import load_corpus
    >>> m = term_mentions(load_corpus())
    >>> m.loc[m["variant"] == "regime", ["outlet", "text"]].values.tolist()
    [['RT', 'regime']]
    """
    _check_corpus(corpus, "term_mentions")
    matcher = compile_lexicon(_resolve_lexicon(lexicon))
    names = matcher.variants
    rows = []
    arts = corpus.articles
    titles = arts["title"].tolist() if include_titles and "title" in arts.columns else [None] * len(arts)
    for aid, outlet, title, body in zip(arts["id"], arts["outlet"], titles, arts["text"].fillna("")):
        for in_title, source in ((True, title), (False, body)):
            if not isinstance(source, str) or not source:
                continue
            low = source.lower()
            ok = matcher.context_ok(f"{title or ''}\n\n{body}".lower()) if matcher.has_contexts else None
            for start, end, v in matcher.finditer(low):
                if ok is not None and not ok[v]:
                    continue
                rows.append((aid, outlet, names.at[v, "concept"], names.at[v, "variant"],
                             -1 if in_title else start, -1 if in_title else end, source[start:end], in_title))
    return pd.DataFrame(rows, columns=["article_id", "outlet", "concept", "variant", "start", "end", "text",
                                       "in_title"])


# ===================================================================================== tokenisation

# Tokens for counting and discovery: dotted abbreviations (U.S.), letter-initial words with inner
# hyphens and apostrophes, numbers, @handles and #hashtags, punctuation. Everything that does not start
# with a letter becomes a boundary, so that phrases and contexts never run across punctuation or numbers;
# possessive endings are dropped per vocabulary entry (Kiev's -> Kiev), not per token.
_TOKEN_RE = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_][\w'’‘ʼ‐‑-]*|\d[\w.,:]*|[@#]\w+|[.,;:!?()\[\]{}\"“”«»—–…/|]")
_APOS = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "‐": "-", "‑": "-"})
_POSSESSIVE_END_RE = re.compile(r"'[sS]$")
BOUNDARY = 0


def _clean_surface(raw: str) -> str:
    """The word a raw token stands for ('' for a boundary): no possessive, no dangling hyphen or quote."""
    if not raw[:1].isalpha() or (len(raw) > 1 and raw[1] == "." and not raw.endswith(".")):
        return ""
    form = raw.translate(_APOS)
    if form[-1] != ".":
        form = _POSSESSIVE_END_RE.sub("", form.rstrip("'-")).rstrip("'-")
    return form


@dataclass
class _Tokens:
    """A corpus as one array of lower-case token ids (0 = boundary, also between documents)."""

    vocab: list[str]              # lower-case forms; vocab[0] == "" (boundary)
    flat: np.ndarray              # int32 token ids, documents separated by a boundary
    doc_of: np.ndarray            # int32 document index of each position
    counts: np.ndarray            # corpus count of each lower-case form
    surface_best: list[str]       # most frequent surface form of each lower-case form
    capital_share: np.ndarray     # share of occurrences written with an initial capital
    n_docs: int


_TOKEN_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _tokens(corpus, include_titles: bool) -> _Tokens:
    """Tokenise a corpus once (cached per corpus object and option)."""
    arts = corpus.articles
    stamp = (id(arts), len(arts), include_titles)
    try:
        cached = _TOKEN_CACHE.get(corpus)
    except TypeError:
        cached = None
    if cached is not None and cached[0] == stamp:
        return cached[1]
    result = _tokenize_texts(_article_texts(arts, include_titles))
    try:
        _TOKEN_CACHE[corpus] = (stamp, result)
    except TypeError:
        pass
    return result


def _tokenize_texts(texts: list[str]) -> _Tokens:
    # Raw token strings get ids through a defaultdict whose default is its own length: the id lookup
    # runs in C (map), which makes this about twice as fast as a Python loop over 36 million tokens.
    raw_index: defaultdict = defaultdict()
    raw_index.default_factory = raw_index.__len__
    raw_index[""] = BOUNDARY
    lookup = raw_index.__getitem__
    findall = _TOKEN_RE.findall
    pieces = []
    for t in texts:
        ids = np.array(list(map(lookup, findall(t))) + [BOUNDARY], dtype=np.int32)
        pieces.append(ids)
    lengths = np.fromiter((len(p) for p in pieces), dtype=np.int64, count=len(pieces))
    flat_raw = np.concatenate(pieces) if pieces else np.zeros(0, np.int32)
    del pieces
    doc_of = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
    # Raw tokens -> cleaned surface forms (Kiev's -> Kiev) -> lower-case vocabulary.
    surface_index: dict[str, int] = {"": BOUNDARY}
    raw_to_surface = np.fromiter((surface_index.setdefault(_clean_surface(r) if r else "", len(surface_index))
                                  for r in raw_index), dtype=np.int32, count=len(raw_index))
    flat_surface = raw_to_surface[flat_raw]
    del flat_raw
    surface_forms = list(surface_index)
    lower_index: dict[str, int] = {"": BOUNDARY}
    to_lower = np.zeros(len(surface_forms), dtype=np.int32)
    for sid, form in enumerate(surface_forms):
        if sid:
            to_lower[sid] = lower_index.setdefault(form.lower(), len(lower_index))
    surface_counts = np.bincount(flat_surface, minlength=len(surface_forms))
    vocab = list(lower_index)
    flat = to_lower[flat_surface]
    counts = np.bincount(flat, minlength=len(vocab))
    counts[BOUNDARY] = 0
    order = np.lexsort((-surface_counts, to_lower))  # by lower id, most frequent surface form first
    best = np.full(len(vocab), -1, dtype=np.int64)
    first = np.r_[True, to_lower[order][1:] != to_lower[order][:-1]]
    best[to_lower[order][first]] = order[first]
    surface_best = [surface_forms[s] if s >= 0 else "" for s in best]
    capital = np.fromiter((f[:1].isupper() for f in surface_forms), dtype=bool, count=len(surface_forms))
    cap_counts = np.bincount(to_lower, weights=surface_counts * capital, minlength=len(vocab))
    with np.errstate(divide="ignore", invalid="ignore"):
        capital_share = np.where(counts > 0, cap_counts / np.maximum(counts, 1), 0.0)
    return _Tokens(vocab, flat, doc_of, counts, surface_best, capital_share, len(texts))


# ============================================================================ string similarity

_VOWELS = frozenset("aeiouy")
# Names: substitutions that transliteration systems make (Київ -> Kyiv / Kiev, Луганск -> Lugansk /
# Luhansk, Каддафи -> Gaddafi / Qaddafi) are cheap, any vowel for any vowel is moderate.
_NAME_SUB = {frozenset(p): 0.2 for p in ("iy", "gh", "kq", "kc", "cq", "sz", "vw", "jy", "ji", "ie")}
_NAME_SUB.update({frozenset(p): 0.3 for p in ("fv", "cs", "ck", "xk", "ou")})
_NAME_SUB.update({frozenset(p): 0.4 for p in ("gk", "gq", "dt", "bp", "mn")})
# Common words: only the substitutions of spelling conventions (organise / organize, defence / defense,
# sceptic / skeptic) are cheap; a changed vowel makes another word (decade / decide).
_WORD_SUB = {frozenset(p): 0.2 for p in ("sz",)}
_WORD_SUB.update({frozenset(p): 0.3 for p in ("cs", "ck")})
_NAME_VOWEL_SUB = 0.4
_DOUBLE_INDEL = 0.3    # Donbass / Donbas, Zelenskyy / Zelensky, travelled / traveled
_SOFT_INDEL = 0.5      # a vowel, y or (in names) h: Zelenskiy / Zelensky, Kadhafi / Kaddafi, colour / color
_WORD_VOWEL_INDEL = 0.7  # common words: colour / color, judgement / judgment (not contained / continued)
_PUNCT_INDEL = 0.1     # a hyphen or apostrophe: build-up / buildup
# Common words need more likeness than names: one changed letter in a six-letter word (decade / decide)
# is another word, while spelling conventions stay above it (organise / organize 0.97).
_WORD_MIN_SIMILARITY = 0.85


def _fold(word: str) -> str:
    """Lower-case and strip accents (é -> e), keeping hyphens and apostrophes."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_APOS)


def _sub_table(names: bool) -> dict:
    """Substitution costs as nested dicts (faster than computing them in the inner loop)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    cheap = _NAME_SUB if names else _WORD_SUB
    table = {}
    for x in letters:
        row = table[x] = {}
        for y in letters:
            if x == y:
                row[y] = 0.0
            elif frozenset((x, y)) in cheap:
                row[y] = cheap[frozenset((x, y))]
            elif names and x in _VOWELS and y in _VOWELS:
                row[y] = _NAME_VOWEL_SUB
    return table


_SUB_TABLES = {True: _sub_table(True), False: _sub_table(False)}
_NO_ROW: dict = {}


def _sub_cost(a: str, b: str, names: bool) -> float:
    cost = _SUB_TABLES[names].get(a, _NO_ROW).get(b)
    if cost is not None:
        return cost
    return 0.0 if a == b else 1.0


def _indel_cost(word: str, i: int, names: bool) -> float:
    ch = word[i]
    if i == 0 and ch.isalpha():
        return 1.0  # a different first letter makes another word (amassing / massing)
    if (i > 0 and word[i - 1] == ch) or (i + 1 < len(word) and word[i + 1] == ch):
        return _DOUBLE_INDEL
    if ch in "-'":
        return _PUNCT_INDEL
    if ch in _VOWELS or (names and ch == "h"):
        return _SOFT_INDEL if names else _WORD_VOWEL_INDEL
    return 1.0


@lru_cache(maxsize=200_000)
def _align_words(a: str, b: str, names: bool) -> tuple[float, tuple[tuple[int, int, int, int], ...]]:
    """Weighted edit distance between two folded words and the edited segments.

    Returns the cost and a tuple of ``(a_start, a_end, b_start, b_end)`` segments that differ.
    """
    n, m = len(a), len(b)
    del_a = [_indel_cost(a, i, names) for i in range(n)]
    ins_b = [_indel_cost(b, j, names) for j in range(m)]
    cost = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        cost[i][0] = cost[i - 1][0] + del_a[i - 1]
    for j in range(1, m + 1):
        cost[0][j] = cost[0][j - 1] + ins_b[j - 1]
    subs = [[_sub_cost(x, y, names) for y in b] for x in a]
    for i in range(1, n + 1):
        row, prev, sub, d = cost[i], cost[i - 1], subs[i - 1], del_a[i - 1]
        for j in range(1, m + 1):
            best = prev[j - 1] + sub[j - 1]
            if prev[j] + d < best:
                best = prev[j] + d
            if row[j - 1] + ins_b[j - 1] < best:
                best = row[j - 1] + ins_b[j - 1]
            row[j] = best
    # Backtrace: collect the aligned positions that are not identical matches.
    i, j, ops = n, m, []
    while i > 0 or j > 0:
        if i > 0 and j > 0 and math.isclose(cost[i][j], cost[i - 1][j - 1] + _sub_cost(a[i - 1], b[j - 1], names)):
            if a[i - 1] != b[j - 1]:
                ops.append((i - 1, i, j - 1, j))
            i, j = i - 1, j - 1
        elif i > 0 and math.isclose(cost[i][j], cost[i - 1][j] + del_a[i - 1]):
            ops.append((i - 1, i, j, j))
            i -= 1
        else:
            ops.append((i, i, j - 1, j))
            j -= 1
    ops.reverse()
    segments: list[list[int]] = []
    for a0, a1, b0, b1 in ops:
        if segments and segments[-1][1] == a0 and segments[-1][3] == b0:
            segments[-1][1], segments[-1][3] = a1, b1
        else:
            segments.append([a0, a1, b0, b1])
    return float(cost[n][m]), tuple(tuple(s) for s in segments)


def string_similarity(a: str, b: str, *, names: bool | None = None) -> float:
    """Transliteration-aware similarity of two words, in [0, 1].

    One minus a weighted edit distance divided by the longer length; case and accents are ignored.
    For names (``names=True``; by default when either word is capitalised) the edits that
    transliteration systems make are cheap: i/y, i/e, g/h, k/q/c, s/z and v/w substitutions (0.2), f/v,
    c/s, o/u (0.3), g/k, d/t, b/p, m/n (0.4), any vowel for another (0.4), a doubled letter (ss/s, yy/y:
    0.3), an inserted vowel or h (iy/y, dh/d: 0.5). For common words only spelling conventions are cheap
    (s/z 0.2, c/s and c/k 0.3, doubled letters 0.3, an inserted vowel 0.5: organise / organize,
    defence / defense, travelled / traveled, colour / color), so that decade / decide stay apart. A hyphen
    or apostrophe costs 0.1; any other edit costs 1.

    Examples
    --------
    >>> round(string_similarity("Kiev", "Kyiv"), 2), round(string_similarity("Zelensky", "Zelenskyy"), 2)
    (0.9, 0.97)
    >>> round(string_similarity("Gaddafi", "Qaddafi"), 2), round(string_similarity("decade", "decide"), 2)
    (0.94, 0.83)
    """
    fa, fb = _fold(a), _fold(b)
    if not fa or not fb:
        return 0.0
    if names is None:
        names = a[:1].isupper() or b[:1].isupper()
    dist, _ = _align_words(fa, fb, bool(names))
    return max(0.0, 1.0 - dist / max(len(fa), len(fb)))


def _edit_description(a: str, b: str, names: bool) -> str:
    """Short description of how two spellings differ: 'i/y, e/i', '-y/-iy', 'ss/s'."""
    fa, fb = _fold(a), _fold(b)
    _, segments = _align_words(fa, fb, names)
    parts = []
    for a0, a1, b0, b1 in segments[:3]:
        inserted = fa[a0:a1] + fb[b0:b1]
        if (a0 == a1 or b0 == b1) and inserted.strip("-'") == "" and a0 > 0 and b0 > 0 \
                and a1 < len(fa) and b1 < len(fb):
            a0, b0, a1, b1 = a0 - 1, b0 - 1, a1 + 1, b1 + 1  # a hyphen: show both neighbours (e-e/ee)
        elif a0 == a1 or b0 == b1:  # pure insertion or deletion: show a neighbouring letter for context
            if a1 < len(fa) and b1 < len(fb):
                a1, b1 = a1 + 1, b1 + 1
            elif a0 > 0 and b0 > 0:
                a0, b0 = a0 - 1, b0 - 1
        sa, sb = fa[a0:a1], fb[b0:b1]
        if a1 == len(fa) and b1 == len(fb) and a0 > 0 and b0 > 0:
            sa, sb = "-" + sa, "-" + sb
        parts.append(f"{sa}/{sb}")
    return ", ".join(parts)


_DIGRAPHS = (("kh", "k"), ("zh", "z"), ("sh", "s"), ("ch", "c"), ("ph", "f"), ("th", "t"), ("dh", "d"),
             ("gh", "g"), ("ts", "c"), ("ck", "k"), ("x", "ks"))
_CLASS = str.maketrans({"c": "k", "q": "k", "g": "k", "h": "k", "z": "s", "v": "f", "w": "f", "d": "t",
                        "b": "p", "m": "n"})


def _skeleton(word: str) -> str:
    """A blocking key that transliteration variants share: consonant classes, no vowels, no doubles."""
    w = _fold(word)
    for a, b in _DIGRAPHS:
        w = w.replace(a, b)
    w = w.translate(_CLASS)
    out = []
    for ch in w:
        if not ch.isalpha() or ch in "aeiouyj":
            continue
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


_INFLECTIONS = ("s", "es", "ed", "d", "ing", "er", "ers", "est", "ly", "n", "an", "ian", "ians", "ans", "ese",
                "ist", "ists", "ism", "ity", "ion", "ions", "al", "ic", "ical", "ment", "ments", "ness")


def _is_inflection(a: str, b: str, stem, names: bool = False) -> bool:
    """Whether two words are forms of one word (rebel / rebels, Russia / Russian), not variants."""
    short, long_ = sorted((a, b), key=len)
    if long_.startswith(short):
        suffix = long_[len(short):]
        if suffix in _INFLECTIONS and not (suffix == "s" and short.endswith("s")):
            return True
        if not names and suffix in ("y", "ry", "ly"):  # deliver / delivery; but Zelensky / Zelenskyy
            return True
        if short.endswith("e") and long_[len(short) - 1:] in ("ed", "es", "er", "ers"):
            return True
    if short.endswith("e") and long_.startswith(short[:-1]) and long_[len(short) - 1:] in _INFLECTIONS:
        return True
    if stem is not None:
        return stem(a) == stem(b)
    return False


def _stemmer(language: str | None):
    if not language:
        return None
    try:
        from nltk.stem.snowball import SnowballStemmer

        return lru_cache(maxsize=None)(SnowballStemmer(language).stem)
    except (ImportError, ValueError):
        raise FramingError(f"discover_variants: language={language!r} has no Snowball stemmer; pass one of "
                           "english, german, french, spanish, russian ... or language=None.") from None


# ============================================================================= variant discovery

def discover_variants(corpus, *, min_count: int = 2, top: int = 50, by: str = "outlet",
                      min_similarity: float = 0.8, min_score: float = 0.15, window: int = 3,
                      distributional: bool = True, max_vocab: int = 50_000, language: str | None = "english",
                      include_titles: bool = True, stop_words=None) -> pd.DataFrame:
    """Find groups of spellings or names for the same thing that split by outlet, without a lexicon.

    Three kinds of evidence are combined for each candidate pair of words:

    * **string similarity** (:func:`string_similarity`): a weighted edit distance in which the edits
      of transliteration and spelling conventions (i/y, -iy/-yy/-y, ss/s, g/h, k/q, dh/d, s/z) are cheap;
    * **shared contexts**: the cosine of the two words' context vectors (positive pointwise mutual
      information of the words within ``window`` tokens), i.e. whether they are used in the same places;
    * **complementarity**: Goodman and Kruskal's lambda for predicting the form from the outlet, on
      counts smoothed with 0.5 per cell, so that 1 means every outlet uses one form only, 0 means that
      knowing the outlet does not help (a typo, or a word all outlets use alike), and a few mentions give
      less than the same split over many mentions.

    Candidates come from words that share a consonant skeleton (after mapping transliteration classes),
    and, with ``distributional=True``, from outlet-specific words whose contexts are alike even though
    they are spelled differently (Bombay / Mumbai). Forms of one word (rebel / rebels, Russia / Russian)
    are excluded, and a name is never paired with a common word (Kiev / chief). The score of a pair is

        complementarity * support * similarity

    where support = n / (n + 2) for the n mentions of both forms (few mentions are weak evidence), and
    similarity is the string similarity, discounted when the contexts show two different things once the
    rarer form has enough mentions to judge (Nesbitt / Nisbett, two people, share no contexts while
    Gaddafi / Qaddafi do): ``s * (1 - r + r * min(1, contexts / 0.1))`` with ``r = m / (m + 10)`` for
    the m mentions of the rarer form; pairs found by contexts alone have similarity ``0.8 * contexts``.
    Pairs scoring at least ``min_score`` are joined into groups (strongest links first, at most six
    forms); a group is scored the same way, with its complementarity and support over all its forms and
    the mean similarity of its pairs.

    Parameters
    ----------
    corpus : Corpus
    min_count : int, default 2
        Minimum number of mentions of a group (all its forms together); a single form may be rarer.
    top : int, default 50
        Number of groups returned, best first.
    by : str, default "outlet"
        The article column whose values should split the forms (e.g. "bias").
    min_similarity : float, default 0.8
        Minimum string similarity of a pair found by spelling.
    min_score : float, default 0.15
        Minimum pair score to join two forms.
    window : int, default 3
        Context window (tokens on each side) for shared contexts.
    distributional : bool, default True
        Also propose pairs that are not spelled alike but share contexts and split by outlet.
    max_vocab : int, default 50000
        Only the most frequent words are considered (bounds time and memory on large corpora).
    language : str or None, default "english"
        Language of the Snowball stemmer used to exclude inflected forms; None to skip it.
    include_titles : bool, default True
    stop_words : collection of str, optional
        Words never proposed; default :data:`framing.text.STOP_WORDS`.

    Returns
    -------
    pandas.DataFrame
        One row per group, form and outlet that uses any form of the group: ``group`` (the forms joined
        by "~", most frequent first), ``variant`` (the form, as most often written), ``outlet``,
        ``count``, ``score`` (of the group, 0-1), ``evidence`` (e.g. "string sim 0.85 (i/y, e/i); shared
        contexts 0.27; complementary 0.78"), then ``rank`` (1 = best group), ``share`` (of the group's
        mentions in that outlet), ``string_similarity``, ``shared_contexts`` and ``complementarity``.
        Sorted by rank, form (most frequent first) and outlet. Empty, with a :class:`FramingWarning`,
        when the corpus has fewer than two outlets.

    Examples
    --------
    >>> from framing import load_corpus
    >>> v = discover_variants(load_corpus())
    >>> v.drop_duplicates("group")["group"].head(2).tolist()
    ['Zelenskiy~Zelensky~Zelenskyy', 'Kyiv~Kiev']
    """
    _check_corpus(corpus, "discover_variants")
    groups_of_doc = _group_column(corpus, by, "discover_variants")
    extra_cols = ["rank", "share", "string_similarity", "shared_contexts", "complementarity"]
    empty = pd.DataFrame(columns=VARIANT_COLUMNS + extra_cols)
    if groups_of_doc.nunique() < 2:
        warnings.warn(f"discover_variants: the corpus has fewer than two values of {by!r}, so no spelling can "
                      "split by it; returning an empty table.", FramingWarning, stacklevel=2)
        return empty
    stop = _text.STOP_WORDS if stop_words is None else frozenset(stop_words)
    tok = _tokens(corpus, include_titles)
    out_codes, out_names = pd.factorize(groups_of_doc, sort=True)
    pos_outlet = out_codes[tok.doc_of]
    stem = _stemmer(language)

    # Eligible words: real words (letters, 3+ characters, not stop words), the most frequent max_vocab.
    vocab = tok.vocab
    eligible = np.array([len(w) >= 3 and w[0].isalpha() and not any(c.isdigit() for c in w) and w not in stop
                         for w in vocab], dtype=bool)
    eligible &= tok.counts > 0
    cand_ids = np.flatnonzero(eligible)
    if len(cand_ids) > max_vocab:
        cand_ids = cand_ids[np.argsort(-tok.counts[cand_ids], kind="stable")[:max_vocab]]
        cand_ids.sort()

    # Counts of candidate words per outlet (sparse: outlets x vocab).
    mask = np.zeros(len(vocab), dtype=bool)
    mask[cand_ids] = True
    sel = mask[tok.flat]
    by_outlet = sparse.csr_matrix((np.ones(int(sel.sum())), (tok.flat[sel], pos_outlet[sel])),
                                  shape=(len(vocab), len(out_names)))
    by_outlet.sum_duplicates()

    is_name = tok.capital_share >= 0.5
    reader = _OutletCounts(by_outlet)
    pairs = _string_candidates(vocab, cand_ids, tok.counts, is_name, min_count, min_similarity, stem)
    if distributional:
        pairs |= _context_candidates(tok, cand_ids, by_outlet, is_name, min_count, window, stem)
    if not pairs:
        return empty
    pair_list = sorted(pairs)
    involved = np.array(sorted({w for p in pair_list for w in p}), dtype=np.int64)
    vectors, cooc = _context_vectors(tok, involved, window, raw=True)
    cooc = cooc.tocsr()
    row_of = np.full(len(vocab), -1, dtype=np.int64)
    row_of[involved] = np.arange(len(involved))
    pu = np.array([p[0] for p in pair_list])
    pv = np.array([p[1] for p in pair_list])
    cosines = np.asarray(vectors[row_of[pu]].multiply(vectors[row_of[pv]]).sum(axis=1)).ravel()

    def collocated(x: int, y: int) -> bool:
        return cooc[row_of[x], y] > 0.1 * min(tok.counts[x], tok.counts[y])

    scored, spelled_pairs = {}, set()
    for (u, v), d in zip(pair_list, cosines):
        names = bool(is_name[u] or is_name[v])
        s = string_similarity(vocab[u], vocab[v], names=names)
        spelled = s >= _threshold(min_similarity, names)
        table = reader.table([u, v])
        c = _complementarity(table)
        sim = _pair_similarity(s, float(d), int(min(tok.counts[u], tok.counts[v])), spelled)
        score = c * _support(table.sum()) * sim
        if score >= min_score:
            scored[(u, v)] = (score, s, float(d), c, sim)
            if spelled:
                spelled_pairs.add((u, v))
    if not scored:
        return empty

    groups = _group_pairs(scored, spelled_pairs, collocated)
    rows, group_rows = [], []
    for members in groups:
        members = sorted(members, key=lambda w: (-tok.counts[w], vocab[w]))
        edges = [(p, scored[p]) for p in scored if p[0] in members and p[1] in members]
        table = reader.table(members)  # forms x outlets that use them
        c = _complementarity(table)
        sim = float(np.mean([e[4] for _, e in edges]))
        s_mean = float(np.mean([e[1] for _, e in edges]))
        d_mean = float(np.mean([e[2] for _, e in edges]))
        total = int(table.sum())
        if total < min_count:
            continue
        group_score = c * _support(total) * sim
        label = "~".join(tok.surface_best[w] for w in members)
        # Describe the spelling differences against the most frequent form.
        edits = []
        for w in members[1:]:
            names = bool(is_name[members[0]] or is_name[w])
            if string_similarity(vocab[members[0]], vocab[w], names=names) >= _threshold(min_similarity, names):
                desc = _edit_description(vocab[members[0]], vocab[w], names)
                if desc and desc not in edits:
                    edits.append(desc)
        evidence = (f"string sim {s_mean:.2f}" + (f" ({'; '.join(edits)})" if edits else "")
                    + f"; shared contexts {d_mean:.2f}; complementary {c:.2f}")
        group_rows.append((group_score, label, members, table, evidence, s_mean, d_mean, c))
    group_rows.sort(key=lambda g: (-g[0], g[1]))
    for rank, (score, label, members, table, evidence, s_mean, d_mean, c) in enumerate(group_rows[:top], 1):
        outlets_used = reader.columns(members)
        outlet_totals = table.sum(axis=0)
        for k, w in enumerate(members):
            for o, name_code in enumerate(outlets_used):
                rows.append((label, tok.surface_best[w], out_names[name_code], int(table[k, o]), score, evidence,
                             rank, table[k, o] / outlet_totals[o], s_mean, d_mean, c))
    out = pd.DataFrame(rows, columns=VARIANT_COLUMNS + extra_cols)
    return out.reset_index(drop=True)


# Pairs found by shared contexts alone are less certain than pairs that are also spelled alike.
_CONTEXT_ONLY_WEIGHT = 0.8


def _threshold(min_similarity: float, names: bool) -> float:
    return min_similarity if names else max(min_similarity, _WORD_MIN_SIMILARITY)


def _pair_similarity(s: float, d: float, fewest: int, spelled: bool) -> float:
    """How alike two forms are, from string similarity ``s`` and shared contexts ``d``.

    For pairs spelled alike, the string similarity is discounted when the contexts, once there are
    enough mentions to judge them (``fewest`` mentions of the rarer form), show two different things:
    Nesbitt / Nisbett, two people, share no contexts, while Gaddafi / Qaddafi do. Pairs found by
    contexts alone count 0.8 times their shared contexts.
    """
    if not spelled:
        return _CONTEXT_ONLY_WEIGHT * d
    reliability = fewest / (fewest + 10.0)
    return s * (1.0 - reliability + reliability * min(1.0, d / 0.1))


class _OutletCounts:
    """Fast access to the per-outlet counts of a few words (rows of a CSR word x outlet matrix)."""

    def __init__(self, matrix: sparse.csr_matrix):
        self.indptr, self.indices, self.data = matrix.indptr, matrix.indices, matrix.data

    def columns(self, words) -> np.ndarray:
        parts = [self.indices[self.indptr[w]:self.indptr[w + 1]] for w in words]
        return unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)

    def table(self, words) -> np.ndarray:
        """Counts, forms x the outlets that use any of them (sorted by outlet code)."""
        cols = self.columns(words)
        out = np.zeros((len(words), len(cols)))
        for k, w in enumerate(words):
            lo, hi = self.indptr[w], self.indptr[w + 1]
            out[k, np.searchsorted(cols, self.indices[lo:hi])] = self.data[lo:hi]
        return out


def _string_candidates(vocab, cand_ids, counts, is_name, min_count, min_similarity, stem) -> set:
    """Pairs of words in the same block (first-letter class + consonant skeleton) that are spelled alike."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for w in cand_ids:
        word = vocab[w]
        key = _skeleton(word)
        if len(key) >= 2:
            first = _fold(word)[:1].translate(_CLASS)
            blocks[("v" if first in _VOWELS else first) + key].append(int(w))
    pairs = set()
    for members in blocks.values():
        if len(members) < 2:
            continue
        if len(members) > 200:  # a very common skeleton: keep its most frequent words
            members = sorted(members, key=lambda w: -counts[w])[:200]
        for i, u in enumerate(members):
            wu = vocab[u]
            for v in members[i + 1:]:
                wv = vocab[v]
                if abs(len(wu) - len(wv)) > 3 or counts[u] + counts[v] < min_count:
                    continue
                if is_name[u] != is_name[v]:
                    continue  # a name and a common word ("Kiev", "chief") are not variants of each other
                names = bool(is_name[u])
                if _is_inflection(wu, wv, stem, names):
                    continue
                if string_similarity(wu, wv, names=names) >= _threshold(min_similarity, names):
                    pairs.add((min(u, v), max(u, v)))
    return pairs


def _context_vectors(tok: _Tokens, words: np.ndarray, window: int, *, raw: bool = False):
    """L2-normalised PPMI context vectors (rows follow ``words``) over the whole vocabulary.

    With ``raw=True`` also return the co-occurrence counts the vectors were made from.
    """
    row_of = np.full(len(tok.vocab), -1, dtype=np.int64)
    row_of[words] = np.arange(len(words))
    positions = np.flatnonzero(row_of[tok.flat] >= 0)
    rows, cols = [], []
    n = len(tok.flat)
    for off in range(-window, window + 1):
        if off == 0:
            continue
        ctx_pos = positions + off
        ok = (ctx_pos >= 0) & (ctx_pos < n)
        p, cp = positions[ok], ctx_pos[ok]
        same_doc = tok.doc_of[p] == tok.doc_of[cp]
        p, cp = p[same_doc], cp[same_doc]
        ctx = tok.flat[cp]
        keep = ctx != BOUNDARY
        rows.append(row_of[tok.flat[p[keep]]])
        cols.append(ctx[keep])
    r = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    mat = sparse.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(words), len(tok.vocab)))
    mat.sum_duplicates()
    counts = mat
    # PPMI with context-distribution smoothing (Levy, Goldberg & Dagan 2015): p(c)^0.75.
    ctx_p = tok.counts.astype(float) ** 0.75
    ctx_p /= ctx_p.sum()
    row_tot = np.asarray(mat.sum(axis=1)).ravel()
    mat = mat.tocoo()
    pmi = np.log(mat.data / row_tot[mat.row] / ctx_p[mat.col])
    keep = pmi > 0
    ppmi = sparse.csr_matrix((pmi[keep], (mat.row[keep], mat.col[keep])), shape=mat.shape)
    norms = np.sqrt(np.asarray(ppmi.multiply(ppmi).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    vectors = sparse.diags(1.0 / norms) @ ppmi
    return (vectors, counts) if raw else vectors


def _context_candidates(tok: _Tokens, cand_ids, by_outlet, is_name, min_count, window, stem,
                        max_words: int = 5000, neighbours: int = 3, min_cosine: float = 0.4) -> set:
    """Outlet-specific words with alike contexts but no spelling likeness (Bombay / Mumbai)."""
    min_n = max(min_count, 3)
    totals = np.asarray(by_outlet.sum(axis=1)).ravel()
    peak = np.asarray(by_outlet.max(axis=1).todense()).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        skew = np.where(totals > 0, peak / np.maximum(totals, 1), 0)
    # Only names: outlet-specific common words with alike contexts are mostly boilerplate (share
    # buttons, social handles), while renamed places and people (Bombay / Mumbai) are names.
    words = np.array([w for w in cand_ids if totals[w] >= min_n and skew[w] >= 0.75 and is_name[w]],
                     dtype=np.int64)
    if len(words) < 2:
        return set()
    if len(words) > max_words:
        words = words[np.argsort(-totals[words], kind="stable")[:max_words]]
        words.sort()
    dominant = np.asarray(by_outlet[words].argmax(axis=1)).ravel()
    vectors, cooc = _context_vectors(tok, words, window, raw=True)
    cooc = cooc.tocsr()
    pairs = set()
    for start in range(0, len(words), 1000):
        block = (vectors[start:start + 1000] @ vectors.T).toarray()
        for k in range(block.shape[0]):
            i = start + k
            sims = block[k]
            sims[i] = 0
            sims[dominant == dominant[i]] = 0
            for j in np.argsort(-sims, kind="stable")[:neighbours]:
                if sims[j] < min_cosine:
                    break
                u, v = int(words[i]), int(words[j])
                if cooc[i, v] > 0.1 * min(totals[u], totals[v]):
                    continue  # neighbours in the text (Moammar Gaddafi) are collocates, not variants
                if _is_inflection(tok.vocab[u], tok.vocab[v], stem):
                    continue
                pairs.add((min(u, v), max(u, v)))
    return pairs


def _complementarity(table: np.ndarray, smoothing: float = 1.0) -> float:
    """Goodman-Kruskal lambda for predicting the form (rows) from the outlet (columns).

    Each outlet that uses any form gets ``smoothing`` pseudo-mentions spread evenly over the forms, which
    shrinks the statistic when there are few mentions.
    """
    table = np.asarray(table, dtype=float)
    used = table.sum(axis=0) > 0
    t = table[:, used] + smoothing / max(table.shape[0], 1)
    if t.shape[1] == 0 or t.shape[0] < 2:
        return 0.0
    total = t.sum()
    best_overall = t.sum(axis=1).max()
    if total - best_overall <= 0:
        return 0.0
    return float(max(0.0, (t.max(axis=0).sum() - best_overall) / (total - best_overall)))


def _support(n_mentions: float, half: float = 2.0) -> float:
    """Weight of the evidence of ``n`` mentions: n / (n + 2), one half for two mentions, 0.9 for eighteen."""
    return float(n_mentions / (n_mentions + half))


def _group_pairs(scored: dict, spelled: set, collocated, max_size: int = 6) -> list[list[int]]:
    """Join scored pairs into groups, strongest links first, pairs spelled alike before pairs found by
    contexts alone. A link is refused when the group would grow beyond ``max_size`` forms or would hold
    two forms that stand next to each other in the text (first and last names: Moammar / Gaddafi)."""
    edges = sorted(scored.items(), key=lambda kv: (kv[0] not in spelled, -kv[1][0], kv[0]))
    parent: dict[int, int] = {}
    members: dict[int, list[int]] = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (u, v), _ in edges:
        ru, rv = find(u), find(v)
        if ru == rv:
            continue
        group_u, group_v = members.get(ru, [ru]), members.get(rv, [rv])
        if len(group_u) + len(group_v) > max_size:
            continue
        if any(collocated(x, y) for x in group_u for y in group_v):
            continue
        parent[rv] = ru
        members[ru] = group_u + group_v
        members.pop(rv, None)
    comps: dict[int, list[int]] = defaultdict(list)
    for w in {w for p in scored for w in p}:
        comps[find(w)].append(w)
    return [sorted(m) for m in comps.values() if len(m) >= 2]


# ========================================================================= distinctive terms

class LogOdds(NamedTuple):
    """Result of :func:`log_odds_dirichlet` (arrays over the terms)."""

    log_odds: np.ndarray
    variance: np.ndarray
    z: np.ndarray


def log_odds_dirichlet(counts_i, counts_j, prior, *, variance: str = "monroe") -> LogOdds:
    """Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).

    For term *w* with counts :math:`y_{iw}`, :math:`y_{jw}` in groups *i* and *j* (totals :math:`n_i`,
    :math:`n_j`) and prior pseudo-counts :math:`\\alpha_w` (total :math:`\\alpha_0`):

    .. math::

        \\hat\\delta_w = \\log\\frac{y_{iw}+\\alpha_w}{n_i+\\alpha_0-y_{iw}-\\alpha_w}
                     - \\log\\frac{y_{jw}+\\alpha_w}{n_j+\\alpha_0-y_{jw}-\\alpha_w}

    ``variance="monroe"`` (default) uses the paper's approximation (eq. 20),
    :math:`\\sigma^2(\\hat\\delta_w) \\approx 1/(y_{iw}+\\alpha_w) + 1/(y_{jw}+\\alpha_w)`, which is
    what published Fightin' Words results and common implementations report, so z-scores are
    comparable with them. ``variance="full"`` adds the two terms the approximation drops,
    :math:`1/(n_i+\\alpha_0-y_{iw}-\\alpha_w) + 1/(n_j+\\alpha_0-y_{jw}-\\alpha_w)` (the delta-method
    variance of both log-odds); they matter only for terms that make up a large share of a group's words.
    The z-score is :math:`\\hat\\delta_w / \\sigma`.

    Parameters
    ----------
    counts_i, counts_j : array-like of shape (n_terms,)
        Term counts of the two groups.
    prior : array-like of shape (n_terms,)
        Pseudo-counts :math:`\\alpha_w`, all positive.
    variance : {"monroe", "full"}

    Returns
    -------
    LogOdds
        ``log_odds``, ``variance`` and ``z`` arrays.

    Examples
    --------
    >>> r = log_odds_dirichlet([10, 0], [2, 8], [1.0, 1.0])
    >>> [round(float(x), 4) for x in r.z]
    [5.3682, -3.3171]
    """
    y_i = np.asarray(counts_i, dtype=float)
    y_j = np.asarray(counts_j, dtype=float)
    a = np.asarray(prior, dtype=float)
    if not (y_i.shape == y_j.shape == a.shape) or y_i.ndim != 1:
        raise FramingError("log_odds_dirichlet: counts_i, counts_j and prior must be 1-D arrays of the same "
                           f"length (got {y_i.shape}, {y_j.shape}, {a.shape}).")
    if len(a) and (not np.all(np.isfinite(a)) or a.min() <= 0):
        raise FramingError("log_odds_dirichlet: every prior pseudo-count must be positive; add a small "
                           "constant to the prior.")
    if (y_i < 0).any() or (y_j < 0).any():
        raise FramingError("log_odds_dirichlet: counts must not be negative.")
    if variance not in ("monroe", "full"):
        raise FramingError(f"log_odds_dirichlet: variance={variance!r}; use 'monroe' or 'full'.")
    delta, var = _delta_and_variance(y_i, y_j, a, y_i.sum(), y_j.sum(), a.sum(), variance)
    return LogOdds(delta, var, delta / np.sqrt(var))


@dataclass
class _Features:
    terms: list[str]
    n: np.ndarray               # n-gram length of each term
    doc_term: sparse.csr_matrix  # documents x terms


def _features(tok: _Tokens, ngram_range, min_count: int, stop: frozenset, max_terms: int | None) -> _Features:
    """Unigram and n-gram counts per document; n-grams never cross punctuation, numbers or documents
    and never start or end with a stop word."""
    lo, hi = _check_ngram_range(ngram_range)
    vocab, flat, n_pos = tok.vocab, tok.flat, len(tok.flat)
    V = len(vocab)
    word_at, stop_at = _word_and_stop_at(tok, stop)
    term_names, term_n, doc_cols = [], [], []
    codes_per_n = []
    for n in range(lo, hi + 1):
        if n > n_pos:
            break
        starts, codes = _ngram_codes(flat, word_at, stop_at, n, V)
        uniq, inverse, cnt = np.unique(codes, return_inverse=True, return_counts=True)
        keep = cnt >= min_count
        codes_per_n.append((n, starts, uniq, inverse, cnt, keep))
    # Optionally cap the number of terms by frequency (ties broken by code, deterministic).
    all_counts = np.concatenate([c[4][c[5]] for c in codes_per_n]) if codes_per_n else np.zeros(0)
    cap = None
    if max_terms is not None and len(all_counts) > max_terms:
        cap = np.sort(all_counts)[::-1][max_terms - 1]
    rows, cols = [], []
    offset = 0
    for n, starts, uniq, inverse, cnt, keep in codes_per_n:
        if cap is not None:
            keep = keep & (cnt >= cap)
        kept = np.flatnonzero(keep)
        new_index = np.full(len(uniq), -1, dtype=np.int64)
        new_index[kept] = np.arange(len(kept)) + offset
        col = new_index[inverse]
        sel = col >= 0
        rows.append(tok.doc_of[starts[sel]])
        cols.append(col[sel])
        term_names.extend(_term_strings(vocab, uniq[kept], n, V).tolist())
        term_n.append(np.full(len(kept), n))
        offset += len(kept)
    r = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    doc_term = sparse.csr_matrix((np.ones(len(r), dtype=np.float64), (r, c)), shape=(tok.n_docs, offset))
    doc_term.sum_duplicates()
    return _Features(term_names, np.concatenate(term_n) if term_n else np.zeros(0, int), doc_term)


def _check_ngram_range(ngram_range) -> tuple[int, int]:
    lo, hi = ngram_range
    if lo < 1 or hi < lo or hi > 5:
        raise FramingError(f"distinctive_terms: ngram_range={ngram_range!r}; use (1, 1) to (1, 3), at most 5.")
    return lo, hi


def _word_and_stop_at(tok: _Tokens, stop: frozenset) -> tuple[np.ndarray, np.ndarray]:
    """Per token position: is it a word (not a boundary), is it a stop word."""
    V = len(tok.vocab)
    is_stop = np.fromiter((w in stop for w in tok.vocab), dtype=bool, count=V)
    is_word = np.ones(V, dtype=bool)
    is_word[BOUNDARY] = False
    return is_word[tok.flat], is_stop[tok.flat]


def _ngram_codes(flat: np.ndarray, word_at: np.ndarray, stop_at: np.ndarray, n: int, V: int):
    """Start positions and int64 codes (base-V token ids) of the n-grams of words that neither start nor
    end with a stop word."""
    n_pos = len(flat)
    m = n_pos - n + 1
    if m <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ok = np.ones(m, dtype=bool)
    for k in range(n):
        ok &= word_at[k:k + m]
    ok &= ~stop_at[:m] & ~stop_at[n - 1:n - 1 + m]
    starts = np.flatnonzero(ok)
    if n == 1:
        return starts, flat[starts].astype(np.int64)
    if V ** n >= 2 ** 62:
        raise FramingError(f"distinctive_terms: the vocabulary ({V:,} forms) is too large for "
                           f"{n}-grams; use a smaller ngram_range.")
    codes = np.zeros(len(starts), dtype=np.int64)
    for k in range(n):
        codes = codes * V + flat[starts + k]
    return starts, codes


def _term_strings(vocab: list[str], codes: np.ndarray, n: int, V: int) -> np.ndarray:
    """The n-gram strings ("military bloc") of base-V codes, as an object array."""
    words = np.array(vocab, dtype=object)
    out = None
    for k in range(n - 1, -1, -1):
        part = words[(codes // V ** k) % V] if k else words[codes % V]
        out = part if out is None else out + " " + part
    return out if out is not None else np.zeros(0, dtype=object)


def _prior_vector(prior, alpha0, totals: np.ndarray, terms: list[str]) -> np.ndarray:
    n_total = totals.sum()
    if isinstance(prior, str):
        if prior == "corpus":
            scale = n_total if alpha0 is None else float(alpha0)
            return totals / n_total * scale
        if prior == "uniform":
            scale = 0.01 * len(terms) if alpha0 is None else float(alpha0)
            return np.full(len(terms), scale / max(len(terms), 1))
        raise FramingError(f"distinctive_terms: prior={prior!r}; use 'corpus', 'uniform' or a pandas Series of "
                           "background term counts.")
    if isinstance(prior, dict):
        prior = pd.Series(prior, dtype=float)
    if isinstance(prior, pd.Series):
        bg = prior.reindex(terms).to_numpy(dtype=float)
        known = np.isfinite(bg) & (bg > 0)
        if not known.any():
            raise FramingError("distinctive_terms: the background prior shares no term with the corpus; pass "
                               "counts indexed by term strings such as 'military bloc'.")
        floor = bg[known].min() / 2
        bg = np.where(known, bg, floor)
        scale = n_total if alpha0 is None else float(alpha0)
        return bg / bg.sum() * scale
    raise FramingError("distinctive_terms: prior must be 'corpus', 'uniform' or a pandas Series of background "
                       "term counts.")


def distinctive_terms(corpus, *, by: str = "outlet", prior="corpus", alpha0: float | None = None,
                      ngram_range: tuple[int, int] = (1, 3), min_count: int = 3, pair=None, top: int | None = 100,
                      permutations: int = 0, random_state=0, variance: str = "monroe",
                      stop_words=None, include_titles: bool = True, max_terms: int | None = 500_000,
                      scheduler=None) -> pd.DataFrame:
    """Words and phrases that set each outlet apart: log-odds ratios with an informative Dirichlet prior.

    Each outlet is compared with all other outlets together (or, with ``pair=(a, b)``, two outlets with
    each other) by :func:`log_odds_dirichlet` (Monroe, Colaresi & Quinn 2008, "Fightin' Words"). A
    positive ``z`` means the outlet uses the term more than the comparison group; with two outlets,
    "each against the rest" and the pairwise comparison are the same computation.

    Parameters
    ----------
    corpus : Corpus or PartitionedCorpus
        A :class:`~framing.distributed.PartitionedCorpus` (a folder of ingested Parquet parts) is read
        one part at a time.
    by : str, default "outlet"
        The article column that defines the groups (e.g. "bias"); the first output column is named after it.
    prior : "corpus", "uniform" or pandas.Series
        ``"corpus"``: :math:`\\alpha_w` proportional to the term's frequency in the whole corpus (the
        informative prior of the paper); ``"uniform"``: the same pseudo-count for every term; a Series of
        background counts indexed by term: proportional to those.
    alpha0 : float, optional
        Total prior pseudo-count :math:`\\alpha_0` (the prior's weight, in words). Default: the number of
        term occurrences in the corpus, i.e. :math:`\\alpha_w` = the term's corpus count (the empirical
        Bayes choice of Jurafsky et al. 2014 and the tidylo package); this shrinks small outlets strongly
        toward the corpus, which keeps one-article outlets from topping the lists. A smaller value (e.g.
        1000) weakens the prior. With ``prior="uniform"`` the default is 0.01 per term.
    ngram_range : (int, int), default (1, 3)
        Lengths of the terms: unigrams and phrases of up to three words. Phrases never cross punctuation,
        numbers or article boundaries and never start or end with a stop word ("secretary of state",
        "military bloc").
    min_count : int, default 3
        Minimum number of occurrences of a term in the corpus (or in the pair).
    pair : (str, str), optional
        Compare two groups only.
    top : int or None, default 100
        Keep the ``top`` terms with the highest z per group; None keeps every term.
    permutations : int, default 0
        Permutation check: shuffle the group labels of the articles (keeping the group sizes) this many
        times and report ``p_perm``, the share of shuffles whose ``|z|`` for the term reaches the observed
        ``|z|`` (``(1 + hits) / (1 + permutations)``). In a small corpus a large z can come from one
        article; a large p_perm shows that the difference is noise. Articles are the unit of shuffling.
    random_state : int or numpy Generator, default 0
    variance : {"monroe", "full"}
        See :func:`log_odds_dirichlet`.
    stop_words : collection of str, optional
        Unigrams left out and words phrases may not start or end with; default
        :data:`framing.text.STOP_WORDS`; pass ``()`` to keep every word.
    include_titles : bool, default True
    max_terms : int, optional
        Keep at most this many terms (the most frequent) to bound memory on very large corpora.
    scheduler : None, "local", "tcp://HOST:PORT" or distributed.Client, optional
        None runs in this process; "local" starts a Dask LocalCluster; "tcp://HOST:PORT" connects to a
        running Dask scheduler; or pass a ``distributed.Client``. Each partition counts its n-grams per
        group; the counts are summed by term on the workers (a hash shuffle), so only the terms frequent
        enough to keep reach this process. The result is the same as without a scheduler.

    Returns
    -------
    pandas.DataFrame
        ``outlet`` (named after ``by``), ``term``, ``count`` (in the outlet), ``log_odds``, ``z``, then
        ``p_perm`` (with ``permutations > 0``), ``freq`` (count per 10,000 term occurrences of the
        outlet), ``count_other`` (in the comparison group), ``n`` (words in the term). Sorted by outlet,
        then z (highest first), then term. Empty, with a :class:`FramingWarning`, when there are fewer
        than two groups.

    Examples
    --------
    >>> from framing import load_corpus
    >>> d = distinctive_terms(load_corpus(), min_count=2, top=3)
    >>> d.loc[d["outlet"] == "RT", "term"].tolist()
    ['kiev', 'regions', 'claims']
    """
    partitioned = _is_partitioned(corpus)
    if partitioned:
        labels = corpus.column(by).fillna("unknown").astype(str) if by in corpus.columns else \
            _group_column(_column_probe(corpus), by, "distinctive_terms")
    else:
        _check_corpus(corpus, "distinctive_terms")
        labels = _group_column(corpus, by, "distinctive_terms")
    extra = (["p_perm"] if permutations else []) + ["freq", "count_other", "n"]
    empty = pd.DataFrame(columns=[by, "term", "count", "log_odds", "z"] + extra)
    if pair is not None:
        if len(pair) != 2 or pair[0] == pair[1]:
            raise FramingError(f"distinctive_terms: pair={pair!r}; give two different {by} names.")
        missing = [p for p in pair if p not in set(labels)]
        if missing:
            raise FramingError(f"distinctive_terms: {missing[0]!r} is not a {by} of the corpus; choose from "
                               f"{', '.join(sorted(set(labels))[:10])}.")
    if labels.nunique() < 2:
        warnings.warn(f"distinctive_terms: the corpus has only one {by}, so nothing can be distinctive; "
                      "returning an empty table.", FramingWarning, stacklevel=2)
        return empty
    stop = _text.STOP_WORDS if stop_words is None else frozenset(stop_words)
    _check_ngram_range(ngram_range)
    if pair is not None:
        labels = labels[labels.isin(pair)].reset_index(drop=True)
    codes, names = pd.factorize(labels, sort=True)
    if scheduler is None and not partitioned:
        tok = _tokens(corpus, include_titles)
        if pair is not None:
            tok = _subset_tokens(tok, _group_column(corpus, by, "distinctive_terms").isin(pair).to_numpy())
        feats = _features(tok, ngram_range, min_count, stop, max_terms)
        order = _canonical_term_order(feats.terms, feats.n)
        terms, term_n, X = np.array(feats.terms, dtype=object)[order], feats.n[order], feats.doc_term[:, order]
        indicator = sparse.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                                      shape=(len(names), len(codes)))
        group_counts = (indicator @ X).tocsr()  # groups x terms, sparse: 491 outlets x 500k terms fit
    else:
        terms, term_n, group_counts = _distinctive_counts_partitioned(
            corpus, names, by=by, pair=pair, ngram_range=ngram_range, min_count=min_count, stop=stop,
            include_titles=include_titles, max_terms=max_terms, scheduler=scheduler)
    if group_counts.shape[1] == 0:
        return empty
    out, alpha, chosen_cols = _distinctive_scores(terms, term_n, group_counts, names, by=by, prior=prior,
                                                  alpha0=alpha0, top=top, variance=variance)
    if permutations:
        if scheduler is None and not partitioned:
            cols = unique(np.concatenate(chosen_cols)) if chosen_cols else np.zeros(0, np.int64)
            Xs, doc_totals = X[:, cols], np.asarray(X.sum(axis=1)).ravel()
        else:
            cols, Xs, doc_totals = _permutation_inputs_partitioned(
                corpus, terms, chosen_cols, by=by, pair=pair, ngram_range=tuple(ngram_range), stop=stop,
                include_titles=include_titles, scheduler=scheduler)
        out.insert(5, "p_perm", _permutation_p(Xs, doc_totals, cols, codes, len(names), alpha, chosen_cols,
                                               int(permutations), random_state, variance))
    return out


def _column_probe(corpus):
    """A stand-in with the articles' column names, for the error message of a missing ``by`` column."""
    class _Probe:
        articles = pd.DataFrame(columns=corpus.columns)
    return _Probe()


def _canonical_term_order(terms, n) -> np.ndarray:
    """Terms by length, then alphabetically: an order that does not depend on how the corpus was split."""
    return np.lexsort((np.asarray(terms, dtype=object), np.asarray(n)))


def _distinctive_scores(terms: np.ndarray, term_n: np.ndarray, group_counts, names, *, by, prior, alpha0, top,
                        variance):
    """The scoring half of :func:`distinctive_terms`, shared by both engines: log-odds and z of every term
    for each group against the rest, the ``top`` rows per group. Returns the table, the prior and the
    chosen term columns per group."""
    totals = np.asarray(group_counts.sum(axis=0)).ravel()
    alpha = _prior_vector(prior, alpha0, totals, list(terms))
    term_array = np.asarray(terms, dtype=object)
    term_rank = np.empty(len(term_array), dtype=np.int64)
    term_rank[np.argsort(term_array, kind="stable")] = np.arange(len(term_array))
    frames = []
    chosen_cols = []
    for g, name in enumerate(names):
        y_i = group_counts[g].toarray().ravel()
        y_j = totals - y_i
        res = log_odds_dirichlet(y_i, y_j, alpha, variance=variance)
        candidates = np.arange(len(term_array))
        if top is not None and top < len(candidates):
            # Everything tied with the top-th z stays a candidate, so ties break by term, not by position.
            kth = np.partition(-res.z, top - 1)[top - 1]
            candidates = np.flatnonzero(-res.z <= kth)
        order = candidates[np.lexsort((term_rank[candidates], -res.z[candidates]))]
        if top is not None:
            order = order[:top]
        n_i = y_i.sum()
        frames.append(pd.DataFrame({
            by: name, "term": term_array[order], "count": y_i[order].astype(np.int64),
            "log_odds": res.log_odds[order], "z": res.z[order],
            "freq": y_i[order] / n_i * 1e4 if n_i else 0.0, "count_other": y_j[order].astype(np.int64),
            "n": term_n[order]}))
        chosen_cols.append(order)
    return pd.concat(frames, ignore_index=True), alpha, chosen_cols


# -- the partition-wise counting of distinctive_terms (Dask, or out of core here)
#
# Pass 1 tokenises each partition and returns its vocabulary; merged in corpus order they give the global
# vocabulary (the ids an in-process run gives). Pass 2 codes every n-gram with global ids (one int64 per
# n-gram, no strings), counts (code, group) pairs per partition and shuffles them by code to reducers that
# add them up and keep the terms frequent enough; only those reach this process, and only they become
# strings. On Dask, pass 2 runs where pass 1 left each partition's tokens.

def _partition_ngrams(part, by, pair, ngram_range, stop, include_titles):
    """Tokens and n-gram codes of one partition: (labels, tok, [(n, starts, codes)])."""
    labels, tok = _partition_tokens(part, by, pair, include_titles)
    word_at, stop_at = _word_and_stop_at(tok, stop)
    lo, hi = ngram_range
    grams = [(n, *_ngram_codes(tok.flat, word_at, stop_at, n, len(tok.vocab))) for n in range(lo, hi + 1)
             if n <= len(tok.flat)]
    return labels, tok, grams


def _partition_tokens(part, by, pair, include_titles):
    labels = _group_column(part, by, "distinctive_terms")
    arts = part.articles
    if pair is not None:
        keep = labels.isin(pair).to_numpy()
        arts, labels = arts[keep], labels[keep]
    return labels.reset_index(drop=True), _tokenize_texts(_article_texts(arts, include_titles))


def _vocab_pass(part, by, pair, include_titles):
    labels, tok = _partition_tokens(part, by, pair, include_titles)
    return labels.to_numpy(dtype=object), tok.vocab, tok.flat, tok.doc_of, tok.counts


def _vocab_only(tokens):
    return tokens[1], tokens[4]


def _global_vocab(vocabs, min_count: int) -> list[str]:
    """Partition vocabularies (with counts) merged in corpus order, keeping the words seen ``min_count``
    times or more. A rarer word cannot be part of a term that is kept (a term occurs at most as often as
    each of its words), so it becomes a boundary: the vocabulary, and the n-gram codes, stay small."""
    index: dict[str, int] = {"": BOUNDARY}
    ids, counts = [], []
    for vocab, count in vocabs:
        ids.append(np.fromiter((index.setdefault(w, len(index)) for w in vocab), dtype=np.int64, count=len(vocab)))
        counts.append(count)
    totals = np.bincount(np.concatenate(ids), weights=np.concatenate(counts), minlength=len(index)) if ids \
        else np.zeros(1)
    keep = totals >= min_count
    keep[BOUNDARY] = True
    return [w for w, k in zip(index, keep) if k]


def _count_pass(tokens, shared, stop, ngram_range, n_buckets):
    """(code, group) counts of one partition's n-grams in global ids, split into buckets by code."""
    labels, vocab, local_flat, doc_of, _counts = tokens
    global_vocab, names = shared
    V = len(global_vocab)
    to_global = global_vocab.get_indexer(vocab).astype(np.int64)
    to_global[to_global < 0] = BOUNDARY  # words too rare to be part of any kept term
    flat = to_global[local_flat]
    word_at = flat != BOUNDARY
    stop_at = np.fromiter((w in stop for w in vocab), dtype=bool, count=len(vocab))[local_flat]
    group = names.get_indexer(labels).astype(np.int64)
    codes_all, groups_all = [], []
    lo, hi = ngram_range
    for n in range(lo, hi + 1):
        if n > len(flat):
            break
        starts, codes = _ngram_codes(flat, word_at, stop_at, n, V)
        codes_all.append(codes)
        groups_all.append(group[doc_of[starts]])
    codes = np.concatenate(codes_all) if codes_all else np.zeros(0, np.int64)
    groups = np.concatenate(groups_all) if groups_all else np.zeros(0, np.int64)
    table = pd.DataFrame({"code": codes, "group": groups}).value_counts(sort=False).reset_index()
    bucket = (table["code"].to_numpy() % n_buckets).astype(np.int64)
    return [table[bucket == b].reset_index(drop=True) for b in range(n_buckets)]


def _code_totals(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    uniq, inverse = np.unique(table["code"].to_numpy(), return_inverse=True)
    return np.bincount(inverse, weights=table["count"].to_numpy(), minlength=len(uniq)), inverse


def _distinctive_reduce(pieces, min_count, max_terms):
    """Sum one bucket's counts over the partitions; keep the terms seen ``min_count`` times or more (and,
    with ``max_terms``, only those that can still be among the ``max_terms`` most frequent)."""
    table = pd.concat(pieces, ignore_index=True)
    if not len(table):
        return table
    table = table.groupby(["code", "group"], sort=False, as_index=False)["count"].sum()
    totals, inverse = _code_totals(table)
    keep = totals >= min_count
    if max_terms is not None and keep.sum() > max_terms:
        # The bucket's max_terms-th count is at most the global one, so this drops no term the global cap keeps.
        keep &= totals >= np.sort(totals[keep])[::-1][max_terms - 1]
    return table[keep[inverse]].reset_index(drop=True)


def _distinctive_counts_partitioned(corpus, names, *, by, pair, ngram_range, min_count, stop, include_titles,
                                    max_terms, scheduler):
    """Terms (canonical order), their lengths and the groups x terms count matrix, partition by partition."""
    from .distributed import get_client, map_partitions, map_reduce_buckets, n_workers

    client = get_client(scheduler)
    n_parts = len(corpus.parts) if _is_partitioned(corpus) else 4 * n_workers(client)
    n_buckets = max(2, min(64, n_parts))
    lo, hi = ngram_range
    vocab_args = (by, pair, include_titles)
    if client is None:  # out of core here: tokenise twice rather than hold every partition's tokens
        vocab = _global_vocab(map_partitions(_vocab_pass_vocab, corpus, args=vocab_args), min_count)
        shared = (pd.Index(vocab), pd.Index(names))
        reduced = map_reduce_buckets(_count_pass_from_part, corpus, _distinctive_reduce, n_buckets=n_buckets,
                                     args=(vocab_args, shared, stop, (lo, hi), n_buckets),
                                     reduce_args=(min_count, max_terms))
    else:
        from .distributed import map_reduce_stored

        reduced, vocab = map_reduce_stored(
            _vocab_pass, corpus, _vocab_only, partial(_global_vocab, min_count=min_count), _count_pass,
            _distinctive_reduce, client=client,
            n_buckets=n_buckets, first_args=vocab_args, shared_of=lambda v: (pd.Index(v), pd.Index(names)),
            second_args=(stop, (lo, hi), n_buckets), reduce_args=(min_count, max_terms))
    table = pd.concat(reduced, ignore_index=True)
    totals, inverse = _code_totals(table)
    if max_terms is not None and len(totals) > max_terms:
        cap = np.sort(totals)[::-1][max_terms - 1]
        table = table[(totals >= cap)[inverse]].reset_index(drop=True)
    codes = unique(table["code"].to_numpy())
    V = len(vocab)
    term_n = np.ones(len(codes), dtype=np.int64)
    for n in range(2, hi + 1):
        term_n[codes >= V ** (n - 1)] = n  # word ids are >= 1, so an n-gram's code is at least V ** (n - 1)
    terms = np.empty(len(codes), dtype=object)
    for n in np.unique(term_n):
        terms[term_n == n] = _term_strings(vocab, codes[term_n == n], int(n), V)
    order = _canonical_term_order(terms, term_n)
    terms, term_n, codes = terms[order], term_n[order], codes[order]
    col = pd.Index(codes).get_indexer(table["code"])
    group_counts = sparse.csr_matrix((table["count"].to_numpy(dtype=np.float64),
                                      (table["group"].to_numpy(), col)), shape=(len(names), len(terms)))
    return terms, term_n, group_counts


def _vocab_pass_vocab(part, by, pair, include_titles):
    return _vocab_only(_vocab_pass(part, by, pair, include_titles))


def _count_pass_from_part(part, vocab_args, shared, stop, ngram_range, n_buckets):
    return _count_pass(_vocab_pass(part, *vocab_args), shared, stop, ngram_range, n_buckets)


def _permutation_map(part, kept, by, pair, ngram_range, stop, include_titles):
    """Per-document counts of the chosen terms and per-document totals over all kept terms."""
    terms_index, chosen_index = kept
    labels, tok, grams = _partition_ngrams(part, by, pair, ngram_range, stop, include_titles)
    rows, cols = [], []
    for n, starts, codes in grams:
        uniq, inverse = np.unique(codes, return_inverse=True)
        col = terms_index.get_indexer(_term_strings(tok.vocab, uniq, n, len(tok.vocab)))[inverse]
        sel = col >= 0
        rows.append(tok.doc_of[starts[sel]])
        cols.append(col[sel])
    r = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    X = sparse.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(labels), len(terms_index)))
    X.sum_duplicates()
    return X[:, chosen_index], np.asarray(X.sum(axis=1)).ravel()


def _permutation_inputs_partitioned(corpus, terms, chosen_cols, *, by, pair, ngram_range, stop, include_titles,
                                    scheduler):
    from .distributed import map_partitions

    cols = unique(np.concatenate(chosen_cols)) if chosen_cols else np.zeros(0, np.int64)
    pieces = map_partitions(_permutation_map, corpus, scheduler=scheduler, shared=(pd.Index(terms), cols),
                            args=(by, pair, ngram_range, stop, include_titles))
    return cols, sparse.vstack([p[0] for p in pieces]).tocsr(), np.concatenate([p[1] for p in pieces])


def _permutation_p(Xs, doc_totals, cols, codes, n_groups, alpha, chosen_cols, permutations, random_state,
                   variance):
    """Permutation p-values for the reported (group, term) rows: shuffle article labels, recompute z.
    ``Xs`` holds the documents' counts of the term columns ``cols``, ``doc_totals`` their counts of all terms."""
    rng = np.random.default_rng(random_state)
    a, a0 = alpha[cols], alpha.sum()

    def z_sub(labels):
        gc = _group_sums(labels, n_groups, Xs)
        tot = gc.sum(axis=0)
        n_g = np.bincount(labels, weights=doc_totals, minlength=n_groups)
        z = np.empty_like(gc)
        for g in range(n_groups):
            z[g] = _z_scores(gc[g], tot - gc[g], a, n_g[g], n_g.sum() - n_g[g], a0, variance)
        return z

    observed = np.abs(z_sub(codes))
    hits = np.zeros_like(observed)
    for _ in range(permutations):
        hits += np.abs(z_sub(rng.permutation(codes))) >= observed - 1e-9
    p = (1 + hits) / (1 + permutations)
    col_pos = np.full(len(alpha), -1, dtype=np.int64)
    col_pos[cols] = np.arange(len(cols))
    g_of_row = np.repeat(np.arange(n_groups), [len(o) for o in chosen_cols])
    c_of_row = col_pos[np.concatenate(chosen_cols)] if chosen_cols else np.zeros(0, np.int64)
    return p[g_of_row, c_of_row]


def _delta_and_variance(y_i, y_j, a, n_i, n_j, a0, variance):
    """Log-odds difference and its variance (Monroe et al. 2008), with the group totals of all terms given
    (so that a subset of terms can be scored)."""
    rest_i = n_i + a0 - y_i - a
    rest_j = n_j + a0 - y_j - a
    delta = np.log(y_i + a) - np.log(rest_i) - np.log(y_j + a) + np.log(rest_j)
    var = 1.0 / (y_i + a) + 1.0 / (y_j + a)
    if variance == "full":
        var = var + 1.0 / rest_i + 1.0 / rest_j
    return delta, var


def _z_scores(y_i, y_j, a, n_i, n_j, a0, variance):
    """z of :func:`log_odds_dirichlet` for a subset of terms, with the group totals of all terms given."""
    delta, var = _delta_and_variance(y_i, y_j, a, n_i, n_j, a0, variance)
    return delta / np.sqrt(var)


def _group_sums(codes: np.ndarray, n_groups: int, X: sparse.csr_matrix) -> np.ndarray:
    indicator = sparse.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                                  shape=(n_groups, len(codes)))
    return np.asarray((indicator @ X).todense(), dtype=float)


def _subset_tokens(tok: _Tokens, keep_docs: np.ndarray) -> _Tokens:
    keep_pos = keep_docs[tok.doc_of]
    new_index = np.cumsum(keep_docs) - 1
    flat = tok.flat[keep_pos]
    counts = np.bincount(flat, minlength=len(tok.vocab))
    counts[BOUNDARY] = 0
    return _Tokens(tok.vocab, flat, new_index[tok.doc_of[keep_pos]].astype(np.int32), counts, tok.surface_best,
                   tok.capital_share, int(keep_docs.sum()))


# ============================================================================== substitutions

_QUOTES = str.maketrans({c: '"' for c in "“”„‟«»″"})


def _sentence_tokens(text: str) -> tuple[list[tuple[int, int]], list[str]]:
    spans = _text.span_tokenize(text)
    norms = [_text.normalize_token(text[s:e]).translate(_QUOTES) for s, e in spans]
    return spans, norms


def _is_word(token: str) -> bool:
    return bool(token) and (token[0].isalnum() or token[0] in "@#$€£")


def _is_number(token: str) -> bool:
    return bool(token) and (token[0].isdigit() or token[0] in "$€£")


def _diff_blocks(norm_a: list[str], norm_b: list[str]):
    matcher = SequenceMatcher(None, norm_a, norm_b, autojunk=False)
    return matcher, [op for op in matcher.get_opcodes() if op[0] != "equal"]


def _trim(tokens: list[str], i0: int, i1: int) -> tuple[int, int]:
    """Shrink a token range so that it starts and ends with a word token."""
    while i0 < i1 and not _is_word(tokens[i0]):
        i0 += 1
    while i1 > i0 and not _is_word(tokens[i1 - 1]):
        i1 -= 1
    return i0, i1


def diff_spans(text_a: str, text_b: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Character spans of the words that differ between two aligned sentences.

    Tokens are compared after normalisation (case, apostrophes, dashes, quotes, possessives), with
    :class:`difflib.SequenceMatcher`; each changed, inserted or deleted run of tokens gives one span
    (from its first to its last word, punctuation at the edges left out).

    Returns
    -------
    (list of (start, end), list of (start, end))
        Offsets into ``text_a`` and into ``text_b``.

    Examples
    --------
    >>> a, b = "Kiev claims the republics are propped up.", "Kyiv said the rebels are propped up."
    >>> sa, sb = diff_spans(a, b)
    >>> [a[s:e] for s, e in sa], [b[s:e] for s, e in sb]
    (['Kiev claims', 'republics'], ['Kyiv said', 'rebels'])
    """
    spans_a, norm_a = _sentence_tokens(text_a or "")
    spans_b, norm_b = _sentence_tokens(text_b or "")
    _, blocks = _diff_blocks(norm_a, norm_b)
    out_a, out_b = [], []
    for _, i1, i2, j1, j2 in blocks:
        a0, a1 = _trim(norm_a, i1, i2)
        b0, b1 = _trim(norm_b, j1, j2)
        if a1 > a0:
            out_a.append((spans_a[a0][0], spans_a[a1 - 1][1]))
        if b1 > b0:
            out_b.append((spans_b[b0][0], spans_b[b1 - 1][1]))
    return out_a, out_b


def _pair_substitutions(text_a: str, text_b: str, max_tokens: int, min_ratio: float, stop: frozenset,
                        include_indels: bool, edges: bool):
    """Yield (surface_a, surface_b, norm_a, norm_b, kind, start_a, start_b) for one aligned sentence pair.

    Aligned sentences of different outlets are usually paraphrases, not copies, so a change counts when
    it sits in the same slot of both sentences: between two matching stretches ("anchors") that hold at
    least two content words together ("troops [near | along] its border with Ukraine"), or anywhere when
    the sentences match as a whole (word ratio of at least 0.5). ``kind`` is "slot" for such a change of
    at most ``max_tokens`` words on each side, and "edge" for the two words right next to an anchor of at
    least two content words inside a longer rewrite ("Russia [seized] | Moscow [annexed] Ukraine's
    Crimean Peninsula").
    """
    spans_a, norm_a = _sentence_tokens(text_a)
    spans_b, norm_b = _sentence_tokens(text_b)
    matcher, blocks = _diff_blocks(norm_a, norm_b)
    words_a = [t for t in norm_a if _is_word(t)]
    words_b = [t for t in norm_b if _is_word(t)]
    if not words_a or not words_b:
        return
    ratio = SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()
    if ratio < min_ratio:
        return
    whole_match = ratio >= 0.5
    content = lambda t: _is_word(t) and t not in stop and not _is_number(t)  # noqa: E731
    # Anchors: equal stretches, keyed by where they end and start, with their number of content words.
    weight_before, weight_after = {}, {}
    for i, j, size in matcher.get_matching_blocks():
        if size:
            weight = sum(content(t) for t in norm_a[i:i + size])
            weight_before[(i + size, j + size)] = weight
            weight_after[(i, j)] = weight

    def surface(text, spans, i0, i1):
        return text[spans[i0][0]:spans[i1 - 1][1]] if i1 > i0 else ""

    def token(text, spans, i):
        return text[spans[i][0]:spans[i][1]]

    def start(spans, i0, i1):
        return spans[i0][0] if i1 > i0 else -1

    for _, i1, i2, j1, j2 in blocks:
        left_w, right_w = weight_before.get((i1, j1)), weight_after.get((i2, j2))
        left, right = (left_w or 0) >= 2, (right_w or 0) >= 2  # strong enough for an edge word
        anchored = left_w is not None and right_w is not None and left_w + right_w >= 2
        a0, a1 = _trim(norm_a, i1, i2)
        b0, b1 = _trim(norm_b, j1, j2)
        wa = [t for t in norm_a[a0:a1] if _is_word(t)]
        wb = [t for t in norm_b[b0:b1] if _is_word(t)]
        if len(wa) > max_tokens or len(wb) > max_tokens:
            # A longer rewrite: only the words right next to a content anchor, if both are content words.
            if edges and wa and wb:
                if right and content(norm_a[a1 - 1]) and content(norm_b[b1 - 1]) and norm_a[a1 - 1] != norm_b[b1 - 1]:
                    yield (token(text_a, spans_a, a1 - 1), token(text_b, spans_b, b1 - 1), norm_a[a1 - 1],
                           norm_b[b1 - 1], "edge", spans_a[a1 - 1][0], spans_b[b1 - 1][0])
                if left and content(norm_a[a0]) and content(norm_b[b0]) and norm_a[a0] != norm_b[b0] \
                        and (a0 != a1 - 1 or not right):
                    yield (token(text_a, spans_a, a0), token(text_b, spans_b, b0), norm_a[a0], norm_b[b0], "edge",
                           spans_a[a0][0], spans_b[b0][0])
            continue
        if not (whole_match or anchored):
            continue  # a change between unrelated stretches of a loose alignment
        if not wa and not wb:
            continue
        if (not wa or not wb) and not include_indels:
            continue
        if all(t in stop for t in wa + wb):
            continue  # "the" / "a": grammar, not framing
        if all(_is_number(t) for t in wa + wb):
            continue  # different numbers are different facts, not different words
        if wa and wb and len(wa) == len(wb) and a1 - a0 == len(wa) and b1 - b0 == len(wb) and len(wa) > 1:
            # Word-for-word replacement ("Kiev claims" / "Kyiv said"): count each word pair.
            for k in range(len(wa)):
                if wa[k] == wb[k] or (wa[k] in stop and wb[k] in stop):
                    continue
                yield (token(text_a, spans_a, a0 + k), token(text_b, spans_b, b0 + k), wa[k], wb[k], "slot",
                       spans_a[a0 + k][0], spans_b[b0 + k][0])
            continue
        yield (surface(text_a, spans_a, a0, a1), surface(text_b, spans_b, b0, b1), " ".join(norm_a[a0:a1]),
               " ".join(norm_b[b0:b1]), "slot", start(spans_a, a0, a1), start(spans_b, b0, b1))


def substitutions(corpus, sentence_alignments: pd.DataFrame, *, max_tokens: int = 3, min_ratio: float = 0.0,
                  edges: bool = True, same_outlet: bool = False, include_indels: bool = False, examples: int = 3,
                  aggregate: bool = True, stop_words=None, n_jobs=None) -> pd.DataFrame:
    """Words that differ between otherwise matching sentences of different outlets, per outlet pair.

    For every aligned sentence pair (same fact, two articles), the normalised tokens (case, apostrophes,
    quotes, possessives) are compared with :class:`difflib.SequenceMatcher`. A replaced run of at most
    ``max_tokens`` words on both sides is a substitution ("Kiev" / "Kyiv", "regime" / "government",
    "military bloc" / "alliance") when it sits between matching stretches of which one holds a content
    word ("troops [near | along] its border with Ukraine"), or anywhere when the two sentences match as a
    whole (word ratio of at least 0.5). Word-for-word runs count per word ("Kiev claims" / "Kyiv said"
    gives Kiev / Kyiv and claims / said). Inside a longer rewrite, with ``edges=True``, the two content
    words right next to a matching content stretch also count ("Russia seized | Moscow annexed
    Ukraine's Crimean Peninsula" gives seized / annexed): aligned sentences of different outlets are
    mostly paraphrases, and this is where their word choices show. Insertions, deletions and longer
    rewrites are otherwise ignored, as are changes of stop words only and of numbers only. Directions are
    normalised: ``outlet_a`` sorts before ``outlet_b``.

    Parameters
    ----------
    corpus : Corpus
        Supplies the outlet of each article.
    sentence_alignments : pandas.DataFrame
        ``fact_id``, ``article_a``, ``sent_a``, ``text_a``, ``article_b``, ``sent_b``, ``text_b`` (and
        ``similarity``), e.g. ``framing.align.align_events(corpus).sentence_alignments``.
    max_tokens : int, default 3
        Longest substituted phrase, in words, on either side.
    min_ratio : float, default 0.0
        Skip aligned pairs whose share of matching words (SequenceMatcher ratio) is below this.
    edges : bool, default True
        Also count the words next to a matching stretch inside longer rewrites (``kind`` "edge").
    same_outlet : bool, default False
        Also count pairs of two articles from the same outlet.
    include_indels : bool, default False
        Also count short insertions and deletions (one side empty).
    examples : int, default 3
        Number of example references per row.
    aggregate : bool, default True
        With False, return one row per occurrence instead of counts.
    stop_words : collection of str, optional
        Words whose changes do not count (default: the stop words of :mod:`framing.text`).
    n_jobs : int, optional
        Processes for more than 20,000 pairs (scikit-learn convention: -1 uses every core); the result
        does not depend on it.

    Returns
    -------
    pandas.DataFrame
        ``outlet_a``, ``outlet_b``, ``word_a``, ``word_b`` (as most often written), ``count``, ``examples``
        ("fact_id:article_a/sent_a~article_b/sent_b", separated by "; "), then ``kind`` ("slot", "edge"
        or "edge,slot": how the occurrences were found), ``pairs`` (aligned sentence pairs of the two
        outlets), ``example_a`` and ``example_b`` (the first example's sentences, the word in [brackets]).
        Sorted by outlet pair, count (highest first) and words. With ``aggregate=False``: ``fact_id``,
        ``article_a``, ``sent_a``, ``article_b``, ``sent_b``, ``outlet_a``, ``outlet_b``, ``word_a``,
        ``word_b``, ``kind``.

    Examples
    --------
    >>> import pandas as pd
    >>> from framing import load_corpus
    >>> pairs = pd.DataFrame({"fact_id": [0], "article_a": ["004_25c19a2463a9116a"], "sent_a": [4],
    ...     "text_a": ["Kiev claims the republics are being propped up by Russia."],
    ...     "article_b": ["002_36b4d977e9af38c7"], "sent_b": [9],
    ...     "text_b": ["Kyiv said the separatists are being propped up by Russia."], "similarity": [0.8]})
    >>> substitutions(load_corpus(), pairs)[["outlet_a", "outlet_b", "word_a", "word_b"]].values.tolist()
    [['RFE/RL', 'RT', 'Kyiv', 'Kiev'], ['RFE/RL', 'RT', 'said', 'claims'], ['RFE/RL', 'RT', 'separatists', 'republics']]
    """
    _check_corpus(corpus, "substitutions")
    needed = ["fact_id", "article_a", "sent_a", "text_a", "article_b", "sent_b", "text_b"]
    if not isinstance(sentence_alignments, pd.DataFrame):
        raise FramingError("substitutions: sentence_alignments must be a DataFrame (the sentence_alignments of "
                           "framing.align.align_events).")
    missing = [c for c in needed if c not in sentence_alignments.columns]
    if missing:
        raise FramingError(f"substitutions: sentence_alignments lacks the column(s) {', '.join(missing)}; pass "
                           "the sentence_alignments of framing.align.align_events.")
    stop = _text.STOP_WORDS if stop_words is None else frozenset(stop_words)
    outlet_of = dict(zip(corpus.articles["id"].astype(str), corpus.articles["outlet"].fillna("unknown")))
    pairs = []
    pair_counts: Counter = Counter()
    for row in sentence_alignments[needed].itertuples(index=False):
        fact, art_a, sent_a, text_a, art_b, sent_b, text_b = row
        oa, ob = outlet_of.get(str(art_a)), outlet_of.get(str(art_b))
        if oa is None or ob is None or not isinstance(text_a, str) or not isinstance(text_b, str):
            continue
        if oa == ob and not same_outlet:
            continue
        swap = ob < oa
        if swap:
            oa, ob, art_a, art_b, sent_a, sent_b, text_a, text_b = ob, oa, art_b, art_a, sent_b, sent_a, text_b, text_a
        pair_counts[(oa, ob)] += 1
        pairs.append((fact, art_a, sent_a, art_b, sent_b, oa, ob, text_a, text_b))
    occ = parallel_map(_substitutions_chunk, pairs, n_jobs=n_jobs, chunk_size=2000, min_items=20_000,
                       shared=(max_tokens, min_ratio, stop, include_indels, edges))
    cols = ["fact_id", "article_a", "sent_a", "article_b", "sent_b", "outlet_a", "outlet_b", "word_a", "word_b",
            "kind"]
    if not occ:
        if aggregate:
            return pd.DataFrame(columns=SUBSTITUTION_COLUMNS + ["kind", "pairs", "example_a", "example_b"])
        return pd.DataFrame(columns=cols)
    frame = pd.DataFrame(occ, columns=cols + ["norm_a", "norm_b", "text_a", "text_b", "pos_a", "pos_b"])
    if not aggregate:
        return frame[cols]
    # Display the form most often written for each normalised word.
    shown = {}
    for side in ("a", "b"):
        best = (frame.groupby([f"norm_{side}", f"word_{side}"]).size().reset_index(name="k")
                .sort_values([f"norm_{side}", "k", f"word_{side}"], ascending=[True, False, True])
                .drop_duplicates(f"norm_{side}"))
        shown[side] = dict(zip(best[f"norm_{side}"], best[f"word_{side}"]))
    # One row per outlet pair and word pair; occurrences keep their order, so the examples are the first.
    keys = ["outlet_a", "outlet_b", "norm_a", "norm_b"]
    grouped = frame.groupby(keys, sort=True)
    nth = grouped.cumcount().to_numpy()
    refs = (frame["fact_id"].astype(str) + ":" + frame["article_a"].astype(str) + "/" + frame["sent_a"].astype(str)
            + "~" + frame["article_b"].astype(str) + "/" + frame["sent_b"].astype(str))
    firsts = frame[nth == 0].set_index(keys)
    agg = pd.DataFrame({
        "count": grouped.size(),
        "examples": refs[nth < examples].groupby([frame[k][nth < examples] for k in keys], sort=True).agg("; ".join),
        "kind": grouped["kind"].agg(lambda k: ",".join(sorted(set(k)))),
    }).join(firsts[["text_a", "word_a", "pos_a", "text_b", "word_b", "pos_b"]]).reset_index()
    agg["examples"] = agg["examples"].fillna("")  # examples=0
    out = pd.DataFrame({
        "outlet_a": agg["outlet_a"], "outlet_b": agg["outlet_b"],
        "word_a": agg["norm_a"].map(shown["a"]), "word_b": agg["norm_b"].map(shown["b"]),
        "count": agg["count"].astype(int), "examples": agg["examples"], "kind": agg["kind"],
        "pairs": [pair_counts[(a, b)] for a, b in zip(agg["outlet_a"], agg["outlet_b"])],
        "example_a": [_mark(t, w, p) for t, w, p in zip(agg["text_a"], agg["word_a"], agg["pos_a"])],
        "example_b": [_mark(t, w, p) for t, w, p in zip(agg["text_b"], agg["word_b"], agg["pos_b"])],
    })[SUBSTITUTION_COLUMNS + ["kind", "pairs", "example_a", "example_b"]]
    out = out.sort_values(["outlet_a", "outlet_b", "count", "word_a", "word_b"],
                          ascending=[True, True, False, True, True], kind="stable")
    return out.reset_index(drop=True)


def _substitutions_chunk(options, pairs) -> list:
    """Occurrences of :func:`substitutions` in a chunk of oriented pairs (for :func:`parallel_map`)."""
    occ = []
    for fact, art_a, sent_a, art_b, sent_b, oa, ob, text_a, text_b in pairs:
        for sa, sb, na, nb, kind, pos_a, pos_b in _pair_substitutions(text_a, text_b, *options):
            occ.append((fact, art_a, sent_a, art_b, sent_b, oa, ob, sa, sb, kind, na, nb, text_a, text_b, pos_a,
                        pos_b))
    return occ


def _mark(sentence: str, word: str, start: int, width: int = 160) -> str:
    """The sentence with ``word`` (at ``start``) in [brackets], shortened around it."""
    if not word or start < 0:
        return sentence[:width]
    k = int(start)
    marked = f"{sentence[:k]}[{word}]{sentence[k + len(word):]}"
    if len(marked) <= width:
        return marked
    begin = max(0, k - width // 2)
    return ("…" if begin else "") + marked[begin:begin + width] + "…"
