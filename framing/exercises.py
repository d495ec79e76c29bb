"""Self-checks for the classroom notebooks (``notebooks/classroom/``).

Each ``check_*`` function takes a student's answer, compares it with what framing computes on the
bundled seeds, and returns a :class:`Feedback` that prints (and shows in Jupyter) a friendly message.
A check never raises: a wrong type, a typo or an empty answer gets an explanation and a hint instead of
a traceback.

Examples
--------
>>> check_kiev_outlets(["RT"])
✅ Right: only RT writes "Kiev"; Al Jazeera, RFE/RL, unattributed write "Kyiv".
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

__all__ = ["Feedback", "check_kiev_outlets", "check_zelensky_spellings", "check_troops_fact",
           "check_rt_troop_number", "check_claims", "check_top_source", "check_lexicon"]


@dataclass
class Feedback:
    """The result of a check: ``ok`` (also the truth value), a ``message`` and optional ``hints``."""

    ok: bool
    message: str
    hints: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        mark = "✅" if self.ok else "❌"
        lines = [f"{mark} {self.message}"] + [f"   Hint: {h}" for h in self.hints]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = "#e8f5e9" if self.ok else "#fff3e0"
        mark = "✅" if self.ok else "❌"
        hints = "".join(f"<li>{html.escape(h)}</li>" for h in self.hints)
        return (f"<div style='background:{colour};padding:.6em 1em;border-radius:6px'>{mark} "
                f"{html.escape(self.message)}{f'<ul>{hints}</ul>' if hints else ''}</div>")


# ------------------------------------------------------------------------------------------ helpers

@lru_cache(maxsize=1)
def _seeds():
    from .corpus import load_corpus

    return load_corpus()


@lru_cache(maxsize=1)
def _term_choice() -> pd.DataFrame:
    from .terms import term_choice

    return term_choice(_seeds())


@lru_cache(maxsize=1)
def _attribution():
    from .attribution import attribution

    return attribution(_seeds())


def _norm(name) -> str:
    return " ".join(str(name).replace("’", "'").casefold().split())


def _as_names(answer, what: str) -> tuple[set[str] | None, Feedback | None]:
    if answer is None or answer is ... or (isinstance(answer, str) and not answer.strip()):
        return None, Feedback(False, f"There is no answer yet: replace the ... with the {what}.")
    if isinstance(answer, str):
        answer = [part for part in answer.replace(";", ",").split(",")]
    try:
        names = {_norm(a) for a in answer if str(a).strip()}
    except TypeError:
        return None, Feedback(False, f"Give the {what} as a list, like [\"RT\", \"RFE/RL\"].")
    return names, None


def _compare_sets(given: set[str], expected: dict[str, str], *, right: str, what: str) -> Feedback:
    want = set(expected)
    if given == want:
        return Feedback(True, right)
    known = {_norm(o) for o in _seeds().outlets}
    unknown = sorted(given - known)
    hints = []
    if unknown:
        hints.append(f"{', '.join(unknown)} is not an outlet of this corpus; the outlets are "
                     f"{', '.join(sorted(_seeds().outlets))}.")
    missing = [expected[n] for n in sorted(want - given)]
    extra = sorted(given - want - set(unknown))
    parts = []
    if missing:
        parts.append(f"{len(missing)} {what} missing")
    if extra:
        parts.append(f"{len(extra)} that should not be there")
    return Feedback(False, ("Not quite: " + " and ".join(parts) + ".") if parts else "Not quite.", hints + [
        "Look at the count column of the table for each outlet; an outlet counts if its count is above 0."])


# --------------------------------------------------------------------------- 1. Kiev or Kyiv?

def check_kiev_outlets(answer) -> Feedback:
    """Exercise 1: which outlets write "Kiev"? ``answer`` is a list of outlet names.

    Examples
    --------
    >>> bool(check_kiev_outlets(["RT", "RFE/RL"]))
    False
    """
    names, problem = _as_names(answer, "list of outlets")
    if problem is not None:  # Feedback is falsy when not ok
        return problem
    tc = _term_choice()
    kiev = tc[(tc["variant"] == "Kiev") & (tc["count"] > 0)]["outlet"]
    kyiv = tc[(tc["variant"] == "Kyiv") & (tc["count"] > 0)]["outlet"]
    expected = {_norm(o): o for o in kiev}
    right = (f"Right: only {', '.join(sorted(kiev))} writes \"Kiev\"; {', '.join(sorted(kyiv))} write "
             "\"Kyiv\".")
    return _compare_sets(names, expected, right=right, what="outlet(s)")


def check_zelensky_spellings(answer) -> Feedback:
    """Exercise 1: which spelling of Zelensky does each outlet use? ``answer`` maps outlet → spelling.

    Examples
    --------
    >>> bool(check_zelensky_spellings({"RT": "Zelensky", "RFE/RL": "Zelenskiy",
    ...                                "Al Jazeera": "Zelenskyy", "unattributed": "Zelensky"}))
    True
    """
    if not isinstance(answer, dict) or not answer:
        return Feedback(False, "Give a dictionary, one outlet per line, like {\"RT\": \"Zelensky\", ...}.")
    tc = _term_choice()
    z = tc[(tc["concept"] == "Zelensky") & (tc["count"] > 0)]
    expected = {_norm(o): _norm(g.sort_values("count").iloc[-1]["variant"]) for o, g in z.groupby("outlet")}
    given = {_norm(k): _norm(v) for k, v in answer.items()}
    wrong = sorted(o for o in expected if given.get(o) != expected[o])
    display = {_norm(o): o for o in _seeds().outlets}
    if not wrong:
        return Feedback(True, "Right: three spellings of one name, and no two outlets here agree with RFE/RL.")
    missing = [display.get(o, o) for o in wrong if o not in given]
    hints = [f"Check {display.get(o, o)}: look at its rows for the concept Zelensky." for o in wrong
             if o in given][:2]
    if missing:
        hints.insert(0, f"Your answer has no entry for {', '.join(missing)}.")
    return Feedback(False, f"{len(expected) - len(wrong)} of {len(expected)} outlets right.", hints)


# --------------------------------------------------------------- 2. Same fact, different words

def check_troops_fact(answer) -> Feedback:
    """Exercise 2: which outlets report the size of Russia's troop build-up? A list of outlet names."""
    names, problem = _as_names(answer, "list of outlets")
    if problem is not None:  # Feedback is falsy when not ok
        return problem
    expected = {_norm(o): o for o in ("RFE/RL", "Al Jazeera", "RT")}
    return _compare_sets(names, expected, what="outlet(s)",
                         right="Right: RFE/RL, Al Jazeera and RT all give a size; the unattributed report "
                               "does not mention troop numbers at all - an omission.")


