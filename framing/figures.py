"""Figures: one function per figure, each taking analysis result tables and returning a matplotlib Figure.

The functions plot the tidy DataFrames the analyses return (never the corpus), so they work in a
notebook on any result (filtered, merged, hand-edited) as well as in ``python -m framing figures`` and
the report. Every figure

* is built with the object-oriented API on a plain :class:`matplotlib.figure.Figure` (no pyplot, no
  global state: the house style is applied with :func:`matplotlib.rc_context`, never by changing the
  user's ``rcParams``), so it works on any backend and is shown inline by Jupyter;
* fits an A4 page width (7 in) with constrained layout, wraps or shortens long names instead of
  clipping them, and uses DejaVu Sans (matplotlib's own font), which covers Cyrillic;
* stays readable in black-and-white print and for colour-blind readers: outlets get a colour from the
  Okabe–Ito palette *and* a marker shape (:func:`outlet_colors`, :func:`outlet_markers`), heatmaps use a
  sequential map with the numbers printed in the cells, and highlighted words are bold as well as tinted;
* raises :class:`~framing.errors.FramingError` (one sentence naming the argument) for an empty or
  malformed input table; :func:`make_all_figures` turns that into a "skipped" reason.

:func:`save_figure` writes PNG and SVG that are byte-identical from run to run (no dates, no software
versions, a fixed SVG id salt), so a regenerated ``figures/`` folder only changes when a result changes.
"""

from __future__ import annotations

import difflib
import functools
import math
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import ConnectionPatch, Patch, Rectangle

from .errors import FramingError
from .output import atomic_write

__all__ = [
    "OKABE_ITO",
    "FIGURE_NAMES",
    "outlet_colors",
    "outlet_markers",
    "term_choice_heatmap",
    "distinctive_terms_plot",
    "event_timeline",
    "aligned_facts_table",
    "topic_prevalence_plot",
    "attribution_plot",
    "tone_plot",
    "save_figure",
    "make_all_figures",
]

# ------------------------------------------------------------------------------------------- style

#: Okabe & Ito (2008) colour-blind-safe palette, ordered so the first outlets get the most distinct
#: hues; black comes late (it reads as "text"), yellow last (weak on white; markers get a dark edge).
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
# Filled markers only (hollow means "small sample" in the dot plots). 8 colours x 10 markers give
# 40 distinct (colour, marker) pairs before any outlet style repeats.
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "p")
# Source types in the attribution figure are not outlets: greys plus hatches, so they never look like one.
# Neighbours in the sequence differ strongly in lightness or pattern; "other" is plain white.
_SOURCE_GREYS = ("#d0d0d0", "#f0f0f0", "#7a7a7a", "#e0e0e0", "#474747", "#ffffff", "#a3a3a3", "#2e2e2e")
_SOURCE_HATCHES = ("", "///", "", "...", "", "xxx", "\\\\\\", "")
_HIGHLIGHT = "#F9D9A6"  # light orange: prints as light grey, bold carries the meaning in black and white
_BAND = "#f3f3f3"
_MUTED = "#6b6b6b"
PAGE_WIDTH = 7.0  # inches: A4 width minus margins

_STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#333333",
    "axes.linewidth": 0.8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "legend.fontsize": 8,
    "legend.frameon": False,
    "figure.titlesize": 10.5,
    "figure.titleweight": "bold",
    "figure.facecolor": "white",
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.facecolor": "white",
    "svg.hashsalt": "framing",  # fixed ids for clip paths and glyphs: byte-identical SVG
    "svg.fonttype": "path",     # glyphs as paths: the SVG looks the same without the font installed
    "path.simplify": True,
    "figure.autolayout": False,
    "figure.constrained_layout.use": False,
}

#: The figures :func:`make_all_figures` writes, in report order (file names are ``<name>.png/.svg``).
FIGURE_NAMES = ("term_choice", "distinctive_terms", "event_timeline", "aligned_facts", "topic_prevalence",
                "attribution", "tone")


class _DisplayFigure(Figure):
    """A matplotlib Figure that also shows itself in Jupyter when pyplot was never imported.

    IPython's inline display of figures is switched on by importing pyplot; these figures do not use
    pyplot (no global figure registry, no double display, nothing to close), so they offer IPython's
    rich-display hook themselves. Where IPython's own figure formatter is active it takes precedence.
    """

    def _repr_png_(self) -> bytes:
        import io

        buffer = io.BytesIO()
        with matplotlib.rc_context(_STYLE):
            self.savefig(buffer, format="png", dpi=110, facecolor="white")
        return buffer.getvalue()


def _styled(func):
    """Build the figure inside the house style, whatever the user's global rcParams say.

    Ticks are created lazily (normally at the first draw, outside the style), so they are created here;
    later ticks copy their properties from these."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(_STYLE):
            fig = func(*args, **kwargs)
            for ax in fig.axes:
                for axis in (ax.xaxis, ax.yaxis):
                    axis.get_major_ticks()
                    axis.get_minor_ticks()
        return fig

    return wrapper


def _esc(text) -> str:
    """Make a user string safe for matplotlib labels: a "$" must not switch on mathtext."""
    return str(text).replace("$", r"\$")


def _wrap(text, width: int, *, max_lines: int = 3) -> str:
    """Wrap ``text`` to ``width`` characters, at most ``max_lines`` lines (the last ends in "…")."""
    lines = textwrap.wrap(str(text), width=max(width, 4), break_long_words=True, break_on_hyphens=True)
    if not lines:
        return ""
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(width - 1, 1)].rstrip() + "…"
    return "\n".join(lines)


def _shorten(text, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: max(width - 1, 1)].rstrip() + "…"


def _sort_names(names: Iterable) -> list[str]:
    """Unique names in a deterministic order: case-insensitive, ties by the exact string."""
    return sorted({str(n) for n in names if n is not None and not (isinstance(n, float) and math.isnan(n))},
                  key=lambda s: (s.casefold(), s))


def _legend_ncols(labels: Sequence[str], width_in: float = PAGE_WIDTH) -> int:
    longest = max((len(s) for s in labels), default=1)
    column_in = 0.45 + 0.065 * longest  # marker + text at 8 pt
    return int(max(1, min(len(labels), width_in // column_in)))


def _check_frame(frame, name: str, columns: Sequence[str], producer: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise FramingError(f"{name}: expected a pandas DataFrame (as returned by {producer}), "
                           f"got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise FramingError(f"{name}: missing column(s) {', '.join(missing)}; pass the DataFrame returned "
                           f"by {producer}.")
    if frame.empty:
        raise FramingError(f"{name}: the table is empty, so there is nothing to plot; run {producer} on a "
                           "corpus where it finds something (see the analysis' notes on small corpora).")
    return frame


# ------------------------------------------------------------------------------------------ outlets

def outlet_colors(outlets: Iterable[str]) -> dict[str, str]:
    """A colour for each outlet from the Okabe–Ito colour-blind-safe palette.

    Outlets are sorted (case-insensitively) before colours are assigned, so the same set of outlets
    always gets the same colours, in every figure and every run. With more than eight outlets the
    colours repeat; :func:`outlet_markers` then tells the outlets apart (no colour-and-marker pair
    repeats below 40 outlets). Pass the *same* full list of outlets to every figure (their ``outlets=``
    option) to keep colours consistent when some figure lacks an outlet.

    Examples
    --------
    >>> outlet_colors(["RT", "Al Jazeera", "RFE/RL"])
    {'Al Jazeera': '#0072B2', 'RFE/RL': '#D55E00', 'RT': '#009E73'}
    """
    return {name: OKABE_ITO[i % len(OKABE_ITO)] for i, name in enumerate(_sort_names(outlets))}


def outlet_markers(outlets: Iterable[str]) -> dict[str, str]:
    """A matplotlib marker for each outlet (same order as :func:`outlet_colors`), for black-and-white
    print and for more outlets than colours.

    Examples
    --------
    >>> outlet_markers(["RT", "Al Jazeera", "RFE/RL"])
    {'Al Jazeera': 'o', 'RFE/RL': 's', 'RT': '^'}
    """
    return {name: _MARKERS[i % len(_MARKERS)] for i, name in enumerate(_sort_names(outlets))}


def _outlet_styles(present: Iterable[str], outlets: Iterable[str] | None):
    """(ordered outlets to show, colours, markers). ``outlets`` is the palette's full outlet list."""
    shown = _sort_names(present)
    palette_names = _sort_names(list(outlets) + shown) if outlets is not None else shown
    return shown, outlet_colors(palette_names), outlet_markers(palette_names)


def _outlet_handles(shown, colors, markers, *, line: bool = False):
    return [Line2D([], [], marker=markers[o], color=colors[o], markeredgecolor="#222222",
                   markeredgewidth=0.5, markersize=6, linestyle="-" if line else "", linewidth=1.0,
                   label=_esc(_shorten(o, 40))) for o in shown]


# ------------------------------------------------------------------------------ 1. term choice heatmap

