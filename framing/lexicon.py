"""Contested-term lexicons: loading, validation and fast matching.

A lexicon lists, for each *concept*, the competing *variants* outlets use for it (Kiev / Kyiv, regime /
government, "military bloc" / alliance) and a match *pattern* for each variant. The bundled lexicon is
``framing/data/contested_terms.tsv``; its header comment documents the format, and researchers pass
their own file (TSV, or CSV with the same columns) with ``lexicon=``.

Matching is done by :class:`LexiconMatcher`: all literal forms of all variants are compiled into one
prefix-tree regular expression (so the engine tries only the branches that can match at each word start),
combined with a word-counting alternative, so that a single scan of each text yields both the term
mentions and the number of words (:meth:`LexiconMatcher.scan`, the reference definition).

:meth:`LexiconMatcher.scan_many` gives the same results for many texts several times faster: it counts
the words of a batch of texts with NumPy, finds the few word starts where a lexicon form can begin from
their first characters, and runs the scan expression only around those (see the notes on batch scanning
below).
"""

from __future__ import annotations

import csv
import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

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
_APOSTROPHES = "'’‘ʼ"
# A character that no word token contains (neither \w nor an apostrophe): no word match runs across it.
_SEP_CHAR_RE = re.compile(r"[^\w'’‘ʼ]")


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


# ------------------------------------------------------------------------------------ batch scanning
#
# LexiconMatcher.scan runs one expression over every word of a text: at each word start it tries the lexicon
# alternative, then the word alternative, and it counts the matches. Almost all of that work only counts
# words. The batch scan (_scan_chunk) gets the same mentions and word counts another way:
#
# 1. Word counts with NumPy. Outside mentions, the scan matches `(?<!\w)` + _WORD_ALT from left to right. A
#    "chain" is a run of \w characters, extended over each apostrophe that has \w on both sides ("o'neill",
#    "1'abc'def"). Each chain yields exactly one word match, starting at its first letter-initial \w run, if
#    it has one: the scan cannot start inside a \w run, fails at a digit- or "_"-initial run, and a word match
#    swallows the rest of its chain. So a text's word count is the number of chains with a letter-initial run.
# 2. Mention candidates. A literal form starts with a letter or digit after a non-\w character, so only
#    \w-run starts qualify; of those, NumPy keeps the ones whose first four characters (separators and
#    apostrophes folded to one code each, as the form's pattern folds them) agree with the start of some form,
#    and whose next four characters, after the separators a form may have there, agree with how that form
#    goes on. Both checks go through hash tables of booleans, so a collision only lets a position through.
#    Where a "re:" pattern can start is found by searching for its literal prefix, or for the pattern itself.
#    Each candidate is then checked with the scan's own lexicon alternative (look-behind, possessive tail
#    and all), which keeps exactly the positions where the scan takes a mention if it tries there.
# 3. Around those positions the scan expression itself is run, from a "separator point" at or before the
#    position to the first separator point after the mention. A separator point follows a character that is
#    neither \w nor an apostrophe; no word match spans one, so both the real scan and the words-only scan of
#    step 1 pass through it, and as a scan only depends on where it resumes, the two agree between separator
#    points where the real scan takes no mention. The word count is corrected by the difference over each
#    rescanned stretch, and the mentions are the lexicon matches of those stretches, in text order.
#
# Texts are processed in chunks laid out as "\n\n" + text + "\n" + text + ... + "\n" + NULs: the newlines
# are separators, so no word, chain or key crosses a text border, every \w-run start can look two characters
# back and every key read stays inside the array.

_BMP = 0x10000
_WORD_BIT, _LETTER_BIT, _APOS_BIT = 1, 2, 4
_NEWLINE, _SPACE_CODE, _APOS_CODE = ord("\n"), ord(" "), ord("'")
_KEY_LEN = 4            # characters per key: four 16-bit codes fill a uint64, the first in the low bits
_KEY_MASK = [np.uint64((1 << 16 * n) - 1) for n in range(_KEY_LEN + 1)]  # the first n characters of a key
_SKIP = 2               # separators skipped before a second key; a longer run is let through unchecked
_PAD = 2 * _KEY_LEN + _SKIP  # NULs after the last text: every key read stays inside the array
_CHUNK_CHARS = 1 << 18  # characters per NumPy chunk: amortises the calls, keeps the arrays in cache
_MIX = np.uint64(0x9E3779B97F4A7C15)   # Fibonacci hashing
_PAIR = np.uint64(0xFF51AFD7ED558CCD)  # combines a first and a second key before hashing


