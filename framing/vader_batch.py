"""VADER compound scores of many texts at once, vectorised with NumPy.

:func:`compound_many` returns for every text exactly (bit for bit) what ``framing.lexical._vader().compound``
returns, which is vaderSentiment 3.3.2's ``polarity_scores(text)["compound"]``. Arrow's compiled kernels
split the texts and number the distinct tokens of each batch, and Python looks each distinct token up once
in a cache of token types (Python's own split when pyarrow is missing); the properties VADER needs of a
token (its lower-cased, punctuation-stripped word, lexicon valence, booster value, negation, ALL CAPS, ...)
are computed once per distinct token, and VADER's rules then run as array operations over the lexicon words
of all texts together. Only the rare texts with "but", "!" or "?" get a few lines of Python each, and texts
with an emoji of VADER's emoji lexicon are scored by the sentence-at-a-time code.

Exactness: every rule is applied with the same floating-point operations in the same order as VADER's own
code (NumPy's element-wise ``+``, ``*``, ``/`` and ``sqrt`` are IEEE operations like Python's); sums run
left to right (``np.bincount`` with weights adds in input order), and rounding to four decimals falls back
to Python's ``round`` for values close to a tie, where ``np.round`` may disagree.
"""

from __future__ import annotations

import string
import threading
from contextlib import contextmanager
from itertools import chain, count, repeat

import numpy as np

__all__ = ["compound_many", "token_batch", "TokenBatch"]

_CHUNK = 100_000            # texts per pass: bounds the memory of the token arrays
_MAX_TYPES = 1_000_000      # distinct tokens kept in the cache before it starts again (about 260 MB)
_SEP = " "                  # marks the end of each text among the tokens: str.split() never returns it
_PUNCT = string.punctuation

# Words the rules compare with; registered first so that their word ids are these fixed small numbers.
_NONE, _NO, _BUT, _KIND, _OF, _LEAST, _NEVER, _SO, _THIS, _WITHOUT, _DOUBT, _AT, _VERY, _OR, _NOR = range(15)
_F_EMOJI, _F_MARK, _F_UPPER, _F_LEX, _F_BUT = 1, 2, 4, 8, 16    # a token type's flags (_State.arrays)
_RULE_WORDS = ["", "no", "but", "kind", "of", "least", "never", "so", "this", "without", "doubt", "at", "very",
               "or", "nor"]


class _Words(dict):
    """Word (VADER's lower-cased, punctuation-stripped token) -> word id, with the word's properties in
    parallel lists. ``reserved`` words are registered first, in order."""

    def __init__(self, lexicon: dict, booster: dict, negate: frozenset, reserved: list[str]):
        super().__init__()
        self.lexicon, self.booster_dict, self.negate = lexicon, booster, negate
        self.in_lex: list[bool] = []
        self.valence: list[float] = []
        self.is_booster: list[bool] = []
        self.booster: list[float] = []
        self.negated: list[bool] = []
        self.add(reserved)

    def add(self, words: list[str]) -> None:
        """Register ``words`` (distinct, none known yet), computing their properties together."""
        lexicon, booster, negate = self.lexicon, self.booster_dict, self.negate
        first = len(self.in_lex)
        self.in_lex.extend([w in lexicon for w in words])
        self.valence.extend([lexicon.get(w, 0.0) for w in words])
        self.is_booster.extend([w in booster for w in words])
        self.booster.extend([booster.get(w, 0.0) for w in words])
        self.negated.extend([w in negate or "n't" in w for w in words])
        self.update(zip(words, range(first, first + len(words))))