@_styled
def term_choice_heatmap(term_choice: pd.DataFrame, *, concepts: Sequence[str] | None = None,
                        max_concepts: int | None = 20, show_unused: bool = False,
                        outlets: Sequence[str] | None = None, cmap: str = "Blues") -> Figure:
    """Heatmap of concept variants × outlets: each outlet's share of a concept's mentions per variant.

    Rows are the variants, grouped by concept (the concept is named in a bracketed column on the left,
    groups are separated by rules); each cell prints the share and, in brackets, the count, so the
    figure reads without colour. A cell shows "–" where the outlet never mentions the concept.

    Parameters
    ----------
    term_choice : DataFrame
        From :func:`framing.terms.term_choice`: ``concept, variant, outlet, count, share`` (other
        columns are ignored). ``share`` is the variant's share of the concept's mentions in the outlet.
    concepts : sequence of str, optional
        Concepts to show, in this order. Default: the most mentioned first.
    max_concepts : int or None
        Show at most this many concepts (the most mentioned; the title says how many were left out),
        so the figure fits a page. None shows all. Ignored when ``concepts`` is given.
    show_unused : bool
        Also show variants that no outlet uses (by default they are left out and counted in a note).
    outlets : sequence of str, optional
        The full outlet list used to order columns consistently with the other figures.
    cmap : str
        A sequential matplotlib colormap (light = small share).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    FramingError
        If the table is empty, lacks columns, or none of ``concepts`` is in it.

    Examples
    --------
    >>> import pandas as pd
    >>> tc = pd.DataFrame({"concept": ["Kyiv"] * 2, "variant": ["Kyiv", "Kiev"], "outlet": ["RT"] * 2,
    ...                    "count": [1, 5], "share": [1 / 6, 5 / 6]})
    >>> fig = term_choice_heatmap(tc)
    >>> sorted(t.get_text() for t in fig.axes[1].texts)
    ['17% (1)', '83% (5)']
    """
    frame = _check_frame(term_choice, "term_choice", ["concept", "variant", "outlet", "count", "share"],
                         "framing.terms.term_choice()")
    frame = frame[["concept", "variant", "outlet", "count", "share"]].copy()
    frame[["concept", "variant", "outlet"]] = frame[["concept", "variant", "outlet"]].astype(str)
    frame["count"] = pd.to_numeric(frame["count"], errors="coerce").fillna(0)
    totals = frame.groupby("concept")["count"].sum()
    n_concepts = int((totals > 0).sum())
    if concepts is not None:
        wanted = [str(c) for c in concepts]
        concept_order = [c for c in dict.fromkeys(wanted) if c in set(frame["concept"])]
        if not concept_order:
            raise FramingError(f"concepts={list(concepts)!r}: none of these concepts is in the term-choice "
                               "table; pick names from its 'concept' column.")
    else:
        concept_order = sorted(totals.index[totals > 0], key=lambda c: (-totals[c], c.casefold(), c))
        if not concept_order:
            raise FramingError("term_choice: no variant of any concept is mentioned (all counts are 0), so "
                               "there is nothing to plot.")
        if max_concepts is not None:
            concept_order = concept_order[:max_concepts]
    frame = frame[frame["concept"].isin(concept_order)]
    cells = frame.groupby(["concept", "variant", "outlet"], sort=False).agg(count=("count", "sum"),
                                                                          share=("share", "sum"))
    concept_totals = frame.groupby(["concept", "outlet"])["count"].sum()
    shown, _, _ = _outlet_styles(frame["outlet"], outlets)
    if outlets is not None:  # keep the palette order, show only outlets present
        shown = [o for o in _sort_names(list(outlets) + shown) if o in set(shown)]

    variant_totals = frame.groupby(["concept", "variant"])["count"].sum()
    rows: list[tuple[str, str]] = []  # (concept, variant)
    groups: list[tuple[str, int, int]] = []  # (concept, first row, last row)
    unused = 0
    for concept in concept_order:
        variants = variant_totals.loc[concept]
        ordered = sorted(variants.index, key=lambda v: (-variants[v], v.casefold(), v))
        if not show_unused:
            unused += sum(variants[v] <= 0 for v in ordered)
            ordered = [v for v in ordered if variants[v] > 0] or ordered[:1]
        groups.append((concept, len(rows), len(rows) + len(ordered) - 1))
        rows += [(concept, v) for v in ordered]

    n_rows, n_cols = len(rows), len(shown)
    share = np.full((n_rows, n_cols), np.nan)
    count = np.zeros((n_rows, n_cols), dtype=np.int64)
    for i, (concept, variant) in enumerate(rows):
        for j, outlet in enumerate(shown):
            if concept_totals.get((concept, outlet), 0) <= 0:
                continue  # the outlet never names the concept: no share (shown as "–")
            key = (concept, variant, outlet)
            if key in cells.index:
                share[i, j] = float(cells.at[key, "share"])
                count[i, j] = int(cells.at[key, "count"])
            else:
                share[i, j] = 0.0

    concept_in = 1.3
    label_chars = max((len(v) for _, v in rows), default=8)
    label_in = min(0.068 * min(label_chars, 28) + 0.15, 2.1)
    width = float(np.clip(concept_in + label_in + 0.4 + 1.05 * n_cols, 5.0, PAGE_WIDTH))
    col_in = (width - concept_in - label_in - 0.4) / max(n_cols, 1)
    two_lines = col_in < 0.72
    row_in = 0.34 if two_lines else 0.235
    wrap_at = max(int(col_in / 0.062), 6)
    slanted = n_cols > 6 and any(len(w) > wrap_at for o in shown for w in o.split())
    header_in = 0.35 + (0.06 * min(max(len(o) for o in shown), 30) * 0.64 if slanted else
                        0.15 * max(_wrap(o, wrap_at, max_lines=3).count("\n") + 1 for o in shown))
    height = 0.45 + header_in + row_in * n_rows + 0.75
    fig = _DisplayFigure(figsize=(width, height), layout="constrained")
    grid = fig.add_gridspec(1, 2, width_ratios=[concept_in, width - concept_in], wspace=0.0)
    ax_concepts = fig.add_subplot(grid[0])
    ax = fig.add_subplot(grid[1])
    colormap = matplotlib.colormaps[cmap].with_extremes(bad="white")
    image = ax.imshow(np.ma.masked_invalid(share), cmap=colormap, vmin=0.0, vmax=1.0, aspect="auto",
                      interpolation="nearest")
    font = 7 if two_lines else 7.5
    for i in range(n_rows):
        for j in range(n_cols):
            value = share[i, j]
            if np.isnan(value):
                ax.text(j, i, "–", ha="center", va="center", fontsize=font, color=_MUTED, in_layout=False)
                continue
            r, g, b, _ = colormap(value)
            dark = (0.2126 * r + 0.7152 * g + 0.0722 * b) < 0.5
            sep = "\n" if two_lines else " "
            ax.text(j, i, f"{value:.0%}{sep}({count[i, j]})", ha="center", va="center", fontsize=font,
                    color="white" if dark else "black", linespacing=1.0, in_layout=False)
    # (Cell texts stay inside their cells: in_layout=False spares the layout engine measuring them.)
    # White grid lines between cells; a dark rule between concepts.
    ax.set_xticks(np.arange(-0.5, n_cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, n_rows, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.2)
    ax.tick_params(which="minor", length=0)
    for _, first, _ in groups[1:]:
        ax.axhline(first - 0.5, color="#333333", linewidth=0.9)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.tick_params(axis="x", length=0)
    if not slanted:
        ax.set_xticks(range(n_cols), labels=[_esc(_wrap(o, wrap_at, max_lines=3)) for o in shown])
    else:  # narrow columns: slanted labels rather than names broken inside words
        ax.set_xticks(range(n_cols), labels=[_esc(_shorten(o, 30)) for o in shown], rotation=40,
                      ha="left", rotation_mode="anchor")
    ax.set_yticks(range(n_rows), labels=[_esc(_shorten(v, 28)) for _, v in rows])
    ax.tick_params(axis="y", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("outlet")

    # Concept column: the name beside its group of variants, with a bracket spanning the group.
    ax_concepts.set_xlim(0, 1)
    ax_concepts.set_ylim(n_rows - 0.5, -0.5)
    ax_concepts.set_axis_off()
    for concept, first, last in groups:
        lines = max(2, int((last - first + 1) * row_in / 0.14))
        ax_concepts.plot([0.96, 0.99, 0.99, 0.96], [first - 0.35, first - 0.35, last + 0.35, last + 0.35],
                         color="#555555", linewidth=0.8, solid_joinstyle="miter")
        ax_concepts.text(0.92, (first + last) / 2, _esc(_wrap(concept, 18, max_lines=min(lines, 3))),
                         ha="right", va="center", fontsize=7.5, fontweight="bold", linespacing=1.0)
    ax_concepts.set_title("concept", fontsize=8.5, fontweight="normal", loc="right")

    colorbar = fig.colorbar(image, ax=ax, location="bottom", shrink=0.6, aspect=35, pad=0.02)
    colorbar.set_label("share of the concept's mentions in the outlet (count in brackets)")
    colorbar.ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    colorbar.outline.set_visible(False)
    title = "Term choice: which variant each outlet uses for a concept"
    if concepts is None and len(concept_order) < n_concepts:
        # on a line of its own: one line is wider than a figure of eight outlets
        title += f"\n({len(concept_order)} most mentioned of {n_concepts} concepts)"
    fig.suptitle(title)
    if unused:
        fig.supxlabel(f"{unused} variant{'s' if unused != 1 else ''} that no outlet uses "
                      "not shown (show_unused=True shows them).", fontsize=6.5, color=_MUTED, x=0.01,
                      ha="left")
    return fig


# --------------------------------------------------------------------------- 2. distinctive terms

def _spread(positions: np.ndarray, gap: float, low: float, high: float) -> np.ndarray:
    """Move sorted label positions apart by at least ``gap`` with the least total squared shift,
    inside ``[low, high]`` when they fit (isotonic regression by pool-adjacent-violators)."""
    n = len(positions)
    if n == 0:
        return positions
    target = positions - gap * np.arange(n)  # y_i - i*gap must be non-decreasing
    blocks: list[list[float]] = []  # [sum, count]
    for value in target:
        blocks.append([value, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
    fitted = np.concatenate([[s / c] * c for s, c in blocks])
    out = fitted + gap * np.arange(n)
    if (n - 1) * gap <= high - low:
        out = np.maximum(out, low + gap * np.arange(n))
        out = np.minimum(out, high - gap * np.arange(n)[::-1])
    return out


@_styled
def distinctive_terms_plot(distinctive_terms: pd.DataFrame, *, outlet: str | Sequence[str] | None = None,
                           top: int = 15, outlets: Sequence[str] | None = None) -> Figure:
    """Distinctive terms per outlet in the style of Monroe, Colaresi & Quinn (2008).

    Each panel plots every term of one outlet: the z-score of its log-odds ratio (outlet against the
    rest, with an informative Dirichlet prior) against its frequency on a log axis. The ``top`` terms
    with the highest z are drawn in the outlet's colour and labelled in a column beside the panel, with
    leader lines; label positions are spread apart deterministically (isotonic regression), so labels
    never overlap. A dotted line marks z = 1.96.

    Parameters
    ----------
    distinctive_terms : DataFrame
        From :func:`framing.terms.distinctive_terms`: ``outlet, term, count, z`` (``log_odds`` and
        ``freq`` optional). The x axis is ``freq`` (the term's frequency in the outlet per 10,000 terms)
        when present, else ``count``.
    outlet : str or sequence of str, optional
        Show only this outlet (or these). Default: one panel per outlet (two columns from 3 outlets on).
    top : int
        How many terms to label per outlet.
    outlets : sequence of str, optional
        The full outlet list, for colours consistent with the other figures.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    FramingError
        If the table is empty, lacks columns, or ``outlet`` is not in it.

    Examples
    --------
    >>> import pandas as pd
    >>> dt = pd.DataFrame({"outlet": ["RT", "RT", "RT"], "term": ["kiev", "donbass", "said"],
    ...                    "count": [9, 4, 12], "log_odds": [1.9, 1.2, 0.0], "z": [3.1, 2.0, 0.1]})
    >>> fig = distinctive_terms_plot(dt, top=2)
    >>> sorted(t.get_text() for t in fig.axes[1].texts)
    ['donbass', 'kiev']
    """
    frame = _check_frame(distinctive_terms, "distinctive_terms", ["outlet", "term", "count", "z"],
                         "framing.terms.distinctive_terms()")
    if top < 1:
        raise FramingError(f"top={top}: label at least one term per outlet (top >= 1).")
    x_col = "freq" if "freq" in frame.columns else "count"
    frame = frame[["outlet", "term", x_col, "z"]].copy()
    frame["outlet"] = frame["outlet"].astype(str)
    frame["term"] = frame["term"].astype(str)
    frame = frame[np.isfinite(frame["z"].astype(float)) & (frame[x_col].astype(float) > 0)]
    shown, colors, markers = _outlet_styles(frame["outlet"], outlets)
    if outlet is not None:
        wanted = [outlet] if isinstance(outlet, str) else [str(o) for o in outlet]
        unknown = [o for o in wanted if o not in shown]
        if unknown:
            raise FramingError(f"outlet={unknown[0]!r}: not in the distinctive-terms table; choose one of "
                               f"{', '.join(shown)}.")
        shown = [o for o in shown if o in wanted]
    if not shown:
        raise FramingError("distinctive_terms: no term has a positive count and a finite z-score; "
                           "nothing to plot.")

    n = len(shown)
    ncols = 1 if n <= 2 else 2
    nrows = math.ceil(n / ncols)
    panel_h = 3.1 if ncols == 1 else 2.9
    fig = _DisplayFigure(figsize=(PAGE_WIDTH, 0.6 + panel_h * nrows), layout="constrained")
    ratios = [2.3, 1.25] if ncols == 1 else [1.55, 1.0]
    grid = fig.add_gridspec(nrows, 2 * ncols, width_ratios=ratios * ncols, wspace=0.0)
    label_chars = 30 if ncols == 1 else 19
    panels = []
    for k, name in enumerate(shown):
        r, c = divmod(k, ncols)
        ax = fig.add_subplot(grid[r, 2 * c])
        lab = fig.add_subplot(grid[r, 2 * c + 1])  # same y limits as ``ax`` (set below), not shared:
        # a shared axis makes every layout pass measure both axes' tick labels
        lab.set_axis_off()
        data = frame[frame["outlet"] == name]
        x = data[x_col].to_numpy(float)
        z = data["z"].to_numpy(float)
        order = np.lexsort((data["term"].to_numpy(), -z))
        top_idx = order[: min(top, len(order))]
        rest = np.setdiff1d(np.arange(len(data)), top_idx)
        ax.scatter(x[rest], z[rest], s=7, color="#9a9a9a", alpha=0.55, linewidths=0, zorder=2)
        ax.scatter(x[top_idx], z[top_idx], s=26, color=colors[name], marker=markers[name],
                   edgecolors="#222222", linewidths=0.5, zorder=3)
        ax.set_xscale("log")
        decades = math.log10(max(float(np.max(x)), 1.0) / max(float(np.min(x)), 1e-9)) if len(x) else 1.0
        # Plain numbers (1, 2, 5, 10 ...) instead of mathtext powers: clearer, and much faster to lay out.
        subs = (1.0, 2.0, 5.0) if decades < 1.2 else (1.0, 3.0) if decades < 2.4 else (1.0,)
        ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(10, subs=subs))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.10g}"))
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())  # major ticks suffice; halves drawing
        ax.axhline(1.96, color="#444444", linewidth=0.7, linestyle=":", zorder=1)
        ax.axhline(0.0, color="#bbbbbb", linewidth=0.6, zorder=1)
        ax.set_title(_esc(_shorten(name, 34 if ncols == 2 else 60)), loc="left")
        ax.set_xlabel("frequency per 10,000 terms (log scale)" if x_col == "freq"
                      else "count in outlet (log scale)")
        if c == 0:
            ax.set_ylabel("log-odds z-score")
        low, high = float(np.min(z)), float(np.max(z))
        pad = max(0.08 * (high - low), 0.3)
        ax.set_ylim(min(low - pad, -0.5), max(high + pad, 2.3))
        lab.set_ylim(ax.get_ylim())
        if len(x):
            xlo, xhi = float(np.min(x)), float(np.max(x))
            ax.set_xlim(xlo / 1.6, xhi * 1.6)
        ax.margins(x=0.05)
        panels.append((ax, lab, x[top_idx], z[top_idx], data["term"].to_numpy()[top_idx], name))

    # The minimum gap between labels is one text line. The panel's plot height is estimated from the
    # figure geometry (row height minus title, tick labels and axis label, slightly pessimistic)
    # rather than measured, which would cost a full extra layout pass.
    height_pt = ((fig.get_figheight() - 0.45) / nrows - 0.6) * 72.0
    for ax, lab, xs, zs, terms, name in panels:
        if not len(zs):
            continue
        y0, y1 = ax.get_ylim()
        fontsize = 7.5
        line_pt = fontsize * 1.3
        if len(zs) * line_pt > height_pt:  # too many labels for the panel: smaller type
            fontsize = max(5.5, height_pt / len(zs) / 1.3)
            line_pt = fontsize * 1.3
        gap = line_pt / height_pt * (y1 - y0)
        order = np.argsort(zs, kind="stable")
        placed = _spread(zs[order], gap, y0 + gap / 2, y1 - gap / 2)
        for rank, i in enumerate(order):
            y_label = placed[rank]
            lab.text(0.07, y_label, _esc(_shorten(terms[i], label_chars)), ha="left", va="center",
                     fontsize=fontsize, transform=lab.get_yaxis_transform(), clip_on=False)
            leader = ConnectionPatch(xyA=(xs[i], zs[i]), coordsA=ax.transData,
                                     xyB=(0.05, y_label), coordsB=lab.get_yaxis_transform(),
                                     color=colors[name], linewidth=0.5, alpha=0.8, zorder=1)
            leader.set_in_layout(False)
            fig.add_artist(leader)
    fig.suptitle("Distinctive terms per outlet (log-odds z against the other outlets)")
    return fig


# ------------------------------------------------------------------------------- 3. event timeline

class _DayMonthFormatter(matplotlib.ticker.Formatter):
    """Dates as "6 Dec", with the year under the first tick and wherever the year changes."""

    def __call__(self, x, pos=None):
        date = mdates.num2date(x)
        return f"{date.day} {date:%b %Y}"

    def format_ticks(self, values):
        labels, year = [], None
        for x in values:
            date = mdates.num2date(x)
            label = f"{date.day} {date:%b}"
            if date.year != year:
                label += f"\n{date.year}"
                year = date.year
            labels.append(label)
        return labels


@_styled
def event_timeline(events: pd.DataFrame, coverage: pd.DataFrame, *, size_by: str = "articles",
                   max_events: int = 30, outlets: Sequence[str] | None = None) -> Figure:
    """Events on a timeline: one row per outlet, one mark per event, sized by the outlet's coverage.

    Each event sits at the middle of its date range (first to last article). A filled mark shows that
    the outlet covered the event (area proportional to ``size_by``); a grey × marks a blind spot (the
    outlet has no article on it). Events that fall close together are put in separate lanes within a
    row so marks never overlap (when events crowd so much that more than three lanes would be needed,
    the events are instead spaced evenly in date order, each column labelled with its date). The top
    row numbers the events and shows their date range; a key below the plot gives each number's label.

    Parameters
    ----------
    events : DataFrame
        ``AlignmentResult.events``: ``event_id, label, first_date, last_date`` (``n_articles`` optional).
    coverage : DataFrame
        ``AlignmentResult.coverage``: ``event_id, outlet`` and the ``size_by`` column (zeros are blind
        spots; an (event, outlet) pair that is absent is a blind spot too).
    size_by : {"articles", "sentences"}
        Which coverage column sizes the marks.
    max_events : int
        Show at most this many events (the most covered; the title says how many were left out).
    outlets : sequence of str, optional
        The full outlet list, for colours and rows consistent with the other figures.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    FramingError
        If either table is empty or lacks columns.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"event_id": ["E1"], "label": ["Biden-Putin call"],
    ...                    "first_date": ["2021-12-06"], "last_date": ["2021-12-08"]})
    >>> cov = pd.DataFrame({"event_id": ["E1", "E1"], "outlet": ["RT", "Al Jazeera"],
    ...                     "articles": [1, 0]})
    >>> fig = event_timeline(ev, cov)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['events', 'Al Jazeera', 'RT']
    """
    _check_frame(events, "events", ["event_id", "label", "first_date", "last_date"],
                 "framing.align.align_events(corpus).events")
    _check_frame(coverage, "coverage", ["event_id", "outlet", size_by],
                 "framing.align.align_events(corpus).coverage")
    if size_by not in ("articles", "sentences"):
        raise FramingError(f"size_by={size_by!r}: choose 'articles' or 'sentences'.")
    ev = events.copy()
    ev["event_id"] = ev["event_id"].astype(str)
    ev["first"] = pd.to_datetime(ev["first_date"], errors="coerce")
    ev["last"] = pd.to_datetime(ev["last_date"], errors="coerce").fillna(ev["first"])
    ev["first"] = ev["first"].fillna(ev["last"])
    n_events = len(ev)
    ev = ev[ev["first"].notna()]
    if ev.empty:
        raise FramingError("events: no event has a first_date or last_date, so none can be placed on a "
                           "timeline; check that the corpus has article dates.")
    cov = coverage.copy()
    cov["event_id"] = cov["event_id"].astype(str)
    cov["outlet"] = cov["outlet"].astype(str)
    cov = cov.groupby(["event_id", "outlet"], as_index=False)[size_by].sum()
    totals = cov.groupby("event_id")[size_by].sum()
    ev["total"] = ev["event_id"].map(totals).fillna(0)
    n_all = len(ev)
    if n_all > max_events:
        ev = ev.sort_values(["total", "first", "event_id"], ascending=[False, True, True]).head(max_events)
    ev = ev.sort_values(["first", "last", "event_id"]).reset_index(drop=True)
    ev["number"] = np.arange(1, len(ev) + 1)
    start = mdates.date2num(ev["first"].dt.to_pydatetime())
    end = mdates.date2num(ev["last"].dt.to_pydatetime())
    mid = (start + end) / 2.0

    shown, colors, markers = _outlet_styles(cov["outlet"], outlets)
    if outlets is not None:
        shown = _sort_names(list(outlets) + shown)  # rows for every outlet: an absent one is all blind spots
        _, colors, markers = _outlet_styles(shown, outlets)
    value = cov.set_index(["event_id", "outlet"])[size_by]

    # Lanes: events closer in time than one mark width go to separate lanes of the same row. When
    # events crowd so much that more than three lanes are needed, the events are spaced evenly in date
    # order instead (the dates are printed under each column), which stays readable for any number.
    lo, hi = float(np.min(start)), float(np.max(end))
    span = max(hi - lo, 6.0)
    pad = 0.06 * span + 0.5
    xmin, xmax = lo - pad, hi + pad
    plot_in = PAGE_WIDTH - 1.9
    min_dx = 0.32 / plot_in * (xmax - xmin)
    lanes_end: list[float] = []
    lane = np.zeros(len(ev), dtype=int)
    for i, x in enumerate(mid):
        for k, last in enumerate(lanes_end):
            if x - last >= min_dx:
                lane[i] = k
                lanes_end[k] = x
                break
        else:
            lane[i] = len(lanes_end)
            lanes_end.append(x)
    ordinal = len(lanes_end) > 3
    if ordinal:
        lane[:] = 0
        xpos = np.arange(len(ev), dtype=float)
        xmin, xmax = -0.7, len(ev) - 0.3
        column_in = plot_in / (len(ev) + 0.4)
    else:
        xpos = mid
        column_in = 0.3
    n_lanes = int(lane.max()) + 1
    offsets = np.linspace(-0.28, 0.28, n_lanes) if n_lanes > 1 else np.zeros(1)
    row_in = 0.34 + 0.2 * n_lanes if not ordinal else 0.36
    max_diam_pt = min(row_in * 0.62 / n_lanes, column_in * 0.85, 0.3) * 72
    vmax = float(cov[size_by].max()) if len(cov) else 1.0
    vmax = vmax if vmax > 0 else 1.0

    def area(v):
        return np.maximum(max_diam_pt ** 2 * np.asarray(v, float) / vmax, min(14.0, max_diam_pt ** 2 / 2))

    # key: "n. label (dates)" in two columns when there are many events
    key_cols = 1 if len(ev) <= 8 else 2
    key_chars = 105 if key_cols == 1 else 50
    key_lines = []
    for row in ev.itertuples(index=False):
        when = f"{row.first.day} {row.first:%b %Y}"
        if row.last.normalize() != row.first.normalize():
            when = f"{row.first.day} {row.first:%b} – {row.last.day} {row.last:%b %Y}"
        label = str(row.label)
        if f"{row.first:%Y}" not in label and f"{row.last:%Y}" not in label:  # align_events labels carry dates
            label = f"{label} ({when})"
        key_lines.append(_wrap(f"{row.number}. {label}", key_chars, max_lines=2))
    per_col = math.ceil(len(key_lines) / key_cols)
    key_line_counts = [sum(t.count("\n") + 1 for t in key_lines[c * per_col:(c + 1) * per_col])
                       for c in range(key_cols)]
    key_in = 0.145 * max(key_line_counts) + 0.1
    n_rows = len(shown) + 1
    main_in = row_in * n_rows + (1.0 if ordinal else 0.6)
    fig = _DisplayFigure(figsize=(PAGE_WIDTH, main_in + key_in + 0.9), layout="constrained")
    grid = fig.add_gridspec(2, 1, height_ratios=[main_in, key_in])
    ax = fig.add_subplot(grid[0])
    key_ax = fig.add_subplot(grid[1])
    key_ax.set_axis_off()

    for r in range(1, n_rows, 2):
        ax.axhspan(r - 0.5, r + 0.5, color=_BAND, zorder=0, linewidth=0)
    ax.axhline(0.5, color="#888888", linewidth=0.6)
    covered_x, covered_y, covered_v, covered_c, blind_x, blind_y = [], [], [], [], [], []
    number_size = 7 if column_in >= 0.2 else 6
    for i, row in enumerate(ev.itertuples(index=False)):
        y = offsets[lane[i]]
        if not ordinal and end[i] > start[i]:
            ax.plot([start[i], end[i]], [y, y], color="#555555", linewidth=1.0, solid_capstyle="butt")
        ax.text(xpos[i], y, str(row.number), ha="center", va="center", fontsize=number_size, fontweight="bold",
                in_layout=False,
                bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="#555555", linewidth=0.6))
        ax.axvline(xpos[i], color="#cccccc", linewidth=0.5, zorder=0.5)
        for r, outlet in enumerate(shown, start=1):
            v = float(value.get((row.event_id, outlet), 0.0))
            if v > 0:
                covered_x.append(xpos[i])
                covered_y.append(r + y)
                covered_v.append(v)
                covered_c.append(colors[outlet])
            else:
                blind_x.append(xpos[i])
                blind_y.append(r + y)
    if covered_x:
        ax.scatter(covered_x, covered_y, s=area(covered_v), c=covered_c, marker="o", edgecolors="#222222",
                   linewidths=0.5, zorder=3)
    if blind_x:
        ax.scatter(blind_x, blind_y, s=min(22.0, max_diam_pt ** 2 / 2), color=_MUTED, marker="x",
                   linewidths=1.0, zorder=3)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.set_yticks(range(n_rows), labels=["events"] + [_esc(_wrap(o, 18, max_lines=2)) for o in shown])
    ax.get_yticklabels()[0].set_fontweight("bold")
    ax.tick_params(axis="y", length=0)
    if ordinal:
        labels, previous = [], None
        for row in ev.itertuples(index=False):
            day = f"{row.first.day} {row.first:%b %Y}"
            labels.append(day if day != previous else "")
            previous = day
        ax.set_xticks(xpos, labels=labels, rotation=90, fontsize=6.5 if column_in < 0.2 else 7.5)
        ax.set_xlabel("events in date order (first article's date under each column)")
    else:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=7))
        ax.xaxis.set_major_formatter(_DayMonthFormatter())
        ax.set_xlabel("date (middle of each event's articles; bars span first to last article)")
    ax.spines["left"].set_visible(False)

    sizes = sorted({1.0, float(round(vmax / 2)) if vmax >= 4 else 0.0, vmax} - {0.0})
    handles = [Line2D([], [], marker="o", linestyle="", markersize=math.sqrt(float(area(s))),
                      markerfacecolor="#bbbbbb", markeredgecolor="#222222", markeredgewidth=0.5,
                      label=f"{s:g} {size_by if s != 1 else size_by[:-1]}") for s in sizes]
    handles.append(Line2D([], [], marker="x", linestyle="", markersize=5, color=_MUTED,
                          label="blind spot (no article)"))
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=len(handles),
              borderaxespad=0.3, handletextpad=0.5, columnspacing=1.5,
              handlelength=max(1.5, math.sqrt(float(area(vmax))) / 8.0 + 0.3))  # room for the largest mark

    for c in range(key_cols):
        block = "\n".join(key_lines[c * per_col:(c + 1) * per_col])
        key_ax.text(c / key_cols, 1.0, _esc(block), ha="left", va="top", fontsize=7.5, linespacing=1.35,
                    transform=key_ax.transAxes)
    title = "Events: which outlet covered what, and when"
    if n_all > len(ev):
        dated = "dated " if n_all < n_events else ""
        title += f" ({len(ev)} most covered of {n_all:,} {dated}events)"
    fig.suptitle(title)
    return fig


