"""Corpus loading, cleaning and validation.

:func:`load_corpus` reads a folder of ``.txt`` files (with an optional ``metadata.csv`` or
``metadata.jsonl`` beside them), a JSON Lines, JSON, CSV or Parquet file with a ``text`` column, or a
Media Cloud CSV export, and returns a :class:`Corpus`. With no path it loads the bundled seeds corpus.

Input problems never crash the load and never drop an article silently: repaired or skipped items are
listed in :attr:`Corpus.issues` and announced as :class:`~framing.errors.FramingWarning`. Problems that
make the whole input unusable raise :class:`~framing.errors.FramingError` with one sentence naming the
file and the fix.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from . import text as _text
from .clean import CleaningRules, clean_text, load_rules
from .errors import FramingError, FramingWarning

__all__ = ["Corpus", "load_corpus", "corpus_from_frame", "seeds_path", "find_duplicates", "ARTICLE_COLUMNS"]

ARTICLE_COLUMNS = ["id", "outlet", "date", "title", "text", "url"]
"""The standard columns of :attr:`Corpus.articles`, always present, in this order."""

# Media Cloud exports (https://search.mediacloud.org) name the fields differently.
MEDIA_CLOUD_COLUMNS = {"media_name": "outlet", "publish_date": "date", "stories_id": "id"}
_TEXT_EXTENSIONS = {".txt", ".text"}
_TABLE_EXTENSIONS = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet", ".pq")
_MAX_WARNINGS = 5
EDIT_COLUMNS = ["article_id", "start", "end", "clean_start", "kind", "reason", "text", "replacement", "stage"]


def seeds_path() -> Path:
    """Return the folder of the bundled seeds corpus (five articles, December 2021 - January 2022).

    Examples
    --------
    >>> sorted(p.name for p in seeds_path().glob("*.txt"))[:2]
    ['000_8e5b7ae4cb3e161b.txt', '001_a58eb54644859f67.txt']
    """
    here = Path(__file__).resolve().parent
    installed = here / "seeds"  # pyproject maps the top-level seeds/ folder to framing/seeds in a wheel
    if (installed / "metadata.csv").is_file():
        return installed
    return Path(__file__).resolve().parent.parent / "seeds"


@dataclass
class _Issues:
    rows: list[dict] = field(default_factory=list)

    def add(self, source, message, *, action="warning", line=None, article_id=None):
        self.rows.append({"source": str(source), "line": line, "article_id": article_id,
                          "action": action, "message": message})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["source", "line", "article_id", "action", "message"])


# --------------------------------------------------------------------------------------------- reading

def _decode(data: bytes, source, issues: _Issues) -> str | None:
    """Decode bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else a detected encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        issues.add(source, f"{source}: looks like a binary file, not text; skipped.", action="skipped")
        return None
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    best = results.best()
    if best is not None and best.encoding not in ("utf_8", "ascii"):
        # Short Western-European texts fit several code pages equally well; Windows-1252 is by far the
        # most common of them in news archives, so it wins among the candidates that decode cleanly.
        candidates = {r.encoding for r in results}
        encoding = "cp1252" if "cp1252" in candidates else best.encoding
        issues.add(source, f"{source}: not valid UTF-8; decoded as {encoding}. Save it as UTF-8 to "
                           "silence this warning.", action="repaired")
        return data.decode(encoding, errors="replace")
    issues.add(source, f"{source}: not valid UTF-8 and no other encoding fits; invalid bytes were replaced "
                       "by U+FFFD. Save it as UTF-8.", action="repaired")
    return data.decode("utf-8", errors="replace")


def _open_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data


def _table_suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


