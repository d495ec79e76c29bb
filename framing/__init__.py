"""framing: compare how news outlets frame the same facts.

The public API, pandas-first::

    import framing
    corpus = framing.load_corpus()                 # the bundled seeds, or a path
    alignment = framing.align_events(corpus)       # events, facts, omissions
    framing.term_choice(corpus)                    # Kiev/Kyiv, regime/government ... per outlet
    framing.distinctive_terms(corpus)              # log-odds z-scores per outlet
    framing.fit_topics(corpus).prevalence          # topics per outlet with intervals
    framing.build_report(corpus, outdir="framing-report")

Analyses are imported on first use, so ``import framing`` stays fast. ``framing.attribution`` and
``framing.ingest`` are modules (their functions share the module's name: ``from framing.attribution
import attribution``).
"""

from importlib import import_module

from .corpus import Corpus, corpus_from_frame, find_duplicates, load_corpus, seeds_path
from .errors import FramingError, FramingWarning

__version__ = "0.1.0"

_LAZY = {
    "align_events": "align", "EventAlignment": "align",
    "term_choice": "terms", "discover_variants": "terms", "distinctive_terms": "terms",
    "substitutions": "terms", "diff_spans": "terms", "load_lexicon": "lexicon",
    "lexical_features": "lexical", "tone": "lexical",
    "fit_topics": "topics", "TopicModel": "topics",
    "run_all": "analysis", "build_report": "report", "iter_corpus": "ingest",
    "resolve_dates": "dates", "detect_language": "language",
}

__all__ = ["Corpus", "load_corpus", "corpus_from_frame", "find_duplicates", "seeds_path", "FramingError",
           "FramingWarning", "__version__", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'framing' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
