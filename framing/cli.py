"""Command line: ``python -m framing <command> [CORPUS] ...``.

A thin layer over the Python API. Every command works with no corpus argument (the bundled seeds).
User errors print one sentence and exit with status 2; no traceback.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from .errors import FramingError, FramingWarning

__all__ = ["main"]


def _print_table(frame, *, quiet=False, file=None):
    if quiet:
        return
    import pandas as pd

    with pd.option_context("display.max_rows", 60, "display.max_columns", 20, "display.width", 120,
                           "display.max_colwidth", 60):
        print(frame.to_string(), file=file or sys.stdout)


def _load(args, *, partitioned: bool = False):
    """The corpus of the command. With --scheduler, a folder of Parquet parts written by ``ingest`` is
    opened part by part (``partitioned=True``: for the analyses that read it so) or read without cleaning
    it again; anything else is loaded as always."""
    from .corpus import load_corpus

    scheduler = getattr(args, "scheduler", None)
    if scheduler is not None:
        if args.corpus and Path(args.corpus).is_dir() and any(Path(args.corpus).glob("part-*.parquet")):
            from .distributed import open_partitioned

            try:
                parts = open_partitioned(args.corpus)
            except FramingError:
                parts = None  # Parquet parts from elsewhere: load and clean them
            if parts is not None:
                return parts if partitioned else parts.to_corpus()
    return load_corpus(args.corpus, progress=None if not args.quiet else False)


# --------------------------------------------------------------------------------------- commands

def cmd_info(args) -> int:
    """Describe a corpus: articles per outlet, dates, words, sentences, what cleaning did."""
    corpus = _load(args)
    table = corpus.summary()
    for col in ("first_date", "last_date"):
        table[col] = table[col].dt.strftime("%Y-%m-%d").fillna("-")
    print(f"{corpus.source}: {len(corpus):,} articles from {len(corpus.outlets):,} outlets")
    _print_table(table)
    report = corpus.cleaning_report()
    print()
    if len(report):
        counts = report.groupby(["kind", "action"]).agg(articles=("article_id", "nunique"),
                                                       spans=("article_id", "size"), chars=("chars", "sum"))
        print("Cleaning (see Corpus.cleaning_report() for every span):")
        _print_table(counts.reset_index())
    else:
        print("Cleaning: nothing removed or moved.")
    if len(corpus.issues):
        print()
        print(f"Input issues ({len(corpus.issues)}):")
        _print_table(corpus.issues.groupby("action").size().rename("count").reset_index())
    return 0


def cmd_ingest(args) -> int:
    """Load, clean and validate a corpus chunk by chunk; write JSON Lines, Parquet or Parquet parts."""
    from .corpus import seeds_path
    from .ingest import ingest

    src = Path(args.corpus) if args.corpus else seeds_path()
    summary = ingest(src, args.output, chunksize=args.chunksize, n_jobs=args.n_jobs,
                     include_raw=args.include_raw, force=args.force, progress=not args.quiet,
                     scheduler=args.scheduler)
    if not args.quiet:
        print(f"wrote {summary.articles} articles from {len(summary.outlets)} outlets in {summary.chunks} "
              f"chunk(s) to {summary.path}")
    return 0


def _outdir(args, default, expected):
    from .output import prepare_output_dir

    src = Path(args.corpus) if args.corpus else None
    return prepare_output_dir(args.output or default, inputs=[src] if src else [], force=args.force,
                              expected=expected)


def _facts_option(args):
    """``facts=`` of align_events from --no-facts / --fact-events."""
    if args.no_facts:
        return False
    if str(args.fact_events).strip().lower() == "all":
        return True
    return _positive_int(args.fact_events, "--fact-events", "a positive whole number of events or 'all'")


def cmd_align(args) -> int:
    """Group articles by event, align sentences that state the same fact, list omissions."""
    from .align import align_events

    out = _outdir(args, "framing-align", ALIGN_FILES)
    corpus = _load(args)
    result = align_events(corpus, random_state=args.random_state, facts=_facts_option(args), n_jobs=args.n_jobs,
                          scheduler=args.scheduler)
    paths = result.save(out)
    if not args.quiet:
        _print_table(result.summary())
        print(f"\n{len(result.facts)} facts, {len(result.sentence_alignments)} aligned sentence pairs, "
              f"{len(result.omissions)} omissions; wrote {len(paths)} files to {out}")
    return 0


ALIGN_FILES = ["article_events.csv", "events.csv", "coverage.csv", "facts.csv", "sentence_alignments.csv",
               "omissions.csv"]
TERMS_FILES = ["term_choice.csv", "variants.csv", "distinctive_terms.csv", "substitutions.csv",
               "attribution.csv", "lexical.csv"]
TOPICS_FILES = ["topics.csv", "doc_topics.csv", "prevalence.csv", "coherence.csv", "typical.csv"]


def cmd_terms(args) -> int:
    """Term choice, variant discovery, distinctive terms, substitutions, attribution, lexical features."""
    from .analysis import run_all
    from .output import write_csv

    out = _outdir(args, "framing-terms", TERMS_FILES)
    corpus = _load(args, partitioned=True)
    only = {"alignment", "variants", "distinctive_terms", "substitutions", "attribution", "lexical",
            "lexical_by_outlet", "tone"}
    if not args.no_lexicon:
        only.add("term_choice")
    res = run_all(corpus, lexicon=args.lexicon, random_state=args.random_state, only=only,
                  n_jobs=args.n_jobs, scheduler=args.scheduler)
    written = []
    tables = {"term_choice.csv": res.term_choice, "variants.csv": res.variants,
              "distinctive_terms.csv": res.distinctive_terms, "substitutions.csv": res.substitutions,
              "lexical.csv": res.lexical, "tone.csv": res.tone}
    for name, frame in tables.items():
        if frame is not None:
            written.append(write_csv(frame, out / name))
    if res.lexical_by_outlet is not None:
        written.append(write_csv(res.lexical_by_outlet, out / "lexical_by_outlet.csv"))
    if res.attribution is not None:
        written.extend(res.attribution.save(out).values())
    for name, reason in res.skipped.items():
        print(f"note: {name} not computed: {reason}", file=sys.stderr)
    if not args.quiet:
        if res.term_choice is not None and len(res.term_choice):
            wide = res.term_choice.pivot_table(index=["concept", "variant"], columns="outlet", values="count",
                                               fill_value=0, aggfunc="sum")
            _print_table(wide)
        elif res.variants is not None:
            _print_table(res.variants.head(20))
        print(f"\nwrote {len(written)} files to {out}")
    return 0


def cmd_topics(args) -> int:
    """Fit a topic model (LDA or NMF), per-outlet prevalence with intervals, coherence."""
    from .topics import fit_topics

    out = _outdir(args, "framing-topics", TOPICS_FILES)
    corpus = _load(args)
    k = args.k if args.k == "auto" else _positive_int(args.k, "-k")
    model = fit_topics(corpus, k=k, method=args.method, random_state=args.random_state, n_jobs=args.n_jobs)
    paths = model.save(out)
    if not args.quiet:
        for note in model.notes:
            print(f"note: {note}")
        labels = model.topics[model.topics["rank"] < 8].groupby("topic")["term"].apply(", ".join)
        _print_table(labels.to_frame("top terms"))
        print(f"\nwrote {len(paths)} files to {out}")
    return 0


def cmd_figures(args) -> int:
    """Draw every figure (PNG and SVG) from the analyses."""
    from .analysis import run_all
    from .figures import make_all_figures

    out = _outdir(args, "figures", [])
    corpus = _load(args)
    res = run_all(corpus, random_state=args.random_state)
    made = make_all_figures(res.figure_inputs(), out, outlets=corpus.outlets)
    n = 0
    for name, paths in made.items():
        if isinstance(paths, list):
            n += len(paths)
        elif not args.quiet:
            print(f"note: {name} not drawn: {paths}", file=sys.stderr)
    if not args.quiet:
        print(f"wrote {n} files to {out}")
    return 0


def cmd_report(args) -> int:
    """Write the comparison report (HTML and PDF) and its manifest."""
    from .report import build_report

    corpus = _load(args)
    k = args.k if args.k == "auto" else _positive_int(args.k, "-k")
    paths = build_report(corpus, outdir=args.output or "framing-report", formats=args.format.split(","),
                         k=k, random_state=args.random_state, lexicon=args.lexicon, force=args.force,
                         progress=not args.quiet, corpus_path=args.corpus, facts=_facts_option(args),
                         n_jobs=args.n_jobs,
                         scheduler=args.scheduler)
    if not args.quiet:
        for key in ("html", "pdf", "manifest"):
            if key in paths:
                print(f"wrote {paths[key]}")
    return 0


def _positive_int(value, flag, expected: str = "a positive whole number of topics or 'auto'") -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise FramingError(f"{flag} {value}: give {expected}.")
    return n


# ------------------------------------------------------------------------------------------ parser

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m framing",
        description="Compare how news outlets frame the same facts. With no CORPUS, every command uses "
                    "the bundled seeds corpus (five articles, December 2021 - January 2022).",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"framing {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name, func, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("corpus", nargs="?", metavar="CORPUS",
                       help="a folder of .txt files, or a .jsonl/.json/.csv/.parquet file (default: seeds)")
        p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
        p.set_defaults(func=func)
        return p

    def no_facts(p, default):
        group = p.add_mutually_exclusive_group()
        group.add_argument("--fact-events", metavar="N", default=default,
                           help="align the facts of the N events with the most articles, or 'all' "
                                f"(default: {default})")
        group.add_argument("--no-facts", action="store_true",
                           help="group articles into events only, without aligning facts (much faster on "
                                "tens of thousands of articles)")

    def n_jobs(p):
        p.add_argument("--n-jobs", type=int, default=-1, metavar="N",
                       help="worker processes for text features and topics (default -1: every core; 1: this "
                            "process only); the results do not depend on it")

    def scheduler(p):
        p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                       help="run on Dask: 'local' starts a cluster on this machine, tcp://HOST:PORT connects to "
                            "a running Dask scheduler (needs pip install 'framing[dask]')")

    add("info", cmd_info, "Articles per outlet, date range, words, sentences and a cleaning summary.")
    p = add("ingest", cmd_ingest, "Load, clean and validate a corpus in chunks (bounded memory); write JSON "
                                  "Lines, one Parquet file, or a folder of Parquet parts.")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="OUT.jsonl, OUT.parquet, or a folder OUT/ for Parquet parts")
    p.add_argument("--include-raw", action="store_true", help="also store the raw text of each article")
    p.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    p.add_argument("--chunksize", type=int, default=20_000, help="articles per chunk (default 20000)")
    p.add_argument("--n-jobs", type=int, default=1, help="worker processes for cleaning (-1: all cores)")
    scheduler(p)

    def outputs(p, default):
        p.add_argument("-o", "--output", metavar="OUTDIR", help=f"output folder (default: ./{default})")
        p.add_argument("--force", action="store_true", help="overwrite earlier results in OUTDIR")
        p.add_argument("--random-state", type=int, default=0, help="seed for stochastic steps (default 0)")

    p = add("align", cmd_align, "Group articles by event, align sentences that state the same facts, "
                                "and list omissions.")
    outputs(p, "framing-align")
    scheduler(p)
    n_jobs(p)
    no_facts(p, "all")
    p = add("terms", cmd_terms, "Term choice, variant discovery, distinctive terms, substitutions, "
                                "attribution and lexical features.")
    outputs(p, "framing-terms")
    scheduler(p)
    n_jobs(p)
    lex = p.add_mutually_exclusive_group()
    lex.add_argument("--lexicon", metavar="FILE", help="your own term lexicon (CSV like contested_terms.csv)")
    lex.add_argument("--no-lexicon", action="store_true", help="skip the lexicon; discover variants only")
    p = add("topics", cmd_topics, "Topic model by outlet and by event (LDA or NMF).")
    outputs(p, "framing-topics")
    n_jobs(p)
    p.add_argument("-k", default="auto", help="number of topics, or 'auto' to choose by coherence")
    p.add_argument("--method", choices=["auto", "lda", "nmf"], default="auto",
                   help="auto (default): LDA on articles, NMF on passages of small corpora")
    p = add("figures", cmd_figures, "Draw every figure as PNG and SVG.")
    outputs(p, "figures")
    p = add("report", cmd_report, "Write the comparison report (HTML and PDF) with a manifest.")
    outputs(p, "framing-report")
    scheduler(p)
    n_jobs(p)
    no_facts(p, "30")
    p.add_argument("--format", default="html,pdf", help="html, pdf or html,pdf (default)")
    p.add_argument("-k", default="auto", help="number of topics, or 'auto'")
    p.add_argument("--lexicon", metavar="FILE", help="your own term lexicon")

    for register in _EXTRA_COMMANDS:
        register(add)
    return parser


_EXTRA_COMMANDS: list = []


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FramingWarning)
        try:
            if getattr(args, "scheduler", None) is not None:
                from .distributed import get_client

                get_client(args.scheduler)  # an unreachable scheduler fails before any work or output
            status = args.func(args)
        except FramingError as exc:
            _flush_warnings(caught, args)
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130
    _flush_warnings(caught, args)
    return status


def _flush_warnings(caught, args):
    shown = set()
    for w in caught:
        if not issubclass(w.category, FramingWarning):
            continue
        msg = str(w.message)
        if msg not in shown:
            shown.add(msg)
            print(f"warning: {msg}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