# A \uD800-\uDFFF escape: JSON may hold half of a UTF-16 pair (a character cut in two by a broken
# scraper); json decodes a lone half to a surrogate, which no UTF-8 (Arrow, Parquet, files) can hold.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
# ingest parses bytes, which json decodes with "surrogatepass": a surrogate's own three bytes count too
_SURROGATE_ESCAPE_BYTES = re.compile(_SURROGATE_ESCAPE.pattern.encode() + rb"|\xed[\xa0-\xbf]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _replace_surrogates(obj) -> tuple[object, int]:
    """``obj`` (decoded JSON) with the surrogates in its strings and keys joined where they make a pair
    and replaced by U+FFFD where they stand alone, and how many were replaced."""
    if isinstance(obj, str):
        if not _LONE_SURROGATE.search(obj):
            return obj, 0
        fixed = obj.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        return fixed, fixed.count("\ufffd") - obj.count("\ufffd")
    if isinstance(obj, dict):
        out, n = {}, 0
        for key, value in obj.items():
            key, k = _replace_surrogates(key)                   # keys become column names
            out[key], m = _replace_surrogates(value)
            n += k + m
        return out, n
    if isinstance(obj, list):
        pairs = [_replace_surrogates(v) for v in obj]
        return [v for v, _ in pairs], sum(k for _, k in pairs)
    return obj, 0


def _repair_surrogates(obj, raw: str | bytes, where: str, path, issues: _Issues, line=None):
    """``obj`` decoded from the JSON ``raw``, with lone surrogates replaced and reported."""
    escape = _SURROGATE_ESCAPE if isinstance(raw, str) else _SURROGATE_ESCAPE_BYTES
    if not escape.search(raw):
        return obj
    obj, n = _replace_surrogates(obj)
    if n:
        issues.add(path, f"{where}: {n} broken character(s) (half of a UTF-16 pair: a \\uD800-\\uDFFF escape or "
                         "its bytes) replaced by U+FFFD; fix the file's export to keep them.",
                   action="repaired", line=line)
    return obj


def parse_json_line(line, path, lineno: int, issues: _Issues) -> dict | None:
    """One JSON Lines record as a dict, or None (blank line, or a malformed one reported in ``issues``)."""
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        issues.add(path, f"{path}, line {lineno}: not valid JSON ({getattr(exc, 'msg', 'not UTF-8')}); line "
                         "skipped.", action="skipped", line=lineno)
        return None
    obj = _repair_surrogates(obj, line, f"{path}, line {lineno}", path, issues, line=lineno)
    if not isinstance(obj, dict):
        issues.add(path, f"{path}, line {lineno}: expected a JSON object; line skipped.", action="skipped",
                   line=lineno)
        return None
    return obj


def _read_jsonl(path: Path, issues: _Issues) -> pd.DataFrame:
    text = _decode(_open_bytes(path), path, issues)
    records = []
    for lineno, line in enumerate((text or "").splitlines(), 1):
        obj = parse_json_line(line, path, lineno, issues)
        if obj is not None:
            obj["_line"] = lineno
            records.append(obj)
    df = pd.DataFrame.from_records(records)
    if len(df):
        df["_origin"] = [f"{path.name}:{n}" for n in df.pop("_line")]
    return df


def _read_json(path: Path, issues: _Issues) -> pd.DataFrame:
    text = _decode(_open_bytes(path), path, issues) or ""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        # A .json file that holds JSON Lines is common; fall back to reading it line by line.
        if text.lstrip().startswith("{") and "\n" in text.strip():
            return _read_jsonl(path, issues)
        raise FramingError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg}); fix the file or save "
                           "it as JSON Lines, one article per line.") from None
    obj = _repair_surrogates(obj, text, str(path), path, issues)
    if isinstance(obj, dict):
        for key in ("articles", "data", "records", "stories"):
            if isinstance(obj.get(key), list):
                obj = obj[key]
                break
        else:
            obj = [obj]
    if not isinstance(obj, list):
        raise FramingError(f"{path}: expected a list of article objects; save one object per article.")
    bad = [i for i, o in enumerate(obj) if not isinstance(o, dict)]
    for i in bad:
        issues.add(path, f"{path}, item {i}: expected a JSON object; item skipped.", action="skipped", line=i)
    df = pd.DataFrame.from_records([o for o in obj if isinstance(o, dict)])
    df["_origin"] = [f"{path.name}[{i}]" for i in range(len(df))]
    return df


def _read_csv(path: Path, issues: _Issues) -> pd.DataFrame:
    text = _decode(_open_bytes(path), path, issues) or ""
    sep = "\t" if _table_suffix(path) == ".tsv" else ","
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                         on_bad_lines="warn")
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (pd.errors.ParserError, csv_error()) as exc:
        raise FramingError(f"{path}: cannot be read as CSV ({exc}); check its quoting and delimiter.") from None
    df = df.replace({"": None})
    # Row numbers as a spreadsheet shows them (header is row 1).
    df["_origin"] = [f"{path.name}:row {i + 2}" for i in range(len(df))]
    return df


def csv_error():
    import csv

    return csv.Error


def release_arrow_memory() -> None:
    """Hand the pages Arrow's allocator keeps after freeing back to the system.

    Reading Parquet, or pandas' Arrow-backed strings, leaves the freed buffers cached by the allocator
    (a third of the loaded corpus's memory at 10,000 articles), where they count as used memory."""
    import sys

    pa = sys.modules.get("pyarrow")
    if pa is not None:
        pa.default_memory_pool().release_unused()


def _read_parquet(path: Path, issues: _Issues) -> pd.DataFrame:
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        raise FramingError(f"{path}: cannot be read as Parquet ({type(exc).__name__}); check the file.") from None
    df["_origin"] = [f"{path.name}:row {i}" for i in range(len(df))]
    return df


def _read_metadata(folder: Path, issues: _Issues) -> pd.DataFrame | None:
    for name, reader in (("metadata.csv", _read_csv), ("metadata.jsonl", _read_jsonl)):
        path = folder / name
        if path.is_file():
            meta = reader(path, issues).drop(columns=["_origin"], errors="ignore")
            if "file" not in meta.columns:
                raise FramingError(f"{path}: needs a `file` column naming each text file; add it.")
            return meta
    return None


