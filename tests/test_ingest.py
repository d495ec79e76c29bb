"""Streaming ingestion: chunked reading, every output layout, ids unique across chunks, issues kept."""

import json
import warnings

import pandas as pd
import pytest

from framing import FramingError, FramingWarning, load_corpus
from framing.ingest import ingest, iter_corpus


def _jsonl(path, n, *, bad_line=None, dup_every=None):
    lines = []
    for i in range(n):
        rid = f"r{i % dup_every}" if dup_every else f"r{i}"
        lines.append(json.dumps({"id": rid, "outlet": "AB"[i % 2], "date": "2022-01-0%d" % (1 + i % 9),
                                 "text": f"Article {i} says Kyiv talks went on. Officials met again."}))
    if bad_line is not None:
        lines.insert(bad_line, "{not json")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_iter_corpus_yields_bounded_chunks(tmp_path):
    src = _jsonl(tmp_path / "c.jsonl", 25, bad_line=3)
    chunks = list(iter_corpus(src, chunksize=10))
    assert [len(c) for c in chunks] == [10, 10, 5]
    assert chunks[0].issues["line"].tolist() == [4]  # the malformed line, reported in its chunk
    assert chunks[2].articles["id"].tolist()[-1] == "r24"


def test_ingest_repairs_lone_surrogates(tmp_path):
    # a lone \udc00 escape decodes to a surrogate, which Parquet cannot hold: replaced and reported
    src = _jsonl(tmp_path / "c.jsonl", 12)
    lines = src.read_text("utf-8").splitlines()
    lines[7] = lines[7].replace("went on.", "went on \\udc00.")
    src.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.warns(FramingWarning, match=r"line 8: 1 broken character"):
        ingest(src, tmp_path / "parts", chunksize=5)
    again = load_corpus(tmp_path / "parts")
    assert again.articles["text"].iloc[7] == "Article 7 says Kyiv talks went on \ufffd. Officials met again."


def test_ingest_repairs_surrogates_written_as_bytes(tmp_path):
    # a surrogate's own UTF-8-style bytes (CESU-8 or WTF-8 exports), which json decodes with
    # "surrogatepass": a lone one is replaced, a pair becomes its character
    src = _jsonl(tmp_path / "c.jsonl", 4)
    data = src.read_bytes().replace(b"went on.", b"went on \xed\xa0\xbd.", 1)
    data = data.replace(b"met again.", b"met \xed\xa0\xbd\xed\xb8\x80 again.", 1)
    src.write_bytes(data)
    with pytest.warns(FramingWarning, match=r"line 1: 1 broken character"):
        ingest(src, tmp_path / "parts", chunksize=5)
    text = load_corpus(tmp_path / "parts").articles["text"].iloc[0]
    assert text == "Article 0 says Kyiv talks went on \ufffd. Officials met \U0001f600 again."


@pytest.mark.parametrize("out_name", ["out.jsonl", "out.parquet", "parts"])
def test_ingest_layouts_round_trip(tmp_path, out_name):
    src = _jsonl(tmp_path / "c.jsonl", 23)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FramingWarning)
        summary = ingest(src, tmp_path / out_name, chunksize=10)
    assert (summary.articles, summary.chunks, summary.outlets) == (23, 3, {"A": 12, "B": 11})
    again = load_corpus(tmp_path / out_name)
    assert again.articles["id"].tolist() == [f"r{i}" for i in range(23)]
    assert again.articles["date"].iloc[0] == pd.Timestamp("2022-01-01")
    if out_name == "parts":
        assert sorted(p.name for p in (tmp_path / "parts").iterdir()) == [
            "part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]


def test_ids_stay_unique_across_chunks(tmp_path):
    src = _jsonl(tmp_path / "c.jsonl", 12, dup_every=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FramingWarning)
        summary = ingest(src, tmp_path / "o.jsonl", chunksize=4)
    ids = load_corpus(tmp_path / "o.jsonl").articles["id"]
    assert ids.is_unique and len(ids) == 12
    assert (summary.issues["message"].str.contains("duplicate id")).sum() == 7


def test_parallel_ingest_matches_serial(tmp_path):
    src = _jsonl(tmp_path / "c.jsonl", 30)
    ingest(src, tmp_path / "serial.jsonl", chunksize=7)
    ingest(src, tmp_path / "parallel.jsonl", chunksize=7, n_jobs=2)
    assert (tmp_path / "serial.jsonl").read_bytes() == (tmp_path / "parallel.jsonl").read_bytes()


def test_ingest_refuses_overwrite_and_bad_suffix(tmp_path):
    src = _jsonl(tmp_path / "c.jsonl", 3)
    with pytest.raises(FramingError, match="would overwrite the input"):
        ingest(src, src, force=True)
    ingest(src, tmp_path / "o.jsonl")
    with pytest.raises(FramingError, match="pass --force"):
        ingest(src, tmp_path / "o.jsonl")
    with pytest.raises(FramingError, match="must end in .jsonl or .parquet"):
        ingest(src, tmp_path / "o.xlsx")
    assert not list(tmp_path.glob(".o*"))  # no temporary files left behind
