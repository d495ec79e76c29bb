"""Bad and hostile input: each case has an expected, user-readable outcome, never a traceback, never a
silently dropped article. The README's bad-input table lists these cases."""

import json
import subprocess
import sys
import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framing import FramingError, FramingWarning, corpus_from_frame, load_corpus
from framing.clean import clean_text, restore
from framing.corpus import find_duplicates
from framing.language import detect_language
from framing.output import prepare_output_dir, safe_filename
from framing.text import span_tokenize, split_sentences

EN = ("Russia has massed tens of thousands of troops near its border with Ukraine, and the United States "
      "has warned of severe sanctions if it invades. Officials said talks would continue in Geneva.")


def load_quietly(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FramingWarning)
        return load_corpus(*args, **kwargs)


def test_one_article(tmp_path):
    (tmp_path / "a.txt").write_text(EN, "utf-8")
    corpus = load_quietly(tmp_path)
    assert len(corpus) == 1 and len(corpus.sentences()) == 2


@pytest.mark.parametrize("encoding,bom", [("utf-8-sig", b""), ("utf-16", b""), ("latin-1", b"")])
def test_encodings(tmp_path, encoding, bom):
    text = "Café in Kyiv: naïve résumé. " + EN
    (tmp_path / "a.txt").write_bytes(bom + text.encode(encoding))
    corpus = load_quietly(tmp_path)
    assert corpus.articles.loc[0, "text"] == text
    if encoding == "latin-1":
        assert corpus.issues["message"].str.contains("not valid UTF-8; decoded as").any()


def test_invalid_bytes_are_replaced_and_reported(tmp_path):
    (tmp_path / "a.txt").write_bytes(EN.encode() + b" \xff\xfe\x81 broken \xc3")
    corpus = load_quietly(tmp_path)
    assert len(corpus) == 1
    assert (corpus.issues["action"] == "repaired").any()


def test_binary_file_in_text_folder_is_skipped_and_reported(tmp_path):
    (tmp_path / "a.txt").write_text(EN, "utf-8")
    (tmp_path / "b.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    with pytest.warns(FramingWarning, match="binary file"):
        corpus = load_corpus(tmp_path)
    assert corpus.articles["id"].tolist() == ["a"]
    assert corpus.issues["action"].tolist().count("skipped") == 2


def test_csv_with_embedded_newlines_and_quotes(tmp_path):
    df = pd.DataFrame({"id": ["q1"], "outlet": ["A"], "text": ['He said "no,"\nthen left.\n\nA new, "quoted" line.']})
    df.to_csv(tmp_path / "c.csv", index=False)
    corpus = load_corpus(tmp_path / "c.csv")
    assert corpus.articles.loc[0, "text"] == df.loc[0, "text"]


def test_missing_outlet_column_is_reported(tmp_path):
    (tmp_path / "c.jsonl").write_text(json.dumps({"id": "x", "text": EN}) + "\n", "utf-8")
    with pytest.warns(FramingWarning, match="no outlet"):
        corpus = load_corpus(tmp_path / "c.jsonl")
    assert corpus.articles.loc[0, "outlet"] == "unknown"


def test_mixed_date_formats(tmp_path):
    recs = [{"id": str(i), "outlet": "A", "date": d, "text": EN} for i, d in
            enumerate(["2022-01-27", "2022-01-27T10:15:00Z", "Jan 27, 2022", "27 January 2022", None, "n/a",
                       1643241600])]
    (tmp_path / "c.json").write_text(json.dumps(recs), "utf-8")
    corpus = load_quietly(tmp_path / "c.json")
    dates = corpus.articles["date"].tolist()
    assert dates[:4] == [pd.Timestamp("2022-01-27")] * 4
    assert pd.isna(dates[4]) and pd.isna(dates[5])
    assert dates[6] == pd.Timestamp("2022-01-27")
    assert corpus.issues["message"].str.contains("'n/a' is not a date").any()


def test_exact_and_near_duplicates_are_flagged_and_can_be_dropped(tmp_path):
    other = "Germany said the Nord Stream 2 pipeline would not start while the crisis lasts, officials added."
    recs = [{"id": "a", "outlet": "Wire", "text": EN}, {"id": "b", "outlet": "Paper", "text": EN},
            {"id": "c", "outlet": "Blog", "text": "UPDATED with reaction.\n" + EN + " More soon."},
            {"id": "d", "outlet": "Paper", "text": other}]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in recs), "utf-8")
    corpus = load_quietly(path)
    assert corpus.articles.set_index("id")["duplicate_of"].to_dict() == {"a": None, "b": "a", "c": None, "d": None}
    pairs = corpus.duplicates()
    assert pairs[["article_a", "article_b", "kind"]].values.tolist() == [["a", "b", "exact"], ["a", "c", "near"]]
    assert pairs[["outlet_a", "outlet_b"]].values.tolist() == [["Wire", "Paper"], ["Wire", "Blog"]]
    deduped = load_quietly(path, drop_duplicates=True)
    assert deduped.articles["id"].tolist() == ["a", "d"]
    assert deduped.issues["message"].str.contains("duplicate of a").sum() == 2


