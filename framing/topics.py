"""Topic models of a news corpus: which subjects each outlet and each event covers, and how much.

:func:`fit_topics` turns a :class:`~framing.corpus.Corpus` into bags of words (stop words out, multi-word
phrases such as "Nord Stream" or "White House" joined with gensim's ``Phrases``, optional Snowball
stemming), fits gensim's LDA (or scikit-learn's NMF on TF-IDF), picks the number of topics by c_v
coherence when asked (``k="auto"``), and returns a :class:`TopicModel` of tidy DataFrames: topic terms
ranked by LDAvis relevance and shown in their written form, document and article topic shares,
per-outlet prevalence with bootstrap confidence intervals, the coherence curve over k, and the most
typical passages of each topic; :meth:`TopicModel.by_event` gives topic shares per aligned event.

Small corpora are normal in class: with fewer than ``min_articles`` articles (default 100), the
documents of the model are paragraphs (or windows of a few sentences when the texts have no paragraph
breaks), and :attr:`TopicModel.notes` says so. Topic shares are reported per article as well, so the
prevalence and per-event tables mean the same whatever the unit.

Memory: the texts are read once, a chunk of 2,000 documents at a time (in ``n_jobs`` processes), into
one sparse count matrix (scipy CSR, 8 bytes per distinct word of a document: about 85 MB for 37,554
articles). gensim streams the documents out of it a chunk at a time (:class:`_CsrCorpus`), so no list
of all bags of words is ever held. Phrases are learned on a sample of about two million tokens, and
coherence is measured on the token sequences of a sample of documents.
"""

from __future__ import annotations

import logging
import math
import re
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from . import text as _text
from .errors import FramingError
from .parallel import effective_n_jobs

__all__ = ["TopicModel", "fit_topics", "load_topic_stop_words", "RELEVANCE_LAMBDA"]

logger = logging.getLogger(__name__)

RELEVANCE_LAMBDA = 0.6
"""λ of the LDAvis relevance used to rank topic terms (Sievert & Shirley 2014 found 0.6 best for
readers): ``λ·log p(w|t) + (1-λ)·log(p(w|t)/p(w))``."""

_UNITS = ("auto", "article", "paragraph", "window")
_METHODS = ("auto", "lda", "nmf")
_BREAK = "\x00"  # stands for punctuation and stop words: phrases never span one
_PHRASE_DELIMITER = " "  # tokens never contain spaces, so "nord stream" cannot collide with a token
_CONNECTOR_WORDS = frozenset({"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the",
                              "to", "with", "without"})  # gensim's ENGLISH_CONNECTOR_WORDS
# "US" is the United States, not the pronoun, in news copy; it is merged with "U.S.".
_CASED_ALIASES = {"US": "u.s."}
_WORD_START = re.compile(r"[^\W\d_]|[@#]")


# ----------------------------------------------------------------------------------------- stop words

@lru_cache(maxsize=1)
def _default_extra_stop_words() -> frozenset[str]:
    path = resources.files("framing.data").joinpath("topic_stopwords.txt")
    return frozenset(_read_word_list(path.read_text("utf-8")))


def _read_word_list(content: str) -> list[str]:
    out = []
    for line in content.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(_text.normalize_text(line))
    return out


def load_topic_stop_words(extra=None) -> frozenset[str]:
    """Return the stop words of the topic models: scikit-learn's English list
    (:data:`framing.text.STOP_WORDS`), ``framing/data/topic_stopwords.txt`` and ``extra``.

    Parameters
    ----------
    extra : iterable of str, or path of a word-list file, optional
        More words to leave out (one per line in a file; ``#`` starts a comment).

    Examples
    --------
    >>> words = load_topic_stop_words(["kremlin"])
    >>> "said" in words, "the" in words, "kremlin" in words, "nato" in words
    (True, True, True, False)
    """
    words = set(_text.STOP_WORDS) | _default_extra_stop_words()
    if extra is None:
        return frozenset(words)
    if isinstance(extra, (str, Path)):
        path = Path(extra)
        if not path.is_file():
            raise FramingError(f"{extra}: no such stop-word file; give a text file with one word per line "
                               "or a list of words.")
        words.update(_read_word_list(path.read_text("utf-8")))
    else:
        words.update(_text.normalize_text(str(w)).strip() for w in extra)
    return frozenset(words)


# -------------------------------------------------------------------------------------- preprocessing

_MISSING = object()


class _Tokens:
    """Turns tokenised text into lower-case content tokens with phrases joined.

    One per process: it caches the key of every raw token it has seen (a few hundred thousand
    strings for a large corpus), which makes the per-token work a dictionary look-up."""

    def __init__(self, stop_words: frozenset[str], phrasegrams: dict | None = None):
        self.stop_words = stop_words
        self._cache: dict[str, str | None] = {}
        self.phrasegrams = dict(phrasegrams or {})
        # first word -> {following words (connectors included) -> joined phrase}
        self._starts: dict[str, dict[tuple[str, ...], str]] = {}
        for gram in self.phrasegrams:
            first, *rest = gram.split(_PHRASE_DELIMITER)
            self._starts.setdefault(first, {})[tuple(rest)] = gram

    def classify(self, raw: str) -> str | None:
        """Lower-case key of a raw token; a connector word as itself; ``None`` for a phrase break."""
        key = self._cache.get(raw, _MISSING)
        if key is not _MISSING:
            return key
        key = None
        if _WORD_START.match(raw):
            if raw in _CASED_ALIASES:
                key = _CASED_ALIASES[raw]
            else:
                key = _text.normalize_token(raw)
                if key in _CONNECTOR_WORDS:
                    pass
                elif key in self.stop_words or len(key) < 2 or not any(c.isalpha() for c in key):
                    key = None
        self._cache[raw] = key
        return key

    def stream(self, raw_tokens: list[str], raws: list | None = None) -> list[str]:
        """Lower-case tokens with one ``_BREAK`` for each run of punctuation, numbers and stop words.

        With ``raws``, the raw token behind each element is appended to it (``None`` for a break)."""
        out: list[str] = []
        append = out.append
        cache_get = self._cache.get
        last_break = True
        for raw in raw_tokens:
            key = cache_get(raw, _MISSING)
            if key is _MISSING:
                key = self.classify(raw)
            if key is None:
                if not last_break:
                    append(_BREAK)
                    last_break = True
                    if raws is not None:
                        raws.append(None)
            else:
                append(key)
                last_break = False
                if raws is not None:
                    raws.append(raw)
        return out

    def content(self, raw_tokens: list[str], phrase_forms: Counter | None = None) -> list[str]:
        """Content tokens of tokenised text: phrases joined, connector words and breaks dropped.

        Phrases are joined as gensim's ``FrozenPhrases`` joins them (greedily, left to right, with
        connector words allowed inside), with one dictionary look-up per token instead of one string
        join per pair; ``tests/test_topics.py`` checks that both agree. ``phrase_forms`` counts the
        written form of each joined phrase ("New York", not "new York")."""
        raws = [] if phrase_forms is not None else None
        stream = self.stream(raw_tokens, raws)
        connectors = _CONNECTOR_WORDS
        starts = self._starts
        if not starts:
            return [t for t in stream if t != _BREAK and t not in connectors]
        out: list[str] = []
        append = out.append
        i, n = 0, len(stream)
        while i < n:
            word = stream[i]
            following = starts.get(word)
            if following is not None:
                j = i + 1
                while j < n and stream[j] in connectors:
                    j += 1
                if j < n:
                    phrase = following.get(tuple(stream[i + 1:j + 1]))
                    if phrase is not None:
                        append(phrase)
                        if phrase_forms is not None:
                            phrase_forms[(phrase, " ".join(_surface_form(r) for r in raws[i:j + 1]))] += 1
                        i = j + 1
                        continue
            if word != _BREAK and word not in connectors:
                append(word)
            i += 1
        return out

    def surface_keys(self):
        """``(raw token, key)`` for every content word seen (connectors excluded)."""
        return [(raw, key) for raw, key in self._cache.items()
                if key is not None and key not in _CONNECTOR_WORDS]


def _segments(stream: list[str]) -> list[list[str]]:
    out, cur = [], []
    for t in stream:
        if t == _BREAK:
            if len(cur) > 1:
                out.append(cur)
            cur = []
        else:
            cur.append(t)
    if len(cur) > 1:
        out.append(cur)
    return out


