"""Tests for framing.align: events, sentence alignment, facts, omissions, on the seeds and small frames."""

import re

import numpy as np
import pandas as pd
import pytest

from framing import FramingError, corpus_from_frame
from framing.align import EventAlignment, _date_span, align_events
from framing.align_features import (count_features, load_paraphrases, load_skip_concepts, load_stop_words, name_key,
                                    term_classes)
from framing.align_graph import average_linkage


@pytest.fixture(scope="module")
def result(seeds):
    return align_events(seeds)


def sentence(seeds, prefix, fragment):
    """(article_id, sent_id) of the one sentence of article ``prefix`` containing ``fragment``."""
    s = seeds.sentences()
    hit = s[s["article_id"].str.startswith(prefix) & s["text"].str.contains(fragment, regex=False)]
    assert len(hit) == 1, (prefix, fragment, len(hit))
    return hit["article_id"].iloc[0], int(hit["sent_id"].iloc[0])


def fact_of(result, key):
    m = result.fact_members
    rows = m[(m["article_id"] == key[0]) & (m["sent_id"] == key[1])]
    return set(rows["fact_id"])


def aligned(result, a, b):
    sa = result.sentence_alignments
    fwd = (sa["article_a"] == a[0]) & (sa["sent_a"] == a[1]) & (sa["article_b"] == b[0]) & (sa["sent_b"] == b[1])
    bwd = (sa["article_a"] == b[0]) & (sa["sent_a"] == b[1]) & (sa["article_b"] == a[0]) & (sa["sent_b"] == a[1])
    return bool((fwd | bwd).any())


# --------------------------------------------------------------------------------------------- events

def test_seed_events(result, seed_ids):
    ev = result.article_events.set_index("article_id")["event_id"]
    assert ev[seed_ids["000"]] == ev[seed_ids["002"]] == ev[seed_ids["004"]] == "E01"
    assert ev[seed_ids["001"]] == "E02" and ev[seed_ids["003"]] == "E03"
    events = result.events
    assert events["event_id"].tolist() == ["E01", "E02", "E03"]
    e1 = events.iloc[0]
    assert (e1["n_articles"], e1["outlets"]) == (3, "RFE/RL; RT; unattributed")
    assert (f"{e1['first_date']:%Y-%m-%d}", f"{e1['last_date']:%Y-%m-%d}") == ("2021-12-06", "2021-12-08")
    assert e1["label"].endswith(" · 6–8 Dec 2021") and "NATO" in e1["label"]
    assert events.iloc[2]["label"].endswith(" · 27 Jan 2022")


def test_columns_follow_the_contract(result):
    expected = {
        "article_events": ["article_id", "event_id", "event_label", "confidence"],
        "events": ["event_id", "label", "first_date", "last_date", "n_articles", "outlets"],
        "coverage": ["event_id", "outlet", "articles", "sentences"],
        "sentence_alignments": ["fact_id", "article_a", "sent_a", "text_a", "article_b", "sent_b", "text_b",
                                "similarity"],
        "facts": ["fact_id", "representative", "outlets", "n_articles", "n_sentences", "event_id"],
        "omissions": ["event_id", "fact_id", "representative", "reported_by", "missing_from"],
    }
    for attr, cols in expected.items():
        assert list(getattr(result, attr).columns[:len(cols)]) == cols, attr
    assert {"outlet_a", "outlet_b", "kind_a", "kind_b"} <= set(result.sentence_alignments.columns)


def test_every_article_once_with_confidence(result, seeds):
    ae = result.article_events
    assert ae["article_id"].tolist() == seeds.articles["id"].tolist()
    assert ae["confidence"].between(0, 1).all()


def test_coverage_has_blind_spots(result):
    cov = result.coverage
    assert len(cov) == 3 * 4  # events × outlets, zeros included
    assert cov["articles"].sum() == 5
    cell = cov.set_index(["event_id", "outlet"])
    assert cell.loc[("E01", "Al Jazeera"), "articles"] == 0
    assert cell.loc[("E03", "Al Jazeera"), "articles"] == 1
    assert cell.loc[("E01", "RT"), "sentences"] == 17


# ---------------------------------------------------------------------------------------------- facts

def test_troop_buildup_aligns_in_four_articles(result, seeds):
    keys = [sentence(seeds, "001", "about 100,000 troops"), sentence(seeds, "002", "tens of thousands of troops"),
            sentence(seeds, "003", "tens of thousands of troops"), sentence(seeds, "004", "over 100,000 troops")]
    common = set.intersection(*(fact_of(result, k) for k in keys))
    assert len(common) == 1
    fact = result.facts.set_index("fact_id").loc[common.pop()]
    assert fact["n_articles"] == 4
    assert fact["event_id"] == ""  # spread over the three events: background
    assert aligned(result, keys[1], keys[2])  # "massing tens of thousands" / "deployed tens of thousands"


