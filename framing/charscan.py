"""Word tokens of many texts at once, found with NumPy over their code points.

The lexical features need, for every article, its word tokens (the words of ``framing.attribution._WORD_RE``:
"Kiev's", "Thomas-Greenfield", "U.S.", "@user") as lower-cased types. Finding them with the regular
expression creates one Python string per token, which costs more than everything done with the tokens
afterwards. Here the texts of a batch are joined and turned into an array of code points; each code point
is classified by table lookup; token starts and ends follow from the classes with array operations; and
each token's type is a 64-bit polynomial hash of its lower-cased code points (with its length). Python
strings are made only for the distinct types.

Exactness. The token spans are those of ``_WORD_RE.findall`` (tested against it, fuzzing included). The
character classes are tabulated by running the regular expressions' own classes over every character
of the Basic Multilingual Plane; characters beyond it are classified one by one. Lower-casing is per code
point, which is what ``str.lower`` does except for "İ" (whose lower case is two code points) and the
context-dependent final sigma of "Σ": texts with either take the regular expression. Types are checked:
within each type, a second hash (a sum of mixed code points) and the length must agree, and tokens of 64
code points or more are compared as strings (long strings can be built to defeat both hashes); a batch
that fails a check takes the regular expression. What remains is chance: two different short tokens
whose two hashes both agree, about 2**-64 for a pair that the second hash cannot tell apart.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import chain

import numpy as np
import pandas as pd

__all__ = ["word_types", "word_spans", "WordTypes", "char_classes"]

_BMP = 0x10000
# What the scan needs to know of a character: one of these classes (from the regular expressions' own
# character classes), and two flags for lower-casing.
OTHER, LETTER, WORD, UNDERSCORE, CONNECTOR, AT, DOT = range(7)   # WORD: \w but neither a letter nor "_"
CHANGES_CASE, SPECIAL = 8, 16
_CLASS_MASK = 7
_TABLES: tuple | None = None
_RULES: np.ndarray | None = None
_POWERS: tuple | None = None
_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)           # odd 64-bit multiplier (the golden ratio)
_MIX = (np.uint64(0xBF58476D1CE4E5B9),)             # splitmix64's first multiplier
_BATCH_CHARS = 750_000
_COMPARED = 64                                       # tokens this long are compared as strings
_CACHED_POWERS = 1 << 22                             # powers kept for batches up to this long (2 x 32 MB)
_SEPARATOR = "\n"                                    # joins texts: no word crosses it
# bits of the rule table
_STARTS_WORD, _CONTINUES, _LETTER_DOT = 1, 2, 4


def _class_of(char: str) -> int:
    if re.fullmatch(r"[^\W\d_]", char):
        return LETTER
    if char == "_":
        return UNDERSCORE
    if re.fullmatch(r"\w", char):
        return WORD
    if char in "-'’‘ʼ":
        return CONNECTOR
    if char in "@#":
        return AT
    return DOT if char == "." else OTHER


@lru_cache(maxsize=4096)
def _flags_of(char: str) -> int:
    flags = _class_of(char)
    low = char.lower()
    if low != char:
        flags |= CHANGES_CASE
    if len(low) != 1 or char == "Σ":
        flags |= SPECIAL                               # lower case is not one code point, or depends on context
    return flags


def _tables() -> tuple[np.ndarray, np.ndarray]:
    """Class and case flags, and lower-case code point, of every character of the Basic Multilingual
    Plane."""
    global _TABLES
    if _TABLES is None:
        chars = "".join(map(chr, range(_BMP)))
        flags = np.full(_BMP, OTHER, dtype=np.uint8)
        # later classes win: \w, then the connectors, then letters (ʼ is both: a letter continues a word
        # anyway), then the single characters
        for cls, pattern in ((WORD, r"\w"), (CONNECTOR, "[-'’‘ʼ]"), (LETTER, r"[^\W\d_]"), (UNDERSCORE, "_"),
                             (AT, "[@#]"), (DOT, r"\.")):
            for m in re.finditer(pattern + "+", chars):
                flags[m.start():m.end()] = cls
        lower = np.arange(_BMP, dtype=np.uint32)
        for c in range(_BMP):
            if 0xD800 <= c < 0xE000:
                continue                               # surrogates: no case
            ch = chr(c)
            low = ch.lower()
            if low != ch:
                flags[c] |= CHANGES_CASE
                if len(low) == 1:
                    lower[c] = ord(low)
            if len(low) != 1:
                flags[c] |= SPECIAL
        flags[ord("Σ")] |= SPECIAL
        _TABLES = (flags, lower)
    return _TABLES


def _rules() -> np.ndarray:
    """The scan's rules as a table over (class before, class, class after)."""
    global _RULES
    if _RULES is None:
        rules = np.zeros(8 * 8 * 8, dtype=np.uint8)
        glue = {LETTER, WORD, UNDERSCORE, AT}               # (?<![\w@#])
        alnum = {LETTER, WORD}                              # [^\W_]
        for before in range(8):
            for cls in range(8):
                for after in range(8):
                    bits = 0
                    if before not in glue and (cls == LETTER or (cls == AT and after == LETTER)):
                        bits |= _STARTS_WORD
                    if cls in (LETTER, WORD, UNDERSCORE) or (cls == CONNECTOR and after in alnum):
                        bits |= _CONTINUES
                    if cls == LETTER and after == DOT:
                        bits |= _LETTER_DOT
                    rules[(before << 6) | (cls << 3) | after] = bits
        _RULES = rules
    return _RULES