# -------------------------------------------------------------------------- 4. aligned facts table

_MEASURE_DPI = 150  # the PNG resolution: hinted glyph advances there are what the reader sees


@functools.lru_cache(maxsize=1)
def _measuring_renderer():
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(100, 100, _MEASURE_DPI)


@functools.lru_cache(maxsize=8192)
def _text_width_pt(text: str, size: float, bold: bool) -> float:
    prop = FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")
    width, _, _ = _measuring_renderer().get_text_width_height_descent(text, prop, ismath=False)
    return width * 72.0 / _MEASURE_DPI


def _default_diff_spans(text_a: str, text_b: str):
    """Character spans of the word tokens that differ between two sentences (difflib on normalised
    tokens; punctuation is ignored)."""
    from .text import normalize_token, span_tokenize

    def tokens(text):
        out = []
        for s, e in span_tokenize(text):
            if any(ch.isalnum() for ch in text[s:e]):
                out.append((s, e, normalize_token(text[s:e])))
        return out

    ta, tb = tokens(text_a), tokens(text_b)
    matcher = difflib.SequenceMatcher(a=[t[2] for t in ta], b=[t[2] for t in tb], autojunk=False)
    spans_a, spans_b = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            spans_a += [(s, e) for s, e, _ in ta[i1:i2]]
            spans_b += [(s, e) for s, e, _ in tb[j1:j2]]
    return spans_a, spans_b