class _Types(dict):
    """Raw token -> type id, numbered on first lookup; the types' word ids and flags (ALL CAPS, emoji,
    "!"/"?") in parallel lists, computed for many new types at once (:meth:`complete`). Type 0 is the
    end-of-text marker."""

    def __init__(self, words: _Words, emoji_chars: frozenset):
        super().__init__()
        self.words, self.emoji_chars = words, emoji_chars
        self.tokens = [_SEP]                    # type id -> the token
        self.wid = [_NONE]                      # the properties of the first len(wid) types
        self.flags = [0]
        self[_SEP] = 0

    def __missing__(self, token: str) -> int:
        tid = len(self.tokens)
        self.tokens.append(token)
        self[token] = tid
        return tid

    def register(self, tokens: list[str]) -> int:
        """Number ``tokens`` (distinct, none known yet) in order, as many lookups would; the first's id."""
        first = len(self.tokens)
        self.tokens.extend(tokens)
        self.update(zip(tokens, range(first, first + len(tokens))))
        return first

    def complete(self) -> None:
        """Compute the properties of the types numbered since the last call."""
        tokens = self.tokens[len(self.wid):]
        if not tokens:
            return
        keys, flags = _keys_and_flags(tokens, self.emoji_chars)
        words = self.words
        fresh = [k for k in dict.fromkeys(keys) if k not in words]
        if fresh:
            words.add(fresh)
        self.wid.extend(map(words.__getitem__, keys))
        self.flags.extend(flags)


def _keys_and_flags_python(tokens: list[str], emoji_chars: frozenset) -> tuple[list[str], list[int]]:
    """Each token's word (VADER's ``_strip_punc_if_word``, lower-cased) and flags (ALL CAPS, emoji, "!"/"?").
    Emoji and "!"/"?" are never white space, so a text holds one exactly when one of its tokens does."""
    keys = [(t if len(s) <= 2 else s).lower() for t, s in zip(tokens, [t.strip(_PUNCT) for t in tokens])]
    flags = [t.isupper() * _F_UPPER | (not emoji_chars.isdisjoint(t)) * _F_EMOJI | ("!" in t or "?" in t) * _F_MARK
             for t in tokens]
    return keys, flags


_ARROW_MIN = 256            # fewer new types than this: Python's loops beat the conversion to Arrow


def _keys_and_flags(tokens: list[str], emoji_chars: frozenset) -> tuple[list[str], list[int]]:
    """:func:`_keys_and_flags_python`, with Arrow's ASCII kernels (twice as fast on news). They trim, lower-case
    and test for upper case only the ASCII characters, so they give Python's ``strip``, ``lower`` and
    ``isupper`` on tokens whose other characters are caseless (curly quotes, dashes: ``lower`` leaves them,
    ``isupper`` skips them) and no emoji of VADER (none is ASCII, checked). Tokens with a cased non-ASCII
    letter (İ, final sigma, title case) keep Python's Unicode rules."""
    if len(tokens) < _ARROW_MIN or not _arrow_splits_as_python() or any(c.isascii() for c in emoji_chars):
        return _keys_and_flags_python(tokens, emoji_chars)
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(tokens, type=pa.large_string())
    except UnicodeEncodeError:           # a lone surrogate
        return _keys_and_flags_python(tokens, emoji_chars)
    stripped = pc.ascii_trim(arr, characters=_PUNCT)
    keys = pc.ascii_lower(pc.if_else(pc.less_equal(pc.utf8_length(stripped), 2), arr, stripped)).to_pylist()
    flags = (pc.ascii_is_upper(arr).to_numpy(zero_copy_only=False) * np.uint8(_F_UPPER)
             | (pc.match_substring(arr, "!").to_numpy(zero_copy_only=False)
                | pc.match_substring(arr, "?").to_numpy(zero_copy_only=False)) * np.uint8(_F_MARK)).tolist()
    wide = np.flatnonzero(~pc.string_is_ascii(arr).to_numpy(zero_copy_only=False)).tolist()
    if wide:
        wide_tokens = [tokens[i] for i in wide]
        cased = frozenset(c for c in set("".join(wide_tokens)) if not _caseless(c, emoji_chars))
        other = [i for i, t in zip(wide, wide_tokens) if not cased.isdisjoint(t)]
        if other:
            other_keys, other_flags = _keys_and_flags_python([tokens[i] for i in other], emoji_chars)
            for i, key, flag in zip(other, other_keys, other_flags):
                keys[i], flags[i] = key, flag
    return keys, flags


def _caseless(c: str, emoji_chars: frozenset) -> bool:
    """Whether Arrow's ASCII kernels may pass over the character ``c``: ASCII, or neither upper, lower nor
    title case and its own lower case (what ``str.isupper`` skips and ``str.lower`` keeps), and no emoji."""
    return c.isascii() or (c.lower() == c and not (c.isupper() or c.islower() or c.istitle())
                           and c not in emoji_chars)


