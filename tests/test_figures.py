"""Figures: each function's axes, labels and texts on small hand-made result tables (shaped like the
analyses' outputs, with the seeds' facts), error handling, colours, and reproducible files."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

from framing import FramingError
from framing import figures as F

OUTLETS = ["RFE/RL", "Al Jazeera", "RT", "unattributed"]


def term_choice_frame():
    rows = [("Kyiv", "Kyiv", "RFE/RL", 3), ("Kyiv", "Kiev", "RT", 6), ("Kyiv", "Kyiv", "unattributed", 2),
            ("Kyiv", "Kiev", "unattributed", 0),
            ("Zelenskyy", "Zelenskiy", "RFE/RL", 9), ("Zelenskyy", "Zelensky", "RT", 1),
            ("Zelenskyy", "Володимир Зеленський", "RFE/RL", 1), ("Zelenskyy", "Zelenskyy", "Al Jazeera", 0),
            ("Donbas", "Donbass", "RT", 2), ("Donbas", "Donbas", "RFE/RL", 1)]
    frame = pd.DataFrame(rows, columns=["concept", "variant", "outlet", "count"])
    total = frame.groupby(["concept", "outlet"])["count"].transform("sum")
    frame["share"] = np.where(total > 0, frame["count"] / total.where(total > 0, 1), 0.0)
    frame["per_10k_words"] = frame["count"] * 10.0
    return frame


def distinctive_frame():
    terms = {"RT": [("kiev", 9, 3.4), ("donbass", 5, 2.9), ("minsk", 4, 2.5), ("nationalists", 3, 2.2),
                    ("regime", 2, 2.0), ("said", 20, 0.1), ("ukraine", 15, -0.4), ("russia", 12, -1.2)],
             "RFE/RL": [("zelenskiy", 11, 3.8), ("kyiv", 6, 2.7), ("blinken", 5, 2.4), ("said", 18, 0.3),
                        ("ukraine", 16, 0.2), ("russia", 14, 0.5)]}
    rows = [(o, t, c, z / 2, z) for o, items in terms.items() for t, c, z in items]
    return pd.DataFrame(rows, columns=["outlet", "term", "count", "log_odds", "z"])


def events_frames():
    events = pd.DataFrame({
        "event_id": ["E01", "E02", "E03"],
        "label": ["Biden–Putin video call", "Biden–Zelenskiy call announced", "UN Security Council meeting"],
        "first_date": pd.to_datetime(["2021-12-06", "2021-12-31", "2022-01-27"]),
        "last_date": pd.to_datetime(["2021-12-08", "2021-12-31", "2022-01-27"]),
        "n_articles": [3, 1, 1], "outlets": ["RFE/RL; RT; unattributed", "RFE/RL", "Al Jazeera"]})
    covered = {"E01": {"RFE/RL": 2, "RT": 1, "unattributed": 1}, "E02": {"RFE/RL": 1}, "E03": {"Al Jazeera": 1}}
    rows = [(e, o, covered[e].get(o, 0), covered[e].get(o, 0) * 15) for e in covered for o in OUTLETS]
    return events, pd.DataFrame(rows, columns=["event_id", "outlet", "articles", "sentences"])


def alignments_frame():
    return pd.DataFrame({
        "fact_id": ["F1", "F2", "F3"],
        "article_a": ["004", "002", "001"], "sent_a": [1, 3, 5],
        "text_a": ["Biden will lean on his counterpart to make progress on autonomy for Kiev's regions.",
                   "Zelenskiy spoke to Blinken by phone on December 6.",
                   "Russia has amassed about 100,000 troops near its border."],
        "article_b": ["000", "000", "003"], "sent_b": [2, 4, 4],
        "text_b": ["Biden will press his counterpart on autonomy for Kyiv's regions.",
                   "Zelenskiy spoke to Blinken by phone on December 6.",
                   "Moscow deployed tens of thousands of troops on its border."],
        "similarity": [0.78, 0.99, 0.64],
        "outlet_a": ["RT", "RFE/RL", "RFE/RL"], "outlet_b": ["unattributed", "unattributed", "Al Jazeera"]})


def prevalence_frames():
    prevalence = pd.DataFrame({
        "outlet": ["RT", "RT", "RFE/RL", "RFE/RL"], "topic": [1, 2, 1, 2],
        "share": [0.7, 0.3, 0.2, 0.8], "ci_low": [0.5, 0.1, 0.05, 0.6], "ci_high": [0.9, 0.5, 0.4, 0.95]})
    topics = pd.DataFrame({"topic": [1, 1, 2, 2], "rank": [1, 2, 1, 2], "term": ["Minsk", "Donbass", "call", "Biden"],
                           "weight": [0.1, 0.05, 0.1, 0.05]})
    return prevalence, topics


def attribution_frames():
    verbs = pd.DataFrame({"outlet": ["RT", "RT", "RFE/RL", "RFE/RL"], "verb": ["claim", "say", "say", "tell"],
                          "form": ["claims", "said", "said", "told"], "count": [3, 2, 8, 1],
                          "per_10k_words": [30.0, 20.0, 40.0, 5.0],
                          "connotation": ["doubt", "neutral", "neutral", "neutral"]})
    sources = pd.DataFrame({"outlet": ["RT", "RT", "RFE/RL"], "source_type": ["media", "official", "official"],
                            "quotes": [2, 1, 5], "quoted_chars": [300, 100, 900],
                            "share_of_quoted": [0.75, 0.25, 1.0]})
    return verbs, sources


def tone_frame():
    return pd.DataFrame({"outlet": ["RT", "RFE/RL", "RT", "RFE/RL"], "target": ["NATO", "NATO", "Russia", "Russia"],
                         "sentences": [8, 2, 5, 9], "mean_compound": [-0.4, 0.1, 0.2, -0.3],
                         "ci_low": [-0.6, -0.3, 0.0, -0.5], "ci_high": [-0.2, 0.5, 0.4, -0.1],
                         "positive_share": [0.1, 0.4, 0.5, 0.1], "negative_share": [0.6, 0.2, 0.1, 0.5]})


def texts(fig):
    """Every text string drawn in the figure (figure-level and in every axes)."""
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts]
    return out


def assert_fits_page(fig):
    """Page width, a title, and every drawn thing (labels included) inside the canvas: nothing clipped."""
    assert fig.get_figwidth() <= F.PAGE_WIDTH
    assert fig._suptitle is not None and fig._suptitle.get_text()
    fig.draw_without_rendering()
    ink = fig.get_tightbbox(fig._get_renderer())  # inches
    assert ink.x0 >= 0 and ink.y0 >= 0
    assert ink.x1 <= fig.get_figwidth() and ink.y1 <= fig.get_figheight()


def assert_no_overlap(text_artists, fig):
    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else None
    boxes = [t.get_window_extent(renderer) for t in text_artists]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            overlap = boxes[i].intersection(boxes[i], boxes[j])
            assert overlap is None or overlap.width * overlap.height < 1.0, \
                (text_artists[i].get_text(), text_artists[j].get_text())


# ------------------------------------------------------------------------------------------ colours

def test_outlet_colors_are_okabe_ito_sorted_and_stable():
    colors = F.outlet_colors(OUTLETS)
    assert list(colors) == ["Al Jazeera", "RFE/RL", "RT", "unattributed"]
    assert colors == F.outlet_colors(reversed(OUTLETS)) == F.outlet_colors(OUTLETS + ["RT"])
    assert colors["Al Jazeera"] == "#0072B2" and set(colors.values()) <= set(F.OKABE_ITO)
    assert len(set(colors.values())) == 4
    assert F.outlet_markers(OUTLETS) == {"Al Jazeera": "o", "RFE/RL": "s", "RT": "^", "unattributed": "D"}


def test_outlet_styles_stay_distinct_beyond_the_palette():
    names = [f"Outlet {i:02d}" for i in range(20)]
    colors, markers = F.outlet_colors(names), F.outlet_markers(names)
    pairs = {(colors[n], markers[n]) for n in names}
    assert len(pairs) == 20  # colours repeat after 8, but never with the same marker


# ---------------------------------------------------------------------------------- 1. term choice

def test_term_choice_heatmap_cells_and_groups():
    fig = F.term_choice_heatmap(term_choice_frame())
    assert isinstance(fig, Figure)
    ax_concepts, ax, ax_colorbar = fig.axes
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Al Jazeera", "RFE/RL", "RT", "unattributed"]
    # most mentioned concept first (Kyiv and Zelenskyy tie at 11 mentions: by name), variants by mentions
    # then name; "Zelenskyy", which no outlet uses, is left out and counted in a note
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Kiev", "Kyiv", "Zelenskiy", "Zelensky",
                                                             "Володимир Зеленський", "Donbass", "Donbas"]
    assert [t.get_text() for t in ax_concepts.texts] == ["Kyiv", "Zelenskyy", "Donbas"]
    cells = [t.get_text() for t in ax.texts]
    assert len(cells) == 7 * 4
    assert cells[2] == "100% (6)"  # RT: Kiev
    assert cells[3] == "0% (0)"  # unattributed names Kyiv, never Kiev
    assert cells[8:12] == ["–", "90% (9)", "0% (0)", "–"]  # Al Jazeera, unattributed: no Zelenskyy
    assert "10% (1)" in cells  # RFE/RL's Cyrillic form
    assert fig._suptitle.get_text().startswith("Term choice")
    assert fig._supxlabel.get_text().startswith("1 variant that no outlet uses")
    assert "share of the concept's mentions" in ax_colorbar.get_xlabel()
    assert_fits_page(fig)
    with_unused = F.term_choice_heatmap(term_choice_frame(), show_unused=True)
    assert "Zelenskyy" in [t.get_text() for t in with_unused.axes[1].get_yticklabels()]


def test_term_choice_heatmap_concept_selection():
    fig = F.term_choice_heatmap(term_choice_frame(), concepts=["Kyiv"])
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == ["Kiev", "Kyiv"]
    top = F.term_choice_heatmap(term_choice_frame(), max_concepts=2)
    assert "(2 most mentioned of 3 concepts)" in top._suptitle.get_text()
    with pytest.raises(FramingError, match="concepts"):
        F.term_choice_heatmap(term_choice_frame(), concepts=["Crimea"])


def test_term_choice_heatmap_many_long_outlet_names_are_slanted_not_broken():
    frame = term_choice_frame()
    names = {o: f"{o} International Broadcasting Service {i}" for i, o in enumerate(OUTLETS)}
    extra = pd.concat([frame.assign(outlet=frame["outlet"].map(names) + f" ({k})") for k in range(3)])
    fig = F.term_choice_heatmap(extra)
    labels = fig.axes[1].get_xticklabels()
    assert len(labels) == 12 and all(t.get_rotation() == 40 for t in labels)
    assert fig.get_figwidth() <= F.PAGE_WIDTH


# ----------------------------------------------------------------------------- 2. distinctive terms

def test_distinctive_terms_labels_top_terms_without_overlap():
    fig = F.distinctive_terms_plot(distinctive_frame(), top=4)
    assert len(fig.axes) == 4  # two outlets: scatter + label column each
    scatter_rfe, labels_rfe, scatter_rt, labels_rt = fig.axes
    assert scatter_rfe.get_title(loc="left") == "RFE/RL" and scatter_rt.get_title(loc="left") == "RT"
    assert sorted(t.get_text() for t in labels_rt.texts) == ["donbass", "kiev", "minsk", "nationalists"]
    assert "regime" not in texts(fig)  # 5th by z: not labelled
    assert scatter_rt.get_xscale() == "log" and scatter_rt.get_ylabel() == "log-odds z-score"
    assert_fits_page(fig)
    assert_no_overlap(labels_rt.texts, fig)
    # labels keep the z order: highest z at the top
    by_y = sorted(labels_rt.texts, key=lambda t: -t.get_position()[1])
    assert [t.get_text() for t in by_y] == ["kiev", "donbass", "minsk", "nationalists"]


def test_distinctive_terms_crowded_labels_do_not_overlap():
    rows = [("RT", f"term{i:02d}", 5 + i % 3, 3.0 + 0.001 * i) for i in range(25)]
    frame = pd.DataFrame(rows, columns=["outlet", "term", "count", "z"])
    fig = F.distinctive_terms_plot(frame, top=25)
    fig.draw_without_rendering()
    assert len(fig.axes[1].texts) == 25
    assert_no_overlap(fig.axes[1].texts, fig)


def test_distinctive_terms_single_outlet_selection():
    fig = F.distinctive_terms_plot(distinctive_frame(), outlet="RT", top=2)
    assert len(fig.axes) == 2 and fig.axes[0].get_title(loc="left") == "RT"
    with pytest.raises(FramingError, match="outlet='TASS'"):
        F.distinctive_terms_plot(distinctive_frame(), outlet="TASS")


# -------------------------------------------------------------------------------- 3. event timeline

def test_event_timeline_rows_marks_and_blind_spots():
    events, coverage = events_frames()
    fig = F.event_timeline(events, coverage)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["events", "Al Jazeera", "RFE/RL", "RT", "unattributed"]
    covered, blind = [c for c in ax.collections if len(c.get_offsets())]
    assert len(covered.get_offsets()) == 5 and len(blind.get_offsets()) == 7  # 12 (event, outlet) cells
    # RFE/RL's two articles on E01 give the largest mark
    sizes = covered.get_sizes()
    assert sizes.argmax() == 0 and sizes.max() == pytest.approx(2 * sizes.min())
    assert {"1", "2", "3"} <= set(t.get_text() for t in ax.texts)
    key = fig.axes[1].texts[0].get_text()
    assert "1. Biden–Putin video call (6 Dec – 8 Dec 2021)" in key and "3. UN Security Council meeting" in key
    labels = ax.xaxis.get_major_formatter().format_ticks(ax.get_xticks())
    assert any("2022" in label for label in labels)
    assert_fits_page(fig)


def test_event_timeline_crowded_events_switch_to_date_order():
    base = pd.Timestamp("2021-12-06")
    events = pd.DataFrame({"event_id": [f"E{i:02d}" for i in range(12)], "label": [f"event {i}" for i in range(12)],
                           "first_date": [base + pd.Timedelta(days=i % 2) for i in range(12)]})
    events["last_date"] = events["first_date"]
    coverage = pd.DataFrame({"event_id": events["event_id"], "outlet": "RT", "articles": 1})
    fig = F.event_timeline(events, coverage, max_events=10)
    ax = fig.axes[0]
    assert len(ax.get_xticks()) == 10
    assert "events in date order" in ax.get_xlabel()
    assert "(10 most covered of 12 events)" in fig._suptitle.get_text()


# ---------------------------------------------------------------------------- 4. aligned facts table

def test_aligned_facts_table_bolds_differing_words():
    fig = F.aligned_facts_table(alignments_frame())
    bold = [t.get_text() for t in fig.texts if t.get_fontweight() == "bold"]
    normal = [t.get_text() for t in fig.texts if t.get_fontweight() == "normal"]
    assert any("Kiev's" in b for b in bold) and any("Kyiv's" in b for b in bold)
    assert any("lean on" in b for b in bold) and any("press" in b for b in bold)
    assert any("his counterpart" in n for n in normal)
    # the identical pair (F2) is not a "different words" example; the others are sorted by similarity
    assert "0.99" not in texts(fig)
    assert [t for t in texts(fig) if t.startswith("0.")] == ["0.78", "0.64"]
    assert_fits_page(fig)
    width = fig.bbox.width
    assert all(0 <= t.get_window_extent().x0 and t.get_window_extent().x1 <= width for t in fig.texts)


def test_aligned_facts_table_uses_given_diff_spans_and_max_pairs():
    def only_first_word(a, b):
        return [(0, a.index(" "))], [(0, b.index(" "))]

    fig = F.aligned_facts_table(alignments_frame(), diff_spans=only_first_word, max_pairs=1)
    bold = [t.get_text() for t in fig.texts if t.get_fontweight() == "bold" and t.get_fontsize() == 7.5]
    # with these spans the near-identical pair (0.99) differs too, so it comes first; outlet names
    # are bold as well, and the only bold sentence text is each sentence's first word
    assert bold == ["RFE/RL", "Zelenskiy", "unattributed", "Zelenskiy"]
    assert [t for t in texts(fig) if t.startswith("0.")] == ["0.99"]


def test_aligned_facts_table_all_identical_raises():
    frame = alignments_frame().iloc[[1]]
    with pytest.raises(FramingError, match="same words"):
        F.aligned_facts_table(frame)


# ------------------------------------------------------------------------------ 5-7. dot plots

def test_topic_prevalence_plot_labels_and_order():
    prevalence, topics = prevalence_frames()
    fig = F.topic_prevalence_plot(prevalence, topics)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2: call, Biden", "1: Minsk, Donbass"]  # by mean share
    assert ax.get_xlim()[0] == 0 and "share" in ax.get_xlabel()
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["RFE/RL", "RT"]
    assert_fits_page(fig)
    labelled = F.topic_prevalence_plot(prevalence, topics.assign(label="Minsk talks"))
    assert [t.get_text() for t in labelled.axes[0].get_yticklabels()] == ["2: Minsk talks", "1: Minsk talks"]


def test_attribution_plot_two_panels():
    verbs, sources = attribution_frames()
    fig = F.attribution_plot(verbs, sources)
    ax_v, ax_s = fig.axes
    assert [t.get_text() for t in ax_v.get_yticklabels()] == ["say", "claim (doubt)", "tell"]
    assert [t.get_text() for t in ax_s.get_yticklabels()] == ["RFE/RL", "RT"]
    assert {"75%", "25%", "100%", "5 quotes", "3 quotes"} <= set(texts(fig))
    assert [t.get_text() for t in ax_s.get_legend().get_texts()] == ["official", "media"]
    assert_fits_page(fig)
    only_verbs = F.attribution_plot(verbs, sources.iloc[0:0])
    assert "No quoted sources found." in texts(only_verbs)


def test_tone_plot_hollow_points_for_small_samples():
    fig = F.tone_plot(tone_frame(), min_sentences=5)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Russia", "NATO"]  # most sentences first
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    hollow = [c for c in points if np.allclose(c.get_facecolor()[:, :3], 1.0)]
    assert sum(len(c.get_offsets()) for c in hollow) == 1  # RFE/RL on NATO: 2 sentences
    assert "fewer than 5 sentences" in [t.get_text() for t in fig.legends[0].get_texts()]
    assert ax.get_xlim()[0] < 0 < ax.get_xlim()[1]
    assert_fits_page(fig)


# --------------------------------------------------------------------------------- errors, style

@pytest.mark.parametrize("call", [
    lambda: F.term_choice_heatmap(term_choice_frame().iloc[0:0]),
    lambda: F.distinctive_terms_plot(pd.DataFrame(columns=["outlet", "term", "count", "z"])),
    lambda: F.event_timeline(events_frames()[0].iloc[0:0], events_frames()[1]),
    lambda: F.aligned_facts_table(alignments_frame().iloc[0:0]),
    lambda: F.topic_prevalence_plot(prevalence_frames()[0].iloc[0:0]),
    lambda: F.attribution_plot(None, None),
    lambda: F.tone_plot(tone_frame().iloc[0:0]),
])
def test_empty_inputs_raise_framing_error(call):
    with pytest.raises(FramingError, match="empty"):
        call()


def test_missing_columns_are_named():
    with pytest.raises(FramingError, match="missing column.*share"):
        F.term_choice_heatmap(term_choice_frame().drop(columns="share"))
    with pytest.raises(FramingError, match="DataFrame"):
        F.tone_plot([1, 2, 3])


def test_figures_leave_global_rcparams_alone():
    before = dict(matplotlib.rcParams)
    F.tone_plot(tone_frame())
    assert dict(matplotlib.rcParams) == before


def test_dollar_signs_are_not_mathtext():
    frame = tone_frame().assign(target=lambda d: d["target"].map({"NATO": "$2.5bn aid", "Russia": "$100m"}))
    fig = F.tone_plot(frame)
    fig.draw_without_rendering()  # would fail or garble if "$2.5bn aid ... $100m" were parsed as math
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == [r"\$100m", r"\$2.5bn aid"]


# ------------------------------------------------------------------------------------------ saving

def test_save_figure_writes_png_and_svg_byte_identically(tmp_path):
    first = F.save_figure(F.tone_plot(tone_frame()), tmp_path / "a" / "tone")
    second = F.save_figure(F.tone_plot(tone_frame()), tmp_path / "b" / "tone.png")
    assert [p.name for p in first] == ["tone.png", "tone.svg"] == [p.name for p in second]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes()
    png = first[0].read_bytes()
    assert png.startswith(b"\x89PNG") and b"Software" not in png
    svg = first[1].read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    assert not list(tmp_path.rglob("*.tmp"))


def test_make_all_figures_writes_fixed_names_and_reports_skips(tmp_path):
    (tmp_path / "term_choice.png").write_bytes(b"stale")
    events, coverage = events_frames()
    out = F.make_all_figures({"tone": tone_frame(), "events": events, "coverage": coverage,
                              "term_choice": term_choice_frame().iloc[0:0]}, tmp_path, formats=("png",))
    assert list(out) == list(F.FIGURE_NAMES)
    assert out["tone"] == [tmp_path / "tone.png"] and out["event_timeline"] == [tmp_path / "event_timeline.png"]
    assert out["term_choice"] == "no term_choice results"
    assert out["attribution"] == "no verbs or sources results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["event_timeline.png", "tone.png"]  # stale file gone
