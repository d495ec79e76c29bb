"""Benchmark corpora of 1k to 1M articles made from the 37,554-article news corpus.

Usage::

    python benchmarks/resample.py [--sizes 1k 10k 37k 100k 1M] [--workdir DIR] [--source PATH]

Each corpus is a folder of raw (uncleaned) Parquet parts, ``<workdir>/corpora/<size>/part-00000.parquet``
..., 20,000 articles a part, with the source's fields (``id``, ``outlet``, ``date`` as "YYYY-MM-DD",
``title``, ``text``, ``url``, ``topic``, ``bias``), with a manifest beside it
(``<workdir>/corpora/<size>.manifest.json``: how it was made, articles, text bytes, seconds). A folder
whose manifest matches the request (size, seed, source file size and modification time, generator
version) is reused.

How the corpora are made (seed 0 throughout):

* **Smaller than the source (1k, 10k)**: a random sample without replacement that keeps the outlets'
  proportions (each outlet gets ``n × its share`` articles, rounded by largest remainder; outlets too
  small for one article at that size drop out, as they would in any proportional sample).
* **The source size (37k)**: every article, unchanged.
* **Larger than the source (100k, 1M)**: time-shifted replays. The source's dated articles span
  2012-05-31 to 2020-07-21 (2,973 days, leaving out the earliest 0.1% of dates: 4 outliers from 2001 to
  2010 and the sparse first weeks). A *period* is that span plus a gap of 91 days (one more than
  ``align_events``' widest time window), rounded up to whole weeks: P = 3,066 days. Replay ``p``
  (p = 1, 2, ..., m) is a random sample without replacement of the source's dated articles, with every
  date moved back by ``p × P`` days and ids ``<id>~r<p>``; the replays are independent, so across
  replays this is sampling with replacement. ``m = ceil((n − undated) / dated)`` replays of equal size
  (±1): 3 replays for 100k, 31 for 1M. The 4,410 undated source articles are included once each (in
  replay 1, still undated).

Why this shift:

* A larger corpus covers a longer period at the same density (about 11 articles a day, the source's),
  so an article meets as many others in its alignment time window at 1M as at 37k. That is the growth
  a newsroom archive or a multi-year collection has; a corpus that grows by adding outlets over the
  same period grows denser instead, and alignment, whose cost is ``n × articles per window``, then
  grows faster than linearly (the 1k and 10k samples, which keep the source's period, show that case).
* Two copies of one article are always a multiple of P apart, more than ``align_events``' widest time
  window (``fact_window_days`` = 90): copies never meet in a time window, so they never align with
  each other as identical texts would. P is a whole number of weeks, so a shifted article's weekday
  names ("on Tuesday") still fit its new date.
* Shifting back rather than forward keeps every date inside pandas' datetime64[ns] range (the 1M corpus
  reaches back to the 1740s; forward it would pass 2262) and makes the absolute dates named in the
  texts ("Sept. 20, 2016") lie after every copy's publication date. ``align_events`` links articles
  further apart than its window only through a *past* day both name or a publication day one of them
  names, so copies are not linked through the dates their shared text names either (except through a
  day named more than a period before the source article, and only while fewer than 200 articles name
  it; ``run.py`` counts copies that end up in one event).
* Undated articles are compared with every article by ``align_events``: a second undated copy would
  meet the first one, so undated articles are never copied. The resampled corpora have 4,410 undated
  articles at every size (4.4% of 100k, 0.4% of 1M; the source has 11.7%).

The calendar years of the replays mean nothing; the texts are the source's, unchanged.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

GENERATOR_VERSION = 1
SOURCE = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "news-outlets.jsonl.gz"
DEFAULT_WORKDIR = Path(os.environ.get("FRAMING_BENCH_DIR", Path.home() / ".cache" / "framing-bench"))
PART_ROWS = 20_000
WINDOW_DAYS = 91          # > align_events' default fact_window_days (90), its widest time window
SPAN_OUTLIER_QUANTILE = 0.001
COLUMNS = ["id", "outlet", "date", "title", "text", "url", "topic", "bias"]
_SOURCE_CACHE: dict = {}
SIZE_LABELS = {"1k": 1_000, "10k": 10_000, "37k": None, "100k": 100_000, "1M": 1_000_000}


def parse_size(label: str) -> int | None:
    """``"1k"`` → 1000, ``"1M"`` → 1,000,000, ``"37k"`` → None (the whole source), ``"2500"`` → 2500."""
    if label in SIZE_LABELS:
        return SIZE_LABELS[label]
    text = label.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    try:
        value = float(text[:-1] if scale > 1 else text) * scale
    except ValueError:
        raise SystemExit(f"--sizes {label!r}: give sizes like 1k, 10k, 37k (the whole source), 100k, 1M "
                         "or a number of articles.") from None
    if value < 1:
        raise SystemExit(f"--sizes {label!r}: give a positive number of articles.")
    return int(value)


def read_source(path: Path = SOURCE) -> pd.DataFrame:
    """The source corpus with every field as stored (strings or None)."""
    if not Path(path).is_file():
        raise SystemExit(f"{path}: not found; pass --source with the path of news-outlets.jsonl.gz.")
    key = (str(Path(path).resolve()), Path(path).stat().st_mtime)
    if key in _SOURCE_CACHE:
        return _SOURCE_CACHE[key]
    frame = pd.read_json(path, lines=True, dtype=False)
    for col in COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    frame = frame[COLUMNS]
    frame = frame.astype(object).where(frame.notna(), None)
    _SOURCE_CACHE.clear()
    _SOURCE_CACHE[key] = frame
    return frame


def release_source() -> None:
    """Forget the source kept by ``corpus_path(..., keep_source=True)``."""
    _SOURCE_CACHE.clear()


def stratified_sample(frame: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` rows without replacement, each outlet contributing its share (largest-remainder rounding)."""
    groups = frame.groupby(frame["outlet"].fillna(""), sort=True).indices
    names = list(groups)
    sizes = np.array([len(groups[g]) for g in names])
    quota = n * sizes / sizes.sum()
    take = np.floor(quota).astype(int)
    remainder = quota - take
    # Ties in the remainder (outlets of equal size) are broken at random, not by name.
    order = np.lexsort((rng.random(len(names)), -remainder))
    take[order[: n - take.sum()]] += 1
    rows = np.concatenate([rng.choice(groups[g], size=k, replace=False) for g, k in zip(names, take) if k])
    return frame.iloc[np.sort(rows)]