def _read_folder(folder: Path, issues: _Issues) -> pd.DataFrame:
    parquet_parts = sorted(folder.glob("*.parquet"))
    if parquet_parts and not any(p.suffix.lower() in _TEXT_EXTENSIONS for p in folder.iterdir()):
        return pd.concat([_read_parquet(p, issues) for p in parquet_parts], ignore_index=True)
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _TEXT_EXTENSIONS)
    others = sorted(p.name for p in folder.iterdir()
                    if p.is_file() and p.suffix.lower() not in _TEXT_EXTENSIONS
                    and p.name not in ("metadata.csv", "metadata.jsonl") and not p.name.startswith("."))
    for name in others:
        issues.add(folder / name, f"{folder / name}: not a .txt file; skipped.", action="skipped")
    records = []
    for path in files:
        text = _decode(path.read_bytes(), path, issues)
        if text is None:
            continue
        records.append({"file": path.name, "id": path.stem, "text": text, "_origin": path.name})
    df = pd.DataFrame.from_records(records, columns=["file", "id", "text", "_origin"])
    meta = _read_metadata(folder, issues)
    if meta is not None:
        unknown = sorted(set(meta["file"].dropna()) - set(df["file"]))
        for name in unknown:
            issues.add(folder / "metadata.csv", f"metadata names {name}, which is not in {folder}; row ignored.",
                       action="skipped")
        meta = meta.drop_duplicates("file")
        meta_cols = [c for c in meta.columns if c != "text"]
        df = df.merge(meta[meta_cols], on="file", how="left", suffixes=("_file", ""))
        if "id_file" in df.columns:
            df["id"] = df["id"].fillna(df.pop("id_file"))
    return df


# ------------------------------------------------------------------------------------------- building

@lru_cache(maxsize=1)
def _outlet_cues() -> list[tuple[str, re.Pattern]]:
    path = resources.files("framing.data").joinpath("outlet_cues.tsv")
    cues, header = [], False
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not header:
            header = True
            continue
        outlet, pattern = line.split("\t")
        cues.append((outlet, re.compile(pattern)))
    return cues


