"""Shared content of the report (HTML and PDF): section titles, figure captions, the methods text and
the table of marked spans."""

import pandas as pd

from .align import largest_events

SECTIONS = [
    ("summary", "Summary"),
    ("events", "Events and the facts they share"),
    ("coverage", "Coverage and omissions"),
    ("terms", "Term choice"),
    ("distinctive", "Distinctive terms"),
    ("attribution", "Attribution and tone"),
    ("topics", "Topics"),
    ("methods", "Methods"),
]

FIGURE_CAPTIONS = {
    "term_choice": "Which variant of each contested term each outlet uses (share of the concept's mentions).",
    "distinctive_terms": "Terms that set each outlet apart: log-odds z-score (Monroe et al. 2008) against "
                         "frequency.",
    "event_timeline": "Events on a timeline: one row per outlet, marks sized by the articles covering the "
                      "event; crosses are blind spots.",
    "aligned_facts": "Same fact, different words: aligned sentences with the differing words marked.",
    "topic_prevalence": "Topic prevalence per outlet with 95% bootstrap intervals.",
    "attribution": "Reporting verbs and the kinds of sources quoted, per outlet.",
    "tone": "Tone (VADER compound) of sentences that mention each target, per outlet, with 95% intervals.",
}

MAX_EVENTS = 30
"""Events the report details one by one (the largest); by default their facts are the ones aligned."""

FIGURE_OUTLETS = 8
"""Outlets drawn in the report's figures: the Okabe–Ito palette has eight colours, and hundreds of outlets
cannot be drawn legibly. The tables show the same top outlets plus the rest summed."""


def figure_caption(name: str, outlets) -> str:
    """The caption of figure ``name`` for a corpus of ``outlets``, saying when it shows only the top ones."""
    caption = FIGURE_CAPTIONS.get(name, "")
    if len(outlets) > FIGURE_OUTLETS:
        caption += f" The {FIGURE_OUTLETS} outlets with the most articles, of {len(outlets)}."
    return caption


METHODS_TEXT = [
    ("Cleaning", "Boilerplate lines (comment forms, share widgets, related-article lists), headlines, "
                 "datelines and credit lines are removed or moved to metadata by editable rules in "
                 "framing/data/. Every removed span is listed in the cleaning report; embedded social-media "
                 "posts are kept and treated as quoted material."),
    ("Event alignment", "Articles are grouped by the event they mainly report using TF-IDF vectors, names "
                        "and numbers as strong evidence, and dates resolved relative to publication; only "
                        "articles close in time are compared (time-window blocking with sparse "
                        "nearest-neighbour search). Sentences from different articles that state the same "
                        "fact are clustered into facts; a fact reported by some of an event's outlets and "
                        "not others is an omission. See framing.align.align_events for the parameters."),
    ("Term choice", "Counts of the variants of contested terms (Kiev/Kyiv, regime/government, ...) per "
                    "outlet from an editable lexicon; per_10k_words normalises by outlet size and share is "
                    "the variant's share of its concept's mentions in that outlet."),
    ("Distinctive terms", "Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi and Quinn "
                          "2008, 'Fightin' Words'), each outlet against the rest, reported as z-scores."),
    ("Attribution", "Reporting verbs from a list of about fifty, direct and indirect quotes with their "
                    "speaker where it can be found, and source types (anonymous officials, agencies, "
                    "government bodies, named people)."),
    ("Tone", "VADER compound scores (vaderSentiment) of sentences mentioning each target. VADER is a "
             "general-purpose sentiment lexicon, not a stance detector: read differences as wording, not "
             "as an outlet's position."),
    ("Topics", "LDA (gensim) or NMF (scikit-learn) on preprocessed text; k chosen by coherence when "
               "k='auto'. With few articles, paragraphs are the documents. Prevalence intervals are "
               "bootstrap intervals over articles."),
]


def marked_spans(corpus) -> pd.DataFrame:
    """Subheads and embedded posts, with the text that was marked (for the HTML and PDF reports)."""
    notes = corpus.annotations
    if notes is None or len(notes) == 0:
        return pd.DataFrame(columns=["article_id", "kind", "text"])
    texts = corpus.articles.set_index("id")["text"]
    rows = []
    for n in notes.itertuples(index=False):
        text = " ".join(texts[n.article_id][n.start:n.end].split())
        detail = f" [{n.detail}]" if n.detail else ""
        rows.append({"article_id": n.article_id, "kind": n.kind, "text": (text[:160] + detail)})
    return pd.DataFrame(rows)


def wide_by_outlet(frame: pd.DataFrame, index, value: str, *, max_outlets: int = 8,
                   weights: pd.Series | None = None) -> pd.DataFrame:
    """``frame`` pivoted to one column per outlet, for the report's tables.

    With more than ``max_outlets`` outlets, the ones with the largest ``weights`` (default: the summed
    ``value``) keep a column and the rest are summed into one "other outlets (N)" column, so a corpus of
    hundreds of outlets still gives a readable table (the CSV files keep every outlet).
    """
    wide = frame.pivot_table(index=index, columns="outlet", values=value, fill_value=0, aggfunc="sum")
    if wide.shape[1] > max_outlets:
        weights = wide.sum() if weights is None else weights.reindex(wide.columns).fillna(0)
        order = sorted(wide.columns, key=lambda o: (-weights[o], str(o)))
        keep, rest = order[:max_outlets], order[max_outlets:]
        other = wide[rest].sum(axis=1)
        wide = wide[keep]
        wide[f"other outlets ({len(rest)})"] = other
    wide.columns.name = None
    return wide.reset_index()


def coverage_table(alignment, *, max_outlets: int = 8, max_events: int = 30) -> pd.DataFrame:
    """Articles per event and outlet for the report: the ``max_events`` events with the most articles
    (in event order) and the outlets with the most articles (see :func:`wide_by_outlet`)."""
    chosen = sorted(largest_events(alignment.events, max_events)["event_id"])
    cov = alignment.coverage
    wide = wide_by_outlet(cov, "event_id", "articles", max_outlets=max_outlets,
                          weights=cov.groupby("outlet")["articles"].sum())
    return wide[wide["event_id"].isin(chosen)].reset_index(drop=True)


def coverage_scope(alignment, shown: pd.DataFrame, *, max_outlets: int = 8) -> str:
    """The sentence that says what :func:`coverage_table` left out ("" when it shows everything)."""
    n_events, n_outlets = len(alignment.events), alignment.coverage["outlet"].nunique()
    parts = []
    if len(shown) < n_events:
        parts.append(f"the {len(shown)} largest of {n_events} events")
    if n_outlets > max_outlets:
        parts.append(f"the {max_outlets} outlets with the most articles of {n_outlets}, the rest summed")
    if not parts:
        return ""
    return "The table shows " + " and ".join(parts) + "; coverage.csv (python -m framing align) has them all."
