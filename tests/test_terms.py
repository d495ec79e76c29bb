"""Term choice, variant discovery, distinctive terms and substitutions (issue 4, parts 1-4)."""

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from framing import FramingError, FramingWarning, corpus_from_frame
from framing.lexicon import compile_lexicon, load_lexicon
from framing.terms import (
    diff_spans,
    discover_variants,
    distinctive_terms,
    log_odds_dirichlet,
    string_similarity,
    substitutions,
    term_choice,
    term_mentions,
)


def _frame(outlet_texts):
    rows = [{"outlet": o, "text": t} for o, t in outlet_texts]
    return corpus_from_frame(pd.DataFrame(rows), clean=False)


def _articles_with(tc, variant):
    return set(tc.loc[(tc["variant"] == variant) & (tc["count"] > 0), "article_id"].str[:3])


# ------------------------------------------------------------------------------------------- lexicon

def test_bundled_lexicon_covers_the_issue_concepts():
    lex = load_lexicon()
    assert list(lex.columns[:4]) == ["concept", "variant", "pattern", "note"]
    variants = set(lex["variant"])
    for v in ["Kiev", "Kyiv", "Lugansk", "Luhansk", "Donbass", "Donbas", "Odessa", "Odesa", "Kharkov", "Kharkiv",
              "Nikolaev", "Mykolaiv", "Zelensky", "Zelenskiy", "Zelenskyy", "regime", "government",
              "administration", "authorities", "separatists", "rebels", "militias", "the republics",
              "breakaway regions", "military bloc", "alliance", "invasion", "military operation", "attack",
              "annexation", "seizure", "reunification", "coup", "revolution", "Maidan"]:
        assert v in variants, v
    assert (lex["note"].str.len() > 0).all()