def infer_outlet(text: str) -> tuple[str | None, str | None]:
    """Guess the outlet from cues in the text (``framing/data/outlet_cues.tsv``).

    Returns ``(outlet, cue)``, the cue being the matched text, or ``(None, None)``.

    Examples
    --------
    >>> infer_outlet("(RFE/RL) — Ukrainian President Volodymyr Zelenskiy spoke ...")
    ('RFE/RL', '(RFE/RL)')
    """
    for outlet, pattern in _outlet_cues():
        m = pattern.search(text)
        if m:
            return outlet, m.group(0)
    return None, None


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def _clean_str(value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    # Metadata is one line of text: control characters (newlines, escapes, NULs) become spaces.
    value = " ".join(_CONTROL_RE.sub(" ", str(value)).split())
    return value or None


def _parse_dates(values: pd.Series, sources: pd.Series, ids: pd.Series, issues: _Issues) -> pd.Series:
    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT:
            return pd.NaT
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
            unit = "ms" if v > 10**11 else "s"  # epoch seconds or milliseconds
            return pd.to_datetime(v, unit=unit, errors="coerce")
        s = str(v).strip()
        if not s:
            return pd.NaT
        try:
            ts = pd.Timestamp(s)
        except (ValueError, TypeError, OverflowError):
            ts = pd.to_datetime(s, errors="coerce", dayfirst=False)
        return ts

    parsed = []
    for v, src, aid in zip(values, sources, ids):
        ts = one(v)
        if pd.isna(ts) and _clean_str(v) is not None:
            issues.add(src, f"{src}: date {str(v)[:40]!r} is not a date; kept the article with no date. "
                            "Use YYYY-MM-DD.", action="repaired", article_id=aid)
        if not pd.isna(ts) and ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
        parsed.append(ts.normalize() if not pd.isna(ts) else pd.NaT)
    return pd.Series(pd.to_datetime(pd.Series(parsed, dtype="object"), errors="coerce"),
                     index=values.index).astype("datetime64[ns]")


def _build(records: pd.DataFrame, source, *, clean: bool, rules: CleaningRules, infer_outlets: bool,
           issues: _Issues, progress: bool = False) -> Corpus:
    df = records.copy()
    if "_origin" not in df.columns:
        df["_origin"] = [f"{source}:row {i}" for i in range(len(df))]
    if "text" not in df.columns:
        found = ", ".join(map(str, [c for c in df.columns if c != "_origin"][:12]))
        raise FramingError(f"{source}: no `text` column (found: {found or 'none'}); name the column that "
                           "holds the article text `text`, or pass columns={{'yours': 'text'}}.")
    n_in = len(df)
    texts = df["text"].map(lambda v: v if isinstance(v, str) else (None if _clean_str(v) is None else str(v)))
    empty = texts.isna() | (texts.fillna("").str.strip() == "")
    for src in df.loc[empty, "_origin"]:
        issues.add(src, f"{src}: the article has no text; skipped.", action="skipped")
    df = df.loc[~empty].reset_index(drop=True)
    df["text"] = texts[~empty].reset_index(drop=True)

    # Identifiers: given, or from the row; unique.
    if "id" not in df.columns:
        df["id"] = None
    ids = [(_clean_str(v) or f"doc{i:05d}") for i, v in enumerate(df["id"])]
    seen: dict[str, int] = {}
    for i, aid in enumerate(ids):
        if aid in seen:
            seen[aid] += 1
            new = f"{aid}~{seen[aid]}"
            issues.add(df.at[i, "_origin"], f"{df.at[i, '_origin']}: duplicate id {aid!r}; renamed to {new!r}.",
                       action="repaired", article_id=new)
            ids[i] = new
        else:
            seen[aid] = 1
    df["id"] = ids

    for col in ("outlet", "title", "url"):
        if col not in df.columns:
            df[col] = None
        df[col] = pd.Series([_clean_str(v) for v in df[col]], index=df.index, dtype=object)
    df["date"] = _parse_dates(df["date"] if "date" in df.columns else pd.Series([None] * len(df)),
                              df["_origin"], df["id"], issues)

    raw = df["text"].tolist()
    cleaned, titles, datelines, credits, cues, edits, notes = [], [], [], [], [], [], []
    rows = zip(df["id"], raw, df["title"])
    if progress:
        from tqdm.auto import tqdm

        rows = tqdm(rows, total=len(df), desc="cleaning", unit="article", disable=None)
    for aid, text, title in rows:
        if clean:
            c = clean_text(text, title=title, rules=rules)
            cleaned.append(c.text)
            titles.append(title or c.title)
            datelines.append(c.dateline)
            credits.append(c.credit)
            edits.extend((aid, e.start, e.end, e.clean_start, e.kind, e.reason, e.text, e.replacement, e.stage)
                         for e in c.edits)
            notes.extend((aid, a.start, a.end, a.kind, a.detail) for a in c.annotations)
        else:
            cleaned.append(text)
            titles.append(title)
            datelines.append(None)
            credits.append(None)
    outlet_source = []
    for i, outlet in enumerate(df["outlet"]):
        if outlet is not None:
            cues.append(None)
            outlet_source.append("metadata")
            continue
        outlet, cue = infer_outlet(raw[i]) if infer_outlets else (None, None)
        cues.append(cue)
        outlet_source.append("inferred" if outlet else "unknown")
        df.at[i, "outlet"] = outlet or "unknown"
    n_unknown = outlet_source.count("unknown")
    if n_unknown:
        issues.add(source, f"{source}: {n_unknown} article(s) have no outlet and no outlet cue in the text; "
                           "they are grouped as 'unknown'. Add an `outlet` column.", action="warning")
    # An unchanged text shares the raw string: halves the memory of most large corpora.
    cleaned = [r if isinstance(c, str) and c == r else c for c, r in zip(cleaned, raw)]
    df["text"] = pd.Series(cleaned, index=df.index, dtype=object)
    df["title"] = pd.Series(titles, index=df.index, dtype=object)
    # Datelines and credits found by cleaning win; values given in the input are kept otherwise.
    for col, found in (("dateline", datelines), ("credit", credits)):
        given = df[col].tolist() if col in df.columns else [None] * len(df)
        df[col] = pd.Series([f if f is not None else _clean_str(g) for f, g in zip(found, given)],
                            index=df.index, dtype=object)
    df["outlet_source"] = pd.Series(outlet_source, index=df.index, dtype=object)
    df["outlet_cue"] = pd.Series(cues, index=df.index, dtype=object)
    df["raw_text"] = pd.Series(raw, index=df.index, dtype=object)
    _flag_languages(df, source, issues)
    keys = [hash(t) for t in cleaned]
    first: dict[int, str] = {}
    duplicate_of = []
    for aid, key in zip(df["id"], keys):
        duplicate_of.append(first.get(key))
        first.setdefault(key, aid)
    df["duplicate_of"] = pd.Series(duplicate_of, index=df.index, dtype=object)
    n_dup = df["duplicate_of"].notna().sum()
    if n_dup:
        issues.add(source, f"{source}: {n_dup} article(s) repeat the text of an earlier one (see the "
                           "`duplicate_of` column and Corpus.duplicates()); load with drop_duplicates=True to "
                           "drop them.", action="warning")
    core = ["dateline", "credit", "outlet_source", "outlet_cue", "language", "duplicate_of"]
    extras = [c for c in df.columns if c not in ARTICLE_COLUMNS + core + ["_origin", "raw_text"]]
    order = ARTICLE_COLUMNS + core + extras + ["_origin", "raw_text"]
    df = df[order].rename(columns={"_origin": "origin"})
    for col in ("id", "outlet", "text", "raw_text", "origin"):
        df[col] = df[col].astype("object")
    edit_frame = pd.DataFrame(edits, columns=EDIT_COLUMNS)
    note_frame = pd.DataFrame(notes, columns=["article_id", "start", "end", "kind", "detail"])
    corpus = Corpus(df, edit_frame, note_frame, issues.frame(), source=str(source))
    _announce(issues, n_in, len(df), source)
    return corpus


def _flag_languages(df: pd.DataFrame, source, issues: _Issues) -> None:
    from .language import detect_language

    langs = [detect_language(t)[0] for t in df["text"]]
    df["language"] = pd.Series(langs, index=df.index, dtype=object)
    other = pd.Series([lang for lang in langs if lang not in ("en", "und")])
    if len(other):
        counts = ", ".join(f"{lang}: {n}" for lang, n in other.value_counts().sort_index().items())
        issues.add(source, f"{source}: {len(other)} article(s) do not look English ({counts}); the analyses "
                           "assume English, so select them out with corpus.select(lambda a: a['language'] == "
                           "'en') or analyse them apart.", action="warning")


def _announce(issues: _Issues, n_in: int, n_out: int, source) -> None:
    for row in issues.rows[:_MAX_WARNINGS]:
        warnings.warn(row["message"], FramingWarning, stacklevel=4)
    if len(issues.rows) > _MAX_WARNINGS:
        warnings.warn(f"{source}: {len(issues.rows) - _MAX_WARNINGS} more input issue(s); see Corpus.issues.",
                      FramingWarning, stacklevel=4)


_DUP_SENT_SPLIT = re.compile(r"[.!?][\"'”’)]*\s+|\n+")
_DUP_STRIP = ".!?\"'”’) "


def find_duplicates(texts, ids, *, threshold: float = 0.8, min_words: int = 6, max_df: int = 50) -> pd.DataFrame:
    """Find exact and near-duplicate articles (syndicated wire copies, the same story posted twice).

    Two articles are near duplicates when at least ``threshold`` of the sentences of the shorter one (of
    ``min_words`` words or more, compared case-insensitively) appear word for word in the other.
    Sentences found in more than ``max_df`` articles are stock phrases ("Sign up for our newsletter")
    and do not count. Copies that reword every sentence are not found; copies with a changed headline,
    extra paragraphs or a different dateline are.

    Returns
    -------
    pandas.DataFrame
        ``article_a``, ``article_b`` (the earlier and the later article in corpus order), ``kind``
        ("exact" or "near") and ``containment`` (share of the shorter article's sentences in the other).
        An exact copy is paired with its first occurrence only.

    Examples
    --------
    >>> a = "Russia massed troops near the border. Officials said talks would go on in Geneva next week."
    >>> find_duplicates([a, "UPDATED. " + a, "Something else entirely happened in Kyiv on Monday morning."],
    ...                 ["x", "y", "z"])[["article_a", "article_b", "kind"]].values.tolist()
    [['x', 'y', 'near']]
    """
    from collections import defaultdict

    columns = ["article_a", "article_b", "kind", "containment"]
    rows, first = [], {}
    index: dict[int, list[int]] = defaultdict(list)
    sizes = np.zeros(len(texts), dtype=np.int64)
    for j, text in enumerate(texts):
        folded = text.casefold()
        key = hash(" ".join(folded.split()))
        if key in first:
            rows.append((first[key], j, "exact", 1.0))
            continue
        first[key] = j
        sents = {hash(" ".join(w).rstrip(_DUP_STRIP)) for w in (s.split() for s in _DUP_SENT_SPLIT.split(folded))
                 if len(w) >= min_words}
        sizes[j] = len(sents)
        for h in sents:
            index[h].append(j)
    overlap: dict[tuple[int, int], int] = defaultdict(int)
    for docs in index.values():
        if 1 < len(docs) <= max_df:
            for x, a in enumerate(docs):
                for b in docs[x + 1:]:
                    overlap[(a, b)] += 1
    for (a, b), n in overlap.items():
        share = n / min(sizes[a], sizes[b])
        if share >= threshold:
            rows.append((a, b, "near", round(float(share), 4)))
    rows.sort()
    return pd.DataFrame([(ids[a], ids[b], k, c) for a, b, k, c in rows], columns=columns)



# -------------------------------------------------------------------------------------------- Corpus

class Corpus:
    """A cleaned collection of news articles.

    Attributes
    ----------
    articles : pandas.DataFrame
        One row per article. Columns: ``id`` (str, unique), ``outlet`` (str; "unknown" when neither the
        metadata nor the text names one), ``date`` (datetime64, day precision, NaT when unknown),
        ``title``, ``text`` (the cleaned body), ``url``, ``dateline`` and ``credit`` (moved out of the
        body by cleaning), ``outlet_source`` ("metadata", "inferred" or "unknown"), ``outlet_cue`` (the
        text that named the outlet when it was inferred), ``language`` (ISO 639-1 code or "und", from
        :func:`framing.language.detect_language`), ``duplicate_of`` (id of an earlier article with the same
        cleaned text, else None), any extra fields of the input, ``origin``
        (file and line or row the article came from) and ``raw_text`` (the text as read).
    issues : pandas.DataFrame
        Input problems: ``source``, ``line``, ``article_id``, ``action`` ("skipped", "repaired",
        "warning"), ``message``.
    annotations : pandas.DataFrame
        Marked spans of the cleaned text: ``article_id``, ``start``, ``end``, ``kind`` ("subhead",
        "embedded_post"), ``detail``.

    Examples
    --------
    >>> corpus = load_corpus()
    >>> len(corpus), sorted(corpus.outlets)
    (5, ['Al Jazeera', 'RFE/RL', 'RT', 'unattributed'])
    """

    def __init__(self, articles: pd.DataFrame, edits: pd.DataFrame | None = None,
                 annotations: pd.DataFrame | None = None, issues: pd.DataFrame | None = None,
                 source: str = "<DataFrame>"):
        self.articles = articles.reset_index(drop=True)
        self._edits = edits if edits is not None else pd.DataFrame(columns=EDIT_COLUMNS)
        self.annotations = annotations if annotations is not None else pd.DataFrame(
            columns=["article_id", "start", "end", "kind", "detail"])
        self.issues = issues if issues is not None else _Issues().frame()
        self.source = source
        self._sentences: pd.DataFrame | None = None

    # -- basic protocol
    def __len__(self) -> int:
        return len(self.articles)

    def __repr__(self) -> str:
        dates = self.articles["date"].dropna()
        span = f", {dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}" if len(dates) else ""
        return f"<Corpus: {len(self)} articles from {len(self.outlets)} outlets{span}>"

    @property
    def outlets(self) -> list[str]:
        """Outlet names, most articles first."""
        return self.articles["outlet"].value_counts(sort=True).index.tolist()

    @property
    def ids(self) -> list[str]:
        return self.articles["id"].tolist()

    def select(self, mask) -> Corpus:
        """Return a new corpus with the articles selected by a boolean mask or a list of ids.

        Examples
        --------
        >>> load_corpus().select(lambda a: a["outlet"] == "RFE/RL").articles["id"].tolist()
        ['001_a58eb54644859f67', '002_36b4d977e9af38c7']
        """
        arts = self.articles
        if callable(mask):
            mask = mask(arts)
        if not (isinstance(mask, (pd.Series, np.ndarray)) and np.asarray(mask).dtype == bool):
            mask = arts["id"].isin(list(mask))
        keep = arts.loc[np.asarray(mask)]
        ids = set(keep["id"])
        sub = Corpus(keep, self._edits[self._edits["article_id"].isin(ids)],
                     self.annotations[self.annotations["article_id"].isin(ids)], self.issues, self.source)
        return sub

    # -- text views
    def sentences(self, *, n_jobs=None) -> pd.DataFrame:
        """Sentences of the cleaned texts (split once, then kept with the corpus).

        Parameters
        ----------
        n_jobs : int, optional
            Processes for the first split of a large corpus (scikit-learn convention: -1 uses every
            core); the sentences do not depend on it.

        Returns
        -------
        pandas.DataFrame
            ``article_id``, ``sent_id`` (0-based within the article), ``start``, ``end`` (character
            offsets into the article's cleaned ``text``), ``text``, ``para_id`` (0-based paragraph) and
            ``kind``: "body", "subhead" or "embedded_post" (quoted social-media material).

        Examples
        --------
        >>> s = load_corpus().sentences()
        >>> s.loc[s["article_id"].str.startswith("003") & (s["kind"] == "subhead"), "text"].tolist()
        ['Biden to meet Germany’s new leader', '‘Intricate sequencing from White House’', 'War manoeuvres']
        """
        if self._sentences is None:
            self._sentences = _sentence_frame(self.articles, self.annotations, n_jobs=n_jobs)
        return self._sentences

    def cleaning_report(self, *, include_normalisation: bool = False) -> pd.DataFrame:
        """Every span cleaning removed or moved, per article, and why.

        Parameters
        ----------
        include_normalisation : bool, default False
            Also list character normalisations (no-break spaces, line endings), which change no words.

        Returns
        -------
        pandas.DataFrame
            ``article_id``, ``outlet``, ``kind`` (title, dateline, credit, boilerplate, tail, unicode,
            newline), ``action`` ("moved to metadata", "removed" or "normalised"), ``reason``, ``start``,
            ``end`` (offsets in the raw text), ``chars`` and ``text`` (what was taken out).

        Examples
        --------
        >>> r = load_corpus().cleaning_report()
        >>> r.loc[r["article_id"].str.startswith("001"), ["kind", "text"]].values.tolist()
        [['dateline', 'WASHINGTON — ']]
        """
        e = self._edits
        if not include_normalisation:
            # HTML markup is summarised by cleaning_summary(); listing every tag would drown the report.
            e = e[~e["kind"].isin(["unicode", "newline", "html"])]
        actions = {"title": "moved to metadata", "dateline": "moved to metadata", "credit": "moved to metadata",
                   "boilerplate": "removed", "tail": "removed", "unicode": "normalised", "newline": "normalised",
                   "html": "removed"}
        out = e.assign(action=e["kind"].map(actions), chars=(e["end"] - e["start"]).astype(int))
        outlets = self.articles.set_index("id")["outlet"]
        out = out.assign(outlet=out["article_id"].map(outlets))
        return out[["article_id", "outlet", "kind", "action", "reason", "start", "end", "chars", "text"]] \
            .reset_index(drop=True)

    def duplicates(self, *, threshold: float = 0.8) -> pd.DataFrame:
        """Exact and near-duplicate article pairs (see :func:`find_duplicates`), with their outlets.

        Examples
        --------
        >>> load_corpus().duplicates().empty
        True
        """
        pairs = find_duplicates(self.articles["text"].tolist(), self.articles["id"].tolist(), threshold=threshold)
        outlets = self.articles.set_index("id")["outlet"]
        return pairs.assign(outlet_a=pairs["article_a"].map(outlets), outlet_b=pairs["article_b"].map(outlets))

    @property
    def edits(self) -> pd.DataFrame:
        """All cleaning edits with cleaned-text positions (``clean_start``) and ``replacement``; see
        :func:`framing.clean.restore`."""
        return self._edits

    def summary(self) -> pd.DataFrame:
        """Articles, words, sentences and date range per outlet (plus a total row).

        Examples
        --------
        >>> int(load_corpus().summary().loc["RFE/RL", "articles"])
        2
        """
        arts = self.articles
        n_words = arts["text"].map(lambda t: _text.word_count(t) if isinstance(t, str) else 0)
        sents = self.sentences().groupby("article_id").size()
        frame = pd.DataFrame({"outlet": arts["outlet"], "words": n_words,
                              "sentences": arts["id"].map(sents).fillna(0).astype(int), "date": arts["date"]})
        g = frame.groupby("outlet", sort=False)
        table = pd.DataFrame({"articles": g.size(), "words": g["words"].sum(), "sentences": g["sentences"].sum(),
                              "first_date": g["date"].min(), "last_date": g["date"].max()})
        table = table.sort_values(["articles", "words"], ascending=False)
        total = pd.DataFrame({"articles": [len(arts)], "words": [int(n_words.sum())],
                              "sentences": [int(frame["sentences"].sum())], "first_date": [arts["date"].min()],
                              "last_date": [arts["date"].max()]}, index=["total"])
        out = pd.concat([table, total])
        out.index.name = "outlet"
        return out

    # -- writing
    def to_records(self, *, include_raw: bool = False) -> pd.DataFrame:
        """The articles in the interchange layout (dates as YYYY-MM-DD strings)."""
        df = self.articles.drop(columns=[] if include_raw else ["raw_text"])
        df = df.drop(columns=["origin"])
        df["date"] = df["date"].dt.strftime("%Y-%m-%d").astype("object")
        return df.astype(object).where(df.notna(), None)

    def to_jsonl(self, path, *, include_raw: bool = False) -> Path:
        """Write the corpus as JSON Lines (the interchange format), atomically."""
        from .output import atomic_write

        records = self.to_records(include_raw=include_raw).to_dict(orient="records")
        with atomic_write(path, "w") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return Path(path)

    def to_parquet(self, path, *, include_raw: bool = False) -> Path:
        """Write the corpus as a Parquet file, atomically."""
        from .output import atomic_write

        df = self.articles.drop(columns=[] if include_raw else ["raw_text"]).drop(columns=["origin"])
        with atomic_write(path, "wb") as fh:
            df.to_parquet(fh, index=False)
        return Path(path)


def _sentence_spans(_, chunk) -> list:
    """``(start, end, paragraph)`` rows (an int64 array) and the kinds of the sentences of each
    ``(text, marks)`` in ``chunk``."""
    out = []
    for text, marks in chunk:
        paragraphs = _text.split_paragraphs(text)
        rows, kinds = [], []
        p = 0
        for s, e in _text.split_sentences(text):
            while p + 1 < len(paragraphs) and paragraphs[p][1] <= s:
                p += 1
            kind = "body"
            for m_start, m_end, m_kind in marks:
                if m_start <= s and e <= m_end:
                    kind = m_kind
                    break
            rows.append((s, e, p))
            kinds.append(kind)
        out.append((np.array(rows, dtype=np.int64).reshape(-1, 3), kinds))
    return out


def _sentence_frame(articles: pd.DataFrame, annotations: pd.DataFrame, *, n_jobs=None) -> pd.DataFrame:
    from .parallel import parallel_map

    notes: dict = {}
    if len(annotations):
        # One pass over plain lists: a groupby of frames here took most of the time of the sentences.
        for aid, start, end, kind in zip(*(annotations[c].tolist() for c in ("article_id", "start", "end", "kind"))):
            notes.setdefault(aid, []).append((start, end, kind))
    ids, texts = articles["id"].tolist(), articles["text"].tolist()
    spans = parallel_map(_sentence_spans, [(t, notes.get(a, ())) for a, t in zip(ids, texts)], n_jobs=n_jobs,
                         chunk_size=1000)
    # Built column by column, as object arrays: the article ids and kinds are shared references, and
    # pandas' string inference (which would copy every sentence into Arrow and back) is never invoked.
    # This holds the frame at about a third of the memory of one built from row tuples.
    lengths = np.fromiter((len(k) for _, k in spans), dtype=np.int64, count=len(spans))
    table = np.concatenate([r for r, _ in spans]) if spans else np.zeros((0, 3), dtype=np.int64)
    n = int(lengths.sum())
    sentence_text = np.empty(n, dtype=object)
    sentence_text[:] = [text[s:e] for text, (r, _) in zip(texts, spans) for s, e in r[:, :2].tolist()]
    kind = np.empty(n, dtype=object)
    kind[:] = [k for _, kinds in spans for k in kinds]
    del spans
    columns = {
        "article_id": np.repeat(np.asarray(ids, dtype=object), lengths),
        "sent_id": np.arange(n, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths),
        "start": table[:, 0].copy(), "end": table[:, 1].copy(), "text": sentence_text,
        "para_id": table[:, 2].copy(), "kind": kind,
    }
    return pd.DataFrame({name: pd.Series(values, dtype=values.dtype, copy=False)
                         for name, values in columns.items()}, copy=False)


# ------------------------------------------------------------------------------------------- loading

def load_corpus(path=None, *, clean: bool = True, infer_outlets: bool = True, columns: dict | None = None,
                boilerplate=None, datelines=None, drop_duplicates: bool = False,
                progress: bool | None = None) -> Corpus:
    """Load a news corpus.

    Parameters
    ----------
    path : str or Path, optional
        A folder of ``.txt`` files (with an optional ``metadata.csv`` or ``metadata.jsonl`` whose ``file``
        column names the text file; its other columns become metadata), a folder of Parquet parts, or a
        ``.jsonl``/``.ndjson``, ``.json``, ``.csv``/``.tsv`` or ``.parquet`` file (``.gz`` compressed
        files too) with a ``text`` column. Media Cloud CSV exports are recognised by their
        ``media_name`` column and mapped: ``media_name`` → ``outlet``, ``publish_date`` → ``date``,
        ``stories_id`` → ``id``; ``title`` and ``url`` keep their names. Default: the bundled seeds.
    clean : bool, default True
        Apply the cleaning rules (see :mod:`framing.clean`); with False, ``text`` is the raw text.
    infer_outlets : bool, default True
        When an article has no outlet, look for an outlet cue in its text ("(RFE/RL)", "Al Jazeera's ...
        reporting from"); the cue is kept in ``outlet_cue``.
    columns : dict, optional
        Renames input columns to the standard ones, e.g. ``{"body": "text", "source": "outlet"}``.
    boilerplate, datelines : path, optional
        Your own cleaning rule files, in the format of ``framing/data/boilerplate.tsv`` and
        ``framing/data/datelines.tsv``.
    drop_duplicates : bool, default False
        Drop exact and near-duplicate articles (later copies; see :func:`find_duplicates`), each reported
        in ``Corpus.issues``. By default exact copies are only flagged in the ``duplicate_of`` column.
    progress : bool, optional
        Show a progress bar while cleaning; by default only for corpora of 2,000 articles or more.

    Returns
    -------
    Corpus

    Raises
    ------
    FramingError
        The path does not exist, has an unknown format, no ``text`` column, or no article at all.

    Examples
    --------
    >>> corpus = load_corpus()
    >>> corpus.articles[["outlet", "date"]].head(2)
             outlet       date
    0  unattributed 2021-12-07
    1        RFE/RL 2021-12-31
    """
    path = seeds_path() if path is None else Path(path)
    issues = _Issues()
    if not path.exists():
        raise FramingError(f"{path}: no such file or folder; give the path of a corpus folder or file.")
    if path.is_dir():
        records = _read_folder(path, issues)
    else:
        suffix = _table_suffix(path)
        readers = {".jsonl": _read_jsonl, ".ndjson": _read_jsonl, ".json": _read_json, ".csv": _read_csv,
                   ".tsv": _read_csv, ".parquet": _read_parquet, ".pq": _read_parquet}
        if suffix in _TEXT_EXTENSIONS:
            folder_records = _decode(_open_bytes(path), path, issues)
            records = pd.DataFrame([{"id": path.stem, "text": folder_records, "_origin": path.name}])
        elif suffix in readers:
            if path.stat().st_size == 0:
                raise FramingError(f"{path}: the file is empty; add articles, one per line or row.")
            records = readers[suffix](path, issues)
        else:
            raise FramingError(f"{path}: unknown corpus format {suffix or '(no extension)'!r}; use a folder of "
                               ".txt files or a .jsonl, .json, .csv or .parquet file.")
    if "media_name" in records.columns:
        records = records.rename(columns={k: v for k, v in MEDIA_CLOUD_COLUMNS.items()
                                          if k in records.columns and v not in records.columns})
    if columns:
        records = records.rename(columns=columns)
    if len(records) == 0 or "text" in records.columns and records["text"].isna().all() and len(records) == 0:
        raise FramingError(f"{path}: contains no articles; add .txt files or rows with a `text` column.")
    rules = load_rules(boilerplate, datelines) if clean else None
    if progress is None:
        progress = len(records) >= 2000
    corpus = _build(records, path, clean=clean, rules=rules, infer_outlets=infer_outlets, issues=issues,
                    progress=progress)
    n_records = len(records)
    del records
    release_arrow_memory()
    if len(corpus) == 0:
        raise FramingError(f"{path}: none of its {n_records} item(s) has article text; see the warnings "
                           "above for why each was skipped.")
    if drop_duplicates:
        corpus = _drop_duplicates(corpus)
    return corpus


def _drop_duplicates(corpus: Corpus) -> Corpus:
    pairs = corpus.duplicates()
    later = pairs.drop_duplicates("article_b")
    if later.empty:
        return corpus
    origin = corpus.articles.set_index("id")["origin"]
    rows = [{"source": origin[b], "line": None, "article_id": b, "action": "skipped",
             "message": f"{origin[b]}: {kind} duplicate of {a} ({corpus.articles.set_index('id').at[a, 'outlet']}); "
                        "dropped (drop_duplicates=True)."}
            for a, b, kind in later[["article_a", "article_b", "kind"]].itertuples(index=False)]
    for row in rows[:_MAX_WARNINGS]:
        warnings.warn(row["message"], FramingWarning, stacklevel=3)
    kept = corpus.select(~corpus.articles["id"].isin(set(later["article_b"])))
    kept.issues = pd.concat([corpus.issues, pd.DataFrame(rows)], ignore_index=True)
    return kept


def corpus_from_frame(frame: pd.DataFrame, *, clean: bool = True, infer_outlets: bool = True,
                      columns: dict | None = None) -> Corpus:
    """Build a :class:`Corpus` from a DataFrame with at least a ``text`` column (see :func:`load_corpus`).

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["A", "B"], "text": ["Kyiv said no.", "Kiev said yes."]})
    >>> corpus_from_frame(df).articles["id"].tolist()
    ['doc00000', 'doc00001']
    """
    records = frame.rename(columns=columns or {}).reset_index(drop=True)
    if "_origin" not in records.columns:
        records = records.assign(source=[f"<DataFrame>:row {i}" for i in range(len(records))])
    if len(records) == 0:
        raise FramingError("<DataFrame>: contains no articles; pass a DataFrame with a `text` column.")
    return _build(records, "<DataFrame>", clean=clean, rules=load_rules() if clean else None,
                  infer_outlets=infer_outlets, issues=_Issues())
