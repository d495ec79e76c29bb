"""Streaming ingestion: clean and validate corpora larger than memory, chunk by chunk.

:func:`iter_corpus` reads a JSON Lines, CSV or Parquet file (or a folder of Parquet parts or ``.txt``
files) in chunks and yields a cleaned :class:`~framing.corpus.Corpus` per chunk; :func:`ingest` writes
the chunks as JSON Lines, as one Parquet file (a row group per chunk), or as a folder of Parquet parts
(``part-00000.parquet`` ...) that :func:`~framing.corpus.load_corpus`, Dask and pyarrow read directly.
Memory stays bounded by the chunk size: only one chunk per worker is in memory at a time.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .clean import load_rules
from .corpus import ARTICLE_COLUMNS, Corpus, _build, _decode, _Issues, _table_suffix, load_corpus, parse_json_line
from .errors import FramingError, FramingWarning

__all__ = ["iter_corpus", "ingest", "IngestSummary", "load_part"]


def _jsonl_chunks(path: Path, chunksize: int, issues: _Issues) -> Iterator[pd.DataFrame]:
    opener = gzip.open if path.suffix == ".gz" else open
    records = []
    with opener(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            obj = parse_json_line(raw, path, lineno, issues)
            if obj is None:
                continue
            obj["_origin"] = f"{path.name}:{lineno}"
            records.append(obj)
            if len(records) >= chunksize:
                yield pd.DataFrame.from_records(records)
                records = []
    if records:
        yield pd.DataFrame.from_records(records)


def _csv_chunks(path: Path, chunksize: int, issues: _Issues) -> Iterator[pd.DataFrame]:
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    if path.suffix == ".gz":
        head = gzip.decompress(open(path, "rb").read())[: 1 << 20]
    probe = _Issues()
    _decode(head, path, probe)
    encoding = "utf-8"
    for row in probe.rows:
        if "decoded as" in row["message"]:
            encoding = row["message"].split("decoded as ")[1].split(".")[0]
            issues.rows.append(row)
    sep = "\t" if _table_suffix(path) == ".tsv" else ","
    offset = 0
    reader = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, chunksize=chunksize,
                         encoding=encoding, encoding_errors="replace", on_bad_lines="warn")
    for chunk in reader:
        chunk = chunk.replace({"": None})
        chunk["_origin"] = [f"{path.name}:row {offset + i + 2}" for i in range(len(chunk))]
        offset += len(chunk)
        yield chunk


def _parquet_chunks(paths: list[Path], chunksize: int) -> Iterator[pd.DataFrame]:
    import pyarrow.parquet as pq

    for path in paths:
        offset = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunksize):
            chunk = batch.to_pandas()
            chunk["_origin"] = [f"{path.name}:row {offset + i}" for i in range(len(chunk))]
            offset += len(chunk)
            yield chunk


def iter_corpus(path, *, chunksize: int = 20_000, n_jobs: int = 1, clean: bool = True,
                infer_outlets: bool = True, columns: dict | None = None) -> Iterator[Corpus]:
    """Yield the corpus at ``path`` as cleaned chunks of at most ``chunksize`` articles.

    Parameters
    ----------
    path : str or Path
        A ``.jsonl``/``.ndjson`` (optionally ``.gz``), ``.csv``/``.tsv`` or ``.parquet`` file, or a folder
        of Parquet parts; other inputs (``.json``, folders of ``.txt``) are read whole and yielded as one
        chunk.
    chunksize : int
        Articles per chunk.
    n_jobs : int
        Clean chunks in parallel worker processes (scikit-learn convention: -1 uses all cores).
    clean, infer_outlets, columns
        As in :func:`framing.load_corpus`.

    Yields
    ------
    Corpus
        One per chunk; its ``issues`` hold the problems found in that chunk. Article ids are made unique
        across chunks.

    Examples
    --------
    >>> from framing import seeds_path
    >>> [len(c) for c in iter_corpus(seeds_path(), chunksize=2)]
    [5]
    """
    path = Path(path)
    raw = _raw_chunks(path, chunksize=chunksize, columns=columns)
    if raw is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FramingWarning)
            yield load_corpus(path, clean=clean, infer_outlets=infer_outlets, columns=columns)
        return
    seen_ids: set[str] = set()
    for corpus in _build_chunks(raw, path, clean=clean, infer_outlets=infer_outlets, n_jobs=n_jobs):
        ids, rows = _unique_across_chunks(corpus.articles["id"].tolist(), corpus.articles["origin"].tolist(),
                                          seen_ids)
        yield _apply_ids(corpus, ids, rows)


def _raw_chunks(path: Path, *, chunksize: int, columns: dict | None):
    """``(raw chunk, issues found reading it)`` pairs, or None for inputs that are read whole (``.json``,
    folders of ``.txt`` files); raises FramingError for a missing path or a bad chunksize."""
    if not path.exists():
        raise FramingError(f"{path}: no such file or folder; give the path of a corpus folder or file.")
    if chunksize < 1:
        raise FramingError(f"chunksize={chunksize}: give a positive number of articles per chunk.")
    issues = _Issues()
    suffix = _table_suffix(path)
    if path.is_dir() and any(path.glob("*.parquet")) and not any(path.glob("*.txt")):
        raw_chunks = _parquet_chunks(sorted(path.glob("*.parquet")), chunksize)
    elif path.is_file() and suffix in (".jsonl", ".ndjson"):
        raw_chunks = _jsonl_chunks(path, chunksize, issues)
    elif path.is_file() and suffix in (".csv", ".tsv"):
        raw_chunks = _csv_chunks(path, chunksize, issues)
    elif path.is_file() and suffix in (".parquet", ".pq"):
        raw_chunks = _parquet_chunks([path], chunksize)
    else:
        return None

    def prepared():
        for chunk in raw_chunks:
            if "media_name" in chunk.columns:
                from .corpus import MEDIA_CLOUD_COLUMNS

                chunk = chunk.rename(columns={k: v for k, v in MEDIA_CLOUD_COLUMNS.items()
                                              if k in chunk.columns and v not in chunk.columns})
            if columns:
                chunk = chunk.rename(columns=columns)
            chunk_issues = _Issues(rows=list(issues.rows))
            issues.rows.clear()
            yield chunk, chunk_issues

    return prepared()


def _unique_across_chunks(ids: list, origins: list, seen_ids: set) -> tuple[list, list]:
    """Rename the ids an earlier chunk already used (deterministically, from the article's origin) and
    add the chunk's ids to ``seen_ids``; returns the new ids and one issue row per rename."""
    rows = []
    ids = list(ids)
    for i, aid in enumerate(ids):
        if aid in seen_ids:
            new = f"{aid}~{origins[i]}"  # the origin names the file and line: unique, and stable across runs
            rows.append({"source": origins[i], "line": None, "article_id": new, "action": "repaired",
                         "message": f"{origins[i]}: duplicate id {aid!r} (seen in an earlier chunk); renamed to "
                                    f"{new!r}."})
            ids[i] = new
    seen_ids.update(ids)
    return ids, rows


def _apply_ids(corpus: Corpus, ids: list, rows: list) -> Corpus:
    if not rows:
        return corpus
    old = corpus.articles["id"].tolist()
    renamed = {a: b for a, b in zip(old, ids) if a != b}  # ids are unique within a chunk
    corpus.articles["id"] = ids
    for frame in (corpus.annotations, corpus._edits):
        if len(frame):
            frame["article_id"] = frame["article_id"].map(lambda a: renamed.get(a, a))
    corpus._sentences = None
    corpus.issues = pd.concat([corpus.issues, pd.DataFrame(rows)], ignore_index=True)
    return corpus


def _build_one(chunk, chunk_issues, source, clean, infer_outlets):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FramingWarning)
        if "text" not in chunk.columns:
            raise FramingError(f"{source}: no `text` column (found: {', '.join(map(str, chunk.columns[:12]))}); "
                               "name the column that holds the article text `text`.")
        return _build(chunk, source, clean=clean, rules=load_rules() if clean else None,
                      infer_outlets=infer_outlets, issues=chunk_issues)