def _runs(text: str, spans) -> list[list[tuple[str, bool]]]:
    """Split ``text`` into whitespace-separated words, each a list of (piece, highlighted) runs."""
    marked = np.zeros(len(text), dtype=bool)
    for s, e in spans or ():
        marked[max(int(s), 0):max(int(e), 0)] = True
    words, pos = [], 0
    for piece in text.split():
        start = text.index(piece, pos)
        pos = start + len(piece)
        runs: list[tuple[str, bool]] = []
        for k, ch in enumerate(piece):
            flag = bool(marked[start + k])
            if runs and runs[-1][1] == flag:
                runs[-1] = (runs[-1][0] + ch, flag)
            else:
                runs.append((ch, flag))
        words.append(runs)
    return words


def _layout_rich(words, width_pt: float, size: float):
    """Greedy line breaking of run-words in ``width_pt``; returns lines of (x, piece, highlighted, w)."""
    space = _text_width_pt(" ", size, False)
    lines, line, x = [], [], 0.0
    for word in words:
        pieces = [(p, h, _text_width_pt(p, size, h)) for p, h in word]
        width = sum(w for _, _, w in pieces)
        if width > width_pt:  # a word wider than the column: cut it into characters that fit
            chars = [(ch, h, _text_width_pt(ch, size, h)) for p, h in word for ch in p]
            chunk, cw = [], 0.0
            for item in chars:
                if cw + item[2] > width_pt and chunk:
                    if line:
                        lines.append(line)
                    lines.append(_place(chunk))
                    line, x, chunk, cw = [], 0.0, [], 0.0
                chunk.append(item)
                cw += item[2]
            pieces, width = chunk, cw
        start = x + (space if line else 0.0)
        if line and start + width > width_pt:
            lines.append(line)
            line, start = [], 0.0
        for p, h, w in pieces:
            line.append((start, p, h, w))
            start += w
        x = start
    if line:
        lines.append(line)
    return lines