@pytest.mark.parametrize("body, message", [
    ("variant\tpattern\nKiev\tkiev\n", "line 1: the header needs the columns concept and variant"),
    ("concept\tvariant\tpattern\nKyiv\t\tkiev\n", "line 2: the concept and the variant must not be empty"),
    ("concept\tvariant\tpattern\nKyiv\tKiev\tre:(kiev\n", "line 2: the regular expression"),
    ("concept\tvariant\tpattern\nKyiv\tKiev\tre:(kiev)\n", "line 2: the regular expression '(kiev)' has capturing"),
    ("# comment\nconcept\tvariant\tpattern\nKyiv\tKiev\tkiev\nKyiv\tKyiv\tkyiv|kiev\n",
     "line 4: the form 'kiev' is also a form of 'Kiev'"),
    ("concept\tvariant\tpattern\nKyiv\tKiev\tki*ev\n", "line 2: the form 'ki*ev' is not valid"),
    ("concept\tvariant\tpattern\nKyiv\tKiev\tkiev\tno\textra\n", "line 2: 5 fields but the header has 3"),
    ("concept\tvariant\tpattern\nKyiv\tKiev\tkiev\nKyiv\tKiev\tkiev2\n", "line 3: variant 'Kiev' of 'Kyiv' repeats"),
])
def test_bad_lexicon_lines_name_file_and_line(tmp_path, body, message):
    path = tmp_path / "mine.tsv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(FramingError) as err:
        load_lexicon(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_missing_lexicon_file(tmp_path):
    with pytest.raises(FramingError, match="lexicon file not found"):
        load_lexicon(tmp_path / "nope.tsv")


def test_csv_lexicon_and_matching_rules(tmp_path):
    path = tmp_path / "terms.csv"
    path.write_text(
        "concept,variant,pattern,note\n"
        "Kyiv,Kiev,kiev,\n"
        "Kyiv,Kyiv,,empty pattern means the variant\n"
        "groups,rebels,rebel*,\n"
        "groups,militias,militia|militias,\n"
        "nato,military bloc,military bloc,\n"
        "crimea,annexation,annex|annexed|annexation,\n"
        "far right,neo-Nazis,neo-nazi|neo-nazis,\n"
        'ukraine,the Ukraine,"re:the ukraine(?=\\s+would)",\n',
        encoding="utf-8")
    lex = load_lexicon(path)
    assert lex.loc[lex["variant"] == "Kyiv", "pattern"].item() == "kyiv"
    matcher = compile_lexicon(lex)
    text = ("KIEV's rebels and a Rebel-held town; Kiev-based, pro-Kyiv. The Military-Bloc and military  bloc; "
            "Moscow annexed it (annexation), not annexing. Neo Nazis, neonazi, neo-Nazi. "
            "The Ukraine would not; the Ukraine crisis.")
    hits, n_words = matcher.scan(text.lower())
    got = pd.Series(matcher.variants.loc[hits, "variant"]).value_counts().to_dict()
    assert got == {"Kiev": 2, "Kyiv": 1, "rebels": 2, "military bloc": 2, "annexation": 2, "neo-Nazis": 3,
                   "the Ukraine": 1}
    # "annexing" is not a listed form; the trie must not match it as "annex".
    # Words: letter-initial tokens, a hyphenated compound counting one word per part, "KIEV's" one word.
    assert n_words == len([w for w in text.replace("-", " ").split() if w.strip(".,;()")[:1].isalpha()])
    spans = list(matcher.finditer(text.lower()))
    assert [text[s:e] for s, e, _ in spans][:3] == ["KIEV", "rebels", "Rebel"]


# -------------------------------------------------------------------------------------- term choice

def test_term_choice_on_seeds_matches_the_issue(seeds):
    tc = term_choice(seeds, by="article")
    assert list(tc.columns[:6]) == ["concept", "variant", "outlet", "count", "per_10k_words", "share"]
    assert _articles_with(tc, "Kiev") == {"004"}
    assert _articles_with(tc, "Kyiv") == {"000", "001", "002", "003"}
    assert _articles_with(tc, "Zelensky") == {"000", "004"}
    assert _articles_with(tc, "Zelenskiy") == {"001", "002"}
    assert _articles_with(tc, "Zelenskyy") == {"003"}
    for rt_only in ["Lugansk", "Donbass", "regime", "military bloc"]:
        assert _articles_with(tc, rt_only) == {"004"}, rt_only
    assert _articles_with(tc, "administration") == {"000", "001", "003", "004"}

    by_outlet = term_choice(seeds)
    kiev = by_outlet[(by_outlet["variant"] == "Kiev") & (by_outlet["count"] > 0)]
    assert kiev[["outlet", "count"]].values.tolist() == [["RT", 7]]
    zel = by_outlet[(by_outlet["concept"] == "Zelensky") & (by_outlet["count"] > 0)]
    assert zel[["variant", "outlet", "count"]].values.tolist() == [
        ["Zelenskyy", "Al Jazeera", 1], ["Zelenskiy", "RFE/RL", 10], ["Zelensky", "RT", 1],
        ["Zelensky", "unattributed", 5]]
    # Shares sum to one per concept and outlet; rates are count / words.
    assert np.allclose(by_outlet.groupby(["concept", "outlet"])["share"].sum(), 1.0)
    assert np.allclose(by_outlet["per_10k_words"], by_outlet["count"] / by_outlet["words"] * 1e4)
    rt = by_outlet[(by_outlet["outlet"] == "RT") & (by_outlet["concept"] == "government label")]
    assert dict(zip(rt["variant"], rt["count"])) == {"government": 1, "administration": 1, "authorities": 1,
                                                     "regime": 1, "junta": 0}


def test_term_choice_counts_titles_only_when_asked(seeds):
    with_titles = term_choice(seeds)
    without = term_choice(seeds, include_titles=False)
    pick = lambda tc: tc.loc[(tc["variant"] == "Zelenskiy") & (tc["outlet"] == "RFE/RL"), "count"].item()
    assert (pick(with_titles), pick(without)) == (10, 9)  # 002's headline names Zelenskiy once


def test_term_choice_by_event_duck_typed_alignment(seeds, seed_ids):
    events = pd.DataFrame({"article_id": [seed_ids["004"], seed_ids["002"], seed_ids["003"], seed_ids["001"]],
                           "event_id": ["call", "call", "un", "un"]})
    tc = term_choice(seeds, by="event", alignment=SimpleNamespace(article_events=events))
    kyiv = tc[tc["concept"] == "Kyiv"]
    assert kyiv[["event_id", "outlet", "variant", "count"]][kyiv["count"] > 0].values.tolist() == [
        ["call", "RFE/RL", "Kyiv", 3], ["call", "RT", "Kiev", 7], ["un", "Al Jazeera", "Kyiv", 3],
        ["un", "RFE/RL", "Kyiv", 1]]
    assert "unattributed" not in set(tc["outlet"])  # 000 is in no event
    with pytest.raises(FramingError, match="needs alignment="):
        term_choice(seeds, by="event")
    with pytest.raises(FramingError, match="article_id and event_id"):
        term_choice(seeds, by="event", alignment=SimpleNamespace(article_events=pd.DataFrame({"x": [1]})))


def test_context_restricts_generic_words():
    corpus = _frame([("A", "The government seized the port."), ("A", "Russia seized Crimea; the government said.")])
    tc = term_choice(corpus, by="article")
    seized = tc[(tc["variant"] == "seizure") & (tc["count"] > 0)]
    assert seized["article_id"].tolist() == ["doc00001"]  # "Crimea 2014" needs "crimea" in the article


def test_term_mentions_offsets(seeds):
    m = term_mentions(seeds)
    arts = seeds.articles.set_index("id")["text"]
    body = m[~m["in_title"]]
    assert all(arts[a][s:e] == t for a, s, e, t in zip(body["article_id"], body["start"], body["end"], body["text"]))
    assert m.loc[m["variant"] == "military bloc", "text"].tolist() == ["military bloc", "military bloc"]


# ------------------------------------------------------------------------------------ variant discovery

def test_string_similarity_is_transliteration_aware():
    assert string_similarity("Kiev", "Kyiv") > 0.85
    assert string_similarity("Zelensky", "Zelenskyy") > 0.95
    assert string_similarity("Zelensky", "Zelenskiy") > 0.9
    assert string_similarity("Lugansk", "Luhansk") > 0.95
    assert string_similarity("Donbass", "Donbas") > 0.95
    assert string_similarity("Gaddafi", "Qaddafi") > 0.9
    assert string_similarity("Nikolaev", "Mykolaiv") > 0.85
    assert string_similarity("Kiev", "Riga") < 0.5
    assert string_similarity("decade", "decide") < 0.85 < string_similarity("organise", "organize")


def test_discover_variants_on_seeds_without_lexicon(seeds):
    v = discover_variants(seeds)
    assert list(v.columns[:6]) == ["group", "variant", "outlet", "count", "score", "evidence"]
    groups = v.drop_duplicates("group")["group"].tolist()
    top = [set(g.split("~")) for g in groups[:3]]
    assert {"Kiev", "Kyiv"} in top
    assert {"Zelensky", "Zelenskiy", "Zelenskyy"} in top
    kiev = v[(v["variant"] == "Kiev") & (v["count"] > 0)]
    assert kiev[["outlet", "count"]].values.tolist() == [["RT", 7]]
    evidence = v.loc[v["variant"] == "Kiev", "evidence"].iloc[0]
    assert evidence.startswith("string sim 0.9") and "complementary" in evidence


SPLIT_A = ["Libyan leader Moammar Gaddafi spoke in Tripoli on {d}.",
           "Gaddafi's forces shelled the rebels near Benghazi on {d}, officials said.",
           "Supporters of Gaddafi rallied in Tripoli as the talks went on {d}."]
SPLIT_B = ["Libyan leader Muammar Qaddafi spoke in Tripoli on {d}.",
           "Qaddafi's forces shelled the rebels near Benghazi on {d}, witnesses said.",
           "Supporters of Qaddafi rallied in Tripoli as the talks resumed {d}."]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday"]


def _libya_corpus():
    rows = []
    for d in DAYS:
        rows.append(("Daily Planet", " ".join(s.format(d=d) for s in SPLIT_A) + " Mumbai markets fell."))
        rows.append(("Evening Star", " ".join(s.format(d=d) for s in SPLIT_B) + " Bombay markets fell."))
    return _frame(rows)


def test_discover_variants_finds_another_spelling_split():
    v = discover_variants(_libya_corpus())
    groups = v.drop_duplicates("group")["group"].tolist()
    assert set(groups[0].split("~")) == {"Gaddafi", "Qaddafi"}  # spelled alike, same contexts, split
    assert {"Moammar", "Muammar"} in [set(g.split("~")) for g in groups]
    first = v[v["rank"] == 1]
    assert dict(zip(first["variant"] + "@" + first["outlet"], first["count"])) == {
        "Gaddafi@Daily Planet": 12, "Gaddafi@Evening Star": 0, "Qaddafi@Daily Planet": 0,
        "Qaddafi@Evening Star": 12}
    assert first["complementarity"].iloc[0] > 0.9


def test_discover_variants_by_context_alone():
    # Bombay / Mumbai are not spelled alike; their contexts and their split by outlet give them away.
    v = discover_variants(_libya_corpus())
    assert {"Bombay", "Mumbai"} in [set(g.split("~")) for g in v["group"].unique()]


def test_discover_variants_needs_two_outlets():
    with pytest.warns(FramingWarning, match="fewer than two"):
        v = discover_variants(_frame([("A", "Kiev and Kyiv.")]))
    assert v.empty and list(v.columns[:6]) == ["group", "variant", "outlet", "count", "score", "evidence"]


# ------------------------------------------------------------------------------------ log-odds

def test_log_odds_matches_hand_computation():
    # y_i = (3, 1, 0), y_j = (1, 2, 4), alpha = (0.5, 1, 1.5): n_i = 4, n_j = 7, alpha_0 = 3.
    # Word 0: delta = log(3.5 / (4 + 3 - 3 - 0.5)) - log(1.5 / (7 + 3 - 1 - 0.5)) = log(1) - log(1.5 / 8.5)
    #         var   = 1/3.5 + 1/1.5 (Monroe et al. 2008, eq. 20)
    # Word 2: delta = log(1.5 / 5.5) - log(5.5 / 4.5);  var = 1/1.5 + 1/5.5
    res = log_odds_dirichlet([3, 1, 0], [1, 2, 4], [0.5, 1.0, 1.5])
    d0 = math.log(1.0) - math.log(1.5 / 8.5)
    d1 = math.log(2.0 / 5.0) - math.log(3.0 / 7.0)
    d2 = math.log(1.5 / 5.5) - math.log(5.5 / 4.5)
    v0, v1, v2 = 1 / 3.5 + 1 / 1.5, 1 / 2.0 + 1 / 3.0, 1 / 1.5 + 1 / 5.5
    assert res.log_odds == pytest.approx([d0, d1, d2], abs=1e-12)
    assert res.variance == pytest.approx([v0, v1, v2], abs=1e-12)
    expected_z = [d0 / math.sqrt(v0), d1 / math.sqrt(v1), d2 / math.sqrt(v2)]
    assert np.abs(res.z - expected_z).max() < 1e-9
    assert np.abs(res.z - [1.7774371613143, -0.0755779040409, -1.6283801586508]).max() < 1e-9
    full = log_odds_dirichlet([3, 1, 0], [1, 2, 4], [0.5, 1.0, 1.5], variance="full")
    v0_full = v0 + 1 / 3.5 + 1 / 8.5  # + 1/(n_i + a0 - y_i - a) + 1/(n_j + a0 - y_j - a)
    assert abs(full.z[0] - d0 / math.sqrt(v0_full)) < 1e-9


def test_log_odds_rejects_bad_input():
    with pytest.raises(FramingError, match="positive"):
        log_odds_dirichlet([1, 2], [2, 1], [0.0, 1.0])
    with pytest.raises(FramingError, match="same length"):
        log_odds_dirichlet([1, 2], [2, 1, 3], [1.0, 1.0])


def _two_outlets():
    rows = []
    for k in range(6):
        weather = " The weather was fine." if k % 2 else ""
        rows.append(("Alpha", f"The regime in Kiev claims victory. Report {k}: the military bloc expands. "
                              f"Officials said talks continue.{weather}"))
        rows.append(("Beta", f"The government in Kyiv said it won. Report {k}: the alliance expands. "
                             f"Officials said talks continue.{weather}"))
    return _frame(rows)


def test_each_against_rest_equals_pairwise_for_two_outlets():
    corpus = _two_outlets()
    rest = distinctive_terms(corpus, top=None, min_count=2)
    pair = distinctive_terms(corpus, top=None, min_count=2, pair=("Alpha", "Beta"))
    merged = rest.merge(pair, on=["outlet", "term"], suffixes=("_rest", "_pair"))
    assert len(merged) == len(rest) == len(pair) > 10
    assert np.abs(merged["z_rest"] - merged["z_pair"]).max() < 1e-12
    assert np.abs(merged["log_odds_rest"] - merged["log_odds_pair"]).max() < 1e-12
    a = rest[rest["outlet"] == "Alpha"].set_index("term")["z"]
    b = rest[rest["outlet"] == "Beta"].set_index("term")["z"]
    assert np.allclose(a, -b.reindex(a.index))
    # Terms only Alpha uses, in all its articles, share the highest z; ties sort by term.
    alpha = rest[rest["outlet"] == "Alpha"]
    best = alpha[np.isclose(alpha["z"], alpha["z"].max())]["term"].tolist()
    assert {"regime", "kiev", "military bloc", "claims"} <= set(best) and best == sorted(best)


def test_distinctive_terms_uses_the_documented_prior():
    corpus = _two_outlets()
    d = distinctive_terms(corpus, top=None, min_count=2, alpha0=100.0)
    alpha_terms = d[d["outlet"] == "Alpha"].set_index("term")
    counts_a = alpha_terms["count"]
    counts_b = alpha_terms["count_other"]
    totals = counts_a + counts_b
    prior = totals / totals.sum() * 100.0
    expected = log_odds_dirichlet(counts_a.to_numpy(), counts_b.to_numpy(), prior.to_numpy()).z
    assert np.abs(alpha_terms["z"].to_numpy() - expected).max() < 1e-9


def test_permutation_check_separates_signal_from_noise(seeds):
    corpus = _two_outlets()
    d = distinctive_terms(corpus, top=None, min_count=2, permutations=199, random_state=1)
    p = d[d["outlet"] == "Alpha"].set_index("term")["p_perm"]
    assert p["regime"] <= 0.02    # in all six Alpha articles, in no Beta article
    assert p["weather"] > 0.5     # in half the articles of each outlet: noise
    again = distinctive_terms(corpus, top=None, min_count=2, permutations=199, random_state=1)
    assert again["p_perm"].equals(d["p_perm"])
    # Five articles cannot show anything beyond noise: the smallest possible p is about 1/5.
    small = distinctive_terms(seeds, min_count=2, top=5, permutations=100, random_state=0)
    assert small["p_perm"].min() > 0.05


def test_distinctive_terms_on_seeds_and_errors(seeds):
    d = distinctive_terms(seeds, min_count=2, top=5)
    assert list(d.columns[:5]) == ["outlet", "term", "count", "log_odds", "z"]
    assert d[d["outlet"] == "RT"]["term"].iloc[0] == "kiev"
    assert d[d["outlet"] == "RFE/RL"]["term"].iloc[0] == "zelenskiy"
    assert (d.groupby("outlet")["z"].apply(lambda z: z.is_monotonic_decreasing)).all()
    with pytest.raises(FramingError, match="not a outlet of the corpus"):
        distinctive_terms(seeds, pair=("RT", "TASS"))
    with pytest.warns(FramingWarning, match="only one outlet"):
        assert distinctive_terms(_frame([("A", "one outlet only")])).empty


def test_phrases_do_not_cross_punctuation():
    corpus = _frame([("A", f"Russia, China and Iran. Russia, China again ({k}).") for k in range(2)]
                    + [("B", f"Nothing here ({k}).") for k in range(2)])
    terms = set(distinctive_terms(corpus, top=None, min_count=2)["term"])
    assert "russia" in terms and "russia china" not in terms


# ------------------------------------------------------------------------------------ substitutions

def _aligned(seed_ids, pairs):
    rows = []
    for k, (a, sa, ta, b, sb, tb) in enumerate(pairs):
        rows.append({"fact_id": k, "article_a": seed_ids[a], "sent_a": sa, "text_a": ta,
                     "article_b": seed_ids[b], "sent_b": sb, "text_b": tb, "similarity": 0.8})
    return pd.DataFrame(rows)


RT_5 = ("Kiev claims the republics are being propped up by Russia, which has openly supported them, and has "
        "refused to deliver on its part of the peace plan.")
RFERL_REWRITE = ("Kyiv said the separatists are being propped up by Russia, which has openly supported them, and "
                 "has refused to deliver on its part of the peace plan.")
AJ_50 = ("Following the 2014 overthrow of a Kremlin-friendly president in Kyiv, Moscow annexed Ukraine’s Crimean "
         "Peninsula and backed an armed operation in the country’s eastern industrial heartland.")
RFERL_10 = ("Russia seized Ukraine’s Crimean Peninsula in 2014 and backs separatists in eastern Ukraine who have "
            "waged a bloody war against Kyiv that began the same year.")


def test_substitutions_extract_word_choice(seeds, seed_ids):
    aligned = _aligned(seed_ids, [
        ("004", 5, RT_5, "002", 9, RFERL_REWRITE),
        # Real sentences of two outlets, compared clause by clause.
        ("003", 50, "Moscow annexed Ukraine’s Crimean Peninsula",
         "002", 10, "Russia seized Ukraine’s Crimean Peninsula"),
        ("004", 1, "The agency claims Biden plans to call President Volodymyr Zelensky on Thursday.",
         "001", 0, "The agency said Biden plans to call President Volodymyr Zelenskiy on Thursday."),
    ])
    subs = substitutions(seeds, aligned)
    assert list(subs.columns[:6]) == ["outlet_a", "outlet_b", "word_a", "word_b", "count", "examples"]
    got = {(r.outlet_a, r.outlet_b, r.word_a, r.word_b): r.count for r in subs.itertuples()}
    assert got == {
        ("RFE/RL", "RT", "said", "claims"): 2, ("RFE/RL", "RT", "Kyiv", "Kiev"): 1,
        ("RFE/RL", "RT", "separatists", "republics"): 1, ("RFE/RL", "RT", "Zelenskiy", "Zelensky"): 1,
        ("Al Jazeera", "RFE/RL", "Moscow", "Russia"): 1, ("Al Jazeera", "RFE/RL", "annexed", "seized"): 1,
    }
    said = subs[subs["word_b"] == "claims"].iloc[0]
    assert said["examples"].split("; ")[0] == f"0:{seed_ids['002']}/9~{seed_ids['004']}/5"
    assert "[claims]" in said["example_b"] and said["pairs"] == 2
    # Direction does not matter: swapping the sides of every pair gives the same table.
    swapped = aligned.rename(columns={"article_a": "article_b", "article_b": "article_a", "sent_a": "sent_b",
                                      "sent_b": "sent_a", "text_a": "text_b", "text_b": "text_a"})
    assert substitutions(seeds, swapped)[["outlet_a", "outlet_b", "word_a", "word_b", "count"]].equals(
        subs[["outlet_a", "outlet_b", "word_a", "word_b", "count"]])


def test_substitutions_in_real_paraphrases(seeds, seed_ids):
    # Real sentence pairs of different outlets on one fact: paraphrases, not copies.
    aligned = _aligned(seed_ids, [
        ("003", 50, AJ_50, "002", 10, RFERL_10),
        ("003", 4, "Relations between Russia and the West have deteriorated, after Moscow deployed tens of "
                   "thousands of troops on its border with Ukraine.",
         "002", 8, "Ukraine has accused Russia of massing tens of thousands of troops near its border in "
                   "preparation for a possible major military offensive."),
    ])
    subs = substitutions(seeds, aligned)
    got = {(r.word_a, r.word_b): r.kind for r in subs.itertuples()}
    # "Moscow [annexed] | Russia [seized] Ukraine's Crimean Peninsula": next to a three-word anchor;
    # "troops [on] | [near] its border": between two anchors; "Relations between" / "Ukraine has accused"
    # opens the sentences without an anchor before it and is not counted.
    assert got == {("annexed", "seized"): "edge", ("deployed", "massing"): "edge", ("on", "near"): "slot"}
    row = subs[subs["word_a"] == "annexed"].iloc[0]
    assert "Moscow [annexed] Ukraine’s" in row["example_a"] and row["example_b"].startswith("Russia [seized]")
    assert set(substitutions(seeds, aligned, edges=False)["word_a"]) == {"on"}


def test_substitutions_ignore_long_rewrites_and_same_outlet(seeds, seed_ids):
    aligned = _aligned(seed_ids, [
        # A long insertion is not a word choice.
        ("004", 5, "Kiev claims the republics are being propped up by Russia.", "002", 9,
         "Kiev claims the republics, which Moscow has armed, financed and openly directed for years, are being "
         "propped up by Russia."),
        # Same outlet: not a framing difference.
        ("001", 0, "Zelenskiy spoke to Biden.", "002", 1, "Zelenskiy talked to Biden."),
    ])
    assert substitutions(seeds, aligned).empty
    occ = substitutions(seeds, aligned, same_outlet=True, aggregate=False)
    assert occ[["outlet_a", "word_a", "word_b", "kind"]].values.tolist() == [["RFE/RL", "spoke", "talked", "slot"]]
    with pytest.raises(FramingError, match="lacks the column"):
        substitutions(seeds, pd.DataFrame({"fact_id": [1]}))


def test_diff_spans_offsets():
    a, b = RT_5, RFERL_REWRITE
    sa, sb = diff_spans(a, b)
    assert [a[s:e] for s, e in sa] == ["Kiev claims", "republics"]
    assert [b[s:e] for s, e in sb] == ["Kyiv said", "separatists"]
    assert diff_spans("Same words “here”.", 'Same words "here".') == ([], [])
    sa, sb = diff_spans("Russia has amassed troops.", "Russia has amassed 100,000 troops.")
    assert sa == [] and sb == [(19, 26)]


def test_substitutions_without_examples_gives_empty_strings():
    # Regression: the groupby aggregation left NaN in `examples` when examples=0.
    from framing import load_corpus
    from framing.terms import substitutions

    pairs = pd.DataFrame({"fact_id": [0], "article_a": ["004_25c19a2463a9116a"], "sent_a": [4],
                          "text_a": ["Kiev claims the republics are being propped up by Russia."],
                          "article_b": ["002_36b4d977e9af38c7"], "sent_b": [9],
                          "text_b": ["Kyiv said the separatists are being propped up by Russia."], "similarity": [0.8]})
    out = substitutions(load_corpus(), pairs, examples=0)
    assert out["examples"].tolist() == ["", "", ""] and out["count"].tolist() == [1, 1, 1]