class _NgramTable:
    """Values of word n-grams, indexed by the n-gram's code (its word ids as digits in base ``base``): the
    rule words are few, so a dense table (NaN where no n-gram) is small and looked up by plain indexing."""

    def __init__(self, entries: dict[int, float], base: int, size: int):
        self.values = np.full(base ** size, np.nan)
        for code, value in entries.items():
            self.values[code] = float(value)

    def lookup(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found, value) per code."""
        value = self.values[codes]
        return ~np.isnan(value), value


_GENERATIONS = count()


class _State:
    """VADER's tables as word ids and arrays, and the token cache, shared by all calls."""

    def __init__(self):
        from .lexical import _vader

        self.vader = _vader()
        v = self.vader.v
        self.N_SCALAR, self.C_INCR = v.N_SCALAR, v.C_INCR
        analyzer = self.vader.analyzer
        single = frozenset(e for e in analyzer.emojis if len(e) == 1)
        self.emoji_chars = single
        # a whitespace emoji would never reach a token; VADER has none, but check the texts directly if so
        self.space_emoji = frozenset(e for e in single if e.isspace())
        ngrams = [k.split(" ") for k in list(v.SPECIAL_CASES) + list(v.BOOSTER_DICT) if " " in k]
        self.reserved = list(dict.fromkeys(_RULE_WORDS + [w for g in ngrams for w in g]))
        self.base = len(self.reserved)           # ngram codes: word ids below base, in base-`base` digits
        self.lexicon, self.booster_dict, self.negate = analyzer.lexicon, v.BOOSTER_DICT, frozenset(v.NEGATE)
        self.reset()
        assert [self.words[w] for w in _RULE_WORDS] == list(range(len(_RULE_WORDS)))   # the _NO, ... ids

        def code(words):
            c = 0
            for w in words:
                c = c * self.base + self.words[w]
            return c

        def table(d, size):
            return _NgramTable({code(k.split(" ")): val for k, val in d.items() if len(k.split(" ")) == size},
                               self.base, size)

        self.special2, self.special3 = table(v.SPECIAL_CASES, 2), table(v.SPECIAL_CASES, 3)
        self.booster2, self.booster3 = table(v.BOOSTER_DICT, 2), table(v.BOOSTER_DICT, 3)

    def reset(self):
        self.generation = next(_GENERATIONS)    # type ids of another generation (or another state) are void
        self.words = _Words(self.lexicon, self.booster_dict, self.negate, self.reserved)
        self.types = _Types(self.words, self.emoji_chars)
        self._type_arrays = self._word_arrays = None

    def arrays(self):
        """Per-type and per-word property arrays, extended with the types and words added since last call.
        Per type: its word id, and its flags with its word's (lexicon word, "but") as the bits of one byte
        (_F_*), so that one pass over a text's tokens finds all it needs."""
        t, w = self.types, self.words
        t.complete()
        if self._word_arrays is None or len(self._word_arrays[0]) < len(w.in_lex):
            k = 0 if self._word_arrays is None else len(self._word_arrays[0])
            new = (np.array(w.in_lex[k:], dtype=bool), np.array(w.valence[k:], dtype=np.float64),
                   np.array(w.is_booster[k:], dtype=bool), np.array(w.booster[k:], dtype=np.float64),
                   np.array(w.negated[k:], dtype=bool))
            self._word_arrays = new if self._word_arrays is None else tuple(
                np.concatenate(pair) for pair in zip(self._word_arrays, new))
        if self._type_arrays is None or len(self._type_arrays[0]) < len(t.wid):
            k = 0 if self._type_arrays is None else len(self._type_arrays[0])
            wid = np.array(t.wid[k:], dtype=np.int32)
            flags = (np.array(t.flags[k:], dtype=np.uint8) | self._word_arrays[0][wid] * np.uint8(_F_LEX)
                     | (wid == _BUT) * np.uint8(_F_BUT))
            new = (wid, flags)
            self._type_arrays = new if self._type_arrays is None else tuple(
                np.concatenate(pair) for pair in zip(self._type_arrays, new))
        return self._type_arrays, self._word_arrays