def _build_chunks(chunks, source, *, clean, infer_outlets, n_jobs) -> Iterator[Corpus]:
    if n_jobs == 1:
        for chunk, chunk_issues in chunks:
            yield _build_one(chunk, chunk_issues, source, clean, infer_outlets)
        return
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="n_jobs")
    yield from parallel(delayed(_build_one)(c, i, source, clean, infer_outlets) for c, i in chunks)


@dataclass
class IngestSummary:
    """What :func:`ingest` wrote: ``articles``, ``chunks``, ``outlets`` (articles per outlet), ``issues``
    (all input problems), ``path``."""

    path: Path
    articles: int = 0
    chunks: int = 0
    outlets: dict = field(default_factory=dict)
    issues: pd.DataFrame = field(default_factory=lambda: _Issues().frame())


def ingest(src, out, *, chunksize: int = 20_000, n_jobs: int = 1, include_raw: bool = False,
           force: bool = False, progress: bool | None = None, scheduler=None) -> IngestSummary:
    """Clean and validate a corpus chunk by chunk and write it in the interchange format.

    Parameters
    ----------
    src : path
        Any input :func:`iter_corpus` reads.
    out : path
        ``OUT.jsonl`` (JSON Lines), ``OUT.parquet`` (one Parquet file, a row group per chunk) or a folder
        (``OUT/`` or a path without extension: Parquet parts ``part-00000.parquet`` ..., the partitioned
        layout Dask reads in parallel and :func:`framing.distributed.open_partitioned` opens without
        loading it; each part also keeps its articles' marked spans, so it is never cleaned twice).
    chunksize, n_jobs
        See :func:`iter_corpus`.
    include_raw : bool
        Also store each article's raw text.
    force : bool
        Overwrite ``out`` if it exists.
    progress : bool, optional
        Show a progress bar.
    scheduler : None, "local", "tcp://HOST:PORT" or distributed.Client, optional
        None runs in this process (with ``n_jobs`` processes); "local" starts a Dask ``LocalCluster`` on
        this machine; "tcp://HOST:PORT" connects to a running Dask scheduler; or pass a
        ``distributed.Client``. With Dask, this process reads the raw input in chunks (at most a few
        chunks per worker in flight) and the workers clean them and write the Parquet parts themselves,
        so ``out`` must be on a file system the workers share; ``n_jobs`` is then not used. The output
        and the issues are the same as without a scheduler (inputs that are read whole, such as folders
        of ``.txt`` files, are cleaned here).

    Returns
    -------
    IngestSummary

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from framing import seeds_path
    >>> summary = ingest(seeds_path(), pathlib.Path(tempfile.mkdtemp()) / "seeds.jsonl")
    >>> summary.articles, summary.outlets["RFE/RL"]
    (5, 2)
    """
    src, out = Path(src), Path(out)
    if out.exists() and src.resolve() == out.resolve():
        raise FramingError(f"{out}: the output would overwrite the input corpus; choose another name.")
    if out.exists() and not force:
        raise FramingError(f"{out}: already exists; pass --force to overwrite it.")
    suffix = _table_suffix(out)
    mode = {"": "parts", ".jsonl": "jsonl", ".parquet": "parquet"}.get(suffix)
    if mode is None:
        raise FramingError(f"{out}: the output must end in .jsonl or .parquet, or be a folder for Parquet parts.")
    client = None
    if scheduler is not None:
        from .distributed import get_client

        client = get_client(scheduler)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    summary = IngestSummary(path=out)
    issues, outlets = [], {}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(desc="ingesting", unit="article")
    writer = None
    try:
        if client is not None:
            from .distributed import ingest_chunks

            written = ingest_chunks(src, tmp, client=client, mode=mode, chunksize=chunksize,
                                    include_raw=include_raw)
        else:
            written = (_write_chunk(corpus, k, tmp, mode, include_raw)
                       for k, corpus in enumerate(iter_corpus(src, chunksize=chunksize, n_jobs=n_jobs)))
        for k, chunk in enumerate(written):
            if mode == "jsonl":
                with open(tmp / "data.jsonl", "a", encoding="utf-8") as fh:
                    fh.write(chunk.payload)
            elif mode == "parquet":
                import pyarrow.parquet as pq

                table = _to_arrow(chunk.payload, None if writer is None else writer.schema, issues, k)
                if writer is None:
                    writer = pq.ParquetWriter(tmp / "data.parquet", table.schema)
                writer.write_table(table)
            elif not (tmp / _part_name(k)).is_file():
                raise FramingError(f"{out}: the Dask workers could not write {_part_name(k)} there; write to "
                                   "a folder all workers share, or ingest without --scheduler.")
            summary.articles += chunk.articles
            summary.chunks += 1
            for name, n in chunk.outlets.items():
                outlets[name] = outlets.get(name, 0) + int(n)
            issues.append(chunk.issues)
            if bar is not None:
                bar.update(chunk.articles)
        if writer is not None:
            writer.close()
            writer = None
        if summary.articles == 0:
            raise FramingError(f"{src}: contains no articles; add rows with a `text` column.")
        if out.exists():
            shutil.rmtree(out) if out.is_dir() else out.unlink()
        if mode == "parts":
            os.replace(tmp, out)
        else:
            os.replace(tmp / ("data.jsonl" if mode == "jsonl" else "data.parquet"), out)
    finally:
        if bar is not None:
            bar.close()
        if writer is not None:
            writer.close()
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    summary.outlets = dict(sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0])))
    summary.issues = pd.concat(issues, ignore_index=True) if issues else _Issues().frame()
    for row in summary.issues.head(5).itertuples(index=False):
        warnings.warn(row.message, FramingWarning, stacklevel=2)
    if len(summary.issues) > 5:
        warnings.warn(f"{src}: {len(summary.issues) - 5} more input issue(s).", FramingWarning, stacklevel=2)
    return summary


