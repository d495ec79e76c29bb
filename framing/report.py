"""The comparison report: one self-contained HTML file, a PDF with the same content, and a manifest.

:func:`build_report` runs every analysis (:func:`framing.analysis.run_all`), draws the figures
(:mod:`framing.figures`) and writes ``report.html``, ``report.pdf``, ``manifest.json`` and the figures
(PNG and SVG) into one folder. Every piece of corpus text and metadata is HTML-escaped; the HTML loads
nothing from outside (figures are inline PNG data, styles are inline, there are no scripts).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import platform
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import pandas as pd

from .align import largest_events
from .analysis import AnalysisResults, run_all
from .errors import FramingError
from .output import atomic_write, prepare_output_dir
from .report_content import (FIGURE_OUTLETS, MAX_EVENTS, METHODS_TEXT, SECTIONS, coverage_scope, coverage_table,
                             figure_caption, marked_spans, wide_by_outlet)

__all__ = ["build_report", "REPORT_FILES"]

REPORT_FILES = ("report.html", "report.pdf", "manifest.json")
MAX_ARTICLES_LISTED = 1000  # articles listed in the HTML summary (the CSV files list them all)
TABLE_OUTLETS = 12  # outlets with their own distinctive-terms list
_PACKAGES = ("framing", "pandas", "numpy", "scipy", "scikit-learn", "gensim", "nltk", "matplotlib", "fpdf2",
             "vaderSentiment", "pyarrow")


# ---------------------------------------------------------------------------------------------- API

def build_report(corpus=None, *, outdir="framing-report", formats=("html", "pdf"), k="auto",
                 random_state: int = 0, lexicon=None, force: bool = False, progress: bool = False,
                 corpus_path=None, facts=MAX_EVENTS, n_jobs=None, scheduler=None) -> dict[str, Path]:
    """Analyse a corpus and write the comparison report.

    Parameters
    ----------
    corpus : Corpus, optional
        Default: the bundled seeds.
    outdir : path, default "framing-report"
        Output folder; refused if it is the corpus folder. Earlier reports are overwritten only with
        ``force=True``.
    formats : iterable of {"html", "pdf"}
    k : "auto" or int
        Number of topics.
    random_state : int
    lexicon : path, optional
        Your own term lexicon.
    force : bool
        Overwrite an earlier report in ``outdir``.
    progress : bool
        Print each step as it finishes.
    corpus_path : path, optional
        Where the corpus came from (recorded in the manifest, with checksums).
    facts : bool, int or list of str, default 30
        Events whose sentences are aligned into facts (see :func:`framing.align.align_events`). The
        default, the 30 events with the most articles, are the events the report details one by one;
        True aligns every event's facts, which takes much longer on corpora of tens of thousands of
        articles; False groups articles into events only. The report says when some events have no
        facts.
    n_jobs : int, optional
        Processes for the analyses that can use them (see :func:`framing.analysis.run_all`); same report.
    scheduler : None, "local", "tcp://HOST:PORT" or distributed.Client, optional
        Run the analyses that can on Dask (see :func:`framing.analysis.run_all`); same report.

    Returns
    -------
    dict
        ``{"html": path, "pdf": path, "manifest": path, "figures": folder}`` (formats not asked for are
        left out).

    Examples
    --------
    >>> import tempfile
    >>> paths = build_report(outdir=tempfile.mkdtemp(), formats=["html"])  # doctest: +SKIP
    >>> sorted(paths)  # doctest: +SKIP
    ['figures', 'html', 'manifest']
    """
    from .corpus import load_corpus, seeds_path
    from .figures import make_all_figures

    formats = [f.strip().lower() for f in formats]
    unknown = sorted(set(formats) - {"html", "pdf"})
    if unknown or not formats:
        raise FramingError(f"--format {','.join(formats)}: unknown format; use html, pdf or html,pdf.")
    t0 = time.perf_counter()
    if corpus is None:
        corpus = load_corpus()
        corpus_path = corpus_path or seeds_path()
    src = Path(corpus_path) if corpus_path else (Path(corpus.source) if Path(corpus.source).exists() else None)
    out = prepare_output_dir(outdir, inputs=[src] if src else [], force=force,
                             expected=[f"report.{f}" for f in formats] + ["manifest.json"])
    if progress:
        print(f"analysing {len(corpus):,} articles from {len(corpus.outlets):,} outlets")
    res = run_all(corpus, k=k, random_state=random_state, lexicon=lexicon, progress=progress, facts=facts,
                  n_jobs=n_jobs, scheduler=scheduler)
    figdir = out / "figures"
    # The report embeds PNG; `python -m framing figures` also writes SVG.
    shown = res.top_outlets(FIGURE_OUTLETS) if len(corpus.outlets) > FIGURE_OUTLETS else corpus.outlets
    figures = make_all_figures(res.figure_inputs(max_outlets=FIGURE_OUTLETS), figdir, outlets=shown,
                               formats=("png",))
    fig_png = {name: next((p for p in paths if str(p).endswith(".png")), None)
               for name, paths in figures.items() if isinstance(paths, list)}
    written: dict[str, Path] = {"figures": figdir}
    manifest = _manifest(res, src, formats, random_state, k, lexicon)
    if "html" in formats:
        written["html"] = out / "report.html"
        with atomic_write(written["html"]) as fh:
            fh.write(render_html(res, fig_png, manifest))
    if "pdf" in formats:
        from .report_pdf import render_pdf

        written["pdf"] = out / "report.pdf"
        pdf_bytes = render_pdf(res, fig_png, manifest)
        with atomic_write(written["pdf"], "wb") as fh:
            fh.write(pdf_bytes)
    manifest["outputs"] = {k_: _checksum(p) for k_, p in written.items() if p.is_file()}
    manifest["seconds"] = round(time.perf_counter() - t0, 2)
    written["manifest"] = out / "manifest.json"
    with atomic_write(written["manifest"]) as fh:
        json.dump(manifest, fh, indent=2, ensure_ascii=False, default=str)
        fh.write("\n")
    return written


# ------------------------------------------------------------------------------------------ manifest

def _checksum(path: Path) -> dict:
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return {"path": Path(path).name, "sha256": digest, "bytes": Path(path).stat().st_size}


def package_versions() -> dict:
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _manifest(res: AnalysisResults, src, formats, random_state, k, lexicon) -> dict:
    inputs = []
    if src is not None and Path(src).exists():
        files = sorted(p for p in Path(src).rglob("*") if p.is_file()) if Path(src).is_dir() else [Path(src)]
        inputs = [{"path": str(p.relative_to(src) if Path(src).is_dir() else p.name),
                   "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "bytes": p.stat().st_size}
                  for p in files if not p.name.startswith(".") and "__pycache__" not in p.parts]
    corpus = res.corpus
    return {
        "tool": "framing",
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "corpus": {"source": str(src) if src else corpus.source, "articles": len(corpus),
                   "outlets": corpus.outlets, "files": inputs,
                   "text_sha256": hashlib.sha256("\x00".join(corpus.articles["text"]).encode()).hexdigest()},
        "parameters": {"random_state": random_state, "k": k, "lexicon": str(lexicon) if lexicon else "bundled",
                       "formats": list(formats)},
        "analyses": {"timings_seconds": {n: round(t, 3) for n, t in res.timings.items()},
                     "skipped": res.skipped},
        "versions": package_versions(),
        "command": "framing.report.build_report",
    }


# ---------------------------------------------------------------------------------------------- HTML

def esc(value) -> str:
    """HTML-escape any value (quotes too); None and NaN become an empty string."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value), quote=True)


