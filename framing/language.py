"""Flagging articles that are not in English.

The analyses (stop words, reporting verbs, tone) assume English. :func:`detect_language` tells which
language an article is most likely in, from the share of its words that are very frequent function words
of each language (``framing/data/language_profiles.tsv``) and, for scripts other than Latin, the script
itself. It is a flag for the user, not a classifier to publish with: texts under 20 words are "und".
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from importlib import resources

__all__ = ["detect_language"]

_WORD_RE = re.compile(r"[^\W\d_]+")
_SCRIPTS = [("ar", re.compile(r"[\u0600-\u06ff]")), ("he", re.compile(r"[\u0590-\u05ff]")),
            ("zh", re.compile(r"[\u4e00-\u9fff]")), ("ja", re.compile(r"[\u3040-\u30ff]")),
            ("ko", re.compile(r"[\uac00-\ud7af]")), ("el", re.compile(r"[\u0370-\u03ff]"))]
_MIN_WORDS = 20


@lru_cache(maxsize=1)
def _profiles() -> dict[str, frozenset[str]]:
    text = resources.files("framing.data").joinpath("language_profiles.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return {lang: frozenset(words.split()) for lang, words in rows[1:]}


def detect_language(text: str, *, max_words: int = 200) -> tuple[str, float]:
    """Return ``(language, score)`` for ``text``: an ISO 639-1 code or "und" (undetermined).

    ``score`` is the share of the first ``max_words`` words that are function words of that language
    (English news scores about 0.35-0.5) or, for a non-Latin script, the share of letters in it.

    Examples
    --------
    >>> detect_language("The talks between Russia and the United States were held in Geneva on Monday, "
    ...                 "and officials said that they would meet again after the holidays in January.")[0]
    'en'
    >>> detect_language("Die Gespräche zwischen Russland und den Vereinigten Staaten wurden am Montag in "
    ...                 "Genf geführt, und die Beamten sagten, dass sie sich nach den Feiertagen im Januar "
    ...                 "wieder treffen würden.")[0]
    'de'
    """
    words = _WORD_RE.findall(text[: max_words * 12].lower())[:max_words]
    if len(words) < _MIN_WORDS:
        return "und", 0.0
    joined = " ".join(words)
    if not joined.isascii():
        letters = len(joined) - len(words) + 1
        for lang, pattern in _SCRIPTS:
            share = len(pattern.findall(joined)) / letters
            if share > 0.3:
                return lang, round(share, 3)
    counts = Counter(words)
    seen = counts.keys()
    scores = {lang: sum(counts[w] for w in vocab & seen) / len(words) for lang, vocab in _profiles().items()}
    lang = max(sorted(scores), key=scores.get)
    if scores[lang] < 0.08:
        return "und", round(scores[lang], 3)
    return lang, round(scores[lang], 3)