@dataclass
class _WrittenChunk:
    articles: int
    outlets: dict
    issues: pd.DataFrame
    payload: object = None  # JSON Lines text or the records frame; None when the part file is written


def _part_name(k: int) -> str:
    return f"part-{k:05d}.parquet"


# Parquet key-value metadata of a part written by ingest: marks it as cleaned by framing and keeps the
# marked spans (subheads, embedded posts) that sentences() needs, so reading a part never cleans again.
PART_METADATA_KEY = b"framing"
PART_FORMAT = 1
_CORE_COLUMNS = ["dateline", "credit", "outlet_source", "outlet_cue", "language", "duplicate_of"]


def _write_chunk(corpus: Corpus, k: int, folder: Path, mode: str, include_raw: bool) -> _WrittenChunk:
    """Turn one cleaned chunk into its output: a Parquet part written into ``folder`` (``mode="parts"``),
    or the payload the caller appends in order (JSON Lines text, or the records for one Parquet file).
    Runs in this process or on a Dask worker."""
    records = corpus.to_records(include_raw=include_raw)
    payload = None
    if mode == "jsonl":
        payload = "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records.to_dict(orient="records"))
    elif mode == "parquet":
        payload = records
    else:
        import pyarrow.parquet as pq

        table = _to_arrow(records, None, [], k)
        notes = corpus.annotations
        meta = {"format": PART_FORMAT, "annotations": {
            col: notes[col].tolist() for col in ("article_id", "start", "end", "kind", "detail")}}
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               PART_METADATA_KEY: json.dumps(meta, ensure_ascii=False,
                                                                             default=_json_default)})
        pq.write_table(table, Path(folder) / _part_name(k))
    counts = corpus.articles["outlet"].value_counts()
    return _WrittenChunk(len(corpus), dict(zip(counts.index.tolist(), counts.tolist())), corpus.issues, payload)