NATO_DEMAND = [("000", "would not join NATO"), ("001", "sweeping security guarantees"), ("002", "written guarantees"),
               ("003", "assurances Ukraine never"), ("004", "aspiration to join the US-led military bloc")]


def test_nato_demand_is_one_fact_in_all_five_articles(result, seeds, seed_ids):
    keys = [sentence(seeds, *k) for k in NATO_DEMAND]
    common = set.intersection(*(fact_of(result, k) for k in keys))
    assert len(common) == 1
    fact_id = common.pop()
    fact = result.facts.set_index("fact_id").loc[fact_id]
    assert fact["article_ids"] == "; ".join(seed_ids[k] for k in ["000", "001", "002", "003", "004"])
    # Exactly these five sentences: "Ukraine wants to join NATO" (000) and "NATO offered assurances of
    # support" (002) share NATO, Ukraine, join and assurances but state other facts.
    members = result.fact_members[result.fact_members["fact_id"] == fact_id]
    assert sorted(zip(members["article_id"], members["sent_id"])) == sorted(keys)
    assert aligned(result, keys[2], keys[3])
    # RT (004) states it through the first clause of "..., which it sees as an expansionist hostile
    # organization": its aside is not part of the fact.
    assert aligned(result, keys[4], keys[3])
    # So no outlet of the 6-8 December event is said to omit it.
    assert not (result.omissions["fact_id"] == fact_id).any()


def test_what_brings_each_article_into_the_nato_fact(seeds):
    """Without term classes RT (004) still joins through its first clause, while RFE/RL's 001 drops out:
    its sentence reaches the fact threshold with Al Jazeera's only when "United States" counts as "US"
    and "assurances" as "guarantees".
    Second facts come only from articles of the fact's events: Al Jazeera's "the German government
    would pressure Russia by imposing sanctions" (another event) is not added to the sanctions fact."""
    res = align_events(seeds, paraphrases=False, lexicon=False)
    fact = fact_of(res, sentence(seeds, "002", "written guarantees")).pop()
    members = res.fact_members[res.fact_members["fact_id"] == fact]
    assert sorted(members["article_id"].str[:3]) == ["000", "002", "003", "004"]
    default = align_events(seeds)
    sanctions = fact_of(default, sentence(seeds, "001", "impose severe sanctions"))
    assert not sanctions & fact_of(default, sentence(seeds, "003", "pressure Russia by imposing sanctions"))


def test_crimea_background_aligns_across_events(result, seeds):
    a = sentence(seeds, "002", "Crimean Peninsula in 2014")
    b = sentence(seeds, "003", "annexed Ukraine")
    assert aligned(result, a, b)
    fact = result.facts.set_index("fact_id").loc[fact_of(result, a).pop()]
    assert fact["event_id"] == "" and fact["outlets"] == "Al Jazeera; RFE/RL"


def test_nord_stream_aligns(result, seeds):
    assert aligned(result, sentence(seeds, "000", "block the implementation of Nord Stream 2"),
                   sentence(seeds, "003", "refusing to switch on the Nord Stream 2"))


@pytest.mark.parametrize("a, b", [
    (("001", "would not discuss Ukraine"), ("003", "wanted to discuss Russia")),  # Biden administration, Ukraine
    (("004", "lean on his Ukrainian counterpart"), ("001", "hold another call")),  # President Joe Biden
    (("000", "Everything is possible"), ("003", "had seen Washington")),  # Ukraine's foreign minister Kuleba
    (("003", "Later on Thursday"), ("004", "The agency claims")),  # Biden, Zelensky, Thursday
    (("000", "transit country"), ("003", "not a moment to wait")),  # "moment", nothing else
    (("001", "last spoke to Zelenskiy"), ("002", "last spoke by telephone")),  # Biden, spoke
    (("000", "voiced a desire to join NATO"), ("002", "written guarantees")),  # NATO, Ukraine, join
    (("002", "offered assurances"), ("003", "assurances Ukraine never")),  # NATO, Ukraine, assurances
])
def test_sentences_sharing_only_names_do_not_align(result, seeds, a, b):
    assert not aligned(result, sentence(seeds, *a), sentence(seeds, *b))