def period_days(dates: np.ndarray) -> int:
    """The replay period P: the source's date span (earliest 0.1% ignored) plus WINDOW_DAYS, in weeks."""
    days = dates[~np.isnat(dates)].astype(np.int64)
    span = int(days.max() - np.quantile(days, SPAN_OUTLIER_QUANTILE))
    return 7 * math.ceil((span + WINDOW_DAYS) / 7)


def replay_chunks(frame: pd.DataFrame, n: int, seed: int = 0):
    """Yield ``(frame, info)`` chunks of the resampled corpus of ``n`` articles (see the module notes)."""
    dates = pd.to_datetime(frame["date"], errors="coerce").to_numpy().astype("datetime64[D]")
    undated = np.flatnonzero(np.isnat(dates))
    dated = np.flatnonzero(~np.isnat(dates))
    period = period_days(dates)
    n_copies = n - len(undated)
    if n_copies < 1:
        raise SystemExit(f"size {n}: a resampled corpus must be larger than the source's {len(undated)} "
                         "undated articles.")
    m = math.ceil(n_copies / len(dated))
    per_replay = [n_copies // m + (p < n_copies % m) for p in range(m)]
    info = {"period_days": period, "replays": m, "undated": len(undated),
            "per_replay": per_replay}
    for p, size in enumerate(per_replay, 1):
        rng = np.random.default_rng([seed, p])
        rows = np.sort(rng.choice(dated, size=size, replace=False))
        if p == 1:
            rows = np.sort(np.r_[rows, undated])
        part = frame.iloc[rows].copy()
        shifted = dates[rows] - np.timedelta64(p * period, "D")
        part["date"] = [None if np.isnat(d) else str(d) for d in shifted]
        part["id"] = [f"{i}~r{p}" for i in part["id"]]
        for start in range(0, len(part), PART_ROWS):
            yield part.iloc[start:start + PART_ROWS], info


def _write_parts(chunks, out: Path) -> tuple[int, int, dict]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, pa.string()) for c in COLUMNS])
    n = text_bytes = 0
    info: dict = {}
    buffer: list[pd.DataFrame] = []
    k = 0

    def flush(frames):
        nonlocal k
        table = pa.Table.from_pandas(pd.concat(frames, ignore_index=True), schema=schema, preserve_index=False)
        pq.write_table(table, out / f"part-{k:05d}.parquet", compression="zstd")
        k += 1

    for chunk, chunk_info in chunks:
        info = chunk_info
        n += len(chunk)
        text_bytes += sum(len(t.encode("utf-8")) for t in chunk["text"] if t)
        buffer.append(chunk)
        if sum(map(len, buffer)) >= PART_ROWS:
            flush(buffer)
            buffer = []
    if buffer:
        flush(buffer)
    return n, text_bytes, info