def test_ten_megabyte_article():
    text = (EN + "\n") * (10_000_000 // len(EN))
    corpus = corpus_from_frame(pd.DataFrame({"outlet": ["A"], "text": [text]}))
    assert len(corpus.sentences()) == 2 * text.count("\n")


def test_article_with_no_sentences():
    corpus = corpus_from_frame(pd.DataFrame({"outlet": ["A", "B"], "text": ["— — —", EN]}))
    assert len(corpus) == 2
    assert corpus.sentences()["article_id"].tolist().count("doc00000") <= 1


def test_non_english_articles_are_detected_and_reported():
    de = ("Die Gespräche zwischen Russland und den Vereinigten Staaten wurden am Montag in Genf geführt, und "
          "die Beamten sagten, dass sie sich nach den Feiertagen im Januar wieder treffen würden.")
    ru = ("Переговоры между Россией и США прошли в Женеве в понедельник, и официальные лица заявили, что они "
          "снова встретятся после праздников в январе, но это не так и все было")
    with pytest.warns(FramingWarning, match=r"2 article\(s\) do not look English \(de: 1, ru: 1\)"):
        corpus = corpus_from_frame(pd.DataFrame({"outlet": ["A", "B", "C"], "text": [EN, de, ru]}))
    assert corpus.articles["language"].tolist() == ["en", "de", "ru"]
    assert detect_language("Too short.")[0] == "und"


def test_html_input_is_stripped_to_text_and_restorable():
    raw = ("<html><head><title>x</title><script>alert(1)</script></head><body><h1>Talks Stall In Kyiv</h1>"
           "<p>MOSCOW &mdash; Talks stalled on\nMonday, officials said.</p><p>Kiev&#8217;s envoy left.</p></body></html>")
    corpus = corpus_from_frame(pd.DataFrame({"outlet": ["A"], "text": [raw]}))
    art = corpus.articles.iloc[0]
    assert art["title"] == "Talks Stall In Kyiv" and art["dateline"] == "MOSCOW"
    assert corpus.sentences()["text"].tolist() == ["Talks stalled on Monday, officials said.", "Kiev’s envoy left."]
    assert "alert" not in art["text"] and "<" not in art["text"]
    assert restore(art["text"], corpus.edits) == raw


@pytest.mark.parametrize("name", ["../x", "a/b", "evil\x00\n\x1bname", "..", "/etc/passwd", "con"])
def test_outlet_names_with_path_characters(name):
    corpus = corpus_from_frame(pd.DataFrame({"outlet": [name], "text": [EN]}))
    outlet = corpus.articles.loc[0, "outlet"]
    assert "\x00" not in outlet and "\n" not in outlet and "\x1b" not in outlet
    safe = safe_filename(outlet)
    assert "/" not in safe and "\\" not in safe and safe not in ("", ".", "..") and not safe.startswith(".")


def test_output_directory_never_clobbers_the_corpus(tmp_path):
    (tmp_path / "a.txt").write_text(EN, "utf-8")
    with pytest.raises(FramingError, match="would mix results with the corpus"):
        prepare_output_dir(tmp_path, inputs=[tmp_path])
    with pytest.raises(FramingError, match="would mix results with the corpus"):
        prepare_output_dir(tmp_path / "out", inputs=[tmp_path])
    out = prepare_output_dir(tmp_path.parent / "elsewhere", inputs=[tmp_path])
    assert out.is_dir()


def test_ingest_refuses_to_overwrite_its_input(tmp_path):
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps({"id": "x", "outlet": "A", "text": EN}) + "\n", "utf-8")
    proc = subprocess.run([sys.executable, "-m", "framing", "ingest", str(src), "-o", str(src)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "would overwrite the input corpus" in proc.stderr
    assert json.loads(src.read_text("utf-8"))["id"] == "x"


# ------------------------------------------------------------------------------ property-based tests

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400) | st.sampled_from([
    "<p>Kyiv &amp; Kiev</p>\r\nLeave a Reply\r\n", "WASHINGTON — U.S. Gen. X said.\u00a0\u200b", "“Quote.” — Y"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_cleaning_never_loses_anything(raw):
    cleaned = clean_text(raw)
    assert restore(cleaned.text, cleaned.edits) == raw


@settings(max_examples=150, deadline=None)
@given(texts)
def test_sentence_and_token_offsets_are_valid(text):
    last = 0
    for s, e in split_sentences(text):
        assert last <= s < e <= len(text)
        assert text[s:e].strip() == text[s:e]
        last = e
    for s, e in span_tokenize(text):
        assert 0 <= s < e <= len(text) and not text[s:e].isspace()


@settings(max_examples=60, deadline=None)
@given(st.lists(texts, min_size=1, max_size=4))
def test_loader_accepts_any_text(items):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FramingWarning)
        try:
            corpus = corpus_from_frame(pd.DataFrame({"outlet": ["A"] * len(items), "text": items}))
        except FramingError as exc:
            assert "no articles" in str(exc) or "none of" in str(exc)
            return
    kept = len(corpus)
    skipped = (corpus.issues["action"] == "skipped").sum()
    assert kept + skipped == len(items)  # every item is either loaded or reported
    corpus.sentences()


def test_find_duplicates_handles_tiny_input():
    assert find_duplicates([], []).empty
    assert find_duplicates(["x"], ["a"]).empty


def test_every_analysis_runs_on_a_single_article():
    from framing.analysis import run_all

    corpus = corpus_from_frame(pd.DataFrame({"outlet": ["A"], "date": ["2022-01-27"], "text": [EN]}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FramingWarning)
        res = run_all(corpus)
    assert res.skipped == {}
    assert res.alignment.article_events["event_id"].tolist() == ["E01"]
    assert res.distinctive_terms.empty and "only one outlet" in res.notes["distinctive_terms"][0]
    assert res.term_choice is not None and res.attribution is not None
