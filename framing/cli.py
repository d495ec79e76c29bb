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


def _load(args):
    from .corpus import load_corpus

    return load_corpus(args.corpus, progress=None if not args.quiet else False)


# --------------------------------------------------------------------------------------- commands

def cmd_info(args) -> int:
    """Describe a corpus: articles per outlet, dates, words, sentences, what cleaning did."""
    corpus = _load(args)
    table = corpus.summary()
    for col in ("first_date", "last_date"):
        table[col] = table[col].dt.strftime("%Y-%m-%d").fillna("-")
    print(f"{corpus.source}: {len(corpus)} articles from {len(corpus.outlets)} outlets")
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
    """Load, clean and validate a corpus and write it as JSON Lines or Parquet."""
    from .output import prepare_output_dir

    out = Path(args.output)
    suffix = "".join(out.suffixes[-1:]).lower()
    if suffix not in (".jsonl", ".parquet"):
        raise FramingError(f"{out}: the output must end in .jsonl or .parquet; choose one of them.")
    src = Path(args.corpus) if args.corpus else None
    if src is not None and src.resolve() == out.resolve():
        raise FramingError(f"{out}: the output would overwrite the input corpus; choose another file name.")
    if out.exists() and not args.force:
        raise FramingError(f"{out}: already exists; pass --force to overwrite it.")
    prepare_output_dir(out.parent, inputs=[src] if src and src.is_dir() else [], force=True)
    corpus = _load(args)
    if suffix == ".jsonl":
        corpus.to_jsonl(out, include_raw=args.include_raw)
    else:
        corpus.to_parquet(out, include_raw=args.include_raw)
    if not args.quiet:
        print(f"wrote {len(corpus)} articles from {len(corpus.outlets)} outlets to {out}")
    return 0


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

    add("info", cmd_info, "Articles per outlet, date range, words, sentences and a cleaning summary.")
    p = add("ingest", cmd_ingest, "Load, clean and validate a corpus; write it as JSON Lines or Parquet.")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="OUT.jsonl or OUT.parquet")
    p.add_argument("--include-raw", action="store_true", help="also store the raw text of each article")
    p.add_argument("--force", action="store_true", help="overwrite OUT if it exists")

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