def _merge_runs(line, size: float):
    """Join neighbouring pieces of a line that share a style into one text (fewer artists, natural
    spacing and kerning inside each run) and re-measure the runs, so each starts where the previous
    one really ends (a bold space is wider than a regular one)."""
    groups: list[list] = []  # [text, marked, space_before]
    end = None
    for x_pt, piece, marked, w in line:
        spaced = end is not None and x_pt - end > 0.5
        if groups and groups[-1][1] == marked:
            groups[-1][0] += (" " if spaced else "") + piece
        else:
            groups.append([piece, marked, spaced])
        end = x_pt + w
    out, x = [], 0.0
    space = _text_width_pt(" ", size, False)
    for text, marked, spaced in groups:
        if spaced:
            x += space
        width = _text_width_pt(text, size, marked)
        out.append((x, text, marked, width))
        x += width
    return out


def _place(chars):
    out, x = [], 0.0
    for p, h, w in chars:
        out.append((x, p, h, w))
        x += w
    return out


def _normalise_spans(result):
    """Accept ``(spans_a, spans_b)`` or ``{"a": ..., "b": ...}`` from a ``diff_spans`` callable."""
    if isinstance(result, Mapping):
        return list(result.get("a", ())), list(result.get("b", ()))
    spans_a, spans_b = result
    return list(spans_a), list(spans_b)


@_styled
def aligned_facts_table(sentence_alignments: pd.DataFrame, *,
                        diff_spans: Callable[[str, str], tuple] | None = None, max_pairs: int = 6,
                        max_chars: int = 420, outlets: Sequence[str] | None = None) -> Figure:
    """"Same fact, different words": a compact table of aligned sentence pairs, differing words in bold.

    The print (PDF) version of the report's side-by-side view. Each row shows one sentence from each of
    two outlets that state the same fact, with the words that differ between them set in bold on a
    tinted background (bold alone carries the meaning in black-and-white print), and their similarity.
    Text wraps inside its column; nothing is clipped.

    Pairs are chosen deterministically: pairs whose sentences differ in at least one word, most similar
    first, one pair per fact before a second pair of the same fact (ties broken by fact and article
    ids). Filter ``sentence_alignments`` first to show one event.

    Parameters
    ----------
    sentence_alignments : DataFrame
        ``AlignmentResult.sentence_alignments``: ``fact_id, text_a, text_b, similarity, outlet_a,
        outlet_b`` (``article_a, sent_a, article_b, sent_b`` used for tie-breaking when present).
    diff_spans : callable, optional
        ``diff_spans(text_a, text_b) -> (spans_a, spans_b)``, lists of ``(start, end)`` character
        offsets of the differing tokens (:func:`framing.terms.diff_spans`). Default: a difflib
        comparison of normalised word tokens.
    max_pairs : int
        Number of pairs (rows) to show.
    max_chars : int
        Sentences longer than this are cut (at a word boundary) and end in "…".
    outlets : sequence of str, optional
        The full outlet list, for colours consistent with the other figures.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    FramingError
        If the table is empty or lacks columns.

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"fact_id": [1], "outlet_a": ["RFE/RL"], "outlet_b": ["RT"],
    ...                       "text_a": ["Biden called Zelenskiy in Kyiv."],
    ...                       "text_b": ["Biden called Zelensky in Kiev."], "similarity": [0.81]})
    >>> fig = aligned_facts_table(pairs)
    >>> sorted((t.get_text() for t in fig.texts if t.get_fontweight() == "bold" and t.get_fontsize() == 7.5),
    ...        key=str.casefold)
    ['Kiev', 'Kyiv', 'RFE/RL', 'RT', 'Zelenskiy', 'Zelensky']
    """
    frame = _check_frame(sentence_alignments, "sentence_alignments",
                         ["fact_id", "text_a", "text_b", "similarity", "outlet_a", "outlet_b"],
                         "framing.align.align_events(corpus).sentence_alignments")
    if max_pairs < 1:
        raise FramingError(f"max_pairs={max_pairs}: show at least one pair (max_pairs >= 1).")
    if diff_spans is not None and not callable(diff_spans):
        raise FramingError("diff_spans: expected a function (text_a, text_b) -> (spans_a, spans_b) such as "
                           f"framing.terms.diff_spans, got {type(diff_spans).__name__}.")
    differ = diff_spans or _default_diff_spans
    tie_cols = [c for c in ("fact_id", "article_a", "sent_a", "article_b", "sent_b") if c in frame.columns]
    ordered = frame.assign(_sim=frame["similarity"].astype(float).fillna(0.0))
    ordered = ordered.sort_values(["_sim"] + tie_cols, ascending=[False] + [True] * len(tie_cols),
                                  kind="stable")
    chosen, spare, seen_facts = [], [], set()
    for row in ordered.itertuples(index=False):
        text_a, text_b = str(row.text_a), str(row.text_b)
        spans_a, spans_b = _normalise_spans(differ(text_a, text_b))
        if not spans_a and not spans_b:
            continue  # identical wording: not a "different words" example
        item = (row, text_a, text_b, spans_a, spans_b)
        if row.fact_id in seen_facts:
            if len(spare) < max_pairs:
                spare.append(item)
            continue
        seen_facts.add(row.fact_id)
        chosen.append(item)
        if len(chosen) >= max_pairs:
            break
    chosen += spare[: max_pairs - len(chosen)]
    if not chosen:
        raise FramingError("sentence_alignments: every aligned pair uses the same words, so there is no "
                           "difference to show.")

    shown, colors, _ = _outlet_styles([r[0].outlet_a for r in chosen] + [r[0].outlet_b for r in chosen],
                                      outlets)
    size, line_pt, head_pt = 7.5, 7.5 * 1.32, 11.0
    margin, gap, sim_in = 0.12, 0.18, 0.62
    col_in = (PAGE_WIDTH - 2 * margin - sim_in - 2 * gap) / 2
    col_pt = col_in * 72

    def cut(text):
        if len(text) <= max_chars:
            return text
        return text[:max_chars].rsplit(" ", 1)[0].rstrip() + " …"

    rows = []
    for row, text_a, text_b, spans_a, spans_b in chosen:
        lines_a = _layout_rich(_runs(cut(text_a), spans_a), col_pt - 4, size)
        lines_b = _layout_rich(_runs(cut(text_b), spans_b), col_pt - 4, size)
        height_pt = head_pt + line_pt * max(len(lines_a), len(lines_b)) + 8
        rows.append((row, lines_a, lines_b, height_pt))
    title_pt, header_pt, foot_pt = 30.0, 16.0, 16.0
    total_pt = title_pt + header_pt + sum(r[3] for r in rows) + foot_pt
    fig = _DisplayFigure(figsize=(PAGE_WIDTH, total_pt / 72.0))
    inch = fig.dpi_scale_trans
    height_in = total_pt / 72.0
    fig.suptitle("Same fact, different words: aligned sentences", x=margin / PAGE_WIDTH, ha="left",
                 y=1 - 8 / total_pt, va="top")
    x_a, x_b = margin, margin + col_in + gap
    x_sim = x_b + col_in + gap
    y = height_in - title_pt / 72.0

    def put(x, y_in, text, **kw):
        kw.setdefault("fontsize", size)
        return fig.text(x, y_in, text, transform=inch, parse_math=False, **kw)

    for x, label in ((x_a, "one outlet"), (x_b, "another outlet"), (x_sim, "similarity")):
        put(x, y - 3 / 72, label, fontweight="bold", va="top", color="#333333", fontsize=8)
    y -= header_pt / 72.0
    fig.add_artist(Line2D([margin, PAGE_WIDTH - margin], [y + 2 / 72] * 2, transform=inch,
                          color="#333333", linewidth=0.8))
    for k, (row, lines_a, lines_b, height_pt) in enumerate(rows):
        top = y
        if k % 2:
            fig.add_artist(Rectangle((margin - 0.04, top - height_pt / 72), PAGE_WIDTH - 2 * margin + 0.08,
                                     height_pt / 72, transform=inch, facecolor=_BAND, edgecolor="none",
                                     zorder=0))
        for x, outlet, lines in ((x_a, str(row.outlet_a), lines_a), (x_b, str(row.outlet_b), lines_b)):
            fig.add_artist(Rectangle((x, top - 9.5 / 72), 6 / 72, 6 / 72, transform=inch,
                                     facecolor=colors[outlet], edgecolor="#222222", linewidth=0.4))
            put(x + 10 / 72, top - 4 / 72, _shorten(outlet, 44), fontweight="bold", va="top", fontsize=7.5)
            baseline = top - head_pt / 72 - size / 72
            for line in lines:
                for x_pt, piece, marked, w in _merge_runs(line, size):
                    if marked:  # one tint behind the whole run of differing words
                        fig.add_artist(Rectangle((x + (x_pt - 0.8) / 72, baseline - 2.4 / 72), (w + 1.6) / 72,
                                                 (size + 2.2) / 72, transform=inch, facecolor=_HIGHLIGHT,
                                                 edgecolor="none", zorder=1))
                    put(x + x_pt / 72, baseline, piece, va="baseline", ha="left",
                        fontweight="bold" if marked else "normal", zorder=2)
                baseline -= line_pt / 72
        put(x_sim, top - 4 / 72, f"{float(row.similarity):.2f}", va="top", fontsize=8)
        put(x_sim, top - 16 / 72, _shorten(f"fact {row.fact_id}", 14), va="top", fontsize=6.5, color=_MUTED)
        y = top - height_pt / 72
    fig.add_artist(Line2D([margin, PAGE_WIDTH - margin], [y, y], transform=inch, color="#333333",
                          linewidth=0.8))
    put(margin, y - 4 / 72, "Bold, tinted words differ between the two sentences; similarity is the "
        "alignment score (1 = same wording).", va="top", fontsize=6.5, color=_MUTED)
    return fig


