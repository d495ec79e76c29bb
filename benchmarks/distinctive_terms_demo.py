"""Distinctive terms, term choice and variant discovery on 37,554 real US news articles, timed.

Usage::

    python benchmarks/distinctive_terms_demo.py [PATH] [--limit N]

PATH defaults to ../shared/datasets/news-outlets.jsonl.gz (AllSides / Article-Bias-Prediction corpus,
see ../shared/datasets/README.md). Prints, for a few outlets, the terms that set each apart from all the
others (log-odds with an informative Dirichlet prior, Monroe et al. 2008), the same by AllSides bias
label, one pairwise comparison, the bundled lexicon's US-politics concepts per outlet, the top
spelling/name variant groups found without a lexicon, and the time each step took.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from framing import load_corpus  # noqa: E402
from framing.terms import discover_variants, distinctive_terms, term_choice  # noqa: E402

DEFAULT = REPO.parent / "shared" / "datasets" / "news-outlets.jsonl.gz"
OUTLETS = ["Breitbart News", "CNN (Web News)", "Fox News", "New York Times - News", "Reuters", "Vox"]


def _timed(label, func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    print(f"[{label}: {time.perf_counter() - start:.1f} s]")
    return result


def _show(frame: pd.DataFrame, column: str, groups, k: int = 15) -> None:
    for group in groups:
        rows = frame[frame[column] == group].head(k)
        terms = ", ".join(f"{t} ({z:.1f})" for t, z in zip(rows["term"], rows["z"]))
        print(f"  {group}: {terms}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--limit", type=int, default=None, help="use only the first N articles")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    corpus = _timed("load_corpus", load_corpus, args.path, progress=False)
    if args.limit:
        corpus = corpus.select(corpus.articles["id"].head(args.limit).tolist())
    words = corpus.articles["text"].str.split().str.len().sum()
    print(f"{len(corpus):,} articles, {corpus.articles['outlet'].nunique()} outlet labels, ~{words / 1e6:.1f}M words")

    print("\nDistinctive terms, each outlet against all others (z, informative Dirichlet prior):")
    d = _timed("distinctive_terms by outlet (tokenising included)", distinctive_terms, corpus, top=15)
    _show(d, "outlet", [o for o in OUTLETS if o in set(d["outlet"])])

    print("\nDistinctive terms by AllSides bias label:")
    b = _timed("distinctive_terms by bias", distinctive_terms, corpus, by="bias", top=15)
    _show(b, "bias", ["left", "center", "right"])

    print("\nFox News against CNN (Web News), pairwise:")
    p = _timed("distinctive_terms pair", distinctive_terms, corpus, pair=("Fox News", "CNN (Web News)"), top=12)
    _show(p, "outlet", ["Fox News", "CNN (Web News)"], k=12)

    print("\nTerm choice (bundled lexicon, US-politics concepts), share of the concept's mentions:")
    tc = _timed("term_choice", term_choice, corpus)
    us = tc[tc["concept"].isin(["unauthorized immigrants", "estate tax", "abortion positions"])
            & tc["outlet"].isin(OUTLETS)]
    table = us.pivot_table(index=["concept", "variant"], columns="outlet", values="share", aggfunc="sum")
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.2f}".format):
        print(table.fillna(0).to_string())

    print("\nSpelling and name variants split by outlet, found without a lexicon (top 15):")
    v = _timed("discover_variants", discover_variants, corpus, top=15)
    for row in v.drop_duplicates("group").itertuples():
        print(f"  {row.rank:2d}. {row.group:45s} {row.score:.2f}  {row.evidence}")


if __name__ == "__main__":
    main()