def test_subheads_never_align_and_posts_keep_their_kind(result, seeds):
    sa = result.sentence_alignments
    assert set(sa["kind_a"]) | set(sa["kind_b"]) <= {"body", "embedded_post"}
    post = sentence(seeds, "003", "agreed on joint actions")
    row = sa[(sa["article_b"] == post[0]) & (sa["sent_b"] == post[1])]
    assert row["kind_b"].tolist() == ["embedded_post"]
    assert row["text_a"].str.startswith("“Agreed to continue joint").all()


def test_alignment_rows_are_consistent(result, seeds):
    sa = result.sentence_alignments
    s = seeds.sentences().set_index(["article_id", "sent_id"])["text"]
    assert (sa["article_a"] != sa["article_b"]).all()
    assert [s[(a, i)] for a, i in zip(sa["article_a"], sa["sent_a"])] == sa["text_a"].tolist()
    assert sa["similarity"].between(0.15, 1).all()
    assert set(sa["fact_id"]) == set(result.facts["fact_id"])


def test_omissions(result):
    om = result.omissions
    troops = om[om["representative"].str.contains("tens of thousands of troops")]
    assert troops[["event_id", "reported_by", "missing_from"]].values.tolist() == [
        ["E01", "RFE/RL; RT", "unattributed"]]
    assert set(om["event_id"]) == {"E01"}  # the other events have one outlet each
    assert not om["representative"].str.contains("NATO").any()


# ------------------------------------------------------------------------------------ time and dates

def test_resolved_dates_become_features(seeds):
    fc = count_features(seeds.articles, seeds.sentences())
    s = seeds.sentences()
    vocab = fc.vocabulary

    def days(prefix, fragment):
        i = s.index[s["article_id"].str.startswith(prefix) & s["text"].str.contains(fragment, regex=False)][0]
        return {f for f in vocab[fc.sentences[i].indices] if f.startswith("d:")}

    assert days("001", "their call on December 30 that") == {"d:2021-12-30"}
    assert days("001", "on January 2 as") == {"d:2022-01-02"}  # published 2021-12-31: next year
    assert days("000", "late Monday") == {"d:2021-12-06"}  # published Tuesday 2021-12-07
    assert days("003", "Later on Thursday") == {"d:2022-01-27"}
    assert days("001", "January 9-10 in Geneva") == {"d:2022-01-09", "d:2022-01-10"}


def _pair(dates, texts=None):
    body = ("Rescuers in Sulawesi pulled 40 survivors from the rubble after the magnitude 7.5 earthquake "
            "struck Palu, officials of the Indonesian disaster agency said. The quake destroyed 1,200 homes "
            "in Palu and Donggala.")
    texts = texts or [body, body.replace("40 survivors", "forty survivors")]
    return corpus_from_frame(pd.DataFrame({"id": ["a", "b"], "outlet": ["X", "Y"], "date": dates, "text": texts}))


def test_time_window_separates_distant_articles():
    near = align_events(_pair(["2018-09-29", "2018-10-01"]))
    assert near.article_events["event_id"].nunique() == 1
    far = align_events(_pair(["2018-09-29", "2019-03-01"]))
    assert far.article_events["event_id"].nunique() == 2
    undated = align_events(_pair([None, "2019-03-01"]))  # no date: not time-blocked
    assert undated.article_events["event_id"].nunique() == 1


def test_text_naming_the_same_day_links_distant_articles():
    body = ("Rescuers in Sulawesi pulled 40 survivors from the rubble after the magnitude 7.5 earthquake "
            "struck Palu on September 28, officials of the Indonesian disaster agency said.")
    linked = align_events(_pair(["2018-09-28", "2019-03-01"], [body, body.replace("said", "recalled")]))
    assert linked.article_events["event_id"].nunique() == 1


# ------------------------------------------------------------------------------------------- labels

def test_event_labels_are_key_terms_and_a_date_span(result):
    labels = result.events["label"].tolist()
    assert labels[0].endswith(" · 6–8 Dec 2021") and labels[2].endswith(" · 27 Jan 2022")
    for label, terms in zip(labels, result.events["key_terms"]):
        assert re.fullmatch(r"[^·]+ · \d{1,2}(–\d{1,2})? [A-Z][a-z]{2} \d{4}", label), label
        assert label.split(" · ")[0] == terms.replace("; ", ", ") and len(terms.split("; ")) == 4
    assert "NATO" in labels[0] and "Ukraine" in labels[0]
    assert result.article_events["event_label"].tolist()[0] == labels[0]