_STATE: _State | None = None
_LOCK = threading.Lock()          # the caches are shared; one batch at a time fills them


def compound_many(texts) -> np.ndarray:
    """VADER's compound score of every text, identical to ``framing.lexical._vader().compound(text)``.

    Parameters
    ----------
    texts : sequence of str
        The texts (usually sentences) to score.

    Returns
    -------
    numpy.ndarray
        float64, one score per text in ``[-1, 1]``, rounded to four decimals as VADER does; 0.0 for empty
        texts and texts without a lexicon word.

    Examples
    --------
    >>> from framing.vader_batch import compound_many
    >>> compound_many(["A good, happy day.", "Not bad at all", ""]).tolist()
    [0.765, 0.431, 0.0]
    """
    global _STATE
    texts = texts if isinstance(texts, list) else list(texts)
    out = np.zeros(len(texts), dtype=np.float64)
    with _LOCK:
        if _STATE is None:
            _STATE = _State()
        state = _STATE
        for a in range(0, len(texts), _CHUNK):
            if len(state.types) > _MAX_TYPES:
                state.reset()
            out[a:a + _CHUNK] = _compound_chunk(state, texts[a:a + _CHUNK])
    return out


class TokenBatch:
    """The token types of :func:`compound_many`, for a caller that also reads the tokens (see
    :func:`token_batch`): the ids stay valid while the batch is open."""

    def __init__(self, state: _State):
        self._state = state

    @property
    def generation(self) -> int:
        """Changes whenever the type cache starts again, so that per-type data kept elsewhere is renewed."""
        return self._state.generation

    @property
    def tokens(self) -> list[str]:
        """Each type's token (index: type id; 0 is the end-of-text marker)."""
        return self._state.types.tokens

    def ids(self, texts: list[str]) -> np.ndarray:
        """The type id of every whitespace-separated token of ``texts``, each text followed by 0."""
        return _token_ids(self._state, texts)

    def compound(self, ids: np.ndarray, texts: list[str]) -> np.ndarray:
        """:func:`compound_many` of ``texts``, given their :meth:`ids`."""
        return _compound_ids(self._state, ids, texts) if len(texts) else np.zeros(0)


@contextmanager
def token_batch():
    """Hold the type cache for a while, to split texts once and both score them and read their tokens.

    Examples
    --------
    >>> with token_batch() as batch:
    ...     ids = batch.ids(["Not bad at all"])
    ...     [batch.tokens[i] for i in ids[:-1]], batch.compound(ids, ["Not bad at all"]).tolist()
    (['Not', 'bad', 'at', 'all'], [0.431])
    """
    global _STATE
    with _LOCK:
        if _STATE is None:
            _STATE = _State()
        if len(_STATE.types) > _MAX_TYPES:
            _STATE.reset()
        yield TokenBatch(_STATE)


def _compound_chunk(state: _State, texts: list[str]) -> np.ndarray:
    """:func:`compound_many` of one chunk of texts."""
    if not texts:
        return np.zeros(0)
    return _compound_ids(state, _token_ids(state, texts), texts)