# --------------------------------------------------------------------- dot-and-whisker (5 and 7)

def _dot_whisker(ax, data: pd.DataFrame, *, category: str, value: str, low: str | None, high: str | None,
                 categories: Sequence, labels: Sequence[str], shown, colors, markers, hollow=None):
    """Categories as rows (first on top), one dodged point per outlet with a horizontal interval."""
    n = len(shown)
    step = min(0.8 / max(n, 1), 0.22)
    position = {c: i for i, c in enumerate(categories)}
    for r in range(1, len(categories), 2):
        ax.axhspan(r - 0.5, r + 0.5, color=_BAND, zorder=0, linewidth=0)
    for k, outlet in enumerate(shown):
        sub = data[(data["outlet"] == outlet) & data[category].isin(position)]
        if sub.empty:
            continue
        y = sub[category].map(position).to_numpy(float) + (k - (n - 1) / 2) * step
        x = sub[value].to_numpy(float)
        if low is not None and high is not None:
            lo = np.nan_to_num(x - sub[low].to_numpy(float), nan=0.0).clip(min=0)
            hi = np.nan_to_num(sub[high].to_numpy(float) - x, nan=0.0).clip(min=0)
            ax.errorbar(x, y, xerr=[lo, hi], fmt="none", ecolor=colors[outlet], elinewidth=1.1, capsize=1.8,
                        capthick=0.9, zorder=2)
        small = np.zeros(len(sub), dtype=bool) if hollow is None else hollow(sub).to_numpy(bool)
        common = dict(marker=markers[outlet], s=30, linewidths=0.6, zorder=3)
        if (~small).any():
            ax.scatter(x[~small], y[~small], color=colors[outlet], edgecolors="#222222", **common)
        if small.any():
            ax.scatter(x[small], y[small], facecolors="white", edgecolors=colors[outlet],
                       **{**common, "linewidths": 1.2})
    ax.set_yticks(range(len(categories)), labels=[_esc(s) for s in labels])
    ax.set_ylim(len(categories) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def _dot_height(n_categories: int, n_outlets: int, label_lines: int = 1) -> float:
    per_row = max(0.16 + 0.075 * n_outlets, 0.17 * label_lines + 0.08)
    return float(np.clip(1.3 + per_row * n_categories, 2.4, 11.0))


# ---------------------------------------------------------------------------- 5. topic prevalence

@_styled
def topic_prevalence_plot(prevalence: pd.DataFrame, topics: pd.DataFrame | None = None, *, top_terms: int = 4,
                          outlets: Sequence[str] | None = None) -> Figure:
    """Topic prevalence per outlet with confidence intervals (a dot-and-whisker plot).

    One row per topic, labelled with the topic's label (or its ``top_terms`` highest-ranked terms),
    ordered by mean prevalence across outlets; one point per outlet with its interval.

    Parameters
    ----------
    prevalence : DataFrame
        ``TopicModel.prevalence``: ``outlet, topic, share, ci_low, ci_high``.
    topics : DataFrame, optional
        ``TopicModel.topics``: ``topic, rank, term`` and optionally ``label``; used for row labels.
    top_terms : int
        Terms per row label when ``topics`` has no ``label`` column.
    outlets : sequence of str, optional
        The full outlet list, for colours consistent with the other figures.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    FramingError
        If ``prevalence`` is empty or lacks columns.

    Examples
    --------
    >>> import pandas as pd
    >>> prev = pd.DataFrame({"outlet": ["RT", "RT"], "topic": [0, 1], "share": [0.7, 0.3],
    ...                      "ci_low": [0.5, 0.1], "ci_high": [0.9, 0.5]})
    >>> tops = pd.DataFrame({"topic": [0, 1], "rank": [1, 1], "term": ["nato", "gas"]})
    >>> fig = topic_prevalence_plot(prev, tops)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['0: nato', '1: gas']
    """
    frame = _check_frame(prevalence, "prevalence", ["outlet", "topic", "share", "ci_low", "ci_high"],
                         "framing.topics.fit_topics(corpus).prevalence")
    frame = frame.copy()
    frame["outlet"] = frame["outlet"].astype(str)
    labels: dict = {}
    if topics is not None and isinstance(topics, pd.DataFrame) and len(topics) and "topic" in topics.columns:
        if "label" in topics.columns:
            for topic, label in topics.dropna(subset=["label"]).groupby("topic", sort=False)["label"].first().items():
                if str(label).strip():
                    labels[topic] = str(label).strip()
        if "term" in topics.columns:
            ranked = topics.sort_values(["topic", "rank"] if "rank" in topics.columns else ["topic"],
                                        kind="stable")
            for topic, terms in ranked.groupby("topic", sort=False)["term"]:
                labels.setdefault(topic, ", ".join(map(str, terms.head(top_terms))))
    mean_share = frame.groupby("topic")["share"].mean()
    categories = sorted(mean_share.index, key=lambda t: (-mean_share[t], str(t)))
    text = []
    for topic in categories:
        label = labels.get(topic)
        prefix = str(topic)
        if label and not label.startswith(prefix):
            label = f"{prefix}: {label}"
        text.append(_wrap(label or f"topic {topic}", 34, max_lines=2))
    shown, colors, markers = _outlet_styles(frame["outlet"], outlets)
    lines = max(t.count("\n") + 1 for t in text)
    fig = _DisplayFigure(figsize=(PAGE_WIDTH, _dot_height(len(categories), len(shown), lines) + 0.3),
                 layout="constrained")
    ax = fig.add_subplot()
    _dot_whisker(ax, frame, category="topic", value="share", low="ci_low", high="ci_high",
                 categories=categories, labels=text, shown=shown, colors=colors, markers=markers)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlim(left=0)
    ax.set_xlabel("share of the outlet's text in the topic (with confidence interval)")
    ax.set_ylabel("topic")
    handles = _outlet_handles(shown, colors, markers, line=True)
    fig.legend(handles=handles, loc="outside lower center", ncols=_legend_ncols([h.get_label() for h in handles]))
    fig.suptitle("Topic prevalence per outlet")
    return fig


# ------------------------------------------------------------------------------- 6. attribution

@_styled
def attribution_plot(verbs: pd.DataFrame | None, sources: pd.DataFrame | None, *, top_verbs: int = 12,
                     top_sources: int = 8, outlets: Sequence[str] | None = None) -> Figure:
    """Attribution per outlet: which reporting verbs introduce quotes, and whose words are quoted.

    Top panel: the ``top_verbs`` most used reporting verbs (lemmas; a loaded connotation and the
    category, such as "distancing" or "denial", in brackets), rate per
    10,000 words for each outlet (a point at 0 means the outlet never uses the verb). Bottom panel: each
    outlet's quoted text split by source type (100 % bars, shares printed on the bars; greys and hatches
    so source types never look like outlets). Either table may be empty (that panel then says so), not both.

    Parameters
    ----------
    verbs : DataFrame or None
        ``Attribution.verbs``: ``outlet, verb, count, per_10k_words`` (``connotation``, ``category``
        optional; forms of one verb are added up).
    sources : DataFrame or None
        ``Attribution.sources``: ``outlet, source_type, quotes`` and ``share_of_quoted`` (or
        ``quoted_chars``, from which shares are computed).
    top_verbs : int
        Number of verbs in the top panel (the most used across outlets).
    top_sources : int
        Number of source-type segments; rarer types are merged into "other".
    outlets : sequence of str, optional
        The full outlet list, for colours consistent with the other figures.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    FramingError
        If both tables are empty, or a table lacks columns.

    Examples
    --------
    >>> import pandas as pd
    >>> verbs = pd.DataFrame({"outlet": ["RT", "RT"], "verb": ["say", "claim"], "count": [5, 2],
    ...                       "per_10k_words": [50.0, 20.0], "connotation": ["neutral", "doubt"]})
    >>> sources = pd.DataFrame({"outlet": ["RT"], "source_type": ["official"], "quotes": [4],
    ...                         "share_of_quoted": [1.0]})
    >>> fig = attribution_plot(verbs, sources)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['say', 'claim (doubt)']
    """
    has_verbs = isinstance(verbs, pd.DataFrame) and len(verbs) > 0
    has_sources = isinstance(sources, pd.DataFrame) and len(sources) > 0
    if not has_verbs and not has_sources:
        raise FramingError("verbs, sources: both attribution tables are empty (no quotes found), so there "
                           "is nothing to plot; run framing.attribution on a corpus with quoted speech.")
    if has_verbs:
        _check_frame(verbs, "verbs", ["outlet", "verb", "count", "per_10k_words"],
                     "framing.attribution.attribution(corpus).verbs")
    if has_sources:
        _check_frame(sources, "sources", ["outlet", "source_type", "quotes"],
                     "framing.attribution.attribution(corpus).sources")
        if "share_of_quoted" not in sources.columns and "quoted_chars" not in sources.columns:
            raise FramingError("sources: needs a share_of_quoted or quoted_chars column; pass the "
                               "DataFrame returned by framing.attribution.attribution(corpus).sources.")
    present = (list(verbs["outlet"].astype(str)) if has_verbs else []) + \
        (list(sources["outlet"].astype(str)) if has_sources else [])
    shown, colors, markers = _outlet_styles(present, outlets)

    verb_rows, verb_labels = [], []
    if has_verbs:
        vf = verbs.copy()
        vf["outlet"] = vf["outlet"].astype(str)
        vf["verb"] = vf["verb"].astype(str)
        if "connotation" not in vf.columns:
            vf["connotation"] = ""
        agg = vf.groupby(["outlet", "verb"], as_index=False).agg(count=("count", "sum"),
                                                                 per_10k_words=("per_10k_words", "sum"))
        totals = agg.groupby("verb")["count"].sum()
        verb_rows = sorted(totals.index, key=lambda v: (-totals[v], v.casefold(), v))[:top_verbs]
        notes = {}
        for column in ("connotation", "category"):  # "claim (loaded, distancing)"; plain "say" when neutral
            if column in vf.columns:
                notes[column] = vf.groupby("verb")[column].first().fillna("").astype(str).str.strip()
        verb_labels = []
        for v in verb_rows:
            parts = list(dict.fromkeys(n[v] for n in notes.values() if n[v] and n[v].lower() != "neutral"))
            verb_labels.append(f"{_shorten(v, 24)} ({', '.join(parts)})" if parts else _shorten(v, 24))
        verb_outlets = [o for o in shown if o in set(agg["outlet"])]
        grid_index = pd.MultiIndex.from_product([verb_outlets, verb_rows], names=["outlet", "verb"])
        agg = agg.set_index(["outlet", "verb"]).reindex(grid_index, fill_value=0).reset_index()
    source_types: list[str] = []
    if has_sources:
        sf = sources.copy()
        sf["outlet"] = sf["outlet"].astype(str)
        sf["source_type"] = sf["source_type"].astype(str)
        if "share_of_quoted" not in sf.columns:
            chars = sf.groupby("outlet")["quoted_chars"].transform("sum")
            sf["share_of_quoted"] = np.where(chars > 0, sf["quoted_chars"] / chars.where(chars > 0, 1), 0.0)
        sf = sf.groupby(["outlet", "source_type"], as_index=False).agg(
            quotes=("quotes", "sum"), share_of_quoted=("share_of_quoted", "sum"))
        weight = sf.groupby("source_type")["share_of_quoted"].sum()
        source_types = sorted(weight.index, key=lambda s: (-weight[s], s.casefold(), s))
        if len(source_types) > top_sources:  # the rarest types join "other", so the bars stay readable
            kept = [t for t in source_types if t != "other"][: max(top_sources - 1, 1)]
            sf["source_type"] = sf["source_type"].where(sf["source_type"].isin(kept), "other")
            sf = sf.groupby(["outlet", "source_type"], as_index=False).agg(
                quotes=("quotes", "sum"), share_of_quoted=("share_of_quoted", "sum"))
            source_types = kept + ["other"]
        source_outlets = [o for o in shown if o in set(sf["outlet"])]

    top_in = _dot_height(max(len(verb_rows), 1), len(shown)) - 0.9 if has_verbs else 0.8
    bottom_in = 0.9 + 0.34 * (len(source_outlets) if has_sources else 1) + 0.2 * math.ceil(
        max(len(source_types), 1) / 4)
    fig = _DisplayFigure(figsize=(PAGE_WIDTH, top_in + bottom_in + 1.1), layout="constrained")
    grid = fig.add_gridspec(2, 1, height_ratios=[top_in, bottom_in])
    ax_v = fig.add_subplot(grid[0])
    ax_s = fig.add_subplot(grid[1])

    if has_verbs:
        _dot_whisker(ax_v, agg, category="verb", value="per_10k_words", low=None, high=None,
                     categories=verb_rows, labels=verb_labels, shown=verb_outlets, colors=colors,
                     markers=markers)
        ax_v.set_xlim(left=-0.015 * max(float(agg["per_10k_words"].max()), 1e-9))  # whole markers at 0
        ax_v.set_xlabel("uses per 10,000 words")
        handles = _outlet_handles(verb_outlets, colors, markers)
        ax_v.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0),
                    ncols=_legend_ncols([h.get_label() for h in handles], PAGE_WIDTH - 1.5),
                    borderaxespad=0.2)
    else:
        ax_v.set_axis_off()
        ax_v.text(0.5, 0.5, "No reporting verbs found.", ha="center", va="center", color=_MUTED,
                  transform=ax_v.transAxes)
    verb_legend_rows = math.ceil(len(verb_outlets) / _legend_ncols([_shorten(o, 40) for o in verb_outlets],
                                                                    PAGE_WIDTH - 1.5)) if has_verbs else 0
    ax_v.set_title("Reporting verbs", loc="left", pad=6 + 15 * verb_legend_rows)
    ax_v.set_ylabel("verb")

    if has_sources:
        fills = {s: _SOURCE_GREYS[i % len(_SOURCE_GREYS)] for i, s in enumerate(source_types)}
        hatches = {s: _SOURCE_HATCHES[(i + i // len(_SOURCE_GREYS)) % len(_SOURCE_HATCHES)]
                   for i, s in enumerate(source_types)}
        if "other" in fills:
            fills["other"], hatches["other"] = "#ffffff", ""
        table = sf.set_index(["outlet", "source_type"])["share_of_quoted"]
        quotes = sf.groupby("outlet")["quotes"].sum()
        for r, outlet in enumerate(source_outlets):
            left = 0.0
            for s in source_types:
                v = float(table.get((outlet, s), 0.0))
                if v <= 0:
                    continue
                ax_s.barh(r, v, left=left, height=0.62, color=fills[s], hatch=hatches[s], edgecolor="#333333",
                          linewidth=0.5)
                if v >= 0.07:
                    r_, g_, b_ = matplotlib.colors.to_rgb(fills[s])
                    dark = (0.2126 * r_ + 0.7152 * g_ + 0.0722 * b_) < 0.5
                    ax_s.text(left + v / 2, r, f"{v:.0%}", ha="center", va="center", fontsize=7,
                              color="white" if dark else "black", in_layout=False,
                              bbox=None if dark or not hatches[s] else dict(boxstyle="square,pad=0.1",
                                                                             facecolor=fills[s],
                                                                             edgecolor="none"))
                left += v
            ax_s.text(1.01, r, f"{int(quotes.get(outlet, 0))} quotes", ha="left", va="center", fontsize=7,
                      color=_MUTED, transform=ax_s.get_yaxis_transform())
        ax_s.set_yticks(range(len(source_outlets)),
                        labels=[_esc(_wrap(o, 22, max_lines=2)) for o in source_outlets])
        ax_s.set_ylim(len(source_outlets) - 0.5, -0.5)
        ax_s.set_xlim(0, 1)
        ax_s.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        ax_s.tick_params(axis="y", length=0)
        ax_s.set_xlabel("share of the outlet's quoted text")
        handles = [Patch(facecolor=fills[s], hatch=hatches[s], edgecolor="#333333", linewidth=0.5,
                         label=_esc(_shorten(s, 30))) for s in source_types]
        ax_s.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0),
                    ncols=_legend_ncols([h.get_label() for h in handles], PAGE_WIDTH - 1.5),
                    handlelength=1.6, borderaxespad=0.2)
    else:
        ax_s.set_axis_off()
        ax_s.text(0.5, 0.5, "No quoted sources found.", ha="center", va="center", color=_MUTED,
                  transform=ax_s.transAxes)
    ax_s.set_title("Quoted sources by type", loc="left",
                   pad=6 + 13 * math.ceil(len(source_types) / _legend_ncols(source_types, PAGE_WIDTH - 1.5))
                   if has_sources else 6)
    ax_s.set_ylabel("outlet")
    fig.suptitle("Attribution: how outlets report what others say")
    return fig