def test_date_spans():
    ts = pd.Timestamp
    assert _date_span(ts("2021-12-07"), ts("2021-12-07")) == "7 Dec 2021"
    assert _date_span(ts("2021-12-06"), ts("2021-12-08")) == "6–8 Dec 2021"
    assert _date_span(ts("2021-11-30"), ts("2021-12-03")) == "30 Nov – 3 Dec 2021"
    assert _date_span(ts("2021-12-30"), ts("2022-01-03")) == "30 Dec 2021 – 3 Jan 2022"
    assert _date_span(pd.NaT, pd.NaT) == ""


# --------------------------------------------------------------------------------- data files, terms

def test_bundled_word_lists_load():
    sw = load_stop_words()
    kinds = sw.groupby("kind")["word"].apply(set)
    assert {"said", "told", "according"} <= kinds["attribution"]
    assert {"december", "dec", "thursday"} <= kinds["calendar"]
    assert {"which", "but", "saying"} <= kinds["clause"]
    p = load_paraphrases()
    assert list(p.columns) == ["group", "form", "context", "line"]
    assert {"membership", "accession"} <= set(p.loc[p["group"] == "join", "form"])
    assert p.loc[p["form"] == "military bloc", "context"].tolist() == ["nato|north atlantic"]
    assert load_skip_concepts() == ["abortion positions", "gun policy"]


def test_term_classes_merge_paraphrases_and_lexicon_concepts():
    tc = term_classes()
    assert list(tc.columns) == ["class", "feature", "form", "context", "source"]
    nato = tc[tc["class"] == "NATO"]
    # The paraphrase group NATO and the lexicon concept "NATO label" share "alliance": one class.
    assert {"NATO", "alliance", "military bloc", "military-political bloc"} <= set(nato["form"])
    assert set(nato["feature"]) == {"n:nt"}
    assert set(tc.loc[tc["form"].isin(["kiev", "kyiv"]), "class"]) == {"Kyiv"}
    assert set(tc.loc[tc["form"] == "illegal immigrants", "feature"]) == {"w:unauthor_immigr"}  # neutral name
    assert not tc["source"].str.contains("abortion|gun policy").any()  # opposing positions stay apart
    assert "ukraine" not in set(tc["form"])  # its other variant is a regular expression: nothing to merge
    assert term_classes(paraphrases=False, lexicon=False).empty


def _features(texts, **kw):
    c = corpus_from_frame(pd.DataFrame({"id": [f"a{i}" for i in range(len(texts))], "outlet": "X",
                                        "date": "2022-01-10", "text": texts}))
    fc = count_features(c.articles, c.sentences(), classes=term_classes(), **kw)
    s = c.sentences()
    return [[f for f in fc.vocabulary[fc.sentences[i].indices]] for i in range(len(s))], fc


def test_term_classes_apply_as_features():
    rows, fc = _features([
        "The military bloc rejected the demand. Moscow wants NATO to deny membership to Kiev.",
        "Biden told us the US would step down pressure. The alliance of farmers joined a rally.",
    ])
    assert "n:nt" in rows[0] and "w:militari" not in rows[0] and "w:bloc" not in rows[0]  # NATO in the article
    assert "w:join" in rows[1] and "w:membership" not in rows[1] and "n:kv" in rows[1]
    # "us" the pronoun is not the US; "alliance" is NATO only in articles that mention NATO.
    assert rows[2].count("n:us") == 1 and "w:resign" in rows[2]
    assert "w:allianc" in rows[3] and "n:nt" not in rows[3] and "w:join" in rows[3]
    assert fc.surface["w:join"] == "join" and fc.surface["n:nt"] == "NATO"


def test_clauses_and_own_stop_words(seeds, tmp_path):
    s = seeds.sentences().reset_index(drop=True)
    fc = count_features(seeds.articles, s)
    row = s.index[s["text"].str.contains("military bloc, which")][0]
    clauses = fc.clauses[fc.clause_sentence == row]
    assert clauses.shape[0] == 2  # split at ", which"
    first = set(fc.vocabulary[clauses[0].indices])
    assert {"w:join", "w:aspir"} <= first and "w:threat" not in first
    own = tmp_path / "stop.tsv"
    own.write_text("# my list\nword\tkind\nsaid\tattribution\nexpansionist\tstop\n", encoding="utf-8")
    fc2 = count_features(seeds.articles, s, stop_words=load_stop_words(own))
    assert "w:expansionist" not in set(fc2.vocabulary) and "w:tell" in set(fc2.vocabulary)