def char_classes(codes: np.ndarray) -> np.ndarray:
    """The class of each code point (OTHER, LETTER, WORD, UNDERSCORE, CONNECTOR, AT or DOT), uint8."""
    flags_table = _tables()[0]
    big = codes >= _BMP
    if not big.any():
        return flags_table[codes] & _CLASS_MASK
    out = flags_table[np.where(big, 0, codes)]
    idx = np.flatnonzero(big)
    out[idx] = [_flags_of(chr(c)) for c in codes[idx].tolist()]
    return out & _CLASS_MASK


def _classify(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flags and lower-case code points of ``codes``."""
    flags_table, lower_table = _tables()
    big = codes >= _BMP
    if not big.any():
        return flags_table[codes], lower_table[codes]
    small = np.where(big, 0, codes)
    flags, lower = flags_table[small], lower_table[small]
    for i in np.flatnonzero(big).tolist():
        ch = chr(int(codes[i]))
        flags[i] = _flags_of(ch)
        low = ch.lower()
        lower[i] = ord(low) if len(low) == 1 else codes[i]
    return flags, lower


def word_spans(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of every token that ``_WORD_RE.findall`` finds in a text whose code points have
    ``flags``, in order.

    ``_WORD_RE`` is ``(?=L\\.)(?:L\\.){2,}(?!L)|(?<![\\w@#])[@#]?L\\w*(?:[-'’‘ʼ][^\\W_]\\w*)*+`` (L a letter):
    at every position the scan reaches, a dotted abbreviation first, else a word. Candidate matches are
    computed for every position; the scan's choice among overlapping candidates is then made in order."""
    n = len(flags)
    if not n:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    cls = np.zeros(n + 2, dtype=np.uint16)              # OTHER before the start and after the end
    cls[1:n + 1] = flags & _CLASS_MASK
    key = cls[:-2] << 6
    key |= cls[1:-1] << 3
    key |= cls[2:]
    bits = _rules()[key]
    del key, cls
    word_starts = np.flatnonzero(bits & _STARTS_WORD)
    # a word runs to the end of its run of continuing characters
    cont = np.zeros(n + 1, dtype=np.int8)
    cont[:n] = (bits & _CONTINUES) != 0
    run_ends = np.flatnonzero(np.diff(cont) < 0) + 1
    word_ends = run_ends[np.searchsorted(run_ends, word_starts, side="right")]
    # a word start inside the word of an earlier start (after a connector: "Kiev's") shares its end
    first = np.ones(len(word_starts), dtype=bool)
    first[1:] = word_ends[1:] != word_ends[:-1]
    word_starts, word_ends = word_starts[first], word_ends[first]
    # dotted abbreviations: k >= 2 "letter dot" pairs from the start, not followed by a letter
    letter_dot = np.zeros(n + 4, dtype=bool)
    letter_dot[:n] = (bits & _LETTER_DOT) != 0
    abbr = np.flatnonzero(letter_dot[:n] & letter_dot[2:n + 2])
    if len(abbr):
        k = np.full(len(abbr), 2, dtype=np.int64)
        more = np.arange(len(abbr))
        for _ in range(8):                                    # "U.S.", "e.g.": a pair or two more at most
            more = more[letter_dot[np.minimum(abbr[more] + 2 * k[more], n + 3)]]
            k[more] += 1
            if not len(more):
                break
        else:
            # long chains ("a.b.c.d.e.f.g.h.i.j."): the run of pairs from every position at once, so that
            # the time stays linear
            run_end = np.empty(n + 4, dtype=np.int64)
            for parity in (0, 1):
                pairs = letter_dot[parity::2]
                first_gap = np.where(pairs, len(pairs), np.arange(len(pairs)))
                run_end[parity::2] = parity + 2 * np.minimum.accumulate(first_gap[::-1])[::-1]
            k[more] = (run_end[abbr[more]] - abbr[more]) // 2
        abbr_ends = abbr + 2 * k
        ok = ((flags[np.minimum(abbr_ends, n - 1)] & _CLASS_MASK) != LETTER) | (abbr_ends >= n)
        abbr, abbr_ends = abbr[ok], abbr_ends[ok]
    if len(abbr):
        # an abbreviation comes first where both match
        at_abbr = np.zeros(n, dtype=bool)
        at_abbr[abbr] = True
        plain = ~at_abbr[word_starts]
        starts = np.concatenate([word_starts[plain], abbr])
        ends = np.concatenate([word_ends[plain], abbr_ends])
        order = np.argsort(starts, kind="stable")
        starts, ends = starts[order], ends[order]
        # the scan takes a candidate only where the previous match has ended
        before = np.zeros(len(starts), dtype=np.int64)
        before[1:] = np.maximum.accumulate(ends[:-1])
        contested = np.flatnonzero(starts < before)
        if len(contested):
            taken = np.ones(len(starts), dtype=bool)
            certain = np.where(starts >= before, np.arange(len(starts)), -1)
            last_certain = np.maximum.accumulate(certain)[contested]
            certain_end = np.where(last_certain >= 0, ends[np.maximum(last_certain, 0)], 0).tolist()
            end_taken = 0
            for i, s, e, ce in zip(contested.tolist(), starts[contested].tolist(), ends[contested].tolist(),
                                   certain_end):
                if s >= max(end_taken, ce):
                    end_taken = e
                else:
                    taken[i] = False
            starts, ends = starts[taken], ends[taken]
        return starts, ends
    return word_starts, word_ends


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """_HASH_BASE**i and _HASH_BASE**-i modulo 2**64 for i < n (cached up to _CACHED_POWERS; grown as longer
    batches come)."""
    global _POWERS
    if _POWERS is not None and len(_POWERS[0]) >= n:
        return _POWERS
    # the next power of two: a few doublings as batches grow, and no 8 MB table for a batch of 100k characters
    # (a cached table is a smaller power of two, so this at least doubles it)
    size = n if n > _CACHED_POWERS else max(1 << (n - 1).bit_length(), 1 << 16)
    up = np.full(size, _HASH_BASE, dtype=np.uint64)
    down = np.full(size, np.uint64(pow(int(_HASH_BASE), -1, 1 << 64)), dtype=np.uint64)
    up[0] = down[0] = 1
    with np.errstate(over="ignore"):
        powers = (np.cumprod(up, dtype=np.uint64), np.cumprod(down, dtype=np.uint64))
    if size <= _CACHED_POWERS:                         # one huge article does not keep its table for good
        _POWERS = powers
    return powers


def _span_hashes(values: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two 64-bit hashes of each ``values[s:e]``, the same wherever the span stands: a polynomial one, and
    the sum of the values mixed by a multiply and xor-shift (from splitmix64), which catches the polynomial
    one's collisions unless the strings are also anagrams of each other."""
    up, down = _powers(len(values) + 1)
    prefix = np.zeros(len(values) + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.cumsum(values * up[:len(values)], out=prefix[1:])
        poly = (prefix[ends] - prefix[starts]) * down[starts]
        mixed = values * _MIX[0]
        mixed ^= mixed >> np.uint64(29)
        np.cumsum(mixed, out=prefix[1:])
        total = prefix[ends] - prefix[starts]
    return poly, total


def _batch_types(texts: list[str]):
    """:func:`word_types` of a few texts with NumPy, or None (see the module docstring)."""
    joined = _SEPARATOR.join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    flags, lower = _classify(codes)
    if (flags & SPECIAL).any():
        return None
    lower = lower.astype(np.uint64)
    starts, ends = word_spans(flags)
    bounds = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1, out=bounds[1:])
    counts = np.diff(np.searchsorted(starts, bounds))
    h1, h2 = _span_hashes(lower, starts, ends)
    length = (ends - starts).astype(np.uint64)
    with np.errstate(over="ignore"):
        key = h1 ^ (length * _MIX[0])
    type_codes, _ = pd.factorize(key)
    # factorize numbers the types in order of first appearance: each first appearance raises the running max
    first = np.flatnonzero(np.diff(np.maximum.accumulate(type_codes), prepend=-1) > 0)
    if not (np.array_equal(h2, h2[first[type_codes]]) and np.array_equal(length, length[first[type_codes]])):
        return None
    changed = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum((flags & CHANGES_CASE) != 0, out=changed[1:])
    written_lower = changed[ends] == changed[starts]
    words = [joined[a:b].lower() for a, b in zip(starts[first].tolist(), ends[first].tolist())]
    # Long strings can be built to collide in both hashes (Thue-Morse words are anagrams and collide for
    # any odd base modulo 2**64); they are rare in text, so long tokens are compared as strings.
    long_tokens = np.flatnonzero(length >= _COMPARED)
    if len(long_tokens) and any(joined[a:b].lower() != words[c] for a, b, c in zip(
            starts[long_tokens].tolist(), ends[long_tokens].tolist(), type_codes[long_tokens].tolist())):
        return None

    def written(tokens):
        return [joined[a:b] for a, b in zip(starts[tokens].tolist(), ends[tokens].tolist())]

    return counts, type_codes, words, written_lower, written


def _regex_types(texts: list[str], regex: re.Pattern):
    """:func:`word_types` of a few texts with the regular expression (the reference, and the fallback)."""
    tokens = [regex.findall(t) for t in texts]
    counts = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    flat = list(chain.from_iterable(tokens))
    codes, written_types = pd.factorize(np.array(flat, dtype=object)) if flat else (np.zeros(0, np.int64), [])
    lower = [w.lower() for w in written_types]
    lower_of, words = pd.factorize(np.array(lower, dtype=object)) if lower else (np.zeros(0, np.int64), [])
    written_lower = np.array([w == lw for w, lw in zip(written_types, lower)], dtype=bool)[codes]

    def written(tokens):
        return [flat[i] for i in np.asarray(tokens).tolist()]

    return counts, lower_of[codes] if len(codes) else codes, list(words), written_lower, written


class WordTypes:
    """Word tokens of many texts as lower-cased types (see :func:`word_types`).

    Attributes
    ----------
    counts : numpy.ndarray
        Tokens per text.
    codes : numpy.ndarray
        Each token's type, an index into ``words``, texts in order (int64).
    words : list of str
        The lower-cased word of each type.
    written_lower : numpy.ndarray
        Whether each token is written in lower case (``token == token.lower()``).
    """

    def __init__(self, counts, codes, words, written_lower, batches):
        self.counts, self.codes, self.words, self.written_lower = counts, codes, words, written_lower
        self._batches = batches               # (first token, function giving the batch's tokens as written)

    def written(self, tokens) -> list[str]:
        """The tokens at the indices ``tokens`` (increasing), as written."""
        tokens = np.asarray(tokens, dtype=np.int64)
        firsts = np.array([b[0] for b in self._batches], dtype=np.int64)
        which = np.searchsorted(firsts, tokens, side="right") - 1
        out = []
        for b in np.unique(which).tolist():
            first, written = self._batches[b]
            out.extend(written(tokens[which == b] - first))
        return out


def _batch_parts(batch: list[str], regex: re.Pattern) -> list:
    """:func:`_batch_types` of a batch; where it declines, the texts with İ or Σ (whose lower case the
    array path cannot give) take the regular expression and the runs of texts between them are tried
    again."""
    found = _batch_types(batch)
    if found is not None:
        return [found]
    parts, run = [], []
    for text in batch:
        if "İ" in text or "Σ" in text:
            if run:
                parts.append(_batch_types(run) or _regex_types(run, regex))
                run = []
            parts.append(_regex_types([text], regex))
        else:
            run.append(text)
    if run:
        parts.append(_batch_types(run) or _regex_types(run, regex))
    return parts


def word_types(texts: list[str], regex: re.Pattern, *, batch_chars: int = _BATCH_CHARS) -> WordTypes:
    """The tokens that ``regex.findall`` finds in each text, as lower-cased types, without a Python string
    per token.

    Parameters
    ----------
    texts : list of str
    regex : re.Pattern
        ``framing.attribution._WORD_RE``, whose tokens :func:`word_spans` reproduces; used as it is for the
        batches that the array path leaves to it (see the module docstring).
    batch_chars : int
        Texts are processed in batches of about this many characters: arrays of that size are reused by
        the memory allocator, larger ones are mapped afresh each time, which costs more than the work.

    Returns
    -------
    WordTypes

    Examples
    --------
    >>> from framing.attribution import _WORD_RE
    >>> found = word_types(["Kiev's mayor met U.S. envoys.", "The mayor"], _WORD_RE)
    >>> found.counts.tolist(), [found.words[c] for c in found.codes]
    ([5, 2], ["kiev's", 'mayor', 'met', 'u.s.', 'envoys', 'the', 'mayor'])
    """
    parts, lo, size = [], 0, 0
    for i, text in enumerate(texts):
        size += len(text) + 1
        if size >= batch_chars or i == len(texts) - 1:
            batch = texts[lo:i + 1]
            parts.extend(_batch_parts(batch, regex))
            lo, size = i + 1, 0
    if not parts:
        return WordTypes(np.zeros(0, np.int64), np.zeros(0, np.int64), [], np.zeros(0, bool), [])
    # one numbering of the types over all batches
    all_words = list(chain.from_iterable(p[2] for p in parts))
    global_of, words = pd.factorize(np.array(all_words, dtype=object)) if all_words else (np.zeros(0, np.int64), [])
    codes, batches, offset, first = [], [], 0, 0
    for counts, local, batch_words, _, written in parts:
        codes.append(global_of[offset + local] if len(local) else np.zeros(0, np.int64))
        batches.append((first, written))
        offset += len(batch_words)
        first += len(local)
    return WordTypes(np.concatenate([p[0] for p in parts]), np.concatenate(codes).astype(np.int64), list(words),
                     np.concatenate([p[3] for p in parts]), batches)