def _safe_url(url) -> str | None:
    if isinstance(url, str) and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def _table(frame: pd.DataFrame, *, max_rows: int = 40, floats: str = "{:.3g}", klass: str = "") -> str:
    if frame is None or len(frame) == 0:
        return "<p class='muted'>No rows.</p>"
    more = f"<p class='muted'>The first {max_rows} of {len(frame):,} rows.</p>" if len(frame) > max_rows else ""
    frame = frame.head(max_rows)
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for row in frame.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, float):
                cells.append(f"<td class='num'>{esc(floats.format(v)) if v == v else ''}</td>")
            elif isinstance(v, (int,)) and not isinstance(v, bool):
                cells.append(f"<td class='num'>{v}</td>")
            elif isinstance(v, pd.Timestamp):
                cells.append(f"<td>{v:%Y-%m-%d}</td>")
            else:
                cells.append(f"<td>{esc(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table class='{klass}'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def _figure(name: str, fig_png: dict, res: AnalysisResults) -> str:
    path = fig_png.get(name)
    if not path or not Path(path).is_file():
        return ""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    caption = figure_caption(name, res.corpus.outlets)
    return (f"<figure><img alt='{esc(caption)}' src='data:image/png;base64,{data}'>"
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def _highlight(text: str, spans) -> str:
    out, pos = [], 0
    for s, e in sorted(spans):
        if s < pos:
            continue
        out.append(esc(text[pos:s]))
        out.append(f"<mark>{esc(text[s:e])}</mark>")
        pos = e
    out.append(esc(text[pos:]))
    return "".join(out)


def _skipped(res: AnalysisResults, name: str) -> str:
    reason = res.skipped.get(name)
    notes = "".join(f"<p class='note'>{esc(n)}</p>" for n in res.notes.get(name, []))
    return (f"<p class='note'>Not computed: {esc(reason)}</p>" if reason else "") + notes


def _summary_html(res: AnalysisResults) -> str:
    corpus = res.corpus
    table = res.corpus_summary.reset_index()
    for col in ("first_date", "last_date"):
        table[col] = table[col].dt.strftime("%Y-%m-%d").fillna("–")
    parts = [f"<p>{len(corpus):,} articles from {len(corpus.outlets):,} outlets"]
    dates = corpus.articles["date"].dropna()
    if len(dates):
        parts.append(f", published {dates.min():%d %B %Y} to {dates.max():%d %B %Y}")
    if res.alignment is not None:
        events = res.alignment.events
        with_facts = int(events["n_facts"].notna().sum())
        parts.append(f"; {len(events):,} events")
        if with_facts == len(events):
            parts.append(f" and {len(res.alignment.facts):,} facts reported by more than one article")
        elif with_facts:
            parts.append(f"; {len(res.alignment.facts):,} facts reported by more than one article in the "
                         f"{with_facts} events whose facts were aligned")
    parts.append(".</p>")
    arts = corpus.articles.copy()
    arts["date"] = arts["date"].dt.strftime("%Y-%m-%d").fillna("–")
    if res.alignment is not None:
        arts["event"] = arts["id"].map(res.alignment.article_events.set_index("article_id")["event_id"])
    listed = ""
    if len(arts) > MAX_ARTICLES_LISTED:
        listed = (f"<p class='note'>The first {MAX_ARTICLES_LISTED:,} of {len(arts):,} articles, in corpus order; "
                  "article_events.csv (python -m framing align) lists every article with its event.</p>")
        arts = arts.head(MAX_ARTICLES_LISTED)
    rows = []
    for a in arts.itertuples(index=False):
        url = _safe_url(a.url)
        title = esc(a.title) if isinstance(a.title, str) and a.title else "<span class='muted'>(no headline)</span>"
        link = f" <a href='{esc(url)}'>source</a>" if url else ""
        rows.append(f"<tr><td>{esc(a.id)}</td><td>{esc(a.outlet)}</td><td>{esc(a.date)}</td>"
                    f"<td>{esc(getattr(a, 'event', ''))}</td><td>{title}{link}</td></tr>")
    articles = ("<table><thead><tr><th>id</th><th>outlet</th><th>date</th><th>event</th><th>title</th></tr>"
                f"</thead><tbody>{''.join(rows)}</tbody></table>")
    cleaning = corpus.cleaning_report()
    clean_note = ""
    if len(cleaning):
        counts = cleaning.groupby(["kind", "action"]).agg(articles=("article_id", "nunique"),
                                                          chars=("chars", "sum")).reset_index()
        clean_note = ("<h3>Cleaning</h3><p>Removed or moved before analysis (every span is listed by "
                      "<code>Corpus.cleaning_report()</code>):</p>" + _table(counts))
    marked = marked_spans(corpus)
    if len(marked):
        clean_note += ("<p>Kept but marked: subheads and embedded social-media posts, which are quoted material, "
                       "not the outlet's own words.</p>" + _table(marked))
    issues = ""
    if len(corpus.issues):
        issues = "<h3>Input issues</h3>" + _table(corpus.issues[["source", "action", "message"]])
    return "".join(parts) + _table(table) + "<h3>Articles</h3>" + listed + articles + clean_note + issues


def _events_html(res: AnalysisResults, fig_png) -> str:
    if res.alignment is None:
        return _skipped(res, "alignment")
    from .terms import diff_spans

    al = res.alignment
    ev_of = al.article_events.set_index("article_id")["event_id"]
    pairs = al.sentence_alignments.copy()
    pairs["event_a"] = pairs["article_a"].map(ev_of)
    pairs["event_b"] = pairs["article_b"].map(ev_of)
    # A large corpus has thousands of events: the report shows the largest, the CSV files have them all.
    shown = largest_events(al.events, MAX_EVENTS).sort_values("event_id")
    scope = ""
    if len(shown) < len(al.events):
        scope = (f"<p class='note'>The {len(shown)} events with the most articles, of {len(al.events):,}; "
                 "events.csv and the other tables of <code>python -m framing align</code> have them all.</p>")
    out = [_skipped(res, "alignment"), _figure("event_timeline", fig_png, res), scope, _table(shown)]
    meta = res.corpus.articles.set_index("id")
    groups = [(row.event_id, f"{row.event_id}: {row.label}",
               pairs[(pairs["event_a"] == row.event_id) & (pairs["event_b"] == row.event_id)])
              for row in shown.itertuples(index=False)]
    groups.append(("shared", "Background facts shared across events",
                   pairs[pairs["event_a"] != pairs["event_b"]]))
    for event_id, title, rows in groups:
        out.append(f"<h3 id='event-{esc(event_id)}'>{esc(title)}</h3>")
        if event_id != "shared":
            arts = al.article_events[al.article_events["event_id"] == event_id]
            items = ", ".join(f"{esc(meta.at[a, 'outlet'])} ({esc(a)})" for a in arts["article_id"])
            out.append(f"<p class='muted'>Articles: {items}</p>")
        if len(rows) == 0:
            out.append("<p class='muted'>No sentence of one article states the same fact as a sentence of "
                       "another here.</p>")
            continue
        rows = rows.sort_values(["fact_id", "similarity"], ascending=[True, False]).head(40)
        body = []
        for r in rows.itertuples(index=False):
            sa, sb = diff_spans(r.text_a, r.text_b)
            body.append(f"<tr><td class='fact'>{esc(r.fact_id)}</td>"
                        f"<td><b>{esc(r.outlet_a)}</b><br>{_highlight(r.text_a, sa)}</td>"
                        f"<td><b>{esc(r.outlet_b)}</b><br>{_highlight(r.text_b, sb)}</td>"
                        f"<td class='num'>{r.similarity:.2f}</td></tr>")
        out.append("<table class='pairs'><thead><tr><th>fact</th><th>one article</th><th>another</th>"
                   f"<th>similarity</th></tr></thead><tbody>{''.join(body)}</tbody></table>")
    if res.substitutions is not None and len(res.substitutions):
        out.append("<h3>Substituted words in aligned sentences</h3>")
        cols = [c for c in ("outlet_a", "outlet_b", "word_a", "word_b", "count", "example_a", "example_b")
                if c in res.substitutions]
        out.append(_table(res.substitutions[cols], max_rows=30))
    return "".join(out)


def _coverage_html(res: AnalysisResults) -> str:
    if res.alignment is None:
        return _skipped(res, "alignment")
    al = res.alignment
    wide = coverage_table(al)
    omissions = al.omissions
    scope = coverage_scope(al, wide)
    scope = " " + scope if scope else ""
    text = ("<p>Articles per event and outlet; a zero is a blind spot. Omissions are facts that some of an "
            "event's outlets report and others leave out (informational bias)." + scope + "</p>")
    return text + _table(wide) + "<h3>Omissions</h3>" + _table(omissions, max_rows=60)


def _terms_html(res: AnalysisResults, fig_png) -> str:
    out = [_figure("term_choice", fig_png, res)]
    if res.term_choice is None:
        return _skipped(res, "term_choice")
    tc = res.term_choice
    wide = wide_by_outlet(tc, ["concept", "variant"], "count", max_outlets=12)
    out.append("<p>Mentions of each variant per outlet (the lexicon is "
               "<code>framing/data/contested_terms.csv</code>; pass your own with <code>lexicon=</code>).</p>")
    out.append(_table(wide, max_rows=200, klass="terms"))
    out.append(_skipped(res, "variants"))
    if res.variants is not None and len(res.variants):
        out.append("<h3>Variants found without a lexicon</h3><p>Spellings that name the same thing but split by "
                   "outlet, ranked by string, context and complementarity evidence.</p>")
        out.append(_table(res.variants, max_rows=40))
    return "".join(out)


def _distinctive_html(res: AnalysisResults, fig_png) -> str:
    if res.distinctive_terms is None or len(res.distinctive_terms) == 0:
        return _skipped(res, "distinctive_terms")
    dt = res.distinctive_terms
    out = [_figure("distinctive_terms", fig_png, res),
           "<p>Log-odds ratio with an informative Dirichlet prior, each outlet against all others; "
           "|z| &gt; 1.96 is the usual threshold. With few articles per outlet these are descriptive.</p>"]
    if dt["outlet"].nunique() > TABLE_OUTLETS:
        shown = res.top_outlets(TABLE_OUTLETS)
        dt = dt[dt["outlet"].isin(shown)]
        out.append(f"<p class='note'>The {TABLE_OUTLETS} outlets with the most articles, of "
                   f"{res.corpus.articles['outlet'].nunique()}; distinctive_terms.csv "
                   "(python -m framing terms) has every outlet.</p>")
    for outlet, g in dt.groupby("outlet", sort=True):
        top = g.sort_values("z", ascending=False).head(12)
        out.append(f"<h3>{esc(outlet)}</h3>" + _table(top, max_rows=12))
    return "".join(out)


def _attribution_html(res: AnalysisResults, fig_png) -> str:
    out = [_figure("attribution", fig_png, res)]
    if res.attribution is not None:
        out.append("<h3>Reporting verbs</h3>" + _table(res.attribution.verbs, max_rows=60))
        out.append("<h3>Quoted sources</h3>" + _table(res.attribution.sources, max_rows=40))
        quotes = res.attribution.quotes
        if len(quotes):
            cols = [c for c in ("outlet", "kind", "speaker", "source_type", "verb", "quote") if c in quotes]
            out.append("<h3>Quotes</h3>" + _table(quotes[cols], max_rows=80))
    else:
        out.append(_skipped(res, "attribution"))
    out.append(_figure("tone", fig_png, res))
    if res.tone is not None:
        out.append("<h3>Tone toward targets</h3>" + _table(res.tone, max_rows=60))
    if res.lexical_by_outlet is not None:
        out.append("<h3>Lexical features per outlet</h3>" + _table(res.lexical_by_outlet))
    return "".join(out)


def _topics_html(res: AnalysisResults, fig_png) -> str:
    if res.topics is None:
        return _skipped(res, "topics")
    tm = res.topics
    out = [_figure("topic_prevalence", fig_png, res)]
    for note in getattr(tm, "notes", []) or []:
        out.append(f"<p class='note'>{esc(note)}</p>")
    top = tm.topics[tm.topics["rank"] < 10]
    labels = top.groupby("topic")["term"].apply(lambda s: ", ".join(s)).reset_index(name="top terms")
    out.append(_table(labels))
    out.append("<h3>Coherence</h3>" + _table(tm.coherence))
    out.append("<h3>Prevalence</h3>" + _table(tm.prevalence, max_rows=80))
    if res.topics_by_event is not None:
        out.append("<h3>Topics per event</h3>" + _table(res.topics_by_event, max_rows=80))
    return "".join(out)


def _methods_html(res: AnalysisResults, manifest: dict) -> str:
    out = []
    for title, text in METHODS_TEXT:
        out.append(f"<h3>{esc(title)}</h3><p>{esc(text)}</p>")
    n_per = res.corpus.articles["outlet"].value_counts()
    small = n_per[n_per < 5]
    if len(small):
        out.append("<h3>Caveats</h3><p class='note'>" + esc(
            f"{len(small)} of {len(n_per)} outlets have fewer than five articles "
            f"({', '.join(small.index)}): differences between outlets describe these articles, not the outlets' "
            "coverage in general.") + "</p>")
    params = pd.DataFrame([{"parameter": k, "value": str(v)} for k, v in manifest["parameters"].items()])
    out.append("<h3>Parameters</h3>" + _table(params))
    timings = pd.DataFrame([{"analysis": k, "seconds": round(v, 2)} for k, v in res.timings.items()])
    out.append("<h3>Run</h3>" + _table(timings))
    if res.skipped:
        out.append(_table(pd.DataFrame([{"analysis": k, "why skipped": v} for k, v in res.skipped.items()])))
    versions = pd.DataFrame([{"package": k, "version": v} for k, v in manifest["versions"].items()])
    out.append("<h3>Versions</h3>" + _table(versions))
    out.append("<p class='muted'>manifest.json beside this file lists the inputs with SHA-256 checksums, "
               "the parameters and the versions, so the report can be reproduced.</p>")
    return "".join(out)


CSS = """
body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#1a1a1a;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #333;padding-bottom:.2em;margin-top:2em}
h3{margin-top:1.4em}nav ol{columns:2}table{border-collapse:collapse;margin:.6em 0;font-size:.86em;width:auto}
th,td{border:1px solid #bbb;padding:.25em .5em;vertical-align:top;text-align:left}th{background:#eee}
td.num{text-align:right;font-variant-numeric:tabular-nums}table.pairs td{width:45%}table.pairs td.fact,
table.pairs td.num{width:auto}mark{background:#ffe08a;padding:0 .1em;border-bottom:2px solid #b8860b}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ddd}figcaption{font-size:.85em;color:#444}
.muted{color:#555}.note{background:#f4f4f4;border-left:4px solid #888;padding:.4em .7em}code{font-size:.92em}
@media print{nav{display:none}h2{page-break-before:always}}
"""


def render_html(res: AnalysisResults, fig_png: dict, manifest: dict) -> str:
    """The report as one self-contained HTML document (a string)."""
    corpus = res.corpus
    sections = {
        "summary": _summary_html(res),
        "events": _events_html(res, fig_png),
        "coverage": _coverage_html(res),
        "terms": _terms_html(res, fig_png),
        "distinctive": _distinctive_html(res, fig_png),
        "attribution": _attribution_html(res, fig_png),
        "topics": _topics_html(res, fig_png),
        "methods": _methods_html(res, manifest),
    }
    nav = "".join(f"<li><a href='#{sid}'>{esc(title)}</a></li>" for sid, title in SECTIONS)
    body = "".join(f"<section id='{sid}'><h2>{esc(title)}</h2>{sections[sid]}</section>"
                   for sid, title in SECTIONS)
    title = f"framing report: {len(corpus):,} articles from {len(corpus.outlets):,} outlets"
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; img-src data:; "
            "style-src 'unsafe-inline'\">"
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
            f"<header><h1>How outlets frame the same facts</h1><p class='muted'>{esc(title)}. Made with "
            f"framing {esc(manifest['versions'].get('framing', ''))} on {esc(manifest['created'][:10])}.</p>"
            f"</header><nav><h2>Contents</h2><ol>{nav}</ol></nav>{body}</body></html>\n")
