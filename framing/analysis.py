"""Run every analysis on a corpus once, for the figures, the report and the CLI.

:func:`run_all` is the one place that knows which analyses exist and in which order they depend on each
other (alignment first: term choice per event, substitutions and topics per event use it). An analysis
that cannot run on a corpus (one outlet, too little text) is recorded with the reason instead of
stopping the others.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .errors import FramingError, FramingWarning

__all__ = ["AnalysisResults", "run_all"]


@dataclass
class AnalysisResults:
    """Results of :func:`run_all`. Attributes are None when an analysis was skipped; ``skipped`` maps
    its name to the reason, ``notes`` to the warnings it gave (for example "only one outlet: nothing can
    be distinctive"), ``timings`` to seconds taken, ``parameters`` to the options used."""

    corpus: object
    alignment: object = None
    term_choice: object = None
    variants: object = None
    distinctive_terms: object = None
    substitutions: object = None
    attribution: object = None
    lexical: object = None
    lexical_by_outlet: object = None
    tone: object = None
    topics: object = None
    topics_by_event: object = None
    skipped: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    parameters: dict = field(default_factory=dict)

    @cached_property
    def corpus_summary(self):
        """``corpus.summary()``, computed once for the report's HTML and PDF: it counts the words of every
        article (about 30 s at 37,000 articles)."""
        return self.corpus.summary()

    def top_outlets(self, n: int) -> list[str]:
        """The ``n`` outlets with the most articles (ties: by name), sorted by name."""
        counts = self.corpus.articles["outlet"].astype(str).value_counts()
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return sorted(name for name, _ in ranked[:n])

    def figure_inputs(self, *, max_outlets: int | None = None) -> dict:
        """The result tables keyed as :func:`framing.figures.make_all_figures` expects them.

        ``max_outlets`` keeps the rows of the outlets with the most articles (:meth:`top_outlets`): a
        figure with hundreds of outlets can be neither drawn legibly nor told apart by colour."""
        out = self._figure_tables()
        if max_outlets is None or self.corpus.articles["outlet"].nunique() <= max_outlets:
            return out
        shown = set(self.top_outlets(max_outlets))
        for key, table in out.items():
            if not hasattr(table, "columns"):
                continue
            if "outlet" in table.columns:
                out[key] = table[table["outlet"].astype(str).isin(shown)].reset_index(drop=True)
            elif "outlet_a" in table.columns:
                keep = table["outlet_a"].astype(str).isin(shown) & table["outlet_b"].astype(str).isin(shown)
                out[key] = table[keep].reset_index(drop=True)
        return out

    def _figure_tables(self) -> dict:
        from .terms import diff_spans

        out = {}
        if self.term_choice is not None:
            out["term_choice"] = self.term_choice
        if self.distinctive_terms is not None:
            out["distinctive_terms"] = self.distinctive_terms
        if self.alignment is not None:
            out["events"] = self.alignment.events
            out["coverage"] = self.alignment.coverage
            out["sentence_alignments"] = self.alignment.sentence_alignments
            out["diff_spans"] = diff_spans
        if self.substitutions is not None:
            out["substitutions"] = self.substitutions
        if self.topics is not None:
            out["prevalence"] = self.topics.prevalence
            out["topics"] = self.topics.topics
        if self.attribution is not None:
            out["verbs"] = self.attribution.verbs
            out["sources"] = self.attribution.sources
        if self.tone is not None:
            out["tone"] = self.tone
        return out


_USE_SENTENCES = {"alignment", "attribution", "lexical", "lexical_by_outlet", "tone"}
"""Analyses that read ``Corpus.sentences()``; run_all splits the sentences for them up front, in parallel."""


def _fact_scope_note(events, facts) -> str:
    """What the report says when facts were aligned for some events only ("" when for all)."""
    with_facts = int(events["n_facts"].notna().sum())
    if with_facts == 0:
        return ("Facts were not aligned (facts=False, --no-facts): events only. Align the events you study "
                "with facts (align_events(corpus, facts=[event ids]) or --fact-events N) to see shared and "
                "omitted facts.")
    if with_facts == len(events):
        return ""
    plural = "s" if with_facts != 1 else ""
    largest = isinstance(facts, (int, np.integer)) and not isinstance(facts, (bool, np.bool_))
    which = f"event{plural} with the most articles" if largest else f"chosen event{plural}"
    return (f"Facts were aligned for the {with_facts} {which}, of {len(events):,} (facts=N, --fact-events N): "
            "the fact counts of the others are empty. python -m framing align --fact-events all aligns "
            "them all.")


def run_all(corpus, *, k="auto", random_state: int = 0, lexicon=None, progress: bool = False,
            only=None, facts=True, n_jobs=None, scheduler=None) -> AnalysisResults:
    """Run alignment, term choice, variants, distinctive terms, substitutions, attribution, lexical
    features, tone and topics on ``corpus``.

    Parameters
    ----------
    corpus : Corpus or PartitionedCorpus
        A :class:`~framing.distributed.PartitionedCorpus` (ingested Parquet parts) is read part by part
        by term choice, distinctive terms and lexical features; the other analyses need the corpus in
        memory and load it once, only when they are asked for.
    k : "auto" or int
        Number of topics (see :func:`framing.topics.fit_topics`).
    random_state : int
        Seed for every stochastic step.
    lexicon : path, optional
        A term lexicon in the format of ``framing/data/contested_terms.csv``.
    progress : bool
        Print one line per analysis as it finishes.
    only : iterable of str, optional
        Run just these analyses (names as the attributes of :class:`AnalysisResults`).
    facts : bool, int or list of str, default True
        Which events get their sentences aligned into facts (see :func:`framing.align.align_events`):
        True for all, N for the N events with the most articles, a list of event ids, or False for none
        (events only). A note says when some events have no facts.
    n_jobs : int, optional
        Processes for sentence splitting, the alignment's feature counts and candidate search,
        attribution, lexical features, tone and topics (scikit-learn convention: None or 1 runs in this
        process, -1 uses every core). The results do not depend on it. Not used with a ``scheduler``.
    scheduler : None, "local", "tcp://HOST:PORT" or distributed.Client, optional
        None runs in this process; "local" starts a Dask LocalCluster; "tcp://HOST:PORT" connects to a
        running Dask scheduler; or pass a ``distributed.Client``. Passed to the analyses that run on
        Dask (term choice, distinctive terms, lexical features and the alignment's candidate search);
        the results are the same as without it.

    Examples
    --------
    >>> from framing import load_corpus
    >>> res = run_all(load_corpus(), only={"alignment"})
    >>> sorted(res.alignment.events["n_articles"].tolist())
    [1, 1, 3]
    """
    from . import align, attribution, lexical, terms, topics
    from .distributed import is_partitioned

    parts = corpus
    if is_partitioned(corpus):
        in_memory = {"alignment", "variants", "substitutions", "attribution", "tone", "topics", "topics_by_event"}
        if only is None or set(only) & in_memory:
            corpus = parts.to_corpus()
    res = AnalysisResults(corpus=corpus, parameters={"k": k, "random_state": random_state,
                                                      "lexicon": str(lexicon) if lexicon else "bundled"})
    # Only the analyses that run on Dask get the scheduler; without one, calls stay as they always were.
    dask = {} if scheduler is None else {"scheduler": scheduler}

    def step(name, func):
        if only is not None and name not in only:
            return None
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.simplefilter("always", FramingWarning)
                value = func()
        except FramingError as exc:
            res.skipped[name] = str(exc)
            value = None
            caught = []
        for w in caught:  # keep them for the report, and pass them on to the caller
            if issubclass(w.category, FramingWarning):
                res.notes.setdefault(name, []).append(str(w.message))
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        res.timings[name] = time.perf_counter() - t0
        if progress:
            state = "skipped: " + res.skipped[name] if name in res.skipped else f"{res.timings[name]:.1f} s"
            print(f"  {name:<18} {state}", flush=True)
        setattr(res, name, value)
        return value

    if scheduler is not None:
        # The Dask analyses use its workers; the others stay in this process: forking worker processes
        # from a process that runs a Dask client's threads can deadlock.
        n_jobs = None
    if not is_partitioned(corpus) and (only is None or set(only) & _USE_SENTENCES):
        corpus.sentences(n_jobs=n_jobs)  # split once, in n_jobs processes; the analyses reuse them
    step("alignment", lambda: align.align_events(corpus, random_state=random_state, facts=facts, n_jobs=n_jobs,
                                                 **dask))
    if res.alignment is not None:
        note = _fact_scope_note(res.alignment.events, facts)
        if note:
            res.notes.setdefault("alignment", []).append(note)
    step("term_choice", lambda: terms.term_choice(parts, lexicon=lexicon, n_jobs=n_jobs, **dask))
    step("variants", lambda: terms.discover_variants(corpus))
    step("distinctive_terms", lambda: terms.distinctive_terms(parts, random_state=random_state, **dask))
    if res.alignment is not None:
        step("substitutions", lambda: terms.substitutions(corpus, res.alignment.sentence_alignments, n_jobs=n_jobs))
    step("attribution", lambda: attribution.attribution(corpus, n_jobs=n_jobs))
    step("lexical", lambda: lexical.lexical_features(parts, by="article", n_jobs=n_jobs, **dask))
    step("lexical_by_outlet", lambda: lexical.lexical_features(parts, by="outlet", n_jobs=n_jobs, **dask))
    step("tone", lambda: lexical.tone(corpus, random_state=random_state, n_jobs=n_jobs))
    step("topics", lambda: topics.fit_topics(corpus, k=k, random_state=random_state, n_jobs=n_jobs))
    if res.topics is not None and res.alignment is not None:
        step("topics_by_event", lambda: res.topics.by_event(res.alignment))
    return res