def check_rt_troop_number(answer) -> Feedback:
    """Exercise 2: how does RT put the number of troops, and who does it say claims it? A string."""
    if not isinstance(answer, str) or not answer.strip() or answer.strip() == "...":
        return Feedback(False, "Copy the words RT uses for the number of troops between the quotes.")
    text = _norm(answer)
    if "100,000" in text or "100 000" in text or "100000" in text:
        if "over" in text or "more than" in text:
            return Feedback(True, "Right: RT writes \"over 100,000 troops\" - and attributes it to "
                                  "\"claims by Washington\", while RFE/RL states \"about 100,000\" as fact.")
        return Feedback(False, "The number is right; which word does RT put in front of it?",
                        ["Compare with RFE/RL's \"about 100,000\"."])
    return Feedback(False, "That is not the number RT gives.",
                    ["Find RT's sentence about the troops in the aligned table (outlet RT)."])


# --------------------------------------------------------------------------- 3. Who gets quoted?

def check_claims(outlet, count=None) -> Feedback:
    """Exercise 3: which outlet uses "claims" as a reporting verb, and how often (as a verb)?"""
    verbs = _attribution().verbs
    claim = verbs[(verbs["verb"] == "claim") & (verbs["form"] == "verb") & (verbs["count"] > 0)]
    top = claim.sort_values("count").iloc[-1]
    if not isinstance(outlet, str) or _norm(outlet) != _norm(top["outlet"]):
        return Feedback(False, "Not that outlet.", ["Filter the verbs table: verb == 'claim' and form == 'verb'."])
    if count is None:
        return Feedback(True, f"Right outlet: {top['outlet']}. Now add how many times.")
    try:
        count = int(count)
    except (TypeError, ValueError):
        return Feedback(False, "Give the count as a whole number, like 3.")
    if count != int(top["count"]):
        return Feedback(False, f"Right outlet, but the count is off by {abs(count - int(top['count']))}.",
                        ["Only the verb counts here (\"Kiev claims\"), not the noun (\"amid claims\")."])
    return Feedback(True, f"Right: {top['outlet']} uses \"claims\" {count} times as a verb (\"The agency claims\", "
                          "\"Kiev claims\"), where the other outlets write \"said\". \"Claims\" signals doubt.")