# -------------------------------------------------------------------------------------- 7. tone

@_styled
def tone_plot(tone: pd.DataFrame, *, min_sentences: int = 5, outlets: Sequence[str] | None = None) -> Figure:
    """Tone per outlet toward each target: mean sentence sentiment with its confidence interval.

    One row per target (most discussed first; the overall tone, target ``"all"``, on top), one point per
    outlet. Hollow points rest on fewer than ``min_sentences`` sentences: read them with care; points
    without an interval had too few sentences for one.

    Parameters
    ----------
    tone : DataFrame
        From :func:`framing.lexical.tone`: ``outlet, target, sentences, mean_compound, ci_low, ci_high``.
    min_sentences : int
        Points based on fewer sentences are drawn hollow.
    outlets : sequence of str, optional
        The full outlet list, for colours consistent with the other figures.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    FramingError
        If the table is empty or lacks columns.

    Examples
    --------
    >>> import pandas as pd
    >>> tone_df = pd.DataFrame({"outlet": ["RT", "RFE/RL"], "target": ["NATO", "NATO"],
    ...                         "sentences": [6, 2], "mean_compound": [-0.3, 0.1],
    ...                         "ci_low": [-0.5, -0.4], "ci_high": [-0.1, 0.6]})
    >>> fig = tone_plot(tone_df)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['NATO']
    """
    frame = _check_frame(tone, "tone", ["outlet", "target", "sentences", "mean_compound", "ci_low", "ci_high"],
                         "framing.lexical.tone(corpus)")
    frame = frame.copy()
    frame["outlet"] = frame["outlet"].astype(str)
    frame["target"] = frame["target"].astype(str)
    weight = frame.groupby("target")["sentences"].sum()
    # tone() puts the outlet's overall tone in the target "all": it goes first, set apart by a rule.
    categories = sorted(weight.index, key=lambda t: (t != "all", -weight[t], t.casefold(), t))
    labels = ["all sentences" if t == "all" else _wrap(t, 26, max_lines=2) for t in categories]
    shown, colors, markers = _outlet_styles(frame["outlet"], outlets)
    lines = max(t.count("\n") + 1 for t in labels)
    fig = _DisplayFigure(figsize=(PAGE_WIDTH, _dot_height(len(categories), len(shown), lines) + 0.3),
                 layout="constrained")
    ax = fig.add_subplot()
    ax.axvline(0.0, color="#444444", linewidth=0.8, zorder=1)
    _dot_whisker(ax, frame, category="target", value="mean_compound", low="ci_low", high="ci_high",
                 categories=categories, labels=labels, shown=shown, colors=colors, markers=markers,
                 hollow=lambda sub: sub["sentences"] < min_sentences)
    values = frame[["mean_compound", "ci_low", "ci_high"]].to_numpy(float)
    finite = values[np.isfinite(values)]
    reach = max(float(np.max(np.abs(finite))) if finite.size else 0.5, 0.25)
    reach = min(1.0, reach * 1.1)
    ax.set_xlim(-reach, reach)
    if categories[0] == "all" and len(categories) > 1:
        ax.axhline(0.5, color="#444444", linewidth=0.8)
    ax.set_xlabel("mean sentiment of sentences naming the target (−1 negative … +1 positive)")
    ax.set_ylabel("target")
    handles = _outlet_handles(shown, colors, markers, line=True)
    handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="#444444",
                          markeredgewidth=1.2, markersize=6, label=f"fewer than {min_sentences} sentences"))
    fig.legend(handles=handles, loc="outside lower center",
               ncols=_legend_ncols([h.get_label() for h in handles]))
    fig.suptitle("Tone toward each target, per outlet")
    return fig


