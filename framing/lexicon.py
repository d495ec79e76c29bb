"""Contested-term lexicons: loading, validation and fast matching.

A lexicon lists, for each *concept*, the competing *variants* outlets use for it (Kiev / Kyiv, regime /
government, "military bloc" / alliance) and a match *pattern* for each variant. The bundled lexicon is
``framing/data/contested_terms.tsv``; its header comment documents the format, and researchers pass
their own file (TSV, or CSV with the same columns) with ``lexicon=``.

Matching is done by :class:`LexiconMatcher`: all literal forms of all variants are compiled into one
prefix-tree regular expression (so the engine tries only the branches that can match at each word start),
combined with a word-counting alternative, so that a single scan of each text yields both the term
mentions and the number of words. On 37,554 news articles (36 million words) the scan takes about 20
seconds on one core.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import FramingError

__all__ = ["LEXICON_COLUMNS", "load_lexicon", "LexiconMatcher", "compile_lexicon"]

LEXICON_COLUMNS = ["concept", "variant", "pattern", "note", "context", "domain"]
"""Columns of a loaded lexicon. ``concept`` and ``variant`` are required in a file; the others may be
left out (an empty ``pattern`` means the variant itself)."""

_REQUIRED = ("concept", "variant")
# Characters a form (outside "re:" patterns) may contain: letters, digits, the separators and apostrophes
# handled below, dots (for "u.s."), and a final "*".
_FORM_OK_RE = re.compile(r"^[^\W_](?:[\w .'’‘ʼ-]*[\w.])?\*?$")
_APOSTROPHE_CLASS = "['’‘ʼ]"
_SPACE_SEP = r"[\s\-‐‑]+"   # a space in a form: any run of spaces or hyphens
_HYPHEN_SEP = r"[\s\-‐‑]*"  # a hyphen in a form: hyphen, space or nothing ("neo-Nazi", "neonazi")
# Word tokens counted for per-10k rates: letter-initial runs of word characters, with inner apostrophes
# ("o'neill", "kiev's" is one word). Hyphenated compounds count one word per part.
_WORD_ALT = r"[^\W\d_]\w*(?:['’‘ʼ]\w+)*"
_SEP_RUN_RE = re.compile(r"[^\W\d_]+")


def _bundled_path():
    return resources.files("framing.data").joinpath("contested_terms.tsv")


def _read_rows(path, text: str):
    """Yield ``(line_number, fields)`` for the non-comment lines of a TSV or CSV lexicon file."""
    name = str(path)
    delimiter = "," if name.lower().endswith(".csv") else "\t"
    lines = text.splitlines()
    numbered = [(i, line) for i, line in enumerate(lines, 1) if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.reader([line for _, line in numbered], delimiter=delimiter,
                        quoting=csv.QUOTE_MINIMAL if delimiter == "," else csv.QUOTE_NONE)
    for (lineno, _), fields in zip(numbered, reader):
        yield lineno, [f.strip() for f in fields]


def load_lexicon(path=None) -> pd.DataFrame:
    """Load a contested-term lexicon (the bundled one by default).

    Parameters
    ----------
    path : str or Path, optional
        A tab-separated ``.tsv`` (or comma-separated ``.csv``) file with a header line naming at least the
        columns ``concept`` and ``variant``, and optionally ``pattern``, ``note``, ``context`` and
        ``domain``; lines starting with ``#`` are comments. See ``framing/data/contested_terms.tsv``
        for the pattern syntax.

    Returns
    -------
    pandas.DataFrame
        One row per variant: ``concept``, ``variant``, ``pattern`` (the match rule; the variant itself
        when the file leaves it empty), ``note``, ``context`` and ``domain`` (empty strings when absent),
        plus ``line`` (the line in the file). Row order is the file's order.

    Raises
    ------
    FramingError
        The file is missing, has no header with ``concept`` and ``variant``, or a line is malformed
        (wrong number of fields, empty concept or variant, a duplicate variant, a bad pattern, or a form
        that two variants share); the message names the file and the line.

    Examples
    --------
    >>> lex = load_lexicon()
    >>> lex.loc[lex["concept"] == "Kyiv", ["variant", "pattern"]].values.tolist()
    [['Kyiv', 'kyiv'], ['Kiev', 'kiev']]
    """
    if path is None:
        source, text = "framing/data/contested_terms.tsv", _bundled_path().read_text("utf-8")
    else:
        p = Path(path)
        if not p.is_file():
            raise FramingError(f"{p}: lexicon file not found; pass the path of a .tsv or .csv file in the "
                               "format of framing/data/contested_terms.tsv.")
        source = str(p)
        try:
            text = p.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FramingError(f"{p}: not valid UTF-8; save the lexicon as UTF-8.") from None
    return _parse(source, text)


def _parse(source: str, text: str) -> pd.DataFrame:
    rows = list(_read_rows(source, text))
    if not rows:
        raise FramingError(f"{source}: the lexicon is empty; add a header line (concept, variant, pattern, "
                           "note) and one line per variant.")
    header_line, header = rows[0]
    header = [h.lower() for h in header]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise FramingError(f"{source}, line {header_line}: the header needs the columns concept and variant "
                           f"(found: {', '.join(header) or 'none'}); add a header line such as "
                           "'concept<TAB>variant<TAB>pattern<TAB>note'.")
    unknown = [h for h in header if h not in LEXICON_COLUMNS]
    if unknown:
        raise FramingError(f"{source}, line {header_line}: unknown column {unknown[0]!r}; use "
                           f"{', '.join(LEXICON_COLUMNS)}.")
    records, seen_variant, seen_form = [], {}, {}
    for lineno, fields in rows[1:]:
        where = f"{source}, line {lineno}"
        if len(fields) > len(header) and any(fields[len(header):]):
            raise FramingError(f"{where}: {len(fields)} fields but the header has {len(header)}; "
                               "check for a stray tab or comma.")
        if len(fields) < len(_REQUIRED):
            raise FramingError(f"{where}: expected at least concept and variant separated by "
                               f"{'a comma' if source.lower().endswith('.csv') else 'a tab'}; fix the line.")
        rec = dict(zip(header, fields + [""] * (len(header) - len(fields))))
        rec = {c: rec.get(c, "") or "" for c in LEXICON_COLUMNS}
        if not rec["concept"] or not rec["variant"]:
            raise FramingError(f"{where}: the concept and the variant must not be empty; fill them in.")
        key = (rec["concept"], rec["variant"])
        if key in seen_variant:
            raise FramingError(f"{where}: variant {rec['variant']!r} of {rec['concept']!r} repeats line "
                               f"{seen_variant[key]}; merge the two lines.")
        seen_variant[key] = lineno
        if not rec["pattern"]:
            rec["pattern"] = rec["variant"].lower()
        for form in _check_pattern(rec["pattern"], where):
            if form in seen_form and seen_form[form][1] != key:
                other_line, (oc, ov) = seen_form[form]
                raise FramingError(f"{where}: the form {form!r} is also a form of {ov!r} ({oc!r}, line "
                                   f"{other_line}); a text can only count for one variant, so keep it once.")
            seen_form[form] = (lineno, key)
        rec["line"] = lineno
        records.append(rec)
    if not records:
        raise FramingError(f"{source}: the lexicon has a header but no variants; add one line per variant.")
    frame = pd.DataFrame.from_records(records, columns=LEXICON_COLUMNS + ["line"])
    frame.attrs["source"] = source
    return frame


def _check_pattern(pattern: str, where: str) -> list[str]:
    """Validate one pattern; return its literal forms as match keys (empty for ``re:`` patterns)."""
    if pattern.startswith("re:"):
        body = pattern[3:]
        try:
            compiled = re.compile(body)
        except re.error as exc:
            raise FramingError(f"{where}: the regular expression {body!r} is invalid ({exc}); fix it.") from None
        if compiled.groups:
            raise FramingError(f"{where}: the regular expression {body!r} has capturing groups; write "
                               "(?:...) instead of (...).")
        if compiled.match(""):
            raise FramingError(f"{where}: the regular expression {body!r} matches the empty string; make "
                               "it match at least one word.")
        return []
    keys = []
    for form in pattern.lower().split("|"):
        form = form.strip()
        if not form:
            raise FramingError(f"{where}: the pattern {pattern!r} has an empty form (two '|' in a row, or "
                               "one at an end); remove it.")
        if not _FORM_OK_RE.match(form) or "*" in form[:-1]:
            raise FramingError(f"{where}: the form {form!r} is not valid; use letters, digits, spaces, "
                               "hyphens and apostrophes, with '*' only at the end, or start the pattern "
                               "with 're:' for a regular expression.")
        keys.append(_form_key(form))
    return keys


def _form_key(form: str) -> str:
    """The lookup key of a literal form or matched text: letters and digits only (and a final '*')."""
    star = form.endswith("*")
    key = "".join(ch for ch in form.lower() if ch.isalnum())
    return key + ("*" if star else "")


# ------------------------------------------------------------------------------------------ matching

def _trie_regex(forms: list[str]) -> str:
    """A regular expression matching any of ``forms`` (lower-case), as a prefix tree.

    Alternatives that share a prefix share one branch, so at a given position the engine descends one
    path instead of trying every form; longer forms are tried before shorter ones (greedy optional
    tails), which gives longest-match semantics ("military operations" over "military operation").
    """
    trie: dict = {}
    for form in forms:
        node = trie
        for ch in form:
            node = node.setdefault(ch, {})
        node[""] = {}

    def piece(ch: str) -> str:
        if ch == " ":
            return _SPACE_SEP
        if ch == "-":
            return _HYPHEN_SEP
        if ch in "'’‘ʼ":
            return _APOSTROPHE_CLASS
        if ch == "*":
            return r"\w*"
        return re.escape(ch)

    def build(node: dict) -> str:
        ends = "" in node
        kids = sorted(k for k in node if k != "")
        # A wildcard tail is tried last so that literal continuations win.
        kids = [k for k in kids if k != "*"] + (["*"] if "*" in kids else [])
        alts = [piece(k) + build(node[k]) for k in kids]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if ends else body

    return build(trie)


@dataclass
class LexiconMatcher:
    """A compiled lexicon: one scan per text gives the variant mentions and the word count.

    Use :func:`compile_lexicon` to build one (compiled matchers are cached per lexicon content).

    Attributes
    ----------
    variants : pandas.DataFrame
        The lexicon rows, in order; a variant's position is its index in the count arrays.
    """

    variants: pd.DataFrame
    _scan: re.Pattern
    _scan_named: re.Pattern  # the same, with a named group per "re:" pattern
    _literal: dict
    _prefixes: list
    _raw: list
    _contexts: list  # per variant: tuple of lower-case substrings, or ()

    def scan(self, text_lower: str) -> tuple[list[int], int]:
        """Return (variant indices of the mentions, word count) of one lower-cased text."""
        found = self._scan.findall(text_lower)
        n_words = len(found)
        hits = []
        unresolved = False
        for m in filter(None, found):
            v = self.resolve(m)
            if v is None:
                unresolved = True
            else:
                hits.append(v)
            n_words += len(_SEP_RUN_RE.findall(m)) - 1  # a multi-word mention is one regex match
        if unresolved:  # a "re:" pattern with look-arounds matched: find out which one, with positions
            hits = [v for _, _, v in self.finditer(text_lower)]
        return hits, n_words

    def finditer(self, text_lower: str):
        """Yield ``(start, end, variant_index)`` of each mention in a lower-cased text."""
        for m in self._scan_named.finditer(text_lower):
            if m.group(1):
                v = None
                for k, (_, raw_v) in enumerate(self._raw):
                    if m.group(f"r{k}") is not None:
                        v = raw_v
                        break
                if v is None:
                    v = self.resolve(m.group(1))
                if v is not None:
                    yield m.start(1), m.end(1), v

    @lru_cache(maxsize=65536)  # noqa: B019 - matched strings repeat; the matcher lives in a cache too
    def resolve(self, matched: str) -> int | None:
        """The variant index for a matched string (None if nothing claims it, or only a "re:" pattern whose
        look-arounds need the surrounding text)."""
        for regex, v in self._raw:
            if regex.fullmatch(matched):
                return v
        key = _form_key(matched)
        v = self._literal.get(key)
        if v is not None:
            return v
        for prefix, v in self._prefixes:
            if key.startswith(prefix):
                return v
        return None

    def context_ok(self, text_lower: str, variants=None) -> np.ndarray:
        """Boolean per variant: does the text satisfy the variant's context (always True without one).

        With ``variants`` (indices), only their contexts are checked (the others are left True).
        """
        cache: dict = {}
        out = np.ones(len(self._contexts), dtype=bool)
        for v in (range(len(self._contexts)) if variants is None else set(variants)):
            ctx = self._contexts[v]
            if ctx:
                if ctx not in cache:
                    cache[ctx] = any(word in text_lower for word in ctx)
                out[v] = cache[ctx]
        return out

    @property
    def has_contexts(self) -> bool:
        return any(self._contexts)

    def __hash__(self):
        return id(self)


def compile_lexicon(lexicon: pd.DataFrame) -> LexiconMatcher:
    """Compile a lexicon (as returned by :func:`load_lexicon`) into a :class:`LexiconMatcher`.

    Examples
    --------
    >>> m = compile_lexicon(load_lexicon())
    >>> hits, n_words = m.scan("kiev's regime and the military bloc")
    >>> m.variants.loc[hits, "variant"].tolist(), n_words
    (['Kiev', 'regime', 'military bloc'], 6)
    """
    lex = _validate_frame(lexicon)
    key = tuple(map(tuple, lex[["concept", "variant", "pattern", "context"]].to_numpy().tolist()))
    return _compile_cached(key)


def _validate_frame(lexicon) -> pd.DataFrame:
    if not isinstance(lexicon, pd.DataFrame):
        raise FramingError("lexicon: expected a DataFrame from load_lexicon() or a file path; "
                           f"got {type(lexicon).__name__}.")
    missing = [c for c in _REQUIRED if c not in lexicon.columns]
    if missing:
        raise FramingError(f"lexicon: the DataFrame needs the columns concept and variant (missing: "
                           f"{', '.join(missing)}); load it with load_lexicon().")
    lex = lexicon.copy()
    for col in LEXICON_COLUMNS:
        if col not in lex.columns:
            lex[col] = ""
        lex[col] = lex[col].fillna("").astype(str)
    empty = lex["pattern"].str.strip() == ""
    lex.loc[empty, "pattern"] = lex.loc[empty, "variant"].str.lower()
    if lex.duplicated(["concept", "variant"]).any():
        dup = lex.loc[lex.duplicated(["concept", "variant"]), "variant"].iloc[0]
        raise FramingError(f"lexicon: variant {dup!r} appears twice for the same concept; keep it once.")
    for i, pattern in enumerate(lex["pattern"]):
        _check_pattern(pattern, f"lexicon row {i}")
    return lex.reset_index(drop=True)


@lru_cache(maxsize=8)
def _compile_cached(rows: tuple) -> LexiconMatcher:
    literal, prefixes, raw, raw_bodies, forms, contexts = {}, [], [], [], [], []
    for v, (_, _, pattern, context) in enumerate(rows):
        ctx = tuple(w.strip().lower() for w in context.split("|") if w.strip())
        contexts.append(ctx)
        if pattern.startswith("re:"):
            body = pattern[3:]
            raw.append((re.compile(body), v))
            raw_bodies.append(f"(?:{body})")
            continue
        for form in pattern.lower().split("|"):
            form = form.strip()
            forms.append(form)
            key = _form_key(form)
            if key.endswith("*"):
                prefixes.append((key[:-1], v))
            else:
                literal.setdefault(key, v)
    prefixes.sort(key=lambda kv: -len(kv[0]))
    trie = [_trie_regex(sorted(set(forms)))] if forms else []
    lex_re = "|".join(raw_bodies + trie)
    named_re = "|".join([f"(?P<r{k}>{body})" for k, body in enumerate(raw_bodies)] + trie)
    # A possessive after a mention ("Kiev's") is consumed with it, so that "s" is not counted as a word.
    tail = r"(?!\w)(?:['’‘ʼ]s(?!\w))?"
    scan = re.compile(rf"(?<!\w)(?:({lex_re}){tail}|{_WORD_ALT})")
    scan_named = re.compile(rf"(?<!\w)(?:({named_re}){tail}|{_WORD_ALT})")
    variants = pd.DataFrame(list(rows), columns=["concept", "variant", "pattern", "context"])
    return LexiconMatcher(variants, scan, scan_named, literal, prefixes, raw, contexts)
