"""Cleaning of raw article text, driven by editable rule files in ``framing/data/``.

Cleaning never loses anything silently. It is a list of :class:`Edit` objects, each replacing one span
of the raw text (usually by nothing) for a stated reason; :func:`restore` rebuilds the raw text from the
cleaned text and the edits, exactly. Kinds of edit:

``title``       the headline on the first line, moved to the ``title`` metadata column
``dateline``    "WASHINGTON —", "(RFE/RL) —", moved to the ``dateline`` column
``credit``      "X contributed to this report", outlet taglines, bylines, moved to the ``credit`` column
``boilerplate`` a line of page furniture (share widgets, comment forms), removed
``tail``        a trailing block of page furniture ("Related Articles", "Leave a Reply", "Back to top
                button" and all that follows), removed
``unicode``     a no-break or zero-width space, soft hyphen, or a line not in NFC form, normalised
``newline``     a Windows or old-Mac line ending turned into ``\\n``
``html``        an HTML tag, comment, script or style element removed, or an entity decoded (HTML input
                only; these edits form stage 0, applied before all others, which form stage 1)

Cleaning also marks, without removing, spans of the cleaned text (:class:`Annotation`):
``subhead`` (a short heading line inside the body) and ``embedded_post`` (a social-media post embedded in
the article, with its author line; analyses treat it as quoted material, not the outlet's own words).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import FramingError

__all__ = ["Edit", "Annotation", "CleanedText", "CleaningRules", "clean_text", "restore", "load_rules",
           "strip_html", "looks_like_html"]


@dataclass(frozen=True)
class Edit:
    """One change to the raw text: ``raw[start:end]`` became ``replacement`` at ``clean_start``."""

    start: int
    end: int
    kind: str
    reason: str
    text: str
    replacement: str = ""
    clean_start: int = -1
    stage: int = 1


@dataclass(frozen=True)
class Annotation:
    """A marked span of the cleaned text (not removed): a subhead or an embedded social-media post."""

    start: int
    end: int
    kind: str
    detail: str = ""


@dataclass
class CleanedText:
    """The result of :func:`clean_text`: cleaned text, the edits that made it, metadata and marks."""

    text: str
    edits: list[Edit]
    annotations: list[Annotation]
    title: str | None = None
    dateline: str | None = None
    credit: str | None = None
    dateline_outlet: str | None = None


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern
    reason: str
    any_length: bool = False  # checked on lines of any length ("widget" rules), not only on short ones


@dataclass
class CleaningRules:
    """Compiled cleaning rules. Build with :func:`load_rules`."""

    line_rules: list[_Rule]
    datelines: list[_Rule]
    embed_author: re.Pattern
    combined: re.Pattern = field(init=False)
    any_length: re.Pattern | None = field(init=False)

    def __post_init__(self):
        # One alternation with a named group per rule: a single regex call per line finds the rule.
        self.combined = re.compile(
            "|".join(f"(?P<r{i}>{r.pattern.pattern})" for i, r in enumerate(self.line_rules)),
            re.IGNORECASE,
        )
        long_rules = [(i, r) for i, r in enumerate(self.line_rules) if r.any_length]
        self.any_length = re.compile(
            "|".join(f"(?P<r{i}>{r.pattern.pattern})" for i, r in long_rules), re.IGNORECASE
        ) if long_rules else None


def _read_tsv(path, expected: int) -> list[tuple[int, list[str]]]:
    rows = []
    text = path.read_text(encoding="utf-8") if isinstance(path, Path) else path.read_text("utf-8")
    header_seen = False
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        if not header_seen:
            header_seen = True
            continue
        if len(parts) != expected:
            raise FramingError(
                f"{path}, line {lineno}: expected {expected} tab-separated fields, found {len(parts)}; "
                "fix that line or pass another rules file."
            )
        rows.append((lineno, parts))
    return rows


def _compile(path, lineno: int, pattern: str, flags=0) -> re.Pattern:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise FramingError(
            f"{path}, line {lineno}: the pattern {pattern!r} is not a valid regular expression ({exc}); "
            "fix that line."
        ) from None


_KINDS = {"line": "boilerplate", "widget": "boilerplate", "tail": "tail", "credit": "credit"}


def load_rules(boilerplate: str | Path | None = None, datelines: str | Path | None = None) -> CleaningRules:
    """Load cleaning rules from tab-separated files (the bundled ones by default).

    Parameters
    ----------
    boilerplate : path, optional
        A file in the format of ``framing/data/boilerplate.tsv`` (kind, pattern, reason).
    datelines : path, optional
        A file in the format of ``framing/data/datelines.tsv`` (pattern, reason).

    Examples
    --------
    >>> rules = load_rules()
    >>> sorted({r.kind for r in rules.line_rules})
    ['boilerplate', 'credit', 'tail']
    """
    if boilerplate is None and datelines is None:
        return _default_rules()
    return _load_rules(boilerplate, datelines)


@lru_cache(maxsize=1)
def _default_rules() -> CleaningRules:
    return _load_rules(None, None)


def _load_rules(boilerplate, datelines) -> CleaningRules:
    data = resources.files("framing.data")
    bp_path = Path(boilerplate) if boilerplate is not None else data.joinpath("boilerplate.tsv")
    dl_path = Path(datelines) if datelines is not None else data.joinpath("datelines.tsv")
    for p in (bp_path, dl_path):
        if isinstance(p, Path) and not p.is_file():
            raise FramingError(f"{p}: rules file not found; pass the path of an existing .tsv file.")
    line_rules = []
    for lineno, (kind, pattern, reason) in _read_tsv(bp_path, 3):
        if kind not in _KINDS:
            raise FramingError(
                f"{bp_path}, line {lineno}: unknown kind {kind!r}; use one of line, widget, tail, credit."
            )
        line_rules.append(_Rule(_KINDS[kind], _compile(bp_path, lineno, pattern, re.IGNORECASE), reason,
                                any_length=kind == "widget"))
    dateline_rules = [
        _Rule("dateline", _compile(dl_path, lineno, pattern), reason)
        for lineno, (pattern, reason) in _read_tsv(dl_path, 2)
    ]
    embed_author = re.compile(
        r"^[—–-]\s*(?P<author>[^()\n]{1,80}?)\s*\(@(?P<handle>\w{1,30})\)\s*"
        r"(?P<date>[A-Z][a-z]+ \d{1,2}, \d{4})\s*$"
    )
    return CleaningRules(line_rules, dateline_rules, embed_author)


# Characters normalised inside a line; each one becomes an edit of kind "unicode".
_CHAR_FIXES = {"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u200b": "", "\u200c": "", "\u200d": "",
               "\u2060": "", "\ufeff": "", "\u00ad": ""}
_CHAR_RE = re.compile("[" + "".join(_CHAR_FIXES) + "]")
_CHAR_NAMES = {"\u00a0": "no-break space", "\u2007": "figure space", "\u202f": "narrow no-break space",
               "\u200b": "zero-width space", "\u200c": "zero-width non-joiner", "\u200d": "zero-width joiner",
               "\u2060": "word joiner", "\ufeff": "byte-order mark", "\u00ad": "soft hyphen"}
_LINE_RE = re.compile(r"[^\r\n]*(\r\n|\r|\n|$)")
_TERMINAL = tuple('.!?:;,"”…)')
_TRAILING_QUOTES = "'’‘\"“” "
_MAX_RULE_LINE = 400  # boilerplate lines are short; longer lines are body text and skip the rule check


def _norm_title(s: str) -> str:
    return re.sub(r"\W+", " ", unicodedata.normalize("NFKC", s).casefold()).strip()


def _looks_like_headline(line: str) -> bool:
    n_words = len(line.split())
    stripped = line.rstrip(_TRAILING_QUOTES)
    return 2 <= n_words <= 25 and len(line) <= 200 and not stripped.endswith(_TERMINAL) and line[:1].isupper()


def _looks_like_subhead(line: str) -> bool:
    stripped = line.strip().rstrip(_TRAILING_QUOTES)
    n_words = len(line.split())
    return 1 <= n_words <= 12 and len(line) <= 90 and bool(stripped) and not stripped.endswith(_TERMINAL) \
        and stripped.lstrip(_TRAILING_QUOTES)[:1].isupper()


_HTML_HINT = re.compile(
    r"<(?:p|div|br|span|a|html|body|head|article|section|h[1-6]|li|ul|ol|em|strong|script|style|figure|"
    r"blockquote|table|tr|td|img|iframe|meta)\b[^<>]*>|</(?:p|div|span|a|li|h[1-6]|em|strong)>", re.I)
_HTML_TOKEN = re.compile(
    r"(?P<drop><(?P<el>script|style|noscript|template|head)\b[^>]*>.*?</(?P=el)\s*>|<!--.*?-->|<!DOCTYPE[^>]*>)"
    r"|(?P<tag></?(?P<name>[a-zA-Z][a-zA-Z0-9]*)\b(?:[^<>\"']|\"[^\"]*\"|'[^']*')*/?>)"
    r"|(?P<entity>&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});)"
    r"|(?P<space>[ \t]*\r?\n[\s]*)",
    re.S | re.I)
_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section",
               "blockquote", "tr", "table", "figure", "figcaption", "header", "footer", "hr", "title", "aside",
               "nav", "main", "dd", "dt", "pre", "body", "html", "head"}


def looks_like_html(raw: str) -> bool:
    """True when ``raw`` contains HTML markup (paragraph, link, script... tags)."""
    return _HTML_HINT.search(raw) is not None


def strip_html(raw: str) -> tuple[str, list[Edit]]:
    """Turn HTML into text as a list of stage-0 edits: block tags become line breaks, other tags vanish,
    scripts, styles and comments go with their content, entities are decoded, and line breaks inside
    the HTML source (which are just spaces there) become spaces.

    Examples
    --------
    >>> text, edits = strip_html("<p>Kyiv &amp; Kiev</p><script>x()</script><p>Two\\nlines</p>")
    >>> text
    '\\nKyiv & Kiev\\n\\nTwo lines\\n'
    """
    import html as _html

    edits, pieces, pos, out_len = [], [], 0, 0
    for m in _HTML_TOKEN.finditer(raw):
        if m.group("drop"):
            replacement, reason = "", "script, style, head or comment"
        elif m.group("tag"):
            block = m.group("name").lower() in _BLOCK_TAGS
            replacement, reason = ("\n" if block else ""), "HTML tag"
        elif m.group("entity"):
            replacement, reason = _html.unescape(m.group()), "HTML entity"
            if replacement == m.group():
                continue
        else:
            replacement, reason = " ", "line break inside HTML text"
            if m.group() == " ":
                continue
        pieces.append(raw[pos:m.start()])
        out_len += m.start() - pos
        edits.append(Edit(m.start(), m.end(), "html", reason, m.group(), replacement, out_len, stage=0))
        pieces.append(replacement)
        out_len += len(replacement)
        pos = m.end()
    pieces.append(raw[pos:])
    return "".join(pieces), edits


def clean_text(raw: str, *, title: str | None = None, rules: CleaningRules | None = None) -> CleanedText:
    """Clean one article's raw text.

    Parameters
    ----------
    raw : str
        The article text as read.
    title : str, optional
        The title from metadata. A first line equal to it is moved out of the body; without one, a first
        line that looks like a headline (2-25 words, no final punctuation, more text below) is taken as
        the title.
    rules : CleaningRules, optional
        From :func:`load_rules`; the bundled rules by default.

    Returns
    -------
    CleanedText

    Examples
    --------
    >>> c = clean_text("Talks Stall\\nMOSCOW — Talks stalled.\\nJane Doe contributed to this report.\\n")
    >>> c.text, c.title, c.dateline, c.credit
    ('Talks stalled.\\n', 'Talks Stall', 'MOSCOW', 'Jane Doe contributed to this report.')
    >>> [(e.kind, e.text) for e in c.edits]
    [('title', 'Talks Stall\\n'), ('dateline', 'MOSCOW — '), ('credit', 'Jane Doe contributed to this report.\\n')]
    """
    rules = rules or _default_rules()
    stage0: list[Edit] = []
    if looks_like_html(raw):
        raw, stage0 = strip_html(raw)
    lines = []  # (start, end of content, end with newline)
    for m in _LINE_RE.finditer(raw):
        if m.start() == len(raw) and m.end() == len(raw):
            break
        nl = m.group(1)
        lines.append((m.start(), m.end() - len(nl), m.end()))
    edits: list[Edit] = []
    removed = [False] * len(lines)
    nonempty = [i for i, (s, e, _) in enumerate(lines) if raw[s:e].strip()]
    total = len(raw.rstrip())
    out = CleanedText(text="", edits=[], annotations=[])
    credits = []

    def remove(i, kind, reason):
        s, _, end = lines[i]
        edits.append(Edit(s, end, kind, reason, raw[s:end]))
        removed[i] = True

    # Title: the first non-empty line.
    if nonempty and len(nonempty) > 1:
        i0 = nonempty[0]
        first = raw[lines[i0][0]:lines[i0][1]].strip()
        if title and _norm_title(first) == _norm_title(title):
            remove(i0, "title", "headline repeated from metadata")
            out.title = title
        elif not title and _looks_like_headline(first) and not rules.combined.fullmatch(first):
            remove(i0, "title", "headline on the first line")
            out.title = first

    # Line rules: tails, boilerplate and credits.
    tail_from = None
    for i in nonempty:
        if removed[i]:
            continue
        s, e, _ = lines[i]
        line = raw[s:e].strip()
        if len(line) <= _MAX_RULE_LINE:
            m = rules.combined.fullmatch(line)
        else:
            m = rules.any_length.fullmatch(line) if rules.any_length is not None else None
        if not m:
            continue
        rule = rules.line_rules[int(m.lastgroup[1:])]
        if rule.kind == "tail":
            # Only a trailing block: what follows the marker must be under a third of the article.
            if total - s <= max(total / 3, 0):
                tail_from = i
                break
            continue
        if rule.kind == "credit":
            credits.append((i, line))
        remove(i, rule.kind, rule.reason)
    if tail_from is not None:
        s = lines[tail_from][0]
        reason = next(r.reason for r in rules.line_rules
                      if r.kind == "tail" and r.pattern.fullmatch(raw[s:lines[tail_from][1]].strip()))
        for j in range(tail_from, len(lines)):
            if not removed[j]:
                removed[j] = True
        edits = [e for e in edits if e.start < s]
        credits = [(j, c) for j, c in credits if j < tail_from]
        edits.append(Edit(s, len(raw), "tail", reason, raw[s:]))

    # Dateline: at the start of the first remaining body line.
    body = [i for i in nonempty if not removed[i]]
    dateline_edit = None
    if body:
        s, e, _ = lines[body[0]]
        lead = len(raw[s:e]) - len(raw[s:e].lstrip())
        for rule in rules.datelines:
            m = rule.pattern.match(raw, s + lead, e)
            if m and m.end() < e:
                dateline_edit = Edit(m.start(), m.end(), "dateline", rule.reason, m.group(0))
                out.dateline = m.group("dateline").strip()
                out.dateline_outlet = m.groupdict().get("outlet")
                break
        if dateline_edit:
            edits.append(dateline_edit)

    # Character-level normalisation inside the lines that stay.
    for i, (s, e, end) in enumerate(lines):
        if removed[i]:
            continue
        nl = raw[e:end]
        if nl in ("\r\n", "\r"):
            edits.append(Edit(e, end, "newline", "line ending normalised", nl, "\n"))
        seg_start = dateline_edit.end if dateline_edit and s <= dateline_edit.start < e else s
        segment = raw[seg_start:e]
        if not unicodedata.is_normalized("NFC", segment):
            fixed = unicodedata.normalize("NFC", _CHAR_RE.sub(lambda m: _CHAR_FIXES[m.group()], segment))
            edits.append(Edit(seg_start, e, "unicode", "line not in NFC form", segment, fixed))
            continue
        for m in _CHAR_RE.finditer(segment):
            c = m.group()
            edits.append(Edit(seg_start + m.start(), seg_start + m.end(), "unicode",
                              f"{_CHAR_NAMES[c]} normalised", c, _CHAR_FIXES[c]))

    edits.sort(key=lambda ed: ed.start)
    pieces, pos, clean_len, final = [], 0, 0, []
    for ed in edits:
        pieces.append(raw[pos:ed.start])
        clean_len += ed.start - pos
        final.append(Edit(ed.start, ed.end, ed.kind, ed.reason, ed.text, ed.replacement, clean_len))
        pieces.append(ed.replacement)
        clean_len += len(ed.replacement)
        pos = ed.end
    pieces.append(raw[pos:])
    out.text = "".join(pieces)
    out.edits = stage0 + final
    out.credit = " ".join(c for _, c in credits) or None
    out.annotations = _annotate(out.text, rules)
    return out


def _annotate(text: str, rules: CleaningRules) -> list[Annotation]:
    """Mark subheads and embedded social-media posts in cleaned text."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    notes: list[Annotation] = []
    embedded = set()
    for k, (s, e) in enumerate(spans):
        m = rules.embed_author.match(text[s:e].strip())
        if m:
            start = spans[k - 1][0] if k > 0 else s
            detail = f"{m.group('author')} (@{m.group('handle')}), {m.group('date')}"
            notes.append(Annotation(start, e, "embedded_post", detail))
            embedded.update({k - 1, k})
    for k, (s, e) in enumerate(spans):
        if k in embedded or k == 0 or k == len(spans) - 1:
            continue
        if _looks_like_subhead(text[s:e]):
            notes.append(Annotation(s, e, "subhead"))
    notes.sort(key=lambda a: a.start)
    return notes


def restore(text: str, edits) -> str:
    """Rebuild the raw text from cleaned ``text`` and its ``edits`` (objects or DataFrame rows).

    Examples
    --------
    >>> raw = "Headline Here\\nWASHINGTON — Body text.\\n\\nLeave a Reply\\n"
    >>> c = clean_text(raw)
    >>> restore(c.text, c.edits) == raw
    True
    """
    rows = list(edits.itertuples(index=False) if hasattr(edits, "itertuples") else edits)
    for stage in sorted({getattr(r, "stage", 1) for r in rows}, reverse=True):
        pieces, pos = [], 0
        for ed in sorted((r for r in rows if getattr(r, "stage", 1) == stage), key=lambda r: r.clean_start):
            pieces.append(text[pos:ed.clean_start])
            pieces.append(ed.text)
            pos = ed.clean_start + len(ed.replacement)
        pieces.append(text[pos:])
        text = "".join(pieces)
    return text