# ------------------------------------------------------------------------------------------ saving

def save_figure(fig: Figure, path_stem, *, dpi: int = 150, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write ``fig`` as ``<path_stem>.png`` and ``<path_stem>.svg``, atomically and reproducibly.

    The files carry no creation date or software version and the SVG uses a fixed id salt, so saving
    the same figure twice gives byte-identical files. Each file is written to a temporary name and
    moved into place, so a crash never leaves half an image.

    Parameters
    ----------
    fig : Figure
    path_stem : path
        File name without extension (an extension, if given, is replaced).
    dpi : int
        Resolution of the PNG.
    formats : sequence of {"png", "svg", "pdf"}

    Returns
    -------
    list of Path
        The files written, in ``formats`` order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(); _ = fig.add_subplot().plot([1, 2])
    >>> [p.name for p in save_figure(fig, pathlib.Path(tempfile.mkdtemp()) / "line")]
    ['line.png', 'line.svg']
    """
    stem = Path(path_stem)
    if stem.suffix.lower() in (".png", ".svg", ".pdf"):
        stem = stem.with_suffix("")
    metadata = {"png": {"Software": None},
                "svg": {"Date": None, "Creator": None},
                "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}}
    written = []
    engine = fig.get_layout_engine()
    original_dpi = fig.dpi
    with matplotlib.rc_context(_STYLE):
        try:
            if engine is not None:
                # Lay the figure out once, at the output resolution, then save every format with that
                # layout: savefig would otherwise run a full extra drawing pass per file to lay it out.
                fig.dpi = dpi
                engine.execute(fig)
                fig.set_layout_engine(None)  # None, not "none": no pre-draw pass either
            for fmt in formats:
                fmt = fmt.lower()
                if fmt not in metadata:
                    raise FramingError(f"formats={list(formats)!r}: {fmt!r} is not supported; use png, svg "
                                       "or pdf.")
                path = stem.with_name(f"{stem.name}.{fmt}")
                with atomic_write(path, "wb") as fh:
                    fig.savefig(fh, format=fmt, dpi=dpi, metadata=metadata[fmt], facecolor="white")
                written.append(path)
        finally:
            fig.dpi = original_dpi
            if engine is not None and fig.get_layout_engine() is not engine:
                fig.set_layout_engine(engine)
    return written


#: Which ``results`` keys each figure needs (all required, except where a figure says otherwise).
_FIGURE_INPUTS = {
    "term_choice": ("term_choice",),
    "distinctive_terms": ("distinctive_terms",),
    "event_timeline": ("events", "coverage"),
    "aligned_facts": ("sentence_alignments",),
    "topic_prevalence": ("prevalence",),
    "attribution": ("verbs", "sources"),
    "tone": ("tone",),
}


def make_all_figures(results: Mapping[str, object], outdir, *, outlets: Sequence[str] | None = None,
                     formats: Sequence[str] = ("png", "svg")) -> dict[str, list[Path] | str]:
    """Draw and save every figure whose inputs are in ``results``.

    Parameters
    ----------
    results : mapping
        Result tables by key (missing keys, None and empty tables are fine: that figure is skipped):

        ========================  ===============================================  ==================
        key                       value                                            figure
        ========================  ===============================================  ==================
        ``term_choice``           :func:`framing.terms.term_choice`                term_choice
        ``distinctive_terms``     :func:`framing.terms.distinctive_terms`          distinctive_terms
        ``events``, ``coverage``  ``AlignmentResult.events`` / ``.coverage``       event_timeline
        ``sentence_alignments``   ``AlignmentResult.sentence_alignments``          aligned_facts
        ``diff_spans``            callable ``(text_a, text_b) -> (spans_a, spans_b)``  aligned_facts
        ``prevalence``, ``topics``  ``TopicModel.prevalence`` / ``.topics``        topic_prevalence
        ``verbs``, ``sources``    ``Attribution.verbs`` / ``.sources``             attribution
        ``tone``                  :func:`framing.lexical.tone`                     tone
        ========================  ===============================================  ==================

        (``substitutions`` may be present; it is tabulated by the report, not plotted.)
    outdir : path
        Folder for ``<name>.png`` and ``<name>.svg`` (created if needed). A skipped figure's files from
        an earlier run are removed, so the folder always matches the results.
    outlets : sequence of str, optional
        Outlets for the colour assignment. Default: every outlet in any of the tables, so an outlet has
        the same colour in every figure.
    formats : sequence of str
        File formats to write.

    Returns
    -------
    dict
        For each name in :data:`FIGURE_NAMES`, in that order: the list of files written, or a string
        saying why the figure was skipped.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> tone_df = pd.DataFrame({"outlet": ["RT"], "target": ["NATO"], "sentences": [6],
    ...                         "mean_compound": [-0.3], "ci_low": [-0.5], "ci_high": [-0.1]})
    >>> out = make_all_figures({"tone": tone_df}, tempfile.mkdtemp())
    >>> [p.name for p in out["tone"]], out["term_choice"]
    (['tone.png', 'tone.svg'], 'no term_choice results')
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if outlets is None:
        found = []
        for key in ("term_choice", "distinctive_terms", "coverage", "prevalence", "verbs", "sources", "tone"):
            table = results.get(key)
            if isinstance(table, pd.DataFrame) and "outlet" in table.columns:
                found += list(table["outlet"].dropna().astype(str).unique())
        table = results.get("sentence_alignments")
        if isinstance(table, pd.DataFrame):
            for col in ("outlet_a", "outlet_b"):
                if col in table.columns:
                    found += list(table[col].dropna().astype(str).unique())
        outlets = _sort_names(found)
    else:
        outlets = _sort_names(outlets)

    def present(key):
        table = results.get(key)
        return isinstance(table, pd.DataFrame) and len(table) > 0

    builders = {
        "term_choice": lambda: term_choice_heatmap(results["term_choice"], outlets=outlets),
        "distinctive_terms": lambda: distinctive_terms_plot(results["distinctive_terms"], outlets=outlets),
        "event_timeline": lambda: event_timeline(results["events"], results["coverage"], outlets=outlets),
        "aligned_facts": lambda: aligned_facts_table(results["sentence_alignments"],
                                                     diff_spans=results.get("diff_spans"), outlets=outlets),
        "topic_prevalence": lambda: topic_prevalence_plot(results["prevalence"], results.get("topics"),
                                                          outlets=outlets),
        "attribution": lambda: attribution_plot(results.get("verbs"), results.get("sources"), outlets=outlets),
        "tone": lambda: tone_plot(results["tone"], outlets=outlets),
    }
    out: dict[str, list[Path] | str] = {}
    for name in FIGURE_NAMES:
        keys = _FIGURE_INPUTS[name]
        if name == "attribution":
            missing = [] if any(present(k) for k in keys) else list(keys)
        else:
            missing = [k for k in keys if not present(k)]
        reason = None
        if missing:
            reason = f"no {' or '.join(missing) if name == 'attribution' else ', '.join(missing)} results"
        else:
            try:
                fig = builders[name]()
            except FramingError as exc:
                reason = str(exc)
            else:
                out[name] = save_figure(fig, outdir / name, formats=formats)
                continue
        out[name] = reason
        for fmt in formats:  # stale files from an earlier run would misrepresent these results
            (outdir / f"{name}.{fmt}").unlink(missing_ok=True)
    return out
