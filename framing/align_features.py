"""Features for event alignment: content stems, names, numbers, resolved dates and term classes, as
sparse counts.

Every sentence (and every title) of a corpus becomes a bag of *features*:

* ``w:<stem>`` — a content word (not a stop word, attribution verb or calendar word; see
  ``framing/data/align_stopwords.tsv``), Snowball-stemmed so that "demanded"/"demands" meet;
* ``n:<key>`` — a capitalised word inside a sentence or an acronym: a *name* (Biden, NATO, Kyiv, Nord,
  Stream). The key folds transliteration variants: case, doubled letters and inner vowels are dropped
  ("Zelensky", "Zelenskiy", "Zelenskyy" → ``n:zlnsk``; "Kyiv", "Kiev" → ``n:kv``);
* ``#:<number>`` — a number with its unit ("100,000" → ``#:100000``, "$2.5bn" → ``#:2.5bn``, "2014");
  the day of "December 7" is part of a date, not a number;
* ``d:<YYYY-MM-DD>`` — a day resolved by :func:`framing.dates.resolve_dates` against the publication
  date ("on Thursday", "December 30").

**Term classes.** Words and phrases that state the same thing in different words count as one feature:
the groups of ``framing/data/paraphrases.csv`` (join / membership / accession; troops / soldiers /
forces; NATO / "military bloc" / alliance in articles that mention NATO) and the concepts of the
contested-term lexicon ``framing/data/contested_terms.tsv`` (Kiev / Kyiv, regime / government,
"illegal immigrants" / "undocumented immigrants"), whose variants are by definition competing names for
one thing: a fact must align whichever name an outlet chose, or the framing differences the toolkit
exists to show would split the very facts they are about. Groups that share a form are merged. A class
named by a proper name (NATO) counts as that name, any other as the stem of its name, so forms that are
not listed but share that stem join too. Phrases are matched longest first, as whole words within a
sentence; a class with a ``context`` applies only in articles containing one of its context words. See
:func:`term_classes` to inspect the classes in use.

A capitalised word at the start of a sentence is ambiguous (a name, or any word); it becomes a name when
the same word occurs as a name elsewhere in the corpus, else a content word. Headlines in title case are
read the same way word by word. Hyphenated tokens count as their parts ("Biden-Putin", "US-led").

**Implementation.** Texts are tokenised with one regular-expression call each
(:func:`framing.text.tokenize`); all further work is done once per distinct token (stemming, name keys,
stop words) and then per token with NumPy arrays (sentence-initial positions, day numbers after month
names, phrase matching), so the Python work grows with the vocabulary, not with the corpus. Articles are
processed in chunks, which bounds memory. The result is a :class:`FeatureCounts` with a sentence ×
feature count matrix; article vectors are sums of their sentences (plus the title).
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .arrays import unique
from .dates import resolve_dates_frame
from .errors import FramingError
from .parallel import effective_n_jobs, parallel_map
from .text import STOP_WORDS, normalize_token, tokenize

__all__ = ["FeatureCounts", "count_features", "name_key", "FEATURE_KINDS", "load_stop_words",
           "load_paraphrases", "load_skip_concepts", "term_classes", "STOP_WORD_KINDS", "TERM_CLASS_COLUMNS"]

FEATURE_KINDS = ("w", "n", "#", "d")
"""Feature prefixes: content word stem, name, number, resolved day."""

STOP_WORD_KINDS = ("attribution", "calendar", "clause", "stop")
"""Kinds of words in an alignment stop-word file (see ``framing/data/align_stopwords.tsv``)."""

TERM_CLASS_COLUMNS = ["class", "feature", "form", "context", "source"]

_INNER_VOWELS = re.compile(r"(?<!^)[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")
_NUMBER_JUNK = str.maketrans("", "", "$€£,")
_POSSESSIVE = re.compile(r"['’]s$|(?<=s)['’]$")
_FORM_SPLIT = re.compile(r"[\s\-‐‑]+")
_FORM_OK = re.compile(r"^[^\W_][\w .'’‘ʼ\-‐‑]*\*?$")
# After one of these punctuation tokens a capital is as ambiguous as at the start of a sentence
# ("“Everything is possible…", "— Washington").
_INITIAL_TRIGGERS = frozenset("\"“‘'(—–-:")
_SENTINEL = "\x00"
_SENTINEL_JOIN = "\n" + _SENTINEL + "\n"
_PARALLEL_SENTENCES = 100_000  # below, starting worker processes costs more than it saves
_CHUNK_SENTENCES = 50_000  # sentences tokenised and matched at once; bounds the memory of the token arrays


def name_key(word: str) -> str:
    """Fold spelling variants of a name to one key: lower case, no dots, no inner vowels or doubles.

    Examples
    --------
    >>> [name_key(w) for w in ["Zelensky", "Zelenskiy", "Zelenskyy", "Kyiv", "Kiev", "U.S.", "US"]]
    ['zlnsk', 'zlnsk', 'zlnsk', 'kv', 'kv', 'us', 'us']
    """
    word = normalize_token(word).replace(".", "")
    key = _REPEATS.sub(r"\1", _INNER_VOWELS.sub("", word))
    # Very short keys ("Sea" -> "s") would collide; keep such words as they are.
    return key if len(key) >= 2 else word


@lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem.snowball import SnowballStemmer

    return lru_cache(maxsize=None)(SnowballStemmer("english", ignore_stopwords=False).stem)


# ------------------------------------------------------------------------------------------ data files

def _data_text(name: str) -> str:
    return resources.files("framing.data").joinpath(name).read_text("utf-8")


def _read_user_file(path, what: str, example: str) -> tuple[str, str]:
    p = Path(path)
    if not p.is_file():
        raise FramingError(f"{p}: {what} file not found; pass the path of a file in the format of "
                           f"framing/data/{example}.")
    try:
        return str(p), p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FramingError(f"{p}: not valid UTF-8; save the {what} file as UTF-8.") from None


def _data_lines(text: str):
    """``(line_number, line)`` of the lines that are neither empty nor comments."""
    for i, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            yield i, line


def load_stop_words(path=None) -> pd.DataFrame:
    """Load the words that are never alignment features (the bundled list by default).

    Parameters
    ----------
    path : str or Path, optional
        A tab-separated file with the header ``word<TAB>kind``; lines starting with ``#`` are comments.
        ``kind`` is ``attribution`` (said, told), ``calendar`` (month and weekday names: a short number
        right after one is part of a date), ``clause`` (a word that opens a new clause after a comma:
        which, but, saying) or ``stop`` (any other word to ignore). A word may have several kinds.

    Returns
    -------
    pandas.DataFrame
        ``word`` (lower case), ``kind``, ``line``.

    Raises
    ------
    FramingError
        The file is missing, has no ``word``/``kind`` header, or a line has an unknown kind.

    Examples
    --------
    >>> sw = load_stop_words()
    >>> sw.loc[sw["word"].isin(["said", "december"]), ["word", "kind"]].values.tolist()
    [['said', 'attribution'], ['december', 'calendar']]
    """
    if path is None:
        source, text = "framing/data/align_stopwords.tsv", _data_text("align_stopwords.tsv")
    else:
        source, text = _read_user_file(path, "stop-word", "align_stopwords.tsv")
    lines = list(_data_lines(text))
    if not lines or [f.strip().lower() for f in lines[0][1].split("\t")][:2] != ["word", "kind"]:
        raise FramingError(f"{source}: the first line that is not a comment must be the header "
                           "'word<TAB>kind'; add it.")
    rows = []
    for lineno, line in lines[1:]:
        fields = [f.strip() for f in line.split("\t")]
        word, kind = fields[0], (fields[1].lower() if len(fields) > 1 else "")
        if kind not in STOP_WORD_KINDS:
            raise FramingError(f"{source}, line {lineno}: kind {kind!r} of {word!r} is not one of "
                               f"{', '.join(STOP_WORD_KINDS)}; separate word and kind with a tab.")
        rows.append((normalize_token(word), kind, lineno))
    return pd.DataFrame(rows, columns=["word", "kind", "line"])


def load_paraphrases(path=None) -> pd.DataFrame:
    """Load paraphrase groups for alignment (the bundled ``framing/data/paraphrases.csv`` by default).

    Parameters
    ----------
    path : str or Path, optional
        A comma-separated file with the header ``group,forms,context`` (``context`` optional); lines
        starting with ``#`` are comments. See the header of the bundled file for the syntax of forms.

    Returns
    -------
    pandas.DataFrame
        One row per form: ``group``, ``form``, ``context`` ("|"-separated words, may be empty), ``line``.

    Raises
    ------
    FramingError
        The file is missing or malformed (no header, an empty group or form, an invalid form, a form
        listed twice); the message names the file and the line.

    Examples
    --------
    >>> p = load_paraphrases()
    >>> p.loc[p["group"] == "join", "form"].tolist()[:4]
    ['join', 'joins', 'joined', 'joining']
    """
    if path is None:
        source, text = "framing/data/paraphrases.csv", _data_text("paraphrases.csv")
    else:
        source, text = _read_user_file(path, "paraphrase", "paraphrases.csv")
    lines = list(_data_lines(text))
    records = list(csv.reader([line for _, line in lines]))
    if not records or [h.strip().lower() for h in records[0]][:2] != ["group", "forms"]:
        raise FramingError(f"{source}: the first line that is not a comment must be the header "
                           "'group,forms,context'; add it.")
    rows, seen = [], {}
    for (lineno, _), fields in zip(lines[1:], records[1:]):
        where = f"{source}, line {lineno}"
        fields = [f.strip() for f in fields] + ["", ""]
        group, forms, context = fields[0], fields[1], fields[2]
        if not group or not forms:
            raise FramingError(f"{where}: a group needs a name and at least one form (group,forms); "
                               "fill them in.")
        for form in (f.strip() for f in forms.split("|")):
            if not form or not _FORM_OK.match(form):
                raise FramingError(f"{where}: the form {form!r} of group {group!r} is not valid; use words "
                                   "separated by spaces or hyphens, with '*' only at the end.")
            key = _form_key(form)
            if key in seen:
                raise FramingError(f"{where}: the form {form!r} is already listed on line {seen[key]}; "
                                   "keep it once (groups that should be one share a line).")
            seen[key] = lineno
            rows.append((group, form, context, lineno))
    return pd.DataFrame(rows, columns=["group", "form", "context", "line"])


def load_skip_concepts(path=None) -> list[str]:
    """Lexicon concepts whose variants alignment does not merge (``framing/data/align_lexicon_skip.txt``).

    Examples
    --------
    >>> load_skip_concepts()
    ['abortion positions', 'gun policy']
    """
    if path is None:
        text = _data_text("align_lexicon_skip.txt")
    else:
        text = _read_user_file(path, "concept list", "align_lexicon_skip.txt")[1]
    return [line.strip() for _, line in _data_lines(text)]


# ---------------------------------------------------------------------------------------- term classes

def _is_caps(form: str) -> bool:
    letters = [ch for ch in form if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _form_words(form: str) -> tuple[tuple[str, ...], bool]:
    """Normalised words of a form and whether its last word is a prefix (trailing ``*``)."""
    prefix = form.endswith("*")
    body = form[:-1] if prefix else form
    words = tuple(normalize_token(w) for w in _FORM_SPLIT.split(body.strip()) if w)
    return words, prefix


def _form_key(form: str) -> tuple:
    words, prefix = _form_words(form)
    return words, prefix, _is_caps(form)


def _class_feature(head: str, is_name: bool) -> str:
    words, _ = _form_words(head.rstrip("*"))
    if is_name:
        return "n:" + name_key(words[-1])
    stem = _stemmer()
    content = [w for w in words if w not in STOP_WORDS] or list(words)
    return "w:" + "_".join(stem(w) for w in content)


def _lexicon_frame(lexicon) -> pd.DataFrame:
    if lexicon is None:
        from .lexicon import load_lexicon

        return load_lexicon()
    if isinstance(lexicon, pd.DataFrame):
        missing = {"concept", "variant"} - set(lexicon.columns)
        if missing:
            raise FramingError(f"lexicon: the DataFrame needs the columns concept and variant (missing: "
                               f"{', '.join(sorted(missing))}).")
        return lexicon
    from .lexicon import load_lexicon

    return load_lexicon(lexicon)


def term_classes(*, paraphrases=None, lexicon=None, skip_concepts=None) -> pd.DataFrame:
    """The term classes that alignment counts as one feature each: paraphrase groups and lexicon concepts.

    Parameters
    ----------
    paraphrases : str, Path, pandas.DataFrame, None or False
        Paraphrase groups: None for ``framing/data/paraphrases.csv``, a file in that format, a frame from
        :func:`load_paraphrases`, or False for none.
    lexicon : str, Path, pandas.DataFrame, None or False
        Contested-term lexicon whose concepts become classes: None for the bundled
        ``framing/data/contested_terms.tsv``, a file or frame as accepted by
        :func:`framing.lexicon.load_lexicon`, or False for none. Variants given as regular expressions
        (``re:``) are not used.
    skip_concepts : iterable of str, str or Path, optional
        Lexicon concepts not to merge, or a file listing them one per line (default:
        ``framing/data/align_lexicon_skip.txt``: concepts that group the labels of opposing positions).

    Returns
    -------
    pandas.DataFrame
        One row per form: ``class`` (the class name: the first paraphrase group of the class, else the
        first variant of its lexicon concept), ``feature`` (the feature its forms count as), ``form``,
        ``context`` ("|"-separated; empty: everywhere), ``source``. Sorted by class, then source order.

    Examples
    --------
    >>> tc = term_classes()
    >>> tc.loc[tc["class"] == "NATO", "form"].tolist()[:3]
    ['NATO', 'North Atlantic Treaty Organization', 'North Atlantic Treaty Organisation']
    >>> sorted(set(tc.loc[tc["form"].isin(["military bloc", "alliance"]), "feature"]))
    ['n:nt']
    """
    entries = []  # (group key, head, form, context, source, written as a name)
    if paraphrases is not False:
        frame = paraphrases if isinstance(paraphrases, pd.DataFrame) else load_paraphrases(paraphrases)
        src = "paraphrases" if paraphrases is None or isinstance(paraphrases, pd.DataFrame) else str(paraphrases)
        for group, form, context, line in frame[["group", "form", "context", "line"]].itertuples(index=False):
            context = context if isinstance(context, str) else ""
            entries.append((("p", group), group, form, context, f"{src}, line {line}", group[:1].isupper()))
    if lexicon is not False:
        lex = _lexicon_frame(lexicon)
        if skip_concepts is None or isinstance(skip_concepts, (str, Path)):
            skip = set(load_skip_concepts(skip_concepts))
        else:
            skip = set(skip_concepts)
        lex = lex[~lex["concept"].isin(skip)]
        context_col = lex["context"] if "context" in lex.columns else pd.Series("", index=lex.index)
        pattern_col = lex["pattern"] if "pattern" in lex.columns else lex["variant"].str.lower()
        heads = lex.groupby("concept", sort=False)["variant"].first()
        for concept, variant, pattern, context in zip(lex["concept"], lex["variant"], pattern_col,
                                                      context_col.fillna("")):
            pattern = pattern or ""
            if pattern.startswith("re:"):
                continue  # regular expressions match characters, not words
            for form in (f.strip() for f in pattern.split("|")):
                if form and _FORM_OK.match(form):
                    entries.append((("l", concept), heads[concept], form, context, f"lexicon: {concept}",
                                    variant[:1].isupper()))
    if not entries:
        return pd.DataFrame(columns=TERM_CLASS_COLUMNS)
    # Union-find over groups that share a form.
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    order = _group_order(entries)
    first_group_of_form: dict = {}
    for group, _, form, *_ in entries:
        key = _form_key(form)
        other = first_group_of_form.setdefault(key, group)
        ra, rb = find(group), find(other)
        if ra != rb:
            parent[max(ra, rb, key=order)] = min(ra, rb, key=order)
    heads = {}
    for group, head, *_ in entries:
        heads.setdefault(group, head)
    # A class is a name when its first paraphrase group is named like one (NATO), or, for a class of
    # lexicon concepts only, when all their variants are names (Kyiv / Kiev; not Maidan / coup).
    is_name: dict = {}
    for group, _, _, _, _, name in entries:
        root = find(group)
        if root[0] == "p":
            is_name[root] = root[1][:1].isupper()
        else:
            is_name[root] = is_name.get(root, True) and name
    rows = []
    for group, _, form, context, source, _ in entries:
        root = find(group)
        rows.append({"class": heads[root], "feature": _class_feature(heads[root], is_name[root]), "form": form,
                     "context": context, "source": source, "_order": order(root), "_key": _form_key(form)})
    out = pd.DataFrame(rows)
    # A lexicon concept left with a single form (the others were regular expressions) merges nothing.
    n_forms = out.groupby("_order")["_key"].transform("nunique")
    lexicon_only = out.groupby("_order")["source"].transform(lambda s: s.str.startswith("lexicon").all())
    out = out[~(lexicon_only & (n_forms < 2))]
    out = out.sort_values("_order", kind="stable").reset_index(drop=True)
    return out[TERM_CLASS_COLUMNS]


def _group_order(entries):
    """Sort key of groups: paraphrase groups first, then lexicon concepts, each in file order."""
    pos: dict = {}
    for group, *_ in entries:
        pos.setdefault(group, (0 if group[0] == "p" else 1, len(pos)))
    return pos.__getitem__


@dataclass
class _Phrase:
    words: tuple[str, ...]  # normalised words
    prefix: bool  # the last word is a prefix
    caps: bool  # matches capitalised words only
    target: int  # class index (forms) or context index (contexts)
    contexts: tuple[int, ...] = ()  # context indices; empty: no condition


@dataclass
class _TermMatcher:
    """Term classes compiled for matching on token arrays."""

    phrases: list[_Phrase]  # multi-word forms, longest first
    singles: list[_Phrase]  # one-word forms
    contexts: list[_Phrase]  # context words and phrases
    features: list[str]  # feature of each class
    heads: list[str]  # name of each class

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> "_TermMatcher":
        classes = list(dict.fromkeys(frame["class"]))
        class_index = {c: i for i, c in enumerate(classes)}
        features = frame.drop_duplicates("class").set_index("class")["feature"].reindex(classes).tolist()
        context_index: dict = {}
        contexts: list[_Phrase] = []
        by_form: dict = {}
        for cl, form, context in frame[["class", "form", "context"]].itertuples(index=False):
            key = _form_key(form)
            ctx = []
            for word in (w.strip() for w in (context or "").split("|")):
                if word:
                    words, _ = _form_words(word.rstrip("*"))
                    if words not in context_index:
                        context_index[words] = len(contexts)
                        contexts.append(_Phrase(words, True, False, len(contexts)))
                    ctx.append(context_index[words])
            prev = by_form.get(key)
            # A form listed by several sources applies where any of them applies (no context wins).
            merged = () if (not ctx or (prev is not None and not prev[1])) else tuple(
                sorted(set(ctx) | set(prev[1] if prev else ())))
            by_form[key] = (class_index[cl], merged)
        phrases, singles = [], []
        for (words, prefix, caps), (target, ctx) in by_form.items():
            (phrases if len(words) > 1 else singles).append(_Phrase(words, prefix, caps, target, ctx))
        phrases.sort(key=lambda p: -len(p.words))
        return cls(phrases, singles, contexts, features, classes)


# ----------------------------------------------------------------------------------------- the result

@dataclass
class FeatureCounts:
    """Sparse feature counts of the sentences (and titles) of a corpus.

    Attributes
    ----------
    sentences : scipy.sparse.csr_matrix
        One row per row of ``corpus.sentences()``, in the same order.
    titles : scipy.sparse.csr_matrix
        One row per article (zero rows for articles without a title).
    vocabulary : numpy.ndarray of str
        Feature names (``w:``, ``n:``, ``#:``, ``d:`` prefixes), sorted.
    kinds : numpy.ndarray of str
        The prefix of each feature.
    surface : dict
        Feature name → a readable form: the most frequent token that produced it (content words in lower
        case), or the name of its term class.
    clauses : scipy.sparse.csr_matrix
        Feature counts of the clauses of the sentences with two or more clauses (see
        ``framing/data/align_stopwords.tsv``, kind ``clause``), one row per clause.
    clause_sentence : numpy.ndarray of int
        The sentence row of each clause row (sorted).
    """

    sentences: sp.csr_matrix
    titles: sp.csr_matrix
    vocabulary: np.ndarray
    kinds: np.ndarray
    surface: dict
    clauses: sp.csr_matrix = None
    clause_sentence: np.ndarray = None

    def articles(self, sentence_article: np.ndarray, n_articles: int) -> sp.csr_matrix:
        """Article counts: the sum of each article's sentence rows plus its title row."""
        agg = sp.csr_matrix((np.ones(len(sentence_article)), (sentence_article, np.arange(len(sentence_article)))),
                            shape=(n_articles, len(sentence_article)))
        return (agg @ self.sentences + self.titles).tocsr()


# ----------------------------------------------------------------------------------------- extraction

class _Extractor:
    """Per-token-type tables, grown chunk by chunk; all per-token work is array arithmetic."""

    def __init__(self, stop_words: pd.DataFrame, matcher: _TermMatcher | None):
        self.stem = _stemmer()
        pairs = list(zip(stop_words["word"], stop_words["kind"]))
        self.ignored = frozenset(w for w, k in pairs if k != "clause")
        self.calendar = frozenset(w for w, k in pairs if k == "calendar")
        self.clause_words = frozenset(w for w, k in pairs if k == "clause")
        self.matcher = matcher
        self.features: dict[str, int] = {}
        self.surfaces: dict[str, int] = {}
        self.norms: dict[str, int] = {}
        self.norm_list: list[str] = []
        self._prefix_cache: dict[str, tuple[int, list[int]]] = {}
        self.types: dict[str, int] = {}
        # per token type
        self.t_cls: list[int] = []  # 0 other, 1 word, 2 number, 3 initial trigger
        self.t_cal: list[bool] = []
        self.t_dot: list[bool] = []
        self.t_short: list[bool] = []
        self.t_clause: list[bool] = []  # a word that opens a clause after a comma
        self.t_sep: list[int] = []  # 1 comma, 2 semicolon or dash (opens a clause), 0 other
        self.t_num: list[int] = []  # number feature or -1
        self.t_surf: list[int] = []
        self.t_part0: list[int] = []
        self.t_nparts: list[int] = []
        # per part of a word type
        self.p_norm: list[int] = []
        self.p_surf: list[int] = []
        self.p_content: list[int] = []
        self.p_name: list[int] = []
        self.p_amb: list[int] = []
        self.p_acr: list[bool] = []
        self.p_cap: list[bool] = []
        self._arrays = None
        self.class_feature = ([self._feature(f) for f in matcher.features] if matcher else [])

    def _feature(self, name: str) -> int:
        j = self.features.get(name)
        if j is None:
            j = self.features[name] = len(self.features)
        return j

    def _surface(self, text: str) -> int:
        j = self.surfaces.get(text)
        if j is None:
            j = self.surfaces[text] = len(self.surfaces)
        return j

    def _norm(self, text: str) -> int:
        j = self.norms.get(text)
        if j is None:
            j = self.norms[text] = len(self.norms)
            self.norm_list.append(text)
        return j

    def _add_type(self, token: str) -> None:
        ch = token[0]
        cls = 1 if ch.isalpha() else 2 if (ch.isdigit() or ch in "$€£") else 3 if ch in _INITIAL_TRIGGERS else 0
        self.t_cls.append(cls)
        self.t_cal.append(cls == 1 and token.lower().rstrip(".") in self.calendar)
        self.t_dot.append(token == ".")
        self.t_short.append(ch.isdigit() and len(token) <= 4)
        self.t_clause.append(cls == 1 and token.lower() in self.clause_words)
        self.t_sep.append(1 if token == "," else 2 if token in (";", "—", "–") else 0)
        if cls == 2:
            self.t_num.append(self._feature("#:" + token.translate(_NUMBER_JUNK).lower()))
            self.t_surf.append(self._surface(token))
        else:
            self.t_num.append(-1)
            self.t_surf.append(-1)
        self.t_part0.append(len(self.p_norm))
        if cls != 1:
            self.t_nparts.append(0)
            return
        parts = [p for p in token.split("-") if p] if "-" in token else [token]
        self.t_nparts.append(len(parts))
        for part in parts:
            norm = normalize_token(part)
            letters = norm.replace(".", "").replace("'", "")
            is_acronym = len(letters) >= 2 and part.replace(".", "").isupper()
            self.p_norm.append(self._norm(norm))
            self.p_surf.append(self._surface(_POSSESSIVE.sub("", part)))
            self.p_acr.append(is_acronym)
            self.p_cap.append(part != part.lower())
            if ((norm in STOP_WORDS and not is_acronym) or len(letters) < 2 or not letters.isalpha()
                    or norm in self.ignored):
                self.p_content.append(-1), self.p_name.append(-1), self.p_amb.append(-1)
                continue
            # A capitalised part is a name, or ambiguous ("i:", resolved at the end): it never needs a stem here.
            capitalised = part[0].isupper()
            self.p_content.append(-1 if capitalised else self._feature("w:" + self.stem(norm)))
            if capitalised:
                self.p_name.append(self._feature("n:" + name_key(part)))
                self.p_amb.append(self._feature("i:" + norm))
            else:
                self.p_name.append(-1), self.p_amb.append(-1)

    def _tables(self):
        if self._arrays is None or len(self._arrays["t_cls"]) != len(self.t_cls):
            self._arrays = {name: np.asarray(getattr(self, name), dtype=np.int64 if name[2:] not in
                                             ("cal", "dot", "short", "acr", "cap", "clause") else bool)
                            for name in ("t_cls", "t_cal", "t_dot", "t_short", "t_clause", "t_sep", "t_num",
                                         "t_surf", "t_part0",
                                         "t_nparts", "p_norm", "p_surf", "p_content", "p_name", "p_amb",
                                         "p_acr", "p_cap")}
        return self._arrays

    def chunk(self, texts: list, doc_ids: np.ndarray, doc_article: np.ndarray, title_case: np.ndarray):
        """Features of a chunk of documents: ``(doc, clause, feature, surface)`` for every feature token.

        ``doc_article`` gives each document's article: term-class contexts hold per article. ``clause``
        numbers the clauses of each document from 0."""
        texts = [t if isinstance(t, str) else "" for t in texts]
        empty = np.zeros(0, dtype=np.int64)
        # One tokeniser call for the whole chunk: tokens never span a line break, so the texts are joined
        # with a line holding a sentinel character, whose tokens mark where each text ends.
        flat = tokenize(_SENTINEL_JOIN.join(texts))
        local, uniques = pd.factorize(pd.Series(flat, dtype=object), sort=False)
        del flat
        where = uniques.get_indexer([_SENTINEL])[0] if len(uniques) else -1
        ends = np.flatnonzero(local == where) if where >= 0 else empty
        if len(ends) != len(texts) - 1:  # a text contains the sentinel itself: tokenise one by one
            lists = [tokenize(t) for t in texts]
            local, uniques = pd.factorize(pd.Series(list(chain.from_iterable(lists)), dtype=object), sort=False)
            lens = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
            del lists
        else:
            lens = np.diff(np.r_[-1, ends, len(local)]) - 1
            local = np.delete(local, ends)
        if not len(local):
            return (np.zeros(0, dtype=np.int32),) * 4   # the int32 of the token rows (see the end)
        types = self.types
        new = [u for u in uniques if u not in types]
        for u in new:
            types[u] = len(types)
            self._add_type(u)
        code = np.fromiter((types[u] for u in uniques), dtype=np.int64, count=len(uniques))[local]
        T = self._tables()
        n_tok = len(code)
        doc = np.repeat(np.arange(len(texts)), lens)
        first = np.r_[0, np.cumsum(lens)[:-1]]
        doc_start = np.repeat(first, lens)
        pos = np.arange(n_tok)
        cls = T["t_cls"][code]

        # A word is sentence-initial when no word or number precedes it in its text since the text's
        # start or since the last opening quote, bracket, dash or colon.
        alnum = (cls == 1) | (cls == 2)
        last_alnum = np.maximum.accumulate(np.where(alnum, pos, -1))
        last_trigger = np.maximum.accumulate(np.where(cls == 3, pos, -1))
        prev_alnum = np.r_[-1, last_alnum[:-1]]
        prev_trigger = np.r_[-1, last_trigger[:-1]]
        initial = (prev_alnum < doc_start) | (prev_trigger > prev_alnum) | title_case[doc]

        # The day of "December 7" / "Dec. 30th" is part of a date, not a quantity.
        cal = T["t_cal"][code]
        dot = T["t_dot"][code]
        after_cal = np.zeros(n_tok, dtype=bool)
        after_cal[1:] = cal[:-1] & (pos[1:] - 1 >= doc_start[1:])
        after_cal[2:] |= dot[1:-1] & cal[:-2] & (pos[2:] - 2 >= doc_start[2:])
        number = (cls == 2) & ~(after_cal & T["t_short"][code])
        num_doc, num_feat, num_surf = doc[number], T["t_num"][code[number]], T["t_surf"][code[number]]

        # Clauses: a semicolon or dash, or a comma followed by a clause word, opens a new one.
        sep = T["t_sep"][code]
        opens = sep == 2
        opens[1:] |= (sep[:-1] == 1) & T["t_clause"][code[1:]] & (pos[1:] - 1 >= doc_start[1:])
        run = np.cumsum(opens)
        clause = run - run[doc_start]

        # Word units: one per part of a word token ("US-led" has two).
        word_pos = np.flatnonzero(cls == 1)
        nparts = T["t_nparts"][code[word_pos]]
        unit_tok = np.repeat(word_pos, nparts)
        starts = np.repeat(np.cumsum(nparts) - nparts, nparts)
        part = np.repeat(T["t_part0"][code[word_pos]], nparts) + (np.arange(len(unit_tok)) - starts)
        unit_doc = doc[unit_tok]
        name, amb, content = T["p_name"][part], T["p_amb"][part], T["p_content"][part]
        use_name = (name >= 0) & (T["p_acr"][part] | ~initial[unit_tok])
        feat = np.where(use_name, name, np.where(name >= 0, amb, content))
        surf = T["p_surf"][part].copy()
        if self.matcher is not None and len(unit_tok):
            feat, surf = self._match_classes(feat, surf, T["p_norm"][part], T["p_cap"][part], unit_tok, unit_doc,
                                             doc_article)
        keep = feat >= 0
        docs = np.r_[unit_doc[keep], num_doc]
        clauses = np.r_[clause[unit_tok[keep]], clause[number]]
        feats = np.r_[feat[keep], num_feat]
        surfs = np.r_[surf[keep], num_surf]
        # int32 halves the rows kept for every feature token of the corpus (ids stay far below 2**31).
        return (doc_ids[docs].astype(np.int32), clauses.astype(np.int32), feats.astype(np.int32),
                surfs.astype(np.int32))

    # -------------------------------------------------------------------------- term-class matching

    def _norm_ids(self, word: str, prefix: bool) -> np.ndarray:
        """Norm ids a word of a form matches: itself, or every norm starting with it (a prefix)."""
        if not prefix:
            j = self.norms.get(word)
            return np.asarray([] if j is None else [j], dtype=np.int64)
        # Prefix matches are cached and extended with the norms added since the last chunk.
        seen, ids = self._prefix_cache.get(word, (0, []))
        if seen < len(self.norm_list):
            ids = ids + [seen + k for k, s in enumerate(self.norm_list[seen:]) if s.startswith(word)]
            self._prefix_cache[word] = (len(self.norm_list), ids)
        return np.asarray(ids, dtype=np.int64)

    def _find(self, phrase: _Phrase, norm, cap, adjacent, cand, blocked):
        """Start positions of the runs of units matching a multi-word ``phrase``.

        ``cand`` are the positions whose norm starts any phrase (computed once per chunk)."""
        L = len(phrase.words)
        slots = [self._norm_ids(w, phrase.prefix and k == L - 1) for k, w in enumerate(phrase.words)]
        if any(len(s) == 0 for s in slots):
            return cand[:0]
        cand = cand[np.isin(norm[cand], slots[0]) & (cand + L <= len(norm))]
        for k in range(1, L):
            cand = cand[adjacent[cand + k - 1] & np.isin(norm[cand + k], slots[k])]
        ok = np.ones(len(cand), dtype=bool)
        for k in range(L):
            ok &= ~blocked[cand + k]
            if phrase.caps:
                ok &= cap[cand + k]
        cand = cand[ok]
        if len(cand) > 1 and (np.diff(cand) < L).any():
            kept, last = [], -L
            for c in cand.tolist():  # rare: overlapping repeats of one phrase ("build up build up")
                if c >= last + L:
                    kept.append(c)
                    last = c
            cand = np.asarray(kept, dtype=np.int64)
        return cand

    def _match_classes(self, feat, surf, norm, cap, unit_tok, unit_doc, doc_article):
        """Replace the features of units that are forms of a term class by the class feature."""
        m = self.matcher
        n_norm = len(self.norm_list)
        unit_art = doc_article[unit_doc]
        adjacent = np.zeros(len(norm), dtype=bool)
        adjacent[:-1] = (unit_doc[1:] == unit_doc[:-1]) & (unit_tok[1:] - unit_tok[:-1] <= 1)
        multi = [p for p in m.contexts if len(p.words) > 1] + m.phrases
        starts_phrase = np.zeros(n_norm, dtype=bool)
        for p in multi:
            starts_phrase[self._norm_ids(p.words[0], p.prefix and len(p.words) == 1)] = True
        cand = np.flatnonzero(starts_phrase[norm])
        nothing = np.zeros(len(norm), dtype=bool)

        # Articles containing each context word (a prefix) or phrase.
        has_context = []
        for ctx in m.contexts:
            if len(ctx.words) == 1:
                table = np.zeros(n_norm, dtype=bool)
                table[self._norm_ids(ctx.words[0], True)] = True
                at = np.flatnonzero(table[norm])
            else:
                at = self._find(ctx, norm, cap, adjacent, cand, nothing)
            has_context.append(unique(unit_art[at]))

        def context_ok(at, ctx_ids):
            if not ctx_ids or not len(at):
                return np.ones(len(at), dtype=bool)
            arts = unique(np.concatenate([has_context[c] for c in ctx_ids]))
            return np.isin(unit_art[at], arts)

        feat, surf = feat.copy(), surf.copy()
        class_surface = np.asarray([self._surface(h) for h in m.heads], dtype=np.int64)
        class_feature = np.asarray(self.class_feature, dtype=np.int64)
        blocked = np.zeros(len(norm), dtype=bool)
        for phrase in m.phrases:  # longest first
            at = self._find(phrase, norm, cap, adjacent, cand, blocked)
            at = at[context_ok(at, phrase.contexts)]
            if not len(at):
                continue
            for k in range(len(phrase.words)):
                blocked[at + k] = True
                feat[at + k] = -1
            feat[at] = class_feature[phrase.target]
            surf[at] = class_surface[phrase.target]
        # One-word forms: a lookup table over the norms (exact forms win over prefixes; forms in
        # capitals only for capitalised words).
        target = np.full((2, n_norm), -1, dtype=np.int64)  # [lower-case allowed?, norm]
        ctx_of = np.full((2, n_norm), -1, dtype=np.int64)
        ctx_sets = list(dict.fromkeys(p.contexts for p in m.singles))
        for p in sorted(m.singles, key=lambda p: not p.prefix):
            ids = self._norm_ids(p.words[0], p.prefix)
            for row in ((1,) if p.caps else (0, 1)):
                target[row, ids] = p.target
                ctx_of[row, ids] = ctx_sets.index(p.contexts)
        row = cap.astype(np.int64)
        tgt = np.where(blocked, -1, target[row, norm])
        ctx = ctx_of[row, norm]
        hit = np.flatnonzero(tgt >= 0)
        ok = np.ones(len(hit), dtype=bool)
        for s, ids in enumerate(ctx_sets):
            sel = ctx[hit] == s
            if ids and sel.any():
                ok[sel] = context_ok(hit[sel], ids)
        hit = hit[ok]
        feat[hit] = class_feature[tgt[hit]]
        surf[hit] = class_surface[tgt[hit]]
        return feat, surf


def _is_title_case(text: str) -> bool:
    words = [t for t in tokenize(text) if t[0].isalpha() and len(t) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def count_features(articles: pd.DataFrame, sentences: pd.DataFrame, *, dates: bool = True, stop_words=None,
                   classes: pd.DataFrame | None = None, n_jobs=None) -> FeatureCounts:
    """Count the features of every sentence and title of a corpus.

    Parameters
    ----------
    articles : pandas.DataFrame
        ``Corpus.articles`` (``id``, ``text``, ``date``, ``title``).
    sentences : pandas.DataFrame
        ``Corpus.sentences()``.
    dates : bool, default True
        Add ``d:`` features for days resolved from the text against the publication date.
    stop_words : str, Path or pandas.DataFrame, optional
        Words that are never features, as loaded by :func:`load_stop_words` (default: the bundled list).
    classes : pandas.DataFrame, optional
        Term classes from :func:`term_classes`; None counts every word as itself.
    n_jobs : int, optional
        Processes for corpora of more than 100,000 sentences (scikit-learn convention: -1 uses every
        core); the counts do not depend on it.

    Returns
    -------
    FeatureCounts

    Examples
    --------
    >>> from framing import load_corpus
    >>> c = load_corpus()
    >>> fc = count_features(c.articles, c.sentences())
    >>> "n:zlnsk" in set(fc.vocabulary), "d:2021-12-30" in set(fc.vocabulary)
    (True, True)
    """
    stop_frame = stop_words if isinstance(stop_words, pd.DataFrame) else load_stop_words(stop_words)
    matcher = _TermMatcher.from_frame(classes) if classes is not None and len(classes) else None
    ex = _Extractor(stop_frame, matcher)
    n_art, n_sent = len(articles), len(sentences)
    pos = pd.Series(np.arange(n_art), index=articles["id"].to_numpy())
    sent_art = sentences["article_id"].map(pos).to_numpy(np.int64) if n_sent else np.zeros(0, dtype=np.int64)
    sent_text = sentences["text"].to_numpy(dtype=object) if n_sent else np.zeros(0, dtype=object)
    titles = (articles["title"].to_numpy(dtype=object) if "title" in articles.columns
              else np.full(n_art, None, dtype=object))
    title_ok = np.array([isinstance(t, str) and bool(t.strip()) for t in titles], dtype=bool)
    title_case = np.array([ok and _is_title_case(t) for ok, t in zip(title_ok, titles)], dtype=bool)

    # Chunks of whole articles (term-class contexts are per article): their sentences and their title.
    by_article = np.argsort(sent_art, kind="stable")
    bounds = np.searchsorted(sent_art[by_article], np.arange(n_art + 1))
    texts = (sent_text, titles, title_ok, title_case, sent_art, by_article, bounds, n_sent)
    dating = _DateContext.of(articles, sentences, sent_art) if dates and n_sent else None
    jobs = effective_n_jobs(n_jobs)
    if jobs > 1 and n_sent >= _PARALLEL_SENTENCES:
        # Contiguous runs of the chunks of one pass, of about equal numbers of sentences, one extractor
        # each; their features and surfaces are then renumbered in one extractor, in order, which gives
        # the numbering of one pass (numbers follow first occurrence, and the chunks are the same).
        starts = _chunk_starts(bounds, n_art)
        at = np.searchsorted(bounds[starts], np.linspace(0, n_sent, jobs + 1)[1:-1])
        cuts = starts[np.minimum(at, len(starts) - 1)]
        edges = np.unique(np.r_[0, cuts, n_art])
        with tempfile.TemporaryDirectory(prefix="framing-features-") as spill:
            parts = parallel_map(_extract_ranges, list(zip(edges[:-1], edges[1:])), n_jobs=jobs,
                                 shared=(stop_frame, matcher, texts, dating, spill), chunk_size=1, min_items=2)
            parts = [(*_load_spilled(rows), *rest) for rows, *rest in parts]
        rows_d, rows_c, rows_f, rows_s = [], [], [], []
        date_parts = [(rows, days) for *_, rows, days in parts]
        for d, cl, f, su, names, surfaces, *_ in parts:
            fmap = np.fromiter((ex._feature(x) for x in names), dtype=np.int32, count=len(names))
            smap = np.fromiter((ex._surface(x) for x in surfaces), dtype=np.int32, count=len(surfaces))
            rows_d.append(d), rows_c.append(cl), rows_f.append(fmap[f])
            rows_s.append(np.where(su >= 0, smap[np.maximum(su, 0)], -1).astype(np.int32) if len(smap) else su)
        del parts
    else:
        rows_d, rows_c, rows_f, rows_s = _extract(ex, texts, 0, n_art)
        date_parts = [dating.mentions(0, n_art)] if dating is not None else []
    empty = np.zeros(0, dtype=np.int32)
    doc, clause, feat, surf_s = (np.concatenate(rows) if rows else empty
                                 for rows in (rows_d, rows_c, rows_f, rows_s))
    del rows_d, rows_c, rows_f, rows_s
    date_doc, date_feat = _date_features(date_parts, ex)

    vocab = np.array(list(ex.features), dtype=object)
    n_feat = len(vocab)
    # Ambiguous capitalised words ("i:"): a name when the name occurs elsewhere, else a content word.
    used = np.bincount(feat, minlength=n_feat) > 0
    target = np.arange(n_feat, dtype=np.int32)
    stem = ex.stem
    for j in np.flatnonzero(used & np.char.startswith(vocab.astype(str), "i:")):
        norm = vocab[j][2:]
        as_name = ex.features.get("n:" + name_key(norm))
        if as_name is not None and used[as_name] and not vocab[as_name].startswith("i:"):
            target[j] = as_name
        else:
            target[j] = ex._feature("w:" + stem(norm))
    vocab = np.array(list(ex.features), dtype=object)
    target = np.r_[target, np.arange(n_feat, len(vocab), dtype=np.int32)]
    feat, date_feat = target[feat], target[date_feat]
    # Final vocabulary: the features in use, sorted by name (independent of corpus order and chunking).
    used = np.zeros(len(vocab), dtype=bool)
    used[feat] = True
    used[date_feat] = True
    keep = np.flatnonzero(used)
    keep = keep[np.argsort(vocab[keep].astype(str), kind="stable")]
    new_id = np.full(len(vocab), -1, dtype=np.int32)
    new_id[keep] = np.arange(len(keep), dtype=np.int32)
    final_vocab = vocab[keep]
    n_cols = max(len(keep), 1)
    feat, date_feat = new_id[feat], new_id[date_feat]
    sent_counts, title_counts = _count_matrices(((doc, feat), (date_doc, date_feat)), n_sent, n_art, n_cols)
    kinds = np.array([f[0] for f in final_vocab], dtype=object)
    surface = _surfaces(final_vocab, feat, surf_s, ex)
    del surf_s
    clause_counts, clause_sentence = _clause_counts(doc, clause, feat, date_doc, date_feat, n_sent, n_cols)
    return FeatureCounts(sent_counts, title_counts, final_vocab, kinds, surface, clause_counts, clause_sentence)


def _unique_counts_in_place(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(key, return_counts=True)`` for an array the caller no longer needs: ``key`` is sorted
    in place, so no copy of it is made (token keys run to tens of millions)."""
    key.sort()
    new = np.ones(len(key), dtype=bool)
    new[1:] = key[1:] != key[:-1]
    at = np.flatnonzero(new)
    return key[at], np.diff(np.r_[at, len(key)])


def _count_matrices(pairs, n_sent: int, n_art: int, n_cols: int):
    """Sentence and title count matrices (canonical CSR) from ``(documents, features)`` array pairs, one
    entry per token; documents ``n_sent`` and up are titles. One in-place sort of an int64 key takes far
    less memory than building a COO matrix of the tokens and converting it."""
    key = np.empty(sum(len(d) for d, _ in pairs), dtype=np.int64)
    at = 0
    for doc, feat in pairs:
        part = key[at:at + len(doc)]
        part[:] = doc
        part *= n_cols
        part += feat
        at += len(doc)
    key, data = _unique_counts_in_place(key)
    data = data.astype(np.float64)
    index = np.int32 if len(data) < np.iinfo(np.int32).max else np.int64
    # Row boundaries straight from the sorted keys; then the keys become the column numbers in place.
    indptr = np.searchsorted(key, np.arange(n_sent + n_art + 1, dtype=np.int64) * n_cols).astype(index)
    np.remainder(key, n_cols, out=key)
    indices = key.astype(index)
    del key

    def block(a, b):
        lo, hi = indptr[a], indptr[b]
        return sp.csr_matrix((data[lo:hi], indices[lo:hi], indptr[a:b + 1] - lo), shape=(b - a, n_cols))

    return block(0, n_sent), block(n_sent, n_sent + n_art)


_MIN_CLAUSE_FEATURES = 3  # a shorter clause ("and Crimea") belongs to the clause before it


def _chunk_end(bounds: np.ndarray, a: int, b: int) -> int:
    e = int(np.searchsorted(bounds, bounds[a] + _CHUNK_SENTENCES, side="right")) - 1
    return min(max(e, a + 1), b)


def _chunk_starts(bounds: np.ndarray, n_art: int) -> np.ndarray:
    """First article of each chunk of one pass over all articles."""
    starts, a = [], 0
    while a < n_art:
        starts.append(a)
        a = _chunk_end(bounds, a, n_art)
    return np.asarray(starts, dtype=np.int64)


def _extract(ex: _Extractor, texts, a: int, b: int):
    """Feature rows of articles ``a`` to ``b`` (their sentences and titles), in chunks of whole articles
    (``b`` is the end of a chunk of one pass over all articles, or the last article)."""
    sent_text, titles, title_ok, title_case, sent_art, by_article, bounds, n_sent = texts
    rows_d, rows_c, rows_f, rows_s = [], [], [], []
    while a < b:
        e = _chunk_end(bounds, a, b)
        s_idx = by_article[bounds[a]:bounds[e]]
        t_idx = np.arange(a, e)[title_ok[a:e]]
        chunk = list(sent_text[s_idx]) + list(titles[t_idx])
        doc_ids = np.r_[s_idx, n_sent + t_idx]
        doc_article = np.r_[sent_art[s_idx], t_idx]
        doc_title_case = np.r_[np.zeros(len(s_idx), dtype=bool), title_case[t_idx]]
        d, cl, f, su = ex.chunk(chunk, doc_ids, doc_article, doc_title_case)
        rows_d.append(d), rows_c.append(cl), rows_f.append(f), rows_s.append(su)
        a = e
    return rows_d, rows_c, rows_f, rows_s


def _extract_ranges(shared, ranges) -> list:
    """:func:`_extract` of each article range with a fresh extractor, for :func:`framing.parallel.parallel_map`:
    the rows plus the extractor's feature names and surfaces in id order, and the range's date mentions
    (:meth:`_DateContext.mentions`; empty without dates)."""
    stop_frame, matcher, texts, dating, spill = shared
    out = []
    for a, b in ranges:
        ex = _Extractor(stop_frame, matcher)
        # The four token arrays go back through files: sent through the pool's pipe they would be pickled
        # whole, which holds two more copies of them in this worker and two in the parent.
        spilled = []
        for k, chunks in enumerate(_extract(ex, texts, a, b)):
            rows = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int32)
            chunks.clear()
            path = os.path.join(spill, f"{a}-{k}.npy")
            try:
                np.save(path, rows)
            except OSError:  # no room for them: send this one through the pipe after all
                with suppress(OSError):
                    os.remove(path)
                spilled.append(rows)
            else:
                spilled.append(path)
            del rows
        dated = dating.mentions(a, b) if dating is not None else _NO_DATES
        out.append((spilled, list(ex.features), list(ex.surfaces), *dated))
    return out


def _load_spilled(rows: list) -> list:
    """The arrays :func:`_extract_ranges` wrote to files (each file removed once read), or sent."""
    out = []
    for item in rows:
        if isinstance(item, str):
            out.append(np.load(item))
            os.remove(item)
        else:
            out.append(item)
    return out


def _clause_counts(doc, clause, feat, date_doc, date_feat, n_sent, n_cols):
    """Feature counts of the clauses of the sentences that have two or more clauses of at least
    ``_MIN_CLAUSE_FEATURES`` distinct features; shorter clauses join the clause before them (the first
    clause of the sentence when they lead it). The days a sentence names count in each of its clauses."""
    empty = np.zeros(0, dtype=np.int64)
    in_sent = doc < n_sent
    multi = np.bincount(doc[in_sent & (clause > 0)], minlength=n_sent) > 0
    sel = in_sent.copy()
    sel[in_sent] = multi[doc[in_sent]]
    del in_sent
    # int64 from here: the keys below are products of ids.
    doc, clause, feat = doc[sel].astype(np.int64), clause[sel].astype(np.int64), feat[sel].astype(np.int64)
    date_doc, date_feat = date_doc.astype(np.int64), date_feat.astype(np.int64)
    if not len(doc):
        return sp.csr_matrix((0, n_cols)), empty
    # Distinct features per (sentence, clause); merge small clauses into the previous big one.
    width = int(clause.max()) + 1
    key = doc * width + clause
    uniq_key, distinct = np.unique(unique(key * n_cols + feat) // n_cols, return_counts=True)
    c_doc, c_cl = uniq_key // width, uniq_key % width
    big = distinct >= _MIN_CLAUSE_FEATURES
    first = np.r_[True, c_doc[1:] != c_doc[:-1]]
    run = np.cumsum(big)
    base = run[first][np.cumsum(first) - 1] - big[first][np.cumsum(first) - 1]  # big clauses before the sentence
    group = np.maximum(run - base, 1)
    n_groups = np.zeros(n_sent, dtype=np.int64)
    np.maximum.at(n_groups, c_doc, group)
    g = group[np.searchsorted(uniq_key, key)]
    keep = n_groups[doc] >= 2
    doc, g, feat = doc[keep], g[keep], feat[keep]
    if not len(doc):
        return sp.csr_matrix((0, n_cols)), empty
    rows, row_of = np.unique(doc * (width + 1) + g, return_inverse=True)
    clause_sentence = rows // (width + 1)
    # Dates of the sentence go to each of its clauses.
    d_sel = np.isin(date_doc, clause_sentence)
    if d_sel.any():
        first_row = np.searchsorted(clause_sentence, date_doc[d_sel])
        n_rows = np.searchsorted(clause_sentence, date_doc[d_sel], side="right") - first_row
        offsets = np.arange(n_rows.sum()) - np.repeat(np.cumsum(n_rows) - n_rows, n_rows)
        d_rows = np.repeat(first_row, n_rows) + offsets
        row_of = np.r_[row_of, d_rows]
        feat = np.r_[feat, np.repeat(date_feat[d_sel], n_rows)]
    counts = sp.csr_matrix((np.ones(len(row_of)), (row_of, feat)), shape=(len(rows), n_cols))
    counts.sum_duplicates()
    return counts, clause_sentence.astype(np.int64)


def _surfaces(vocab: np.ndarray, feat: np.ndarray, surf: np.ndarray, ex: _Extractor) -> dict:
    """The most frequent surface form of each feature (ties: the first seen); content words in lower
    case unless written in capitals."""
    strings = np.array(list(ex.surfaces), dtype=object)
    out = {}
    ok = (feat >= 0) & (surf >= 0)
    if ok.any():
        # One int64 code per token, built and sorted in place (a corpus has tens of millions of tokens).
        code = feat.astype(np.int64)
        code *= len(strings)
        code += surf
        if not ok.all():
            code = code[ok]
        del ok
        uniq, cnt = _unique_counts_in_place(code)
        del code
        f, s = uniq // len(strings), uniq % len(strings)
        order = np.lexsort((s, -cnt, f))
        f, s = f[order], s[order]
        first = np.r_[True, f[1:] != f[:-1]]
        for j, k in zip(f[first].tolist(), s[first].tolist()):
            text = strings[k]
            out[vocab[j]] = text.lower() if vocab[j].startswith("w:") and not _is_caps(text) else text
    for name in vocab:
        out.setdefault(name, name[2:])
    return out


_NO_DATES = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype="datetime64[D]"))


@dataclass
class _DateContext:
    """What finding the days each sentence mentions needs: the article texts and publication dates, and
    the sentences' ``(article, start)`` keys in sorted order."""

    texts: list
    published: list
    keys: np.ndarray        # article * 2**32 + start of each sentence, sorted
    order: np.ndarray       # the sentence row of each key
    sent_art: np.ndarray

    @classmethod
    def of(cls, articles: pd.DataFrame, sentences: pd.DataFrame, sent_art: np.ndarray) -> _DateContext:
        keys = sent_art * (1 << 32) + sentences["start"].to_numpy(np.int64)
        order = np.argsort(keys, kind="stable")
        return cls(articles["text"].tolist(), [None if pd.isna(d) else d for d in articles["date"]],
                   keys[order], order, sent_art)

    def mentions(self, a: int, b: int, step: int = 2000) -> tuple[np.ndarray, np.ndarray]:
        """``(sentence row, day)`` for every day-granularity date that articles ``a`` to ``b`` mention
        (resolved ``step`` articles at a time, which bounds the memory of the mention tables)."""
        if b - a > step:
            parts = [self.mentions(s, min(s + step, b), step) for s in range(a, b, step)]
            return np.concatenate([r for r, _ in parts]), np.concatenate([d for _, d in parts])
        mentions = resolve_dates_frame(self.texts[a:b], self.published[a:b])
        mentions = mentions[(mentions["granularity"] == "day") & mentions["date"].notna()]
        if mentions.empty:
            return _NO_DATES
        # A mention belongs to the last sentence of its article starting at or before it.
        m_doc = mentions["doc"].to_numpy(np.int64) + a
        at = np.searchsorted(self.keys, m_doc * (1 << 32) + mentions["start"].to_numpy(np.int64), side="right") - 1
        valid = at >= 0
        rows = self.order[np.where(valid, at, 0)]
        valid &= self.sent_art[rows] == m_doc
        rows = rows[valid]
        day0 = mentions["date"].to_numpy()[valid].astype("datetime64[D]")
        day1 = mentions["end_date"].to_numpy()[valid]
        span = np.where(pd.isna(day1), 0, (day1.astype("datetime64[D]") - day0).astype(np.int64))
        span = np.clip(span, 0, 6) + 1  # "January 9-10" names both days; longer spans are not one day
        rows = np.repeat(rows, span)
        days = np.repeat(day0, span) + (np.arange(len(rows)) - np.repeat(np.cumsum(span) - span, span))
        return rows, days


def _date_features(parts: list, ex: _Extractor):
    """``(sentence row, d: feature)`` pairs from the ``(rows, days)`` of :meth:`_DateContext.mentions`."""
    empty = np.zeros(0, dtype=np.int64)
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return empty, empty
    rows = np.concatenate([r for r, _ in parts])
    uniq, inv = np.unique(np.concatenate([d for _, d in parts]), return_inverse=True)
    ids = np.array([ex._feature("d:" + str(d)) for d in uniq], dtype=np.int64)
    return rows, ids[inv]
