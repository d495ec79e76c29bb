"""The PDF version of the report, drawn with fpdf2.

fpdf2 is pure Python and needs no system libraries; the DejaVu fonts that matplotlib ships cover Latin and
Cyrillic text, so quotes such as "Володимир Зеленський" stay selectable text. The PDF has an outline and a
table of contents, page numbers, the figures and the main tables of the HTML report.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .align import largest_events
from .report_content import (MAX_EVENTS, METHODS_TEXT, SECTIONS, coverage_scope, coverage_table, figure_caption,
                             marked_spans)

_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_PAGE_W = 180  # usable width in mm on A4 with 15 mm margins


class _ReportPDF(FPDF):
    def __init__(self, title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report_title = title
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=16)
        self.add_font("DejaVu", "", str(_FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(_FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font("DejaVu", "I", str(_FONT_DIR / "DejaVuSans-Oblique.ttf"))
        self.set_font("DejaVu", size=10)
        self.set_title(title)
        self.set_creator("framing")
        self.set_section_title_styles(
            self._style(15, "B"), self._style(12, "B"), self._style(10.5, "B"))

    @staticmethod
    def _style(size, emphasis):
        from fpdf.fonts import TextStyle

        return TextStyle(font_family="DejaVu", font_style=emphasis, font_size_pt=size, t_margin=4, b_margin=2)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.set_text_color(90)
        self.cell(0, 8, f"{self.report_title}  ·  page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)


def _para(pdf: _ReportPDF, text: str, *, size=9.5, style="", color=0):
    pdf.set_font("DejaVu", style, size)
    pdf.set_text_color(color)
    pdf.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)
    pdf.ln(1.5)


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float):
        return f"{v:.3g}"
    if isinstance(v, pd.Timestamp):
        return f"{v:%Y-%m-%d}"
    return str(v)


def _table(pdf: _ReportPDF, frame: pd.DataFrame, *, max_rows=30, widths=None, size=7.5):
    if frame is None or len(frame) == 0:
        _para(pdf, "No rows.", size=8.5, color=90)
        return
    n_rows = len(frame)
    frame = frame.head(max_rows)
    pdf.set_font("DejaVu", size=size)
    cols = [str(c) for c in frame.columns]
    if widths is None:
        # Width by content: long text columns get more room, numbers stay narrow.
        lengths = [max([len(c)] + [min(len(_fmt(v)), 60) for v in frame[col]]) for c, col in
                   zip(cols, frame.columns)]
        widths = [max(8, n) for n in lengths]
    total = sum(widths)
    widths = _fit_headings(pdf, cols, [w * _PAGE_W / total for w in widths], size)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=size * 0.48, first_row_as_headings=True,
                   headings_style=_heading_style(size), padding=0.8) as table:
        table.row(cols)
        for row in frame.itertuples(index=False):
            table.row([_fmt(v) for v in row])
    if n_rows > max_rows:
        _para(pdf, f"The first {max_rows} of {n_rows:,} rows.", size=7.5, color=90)
    pdf.ln(2)


def _fit_headings(pdf: _ReportPDF, cols: list, widths: list, size) -> tuple:
    """Widen the columns too narrow for their heading's longest word (a heading broken inside a word,
    "event_i / d", reads badly), taking the room from the widest columns."""
    pdf.set_font("DejaVu", "B", size)
    need = [max(pdf.get_string_width(w) for w in (c.split() or [""])) + 2.5 for c in cols]  # + padding
    pdf.set_font("DejaVu", size=size)
    widths = list(widths)
    for i, n in enumerate(need):
        short = n - widths[i]
        if short <= 0:
            continue
        donors = sorted((j for j in range(len(widths)) if j != i and widths[j] - short > need[j]),
                        key=lambda j: -widths[j])
        if donors:
            widths[donors[0]] -= short
            widths[i] = n
    return tuple(widths)


def _heading_style(size):
    from fpdf.fonts import FontFace

    return FontFace(family="DejaVu", emphasis="BOLD", size_pt=size, fill_color=(230, 230, 230))


def _image(pdf: _ReportPDF, fig_png: dict, name: str, outlets):
    path = fig_png.get(name)
    if not path or not Path(path).is_file():
        return
    from PIL import Image

    with Image.open(path) as im:
        w, h = im.size
    width = _PAGE_W
    height = width * h / w
    if height > 230:
        height = 230
        width = height * w / h
    if pdf.get_y() + height + 12 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.image(str(path), x=pdf.l_margin + (_PAGE_W - width) / 2, w=width, h=height)
    _para(pdf, figure_caption(name, outlets), size=8, style="I", color=70)


def _toc(pdf: _ReportPDF, outline):
    pdf.set_x(pdf.l_margin)
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(0, 10, "Contents", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", size=10)
    for section in outline:
        if section.level > 1:
            continue
        indent = 6 * section.level
        link = pdf.add_link(page=section.page_number)
        pdf.set_x(pdf.l_margin + indent)
        label = section.name
        pdf.cell(_PAGE_W - indent - 12, 6.5, label, link=link)
        pdf.cell(12, 6.5, str(section.page_number), align="R", link=link, new_x=XPos.LMARGIN,
                 new_y=YPos.NEXT)


def render_pdf(res, fig_png: dict, manifest: dict) -> bytes:
    """The report as PDF bytes (see :func:`framing.report.build_report`)."""
    from .terms import diff_spans

    corpus = res.corpus
    title = f"framing report: {len(corpus):,} articles from {len(corpus.outlets):,} outlets"
    pdf = _ReportPDF(title)
    pdf.set_creation_date(_fixed_date(manifest))
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 20)
    pdf.multi_cell(0, 10, "How outlets frame the same facts", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _para(pdf, f"{title}. Made with framing {manifest['versions'].get('framing', '')} on "
               f"{manifest['created'][:10]}.", size=10, color=70)
    pdf.insert_toc_placeholder(_toc, pages=1)
    titles = dict(SECTIONS)

    def section(name):
        # Each top-level section starts on a new page, so no heading is left alone at a page foot.
        if pdf.get_y() > pdf.t_margin + 1:
            pdf.add_page()
        pdf.start_section(name)

    def subsection(name):
        if pdf.get_y() > pdf.h - pdf.b_margin - 70:  # keep a heading with what follows it
            pdf.add_page()
        pdf.start_section(name, level=1)

    # Summary
    section(titles["summary"])
    summary = res.corpus_summary.reset_index()
    for col in ("first_date", "last_date"):
        summary[col] = summary[col].dt.strftime("%Y-%m-%d").fillna("–")
    _table(pdf, summary)
    arts = corpus.articles[["id", "outlet", "date", "title"]].copy()
    if res.alignment is not None:
        arts.insert(3, "event", arts["id"].map(res.alignment.article_events.set_index("article_id")["event_id"]))
    arts["title"] = arts["title"].fillna("(no headline)")
    _table(pdf, arts, max_rows=60, widths=[22, 14, 11, 8, 60][:len(arts.columns)] if len(arts.columns) == 5
           else None)
    cleaning = corpus.cleaning_report()
    if len(cleaning):
        subsection("Cleaning")
        _table(pdf, cleaning[["article_id", "kind", "action", "reason", "chars"]], max_rows=40)
    marked = marked_spans(corpus)
    if len(marked):
        _para(pdf, "Kept but marked (quoted material and subheads are not the outlet's own words):", size=8.5,
              color=70)
        _table(pdf, marked, max_rows=40, widths=[22, 14, 60])

    # Events
    section(titles["events"])
    if res.alignment is not None:
        al = res.alignment
        _image(pdf, fig_png, "event_timeline", corpus.outlets)
        for note in res.notes.get("alignment", []):
            _para(pdf, note, size=8, color=70)
        events = largest_events(al.events, MAX_EVENTS)
        if len(events) < len(al.events):
            _para(pdf, f"The {len(events)} events with the most articles, of {len(al.events):,} (events.csv of "
                       "python -m framing align has them all).", size=8, color=70)
        events = events.sort_values("event_id")[["event_id", "label", "n_articles", "outlets"]]
        _table(pdf, events, max_rows=40, widths=[10, 70, 10, 40])
        subsection("Same fact, different words")
        _image(pdf, fig_png, "aligned_facts", corpus.outlets)
        pairs = al.sentence_alignments.sort_values(["fact_id", "similarity"], ascending=[True, False])
        pairs = pairs.drop_duplicates("fact_id").head(25)
        rows = []
        for r in pairs.itertuples(index=False):
            sa, sb = diff_spans(r.text_a, r.text_b)
            rows.append({"fact": r.fact_id, f"one article": f"[{r.outlet_a}] " + _mark(r.text_a, sa),
                         "another": f"[{r.outlet_b}] " + _mark(r.text_b, sb), "sim.": r.similarity})
        _para(pdf, "Differing words are in «guillemets».", size=8, color=70)
        _table(pdf, pd.DataFrame(rows), widths=[8, 45, 45, 7], size=7)
        if res.substitutions is not None and len(res.substitutions):
            subsection("Substituted words")
            subs = res.substitutions[["outlet_a", "outlet_b", "word_a", "word_b", "count"]]
            _table(pdf, subs, max_rows=25, widths=[16, 16, 24, 24, 7])
    else:
        _para(pdf, "Not computed: " + res.skipped.get("alignment", ""))

    # Coverage
    section(titles["coverage"])
    if res.alignment is not None:
        wide = coverage_table(res.alignment)
        scope = coverage_scope(res.alignment, wide)
        if scope:
            _para(pdf, scope, size=8, color=70)
        _table(pdf, wide)
        subsection("Omissions")
        omissions = res.alignment.omissions[["event_id", "fact_id", "representative", "reported_by",
                                             "missing_from"]]
        _table(pdf, omissions, max_rows=40, widths=[8, 8, 60, 18, 18])

    # Terms
    section(titles["terms"])
    _image(pdf, fig_png, "term_choice", corpus.outlets)
    _para(pdf, "The heatmap shows every concept the outlets use; term_choice.csv (python -m framing terms) "
               "has the counts per 10,000 words.", size=8, color=70)
    if res.variants is not None and len(res.variants):
        subsection("Variants found without a lexicon")
        cols = [c for c in ("group", "variant", "outlet", "count", "evidence") if c in res.variants]
        _table(pdf, res.variants[cols], max_rows=24, widths=[22, 14, 14, 6, 50][:len(cols)])

    # Distinctive terms
    section(titles["distinctive"])
    _image(pdf, fig_png, "distinctive_terms", corpus.outlets)
    if res.distinctive_terms is not None:
        dt = res.distinctive_terms
        if dt["outlet"].nunique() > 10:  # the 10 outlets with the most articles fit the 60 rows
            dt = dt[dt["outlet"].isin(res.top_outlets(10))]
            _para(pdf, f"The 10 outlets with the most articles, of {corpus.articles['outlet'].nunique()}; "
                       "distinctive_terms.csv (python -m framing terms) has every outlet.", size=8, color=70)
        top = (dt.sort_values(["outlet", "z"], ascending=[True, False])
               .groupby("outlet").head(6))[["outlet", "term", "count", "z"]]
        _table(pdf, top, max_rows=60, widths=[20, 30, 8, 8])

    # Attribution and tone
    section(titles["attribution"])
    _image(pdf, fig_png, "attribution", corpus.outlets)
    if res.attribution is not None:
        verbs = res.attribution.verbs.sort_values(["outlet", "count"], ascending=[True, False])
        verbs = verbs.groupby("outlet").head(6)[["outlet", "verb", "form", "count", "per_10k_words", "connotation"]]
        _table(pdf, verbs, max_rows=40, widths=[16, 12, 8, 7, 10, 20])
        sources = res.attribution.sources[["outlet", "source_type", "quotes", "share_of_quoted"]]
        _table(pdf, sources, max_rows=30, widths=[16, 20, 8, 10])
    _image(pdf, fig_png, "tone", corpus.outlets)
    if res.tone is not None:
        tone = res.tone[["outlet", "target", "sentences", "mean_compound", "ci_low", "ci_high"]]
        _table(pdf, tone, max_rows=40, widths=[16, 14, 9, 11, 9, 9])

    # Topics
    section(titles["topics"])
    if res.topics is not None:
        for note in getattr(res.topics, "notes", []) or []:
            _para(pdf, note, size=8.5, color=70)
        _image(pdf, fig_png, "topic_prevalence", corpus.outlets)
        top = res.topics.topics[res.topics.topics["rank"] < 8]
        labels = top.groupby("topic")["term"].apply(lambda s: ", ".join(s)).reset_index(name="top terms")
        _table(pdf, labels, widths=[8, 90])
        _table(pdf, res.topics.coherence)
    else:
        _para(pdf, "Not computed: " + res.skipped.get("topics", ""))

    # Methods
    section(titles["methods"])
    for name, text in METHODS_TEXT:
        _para(pdf, name, size=10, style="B")
        _para(pdf, text, size=9)
    params = pd.DataFrame([{"parameter": k, "value": str(v)} for k, v in manifest["parameters"].items()])
    _table(pdf, params)
    versions = pd.DataFrame([{"package": k, "version": v} for k, v in manifest["versions"].items()])
    _table(pdf, versions, widths=[30, 30])
    return bytes(pdf.output())


def _mark(text: str, spans) -> str:
    out, pos = [], 0
    for s, e in sorted(spans):
        if s < pos:
            continue
        out.append(text[pos:s])
        out.append(f"«{text[s:e]}»")
        pos = e
    out.append(text[pos:])
    return "".join(out)


def _fixed_date(manifest):
    from datetime import datetime, timezone

    return datetime.strptime(manifest["created"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
