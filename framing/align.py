"""Event alignment: which articles cover the same event, and which sentences state the same fact.

News articles mix the news of the day with background, so alignment works at two levels, articles and
sentences:

1. **Events (articles).** Every article is represented by TF-IDF weights of its content-word stems,
   names, numbers and resolved dates (:mod:`framing.align_features`); names, numbers and dates count
   extra (``name_weight``) because two stories about the same event share who, how many and when far
   more reliably than they share wording. Words that state the same thing in other words count as one
   feature (*term classes*: the paraphrase groups of ``framing/data/paraphrases.csv``, such as join /
   membership / accession, and the concepts of the contested-term lexicon, such as "military bloc" /
   alliance, whose variants are competing names for one thing). Similarities are computed only between
   articles published within ``window_days`` of each other (rows sorted by date and multiplied in
   bands, see :mod:`framing.align_graph`), keeping each article's ``n_neighbors`` nearest neighbours.
   Two articles further apart are linked only when their texts name the same day (one mentions the
   other's publication day or both mention the same past day, e.g. "the December 7 call"), which is the
   text saying that they report the same event. Articles without a date are compared with every
   article. Average-linkage clustering of this sparse graph (a missing pair counts as similarity 0) cuts
   at ``event_threshold``; each article gets its main event.
2. **Facts (sentences).** Sentences of articles that are neighbours at the article level (within
   ``fact_window_days``, including articles of different events: background such as "Russia seized
   Crimea in 2014" recurs across events) are compared with sentence-level TF-IDF (inverse document
   frequencies over sentences, so words that occur everywhere in the corpus, like "Ukraine" in a
   Ukraine corpus, count little; names get no extra weight here, and attribution verbs such as "said"
   are ignored). A pair can align when it shares at least ``min_shared`` features, one of them a word or
   number (names alone say who, not what). A fact starts from a pair with cosine at least
   ``fact_threshold`` and grows by average linkage: a sentence (or another fact) joins while its mean
   similarity to the fact's members is at least half the threshold (the *cohesion floor*), since
   paraphrases of one fact ("about 100,000 troops" / "tens of thousands of troops") rarely all reach it
   pairwise. Aligned pairs are the pairs at the threshold plus the weaker pairs inside one fact.
   Subheads are never facts; quoted social-media posts ("embedded_post") may align and keep their kind.
3. **Second facts.** Clustering puts every sentence in one fact, but news sentences often state two
   ("Russia has amassed about 100,000 troops near its border ... as it makes demands for sweeping
   security guarantees"), and outlets add asides to a fact ("Moscow has concerns over Ukraine's
   aspiration to join the US-led military bloc, which it sees as an expansionist hostile organization
   ..."). So an article of one of the fact's events (the context in which an outlet could be said to omit
   it) that has no sentence in the fact yet is counted as stating it when one of its sentences, or one
   *clause* of it, reaches the same cohesion floor against the fact's members (its best such sentence
   joins the fact; it must also share a candidate pair with one of them). Articles of other events are
   not considered: across stories, such loose matches are topical, not the same fact. Clauses are
   split at a semicolon or dash, or at a comma followed by a clause word such as "which", "but",
   "while", "saying" (``framing/data/align_stopwords.tsv``, kind ``clause``); clauses of fewer than three
   features stay with the clause before them. An article contributes at most one such sentence per fact,
   so restatements and near-misses inside an article that already reports the fact ("Ukraine wants to
   join NATO" next to "Moscow demands that Ukraine not join NATO") are not pulled in. A pair at the
   threshold between two facts that this does not connect puts the sentence closer to the other fact in
   it as well. Each aligned pair is listed once.
4. **Omissions.** For each event, the facts that some of its outlets report in their articles of the
   event and others do not (informational bias in the sense of the BASIL annotations).

Calibration of the defaults: thresholds are cosine similarities of L2-normalised TF-IDF vectors, so
they have the same meaning on any corpus; they were set from the properties of news text, not fitted to
the bundled seeds or to the ECB+ benchmark, with one disclosed exception: ``n_neighbors`` was 30 in the
first version and was set to 10 after the first ECB+ run (``benchmarks/alignment_quality.py`` prints
both). The term classes and the second-fact rule were added to make the seeds' "Moscow demands that
Ukraine not join NATO" one fact across all five articles; they are general (a paraphrase list and the
project's contested-term lexicon; a rule about sentences that state two facts), and the ECB+ event
grouping does not get worse with them (the benchmark prints the default with and without term classes).
See the docstring of :func:`align_events`.

Performance: feature extraction tokenises each chunk of texts with one regular-expression call and does
the per-word work (stemming, name keys, term classes) once per distinct token, then NumPy array work per
token; similarities are sparse products over bands of articles in date order; memory stays bounded by
chunking (no dense n × n matrix). 5,000 US news articles (5 million words) take about 30 CPU seconds and
1.5 GB (of which 0.4 GB is the loaded corpus); ``framing.dates.resolve_dates_frame`` takes about 0.25 ms of
CPU per article. Beyond some 10,000 articles the sentence level (facts) takes most of the time:
``facts=False`` groups events only, and ``facts=N`` aligns the facts of the N largest events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from .align_features import FeatureCounts, count_features, load_stop_words, term_classes
from .align_graph import average_linkage, pair_similarities, symmetric_pairs, time_blocked_neighbours
from .arrays import unique
from .errors import FramingError
from .output import write_csv
from .parallel import effective_n_jobs, parallel_map

__all__ = ["align_events", "EventAlignment", "largest_events", "ARTICLE_EVENT_COLUMNS", "EVENT_COLUMNS", "COVERAGE_COLUMNS",
           "ALIGNMENT_COLUMNS", "FACT_COLUMNS", "OMISSION_COLUMNS", "term_classes"]

ARTICLE_EVENT_COLUMNS = ["article_id", "event_id", "event_label", "confidence", "outlet", "date"]
EVENT_COLUMNS = ["event_id", "label", "first_date", "last_date", "n_articles", "outlets", "n_outlets",
                 "n_facts", "key_terms"]
COVERAGE_COLUMNS = ["event_id", "outlet", "articles", "sentences", "facts"]
ALIGNMENT_COLUMNS = ["fact_id", "article_a", "sent_a", "text_a", "article_b", "sent_b", "text_b", "similarity",
                     "outlet_a", "outlet_b", "kind_a", "kind_b", "event_a", "event_b", "shared_terms"]
FACT_COLUMNS = ["fact_id", "representative", "outlets", "n_articles", "n_sentences", "event_id", "n_events",
                "article_ids", "representative_article", "representative_sent"]
OMISSION_COLUMNS = ["event_id", "fact_id", "representative", "reported_by", "missing_from", "n_reported",
                    "n_missing"]
MEMBER_COLUMNS = ["fact_id", "article_id", "sent_id", "outlet", "event_id", "kind", "text"]

_OUTPUT_FILES = {"article_events": "article_events.csv", "events": "events.csv", "coverage": "coverage.csv",
                 "facts": "facts.csv", "sentence_alignments": "sentence_alignments.csv",
                 "omissions": "omissions.csv"}
_EDGE_FLOOR = 0.05  # similarities below this are treated as 0 (far below any threshold)
_MIN_FACT_FEATURES = 3  # a sentence with fewer distinct features ("Related Articles") is not a fact
_SENTENCE_NAME_WEIGHT = 1.0
_FACT_COHESION = 0.5
"""A fact starts from a pair at ``fact_threshold`` and grows by average links of at least half of it
(paraphrases of one fact rarely all reach the threshold pairwise); pairs below half are ignored."""
_BLOCK_CELLS = 4_000_000  # sentence rows × sentence rows multiplied at once when aligning sentences
_SMALL_BLOCK = 100_000  # products this small are cheap whatever their share of unneeded pairs
_LABEL_TERMS = 4  # key terms in an event label
_COVERAGE_GRID_ROWS = 1_000_000
"""Largest events × outlets grid listed in ``coverage`` with its zeros; the 37k news corpus (19,497 events,
491 outlets) would give 9.6 million rows, of which 33,000 hold articles."""


# ------------------------------------------------------------------------------------------- result

@dataclass
class EventAlignment:
    """Result of :func:`align_events`. All attributes are DataFrames with the columns listed below
    (first the documented ones, then extra ones).

    Attributes
    ----------
    article_events : pandas.DataFrame
        One row per article, in corpus order: ``article_id``, ``event_id``, ``event_label``,
        ``confidence`` (0-1: how clearly the article belongs to its event rather than to its nearest
        other event; 0.5 means it is as close to another event), ``outlet``, ``date``.
    events : pandas.DataFrame
        One row per event, by ``event_id`` ("E01", … ordered by first date, then label; undated events
        last): ``label`` (key terms and date span, e.g. "Biden, Putin, NATO, call · 6–8 Dec 2021"),
        ``first_date``, ``last_date``, ``n_articles``, ``outlets`` ("; "-joined, sorted), ``n_outlets``,
        ``n_facts`` (facts with a sentence in the event), ``key_terms`` ("; "-joined).
    coverage : pandas.DataFrame
        One row per event × outlet of the corpus, zeros included (blind spots): ``event_id``,
        ``outlet``, ``articles``, ``sentences`` (body and embedded-post sentences), ``facts``. When
        events × outlets exceeds a million (tens of thousands of articles from hundreds of outlets), only
        the rows with articles are listed; ``coverage.pivot_table(index="event_id", columns="outlet",
        values="articles", fill_value=0)`` gives the zeros.
    sentence_alignments : pandas.DataFrame
        One row per aligned sentence pair from two different articles and fact: ``fact_id``,
        ``article_a``, ``sent_a``, ``text_a``, ``article_b``, ``sent_b``, ``text_b``, ``similarity``
        (cosine, 0-1), ``outlet_a``, ``outlet_b``, ``kind_a``, ``kind_b`` ("body" or "embedded_post"),
        ``event_a``, ``event_b``, ``shared_terms`` (the shared words, names and numbers; a term class is
        shown by its name, e.g. "join" for "membership"). ``sent_a``/``sent_b`` are the ``sent_id``
        values of ``Corpus.sentences()``. Two sentences that both state two facts are listed once per
        fact.
    facts : pandas.DataFrame
        One row per fact (a cluster of aligned sentences), by ``fact_id`` ("F001", … most widely
        reported first): ``representative`` (the member sentence most similar to the others),
        ``outlets``, ``n_articles``, ``n_sentences``, ``event_id`` (the event holding most of its
        articles, empty for background facts spread over several events), ``n_events``,
        ``article_ids``, ``representative_article``, ``representative_sent``.
    omissions : pandas.DataFrame
        ``event_id``, ``fact_id``, ``representative``, ``reported_by``, ``missing_from`` (outlets of the
        event whose articles of the event do not state the fact), ``n_reported``, ``n_missing``.
    fact_members : pandas.DataFrame
        Sentences of each fact: ``fact_id``, ``article_id``, ``sent_id``, ``outlet``, ``event_id``,
        ``kind``, ``text``. A sentence that states two facts is a member of both.
    parameters : dict
        The options used.
    """

    article_events: pd.DataFrame
    events: pd.DataFrame
    coverage: pd.DataFrame
    sentence_alignments: pd.DataFrame
    facts: pd.DataFrame
    omissions: pd.DataFrame
    fact_members: pd.DataFrame = field(default_factory=pd.DataFrame)
    parameters: dict = field(default_factory=dict)

    def save(self, outdir) -> list[Path]:
        """Write the six tables as CSV files into ``outdir`` (created if needed).

        Returns the paths of ``article_events.csv``, ``events.csv``, ``coverage.csv``, ``facts.csv``,
        ``sentence_alignments.csv`` and ``omissions.csv``.

        Examples
        --------
        >>> import tempfile
        >>> from framing import load_corpus
        >>> paths = align_events(load_corpus()).save(tempfile.mkdtemp())
        >>> [p.name for p in paths][:2]
        ['article_events.csv', 'events.csv']
        """
        out = Path(outdir)
        out.mkdir(parents=True, exist_ok=True)
        return [write_csv(getattr(self, attr), out / name) for attr, name in _OUTPUT_FILES.items()]

    def summary(self) -> pd.DataFrame:
        """A short table of the events: id, dates, articles, outlets, facts, omissions and key terms.

        Examples
        --------
        >>> from framing import load_corpus
        >>> align_events(load_corpus()).summary()["articles"].tolist()
        [3, 1, 1]
        """
        ev = self.events
        omitted = self.omissions.groupby("event_id").size() if len(self.omissions) else pd.Series(dtype=int)
        fmt = lambda d: "" if pd.isna(d) else f"{d:%Y-%m-%d}"  # noqa: E731
        return pd.DataFrame({
            "event": ev["event_id"],
            "dates": [fmt(a) if fmt(a) == fmt(b) else f"{fmt(a)} to {fmt(b)}"
                      for a, b in zip(ev["first_date"], ev["last_date"])],
            "articles": ev["n_articles"].astype(int),
            "outlets": ev["outlets"],
            "facts": ev["n_facts"].astype("Int64"),
            "omissions": ev["event_id"].map(omitted).fillna(0).astype(int),
            "label": ev["key_terms"].str.replace("; ", ", ", regex=False),
        }).reset_index(drop=True)

    def __repr__(self) -> str:
        return (f"<EventAlignment: {len(self.article_events)} articles in {len(self.events)} events, "
                f"{len(self.facts)} facts from {len(self.sentence_alignments)} aligned sentence pairs, "
                f"{len(self.omissions)} omissions>")


# --------------------------------------------------------------------------------------- weighting

def _tfidf(counts: sp.csr_matrix, kinds: np.ndarray, *, name_weight: float, sublinear: bool,
           df_counts: sp.csr_matrix | None = None,
           column_mask: np.ndarray | None = None) -> tuple[sp.csr_matrix, np.ndarray]:
    """Smoothed TF-IDF with names, numbers and dates up-weighted; rows L2-normalised.

    ``column_mask`` (0/1 per feature) leaves features out. Returns the matrix and the per-feature
    weights (idf × kind weight × mask)."""
    base = counts if df_counts is None else df_counts
    n = base.shape[0]
    df = np.bincount(base.indices, minlength=base.shape[1]) if base.nnz else np.zeros(base.shape[1])
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    kind_weight = np.where(kinds == "w", 1.0, name_weight)
    weights = idf * kind_weight
    if column_mask is not None:
        weights = weights * column_mask
    X = counts.astype(np.float64, copy=True).tocsr()
    if sublinear:
        X.data = 1.0 + np.log(X.data)
    X = (X @ sp.diags(weights)).tocsr()
    X.eliminate_zeros()
    # Sorted indices fix the order of the sums in every product of these rows, so similarities do not
    # depend on how a product is laid out (see framing.align_graph.block_neighbours) or on scipy's version.
    X.sort_indices()
    return normalize(X, norm="l2", copy=False), weights


# ------------------------------------------------------------------------------------------ entry

def align_events(corpus, *, window_days: float = 7, event_threshold: float = 0.2, fact_threshold: float = 0.3,
                 min_shared: int = 2, fact_window_days: float | None = 90, n_neighbors: int = 10,
                 name_weight: float = 2.0, paraphrases=None, lexicon=None, skip_concepts=None,
                 stop_words=None, facts=True, random_state: int = 0, n_jobs=None,
                 scheduler=None) -> EventAlignment:
    """Group articles by the events they cover and align the sentences that state the same facts.

    Parameters
    ----------
    corpus : framing.Corpus
        The corpus (``corpus.articles`` and ``corpus.sentences()`` are used).
    window_days : float, default 7
        Articles published more than this many days apart are never in one event unless their texts
        name the same day. A week is the usual life of a news event in topic-detection-and-tracking
        work; follow-up coverage that names the event's date still joins it.
    event_threshold : float, default 0.2
        Average-linkage cut: two groups of articles merge while the mean cosine similarity over their
        article pairs (pairs that are not nearest neighbours count as 0) is at least this. Articles
        about different stories rarely exceed 0.1 with this weighting; reports of one event share
        names, numbers and dates and sit well above 0.2. Raise it to split events more finely.
    fact_threshold : float, default 0.3
        A fact starts from two sentences whose sentence-level TF-IDF cosine is at least this; others
        join it at a mean similarity of at least half of it. 0.3 means roughly a third of the weighted
        vocabulary of the two sentences is shared: paraphrases that keep the key words ("massing tens of
        thousands of troops near its border" / "deployed tens of thousands of troops on its border")
        pass, sentences that share a name or two do not.
    min_shared : int, default 2
        Distinct features (word stems, names, numbers, days, term classes) a pair must share; at least
        one of them must be a word or number.
    fact_window_days : float or None, default 90
        Sentences are compared between neighbouring articles published at most this many days apart
        (background facts recur for weeks); None compares all neighbouring articles regardless of date.
    n_neighbors : int, default 10
        Nearest neighbours kept per article (scikit-learn's usual size for k-nearest-neighbour affinity
        graphs). Average linkage runs on this sparse graph, so an event must be held together by each
        article's closest neighbours, not by many moderate similarities across a long-running story;
        it also bounds memory and time. A story with far more than ``n_neighbors`` articles in one
        window may be split into sub-events; raise it for such corpora. (The first version used 30; it
        was set to 10 after the first ECB+ run, see ``benchmarks/alignment_quality.py``.)
    name_weight : float, default 2.0
        Weight of names, numbers and resolved dates relative to content words (article level).
    paraphrases : str, Path, pandas.DataFrame, None or False
        Paraphrase groups whose forms count as one feature: None for the bundled
        ``framing/data/paraphrases.csv`` (a small general-purpose news list: join / membership /
        accession, troops / soldiers / forces, NATO / "military bloc" / alliance, US / United States,
        …), a file in that format, a frame from :func:`framing.align_features.load_paraphrases`, or
        False for none.
    lexicon : str, Path, pandas.DataFrame, None or False
        Contested-term lexicon whose concepts count as one feature each (Kiev / Kyiv, regime /
        government): None for the bundled ``framing/data/contested_terms.tsv``, your own lexicon file
        or frame, or False for none. Outlets choose different names for the same thing; counting them as
        one keeps those choices from splitting the facts they are about.
    skip_concepts : iterable of str, str or Path, optional
        Lexicon concepts not to merge, or a file listing them; default
        ``framing/data/align_lexicon_skip.txt`` (concepts that group the labels of opposing positions,
        such as pro-life / pro-choice).
    stop_words : str, Path or pandas.DataFrame, optional
        Words that are never features (attribution verbs, month and weekday names) and the words that
        open clauses; default ``framing/data/align_stopwords.tsv``, your own file in that format, or a
        frame from :func:`framing.align_features.load_stop_words`.
    facts : bool, int or list of str, default True
        Which events also get their sentences aligned into facts (``sentence_alignments``, ``facts``,
        ``omissions``, the ``n_facts`` and ``facts`` counts): True for every event; an integer N for the N
        events with the most articles (ties: the earlier event id); a list of event ids (the events are
        the same whatever this option, so ids from a run with ``facts=False`` can be passed); False for
        none. The events are identical in every case. The sentence level costs most of the time beyond
        some 10,000 articles, so on large corpora align the facts of the events you study: sentences are
        then compared only between article pairs with at least one article in a chosen event (so
        background facts shared with neighbouring articles of other events are still found), omissions are
        listed for the chosen events, and the fact counts of the other events are missing (``<NA>``).
    random_state : int, default 0
        Seed for anything stochastic (kept for API stability; the current method is deterministic).
    n_jobs : int, optional
        Processes for feature counting and the time-blocked nearest-neighbour search of large corpora
        (scikit-learn convention: None or 1 runs in this process, -1 uses every core). The result does
        not depend on it. Not used with a ``scheduler``.
    scheduler : None, "local", "tcp://HOST:PORT" or distributed.Client, optional
        Where the time-blocked nearest-neighbour search (the article-by-article products) runs: None in
        this process; otherwise on a Dask cluster (see :func:`framing.distributed.get_client`), block by
        block. The result is identical either way.

    Returns
    -------
    EventAlignment
        ``article_events``, ``events``, ``coverage``, ``sentence_alignments``, ``facts`` and
        ``omissions`` DataFrames; see :class:`EventAlignment`.

    Raises
    ------
    FramingError
        An option is out of range, a data file is missing or malformed, or the corpus has no articles.

    Notes
    -----
    Corpora with one outlet still get events and facts; ``omissions`` is then empty (it compares
    outlets). Articles without a publication date are not time-blocked: they are compared with every
    article, and their relative date expressions ("on Monday") cannot be resolved. Use
    :func:`framing.align_features.term_classes` to see which words count as one feature.

    Time and memory grow with the number of articles times the articles per time window, never with
    its square: 5,000 US news articles (5 million words) take about 35 seconds and 0.7 GB on top of the
    loaded corpus.

    Examples
    --------
    >>> from framing import load_corpus
    >>> result = align_events(load_corpus())
    >>> result.events[["event_id", "n_articles"]].values.tolist()
    [['E01', 3], ['E02', 1], ['E03', 1]]
    >>> result.article_events["event_id"].tolist()
    ['E01', 'E02', 'E01', 'E03', 'E01']
    >>> result.events["label"].iloc[0].split(" · ")[1]
    '6–8 Dec 2021'
    """
    _check_options(window_days=window_days, event_threshold=event_threshold, fact_threshold=fact_threshold,
                   min_shared=min_shared, fact_window_days=fact_window_days, n_neighbors=n_neighbors,
                   name_weight=name_weight)
    for name, value in (("paraphrases", paraphrases), ("lexicon", lexicon)):
        if not (value is None or value is False or isinstance(value, (str, Path, pd.DataFrame))):
            raise FramingError(f"{name}={value!r}: pass a file path, a DataFrame, None for the bundled "
                               "list or False for none.")
    _check_facts(facts)
    if scheduler is not None:
        n_jobs = None  # no worker processes forked next to a Dask client's threads (it can deadlock)
    params = dict(window_days=window_days, event_threshold=event_threshold, fact_threshold=fact_threshold,
                  min_shared=min_shared, fact_window_days=fact_window_days, n_neighbors=n_neighbors,
                  name_weight=name_weight, paraphrases=paraphrases, lexicon=lexicon,
                  skip_concepts=skip_concepts, stop_words=stop_words, facts=facts, random_state=random_state)
    articles = corpus.articles.reset_index(drop=True)
    if len(articles) == 0:
        raise FramingError("corpus: has no articles; load a corpus with at least one article to align.")
    sentences = corpus.sentences(n_jobs=n_jobs).reset_index(drop=True)
    n = len(articles)
    pos = pd.Series(np.arange(n), index=articles["id"].to_numpy())
    sent_article = sentences["article_id"].map(pos).to_numpy(np.int64)
    classes = term_classes(paraphrases=paraphrases, lexicon=lexicon, skip_concepts=skip_concepts)
    stop_frame = stop_words if isinstance(stop_words, pd.DataFrame) else load_stop_words(stop_words)
    features = count_features(articles, sentences, stop_words=stop_frame, classes=classes, n_jobs=n_jobs)
    days = _day_numbers(articles["date"])

    # ---- level 1: events
    art_counts = features.articles(sent_article, n)
    X, _ = _tfidf(art_counts, features.kinds, name_weight=name_weight, sublinear=True)
    wide = None if fact_window_days is None else max(window_days, fact_window_days)
    r, c, v = time_blocked_neighbours(X, days, window=wide, k=n_neighbors, floor=_EDGE_FLOOR,
                                      map_blocks=_block_mapper(scheduler, n_jobs))
    in_window = _within(days, r, c, window_days)
    er, ec, ev = symmetric_pairs(r[in_window], c[in_window], v[in_window])
    dr, dc = _date_linked_pairs(features, sent_article, days, window_days)
    if len(dr):
        dv = pair_similarities(X, dr, dc)
        er, ec, ev = symmetric_pairs(np.r_[er, dr], np.r_[ec, dc], np.r_[ev, dv])
    labels = average_linkage(n, er, ec, ev, event_threshold)
    event_of, events, article_events = _events(articles, labels, X, art_counts, features, er, ec, ev,
                                               event_threshold)

    chosen = _fact_events(facts, events)
    if chosen is not None and not len(chosen):
        members = pd.DataFrame({c: pd.Series(dtype=object) for c in MEMBER_COLUMNS})
        events["n_facts"] = pd.array([pd.NA] * len(events), dtype="Int64")
        events = events[EVENT_COLUMNS]
        coverage = _coverage(articles, sentences, event_of, events, members)
        coverage["facts"] = pd.array([pd.NA] * len(coverage), dtype="Int64")
        empty = {name: pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
                 for name, cols in (("alignments", ALIGNMENT_COLUMNS), ("facts", FACT_COLUMNS),
                                    ("omissions", OMISSION_COLUMNS))}
        return EventAlignment(article_events, events, coverage, empty["alignments"], empty["facts"],
                              empty["omissions"], members, params)

    # ---- level 2: facts
    fr, fc, _ = symmetric_pairs(r, c, v)
    pair_a, pair_b = np.r_[fr, er], np.r_[fc, ec]
    if chosen is not None:
        in_chosen = np.isin(event_of, chosen)
        keep = in_chosen[pair_a] | in_chosen[pair_b]
        pair_a, pair_b = pair_a[keep], pair_b[keep]
    pairs, fact_labels, vectors = _align_sentences(features, sentences, sent_article, n, days, pair_a, pair_b,
                                                   fact_threshold=fact_threshold, min_shared=min_shared)
    pairs, members = _fact_membership(pairs, fact_labels, fact_threshold, sent_article, labels, vectors)
    facts, alignments, members = _facts(pairs, members, features, sentences, articles, event_of)
    events["n_facts"] = events["event_id"].map(
        members.groupby("event_id")["fact_id"].nunique() if len(members) else pd.Series(dtype=int)
    ).fillna(0).astype(int)
    coverage = _coverage(articles, sentences, event_of, events, members)
    if chosen is not None:  # events whose facts were not aligned have no fact count, not zero
        events["n_facts"] = events["n_facts"].astype("Int64").where(events["event_id"].isin(chosen))
        coverage["facts"] = coverage["facts"].astype("Int64").where(coverage["event_id"].isin(chosen))
    events = events[EVENT_COLUMNS]
    omissions = _omissions(articles, event_of, facts, members)
    if chosen is not None:
        omissions = omissions[omissions["event_id"].isin(chosen)].reset_index(drop=True)
    return EventAlignment(article_events, events, coverage, alignments, facts, omissions, members, params)


def largest_events(events: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` rows of ``events`` with the most articles (ties: the earlier event id), largest first: the
    events whose facts ``facts=n`` aligns and the ones the report details.

    Examples
    --------
    >>> from framing import load_corpus
    >>> largest_events(align_events(load_corpus(), facts=False).events, 2)["event_id"].tolist()
    ['E01', 'E02']
    """
    return events.sort_values(["n_articles", "event_id"], ascending=[False, True], kind="stable").head(n)


def _check_facts(facts) -> None:
    if isinstance(facts, (bool, np.bool_)):
        return
    if isinstance(facts, (int, np.integer)):
        if facts >= 1:
            return
    elif isinstance(facts, (list, tuple, set, frozenset, np.ndarray, pd.Series, pd.Index)):
        if all(isinstance(x, str) for x in facts):
            return
    raise FramingError(f"facts={facts!r}: use True (every event), False (none), a number N of largest events "
                       "or a list of event ids such as ['E01', 'E07'].")


def _fact_events(facts, events: pd.DataFrame) -> np.ndarray | None:
    """Ids of the events whose facts are aligned; None for every event."""
    if isinstance(facts, (bool, np.bool_)):
        return None if facts else np.zeros(0, dtype=object)
    if isinstance(facts, (int, np.integer)):
        if facts >= len(events):
            return None
        return largest_events(events, int(facts))["event_id"].to_numpy(dtype=object)
    wanted = list(dict.fromkeys(facts))
    unknown = sorted(set(wanted) - set(events["event_id"]))
    if unknown:
        shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise FramingError(f"facts: no event {shown} in this alignment; pass ids from its events table "
                           f"({events['event_id'].min()} to {events['event_id'].max()}).")
    return np.asarray(wanted, dtype=object)


def _each_block(func, shared, blocks) -> list:
    return [func(shared, block) for block in blocks]


def _pool_blocks(func, blocks, *, shared, n_jobs):
    """``map_blocks`` for :func:`framing.align_graph.time_blocked_neighbours` on a process pool."""
    return parallel_map(partial(_each_block, func), blocks, n_jobs=n_jobs, shared=shared, chunk_size=1,
                        min_items=2)


def _block_mapper(scheduler, n_jobs=None):
    if scheduler is None:
        return partial(_pool_blocks, n_jobs=n_jobs) if effective_n_jobs(n_jobs) > 1 else None
    from .distributed import get_client, map_blocks

    client = get_client(scheduler)
    return partial(map_blocks, client=client)


def _check_options(**opts) -> None:
    for name in ("event_threshold", "fact_threshold"):
        if not (isinstance(opts[name], (int, float)) and 0 < opts[name] <= 1):
            raise FramingError(f"{name}={opts[name]!r}: must be a cosine similarity between 0 and 1; "
                               "try the default.")
    if not (isinstance(opts["window_days"], (int, float)) and opts["window_days"] >= 0):
        raise FramingError(f"window_days={opts['window_days']!r}: must be a number of days (0 or more).")
    fw = opts["fact_window_days"]
    if fw is not None and not (isinstance(fw, (int, float)) and fw >= 0):
        raise FramingError(f"fact_window_days={fw!r}: must be a number of days or None for no limit.")
    for name in ("min_shared", "n_neighbors"):
        if not (isinstance(opts[name], (int, np.integer)) and opts[name] >= 1):
            raise FramingError(f"{name}={opts[name]!r}: must be a whole number of at least 1.")
    if not (isinstance(opts["name_weight"], (int, float)) and opts["name_weight"] > 0):
        raise FramingError(f"name_weight={opts['name_weight']!r}: must be a positive number.")


def _day_numbers(dates: pd.Series) -> np.ndarray:
    d = pd.to_datetime(dates, errors="coerce")
    out = np.full(len(d), np.nan)
    ok = d.notna().to_numpy()
    out[ok] = (d[ok].astype("datetime64[ns]").to_numpy().astype("datetime64[D]").astype(np.int64)).astype(float)
    return out


def _within(days: np.ndarray, r: np.ndarray, c: np.ndarray, window: float) -> np.ndarray:
    dr, dc = days[r], days[c]
    return np.isnan(dr) | np.isnan(dc) | (np.abs(dr - dc) <= window)


def _date_linked_pairs(features: FeatureCounts, sent_article, days, window, *, max_posting=200):
    """Article pairs further apart than ``window`` whose texts name the same day: one names the other's
    publication day, or both name a day that lies before both publication dates (a past event both
    report). Days named by more than ``max_posting`` articles (anniversaries, "September 11") are
    skipped: they name a reference point, not one event."""
    vocab = features.vocabulary
    is_day = features.kinds == "d"
    if not is_day.any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    S = features.sentences[:, np.flatnonzero(is_day)].tocoo()
    day_of_col = np.array([f[2:] for f in vocab[is_day]], dtype="datetime64[D]").astype(np.int64).astype(float)
    art = sent_article[S.row]
    named = day_of_col[S.col]
    # Publication days count as named days too.
    dated = np.flatnonzero(~np.isnan(days))
    art = np.r_[art, dated]
    named = np.r_[named, days[dated]]
    frame = pd.DataFrame({"art": art, "day": named}).drop_duplicates()
    frame = frame[frame.groupby("day")["art"].transform("size").between(2, max_posting)]
    art = frame["art"].to_numpy(np.int64)
    named = frame["day"].to_numpy()
    order = np.lexsort((art, named))
    art, named = art[order], named[order]
    starts = np.flatnonzero(np.r_[True, named[1:] != named[:-1]]) if len(art) else np.zeros(0, dtype=np.int64)
    ends = np.r_[starts[1:], len(art)]
    # The pairs of each day's articles, one day at a time: a join of all of them at once held tens of
    # millions of candidate rows at 100,000 articles, of which few are kept.
    out, triangles = [], {}
    for s, e in zip(starts.tolist(), ends.tolist()):
        if e - s not in triangles:
            triangles[e - s] = np.triu_indices(e - s, 1)
        first, second = triangles[e - s]
        a, b, d = art[s:e][first], art[s:e][second], named[s]   # a < b: sorted within the day
        da, db = days[a], days[b]
        far = ~np.isnan(da) & ~np.isnan(db) & (np.abs(da - db) > window)
        # The shared day must be a publication day of one of them or not after either publication: a
        # named future day ("talks on January 10") is a plan, shared by coverage of many events.
        past = (d <= np.fmin(da, db) + 1) | (d == da) | (d == db)
        keep = far & past
        out.append(a[keep] * len(days) + b[keep])
    codes = unique(np.concatenate(out)) if out else np.zeros(0, dtype=np.int64)
    return codes // len(days), codes % len(days)


# ------------------------------------------------------------------------------------------ events

_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _date_span(first: pd.Timestamp, last: pd.Timestamp) -> str:
    """"7 Dec 2021", "6–8 Dec 2021", "30 Nov – 3 Dec 2021", "30 Dec 2021 – 3 Jan 2022" (locale-free)."""
    if pd.isna(first):
        return ""
    day = lambda d: f"{d.day} {_MONTH_ABBR[d.month - 1]}"  # noqa: E731
    if first == last:
        return f"{day(first)} {first.year}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {_MONTH_ABBR[last.month - 1]} {last.year}"
    if first.year == last.year:
        return f"{day(first)} – {day(last)} {last.year}"
    return f"{day(first)} {first.year} – {day(last)} {last.year}"


def _events(articles, labels, X, counts, features, er, ec, ev, threshold):
    n = len(articles)
    dates = pd.to_datetime(articles["date"], errors="coerce")
    uniq, group = np.unique(labels, return_inverse=True)
    member = sp.csr_matrix((np.ones(n), (group, np.arange(n))), shape=(len(uniq), n))
    # Key terms: the highest weights of the event's summed TF-IDF vectors (names and words, no numbers
    # or dates), among the terms that at least half of its articles use: the shared story, not one
    # article's detail.
    centroids = (member @ X).tocsr()
    share = (sp.diags(1.0 / np.bincount(group)) @ member @ (counts > 0).astype(np.float64)).tocsr()
    share.data = (share.data >= 0.5).astype(np.float64)
    textual = np.isin(features.kinds, ["w", "n"]).astype(np.float64)
    is_name = features.kinds == "n"
    weights = centroids.multiply(share).multiply(textual[None, :]).tocsr()
    weights.eliminate_zeros()
    surface = np.array([features.surface[f] for f in features.vocabulary], dtype=object)
    date_values = dates.to_numpy()
    outlet_values = articles["outlet"].astype(str).to_numpy()
    order = np.argsort(group, kind="stable")
    bounds = np.r_[np.searchsorted(group[order], np.arange(len(uniq))), n]
    rows = []
    for g, lab in enumerate(uniq):
        idx = order[bounds[g]:bounds[g + 1]]
        cols = weights.indices[weights.indptr[g]:weights.indptr[g + 1]]
        vals = weights.data[weights.indptr[g]:weights.indptr[g + 1]]
        terms = _key_terms(cols, vals, is_name, surface)
        d = date_values[idx]
        d = d[~pd.isna(d)]
        first, last = (pd.Timestamp(d.min()), pd.Timestamp(d.max())) if len(d) else (pd.NaT, pd.NaT)
        span = _date_span(first, last)
        label = ", ".join(terms) + (f" · {span}" if span else "")
        outlets = sorted(set(outlet_values[idx]))
        rows.append({"cluster": lab, "label": label, "first_date": first, "last_date": last,
                     "n_articles": len(idx), "outlets": "; ".join(outlets), "n_outlets": len(outlets),
                     "key_terms": "; ".join(terms)})
    events = pd.DataFrame(rows)
    events["_undated"] = events["first_date"].isna()
    events = events.sort_values(["_undated", "first_date", "label", "cluster"], kind="stable").reset_index(drop=True)
    width = max(2, len(str(len(events))))
    events["event_id"] = [f"E{k + 1:0{width}d}" for k in range(len(events))]
    event_of = events.set_index("cluster")["event_id"].reindex(labels).to_numpy(dtype=object)

    confidence = _confidence(n, labels, er, ec, ev, threshold)
    label_of = events.set_index("event_id")["label"]
    article_events = pd.DataFrame({
        "article_id": articles["id"].to_numpy(), "event_id": event_of,
        "event_label": label_of.reindex(event_of).to_numpy(), "confidence": confidence,
        "outlet": articles["outlet"].to_numpy(), "date": dates.to_numpy()})
    events = events.drop(columns=["cluster", "_undated"])
    return event_of, events, article_events


def _key_terms(cols: np.ndarray, vals: np.ndarray, is_name: np.ndarray, surface: np.ndarray) -> list[str]:
    """Up to _LABEL_TERMS terms by weight: at most one fewer names than that, then the best content word
    (who, then what: "Biden, Putin, NATO, call"). Two-letter name fragments that are not acronyms ("Al"
    of "Al Jazeera") are skipped."""
    names, words = [], []
    if len(vals) > 50:  # only the best-weighted terms can make the label
        top = np.argpartition(-vals, 49)[:50]
        cols, vals = cols[top], vals[top]
    for j in np.lexsort((cols, -vals)):
        if len(names) >= _LABEL_TERMS and words:
            break
        term = surface[cols[j]]
        if is_name[cols[j]]:
            if len(term) >= 3 or term.isupper():
                names.append(term)
        else:
            words.append(term)
    terms, seen = [], set()
    for term in names[:_LABEL_TERMS - 1] + words + names[_LABEL_TERMS - 1:]:
        if term.lower() not in seen and len(terms) < _LABEL_TERMS:
            seen.add(term.lower())
            terms.append(term)
    return terms


def _confidence(n, labels, a, b, w, threshold):
    """Silhouette-style margin in [0, 1]: own = mean similarity to the other members of the article's
    event (the threshold for a single-article event: it was not similar enough to join one), other =
    highest mean similarity to another event; ``0.5 + (own - other) / (2 max(own, other))``."""
    if len(a) == 0:
        return np.ones(n)
    src = np.r_[a, b]
    grp = labels[np.r_[b, a]]
    sim = np.r_[w, w]
    sizes = np.bincount(labels, minlength=n)
    frame = pd.DataFrame({"src": src, "grp": grp, "sim": sim})
    sums = frame.groupby(["src", "grp"], sort=False)["sim"].sum().reset_index()
    s_src, s_grp, s_sum = sums["src"].to_numpy(), sums["grp"].to_numpy(), sums["sim"].to_numpy()
    own_group = s_grp == labels[s_src]
    own = np.full(n, float(threshold))
    own[s_src[own_group]] = s_sum[own_group] / np.maximum(sizes[labels[s_src[own_group]]] - 1, 1)
    other = np.zeros(n)
    np.maximum.at(other, s_src[~own_group], s_sum[~own_group] / sizes[s_grp[~own_group]])
    denom = np.maximum(np.maximum(own, other), 1e-12)
    return np.clip(0.5 + (own - other) / (2 * denom), 0.0, 1.0).round(4)


# ------------------------------------------------------------------------------------------- facts

def _align_sentences(features, sentences, sent_article, n_articles, days, pair_a, pair_b, *, fact_threshold,
                     min_shared):
    """Candidate sentence pairs between the candidate article pairs and their core fact clusters.

    Returns a frame of pairs (``sa``, ``sb``: rows of ``corpus.sentences()``, ``similarity``) and the
    core cluster label of every sentence (its own row when it is in no fact)."""
    n_sent = len(sentences)
    own = np.arange(n_sent)
    kind = sentences["kind"].to_numpy()
    counts = features.sentences
    distinct = np.diff(counts.indptr)
    eligible = (kind != "subhead") & (distinct >= _MIN_FACT_FEATURES)
    # Features of one article only cannot be shared by two articles: leave them out of the vectors.
    S, weights = _tfidf(counts, features.kinds, name_weight=_SENTENCE_NAME_WEIGHT, sublinear=False)
    floor = fact_threshold * _FACT_COHESION
    empty = pd.DataFrame({"sa": np.zeros(0, np.int64), "sb": np.zeros(0, np.int64), "similarity": np.zeros(0)})
    if len(pair_a) == 0 or not eligible.any():
        return empty, own, None
    # Binary indicators of unigrams (dates included) and of content words and numbers, to count what a
    # pair shares.
    unigram = np.isin(features.kinds, ["w", "n", "#", "d"]).astype(float)
    content = np.isin(features.kinds, ["w", "#"]).astype(float)

    # Eligible sentence rows grouped by article.
    sent_idx = np.flatnonzero(eligible)
    art_of = sent_article[sent_idx]
    by_article = sent_idx[np.argsort(art_of, kind="stable")]
    starts = np.searchsorted(np.sort(art_of, kind="stable"), np.arange(n_articles + 1))
    n_rows = np.diff(starts)
    # Each candidate article pair once, oriented from the article that comes first in date order, so that a
    # batch of consecutive left articles needs a compact band of right articles.
    rank = np.empty(n_articles, dtype=np.int64)
    rank[np.lexsort((np.arange(n_articles), np.nan_to_num(days, nan=np.inf)))] = np.arange(n_articles)
    pair_a, pair_b = np.asarray(pair_a, np.int64), np.asarray(pair_b, np.int64)
    swap = rank[pair_a] > rank[pair_b]
    pa, pb = np.where(swap, pair_b, pair_a), np.where(swap, pair_a, pair_b)
    keep = (pa != pb) & (n_rows[pa] > 0) & (n_rows[pb] > 0)
    codes = unique(rank[pa[keep]] * n_articles + pb[keep])  # sorted by the left article's rank
    pa, pb = np.argsort(rank)[codes // n_articles], codes % n_articles
    out_r, out_c, out_v = [], [], []
    # Batches of left articles: each batch multiplies its sentences with those of the union of their
    # right articles. A batch grows while the product stays small or at least half of its cells are
    # pairs that are needed, and never beyond _BLOCK_CELLS cells.
    left_articles, first_pair = np.unique(rank[pa], return_index=True)
    left_articles = np.argsort(rank)[left_articles]
    bounds = np.r_[first_pair, len(pa)]
    right_rows = np.add.reduceat(n_rows[pb], first_pair) if len(pa) else np.zeros(0, np.int64)
    s = 0
    while s < len(left_articles):
        e, rows_left, rights, rows_right, needed = s, 0, set(), 0, 0
        while e < len(left_articles):
            new_rights = set(pb[bounds[e]:bounds[e + 1]].tolist()) - rights
            add_left, add_right = n_rows[left_articles[e]], int(n_rows[list(new_rights)].sum())
            cells = (rows_left + add_left) * (rows_right + add_right)
            need = needed + add_left * right_rows[e]
            if e > s and (cells > _BLOCK_CELLS or (cells > _SMALL_BLOCK and cells > 2 * need)):
                break
            rows_left, rows_right, needed = rows_left + add_left, rows_right + add_right, need
            rights |= new_rights
            e += 1
        sel = slice(bounds[s], bounds[e])
        left = np.concatenate([by_article[starts[x]:starts[x + 1]] for x in left_articles[s:e]])
        right_arts = np.array(sorted(rights), dtype=np.int64)
        right = np.concatenate([by_article[starts[x]:starts[x + 1]] for x in right_arts])
        prod = (S[left] @ S[right].T).tocoo()
        ok = prod.data >= floor
        r, c, v = left[prod.row[ok]], right[prod.col[ok]], prod.data[ok]
        ok = np.isin(sent_article[r] * n_articles + sent_article[c], pa[sel] * n_articles + pb[sel])
        out_r.append(r[ok]), out_c.append(c[ok]), out_v.append(v[ok])
        s = e
    if not out_r:  # every candidate pair has an article without a sentence that can state a fact
        return empty, own, None
    r, c, v = np.concatenate(out_r), np.concatenate(out_c), np.concatenate(out_v)
    if len(r):
        # Names alone ("Biden", "Zelensky") say who, not what: a pair must share a word or number too.
        shared = np.asarray(_pair_product(counts, unigram, r, c).sum(axis=1)).ravel()
        shared_content = np.asarray(_pair_product(counts, content, r, c).sum(axis=1)).ravel()
        ok = (shared >= min_shared) & (shared_content >= 1)
        r, c, v = r[ok], c[ok], v[ok]
    # Weak pairs matter only next to a sentence that can start a fact (one pair at the threshold).
    strong = np.zeros(n_sent, dtype=bool)
    strong[r[v >= fact_threshold]] = True
    strong[c[v >= fact_threshold]] = True
    ok = strong[r] | strong[c]
    r, c, v = r[ok], c[ok], v[ok]
    if not len(r):
        return empty, own, None
    labels = average_linkage(n_sent, r, c, v, floor, seed_threshold=fact_threshold)
    C, clause_sentence = None, np.zeros(0, dtype=np.int64)
    if features.clauses is not None and features.clauses.shape[0]:
        C = normalize((features.clauses @ sp.diags(weights)).tocsr(), norm="l2", copy=False)
        clause_sentence = features.clause_sentence
    return pd.DataFrame({"sa": r, "sb": c, "similarity": v}), labels, (S, C, clause_sentence)


def _pair_product(counts: sp.csr_matrix, mask: np.ndarray, a: np.ndarray, b: np.ndarray) -> sp.csr_matrix:
    """Row ``i``: the features of ``mask`` (0/1 per column) present in both rows ``a[i]`` and ``b[i]`` of
    ``counts``, as 1s. The indicators are built for the rows of the pairs only, which at 100,000
    articles are a few percent of the sentences (a matrix of every sentence took about 0.5 GiB)."""
    rows = unique(np.r_[a, b])
    M = (counts[rows] @ sp.diags(mask)).tocsr()
    M.eliminate_zeros()
    M.data[:] = 1.0
    return M[np.searchsorted(rows, a)].multiply(M[np.searchsorted(rows, b)]).tocsr()


def _fact_membership(pairs: pd.DataFrame, labels: np.ndarray, threshold: float, sent_article: np.ndarray,
                     article_event: np.ndarray, vectors=None):
    """Members of each fact and the aligned pairs listed under it.

    Members are, first, the core clusters of two or more sentences. Second, an article of the same event
    as one of a fact's core members that has no sentence in the fact yet states it too when one of its
    sentences, or one clause of such a sentence, has a mean similarity to the fact's core members of at
    least the cohesion floor and the sentence has a candidate pair with one of them; its best such
    sentence joins (a sentence can state two facts, an outlet can add an aside: "..., which it sees as an
    expansionist hostile organization"). Third, for a
    pair at the threshold between two facts that the first two rules do not connect, the sentence of the
    pair that is closer to the other fact joins it. A pair is listed once, under a fact that has both of
    its sentences, one of them as a core member. ``vectors`` is ``(sentence vectors, clause vectors or
    None, sentence of each clause)``.
    """
    cols = ["sentence", "cluster"]
    if len(pairs) == 0:
        return pairs.assign(cluster=np.zeros(0, np.int64)), pd.DataFrame({c: np.zeros(0, np.int64) for c in cols})
    floor = threshold * _FACT_COHESION
    sa, sb, sim = pairs["sa"].to_numpy(), pairs["sb"].to_numpy(), pairs["similarity"].to_numpy()
    size = np.bincount(labels, minlength=len(labels))
    # Mean similarity (over the pairs in the graph) of each sentence to each other cluster it has pairs with.
    src, cl, w = np.r_[sa, sb], labels[np.r_[sb, sa]], np.r_[sim, sim]
    outside = cl != labels[src]
    link = pd.DataFrame({"sentence": src[outside], "cluster": cl[outside], "w": w[outside]})
    link = link.groupby(cols, sort=False)["w"].sum().reset_index()
    link["w"] /= size[link["cluster"].to_numpy()]
    core_nodes = unique(np.r_[sa, sb])
    core_nodes = core_nodes[size[labels[core_nodes]] >= 2]
    members = pd.DataFrame({"sentence": core_nodes, "cluster": labels[core_nodes]})
    if vectors is not None:
        members = pd.concat([members, _second_facts(link, members, labels, size, sent_article, article_event,
                                                    floor, *vectors)])
    key = lambda s, c: np.asarray(s, np.int64) * len(labels) + np.asarray(c, np.int64)  # noqa: E731
    member_keys = key(members["sentence"], members["cluster"])
    # Pairs at the threshold between two facts, not yet connected: the sentence closer to the other fact
    # joins it (ties: the second sentence joins the first one's fact).
    cross = (labels[sa] != labels[sb]) & (sim >= threshold)
    if cross.any():
        ca, cb = labels[sa[cross]], labels[sb[cross]]
        ka, kb = key(sa[cross], cb), key(sb[cross], ca)
        done = np.isin(ka, member_keys) | np.isin(kb, member_keys)
        aff = pd.Series(link["w"].to_numpy(), index=key(link["sentence"], link["cluster"]))
        aff_a = aff.reindex(ka).fillna(0).to_numpy()
        aff_b = aff.reindex(kb).fillna(0).to_numpy()
        a_joins = aff_a > aff_b
        extra = pd.DataFrame({"sentence": np.where(a_joins, sa[cross], sb[cross]),
                              "cluster": np.where(a_joins, cb, ca)})[~done]
        # Joining a sentence that is in no fact yet makes a new fact of the two.
        alone = extra["cluster"].to_numpy()
        alone = alone[size[alone] == 1]
        members = pd.concat([members, extra, pd.DataFrame({"sentence": alone, "cluster": alone})])
    members = members.drop_duplicates().sort_values(cols).reset_index(drop=True)
    # List each pair once, under a fact that has both of its sentences: preferably one where both are core
    # members, else one where one is (ties: the fact with the smaller label). Pairs in no such fact (weak
    # pairs between facts) are not listed.
    member_keys = key(members["sentence"], members["cluster"])
    la, lb = labels[sa], labels[sb]
    core_a, core_b = np.isin(key(sa, la), member_keys), np.isin(key(sb, lb), member_keys)
    same = (la == lb) & core_a
    in_a = ~same & core_a & np.isin(key(sb, la), member_keys)  # b also states a's fact
    in_b = ~same & core_b & np.isin(key(sa, lb), member_keys)  # a also states b's fact
    cluster = np.where(same, la, np.where(in_a & in_b, np.minimum(la, lb), np.where(in_a, la, lb)))
    listed_mask = same | in_a | in_b
    listed = pairs[listed_mask].reset_index(drop=True)
    listed["cluster"] = cluster[listed_mask]
    return listed, members


def _second_facts(link, members, labels, size, sent_article, article_event, floor, S, C, clause_sentence):
    """Sentences that also state a fact of which their article has no member yet (see
    :func:`_fact_membership`): per article of an event that reports the fact and per fact, the best
    candidate whose whole vector or one of whose clause vectors has a mean similarity of at least
    ``floor`` to the fact's core members.

    Only articles of the fact's events are considered: the question the rule answers is whether an
    outlet covering the event states the fact (or would wrongly be listed as omitting it). Looser
    topical matches in other stories are left to the clustering."""
    cols = ["sentence", "cluster"]
    none = pd.DataFrame({c: np.zeros(0, np.int64) for c in cols})
    n = len(labels)
    member_art = sent_article[members["sentence"].to_numpy()]
    covered = member_art * n + members["cluster"].to_numpy()
    fact_events = article_event[member_art].astype(np.int64) * n + members["cluster"].to_numpy()
    cand = link[size[link["cluster"].to_numpy()] >= 2][cols]
    cand_art = sent_article[cand["sentence"].to_numpy()]
    art_key = cand_art * n + cand["cluster"].to_numpy()
    event_key = article_event[cand_art].astype(np.int64) * n + cand["cluster"].to_numpy()
    cand = cand[~np.isin(art_key, covered) & np.isin(event_key, fact_events)].reset_index(drop=True)
    if not len(cand):
        return none
    x = cand["sentence"].to_numpy()
    # Rows compared for each candidate: the sentence itself (row x of S) and its clauses (rows n + k of C).
    if C is None or not len(clause_sentence):
        cand_idx, row = np.arange(len(cand)), x
    else:
        first = np.searchsorted(clause_sentence, x)
        n_cl = np.searchsorted(clause_sentence, x, side="right") - first
        cl_idx = np.repeat(np.arange(len(cand)), n_cl)
        cl_row = n + np.repeat(first, n_cl) + (np.arange(n_cl.sum()) - np.repeat(np.cumsum(n_cl) - n_cl, n_cl))
        cand_idx, row = np.r_[np.arange(len(cand)), cl_idx], np.r_[x, cl_row]
    # Core members of each candidate's fact.
    by_label = np.argsort(labels, kind="stable")
    target = cand["cluster"].to_numpy()[cand_idx]
    lo = np.searchsorted(labels[by_label], target)
    n_mem = np.searchsorted(labels[by_label], target, side="right") - lo
    offs = np.arange(n_mem.sum()) - np.repeat(np.cumsum(n_mem) - n_mem, n_mem)
    member = by_label[np.repeat(lo, n_mem) + offs]
    rows = np.repeat(row, n_mem)
    sims = np.zeros(len(rows))
    is_clause = rows >= n
    sims[~is_clause] = _row_dots(S, rows[~is_clause], S, member[~is_clause])
    if is_clause.any():
        sims[is_clause] = _row_dots(C, rows[is_clause] - n, S, member[is_clause])
    score = pd.DataFrame({"cand": np.repeat(cand_idx, n_mem), "row": rows, "sim": sims})
    best = score.groupby(["cand", "row"], sort=False)["sim"].mean().groupby(level="cand").max()
    ok = cand.iloc[best.index.to_numpy()].assign(score=best.to_numpy())
    ok = ok[ok["score"] >= floor]
    ok["article"] = sent_article[ok["sentence"].to_numpy()]
    ok = ok.sort_values(["article", "cluster", "score", "sentence"], ascending=[True, True, False, True])
    return ok.drop_duplicates(["article", "cluster"])[cols]


def _row_dots(A: sp.csr_matrix, a: np.ndarray, B: sp.csr_matrix, b: np.ndarray, chunk: int = 200_000):
    """Dot products of the row pairs ``(A[a[i]], B[b[i]])``."""
    out = np.zeros(len(a))
    for s in range(0, len(a), chunk):
        sl = slice(s, s + chunk)
        out[sl] = np.asarray(A[a[sl]].multiply(B[b[sl]]).sum(axis=1)).ravel()
    return out


def _shared_terms(features: FeatureCounts, sa: np.ndarray, sb: np.ndarray, limit: int = 8) -> list[str]:
    """The shared words, names and numbers of each sentence pair, alphabetically (case-insensitive)."""
    if not len(sa):
        return []
    prod = _pair_product(features.sentences, (features.kinds != "d").astype(np.float64), sa, sb)
    prod.sort_indices()
    surface = np.array([features.surface[f] for f in features.vocabulary], dtype=object)
    low_code, low_uniq = pd.factorize(pd.Series([t.lower() for t in surface], dtype=object), sort=True)
    row = np.repeat(np.arange(prod.shape[0]), np.diff(prod.indptr))
    col = prod.indices
    order = np.lexsort((col, low_code[col], row))
    row, col = row[order], col[order]
    code = low_code[col]
    first = np.r_[True, (row[1:] != row[:-1]) | (code[1:] != code[:-1])]  # one surface per lower-case form
    row, col = row[first], col[first]
    rank = np.arange(len(row)) - np.searchsorted(row, row)
    keep = rank < limit
    row, col = row[keep], col[keep]
    bounds = np.searchsorted(row, np.arange(prod.shape[0] + 1)).tolist()
    words = surface[col].tolist()
    return [", ".join(words[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


def _facts(pairs, members, features, sentences, articles, event_of):
    """Fact table, alignment table with fact ids, and the member sentences of each fact."""
    outlet = articles["outlet"].astype(str).to_numpy()
    ids = articles["id"].to_numpy()
    pos = pd.Series(np.arange(len(articles)), index=ids)
    sent_art = sentences["article_id"].map(pos).to_numpy(np.int64)
    if len(pairs) == 0 or len(members) == 0:
        return (pd.DataFrame(columns=FACT_COLUMNS), pd.DataFrame(columns=ALIGNMENT_COLUMNS),
                pd.DataFrame(columns=MEMBER_COLUMNS))
    mem = members.copy()
    mem["article"] = sent_art[mem["sentence"].to_numpy()]
    # Facts need two articles (a cluster inside one article is repetition, not shared reporting).
    n_art = mem.groupby("cluster")["article"].nunique()
    keep_clusters = n_art[n_art >= 2].index
    mem = mem[mem["cluster"].isin(keep_clusters)]
    pairs = pairs[pairs["cluster"].isin(keep_clusters)]
    if len(mem) == 0:
        return (pd.DataFrame(columns=FACT_COLUMNS), pd.DataFrame(columns=ALIGNMENT_COLUMNS),
                pd.DataFrame(columns=MEMBER_COLUMNS))

    # Representative: the member with the highest summed similarity inside its fact.
    inside = pd.DataFrame({"cluster": np.r_[pairs["cluster"], pairs["cluster"]],
                           "sentence": np.r_[pairs["sa"], pairs["sb"]],
                           "similarity": np.r_[pairs["similarity"], pairs["similarity"]]})
    centrality = inside.groupby(["cluster", "sentence"])["similarity"].sum().reset_index()
    centrality = centrality.sort_values(["cluster", "similarity", "sentence"], ascending=[True, False, True])
    rep = centrality.drop_duplicates("cluster").set_index("cluster")["sentence"]

    texts = sentences["text"].to_numpy()
    sent_ids = sentences["sent_id"].to_numpy()
    kinds = sentences["kind"].to_numpy()
    fact_articles = mem[["cluster", "article"]].drop_duplicates().sort_values(["cluster", "article"])
    fact_articles["outlet"] = outlet[fact_articles["article"].to_numpy()]
    fact_articles["event"] = event_of[fact_articles["article"].to_numpy()]
    fact_articles["article_id"] = ids[fact_articles["article"].to_numpy()]
    by_fact = fact_articles.groupby("cluster", sort=True)
    fact_outlets = fact_articles[["cluster", "outlet"]].drop_duplicates().sort_values(["cluster", "outlet"])
    facts = pd.DataFrame({
        "n_articles": by_fact.size(),
        "outlets": _join_by(fact_outlets["cluster"], fact_outlets["outlet"]),
        "article_ids": _join_by(fact_articles["cluster"], fact_articles["article_id"]),
        "n_events": by_fact["event"].nunique(),
        "n_sentences": mem.groupby("cluster").size(),
        "_first": mem.groupby("cluster")["sentence"].min()})
    # Main event: the one holding more than half of the fact's articles (ties: none, a background fact).
    per_event = fact_articles.groupby(["cluster", "event"]).size().rename("k").reset_index()
    per_event = per_event.sort_values(["cluster", "k", "event"], ascending=[True, False, True])
    top_event = per_event.drop_duplicates("cluster").set_index("cluster")
    majority = top_event["k"] * 2 > facts["n_articles"].reindex(top_event.index)
    facts["event_id"] = top_event["event"].where(majority, "").reindex(facts.index).fillna("")
    r_sent = rep.reindex(facts.index).to_numpy(np.int64)
    facts["representative"] = texts[r_sent]
    facts["representative_article"] = ids[sent_art[r_sent]]
    facts["representative_sent"] = sent_ids[r_sent].astype(int)
    facts = facts.rename_axis("cluster").reset_index()
    facts = facts.sort_values(["n_articles", "n_sentences", "_first"], ascending=[False, False, True],
                              kind="stable").reset_index(drop=True)
    width = max(3, len(str(len(facts))))
    facts["fact_id"] = [f"F{k + 1:0{width}d}" for k in range(len(facts))]
    fact_of = pd.Series(facts["fact_id"].to_numpy(), index=facts["cluster"].to_numpy())
    facts = facts[FACT_COLUMNS]

    # Alignment table: article_a is the earlier article in corpus order.
    sa, sb = pairs["sa"].to_numpy(), pairs["sb"].to_numpy()
    swap = (sent_art[sa] > sent_art[sb]) | ((sent_art[sa] == sent_art[sb]) & (sa > sb))
    sa, sb = np.where(swap, sb, sa), np.where(swap, sa, sb)
    aa, ab = sent_art[sa], sent_art[sb]
    alignments = pd.DataFrame({
        "fact_id": fact_of.reindex(pairs["cluster"].to_numpy()).to_numpy(), "article_a": ids[aa],
        "sent_a": sent_ids[sa], "text_a": texts[sa], "article_b": ids[ab], "sent_b": sent_ids[sb],
        "text_b": texts[sb], "similarity": pairs["similarity"].round(4).to_numpy(), "outlet_a": outlet[aa],
        "outlet_b": outlet[ab], "kind_a": kinds[sa], "kind_b": kinds[sb], "event_a": event_of[aa],
        "event_b": event_of[ab], "_sa": sa, "_sb": sb})
    alignments = alignments.sort_values(["fact_id", "similarity", "article_a", "sent_a", "article_b", "sent_b"],
                                        ascending=[True, False, True, True, True, True]).reset_index(drop=True)
    alignments["shared_terms"] = _shared_terms(features, alignments["_sa"].to_numpy(), alignments["_sb"].to_numpy())
    alignments = alignments[ALIGNMENT_COLUMNS]
    s_idx = mem["sentence"].to_numpy()
    member_frame = pd.DataFrame({
        "fact_id": fact_of.reindex(mem["cluster"].to_numpy()).to_numpy(), "article_id": ids[sent_art[s_idx]],
        "sent_id": sent_ids[s_idx], "outlet": outlet[sent_art[s_idx]], "event_id": event_of[sent_art[s_idx]],
        "kind": kinds[s_idx], "text": texts[s_idx], "_row": s_idx})
    member_frame = member_frame.sort_values(["fact_id", "_row"]).drop(columns="_row").reset_index(drop=True)
    return facts, alignments, member_frame


def _join_by(keys: pd.Series, values: pd.Series, sep: str = "; ") -> pd.Series:
    """``sep``-joined values per key, in the given order (keys must be grouped, i.e. sorted)."""
    k = keys.to_numpy()
    v = values.astype(str).to_numpy(dtype=object)
    if not len(k):
        return pd.Series(dtype=object)
    starts = np.r_[0, np.flatnonzero(k[1:] != k[:-1]) + 1]
    ends = np.r_[starts[1:], len(k)]
    return pd.Series([sep.join(v[a:b]) for a, b in zip(starts.tolist(), ends.tolist())], index=k[starts])


# --------------------------------------------------------------------------------- coverage, omissions

def _coverage(articles, sentences, event_of, events, members):
    outlets = sorted(set(articles["outlet"].astype(str)))
    eligible = sentences[sentences["kind"] != "subhead"].groupby("article_id").size()
    frame = pd.DataFrame({"event_id": event_of, "outlet": articles["outlet"].astype(str).to_numpy(),
                          "sentences": articles["id"].map(eligible).fillna(0).astype(int).to_numpy()})
    agg = frame.groupby(["event_id", "outlet"]).agg(articles=("sentences", "size"), sentences=("sentences", "sum"))
    if len(events) * len(outlets) <= _COVERAGE_GRID_ROWS:  # every event × outlet, zeros (blind spots) included
        grid = pd.MultiIndex.from_product([events["event_id"], outlets], names=["event_id", "outlet"])
        agg = agg.reindex(grid, fill_value=0)
    else:
        grid = agg.index
    if len(members):
        nf = members.groupby(["event_id", "outlet"])["fact_id"].nunique()
        agg["facts"] = nf.reindex(grid, fill_value=0).to_numpy()
    else:
        agg["facts"] = 0
    return agg.reset_index().astype({"articles": int, "sentences": int, "facts": int})[COVERAGE_COLUMNS]


def _omissions(articles, event_of, facts, members):
    """Per event and fact: the outlets of the event that report it and those whose articles do not."""
    if len(members) == 0:
        return pd.DataFrame(columns=OMISSION_COLUMNS)
    ev_outlets = pd.DataFrame({"event_id": event_of, "outlet": articles["outlet"].astype(str).to_numpy()})
    ev_outlets = ev_outlets.drop_duplicates()
    n_outlets = ev_outlets.groupby("event_id").size()
    reported = members[["event_id", "fact_id", "outlet"]].drop_duplicates()
    reported = reported[reported["event_id"].map(n_outlets) >= 2]
    if len(reported) == 0:
        return pd.DataFrame(columns=OMISSION_COLUMNS)
    # Every outlet of the event for every fact reported in it, minus those that report it.
    grid = reported[["event_id", "fact_id"]].drop_duplicates().merge(ev_outlets, on="event_id")
    grid = grid.merge(reported.assign(_hit=True), on=["event_id", "fact_id", "outlet"], how="left")
    grid["_hit"] = grid["_hit"].fillna(False).astype(bool)
    grid = grid.sort_values(["event_id", "fact_id", "outlet"])
    grid["_key"] = grid["event_id"].astype(str) + "\x00" + grid["fact_id"].astype(str)
    hit, miss = grid[grid["_hit"]], grid[~grid["_hit"]]
    out = pd.DataFrame({"reported_by": _join_by(hit["_key"], hit["outlet"]),
                        "n_reported": hit.groupby("_key").size()})
    out = out.join(pd.DataFrame({"missing_from": _join_by(miss["_key"], miss["outlet"]),
                                 "n_missing": miss.groupby("_key").size()}), how="inner")
    if len(out) == 0:
        return pd.DataFrame(columns=OMISSION_COLUMNS)
    out[["event_id", "fact_id"]] = out.index.to_series().str.split("\x00", expand=True).to_numpy()
    out = out.reset_index(drop=True)
    out["representative"] = out["fact_id"].map(facts.set_index("fact_id")["representative"])
    out = out.astype({"n_reported": int, "n_missing": int})[OMISSION_COLUMNS]
    return out.sort_values(["event_id", "n_reported", "fact_id"], ascending=[True, False, True]).reset_index(drop=True)