def _json_default(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def load_part(path) -> Corpus:
    """Read one Parquet part written by :func:`ingest` as a :class:`~framing.corpus.Corpus`, without
    cleaning it again: the text is already clean and the part keeps its marked spans (subheads, embedded
    posts), so ``sentences()`` is the same as for the corpus that was ingested.

    The articles carry ``origin`` ("part-00003.parquet:row 17") and ``raw_text`` (the stored raw text
    with ``include_raw=True``, else the cleaned text), as :func:`framing.load_corpus` gives them.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from framing import seeds_path
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "parts"
    >>> _ = ingest(seeds_path(), out)
    >>> part = load_part(out / "part-00000.parquet")
    >>> len(part), part.sentences().equals(load_corpus().sentences())
    (5, True)
    """
    import numpy as np
    import pyarrow.parquet as pq

    path = Path(path)
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        raise FramingError(f"{path}: cannot be read as Parquet ({type(exc).__name__}); check the file.") from None
    raw_meta = (table.schema.metadata or {}).get(PART_METADATA_KEY)
    if raw_meta is None:
        raise FramingError(f"{path}: not a part written by framing ingest; run `python -m framing ingest "
                           "CORPUS -o FOLDER` first.")
    meta = json.loads(raw_meta)
    articles = table.to_pandas()
    # The columns framing builds hold Python strings or None, as in a freshly loaded corpus; extra input
    # columns keep the dtype pandas reads them with, as load_corpus keeps them.
    for col in ARTICLE_COLUMNS + _CORE_COLUMNS + ["raw_text"]:
        if col == "date":
            articles[col] = articles[col].astype("datetime64[ns]")
        elif col in articles.columns:
            values = articles[col].astype(object)
            articles[col] = values.where(values.notna(), None)
    stored_raw = articles.pop("raw_text") if "raw_text" in articles.columns else None
    articles["origin"] = pd.Series([f"{path.name}:row {i}" for i in range(len(articles))], dtype=object)
    articles["raw_text"] = stored_raw if stored_raw is not None else articles["text"]
    notes = pd.DataFrame(meta["annotations"], columns=["article_id", "start", "end", "kind", "detail"])
    notes = notes.astype({"start": np.int64, "end": np.int64}) if len(notes) else notes
    return Corpus(articles, annotations=notes, source=str(path))


def _to_arrow(records: pd.DataFrame, schema, issues: list, k: int):
    """Convert a chunk to an Arrow table; later chunks are conformed to the first chunk's schema."""
    import pyarrow as pa

    records = records.copy()
    records["date"] = pd.to_datetime(records["date"], errors="coerce")
    if schema is None:
        for col in records.columns:
            if col != "date" and records[col].dtype == object:
                records[col] = records[col].map(lambda v: v if v is None or isinstance(v, str) else str(v))
        return pa.Table.from_pandas(records, preserve_index=False)
    extra = [c for c in records.columns if c not in schema.names]
    if extra:
        issues.append(pd.DataFrame([{"source": f"chunk {k}", "line": None, "article_id": None, "action": "warning",
                                     "message": f"chunk {k}: column(s) {', '.join(extra)} first appear after the "
                                                "first chunk and are not in the single Parquet file; write a "
                                                "folder of parts or JSON Lines to keep them."}]))
    for name in schema.names:
        if name not in records.columns:
            records[name] = None
    records = records[schema.names]
    for col in records.columns:
        if col != "date" and records[col].dtype == object:
            records[col] = records[col].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    return pa.Table.from_pandas(records, schema=schema, preserve_index=False)