def corpus_path(label: str, *, workdir: Path = DEFAULT_WORKDIR, source: Path = SOURCE, seed: int = 0,
                keep_source: bool = False, make: bool = True, log=print) -> tuple[Path, dict] | None:
    """Make (or reuse) the corpus of size ``label`` and return its folder and manifest.

    The source is read once and kept for the next call with ``keep_source=True``; otherwise it is
    released, so a benchmark that follows does not carry it in its memory. With ``make=False``,
    return None instead of making a corpus that is not there yet.
    """
    n = parse_size(label)
    source = Path(source)
    stat = source.stat() if source.is_file() else None
    if stat is None:
        raise SystemExit(f"{source}: not found; pass --source with the path of news-outlets.jsonl.gz.")
    out = Path(workdir) / "corpora" / label
    key = {"size": label, "n": n, "seed": seed, "source": str(source.resolve()), "source_bytes": stat.st_size,
           "source_mtime": int(stat.st_mtime), "generator": GENERATOR_VERSION}
    manifest_path = out.parent / f"{label}.manifest.json"
    if manifest_path.is_file() and out.is_dir():
        manifest = json.loads(manifest_path.read_text())
        if {k: manifest.get(k) for k in key} == key:
            return out, manifest
    if not make:
        return None
    log(f"making the {label} corpus in {out} ...")
    t0 = time.perf_counter()
    frame = read_source(source)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{label}.", dir=out.parent))
    try:
        if n is None or n == len(frame):
            chunks = ((frame.iloc[s:s + PART_ROWS], {"method": "whole source"})
                      for s in range(0, len(frame), PART_ROWS))
        elif n < len(frame):
            sample = stratified_sample(frame, n, np.random.default_rng(seed))
            chunks = ((sample.iloc[s:s + PART_ROWS], {"method": "stratified sample by outlet"})
                      for s in range(0, len(sample), PART_ROWS))
        else:
            chunks = ((c, {"method": "time-shifted replays", **i}) for c, i in replay_chunks(frame, n, seed))
        n_written, text_bytes, info = _write_parts(chunks, tmp)
        manifest = {**key, **info, "articles": n_written, "text_bytes": text_bytes,
                    "disk_bytes": sum(p.stat().st_size for p in tmp.glob("*.parquet")),
                    "seconds": round(time.perf_counter() - t0, 1)}
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if not keep_source:
            _SOURCE_CACHE.clear()
    log(f"  {manifest['articles']:,} articles, {manifest['text_bytes'] / 1e6:,.0f} MB of text, "
        f"{manifest['disk_bytes'] / 1e6:,.0f} MB on disk, {manifest['seconds']:.0f} s")
    return out, manifest


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["1k", "10k", "37k"])
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for label in args.sizes:
        path, manifest = corpus_path(label, workdir=args.workdir, source=args.source, seed=args.seed,
                                     keep_source=True)
        print(f"{label}: {path} ({manifest['articles']:,} articles, {manifest['disk_bytes'] / 1e6:,.0f} MB)")


if __name__ == "__main__":
    sys.exit(main())