@pytest.mark.parametrize("content, message", [
    ("group,forms\njoin,join|joins\nmembers,joins\n", "line 3.*already listed on line 2"),
    ("group,forms\njoin,\n", "line 2.*needs a name and at least one form"),
    ("name,forms\njoin,join\n", "header"),
    ("group,forms\njoin,jo*in\n", "not valid"),
])
def test_bad_paraphrase_files_raise_one_sentence(tmp_path, content, message):
    path = tmp_path / "p.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FramingError, match=message):
        load_paraphrases(path)


def test_own_paraphrases_and_options(seeds, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("# one group\ngroup,forms,context\nMoscow,Moscow|Kremlin,\n", encoding="utf-8")
    res = align_events(seeds, paraphrases=path, lexicon=False)
    assert res.parameters["paraphrases"] == path and len(res.events) == 3
    with pytest.raises(FramingError, match="paraphrases"):
        align_events(seeds, paraphrases=3)
    with pytest.raises(FramingError, match="not found"):
        align_events(seeds, stop_words=tmp_path / "missing.tsv")


# --------------------------------------------------------------------------------------------- API

def test_deterministic(seeds, result):
    # Speed is measured by benchmarks, never asserted here (a loaded CI machine would fail it).
    again = align_events(seeds, random_state=0)
    for attr in ("article_events", "events", "coverage", "sentence_alignments", "facts", "omissions"):
        pd.testing.assert_frame_equal(getattr(result, attr), getattr(again, attr))


def test_save_and_summary(result, tmp_path):
    paths = result.save(tmp_path / "out")
    assert [p.name for p in paths] == ["article_events.csv", "events.csv", "coverage.csv", "facts.csv",
                                       "sentence_alignments.csv", "omissions.csv"]
    events = pd.read_csv(paths[1])
    assert events["first_date"].tolist() == ["2021-12-06", "2021-12-31", "2022-01-27"]
    summary = result.summary()
    assert summary["event"].tolist() == ["E01", "E02", "E03"]
    assert summary["articles"].tolist() == [3, 1, 1]
    assert isinstance(result, EventAlignment) and "3 events" in repr(result)


def test_one_outlet_corpus_has_no_omissions(seeds):
    res = align_events(seeds.select(lambda a: a["outlet"] == "RFE/RL"))
    assert res.omissions.empty and list(res.omissions.columns[:5]) == [
        "event_id", "fact_id", "representative", "reported_by", "missing_from"]
    assert len(res.events) == 2


@pytest.mark.parametrize("option", [{"event_threshold": 0}, {"fact_threshold": 1.5}, {"window_days": -1},
                                    {"n_neighbors": 0}, {"fact_window_days": "soon"}])
def test_bad_options_raise_one_sentence(seeds, option):
    with pytest.raises(FramingError, match=list(option)[0]):
        align_events(seeds, **option)


def test_name_keys_and_linkage_helpers():
    assert name_key("Zelenskyy") == name_key("Zelensky") == "zlnsk"
    assert name_key("Kyiv") == name_key("Kiev")
    import numpy as np

    labels = average_linkage(5, np.array([0, 2, 1]), np.array([1, 3, 2]), np.array([0.5, 0.4, 0.05]), 0.2,
                             seed_threshold=0.45)
    assert labels.tolist() == [0, 0, 2, 3, 4]  # 2–3 never reach the seed threshold


def test_ecbplus_sample(datasets_dir):
    """Three ECB+ topics (six events): grouping agrees with the gold events."""
    from sklearn.metrics import adjusted_rand_score

    data = pd.read_json(datasets_dir / "ecbplus-events.jsonl.gz", lines=True, dtype=False)
    data = data[data["topic"].isin(["1", "3", "8"])]
    corpus = corpus_from_frame(data[["id", "date", "title", "text"]].assign(outlet="unknown"))
    res = align_events(corpus)
    gold = res.article_events["article_id"].map(dict(zip(data["id"], data["event"])))
    assert adjusted_rand_score(gold, res.article_events["event_id"]) > 0.7


def test_average_linkage_by_components_equals_one_merge_loop():
    # The component split must not change any label, including under exact ties.
    from framing.align_graph import _average_linkage_loop

    rng = np.random.default_rng(0)
    for _ in range(400):
        n = int(rng.integers(1, 40))
        a, b = rng.integers(0, n, 80), rng.integers(0, n, 80)
        key = np.unique((a * n + b)[a < b])
        a, b = key // n, key % n
        w = np.round(rng.uniform(0, 1, len(a)), 1)  # one decimal: many ties
        for threshold, seed in ((0.2, None), (0.15, 0.3)):
            expected = _average_linkage_loop(n, a, b, w, threshold, threshold if seed is None else seed)
            assert average_linkage(n, a, b, w, threshold, seed_threshold=seed).tolist() == expected.tolist()


def test_average_linkage_ties_go_to_the_smallest_members():
    # 0-1 and 2-3 merge first (0.9); then {0,1}-{2,3} (2.0 / 4) and {2,3}-4 (1.0 / 2) tie at 0.5: the
    # pair whose smallest members are smaller ({0,1} with {2,3}) merges first, and 4 then stays out
    # (1.0 / 4 < 0.4). The other order would give {0,1} and {2,3,4} (2.0 / 6 < 0.4).
    a = np.array([0, 2, 0, 0, 1, 1, 2, 3])
    b = np.array([1, 3, 2, 3, 2, 3, 4, 4])
    w = np.array([0.9, 0.9, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
    assert average_linkage(5, a, b, w, 0.4).tolist() == [0, 0, 0, 0, 4]


def test_facts_of_the_largest_events_match_the_full_run_for_those_events(seeds):
    full = align_events(seeds)
    largest = align_events(seeds, facts=1)  # E01: the three articles about NATO membership
    by_ids = align_events(seeds, facts=["E01"])
    pd.testing.assert_frame_equal(largest.article_events, full.article_events)
    assert largest.events["n_facts"].tolist() == [full.events["n_facts"].iloc[0], pd.NA, pd.NA]
    assert largest.coverage.loc[largest.coverage["event_id"] != "E01", "facts"].isna().all()
    assert largest.coverage.loc[largest.coverage["event_id"] == "E01", "facts"].tolist() == \
        full.coverage.loc[full.coverage["event_id"] == "E01", "facts"].tolist()

    def e01_facts(result):  # the E01 sentences of each fact, as sorted (article, sent) lists
        m = result.fact_members[result.fact_members["event_id"] == "E01"]
        return sorted(sorted(zip(g["article_id"], g["sent_id"])) for _, g in m.groupby("fact_id"))

    assert e01_facts(largest) == e01_facts(full) and len(e01_facts(full)) == 8
    assert set(largest.omissions["event_id"]) == {"E01"}
    cols = ["event_id", "reported_by", "missing_from", "n_reported", "n_missing"]  # fact ids are numbered anew
    pd.testing.assert_frame_equal(largest.omissions[cols],
                                  full.omissions.loc[full.omissions["event_id"] == "E01", cols].reset_index(drop=True))
    assert by_ids.facts.equals(largest.facts)
    # Asking for at least as many events as there are is the full run.
    assert align_events(seeds, facts=3).facts.equals(full.facts)
    assert largest.summary()["facts"].tolist() == [8, pd.NA, pd.NA]


@pytest.mark.parametrize("facts, message", [(0, "facts=0: use True"), ("E01", "facts='E01': use True"),
                                            (["E09"], "no event E09 in this alignment"), (2.5, "facts=2.5")])
def test_bad_facts_option_is_one_clear_error(seeds, facts, message):
    with pytest.raises(FramingError, match=re.escape(message)):
        align_events(seeds, facts=facts)


def test_events_only_summary_has_no_fact_counts(seeds):
    # Regression: summary() converted the missing fact counts to int and crashed.
    summary = align_events(seeds, facts=False).summary()
    assert summary["articles"].tolist() == [3, 1, 1] and summary["facts"].isna().all()


def test_events_only_gives_the_same_events_without_facts(seeds):
    full = align_events(seeds)
    events_only = align_events(seeds, facts=False)
    pd.testing.assert_frame_equal(events_only.article_events, full.article_events)
    pd.testing.assert_frame_equal(events_only.events.drop(columns="n_facts"), full.events.drop(columns="n_facts"))
    assert events_only.events["n_facts"].isna().all() and full.events["n_facts"].tolist() != [0, 0, 0]
    assert events_only.coverage[["event_id", "outlet", "articles", "sentences"]].equals(
        full.coverage[["event_id", "outlet", "articles", "sentences"]])
    assert events_only.coverage["facts"].isna().all()
    assert len(events_only.facts) == len(events_only.sentence_alignments) == len(events_only.omissions) == 0
    assert list(events_only.facts.columns) == list(full.facts.columns)
    assert events_only.parameters["facts"] is False


def test_count_features_in_worker_processes_gives_the_same_counts(seeds, monkeypatch):
    import framing.align_features as af

    # Chunks of 20 sentences, and a parallel pass from 1 sentence on: ranges of several chunks per worker.
    monkeypatch.setattr(af, "_CHUNK_SENTENCES", 20)
    serial = count_features(seeds.articles, seeds.sentences(), classes=af.term_classes())
    monkeypatch.setattr(af, "_PARALLEL_SENTENCES", 1)
    parallel = count_features(seeds.articles, seeds.sentences(), classes=af.term_classes(), n_jobs=2)
    assert len(af._chunk_starts(np.searchsorted(np.sort(seeds.sentences()["article_id"].map(
        dict(zip(seeds.articles["id"], range(5)))).to_numpy()), np.arange(6)), 5)) >= 3
    assert parallel.vocabulary.tolist() == serial.vocabulary.tolist()
    assert parallel.surface == serial.surface
    for name in ("sentences", "titles", "clauses"):
        a, b = getattr(serial, name), getattr(parallel, name)
        assert a.shape == b.shape and (a != b).nnz == 0, name


def test_coverage_of_a_large_grid_lists_the_rows_with_articles(seeds, monkeypatch):
    import framing.align as align_module

    full = align_events(seeds).coverage
    monkeypatch.setattr(align_module, "_COVERAGE_GRID_ROWS", 11)  # 3 events × 4 outlets = 12 rows
    sparse = align_events(seeds).coverage
    assert len(full) == 12 and len(sparse) == 5 and (sparse["articles"] > 0).all()
    pd.testing.assert_frame_equal(sparse, full[full["articles"] > 0].reset_index(drop=True))
    wide = lambda c: c.pivot_table(index="event_id", columns="outlet", values="articles", fill_value=0)  # noqa: E731
    pd.testing.assert_frame_equal(wide(sparse), wide(full))


def test_count_matrices_equal_a_coo_build_of_the_tokens():
    import scipy.sparse as sp

    from framing.align_features import _count_matrices

    rng = np.random.default_rng(0)
    n_sent, n_art, n_cols = 50, 7, 30
    doc = rng.integers(0, n_sent + n_art, 2_000).astype(np.int32)
    feat = rng.integers(0, n_cols, 2_000).astype(np.int32)
    date_doc, date_feat = rng.integers(0, n_sent, 40), rng.integers(0, n_cols, 40)
    sent, title = _count_matrices(((doc, feat), (date_doc, date_feat)), n_sent, n_art, n_cols)
    all_doc, all_feat = np.r_[doc, date_doc], np.r_[feat, date_feat]
    full = sp.csr_matrix((np.ones(len(all_doc)), (all_doc, all_feat)), shape=(n_sent + n_art, n_cols)).toarray()
    assert sent.shape == (n_sent, n_cols) and title.shape == (n_art, n_cols)
    assert np.array_equal(sent.toarray(), full[:n_sent]) and np.array_equal(title.toarray(), full[n_sent:])
    assert sent.has_canonical_format and title.has_canonical_format and sent.data.dtype == np.float64
    # no tokens at all, and documents with none
    empty = np.zeros(0, dtype=np.int32)
    s0, t0 = _count_matrices(((empty, empty),), 3, 2, 1)
    assert s0.shape == (3, 1) and t0.shape == (2, 1) and s0.nnz == t0.nnz == 0


def test_date_linked_pairs_equal_a_join_of_each_days_articles():
    """The per-day pairing gives the pairs of the plain join it replaced (random days, NaN dates, a day
    named by more articles than max_posting)."""
    import scipy.sparse as sp
    from types import SimpleNamespace

    from framing.align import _date_linked_pairs

    rng = np.random.default_rng(1)
    day_names = pd.date_range("2021-11-01", periods=40, freq="D").strftime("%Y-%m-%d")
    vocab = np.array([f"d:{d}" for d in day_names] + ["w:talk", "n:kyiv"], dtype=object)
    kinds = np.array([v[0] for v in vocab], dtype=object)
    n_art, n_sent = 300, 900
    sent_article = rng.integers(0, n_art, n_sent)
    cols = np.r_[rng.integers(0, len(vocab), 2_000), np.full(50, 3)]      # day 3 named 50 times
    rows = rng.integers(0, n_sent, len(cols))
    S = sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(n_sent, len(vocab)))
    features = SimpleNamespace(vocabulary=vocab, kinds=kinds, sentences=S)
    day0 = np.datetime64("2021-11-01").astype(np.int64)
    days = (day0 + rng.integers(0, 60, n_art)).astype(float)
    days[rng.random(n_art) < 0.1] = np.nan

    def join(max_posting):
        coo = S[:, np.flatnonzero(kinds == "d")].tocoo()
        day_of_col = np.array([v[2:] for v in vocab[kinds == "d"]], dtype="datetime64[D]").astype(np.int64)
        dated = np.flatnonzero(~np.isnan(days))
        frame = pd.DataFrame({"art": np.r_[sent_article[coo.row], dated],
                              "day": np.r_[day_of_col[coo.col].astype(float), days[dated]]}).drop_duplicates()
        frame = frame[frame.groupby("day")["art"].transform("size").between(2, max_posting)]
        p = frame.merge(frame, on="day")
        p = p[p["art_x"] < p["art_y"]]
        a, b, d = p["art_x"].to_numpy(), p["art_y"].to_numpy(), p["day"].to_numpy()
        da, db = days[a], days[b]
        keep = (~np.isnan(da) & ~np.isnan(db) & (np.abs(da - db) > 7)
                & ((d <= np.fmin(da, db) + 1) | (d == da) | (d == db)))
        return set(zip(a[keep].tolist(), b[keep].tolist()))

    found = {}
    for max_posting in (200, 60):    # at 60 the day named 50 extra times is left out
        a, b = _date_linked_pairs(features, sent_article, days, 7, max_posting=max_posting)
        expected = join(max_posting)
        assert len(expected) > 50
        found[max_posting] = set(zip(a.tolist(), b.tolist()))
        assert found[max_posting] == expected and len(a) == len(expected)
        assert (a < b).all()
    assert found[60] < found[200]


def test_pair_similarities_in_chunks_equal_the_dense_cosines():
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    from framing.align_graph import pair_similarities

    rng = np.random.default_rng(2)
    X = normalize(sp.random(40, 30, density=0.3, format="csr", random_state=3))
    a, b = rng.integers(0, 40, 101), rng.integers(0, 40, 101)
    dense = (X.toarray()[a] * X.toarray()[b]).sum(axis=1)
    for chunk in (1, 7, 20_000):
        assert np.allclose(pair_similarities(X, a, b, chunk=chunk), dense, rtol=0, atol=1e-12)
    assert pair_similarities(X, a[:0], b[:0]).shape == (0,)


def test_an_event_whose_second_article_has_no_fact_sentences_gives_no_facts():
    # Every sentence of "b" has fewer than three distinct features: no sentence of it can state a fact, so
    # the one candidate article pair has nothing to compare (this raised a ValueError).
    texts = ["Russian and Ukrainian negotiators resumed talks in Geneva on Monday about the troop withdrawal.",
             "Geneva talks. Negotiators resumed. Troop withdrawal. Russian negotiators. Ukrainian talks."]
    corpus = corpus_from_frame(pd.DataFrame({"id": ["a", "b"], "outlet": ["X", "Y"],
                                             "date": ["2022-01-10", "2022-01-10"], "text": texts}))
    result = align_events(corpus)
    assert result.article_events.set_index("article_id")["event_id"].nunique() == 1
    assert len(result.facts) == 0 and result.events["n_facts"].tolist() == [0]


def test_worker_counts_come_back_through_the_pipe_when_files_cannot_be_written(seeds, monkeypatch):
    import framing.align_features as af

    monkeypatch.setattr(af, "_CHUNK_SENTENCES", 20)   # several ranges, so the workers run
    serial = count_features(seeds.articles, seeds.sentences(), classes=af.term_classes())
    monkeypatch.setattr(af, "_PARALLEL_SENTENCES", 1)

    def no_room(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(af.np, "save", no_room)
    parallel = count_features(seeds.articles, seeds.sentences(), classes=af.term_classes(), n_jobs=2)
    assert parallel.vocabulary.tolist() == serial.vocabulary.tolist() and parallel.surface == serial.surface
    for name in ("sentences", "titles", "clauses"):
        a, b = getattr(serial, name), getattr(parallel, name)
        assert a.shape == b.shape and (a != b).nnz == 0, name


def test_date_mentions_in_steps_equal_one_pass(seeds):
    from framing.align_features import _DateContext

    articles, sentences = seeds.articles, seeds.sentences()
    sent_art = sentences["article_id"].map(dict(zip(articles["id"], range(len(articles))))).to_numpy(np.int64)
    dating = _DateContext.of(articles, sentences, sent_art)
    rows, days = dating.mentions(0, len(articles))
    assert len(rows) >= 10   # the seeds name days such as "December 7" and "January 10"
    for step in (1, 2):
        r, d = dating.mentions(0, len(articles), step=step)
        assert r.tolist() == rows.tolist() and d.tolist() == days.tolist()
    r, d = dating.mentions(2, 4, step=1)
    assert set(sent_art[r]) <= {2, 3}