@lru_cache(maxsize=1)
def _char_tables() -> tuple[np.ndarray, np.ndarray]:
    r"""Per BMP code point: class bits (\w, letter, apostrophe) and the code used in keys.

    The classes are taken from the regular-expression engine itself, so they agree with the scan
    expression's ``\w``, ``[^\W\d_]`` and ``\s`` for every character.
    """
    chars = np.arange(_BMP, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")

    def members(char_class: str) -> np.ndarray:
        mask = np.zeros(_BMP, dtype=bool)
        for m in re.finditer(char_class + "+", chars):
            mask[m.start():m.end()] = True
        return mask

    apos = np.zeros(_BMP, dtype=bool)
    apos[[ord(c) for c in _APOSTROPHES]] = True
    bits = (members(r"\w") * _WORD_BIT | members(r"[^\W\d_]") * _LETTER_BIT | apos * _APOS_BIT).astype(np.uint8)
    # A space or hyphen in a form matches any of [\s\-‐‑], an apostrophe any of four: one code per class.
    canon = np.arange(_BMP, dtype=np.uint16)
    canon[members(r"[\s\-‐‑]")] = _SPACE_CODE
    canon[apos] = _APOS_CODE
    return bits, canon


def _astral_bits(code: int) -> int:
    """The class bits of a character beyond the BMP (which the tables do not cover)."""
    ch = chr(code)
    return (_WORD_BIT if re.match(r"\w", ch) else 0) | (_LETTER_BIT if re.match(r"[^\W\d_]", ch) else 0)


def _key_codes(form: str) -> tuple[list[int], int]:
    """Key codes of the characters every match of a (lower-case) form starts with, and how many
    characters of the form they cover.

    A literal character matches itself and an apostrophe any apostrophe; a space matches a run of
    separators, so the codes stop after it, as they do before a hyphen (which may match nothing), before a
    final ``*`` and after four characters.
    """
    canon = _char_tables()[1]
    codes: list[int] = []
    for i, ch in enumerate(form):
        if len(codes) == _KEY_LEN or ch in "-*":
            return codes, i
        if ch == " ":
            codes.append(_SPACE_CODE)
            return codes, i + 1
        codes.append(_APOS_CODE if ch in _APOSTROPHES else int(canon[min(ord(ch), _BMP - 1)]))
    return codes, len(form)


def _pack(codes: list[int]) -> int:
    return sum(code << (16 * i) for i, code in enumerate(codes))


def _hash(keys: np.ndarray, bits: int, out: np.ndarray | None = None) -> np.ndarray:
    """Slots (int64) of uint64 keys in a table of ``2 ** bits`` entries."""
    out = np.multiply(keys, _MIX, out=out)
    return np.right_shift(out, np.uint64(64 - bits), out=out).view(np.int64)


def _bool_table(keys: np.ndarray) -> tuple[int, np.ndarray]:
    """A hash table of booleans marking ``keys`` (uint64), about 1/256 full."""
    bits = min(22, max(16, (256 * len(keys)).bit_length()))
    table = np.zeros(1 << bits, dtype=bool)
    table[_hash(keys, bits)] = True
    return bits, table


class _HeadIndex(NamedTuple):
    """The keys of a lexicon's literal forms, as hash tables (see :func:`_candidates`)."""

    first_len: np.ndarray    # lengths of first keys, one per group (int64)
    first_mask: np.ndarray   # the matching key masks (uint64)
    first_bits: int
    first_table: np.ndarray  # marks the first keys
    second_mask: np.ndarray  # masks of the lengths of second keys (uint64)
    pair_bits: int
    pair_table: np.ndarray   # marks the (first, second) key pairs, combined as first * _PAIR + second


def _head_index(forms: list[str]) -> _HeadIndex | None:
    """Hash tables of the first and second keys of the literal forms (None without any)."""
    if not forms:
        return None
    firsts, pairs, first_lens, second_lens = set(), set(), set(), set()
    for form in forms:
        first, used = _key_codes(form)
        rest = form[used:].lstrip(" -")  # separators the text may have (or lack) before the rest
        second = _key_codes(rest)[0] if rest and not rest.startswith("*") else []
        firsts.add(_pack(first))
        pairs.add((_pack(first), _pack(second)))
        first_lens.add(len(first))
        second_lens.add(len(second))
    a, b = (np.array(x, dtype=np.uint64) for x in zip(*sorted(pairs)))
    first_len = np.array(sorted(first_lens), dtype=np.int64)
    return _HeadIndex(first_len, np.array([_KEY_MASK[n] for n in first_len], dtype=np.uint64),
                      *_bool_table(np.array(sorted(firsts), dtype=np.uint64)),
                      np.array([_KEY_MASK[n] for n in sorted(second_lens)], dtype=np.uint64),
                      *_bool_table(a * _PAIR + b))


def _pattern_facts(body: str) -> tuple[bool, str]:
    """Of a "re:" pattern: can it match the empty string somewhere (a bare look-around, say), and the
    characters every match starts with ('' if that cannot be told).

    A pattern that can match nothing is left to the reference scan, whose handling of empty matches the
    batch scan does not reproduce; the prefix lets the batch scan find where the pattern can start with
    ``str.find``.
    """
    try:
        from re import _constants, _parser  # the engine's own parser, for exact answers

        parsed = _parser.parse(body)
        empty = parsed.getwidth()[0] == 0
        prefix = []
        if not parsed.state.flags & (_constants.SRE_FLAG_IGNORECASE | _constants.SRE_FLAG_LOCALE):
            for op, av in parsed.data:
                if op is not _constants.LITERAL:
                    break
                prefix.append(chr(av))
        return empty, "".join(prefix)
    except Exception:  # noqa: BLE001 - a parser that changed: stay on the safe side
        return True, ""


class _Work:
    """Work arrays, reused from chunk to chunk of one batch scan.

    NumPy temporaries of a few hundred kB, allocated afresh for every chunk, are often handed back to the
    system when freed and faulted in (zeroed) again at the next allocation, which can cost as much as the
    computation; reused arrays stay in place. (``np.take`` is called with ``mode="clip"`` and intp indices
    for the same reason: otherwise it buffers its output or converts its indices.)
    """

    def __init__(self):
        self._arrays: dict = {}

    def __call__(self, name: str, n: int, dtype=np.int64) -> np.ndarray:
        """``n`` elements of the work array ``name`` (contents undefined)."""
        a = self._arrays.get(name)
        if a is None or len(a) < n:
            a = self._arrays[name] = np.empty(n + n // 4, dtype=dtype)
        return a[:n]


def _chunk_codes(chunk: list[str], offsets: list[int], total: int, work: _Work) -> tuple[np.ndarray, ...]:
    """The chunk's UTF-16 code units (one per character, as intp) and their class bits."""
    codes = work("codes", total, np.intp)
    codes[:2] = _NEWLINE
    astral = []
    for text, at in zip(chunk, offsets):
        end = at + len(text)
        data = text.encode("utf-16-le", "surrogatepass")
        if len(data) == 2 * len(text):
            codes[at:end] = np.frombuffer(data, dtype="<u2")
        else:  # characters beyond the BMP (emoji, say): they share one code in keys
            wide = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
            codes[at:end] = np.minimum(wide, _BMP - 1)
            where = np.flatnonzero(wide >= _BMP)
            astral.append((where + at, wide[where].tolist()))
        codes[end] = _NEWLINE
    codes[total - _PAD:] = 0
    bits = np.take(_char_tables()[0], codes, mode="clip", out=work("bits", total, np.uint8))
    for where, wide_codes in astral:  # the tables stop at the BMP: classify the others one by one
        bits[where] = [_astral_bits(c) for c in wide_codes]
    return codes, bits


def _word_starts(bits: np.ndarray, work: _Work) -> tuple[np.ndarray, np.ndarray]:
    """The \\w-run starts of a chunk, and the number of words (of the words-only scan) that start before
    each run (one more entry, for all of them)."""
    total = len(bits)
    is_word = np.bitwise_and(bits, _WORD_BIT, out=work("is_word", total, np.uint8)).view(bool)
    starts = work("starts", total, bool)
    starts[0] = False
    np.greater(is_word[1:], is_word[:-1], out=starts[1:])
    runs = np.flatnonzero(starts)
    n = len(runs)
    if not n:
        return runs, np.zeros(1, dtype=np.int64)
    at = work("at", n)
    here = np.take(bits, runs, mode="clip", out=work("here", n, np.uint8))
    before = np.take(bits, np.subtract(runs, 1, out=at), mode="clip", out=work("before", n, np.uint8))
    before2 = np.take(bits, np.subtract(runs, 2, out=at), mode="clip", out=work("before2", n, np.uint8))
    # A run joins the chain of the run before it across an apostrophe with \w on both sides.
    flag = np.logical_and(np.bitwise_and(before, _APOS_BIT, out=before),
                          np.bitwise_and(before2, _WORD_BIT, out=before2), out=work("flag", n, bool))
    chain = work("chain", n)
    np.copyto(chain, np.logical_not(flag, out=flag))
    np.cumsum(chain, out=chain)
    letter = np.not_equal(np.bitwise_and(here, _LETTER_BIT, out=here), 0, out=work("letter", n, bool))
    # A chain's word starts at its first letter-initial run: a letter run whose chain is not that of the
    # last letter run before it (chain numbers never decrease).
    last = np.multiply(chain, letter, out=work("last", n))
    np.maximum.accumulate(last, out=last)
    flag[0] = True
    np.not_equal(chain[1:], last[:-1], out=flag[1:])
    np.logical_and(flag, letter, out=flag)
    word_cum = work("word_cum", n + 1)
    word_cum[0] = 0
    np.copyto(word_cum[1:], flag)
    np.cumsum(word_cum, out=word_cum)
    return runs, word_cum


def _keys(folded: np.ndarray, at: np.ndarray, work: _Work, name: str) -> np.ndarray:
    """The four-character keys (uint64) of the chunk at positions ``at``."""
    n = len(at)
    key, index = work(name, n, np.uint64), work("key_at", n)
    part, shifted = work("key_part", n, np.uint16), work("key_shifted", n, np.uint64)
    np.copyto(key, np.take(folded, at, mode="clip", out=part))
    for k in range(1, _KEY_LEN):
        np.take(folded, np.add(at, k, out=index), mode="clip", out=part)
        np.bitwise_or(key, np.left_shift(part, np.uint64(16 * k), out=shifted), out=key)
    return key


def _candidates(index: _HeadIndex | None, codes: np.ndarray, runs: np.ndarray, work: _Work) -> np.ndarray:
    """The \\w-run starts (sorted positions) whose keys agree with some form's.

    The first key of a run start is its first ``n`` characters, for each length ``n`` of a form's first
    key; where one is marked, the second key is read after them (and after up to ``_SKIP`` separators)
    and the pair is looked up, for each length of a form's second key. Different forms' keys share the
    tables, which, like hash collisions, can only let extra positions through.
    """
    if index is None or not len(runs):
        return runs[:0]
    n_runs, n_first, n_second = len(runs), len(index.first_len), len(index.second_mask)
    folded = np.take(_char_tables()[1], codes, mode="clip", out=work("folded", len(codes), np.uint16))
    # Arrays are (key length x positions): NumPy loops fastest along the long last axis.
    firsts = np.bitwise_and(index.first_mask[:, None], _keys(folded, runs, work, "key"),
                            out=work("firsts", n_first * n_runs, np.uint64).reshape(n_first, n_runs))
    slots = _hash(firsts, index.first_bits,
                  out=work("slots", n_first * n_runs, np.uint64).reshape(n_first, n_runs))
    marked = np.flatnonzero(np.take(index.first_table, slots, mode="clip",
                                    out=work("marked", n_first * n_runs, bool).reshape(n_first, n_runs)))
    group, run = np.divmod(marked, n_runs)
    first = np.take(firsts, marked)
    at = np.take(runs, run) + np.take(index.first_len, group)
    for _ in range(_SKIP):
        at += np.take(folded, at) == _SPACE_CODE
    ok = np.take(folded, at) == _SPACE_CODE  # a longer run of separators: let it through
    pairs = np.bitwise_and(index.second_mask[:, None], _keys(folded, at, work, "second"),
                           out=work("pairs", n_second * len(at), np.uint64).reshape(n_second, len(at)))
    np.add(pairs, first * _PAIR, out=pairs)
    ok |= np.take(index.pair_table, _hash(pairs, index.pair_bits, out=pairs), mode="clip").any(axis=0)
    found = np.take(runs, run[ok])
    found.sort()  # a position may pass for several first-key lengths
    return found[np.r_[True, found[1:] != found[:-1]]] if len(found) else found


def _scan_chunk(matcher, chunk: list[str], work: _Work) -> tuple[list[list[int]], np.ndarray]:
    """:meth:`LexiconMatcher.scan` of each (lower-cased) text of a chunk: mentions and word counts."""
    offsets = [2]
    for text in chunk[:-1]:
        offsets.append(offsets[-1] + len(text) + 1)
    codes, bits = _chunk_codes(chunk, offsets, offsets[-1] + len(chunk[-1]) + 1 + _PAD, work)
    runs, word_cum = _word_starts(bits, work)

    def words_before(pos):  # words the words-only scan takes before each position
        return word_cum[np.searchsorted(runs, pos)]

    starts = np.array(offsets, dtype=np.int64)
    ends = starts + np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk))
    words = words_before(ends) - words_before(starts)
    hits: list[list[int]] = [[] for _ in chunk]

    cands = _candidates(matcher._heads, codes, runs, work)
    positions: dict[int, list[int]] = {}
    if len(cands):
        owner = np.searchsorted(starts, cands, side="right") - 1
        local = (cands - starts[owner]).tolist()
        cut = (np.flatnonzero(owner[1:] != owner[:-1]) + 1).tolist()
        for a, b in zip([0, *cut], [*cut, len(local)]):
            positions[int(owner[a])] = local[a:b]
    if matcher._raw:
        for t, found in _raw_candidates(matcher, chunk).items():
            if found is None:
                positions.pop(t, None)
                hits[t], words[t] = matcher.scan(chunk[t])
            else:
                positions[t] = sorted(set(positions.get(t, [])).union(found))
    owners, bounds = [], []
    for t, cand in positions.items():
        found, scanned, stretches = matcher._rescan(chunk[t], cand)
        if stretches:
            hits[t] = found
            words[t] += scanned
            owners += [t] * (len(stretches) // 2)
            bounds += stretches
    if bounds:  # take the words-only counts of the rescanned stretches out again
        owner = np.array(owners, dtype=np.int64)
        span = np.array(bounds, dtype=np.int64).reshape(-1, 2) + starts[owner, None]
        np.subtract.at(words, owner, words_before(span[:, 1]) - words_before(span[:, 0]))
    return hits, words


def _raw_candidates(matcher, chunk: list[str]) -> dict[int, list[int] | None]:
    """Per text of the chunk (by position), where its "re:" patterns can start: where a pattern's literal
    prefix occurs, or else where the pattern itself matches. None for a text where that is in so many
    places that the reference scan is faster."""
    found: dict[int, list[int] | None] = {}
    for t, low in enumerate(chunk):
        limit = 64 + len(low) // 64
        starts: list[int] = []
        for (regex, _), prefix in zip(matcher._raw, matcher._raw_prefix):
            starts += itertools.islice(_raw_starts(regex, prefix, low), limit + 1 - len(starts))
            if len(starts) > limit:
                break
        if starts:
            found[t] = starts if len(starts) <= limit else None
    return found


def _raw_starts(regex: re.Pattern, prefix: str, low: str):
    """Yield the positions where ``prefix`` occurs in ``low``, or without a prefix where ``regex`` matches."""
    if prefix:
        at = low.find(prefix)
        while at >= 0:
            yield at
            at = low.find(prefix, at + 1)
    else:
        m = regex.search(low)
        while m is not None:
            yield m.start()
            m = regex.search(low, m.start() + 1)


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
    _heads: _HeadIndex | None  # hash tables of the literal forms' keys
    _raw_prefix: list  # per "re:" pattern: the literal characters its matches start with, or ''
    _batch_ok: bool  # False when a "re:" pattern can match the empty string (see _pattern_facts)
    _mentions: dict = field(default_factory=dict, repr=False)  # cache of _mention()

    def scan(self, text_lower: str) -> tuple[list[int], int]:
        """Return (variant indices of the mentions, word count) of one lower-cased text.

        This is the definition; :meth:`scan_many` gives the same for many texts, faster.
        """
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

    def scan_many(self, texts_lower: list[str]) -> tuple[list[list[int]], np.ndarray]:
        """:meth:`scan` of many lower-cased texts: the same mentions (in the same order) and word counts.

        Several times faster than calling :meth:`scan` per text: words are counted with NumPy and the scan
        expression only runs around the places where a lexicon form can start.

        Returns
        -------
        hits : list of list of int
            Per text, the variant indices of its mentions.
        n_words : numpy.ndarray
            Per text, the word count (int64).

        Examples
        --------
        >>> m = compile_lexicon(load_lexicon())
        >>> hits, n_words = m.scan_many(["kiev's regime", "no mention here"])
        >>> [m.variants.loc[h, "variant"].tolist() for h in hits], n_words.tolist()
        ([['Kiev', 'regime'], []], [2, 3])
        """
        hits: list[list[int]] = []
        n_words = np.zeros(len(texts_lower), dtype=np.int64)
        for start, _, found, n in self.scan_batches(texts_lower, lower=False):
            hits += found
            n_words[start:start + len(found)] = n
        return hits, n_words

    def scan_batches(self, texts: list[str], *, lower: bool = True):
        """Scan texts a batch (about 256k characters) at a time, as :meth:`scan_many` does.

        Lower-casing and scanning batch by batch keeps the memory small; it is reused from batch to batch.

        Parameters
        ----------
        texts : list of str
        lower : bool, default True
            Lower-case the texts first (pass False if they are lower-case already).

        Yields
        ------
        tuple
            ``(start, texts_lower, hits, n_words)`` for the texts ``start, start + 1, ...``: the texts
            lower-cased, the variant indices of the mentions per text, and the word counts (int64 array).

        Examples
        --------
        >>> m = compile_lexicon(load_lexicon())
        >>> for start, lows, hits, n_words in m.scan_batches(["Kiev's REGIME", "no mention"]):
        ...     print(start, lows, [m.variants.loc[h, "variant"].tolist() for h in hits], n_words.tolist())
        0 ["kiev's regime", 'no mention'] [['Kiev', 'regime'], []] [2, 2]
        """
        work = _Work()
        start = 0
        while start < len(texts):
            stop, size = start + 1, len(texts[start])
            while stop < len(texts) and size + len(texts[stop]) <= _CHUNK_CHARS:
                size += len(texts[stop]) + 1
                stop += 1
            chunk = [t.lower() for t in texts[start:stop]] if lower else texts[start:stop]
            if self._batch_ok:
                hits, n_words = _scan_chunk(self, chunk, work)
            else:
                pairs = [self.scan(t) for t in chunk]
                hits, n_words = [h for h, _ in pairs], np.array([n for _, n in pairs], dtype=np.int64)
            yield start, chunk, hits, n_words
            start = stop

    def _rescan(self, low: str, cand: list[int]) -> tuple[list[int], int, list[int]]:
        """The mentions of one lower-cased text, given (sorted) candidate positions for them.

        Returns the variant indices, the words the scan counts over the rescanned stretches, and the
        stretches' start and stop positions (flat); the text's word count is its words-only count with
        that of the stretches replaced (see the notes on batch scanning above).
        """
        at, sep_at, sep_search = self._scan.match, _SEP_CHAR_RE.match, _SEP_CHAR_RE.search
        # Up to the separator point after a mention, a match can only start at a \w character, or at the
        # separator character itself for a "re:" pattern.
        slack = 0 if self._raw else 1
        matched: list[str] = []
        stretches: list[int] = []
        words = 0
        pos = 0  # a separator point (or 0) that the scan passes through
        for p in cand:
            if p < pos:  # inside a stretch already rescanned
                continue
            # Would the scan take a mention here? Its lexicon alternative comes first, so it would if a
            # match here has the lexicon group (no "re:" pattern matches the empty string, see
            # _pattern_facts).
            m = at(low, p)
            g = m.group(1) if m is not None else None
            if not g:
                continue
            q = p
            while q > pos and sep_at(low, q - 1) is None:
                q -= 1
            if q == p:  # the scan resumes here, so it takes the mention just matched
                matched.append(g)
                words += self._mention(g)[0]
                resume = m.end()
                sep = sep_search(low, resume - 1)
                stop = sep.start() + 1 if sep else len(low)
                more = stop - resume > slack
            else:
                resume, stop, more = q, None, True
            if more:
                for m in self._scan.finditer(low, resume):
                    if stop is not None and m.start() >= stop:
                        break
                    g = m.group(1)
                    if g:
                        matched.append(g)
                        words += self._mention(g)[0]
                    else:
                        words += 1
                    if m.end() > p:
                        sep = sep_search(low, m.end() - 1)
                        stop = sep.start() + 1 if sep else len(low)
                else:
                    stop = len(low)
            stretches += (q, stop)
            pos = stop
        hits = [self._mention(g)[1] for g in matched]
        if None in hits:  # as in scan(): a "re:" pattern with look-arounds, resolved with positions
            hits = [v for _, _, v in self.finditer(low)]
        return hits, words, stretches

    def _mention(self, matched: str) -> tuple[int, int | None]:
        """Words that scan() counts for a matched mention, and its variant (see :meth:`resolve`)."""
        known = self._mentions.get(matched)
        if known is None:
            if len(self._mentions) > 65536:  # "re:" patterns can match without bound
                self._mentions.clear()
            known = self._mentions[matched] = (len(_SEP_RUN_RE.findall(matched)), self.resolve(matched))
        return known

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

    def in_context(self, text_lower: str, hits: list[int]) -> list[int]:
        """The ``hits`` (variant indices) whose context the text satisfies, in order: the same as
        filtering with :meth:`context_ok`, looking each context word up at most once per text.

        Examples
        --------
        >>> m = compile_lexicon(load_lexicon())
        >>> text = "the regime in kyiv and the regime at home"
        >>> hits, _ = m.scan(text)
        >>> m.variants.loc[m.in_context(text, hits), "variant"].tolist()
        ['regime', 'Kyiv', 'regime']
        """
        kept, by_context, by_word = [], {}, {}
        for v in hits:
            ctx = self._contexts[v]
            if ctx:
                ok = by_context.get(ctx)
                if ok is None:
                    ok = False
                    for word in ctx:
                        found = by_word.get(word)
                        if found is None:
                            found = by_word[word] = word in text_lower
                        if found:
                            ok = True
                            break
                    by_context[ctx] = ok
                if not ok:
                    continue
            kept.append(v)
        return kept

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
    if empty.any():  # (assigning through .loc costs even when nothing is selected)
        lex.loc[empty, "pattern"] = lex.loc[empty, "variant"].str.lower()
    repeated = lex.duplicated(["concept", "variant"])
    if repeated.any():
        dup = lex.loc[repeated, "variant"].iloc[0]
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
    facts = [_pattern_facts(body) for body in raw_bodies]
    batch_ok = not any(empty for empty, _ in facts)
    variants = pd.DataFrame(list(rows), columns=["concept", "variant", "pattern", "context"])
    return LexiconMatcher(variants, scan, scan_named, literal, prefixes, raw, contexts,
                          _head_index(sorted(set(forms))), [prefix for _, prefix in facts], batch_ok)
