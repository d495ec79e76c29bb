"""The report: every section present, corpus text escaped, PDF text readable (Cyrillic included)."""

import json
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from framing import FramingError, corpus_from_frame
from framing.report import build_report


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.tags, self.text, self.attrs = set(), [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        self.ids.update(v for k, v in attrs if k == "id")

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    paths = build_report(outdir=out)
    return paths


def test_report_files_and_sections(seeds_report):
    html = seeds_report["html"].read_text("utf-8")
    parser = _Collect()
    parser.feed(html)
    for sid in ("summary", "events", "coverage", "terms", "distinctive", "attribution", "topics", "methods"):
        assert sid in parser.ids
    assert "script" not in parser.tags and "link" not in parser.tags
    # Self-contained: every image is inline data, nothing is fetched.
    assert all(v.startswith("data:image/png;base64,") for k, v in parser.attrs if k == "src")
    assert sum(1 for k, v in parser.attrs if k == "src") >= 5
    text = " ".join(parser.text)
    assert "Kiev" in text and "Kyiv" in text and "Zelenskyy" in text


def test_report_term_choice_row(seeds_report):
    html = seeds_report["html"].read_text("utf-8")
    tables = pd.read_html(seeds_report["html"], match="variant")
    terms = next(t for t in tables if "concept" in t.columns and "variant" in t.columns)
    kiev = terms[terms["variant"].str.lower() == "kiev"].iloc[0]
    kyiv = terms[terms["variant"].str.lower() == "kyiv"].iloc[0]
    assert kiev["RT"] > 0 and kiev["RFE/RL"] == 0 and kiev["Al Jazeera"] == 0
    assert kyiv["RT"] == 0 and kyiv["RFE/RL"] > 0
    assert "<mark>" in html  # aligned sentences with differing words highlighted


def test_pdf_text(seeds_report):
    from pypdf import PdfReader

    reader = PdfReader(seeds_report["pdf"])
    assert 6 <= len(reader.pages) <= 60
    text = "\n".join(page.extract_text() for page in reader.pages)
    for word in ("Kyiv", "Kiev", "Zelenskyy", "Володимир", "Contents", "Methods"):
        assert word in text
    assert "page 2/" in text


def test_manifest(seeds_report):
    manifest = json.loads(seeds_report["manifest"].read_text("utf-8"))
    files = {f["path"]: f["sha256"] for f in manifest["corpus"]["files"]}
    assert "000_8e5b7ae4cb3e161b.txt" in files and "metadata.csv" in files
    assert manifest["parameters"]["random_state"] == 0
    assert manifest["versions"]["pandas"] == pd.__version__
    assert set(manifest["outputs"]) >= {"html", "pdf"}


def test_hostile_article_is_escaped(tmp_path):
    evil = "<script>alert('x')</script> Kyiv said <img src=x onerror=alert(1)> no."
    corpus = corpus_from_frame(pd.DataFrame({
        "id": ["a", "b", "c"], "outlet": ["<b>Evil</b>", "Good", "Good"],
        "date": ["2022-01-01"] * 3, "title": ["<script>t()</script>", "T", "U"],
        "url": ["javascript:alert(1)", "https://example.org/x", None],
        "text": [evil + " Russia massed troops near the border with Ukraine.",
                 "Kyiv said Russia massed troops near the border with Ukraine; 3 < 4 && 5 > 2.",
                 "Kiev officials said nothing about the border."]}))
    paths = build_report(corpus, outdir=tmp_path / "r", formats=["html"])
    html = paths["html"].read_text("utf-8")
    parser = _Collect()
    parser.feed(html)
    assert "script" not in parser.tags
    # Markup in the article text is stripped as HTML by cleaning; markup in metadata is escaped.
    assert "<script>" not in html and "<img src=x" not in html and "onerror" not in html
    assert "&lt;script&gt;t()&lt;/script&gt;" in html
    assert "&lt;b&gt;Evil&lt;/b&gt;" in html
    assert "3 &lt; 4 &amp;&amp; 5 &gt; 2" in html
    # Only http(s) URLs become links.
    assert "href='javascript" not in html and 'href="javascript' not in html
    assert "href='https://example.org/x'" in html
    # Every image is inline data; no tag loads anything external.
    assert all(v.startswith(("data:image/png;base64,", "#")) for k, v in parser.attrs if k in ("src", "href")
               and not v.startswith("https://example.org"))


def test_report_refuses_to_overwrite_without_force(tmp_path):
    build_report(outdir=tmp_path, formats=["html"])
    with pytest.raises(FramingError, match="pass --force"):
        build_report(outdir=tmp_path, formats=["html"])
    assert build_report(outdir=tmp_path, formats=["html"], force=True)["html"].is_file()


def test_one_outlet_report_explains_what_it_skips(tmp_path, seeds):
    import warnings

    from framing import FramingWarning

    one = seeds.select(lambda a: a["outlet"] == "RFE/RL")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FramingWarning)
        paths = build_report(one, outdir=tmp_path, formats=["html"])
    html = paths["html"].read_text("utf-8")
    assert "only one outlet, so nothing can be distinctive" in html
    assert "fewer than two values of" in html