def _learn_phrases(texts: list[str], tokens: _Tokens, *, min_count: int, threshold: float) -> dict:
    """Learn multi-word phrases with gensim (normalised PMI score) and return their phrasegrams."""
    from gensim.models.phrases import Phrases

    segments = []
    for text in texts:
        segments.extend(_segments(tokens.stream(_text.tokenize(text))))
    if not segments:
        return {}
    model = Phrases(segments, min_count=min_count, threshold=threshold, scoring="npmi",
                    delimiter=_PHRASE_DELIMITER, connector_words=_CONNECTOR_WORDS)
    grams = {g: s for g, s in model.export_phrases().items() if _BREAK not in g}
    return _drop_title_fragments(grams, segments)


def _drop_title_fragments(grams: dict, segments: list[list[str]]) -> dict:
    """Drop a phrase "a b" that mostly runs on into another phrase "b c".

    Phrases are joined left to right, so in "President Vladimir Putin" the pair "president vladimir"
    would be joined and "vladimir putin" lost. When at least half the occurrences of "a b" go on into a
    phrase "b c", "a b" is a title fragment ("president vladimir", "state antony") and is dropped."""
    pairs = {tuple(g.split(_PHRASE_DELIMITER)) for g in grams if g.count(_PHRASE_DELIMITER) == 1}
    firsts = {a for a, _ in pairs}
    risky = {(a, b) for (a, b) in pairs if b in firsts}
    if not risky:
        return grams
    seen: Counter = Counter()
    onward: Counter = Counter()
    for seg in segments:
        for i in range(len(seg) - 1):
            pair = (seg[i], seg[i + 1])
            if pair in risky:
                seen[pair] += 1
                if i + 2 < len(seg) and (seg[i + 1], seg[i + 2]) in pairs:
                    onward[pair] += 1
    drop = {_PHRASE_DELIMITER.join(p) for p in risky if seen[p] and onward[p] >= 0.5 * seen[p]}
    return {g: s for g, s in grams.items() if g not in drop}


_COUNT_CHUNK = 2000  # documents counted per task (and per worker process round trip)


def _count_chunk(texts: list[str], stop_words, phrasegrams, keep: frozenset[int]) -> dict:
    """Count the content tokens of ``texts``: chunk-local vocabulary, CSR arrays, written forms and the
    token sequences of the documents in ``keep`` (for the c_v coherence). Runs in worker processes."""
    tokens = _Tokens(stop_words, phrasegrams)
    vocab: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    counts: list[int] = []
    raw_counts: Counter = Counter()
    phrase_forms: Counter = Counter()
    sequences = {}
    for i, text in enumerate(texts):
        raw = _text.tokenize(text)
        raw_counts.update(raw)
        content = tokens.content(raw, phrase_forms)
        for tok, n in Counter(content).items():
            idx = vocab.get(tok)
            if idx is None:
                idx = vocab[tok] = len(vocab)
            indices.append(idx)
            counts.append(n)
        indptr.append(len(indices))
        if i in keep:
            sequences[i] = content
    surfaces: Counter = Counter(phrase_forms)
    for raw, key in tokens.surface_keys():
        n = raw_counts.get(raw)
        if n:
            surfaces[(key, _surface_form(raw))] += n
    return {"vocab": list(vocab), "indptr": np.asarray(indptr, dtype=np.int64),
            "indices": np.asarray(indices, dtype=np.int32), "counts": np.asarray(counts, dtype=np.int32),
            "surfaces": dict(surfaces), "sequences": sequences}


@lru_cache(maxsize=200_000)
def _surface_form(raw: str) -> str:
    found = _text.words(raw, lower=False)
    return found[0] if found else raw


@dataclass
class _BagOfWords:
    """The documents as counts over the model vocabulary."""

    counts: sparse.csr_matrix  # documents × terms, int32
    tokens: list[str]  # model keys (lower case, phrases joined by a space; stems when stemming)
    labels: list[str]  # readable surface forms, one per token
    sequences: dict[int, list[str]]  # token sequences of the coherence sample (by document row)
    phrasegrams: dict
    stop_words: frozenset[str]
    stem_map: dict[str, str] | None
    notes: list[str] = field(default_factory=list)


def _build_bag_of_words(texts: list[str], *, stop_words, phrases: bool, stem: bool, min_df, max_df,
                        max_terms: int, coherence_docs: int, random_state: int, n_jobs: int,
                        small: bool) -> _BagOfWords:
    if not isinstance(texts, _Texts):
        texts = _Texts(list(texts))
    n_docs = len(texts)
    rng = np.random.default_rng(random_state)
    notes: list[str] = []
    phrasegrams: dict = {}
    if phrases:
        # A sample of about two million tokens finds the frequent phrases as well as the whole corpus
        # does, in bounded time and memory (gensim's Phrases vocabulary grows with every new bigram).
        lengths = texts.lengths()
        order = rng.permutation(n_docs)
        budget = 12_000_000  # characters, about two million tokens
        take = order[: max(1, int(np.searchsorted(np.cumsum(lengths[order]), budget)) + 1)]
        sample = [texts[i] for i in np.sort(take)]
        n_tokens = sum(len(t) for t in sample) / 6
        min_count = 3 if n_tokens < 200_000 else 10
        phrasegrams = _learn_phrases(sample, _Tokens(stop_words), min_count=min_count, threshold=0.5)

    keep = np.sort(rng.choice(n_docs, size=min(coherence_docs, n_docs), replace=False))
    chunk = _COUNT_CHUNK
    starts = list(range(0, n_docs, chunk))
    tasks = ((texts[s:s + chunk], frozenset((keep[(keep >= s) & (keep < s + chunk)] - s).tolist()))
             for s in starts)
    if n_jobs > 1 and len(starts) > 1:
        from joblib import Parallel, delayed

        # Chunk results are merged as they come back, in order, so only a few are held at once.
        results = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator", pre_dispatch="2*n_jobs")(
            delayed(_count_chunk)(t, stop_words, phrasegrams, k) for t, k in tasks)
    else:
        results = (_count_chunk(t, stop_words, phrasegrams, k) for t, k in tasks)

    # Merge the chunk vocabularies into one; columns are renumbered through a lookup array.
    vocab: dict[str, int] = {}
    parts_indices, parts_data, indptr = [], [], [np.zeros(1, dtype=np.int64)]
    offset = 0
    surfaces: Counter = Counter()
    sequences: dict[int, list[str]] = {}
    for s, res in zip(starts, results):
        lookup = np.fromiter((vocab.setdefault(t, len(vocab)) for t in res["vocab"]), dtype=np.int32,
                             count=len(res["vocab"]))
        parts_indices.append(lookup[res["indices"]])
        parts_data.append(res["counts"])
        indptr.append(res["indptr"][1:] + offset)
        offset += len(res["indices"])
        surfaces.update(res["surfaces"])
        sequences.update({s + i: seq for i, seq in res["sequences"].items()})
        del res
    tokens = list(vocab)
    counts = sparse.csr_matrix((np.concatenate(parts_data) if parts_data else np.zeros(0, np.int32),
                                np.concatenate(parts_indices) if parts_indices else np.zeros(0, np.int32),
                                np.concatenate(indptr)), shape=(n_docs, len(tokens)))
    counts.sort_indices()
    labels = _readable_labels(tokens, surfaces, counts)

    stem_map = None
    if stem and tokens:
        counts, tokens, labels, stem_map = _stem_columns(counts, tokens, labels)
        sequences = {i: [stem_map[t] for t in seq] for i, seq in sequences.items()}

    # Vocabulary pruning by document frequency.
    df = np.bincount(counts.indices, minlength=len(tokens))
    tf = np.asarray(counts.sum(axis=0)).ravel()
    if min_df is None:
        min_df = 2 if small or n_docs < 1000 else 5
    min_docs = min_df if isinstance(min_df, (int, np.integer)) else math.ceil(min_df * n_docs)
    if max_df is None:
        max_df = 1.0 if small else 0.5
    max_docs = max_df * n_docs if isinstance(max_df, float) else max_df
    keep_terms = (df >= max(1, min_docs)) & (df <= max_docs)
    if not keep_terms.any() and len(tokens):
        # A tiny text: keep what there is rather than leaving nothing to model.
        keep_terms = df >= 1
    if keep_terms.sum() > max_terms:
        rank = np.lexsort((np.arange(len(tokens)), -tf, ~keep_terms))
        keep_terms = np.zeros(len(tokens), dtype=bool)
        keep_terms[rank[:max_terms]] = True
    n_dropped_common = int(((df > max_docs) & (df >= min_docs)).sum())
    if n_dropped_common and not small:
        common = [labels[i] for i in np.argsort(-df)[:n_dropped_common][:5]]
        notes.append(f"Left out {n_dropped_common} word(s) found in more than {max_df:.0%} of the documents "
                     f"(e.g. {', '.join(common)}).")
    cols = np.flatnonzero(keep_terms)
    counts = counts[:, cols].tocsr()
    tokens = [tokens[i] for i in cols]
    labels = [labels[i] for i in cols]
    return _BagOfWords(counts, tokens, labels, sequences, phrasegrams, stop_words, stem_map, notes)