def _compound_ids(state: _State, ids: np.ndarray, texts: list[str]) -> np.ndarray:
    """:func:`compound_many` of ``texts``, whose tokens' type ids (each text followed by 0) are ``ids``."""
    n_texts = len(texts)
    (t_wid, t_flags), (w_lex, w_val, w_isb, w_boost, w_neg) = state.arrays()
    ends = np.flatnonzero(ids == 0)                         # position of each text's end marker
    starts = np.empty(n_texts, dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    ntok = ends - starts
    # the few tokens that matter: ALL CAPS, lexicon words, "but", emoji, "!" or "?"
    flags = t_flags[ids]
    flagged = np.flatnonzero(flags)
    bits = flags[flagged]

    fallback = np.zeros(n_texts, dtype=bool)                # texts with emoji: VADER's slow path
    emoji_at = flagged[(bits & _F_EMOJI) != 0]
    if len(emoji_at):
        fallback[np.searchsorted(ends, emoji_at)] = True
    if state.space_emoji:
        fallback |= np.fromiter((not state.space_emoji.isdisjoint(t) for t in texts), dtype=bool, count=n_texts)

    n_upper = np.bincount(np.searchsorted(ends, flagged[(bits & _F_UPPER) != 0]), minlength=n_texts)
    cap_diff = (n_upper > 0) & (n_upper < ntok)             # VADER's is_cap_diff: some but not all ALL CAPS

    # Lexicon words ("hits"). Booster words and "kind" in "kind of" keep a sentiment of 0. The end marker
    # after each text makes ids[h + 1] safe and never "of".
    h = flagged[(bits & _F_LEX) != 0]
    w = t_wid[ids[h]]
    t = np.searchsorted(ends, h)
    keep = ~w_isb[w] & ~((w == _KIND) & (t_wid[ids[h + 1]] == _OF)) & ~fallback[t]
    h, w, t = h[keep], w[keep], t[keep]
    pos = h - starts[t]
    n = ntok[t]

    # Neighbouring words, _NONE outside the text (the indices are clipped where the word is masked anyway)
    def word_at(k, inside):
        return np.where(inside, t_wid[ids[np.clip(h + k, 0, len(ids) - 1)]], _NONE)

    def upper_at(k):
        return (t_flags[ids[np.clip(h + k, 0, len(ids) - 1)]] & _F_UPPER) != 0

    m1, m2, m3 = (word_at(-k, pos >= k) for k in (1, 2, 3))
    p1 = t_wid[ids[h + 1]]                                  # the end marker (_NONE) after the last word
    p2 = word_at(2, pos < n - 2)
    cap_t = cap_diff[t]
    N_SCALAR, C_INCR = state.N_SCALAR, state.C_INCR

    # vaderSentiment's sentiment_valence, step by step as in _FastVader.compound
    lex_valence = w_val[w]
    valence = np.where((w == _NO) & w_lex[p1], 0.0, lex_valence)
    after_no = (m1 == _NO) | (m2 == _NO) | ((m3 == _NO) & ((m1 == _OR) | (m1 == _NOR)))
    valence = np.where(after_no, lex_valence * N_SCALAR, valence)
    valence = np.where(upper_at(0) & cap_t, np.where(valence > 0, valence + C_INCR, valence - C_INCR), valence)
    for start_i, prev in enumerate((m1, m2, m3)):
        k = start_i + 1
        active = (pos >= k) & ~w_lex[prev]
        # scalar_inc_dec
        is_b = w_isb[prev]
        s = np.where(is_b, w_boost[prev], 0.0)
        s = np.where(is_b & (valence < 0), s * -1, s)
        s = np.where(is_b & upper_at(-k) & cap_t, np.where(valence > 0, s + C_INCR, s - C_INCR), s)
        if start_i == 1:
            s = np.where(s != 0, s * 0.95, s)
        elif start_i == 2:
            s = np.where(s != 0, s * 0.9, s)
        valence = np.where(active, valence + s, valence)
        # _negation_check
        if start_i == 0:
            valence = np.where(active & w_neg[m1], valence * N_SCALAR, valence)
        elif start_i == 1:
            more = (m2 == _NEVER) & ((m1 == _SO) | (m1 == _THIS))
            kept = ~more & (m2 == _WITHOUT) & (m1 == _DOUBT)
            valence = np.where(active & more, valence * 1.25, valence)
            valence = np.where(active & ~more & ~kept & w_neg[m2], valence * N_SCALAR, valence)
        else:
            more = ((m3 == _NEVER) & ((m2 == _SO) | (m2 == _THIS))) | (m1 == _SO) | (m1 == _THIS)
            kept = ~more & (m3 == _WITHOUT) & ((m2 == _DOUBT) | (m1 == _DOUBT))
            valence = np.where(active & more, valence * 1.25, valence)
            valence = np.where(active & ~more & ~kept & w_neg[m3], valence * N_SCALAR, valence)
            valence = _special_idioms(state, valence, active, w, m1, m2, m3, p1, p2)
    # _least_check; for the second word of a text m2 is _NONE, which is neither "at" nor "very"
    least = (m1 == _LEAST) & ~w_lex[m1] & (m2 != _AT) & (m2 != _VERY)
    valence = np.where(least, valence * N_SCALAR, valence)

    # score_valence: the sum of each text's sentiments, left to right (bincount adds in input order)
    sums = np.bincount(t, weights=valence, minlength=n_texts)
    but_at = flagged[(bits & _F_BUT) != 0]
    if len(but_at):
        but_text, first = np.unique(np.searchsorted(ends, but_at), return_index=True)
        lo, hi = np.searchsorted(t, but_text, "left"), np.searchsorted(t, but_text, "right")
        bi = (but_at[first] - starts[but_text]).tolist()
        for text, a, b, first_but in zip(but_text.tolist(), lo.tolist(), hi.tolist(), bi):
            if a < b:
                sums[text] = _but_sum(pos[a:b].tolist(), valence[a:b].tolist(), first_but, int(ntok[text]))
    mark_at = flagged[(bits & _F_MARK) != 0]
    if len(mark_at):
        marked = np.zeros(n_texts, dtype=bool)
        marked[np.searchsorted(ends, mark_at)] = True
        emphasis = state.vader.analyzer._punctuation_emphasis
        for text in np.flatnonzero(marked & (sums != 0) & ~fallback).tolist():
            s = float(sums[text])
            amplifier = emphasis(texts[text].strip())
            sums[text] = s + amplifier if s > 0 else s - amplifier

    scores = _round4(np.clip(sums / np.sqrt(sums * sums + 15), -1.0, 1.0))   # normalize, alpha=15
    for text in np.flatnonzero(fallback).tolist():
        scores[text] = state.vader.compound(texts[text])
    return scores


def _token_ids(state: _State, texts: list[str]) -> np.ndarray:
    """Type id of every token of ``texts``, each text followed by the end marker (0). Types are numbered in
    the order of their first token either way."""
    if _arrow_splits_as_python():
        try:
            return _token_ids_arrow(state, texts)
        except UnicodeEncodeError:       # a lone surrogate, which UTF-8 cannot hold: str.split() takes it
            pass
    return _token_ids_python(state, texts)


# Python's str.split() white space, and characters that are not white space to Python but are in other
# definitions (U+180E was until Unicode 6.3; U+200B, U+2060 and U+FEFF are "format" characters).
_SPLIT_PROBE = ("\x1cA\tB\nC\x0bD\x0cE\rF\x1dG\x1eH\x1fI J\x85K\xa0L\u1680M\u2000N\u2001O\u2002P\u2003Q"
                "\u2004R\u2005S\u2006T\u2007U\u2008V\u2009W\u200aX\u2028Y\u2029Z\u202fa\u205fb\u3000c"
                "\u180ed\u200be\u2060f\ufeffg\x00h\x1bi\xadj \t ")
_ARROW_OK: bool | None = None


def _arrow_splits_as_python() -> bool:
    """Whether pyarrow's ``utf8_split_whitespace``, empty strings left out, splits as ``str.split()`` does
    (checked once on every kind of white space, since Arrow's Unicode tables come with its version)."""
    global _ARROW_OK
    if _ARROW_OK is None:
        try:
            import pyarrow as pa
            import pyarrow.compute as pc

            got = pc.utf8_split_whitespace(pa.array([_SPLIT_PROBE, "", " ", "a"])).to_pylist()
            _ARROW_OK = [[t for t in x if t] for x in got] == [_SPLIT_PROBE.split(), [], [], ["a"]]
        except Exception:          # no pyarrow, or one without the kernel: split in Python
            _ARROW_OK = False
    return _ARROW_OK


def _token_ids_arrow(state: _State, texts: list[str]) -> np.ndarray:
    """:func:`_token_ids` with Arrow's compiled kernels: they split the texts and number the distinct
    tokens of the batch (in order of first appearance), so Python looks up each distinct token once
    instead of making and looking up a string per token (1.7x faster on news sentences). Arrow leaves an
    empty string where white space begins or ends a text; str.split() has none, so they are dropped."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(texts)
    # A last text ending in multi-byte white space can come back unsplit or not (pyarrow 26 reads past
    # the end of the data when its size is a multiple of 64 bytes): an ASCII sentinel is always last.
    lists = pc.utf8_split_whitespace(pa.array(texts + ["x"], type=pa.large_string())).slice(0, n)
    encoded = lists.flatten().dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    types = state.types
    blank = -1
    try:
        blank = distinct.index("")
    except ValueError:
        pass
    if blank >= 0:
        distinct[blank] = _SEP                               # a placeholder: its tokens are dropped below
    # known types by a C-level lookup; the new ones (-1) are numbered in bulk, in order of first appearance
    type_of = np.fromiter(map(types.get, distinct, repeat(-1)), dtype=np.int32, count=len(distinct))
    new = np.flatnonzero(type_of < 0)
    if len(new):
        first = types.register([distinct[i] for i in new.tolist()])
        type_of[new] = np.arange(first, first + len(new), dtype=np.int32)
    tokens = encoded.indices.to_numpy(zero_copy_only=False)
    lengths = np.diff(np.asarray(lists.offsets.to_numpy(zero_copy_only=False), dtype=np.int64))
    at = np.arange(len(tokens)) + np.repeat(np.arange(n), lengths)     # room for each text's end marker
    out = np.zeros(len(tokens) + n, dtype=np.int32)
    out[at] = type_of[tokens]
    if blank >= 0:
        return np.delete(out, at[tokens == blank])
    return out


def _token_ids_python(state: _State, texts: list[str]) -> np.ndarray:
    """:func:`_token_ids` in Python. The token lists live only while they are consumed (keeping millions
    of them alive costs more in memory and garbage collection than splitting)."""
    return np.fromiter(map(state.types.__getitem__,
                           chain.from_iterable(chain.from_iterable(zip(map(str.split, texts), repeat((_SEP,)))))),
                       dtype=np.int32)


def _special_idioms(state, valence, active, w, m1, m2, m3, p1, p2):
    """vaderSentiment's _special_idioms_check where ``active`` (start_i == 2 and the third word before is
    not in the lexicon, so all three words before exist). Codes of words outside the rule words are 0
    and never part of an idiom."""
    base = state.base
    c0, c1, c2, c3 = (np.where(x < base, x, 0).astype(np.int64) for x in (w, m1, m2, m3))
    q1, q2 = (np.where(x < base, x, 0).astype(np.int64) for x in (p1, p2))
    s2, s3 = state.special2.lookup, state.special3.lookup
    onezero, twoonezero, twoone = s2(c1 * base + c0), s3((c2 * base + c1) * base + c0), s2(c2 * base + c1)
    threetwoone, threetwo = s3((c3 * base + c2) * base + c1), s2(c3 * base + c2)
    done = ~active
    for found, value in (onezero, twoonezero, twoone, threetwoone, threetwo):     # the first match wins
        hit = found & ~done
        valence = np.where(hit, value, valence)
        done |= hit
    for found, value in (s2(c0 * base + q1), s3((c0 * base + q1) * base + q2)):  # these override
        valence = np.where(active & found, value, valence)
    for found, value in (state.booster3.lookup((c3 * base + c2) * base + c1), state.booster2.lookup(c3 * base + c2),
                         state.booster2.lookup(c2 * base + c1)):
        valence = np.where(active & found, valence + value, valence)
    return valence


def _but_sum(positions: list[int], values: list[float], but: int, n: int) -> float:
    """The sum of one text's sentiments after vaderSentiment's _but_check, given the positions and values of
    its lexicon words, the position of its first "but" and its number of tokens: the sentiments are laid
    out as ``_FastVader.compound`` holds them and scaled by the same code."""
    from .lexical import _scale_around_but

    sentiments = [0] * n
    for k, value in zip(positions, values):
        sentiments[k] = value
    return float(sum(_scale_around_but(sentiments, but)))


def _round4(x: np.ndarray) -> np.ndarray:
    """``round(value, 4)`` for every value: NumPy's rounding of value * 10**4, and Python's ``round`` where
    value * 10**4 is within 1e-9 of a tie, where the rounding error of the multiplication could decide."""
    y = x * 10000.0
    out = np.rint(y) / 10000.0
    near = np.flatnonzero(np.abs(y - np.floor(y) - 0.5) < 1e-9)
    for k in near.tolist():
        out[k] = round(float(x[k]), 4)
    return out