def test_many_outlet_report_keeps_tables_readable(tmp_path, seeds):
    # A 1,000-article sample of the news corpus has about 100 outlets; its PDF coverage table (one
    # column per outlet) crashed fpdf2 ("Not enough horizontal space to render a single character").
    from pypdf import PdfReader

    arts = seeds.articles
    frame = pd.DataFrame({"id": [f"a{i:02d}" for i in range(12)], "outlet": [f"Outlet {i:02d}" for i in range(12)],
                          "date": [arts["date"].iloc[i % 5] for i in range(12)],
                          "text": [arts["text"].iloc[i % 5] for i in range(12)]})
    paths = build_report(corpus_from_frame(frame), outdir=tmp_path, k=2)
    pdf_text = "".join(page.extract_text() for page in PdfReader(paths["pdf"]).pages)
    assert "other outlets (4)" in pdf_text
    html = paths["html"].read_text("utf-8")
    assert "other outlets (4)" in html and "most articles of 12, the rest summed; coverage.csv" in html
    assert "largest of" not in html  # all 3 events are shown
    # Figures draw the 8 outlets with the most articles (ties by name) and say so in their captions.
    assert html.count("The 8 outlets with the most articles, of 12.") >= 3


def test_figure_inputs_keep_the_outlets_with_the_most_articles(seeds):
    from framing.analysis import run_all

    arts = seeds.articles
    outlets = [f"Outlet {i:02d}" for i in range(10)] + ["Outlet 09"] * 2  # Outlet 09 has three articles
    frame = pd.DataFrame({"id": [f"a{i:02d}" for i in range(12)], "outlet": outlets,
                          "date": [arts["date"].iloc[i % 5] for i in range(12)],
                          "text": [arts["text"].iloc[i % 5] for i in range(12)]})
    res = run_all(corpus_from_frame(frame), only={"alignment", "distinctive_terms", "tone"})
    assert res.top_outlets(3) == ["Outlet 00", "Outlet 01", "Outlet 09"]
    full, top = res.figure_inputs(), res.figure_inputs(max_outlets=3)
    for key in ("distinctive_terms", "coverage", "tone"):
        assert set(full[key]["outlet"]) == set(outlets), key
        assert set(top[key]["outlet"]) == {"Outlet 00", "Outlet 01", "Outlet 09"}, key
    pairs = top["sentence_alignments"]
    assert len(pairs) and set(pairs["outlet_a"]) | set(pairs["outlet_b"]) <= {"Outlet 00", "Outlet 01", "Outlet 09"}
    assert top["events"].equals(full["events"])


def test_events_only_report_says_facts_were_not_aligned(tmp_path):
    from framing.cli import main

    assert main(["report", "-o", str(tmp_path / "r"), "--no-facts", "-k", "2", "--format", "html", "-q"]) == 0
    html = (tmp_path / "r" / "report.html").read_text("utf-8")
    assert "Facts were not aligned (facts=False, --no-facts)" in html
    assert main(["align", "-o", str(tmp_path / "a"), "--no-facts", "-q"]) == 0
    events = pd.read_csv(tmp_path / "a" / "events.csv")
    assert events["n_articles"].tolist() == [3, 1, 1] and events["n_facts"].isna().all()
    assert len(pd.read_csv(tmp_path / "a" / "facts.csv")) == 0


def test_fact_events_option_aligns_the_largest_events(tmp_path):
    from framing.cli import main

    assert main(["align", "-o", str(tmp_path / "a"), "--fact-events", "1", "-q"]) == 0
    events = pd.read_csv(tmp_path / "a" / "events.csv")
    assert events["n_facts"].tolist()[0] == 8 and events["n_facts"].iloc[1:].isna().all()
    assert set(pd.read_csv(tmp_path / "a" / "omissions.csv")["event_id"]) == {"E01"}
    assert main(["report", "-o", str(tmp_path / "r"), "--fact-events", "1", "-k", "2", "--format", "html",
                 "-q"]) == 0
    html = (tmp_path / "r" / "report.html").read_text("utf-8")
    assert "Facts were aligned for the 1 event with the most articles, of 3" in html
    assert main(["align", "-o", str(tmp_path / "b"), "--fact-events", "none", "-q"]) == 2


def test_report_tables_say_when_rows_are_left_out():
    from framing.report import _table

    assert "The first 40 of 1,045 rows." in _table(pd.DataFrame({"n": range(1045)}))
    html = _table(pd.DataFrame({"n": range(40)}))
    assert "rows.</p>" not in html and html.count("<tr>") == 41


def test_fact_scope_note_for_an_empty_selection_says_events_only(seeds):
    from framing.analysis import run_all

    res = run_all(seeds, only={"alignment"}, facts=[])
    assert res.alignment.events["n_facts"].isna().all()
    assert res.notes["alignment"][0].startswith("Facts were not aligned")
    assert "alignment" not in run_all(seeds, only={"alignment"}, facts=np.int64(3)).notes


def test_pdf_table_headings_are_not_broken_inside_a_word(tmp_path):
    import pandas as pd
    from pypdf import PdfReader

    from framing.report_pdf import _ReportPDF, _table

    pdf = _ReportPDF("t")
    pdf.add_page()
    frame = pd.DataFrame({"event_id": ["E001"], "label": ["Ukraine, NATO, Russia, join · 6-8 Dec 2021"],
                          "n_articles": [3], "outlets": ["RFE/RL; RT; unattributed"]})
    _table(pdf, frame, widths=[6, 70, 6, 40])   # far too narrow for "event_id" and "n_articles"
    path = tmp_path / "t.pdf"
    pdf.output(str(path))
    words = PdfReader(str(path)).pages[0].extract_text().split()
    assert "event_id" in words and "n_articles" in words


def test_report_summarises_the_corpus_once(seeds, tmp_path, monkeypatch):
    # The HTML and the PDF both show the corpus summary, which counts the words of every article.
    from framing.corpus import Corpus

    calls = []
    original = Corpus.summary
    monkeypatch.setattr(Corpus, "summary", lambda self: calls.append(1) or original(self))
    paths = build_report(seeds, outdir=tmp_path / "r")
    assert len(calls) == 1
    assert "RFE/RL" in (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert set(paths) >= {"html", "pdf"}