def _readable_labels(tokens: list[str], surfaces: Counter, counts) -> list[str]:
    """The most frequent written form of each token ("NATO", "Nord Stream", "Biden"); ties by name."""
    best: dict[str, tuple[int, str]] = {}
    for (key, form), n in surfaces.items():
        cur = best.get(key)
        if cur is None or n > cur[0] or (n == cur[0] and form < cur[1]):
            best[key] = (n, form)
    out = []
    for tok in tokens:
        if tok in best:
            out.append(best[tok][1])
        else:  # a phrase: the written forms of its words
            out.append(_PHRASE_DELIMITER.join(best.get(p, (0, p))[1] for p in tok.split(_PHRASE_DELIMITER)))
    return out


def _stem_columns(counts, tokens, labels):
    """Merge the columns of words with the same Snowball stem; label each stem by its most frequent word."""
    from nltk.stem.snowball import SnowballStemmer

    stemmer = SnowballStemmer("english")
    cache: dict[str, str] = {}

    def stem_token(tok: str) -> str:
        return _PHRASE_DELIMITER.join(cache.setdefault(p, stemmer.stem(p)) for p in tok.split(_PHRASE_DELIMITER))

    stems = [stem_token(t) for t in tokens]
    uniq = sorted(set(stems))
    index = {s: i for i, s in enumerate(uniq)}
    col = np.fromiter((index[s] for s in stems), dtype=np.int64, count=len(stems))
    merge = sparse.csr_matrix((np.ones(len(stems), dtype=np.int32), (np.arange(len(stems)), col)),
                              shape=(len(stems), len(uniq)))
    tf = np.asarray(counts.sum(axis=0)).ravel()
    merged = (counts @ merge).tocsr()
    best_label: dict[int, tuple[int, str]] = {}
    for j, (c, lab) in enumerate(zip(col, labels)):
        cur = best_label.get(c)
        if cur is None or tf[j] > cur[0] or (tf[j] == cur[0] and lab < cur[1]):
            best_label[c] = (tf[j], lab)
    new_labels = [best_label[i][1] for i in range(len(uniq))]
    stem_map = dict(zip(tokens, stems))
    return merged, uniq, new_labels, stem_map


# -------------------------------------------------------------------------------------------- documents

def _article_frame(corpus) -> pd.DataFrame:
    arts = corpus.articles if hasattr(corpus, "articles") else corpus
    if not isinstance(arts, pd.DataFrame) or "text" not in arts.columns:
        raise FramingError("corpus: expected a framing Corpus (from framing.load_corpus) or a DataFrame with "
                           "a `text` column; load your articles with framing.load_corpus(path).")
    arts = arts.reset_index(drop=True)
    if "id" not in arts.columns:
        arts = arts.assign(id=[f"doc{i:05d}" for i in range(len(arts))])
    arts = arts.assign(id=arts["id"].astype(str))
    if arts["id"].duplicated().any():
        dup = arts.loc[arts["id"].duplicated(), "id"].iloc[0]
        raise FramingError(f"corpus: article id {dup!r} occurs more than once; give each article its own id "
                           "(framing.load_corpus does).")
    outlets = arts["outlet"] if "outlet" in arts.columns else pd.Series("unknown", index=arts.index)
    return arts.assign(outlet=outlets.fillna("unknown").astype(str))


def _passages(text: str, spans: list[tuple[int, int]], min_words: int) -> list[tuple[int, int]]:
    """Merge consecutive spans until each has ``min_words`` words (a subhead joins its paragraph)."""
    out: list[list[int]] = []
    words = 0
    for s, e in spans:
        n = len(text[s:e].split())
        if out and words < min_words:
            out[-1][1] = e
            words += n
        else:
            out.append([s, e])
            words = n
    if len(out) > 1 and words < min_words:  # a short tail joins the passage before it
        out[-2][1] = out[-1][1]
        out.pop()
    return [(s, e) for s, e in out]


def _sentence_windows(text: str, size: int, min_words: int) -> list[tuple[int, int]]:
    sents = _text.split_sentences(text)
    windows = [(sents[i][0], sents[min(i + size, len(sents)) - 1][1]) for i in range(0, len(sents), size)]
    return _passages(text, windows, min_words)


class _Texts:
    """The texts of the documents, made on demand.

    An article is modelled with its headline, but joining every headline to its body up front would
    copy the whole corpus; here they are joined a chunk at a time, as the counting reaches them."""

    def __init__(self, bodies: list[str], titles: list | None = None):
        self.bodies = bodies
        self.titles = titles

    def __len__(self) -> int:
        return len(self.bodies)

    def _one(self, i: int) -> str:
        title = self.titles[i] if self.titles is not None else None
        body = self.bodies[i]
        return f"{title}\n{body}" if isinstance(title, str) and title.strip() else body

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._one(i) for i in range(*index.indices(len(self)))]
        return self._one(int(index))

    def lengths(self) -> np.ndarray:
        return np.fromiter((len(b) + (len(t) if isinstance(t, str) else 0)
                            for b, t in zip(self.bodies, self.titles or [None] * len(self))),
                           dtype=np.int64, count=len(self))


def _documents(arts: pd.DataFrame, unit: str, *, min_articles: int,
               min_words: int) -> tuple[pd.DataFrame, _Texts, str, list[str]]:
    """Split the articles into the documents of the model; returns (documents, texts, unit, notes).

    ``documents`` has a ``text`` column for passages only (articles are read from ``arts``)."""
    n_art = len(arts)
    notes: list[str] = []
    # References to the corpus's own strings: no copy of the texts is made here.
    texts = [t if isinstance(t, str) else "" for t in arts["text"].to_numpy(dtype=object)]
    chosen_for_user = unit == "auto"
    if unit == "auto":
        if n_art >= min_articles:
            unit = "article"
        else:
            n_paras = [len(_text.split_paragraphs(t)) for t in texts]
            unit = "paragraph" if np.median(n_paras) >= 3 else "window"
    rows = []
    if unit == "article":
        # The headline is part of what the article is about; it is modelled with the body.
        titles = arts["title"].to_numpy(dtype=object).tolist() if "title" in arts.columns else None
        docs = pd.DataFrame({"doc_id": arts["id"].to_numpy(), "article_id": arts["id"].to_numpy(),
                             "unit": unit, "outlet": arts["outlet"].to_numpy(), "start": 0,
                             "end": np.fromiter(map(len, texts), dtype=np.int64, count=n_art)})
        return docs, _Texts(texts, titles), unit, notes
    else:
        size = 3
        while True:
            rows = []
            for aid, outlet, text in zip(arts["id"], arts["outlet"], texts):
                if unit == "paragraph":
                    spans = _passages(text, _text.split_paragraphs(text), min_words)
                else:
                    spans = _sentence_windows(text, size, min_words if size > 1 else 1)
                tag = "p" if unit == "paragraph" else "w"
                for j, (s, e) in enumerate(spans):
                    rows.append((f"{aid}#{tag}{j}", aid, outlet, s, e, text[s:e]))
            # A handful of short paragraphs or windows is still too few documents: go down to sentences.
            if len(rows) >= 12 or (unit == "window" and size == 1):
                break
            if unit == "paragraph":
                unit = "window"
            else:
                size -= 1
        what = {"paragraph": "paragraphs", "window": "passages of up to three sentences" if size > 1
                else "sentences"}[unit]
        if unit == "window" and size == 2:
            what = "passages of up to two sentences"
        if chosen_for_user:
            notes.append(f"{n_art} article{'s are' if n_art != 1 else ' is'} too few to model as documents; "
                         f"modelled {len(rows)} {what} instead (topic shares are reported per article too).")
        else:
            notes.append(f"Modelled {len(rows)} {what} of {n_art} article(s) as documents (topic shares are "
                         "reported per article too).")
    docs = pd.DataFrame(rows, columns=["doc_id", "article_id", "outlet", "start", "end", "text"])
    docs.insert(2, "unit", unit)
    return docs, _Texts(docs["text"].tolist()), unit, notes


# ------------------------------------------------------------------------------------------- modelling

def _default_passes(n_docs: int) -> int:
    """About 15,000 document updates, 2 to 20 passes: online LDA settles within a couple of passes
    over a large corpus (Hoffman et al. 2010) but needs more over a small one."""
    return int(min(20, max(2, math.ceil(15_000 / max(n_docs, 1)))))