def check_top_source(outlet, source_type) -> Feedback:
    """Exercise 3: which kind of source makes up most of ``outlet``'s quoted material?"""
    sources = _attribution().sources
    rows = sources[sources["outlet"].map(_norm) == _norm(outlet)]
    if rows.empty:
        return Feedback(False, f"{outlet!r} is not an outlet here; choose one of {', '.join(_seeds().outlets)}.")
    top = rows.sort_values("share_of_quoted").iloc[-1]
    if _norm(source_type) == _norm(top["source_type"]):
        return Feedback(True, f"Right: {top['share_of_quoted']:.0%} of {top['outlet']}'s quoted text comes from "
                              f"sources of the type \"{top['source_type']}\".")
    return Feedback(False, "That type is there, but it is not the largest share." if
                    _norm(source_type) in set(rows["source_type"].map(_norm)) else
                    "That is not one of the source types in the table.",
                    ["Sort the outlet's rows by share_of_quoted."])


# ------------------------------------------------------------------- 4. Build your own lexicon

def check_lexicon(lexicon, corpus=None) -> Feedback:
    """Exercise 4: is ``lexicon`` (a DataFrame with ``concept`` and ``variant`` columns, or a file) a
    usable term lexicon, and what does it find in ``corpus``?

    Examples
    --------
    >>> lex = pd.DataFrame({"concept": ["Myanmar", "Myanmar"], "variant": ["Myanmar", "Burma"]})
    >>> bool(check_lexicon(lex))
    False
    """
    from .errors import FramingError
    from .terms import term_choice

    if isinstance(lexicon, pd.DataFrame):
        missing = [c for c in ("concept", "variant") if c not in lexicon.columns]
        if missing:
            return Feedback(False, f"The table needs the column(s) {', '.join(missing)}.",
                            ["Make it with pd.DataFrame({'concept': [...], 'variant': [...]})."])
        frame = lexicon.fillna("")
        blank = frame[(frame["concept"].astype(str).str.strip() == "") | (frame["variant"].astype(str).str.strip() == "")]
        if len(blank):
            return Feedback(False, f"Row {blank.index[0]} has an empty concept or variant.")
        sizes = frame.groupby("concept")["variant"].nunique()
        lonely = sorted(sizes[sizes < 2].index)
        if len(sizes) < 2:
            return Feedback(False, "Add at least two concepts, each with two or more competing names.",
                            ["For example the country name (Myanmar / Burma) and its largest city "
                             "(Yangon / Rangoon)."])
        if lonely:
            return Feedback(False, f"The concept(s) {', '.join(lonely)} have only one variant: a choice needs two.")
    corpus = corpus if corpus is not None else _seeds()
    try:
        counts = term_choice(corpus, lexicon=lexicon)
    except FramingError as exc:
        return Feedback(False, f"The lexicon cannot be used: {exc}")
    found = counts[counts["count"] > 0]
    if found.empty:
        return Feedback(False, "The lexicon is well formed, but none of its variants appears in the corpus.",
                        ["Check the spelling, or add inflected forms with a * (\"rebel*\")."])
    split = [c for c, g in found.groupby("concept") if g["variant"].nunique() > 1]
    msg = (f"Your lexicon works: {found['variant'].nunique()} variants of {found['concept'].nunique()} "
           f"concepts appear, {int(found['count'].sum())} mentions in all.")
    if split:
        msg += f" Outlets differ on: {', '.join(split)}."
    return Feedback(True, msg)