class _CsrCorpus:
    """A gensim corpus streamed out of a CSR count matrix, one document at a time.

    It holds no bag-of-words lists: each document's ``(term id, count)`` pairs are made when gensim
    asks for it, as plain Python numbers (gensim's own ``Sparse2Corpus`` yields NumPy scalars, which
    are slower to index and much slower to pickle)."""

    def __init__(self, counts):
        self.counts = counts

    def __len__(self) -> int:
        return self.counts.shape[0]

    def __iter__(self):
        indptr, indices = self.counts.indptr, self.counts.indices
        data = self.counts.data
        for start, end in zip(indptr[:-1].tolist(), indptr[1:].tolist()):
            yield list(zip(indices[start:end].tolist(), data[start:end].tolist()))


def _fit_one(method: str, counts, k: int, *, random_state: int, passes: int, iterations: int,
             workers: int = 0, id2word=None):
    """Fit one model; returns (model, topic-term matrix k × V as probabilities)."""
    if method == "nmf":
        from sklearn.decomposition import NMF
        from sklearn.feature_extraction.text import TfidfTransformer

        tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
        x = tfidf.transform(counts)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: the topics are stable well before tol
            nmf = NMF(n_components=k, init="nndsvda", random_state=random_state, max_iter=400, tol=1e-4)
            nmf.fit(x)
        model = _NMFModel(tfidf, nmf)
        comp = nmf.components_.astype(np.float64)
        sums = comp.sum(axis=1, keepdims=True)
        phi = np.divide(comp, sums, out=np.full_like(comp, 1.0 / comp.shape[1]), where=sums > 0)
        return model, phi
    from gensim.models import LdaModel, LdaMulticore

    n_docs = counts.shape[0]
    common = dict(num_topics=k, id2word=id2word, passes=passes, iterations=iterations, alpha="symmetric",
                  eta=None, random_state=random_state, eval_every=None, chunksize=min(2000, n_docs),
                  dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if workers > 0:
            model = LdaMulticore(_CsrCorpus(counts), workers=workers, **common)
        else:
            model = LdaModel(_CsrCorpus(counts), update_every=1, **common)
    return model, model.get_topics().astype(np.float64)


class _NMFModel:
    def __init__(self, tfidf, nmf):
        self.tfidf = tfidf
        self.nmf = nmf


_INFERENCE_CHUNK = 1000


def _infer_chunk(model, counts, seed: int) -> np.ndarray:
    # Each chunk starts gensim's random initialisation from its own seed, so the result does not
    # depend on the order chunks are run in, or on how many processes run them.
    model.random_state = np.random.RandomState(seed)
    return model.inference(list(_CsrCorpus(counts)))[0]


def _doc_topics(method: str, model, counts, *, random_state: int = 0, n_jobs: int = 1) -> np.ndarray:
    """Topic shares of each document (rows sum to 1; all-zero rows for documents with no words)."""
    if method == "nmf":
        w = model.nmf.transform(model.tfidf.transform(counts))
    else:
        n = counts.shape[0]
        starts = list(range(0, n, _INFERENCE_CHUNK))
        seeds = [(random_state * 1_000_003 + i) % 2**32 for i in range(len(starts))]
        chunks = [counts[s:s + _INFERENCE_CHUNK] for s in starts]
        if n_jobs > 1 and len(chunks) > 2:
            from joblib import Parallel, delayed

            parts = Parallel(n_jobs=n_jobs, backend="loky")(
                delayed(_infer_chunk)(model, c, s) for c, s in zip(chunks, seeds))
        else:
            state = model.random_state
            parts = [_infer_chunk(model, c, s) for c, s in zip(chunks, seeds)]
            model.random_state = state
        w = np.vstack(parts) if parts else np.zeros((0, model.num_topics))
        w[np.diff(counts.indptr) == 0] = 0.0
    w = np.asarray(w, dtype=np.float64)
    sums = w.sum(axis=1, keepdims=True)
    return np.divide(w, sums, out=np.zeros_like(w), where=sums > 0)


def _coherence(candidates: dict[int, np.ndarray], bow: _BagOfWords, rows: np.ndarray, *, window: int = 110,
               topn: int = 10) -> tuple[dict[int, float], dict[int, float], dict[int, np.ndarray]]:
    """c_v and u_mass of each candidate (k → topic-term matrix), as gensim's CoherenceModel defines them.

    Topics are scored on their top 10 terms by probability (Röder et al. 2015). gensim's
    CoherenceModel estimates the word statistics once for the union of all candidates' top terms:
    boolean sliding windows of ``window`` tokens over the kept token sequences for c_v, document
    co-occurrence for u_mass. The confirmation measures are then computed with NumPy from those
    counts, with gensim's formulas (NPMI context vectors and cosine for c_v, log conditional
    probability for u_mass, ε = 1e-12); gensim's own loop reads one pair at a time from a sparse
    matrix and takes about a second per ten topics. ``tests/test_topics.py`` checks that both give
    the same numbers."""
    from gensim.models.coherencemodel import CoherenceModel

    sub = bow.counts[rows]
    dictionary = _dictionary(bow.tokens, sub)
    ks = sorted(candidates)
    n = max(2, min(topn, len(bow.tokens)))
    tops = {k: np.argsort(-candidates[k], axis=1, kind="stable")[:, :n] for k in ks}
    union = sorted({int(j) for k in ks for j in tops[k].ravel()})
    vocab = dictionary.token2id
    texts = [[t for t in bow.sequences[i] if t in vocab] for i in rows if i in bow.sequences]
    texts = [t for t in texts if t]
    c_v, u_mass, per_topic = {}, {}, {}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if texts and len(union) > 1:
            cm = CoherenceModel(topics=[union], texts=texts, dictionary=dictionary, coherence="c_v",
                                window_size=window, processes=1, topn=len(union))
            acc = cm.estimate_probabilities()
            _densify(acc)
            for k in ks:
                values = np.array([_c_v_topic(acc, ids) for ids in tops[k]])
                per_topic[k] = values
                c_v[k] = float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")
        if len(union) > 1:
            cm = CoherenceModel(topics=[union], corpus=_CsrCorpus(sub),
                                dictionary=dictionary, coherence="u_mass", processes=1, topn=len(union))
            acc = cm.estimate_probabilities()
            for k in ks:
                u_mass[k] = float(np.nanmean([_u_mass_topic(acc, ids) for ids in tops[k]]))
    for k in ks:
        c_v.setdefault(k, float("nan"))
        u_mass.setdefault(k, float("nan"))
        per_topic.setdefault(k, np.full(k, np.nan))
    return c_v, u_mass, per_topic


_EPSILON = 1e-12  # gensim.topic_coherence.direct_confirmation_measure.EPSILON


def _pair_counts(acc, ids) -> tuple[np.ndarray, np.ndarray, float]:
    ids = [int(i) for i in ids]
    m = len(ids)
    occ = np.array([acc.get_occurrences(i) for i in ids], dtype=np.float64)
    co = np.diag(occ)
    for a in range(m):
        for b in range(a + 1, m):
            co[a, b] = co[b, a] = acc.get_co_occurrences(ids[a], ids[b])
    return occ, co, float(acc.num_docs)


def _c_v_topic(acc, ids) -> float:
    """c_v of one topic: mean cosine between each word's NPMI context vector and the topic's."""
    occ, co, n = _pair_counts(acc, ids)
    p_joint = co / n + _EPSILON
    p = occ / n
    npmi = np.log(p_joint / np.outer(p, p)) / -np.log(p_joint)
    topic_vector = npmi.sum(axis=0)
    cos = (npmi @ topic_vector) / (np.linalg.norm(npmi, axis=1) * np.linalg.norm(topic_vector))
    return float(np.mean(cos))


def _u_mass_topic(acc, ids) -> float:
    """u_mass of one topic: mean log P(w_i | w_j) over the pairs of its top words with j before i."""
    occ, co, n = _pair_counts(acc, ids)
    i, j = np.tril_indices(len(occ), k=-1)
    return float(np.mean(np.log((co[i, j] / n + _EPSILON) / (occ[j] / n))))


def _dictionary(tokens: list[str], counts):
    from gensim.corpora import Dictionary

    dictionary = Dictionary()
    dictionary.token2id = {t: i for i, t in enumerate(tokens)}
    dictionary.id2token = dict(enumerate(tokens))
    dictionary.dfs = dict(enumerate(np.bincount(counts.indices, minlength=len(tokens)).tolist()))
    dictionary.num_docs = counts.shape[0]
    dictionary.num_nnz = int(counts.nnz)
    dictionary.num_pos = int(counts.sum())
    return dictionary


def _densify(acc) -> None:
    """Swap the sliding-window co-occurrence counts of gensim's accumulator for a dense array.

    gensim keeps them in a scipy sparse matrix, where reading one pair costs about 100 µs; the matrix
    only covers the candidates' top terms (a few hundred), so a dense copy is small and fast. Left
    alone if gensim's internals differ."""
    co = getattr(acc, "_co_occurrences", None)
    if co is not None and sparse.issparse(co) and co.shape[0] <= 5000:
        acc._co_occurrences = co.toarray()


def _diversity(phi: np.ndarray, topn: int = 10) -> float:
    """Topic diversity (Dieng, Ruiz & Blei 2020): the share of distinct words among all topics' top
    words; 1 when no two topics share a top word, low when topics repeat each other."""
    top = np.argsort(-phi, axis=1, kind="stable")[:, :topn]
    return float(len(np.unique(top)) / top.size)


def _choose_k(c_v: dict[int, float], u_mass: dict[int, float]) -> int:
    """The k with the highest c_v; a tie (within 0.001) goes to the smaller k. With no c_v (no token
    sequences to slide windows over), the highest u_mass."""
    ks = sorted(c_v)
    values = np.array([c_v[k] for k in ks])
    if np.all(np.isnan(values)):
        values = np.array([u_mass[k] for k in ks])
    if np.all(np.isnan(values)):
        return ks[0]
    best = np.nanmax(values)
    return next(k for k, v in zip(ks, values) if v >= best - 1e-3)


def _relevance(phi: np.ndarray, term_share: np.ndarray, lam: float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        log_phi = np.log(np.maximum(phi, 1e-300))
        lift = log_phi - np.log(np.maximum(term_share, 1e-300))[None, :]
    return lam * log_phi + (1 - lam) * lift


# ------------------------------------------------------------------------------------------ prevalence

def _bootstrap_prevalence(article_theta: np.ndarray, article_outlet: np.ndarray,
                          groups: list[tuple[np.ndarray, np.ndarray]] | None, *, n_boot: int, ci: float,
                          rng: np.random.Generator) -> pd.DataFrame:
    """Mean topic share per outlet with percentile bootstrap intervals.

    Articles are resampled within each outlet. With passages as documents (``groups`` gives each
    article's passage shares and weights), passages are resampled within each resampled article too
    (a two-stage cluster bootstrap), so an outlet with one article still gets an honest interval."""
    k = article_theta.shape[1]
    lo_q, hi_q = (1 - ci) / 2, 1 - (1 - ci) / 2
    rows = []
    for outlet in sorted(set(article_outlet)):
        idx = np.flatnonzero(article_outlet == outlet)
        n = len(idx)
        share = article_theta[idx].mean(axis=0)
        if groups is None:
            boots = np.empty((n_boot, k))
            step = max(1, 4_000_000 // max(n, 1))
            p = np.full(n, 1.0 / n)
            for b0 in range(0, n_boot, step):
                b1 = min(n_boot, b0 + step)
                draws = rng.multinomial(n, p, size=b1 - b0)
                boots[b0:b1] = draws @ article_theta[idx] / n
        else:
            # Draw the articles first, then each drawn article's passages; accumulate article by article
            # so memory stays at n_boot × k whatever the outlet's size.
            draws = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot)
            boots = np.zeros((n_boot, k))
            for j, a in enumerate(idx):
                theta, weight = groups[a]
                m = len(weight)
                d = rng.multinomial(m, np.full(m, 1.0 / m), size=n_boot) * weight[None, :]
                tot = d.sum(axis=1, keepdims=True)
                boots += draws[:, j:j + 1] * ((d @ theta) / np.where(tot > 0, tot, 1.0))
            boots /= n
        low, high = np.quantile(boots, [lo_q, hi_q], axis=0)
        for t in range(k):
            # min/max only absorb rounding when every replicate equals the estimate (one article).
            rows.append((outlet, t + 1, share[t], min(low[t], share[t]), max(high[t], share[t]), n))
    return pd.DataFrame(rows, columns=["outlet", "topic", "share", "ci_low", "ci_high", "n_articles"])


# --------------------------------------------------------------------------------------------- results

_TOPICS_COLUMNS = ["topic", "rank", "term", "weight", "relevance", "label", "token"]
_DOC_TOPICS_COLUMNS = ["doc_id", "article_id", "unit", "topic", "weight"]
_PREVALENCE_COLUMNS = ["outlet", "topic", "share", "ci_low", "ci_high", "n_articles", "label"]
_COHERENCE_COLUMNS = ["k", "c_v", "u_mass", "chosen"]
_TYPICAL_COLUMNS = ["topic", "rank", "article_id", "sent_id", "text", "outlet", "share", "passage_share"]


@dataclass
class TopicModel:
    """A fitted topic model and its results as tidy DataFrames (see :func:`fit_topics`).

    Topics are numbered 1..k, the most prevalent first (mean share over articles). Shares are
    proportions: a document's (or article's) shares over the topics sum to 1.

    Attributes
    ----------
    topics : pandas.DataFrame
        The top ``n_terms`` terms of each topic: ``topic``, ``rank`` (1 = most relevant), ``term``
        (the most frequent written form, e.g. "NATO", "Nord Stream"), ``weight`` (p(term | topic)),
        ``relevance`` (LDAvis relevance with λ = 0.6, the ranking key), ``label`` (the topic's top
        three terms joined by " / ") and ``token`` (the model's key: lower case, a stem with
        ``stem=True``).
    doc_topics : pandas.DataFrame
        Tidy (long) topic shares of every modelled document, one row per document and topic:
        ``doc_id`` (the article id, or ``<article id>#p<n>`` / ``#w<n>`` for a paragraph or window),
        ``article_id``, ``unit`` ("article", "paragraph" or "window"), ``topic``, ``weight``.
        Documents left with no words after stop-word removal are absent.
    article_topics : pandas.DataFrame
        Topic shares per article, whatever the unit (passage shares averaged, weighted by their
        words): ``article_id``, ``outlet``, ``topic``, ``share``.
    prevalence : pandas.DataFrame
        Mean topic share of each outlet's articles: ``outlet``, ``topic``, ``share``, ``ci_low``,
        ``ci_high`` (percentile bootstrap interval at level ``ci`` from ``n_boot`` resamples of the
        outlet's articles, and of each article's passages when passages were modelled), ``n_articles``,
        ``label``.
    coherence : pandas.DataFrame
        The curve over the candidate numbers of topics (one row when k was given): ``k``, ``c_v``,
        ``u_mass``, ``chosen``, ``diversity`` (share of distinct words among the topics' top 10).
    typical : pandas.DataFrame
        The most typical articles of each topic and, in each, the most typical passage (a sentence
        when articles were modelled): ``topic``, ``rank``, ``article_id``, ``sent_id`` (first sentence
        of the passage, numbered as in :meth:`Corpus.sentences`), ``text``, ``outlet``, ``share`` (the
        article's share of the topic), ``passage_share``.
    summary : pandas.DataFrame
        One row per topic: ``topic``, ``label``, ``share`` (mean over articles), ``c_v`` (the topic's
        own coherence), ``top_terms``.
    documents : pandas.DataFrame
        The modelled documents: ``doc_id``, ``article_id``, ``unit``, ``outlet``, ``start``, ``end``
        (character span in the article's cleaned text), ``n_tokens`` (words in the model vocabulary).
    unit, method : str
        What a document was, and "lda" or "nmf".
    k : int
    notes : list of str
        What was decided on the user's behalf (unit, method, k, words or documents left out), in plain
        sentences, for reports.
    quality : dict
        ``c_v``, ``u_mass`` and ``diversity`` of the returned model (after the final fit on all
        documents when k was chosen on a sample).
    model : gensim ``LdaModel``, or a small object holding scikit-learn's NMF (``nmf``) and its TF-IDF
        transformer (``tfidf``).
    """

    topics: pd.DataFrame
    doc_topics: pd.DataFrame
    article_topics: pd.DataFrame
    prevalence: pd.DataFrame
    coherence: pd.DataFrame
    typical: pd.DataFrame
    summary: pd.DataFrame
    documents: pd.DataFrame
    unit: str
    method: str
    k: int
    notes: list[str]
    model: object = field(repr=False, default=None)
    quality: dict = field(default_factory=dict)
    random_state: int = 0
    n_boot: int = 1000
    ci: float = 0.95

    def __repr__(self) -> str:
        labels = "; ".join(f"{t}: {lab}" for t, lab in zip(self.summary["topic"], self.summary["label"]))
        return (f"<TopicModel: {self.method.upper()}, k={self.k}, {len(self.documents)} {self.unit} "
                f"document(s); {labels}>")

    @property
    def labels(self) -> dict[int, str]:
        """Topic number → label."""
        return dict(zip(self.summary["topic"], self.summary["label"]))

    def save(self, outdir) -> list[Path]:
        """Write topics.csv, doc_topics.csv, prevalence.csv, coherence.csv and typical.csv into ``outdir``.

        Returns the paths written. Files are written atomically with a fixed float format, so the same
        model gives byte-identical files.
        """
        from .output import write_csv

        out = Path(outdir)
        out.mkdir(parents=True, exist_ok=True)
        return [write_csv(self.topics, out / "topics.csv"),
                write_csv(self.doc_topics, out / "doc_topics.csv"),
                write_csv(self.prevalence, out / "prevalence.csv"),
                write_csv(self.coherence, out / "coherence.csv"),
                write_csv(self.typical, out / "typical.csv")]

    def by_event(self, alignment) -> pd.DataFrame:
        """Topic shares per event: the mean topic share of the articles aligned to each event.

        Parameters
        ----------
        alignment : object with an ``article_events`` DataFrame (``article_id``, ``event_id``), such
            as the result of the event alignment, or that DataFrame itself.

        Returns
        -------
        pandas.DataFrame
            ``event_id``, ``topic``, ``share``, ``n_articles``, ``label``; events sorted by id, topics
            1..k. Articles without topic shares (no words left) are not counted.

        Examples
        --------
        >>> from framing import load_corpus
        >>> tm = fit_topics(load_corpus(), k=3)
        >>> links = pd.DataFrame({"article_id": tm.article_topics["article_id"].unique()[:2],
        ...                       "event_id": "e1"})
        >>> out = tm.by_event(links)
        >>> out[["event_id", "topic", "n_articles"]].values.tolist()
        [['e1', 1, 2], ['e1', 2, 2], ['e1', 3, 2]]
        >>> round(float(out["share"].sum()), 6)
        1.0
        """
        links = alignment if isinstance(alignment, pd.DataFrame) else getattr(alignment, "article_events", None)
        if not isinstance(links, pd.DataFrame) or not {"article_id", "event_id"} <= set(links.columns):
            raise FramingError("alignment: expected an alignment with an `article_events` table "
                               "(article_id, event_id); pass the result of the event alignment.")
        columns = ["event_id", "topic", "share", "n_articles", "label"]
        links = links[["article_id", "event_id"]].dropna().drop_duplicates()
        merged = links.merge(self.article_topics[["article_id", "topic", "share"]], on="article_id",
                             how="inner")
        if merged.empty:
            return pd.DataFrame(columns=columns)
        g = merged.groupby(["event_id", "topic"], sort=True)
        out = g["share"].mean().rename("share").reset_index()
        out["n_articles"] = g["article_id"].nunique().to_numpy()
        out["label"] = out["topic"].map(self.labels)
        return out[columns].reset_index(drop=True)


# ------------------------------------------------------------------------------------------ fit_topics

def fit_topics(corpus, *, k="auto", method: str = "auto", k_range=None, unit: str = "auto",
               stem: bool = False, phrases: bool = True, extra_stop_words=None, min_df=None, max_df=None,
               max_terms: int = 30_000, passes: int | None = None, iterations: int = 30,
               n_terms: int = 10, n_typical: int = 3, n_boot: int = 1000, ci: float = 0.95,
               min_articles: int = 100, selection_docs: int = 3000, coherence_docs: int = 1500,
               random_state: int = 0, n_jobs: int = 1, multicore: bool = False) -> TopicModel:
    """Fit a topic model to a corpus and describe its topics per outlet.

    Parameters
    ----------
    corpus : Corpus
        From :func:`framing.load_corpus` (a DataFrame with ``id``, ``outlet`` and ``text`` works too).
    k : "auto" or int, default "auto"
        Number of topics. With "auto", one model is fitted for each k in ``k_range`` and the k with the
        highest c_v coherence is kept (a tie within 0.001 goes to the smaller k); ``coherence`` holds the
        curve, with u_mass and topic diversity beside c_v.
    method : {"auto", "lda", "nmf"}, default "auto"
        "lda": gensim's online variational LDA (symmetric priors) on word counts. "nmf":
        scikit-learn's NMF on sublinear TF-IDF. "auto" uses LDA when articles are the documents and NMF
        when passages are (a few hundred short passages are too few for LDA's topics to settle, and
        NMF takes a fraction of a second on them); the choice is listed in ``notes``.
    k_range : iterable of int, optional
        Candidates for ``k="auto"``. Default: 3..12; for fewer than 120 documents 2..(documents / 10),
        between 2 and 8; a single topic for fewer than 4 documents.
    unit : {"auto", "article", "paragraph", "window"}, default "auto"
        What a document of the model is. "auto" models articles when there are at least
        ``min_articles`` of them, else paragraphs (or windows of up to three sentences when the texts
        have no paragraph breaks, down to single sentences when there would be fewer than 12
        documents); a paragraph shorter than 15 words is merged with the next one. Shares are reported
        per article too.
    stem : bool, default False
        Merge words with the same Snowball stem ("sanction", "sanctions"); terms are still shown in
        their most frequent written form.
    phrases : bool, default True
        Join multi-word phrases ("Nord Stream", "White House", "Secretary of State") learned with
        gensim's ``Phrases`` (normalised PMI ≥ 0.5, seen at least 3 times in small corpora and 10 times
        in large ones; learned on about two million tokens at most).
    extra_stop_words : iterable of str or path, optional
        Words to leave out beside those of :func:`load_topic_stop_words`.
    min_df, max_df : int or float, optional
        Keep words found in at least ``min_df`` documents (default 2, or 5 for 1,000 articles or more)
        and at most ``max_df`` (a float is a share; default 0.5 when modelling articles, no limit for
        passages); floats are shares and ints counts, as in scikit-learn. At most ``max_terms`` words
        are kept, the most frequent.
    passes, iterations : int, optional
        LDA passes over the documents (default: about 15,000 document updates, 2 to 20 passes) and the
        most E-step iterations per document. When k was chosen on a sample, the chosen model goes on
        learning with ``passes`` passes over all the documents (default 1).
    n_terms, n_typical : int
        Terms per topic in ``topics``; articles per topic in ``typical``.
    n_boot, ci : int, float
        Bootstrap replicates and level of the prevalence intervals (percentile intervals).
    min_articles : int, default 100
        With ``unit="auto"``, fewer articles than this are modelled as paragraphs.
    selection_docs, coherence_docs : int
        With ``k="auto"`` and more than ``selection_docs`` documents, the candidates are fitted on a
        random sample of that many documents and the chosen k is then fitted on all of them. Coherence
        is computed on the token sequences of a random sample of ``coherence_docs`` documents (c_v's
        sliding windows cost time in proportion to the tokens they slide over).
    random_state : int, default 0
        Seeds the samples, the models, the inference and the bootstrap: the same inputs and options
        give the same output, whatever ``n_jobs``.
    n_jobs : int, default 1
        Processes for counting words, fitting the candidate k and inferring document topics (-1: all
        cores). Results do not depend on it.
    multicore : bool, default False
        Fit the final LDA with gensim's ``LdaMulticore`` (``max(1, n_jobs - 1)`` workers). It is
        only worth it with four or more cores, and its result changes slightly from run to run: the
        order in which workers return their updates varies. On two cores it measured no faster than
        the single-process ``LdaModel`` used by default.

    Returns
    -------
    TopicModel

    Raises
    ------
    FramingError
        An option is invalid, or no words are left to model after removing stop words.

    Examples
    --------
    >>> from framing import load_corpus
    >>> tm = fit_topics(load_corpus(), k=3)
    >>> tm.unit, tm.method, tm.k, len(tm.prevalence)
    ('paragraph', 'nmf', 3, 12)
    >>> tm.topics.columns.tolist()[:6]
    ['topic', 'rank', 'term', 'weight', 'relevance', 'label']
    >>> tm.summary["label"].tolist()
    ['Ukraine / NATO / Biden administration', 'Biden / December / spoke', 'Nord Stream / pipeline / gas']
    """
    t0 = time.perf_counter()
    if method not in _METHODS:
        raise FramingError(f"method={method!r}: choose 'auto', 'lda' or 'nmf'.")
    if unit not in _UNITS:
        raise FramingError(f"unit={unit!r}: choose one of {', '.join(map(repr, _UNITS))}.")
    if not (k == "auto" or (isinstance(k, (int, np.integer)) and not isinstance(k, bool) and k >= 1)):
        raise FramingError(f"k={k!r}: give a number of topics of at least 1, or 'auto'.")
    if not 0 < ci < 1:
        raise FramingError(f"ci={ci!r}: give a confidence level between 0 and 1, such as 0.95.")
    n_jobs = effective_n_jobs(n_jobs)
    arts = _article_frame(corpus)
    if len(arts) == 0:
        raise FramingError("corpus: has no articles; load a corpus with at least one article.")
    stop_words = load_topic_stop_words(extra_stop_words)
    docs, texts, unit, notes = _documents(arts, unit, min_articles=min_articles, min_words=15)
    small = unit != "article" or len(docs) < 1000
    bow = _build_bag_of_words(texts, stop_words=stop_words, phrases=phrases, stem=stem,
                              min_df=min_df, max_df=max_df, max_terms=max_terms,
                              coherence_docs=coherence_docs, random_state=random_state, n_jobs=n_jobs,
                              small=small)
    notes.extend(bow.notes)
    del texts
    logger.info("bag of words: %d documents x %d terms, %d phrases (%.1f s)", bow.counts.shape[0],
                bow.counts.shape[1], len(bow.phrasegrams), time.perf_counter() - t0)
    if method == "auto":
        method = "lda" if unit == "article" else "nmf"
        if method == "nmf":
            notes.append("Fitted NMF on TF-IDF: on a few hundred short passages or fewer, LDA's topics are "
                         "unstable and slow to converge; pass method='lda' to use LDA anyway.")
    counts = bow.counts
    n_tokens = np.asarray(counts.sum(axis=1)).ravel().astype(np.int64)
    docs = docs.assign(n_tokens=n_tokens)
    if counts.nnz == 0:
        raise FramingError("corpus: no words are left to model after removing stop words and numbers; "
                           "give texts with more words.")
    used = n_tokens > 0
    if not used.all():
        n_empty = int((~used).sum())
        notes.append(f"{n_empty} {docs['unit'].iloc[0]}(s) had no words left after removing stop words "
                     "and rare words, and have no topic shares.")
    rows_used = np.flatnonzero(used)
    n_docs = len(rows_used)
    model_counts = counts[rows_used]

    # ---- candidates for k
    vocab_size = len(bow.tokens)
    limit = max(1, min(n_docs, vocab_size))
    if k == "auto":
        if k_range is None:
            if n_docs >= 120:
                ks = list(range(3, 13))
            else:
                ks = list(range(2, max(2, min(8, n_docs // 10)) + 1))
        else:
            ks = sorted({int(x) for x in k_range if int(x) >= 1})
            if not ks:
                raise FramingError(f"k_range={k_range!r}: give at least one number of topics of 1 or more.")
        if n_docs < 4:
            ks = [1]
            notes.append(f"Only {n_docs} document(s) to model: fitted a single topic.")
        elif max(ks) > limit:
            ks = sorted({min(x, limit) for x in ks})
            notes.append(f"Only {n_docs} documents and {vocab_size} words: tried at most {limit} topics.")
    else:
        ks = [int(k)]
        if k > limit:
            ks = [limit]
            notes.append(f"Asked for {k} topics but there are only {n_docs} documents and {vocab_size} "
                         f"words; fitted {limit}.")

    final_passes = 1 if passes is None else passes  # passes over all documents after a sampled selection
    if passes is None:
        passes = _default_passes(n_docs)
    rng = np.random.default_rng(random_state)
    select_rows = np.arange(n_docs)
    sampled = k == "auto" and len(ks) > 1 and n_docs > selection_docs
    if sampled:
        select_rows = np.sort(rng.choice(n_docs, size=selection_docs, replace=False))
    id2word = _dictionary(bow.tokens, model_counts)
    fit_args = dict(random_state=random_state, iterations=iterations, id2word=id2word)
    sel_counts = model_counts[select_rows]
    sel_passes = _default_passes(len(select_rows)) if sampled else passes
    if len(ks) > 1 and n_jobs > 1 and len(select_rows) >= 500:  # below, starting workers costs more
        from joblib import Parallel, delayed

        fitted = Parallel(n_jobs=min(n_jobs, len(ks)), backend="loky")(
            delayed(_fit_one)(method, sel_counts, kk, passes=sel_passes, **fit_args) for kk in ks)
    else:
        fitted = [_fit_one(method, sel_counts, kk, passes=sel_passes, **fit_args) for kk in ks]
    candidates = {kk: phi for kk, (_, phi) in zip(ks, fitted)}
    logger.info("fitted %d candidate(s) on %d documents, %d passes (%.1f s)", len(ks), len(select_rows),
                sel_passes, time.perf_counter() - t0)

    # ---- coherence over the candidates, on the random sample of documents whose token sequences were kept
    coh_rows = np.array(sorted(i for i in bow.sequences if used[i]), dtype=np.int64)
    c_v, u_mass, per_topic = _coherence(candidates, bow, coh_rows)
    diversity = {kk: _diversity(candidates[kk]) for kk in ks}
    chosen = ks[0] if len(ks) == 1 else _choose_k(c_v, u_mass)
    if k == "auto" and len(ks) > 1:
        notes.append(f"Chose k = {chosen} of {ks[0]}..{ks[-1]}: the highest c_v coherence ({c_v[chosen]:.3f})"
                     + (f"; candidates were fitted on a sample of {len(select_rows)} documents" if sampled
                        else "") + ".")
    logger.info("coherence: chose k=%d (%.1f s)", chosen, time.perf_counter() - t0)
    model, phi = fitted[ks.index(chosen)]
    workers = max(1, n_jobs - 1) if (multicore and method == "lda") else 0
    quality = {"c_v": c_v[chosen], "u_mass": u_mass[chosen], "diversity": diversity[chosen]}
    if sampled and method == "lda" and not workers:
        # The chosen model goes on learning from all the documents (online LDA takes new documents as
        # they come; Hoffman et al. 2010): the sample's statistics are blended out as the passes
        # proceed, at the cost of one pass instead of a fresh fit.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.update(_CsrCorpus(model_counts), passes=final_passes)
        phi = model.get_topics().astype(np.float64)
    elif sampled or workers:
        model, phi = _fit_one(method, model_counts, chosen, passes=passes, workers=workers, **fit_args)
    if sampled or workers:
        c_final, u_final, per_final = _coherence({chosen: phi}, bow, coh_rows)
        per_topic[chosen] = per_final[chosen]
        quality = {"c_v": c_final[chosen], "u_mass": u_final[chosen], "diversity": _diversity(phi)}
    logger.info("final model (%.1f s)", time.perf_counter() - t0)
    theta_used = _doc_topics(method, model, model_counts, random_state=random_state, n_jobs=n_jobs)
    topic_cols = np.arange(phi.shape[0])  # the model's topic behind each reported topic
    alive = theta_used.sum(axis=0) > 1e-9 * max(n_docs, 1)
    if not alive.all() and alive.any():
        # NMF can leave a component unused when k exceeds what the documents support.
        notes.append(f"{int((~alive).sum())} of {len(alive)} topics took no share of any document and were "
                     "dropped.")
        phi, theta_used = phi[alive], theta_used[:, alive]
        topic_cols = topic_cols[alive]
        per_topic[chosen] = per_topic[chosen][alive] if len(per_topic[chosen]) == len(alive) else per_topic[chosen]
        sums = theta_used.sum(axis=1, keepdims=True)
        theta_used = np.divide(theta_used, sums, out=np.zeros_like(theta_used), where=sums > 0)
    logger.info("document topics (%.1f s)", time.perf_counter() - t0)
    theta = np.zeros((len(docs), phi.shape[0]))
    theta[rows_used] = theta_used

    # ---- topics per article: passage shares averaged with word weights
    art_ids = arts["id"].to_numpy()
    art_index = {a: i for i, a in enumerate(art_ids)}
    doc_art = docs["article_id"].map(art_index).to_numpy()
    weights = n_tokens.astype(np.float64)
    agg = sparse.csr_matrix((weights, (doc_art, np.arange(len(docs)))), shape=(len(arts), len(docs)))
    art_words = np.asarray(agg.sum(axis=1)).ravel()
    art_theta = np.divide(agg @ theta, art_words[:, None], out=np.zeros((len(arts), theta.shape[1])),
                          where=art_words[:, None] > 0)
    has_topics = art_words > 0
    if not has_topics.all():
        notes.append(f"{int((~has_topics).sum())} article(s) had no words left to model and are left out "
                     "of the prevalence tables.")

    # ---- order topics by prevalence (most prevalent = topic 1)
    overall = art_theta[has_topics].mean(axis=0)
    order = np.lexsort((np.arange(len(overall)), -np.round(overall, 12)))
    phi, theta, art_theta, overall = phi[order], theta[:, order], art_theta[:, order], overall[order]
    topic_cols = topic_cols[order]
    topic_cv = per_topic[chosen][order] if len(per_topic[chosen]) == len(order) else np.full(len(order), np.nan)
    k_final = phi.shape[0]

    # ---- topic terms by relevance
    tf = np.asarray(model_counts.sum(axis=0)).ravel().astype(np.float64)
    term_share = tf / tf.sum()
    rel = _relevance(phi, term_share, RELEVANCE_LAMBDA)
    labels_arr = np.array(bow.labels, dtype=object)
    tokens_arr = np.array(bow.tokens, dtype=object)
    topic_rows = []
    topic_labels = {}
    n_show = min(n_terms, vocab_size)
    for t in range(k_final):
        # Relevance first; ties by weight, then by the term itself.
        top = np.lexsort((tokens_arr, -phi[t], -np.round(rel[t], 12)))
        top = top[phi[t, top] > 1e-12][:n_show]  # NMF topics can give a word exactly no weight
        label = " / ".join(labels_arr[top[:3]])
        topic_labels[t + 1] = label
        for r, j in enumerate(top, 1):
            topic_rows.append((t + 1, r, labels_arr[j], phi[t, j], rel[t, j], label, tokens_arr[j]))
    topics = pd.DataFrame(topic_rows, columns=_TOPICS_COLUMNS)

    # ---- tidy outputs
    doc_rows = np.flatnonzero(used)
    doc_topics = pd.DataFrame({
        "doc_id": np.repeat(docs["doc_id"].to_numpy()[doc_rows], k_final),
        "article_id": np.repeat(docs["article_id"].to_numpy()[doc_rows], k_final),
        "unit": unit,
        "topic": np.tile(np.arange(1, k_final + 1), len(doc_rows)),
        "weight": theta[doc_rows].ravel(),
    })
    art_rows = np.flatnonzero(has_topics)
    outlets = arts["outlet"].to_numpy()
    article_topics = pd.DataFrame({
        "article_id": np.repeat(art_ids[art_rows], k_final),
        "outlet": np.repeat(outlets[art_rows], k_final),
        "topic": np.tile(np.arange(1, k_final + 1), len(art_rows)),
        "share": art_theta[art_rows].ravel(),
    })
    boot_rng = np.random.default_rng([random_state, 1])
    groups = None
    if unit != "article":
        # Each article's passage shares and word weights, split out of the document arrays in one sort.
        doc_order = np.flatnonzero(used)[np.argsort(doc_art[used], kind="stable")]
        bounds = np.searchsorted(doc_art[doc_order], art_rows)
        ends = np.searchsorted(doc_art[doc_order], art_rows, side="right")
        groups = [(theta[doc_order[s:e]], weights[doc_order[s:e]]) for s, e in zip(bounds, ends)]
    prevalence = _bootstrap_prevalence(art_theta[art_rows], outlets[art_rows], groups, n_boot=n_boot, ci=ci,
                                       rng=boot_rng)
    prevalence["label"] = prevalence["topic"].map(topic_labels)
    logger.info("prevalence (%.1f s)", time.perf_counter() - t0)
    single = sorted(prevalence.loc[prevalence["n_articles"] == 1, "outlet"].unique())
    if single and unit == "article":
        notes.append(f"{len(single)} outlet(s) have a single article ({', '.join(single[:3])}"
                     f"{', ...' if len(single) > 3 else ''}); their intervals have no width.")

    coherence = pd.DataFrame({"k": ks, "c_v": [c_v[x] for x in ks], "u_mass": [u_mass[x] for x in ks],
                              "chosen": [x == chosen for x in ks], "diversity": [diversity[x] for x in ks]})
    summary = pd.DataFrame({
        "topic": np.arange(1, k_final + 1),
        "label": [topic_labels[t] for t in range(1, k_final + 1)],
        "share": overall,
        "c_v": topic_cv,
        "top_terms": [", ".join(topics.loc[topics["topic"] == t, "term"]) for t in range(1, k_final + 1)],
    })
    tokens = _Tokens(bow.stop_words, bow.phrasegrams)
    typical = _typical(method, model, topic_cols, arts, docs, theta, art_theta, has_topics, bow, tokens,
                       n_typical=n_typical, unit=unit)
    logger.info("typical passages (%.1f s)", time.perf_counter() - t0)
    documents = docs[["doc_id", "article_id", "unit", "outlet", "start", "end", "n_tokens"]]
    return TopicModel(topics=topics, doc_topics=doc_topics, article_topics=article_topics,
                      prevalence=prevalence[_PREVALENCE_COLUMNS], coherence=coherence, typical=typical,
                      summary=summary, documents=documents, unit=unit, method=method, k=k_final, notes=notes,
                      model=model, quality=quality, random_state=random_state, n_boot=n_boot, ci=ci)


def _bow_of(texts: list[str], bow: _BagOfWords, tokens: _Tokens):
    index = {t: i for i, t in enumerate(bow.tokens)}
    rows, cols, vals = [], [], []
    for r, text in enumerate(texts):
        content = tokens.content(_text.tokenize(text))
        if bow.stem_map is not None:
            content = [bow.stem_map.get(t, t) for t in content]
        for tok, n in Counter(content).items():
            j = index.get(tok)
            if j is not None:
                rows.append(r)
                cols.append(j)
                vals.append(n)
    return sparse.csr_matrix((np.asarray(vals, dtype=np.float64), (rows, cols)),
                             shape=(len(texts), len(bow.tokens)))


def _typical(method, model, topic_cols, arts, docs, theta, art_theta, has_topics, bow, tokens, *, n_typical,
             unit) -> pd.DataFrame:
    """The top articles of each topic, each with its most typical passage (sentence in article mode)."""
    k = art_theta.shape[1]
    ids = arts["id"].to_numpy()
    outlets = arts["outlet"].to_numpy()
    column = arts["text"].to_numpy()
    cand = np.flatnonzero(has_topics)
    picks: dict[int, list[int]] = {}
    for t in range(k):
        # Highest share first; ties by article id.
        ranked = cand[np.lexsort((ids[cand], -np.round(art_theta[cand, t], 12)))]
        picks[t] = ranked[:n_typical].tolist()
    needed = sorted({a for v in picks.values() for a in v})
    texts = {a: column[a] if isinstance(column[a], str) else "" for a in needed}
    sent_spans = {a: _text.split_sentences(texts[a]) for a in needed}
    rows = []
    if unit == "article":
        # Score every sentence of the picked articles with the model (one batch).
        sent_texts, owners = [], []
        for a in needed:
            for j, (s, e) in enumerate(sent_spans[a]):
                sent_texts.append(texts[a][s:e])
                owners.append((a, j))
        if sent_texts:
            counts = _bow_of(sent_texts, bow, tokens)
            sent_theta = _doc_topics(method, model, counts)[:, topic_cols]
            sent_len = np.asarray(counts.sum(axis=1)).ravel()
        else:
            sent_theta, sent_len = np.zeros((0, k)), np.zeros(0)
        owner_index: dict[int, list[int]] = {}
        for i, (a, _) in enumerate(owners):
            owner_index.setdefault(a, []).append(i)
        for t in range(k):
            for rank, a in enumerate(picks[t], 1):
                idx = np.array(owner_index.get(a, []), dtype=np.int64)
                if len(idx):
                    # Sentences with at least 5 model words (or the longest ones) are candidates.
                    min_len = min(5, sent_len[idx].max())
                    ok = idx[sent_len[idx] >= max(min_len, 1)] if sent_len[idx].max() > 0 else idx
                    best = ok[np.lexsort((ok, -np.round(sent_theta[ok, t], 12)))[0]]
                    sid, text, pshare = owners[best][1], sent_texts[best], sent_theta[best, t]
                else:
                    sid, text, pshare = None, texts[a][:300], np.nan
                rows.append((t + 1, rank, ids[a], sid, text, outlets[a], art_theta[a, t], pshare))
    else:
        doc_art = docs["article_id"].to_numpy()
        starts = docs["start"].to_numpy()
        dtexts = docs["text"].to_numpy()
        ntok = docs["n_tokens"].to_numpy()
        for t in range(k):
            for rank, a in enumerate(picks[t], 1):
                idx = np.flatnonzero((doc_art == ids[a]) & (ntok > 0))
                best = idx[np.lexsort((idx, -np.round(theta[idx, t], 12)))[0]]
                spans = sent_spans[a]
                sid = next((j for j, (s, e) in enumerate(spans) if e > starts[best]), None)
                rows.append((t + 1, rank, ids[a], sid, dtexts[best], outlets[a], art_theta[a, t],
                             theta[best, t]))
    out = pd.DataFrame(rows, columns=_TYPICAL_COLUMNS)
    out["sent_id"] = out["sent_id"].astype("Int64")
    return out
