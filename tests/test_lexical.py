"""Lexical and tone features: MTLD against hand-worked examples, the syllable rule, Flesch, hedges,
VADER tone (own voice vs quotes), targets and bootstrap intervals."""

import gzip
import json
import math

import numpy as np
import pandas as pd
import pytest

from framing import FramingError, corpus_from_frame
from framing.attribution import _WORD_RE
from framing.charscan import word_types
from framing.lexical import (ARTICLE_COLUMNS, OUTLET_COLUMNS, SENTENCE_TONE_COLUMNS, TONE_COLUMNS, _FastVader,
                             _HedgeMatcher, _mtld_many, _occurrences, count_syllables,
                             flesch_reading_ease, lexical_features, load_hedges, load_targets, mtld,
                             sentence_tone, tone)


def _corpus(*texts, outlets=None):
    outlets = outlets or [f"Outlet{i}" for i in range(len(texts))]
    return corpus_from_frame(pd.DataFrame({"outlet": outlets, "text": list(texts)}), clean=False)


# ------------------------------------------------------------------------------------------ MTLD

def test_mtld_hand_worked_example():
    # Forward: the cat sat on the | TTR 1,1,1,1,.8 ; mat .833 ; the 5/7=.714 <= .72 -> 1 factor after 7
    # tokens; "end" leaves TTR 1, a partial factor of 0. 8 tokens / 1 factor = 8.
    # Backward: end the mat the on sat cat the: TTR never reaches .72; it ends at 6/8 = .75, a partial
    # factor of (1 - .75) / (1 - .72) = 25/28. 8 / (25/28) = 8.96. MTLD = (8 + 8.96) / 2 = 8.48.
    tokens = "the cat sat on the mat the end".split()
    assert mtld(tokens) == pytest.approx(8.48, abs=1e-12)


def test_mtld_second_hand_worked_example():
    # "a b a b a b c": forward TTR 1, 1, .667 -> factor 1 after "a b a"; then "b a b": 1, 1, .667 ->
    # factor 2; then "c": TTR 1, partial 0. 7 / 2 = 3.5. Backward "c b a b a b a": 1, 1, 1, .75, .6 ->
    # factor 1 after 5 tokens; "b a": TTR 1, partial 0. 7 / 1 = 7. MTLD = (3.5 + 7) / 2 = 5.25.
    assert mtld("a b a b a b c".split()) == pytest.approx(5.25, abs=1e-12)
    # a lower threshold needs more repetition for a factor: forward "a b a b" hits .5 after 4 tokens
    assert mtld("a b a b".split(), threshold=0.5) == pytest.approx((4 / 1 + 4 / 1) / 2)


def test_mtld_edge_cases_and_independent_implementation():
    assert math.isnan(mtld([]))
    assert math.isnan(mtld("every word here differs".split()))     # no factor at all

    def reference(tokens, threshold=0.72):          # straight from McCarthy & Jarvis (2010), Appendix
        def one(seq):
            factors, start = 0.0, 0
            for i in range(len(seq)):
                seg = seq[start:i + 1]
                if len(set(seg)) / len(seg) <= threshold:
                    factors += 1
                    start = i + 1
            rest = seq[start:]
            if rest:
                factors += (1 - len(set(rest)) / len(rest)) / (1 - threshold)
            return len(seq) / factors
        return (one(tokens) + one(tokens[::-1])) / 2

    rng = np.random.default_rng(0)
    for _ in range(20):
        tokens = list(rng.choice(list("abcdefghijklmnop"), size=rng.integers(30, 300)))
        assert mtld(tokens) == pytest.approx(reference(tokens), rel=1e-12)


def test_previous_occurrence_against_a_dictionary_walk():
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 40, size=3000)
    last, want = {}, []
    for i, c in enumerate(codes.tolist()):
        want.append(last.get(c, -1))
        last[c] = i
    assert _occurrences(codes)[0].tolist() == want
    assert [x.tolist() for x in _occurrences(np.zeros(0, dtype=np.int64))] == [[], []]
    assert [x.tolist() for x in _occurrences(np.array([7]))] == [[-1], [-1]]
    following, want_next = {}, []
    for i in range(len(codes) - 1, -1, -1):
        want_next.append(following.get(int(codes[i]), -1))
        following[int(codes[i])] = i
    prev, nxt = _occurrences(codes)
    assert prev.tolist() == want and nxt.tolist() == want_next[::-1]


def test_mtld_many_equals_mtld_text_by_text():
    # many texts at once, bit for bit: empty texts, single tokens, every token different, texts whose
    # segments outrun the 256-token window (a long run of distinct tokens, then repeats), and a text that
    # ends exactly where a factor completes
    rng = np.random.default_rng(2)
    texts = [[], ["a"], ["a", "b"], ["a", "a"], list("abcdefgh"), list("abab"),
             [f"w{i}" for i in range(900)] + ["w1", "w2"] * 300, ["x"] * 1000]
    for _ in range(60):
        vocab = int(rng.integers(2, 400))
        texts.append([f"t{v}" for v in rng.integers(0, vocab, size=rng.integers(0, 2500))])
    codes, _ = pd.factorize(pd.Series([t for text in texts for t in text], dtype=object))
    offsets = np.r_[0, np.cumsum([len(t) for t in texts])]
    got = _mtld_many(codes, offsets)
    want = np.array([mtld(t) if t else np.nan for t in texts])
    assert np.array_equal(got, want, equal_nan=True)
    assert np.array_equal(_mtld_many(codes, offsets, threshold=0.5),
                          np.array([mtld(t, threshold=0.5) if t else np.nan for t in texts]), equal_nan=True)


def test_hedges_are_counted_like_the_longest_leftmost_match():
    matcher = _HedgeMatcher(load_hedges())
    texts = ["It is unclear why. It was unclear.",               # 2 phrases; "unclear" is not counted again
             "He is believed to be there.",                      # "is believed" takes "believed": 1
             "Possible, possibly POSSIBLE.",                     # hedges in any case: 3
             "a 'likely' outcome, ‘perhaps’",                    # words in single quotation marks: 2
             "according\nto them, in part",                      # phrases across a line break: 2
             "May we? It may. Could, could, cannot, can't, can’t, Will will",   # modals lower case only
             "need not; ought to; Need Not",
             "He resigned in 2013, part of a purge; believed, to quote him; it is “unclear”"]  # 1: unclear
    found = word_types(texts, _WORD_RE)
    text_of = np.repeat(np.arange(len(texts)), found.counts)
    hedges, modals = matcher.counts(found, text_of, texts)
    # a phrase needs white space between its words: not "in 2013, part", "believed, to" or "is “unclear"
    assert hedges.tolist() == [2, 1, 3, 2, 2, 0, 0, 1]
    assert modals.tolist() == [0, 0, 0, 0, 0, 5, 2, 0]


def test_modal_entries_match_as_written_and_hedges_in_any_case():
    # a researcher's list with a capitalised entry: "May" (the month) counts only as written, "must" only in
    # lower case; hedges are matched in any case
    matcher = _HedgeMatcher({"hedge": ["perhaps"], "modal": ["must", "May", "need not"]})
    texts = ["May must MUST Must may. PERHAPS perhaps Perhaps", "need not Need not", "MAY May"]
    found = word_types(texts, _WORD_RE)
    text_of = np.repeat(np.arange(len(texts)), found.counts)
    hedges, modals = matcher.counts(found, text_of, texts)
    assert hedges.tolist() == [3, 0, 0]
    assert modals.tolist() == [2, 1, 1]


# ----------------------------------------------------------------------------------- readability

@pytest.mark.parametrize("word, n", [
    ("the", 1), ("cat", 1), ("make", 1), ("state", 1), ("table", 2), ("people", 2), ("asked", 1),
    ("played", 1), ("wanted", 2), ("needed", 2), ("makes", 1), ("boxes", 2), ("changes", 2), ("year", 1),
    ("yellow", 2), ("government", 3), ("president", 3), ("military", 4), ("invasion", 3), ("beautiful", 3),
    ("readability", 5), ("syllable", 3), ("Ukraine", 2), ("Putin’s", 2), ("2021", 1), ("Володимир", 1),
])
def test_syllable_rule(word, n):
    assert count_syllables(word) == n


def test_syllables_of_many_words_at_once_follow_the_rule():
    from framing.lexical import _syllables_many

    rng = np.random.default_rng(0)
    alphabet = list("aeiouyAEIOUYbcdghlnrstxzkw'-1_éßİKΣσ")     # İ and K (Kelvin) lower-case to i and k
    words = ["".join(rng.choice(alphabet, size=rng.integers(0, 12))) for _ in range(20_000)]
    words += ["the", "make", "table", "asked", "wanted", "boxes", "shes", "ches", "dashes", "kites", "year", "y",
              "yes", "free", "eye", "", "Ukraine", "Putin’s", "2021", "Володимир", "KİTE"]
    assert _syllables_many(words).tolist() == [count_syllables(w) for w in words]
    assert _syllables_many([]).tolist() == []


def test_flesch_reading_ease_formula_and_article_value():
    assert flesch_reading_ease(6, 1, 6) == pytest.approx(206.835 - 1.015 * 6 - 84.6)
    assert math.isnan(flesch_reading_ease(0, 0, 0))
    row = lexical_features(_corpus("The cat sat on the mat.")).iloc[0]
    assert (row["words"], row["sentences"]) == (6, 1)
    assert row["flesch_reading_ease"] == pytest.approx(116.145)
    two = lexical_features(_corpus("The cat sat. The government wanted a military invasion.")).iloc[0]
    # words 9, sentences 2, syllables 1+1+1 + 1+3+2+1+4+3 = 17
    assert two["flesch_reading_ease"] == pytest.approx(206.835 - 1.015 * 9 / 2 - 84.6 * 17 / 9)
    assert two["mean_sentence_length"] == pytest.approx(4.5)


def test_hedges_and_modals():
    text = ("Officials reportedly said it may rain in May. It could be, perhaps, a trick, according to "
            "sources. Will Smith will not go. The so-called deal might fail; they can't say.")
    row = lexical_features(_corpus(text)).iloc[0]
    words = row["words"]
    # hedges: reportedly, perhaps, according to, so-called; modals: may, could, might, can't (not May, Will)
    assert row["hedges_per_1k"] == pytest.approx(4 / words * 1000)
    assert row["modals_per_1k"] == pytest.approx(4 / words * 1000)
    h = load_hedges()
    assert "reportedly" in h["hedge"] and "would" in h["modal"] and "will" not in h["modal"]


# ---------------------------------------------------------------------------------------- seeds

def test_lexical_features_on_seeds(seeds):
    per_article = lexical_features(seeds)
    assert list(per_article.columns) == ARTICLE_COLUMNS
    assert len(per_article) == 5
    summary = seeds.summary()
    by_outlet = lexical_features(seeds, by="outlet").set_index("outlet")
    assert list(by_outlet.reset_index().columns) == OUTLET_COLUMNS
    for outlet in ("RFE/RL", "RT", "Al Jazeera", "unattributed"):
        assert abs(by_outlet.loc[outlet, "words"] - summary.loc[outlet, "words"]) <= 1
        assert by_outlet.loc[outlet, "sentences"] == summary.loc[outlet, "sentences"]
    assert by_outlet.loc["RFE/RL", "articles"] == 2
    rfe = per_article[per_article["outlet"] == "RFE/RL"]
    assert by_outlet.loc["RFE/RL", "mtld"] == pytest.approx(rfe["mtld"].mean())
    assert per_article["mtld"].between(60, 250).all()
    assert per_article["flesch_reading_ease"].between(20, 60).all()       # news prose: fairly difficult
    # quoted share matches the attribution analysis
    from framing.attribution import attribution

    att = attribution(seeds).by_outlet.set_index("outlet")
    assert by_outlet.loc["RT", "quoted_share"] == pytest.approx(att.loc["RT", "quoted_share"])
    assert by_outlet.loc["Al Jazeera", "quoted_share"] > 0.4


def test_fast_vader_equals_vadersentiment(seeds):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    reference = SentimentIntensityAnalyzer()
    fast = _FastVader()
    sentences = seeds.sentences()["text"].tolist() + [
        "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", "Not bad at all",
        "The plot was good, but the characters are uncompelling and the dialog is not great.",
        "Catch utf-8 emoji such as 💘 and 💋 and 😁", "At least it isn't a horrible book.",
        "Roger Dodger is one of the least compelling variations on this theme.", "Without a doubt, excellent idea.",
        "no good no bad", "It was kind of good, sort of happy", "never so good", "The book was only kind of good.",
        "Today SUX!", "Make sure you :) or :D today!", "", "   "]
    for s in sentences:
        assert fast.compound(s) == reference.polarity_scores(s)["compound"], s


def test_tone_on_seeds(seeds):
    t = tone(seeds)
    assert list(t.columns) == TONE_COLUMNS
    rt = t[t["outlet"] == "RT"].set_index("target")
    assert rt.loc["NATO", "sentences"] == 7 and rt.loc["all", "sentences"] == 17
    assert t.groupby("outlet")["target"].first().eq("all").all()
    ok = t["ci_low"].notna()
    assert (t.loc[ok, "ci_low"] <= t.loc[ok, "mean_compound"] + 1e-12).all()
    assert (t.loc[ok, "mean_compound"] <= t.loc[ok, "ci_high"] + 1e-12).all()
    assert t["positive_share"].add(t["negative_share"]).le(1).all()
    # one article: the interval falls back to resampling sentences; two RFE/RL articles: articles
    assert rt.loc["all", "ci_unit"] == "sentence"
    assert t.set_index(["outlet", "target"]).loc[("RFE/RL", "all"), "ci_unit"] == "article"
    assert tone(seeds).equals(t)                                           # deterministic
    other = tone(seeds, random_state=1)
    assert other["mean_compound"].equals(t["mean_compound"]) and not other["ci_low"].equals(t["ci_low"])
    st = sentence_tone(seeds)
    scored = st[st["compound"].notna()]
    assert rt.loc["all", "mean_compound"] == pytest.approx(scored[scored["outlet"] == "RT"]["compound"].mean())


def test_own_voice_excludes_quotes_and_posts(seeds):
    st = sentence_tone(seeds)
    assert list(st.columns) == SENTENCE_TONE_COLUMNS
    posts = st[st["kind"] == "embedded_post"]
    assert len(posts) == 5 and posts["compound"].isna().all()
    everything = sentence_tone(seeds, exclude_quotes=False)
    assert everything["compound"].notna().all()
    c = _corpus("“Russia is a wonderful, peaceful friend,” she said. Kyiv rejected the terrible, awful plan.")
    own = sentence_tone(c)
    assert math.isnan(own["compound"].iloc[0]) and own["targets"].iloc[0] == ""
    assert own["compound"].iloc[1] < -0.5 and own["targets"].iloc[1] == "Ukraine"
    both = sentence_tone(c, exclude_quotes=False)
    assert both["compound"].iloc[0] > 0.5 and both["targets"].iloc[0] == "Russia"
    t = tone(c, exclude_quotes=False).set_index("target")
    assert t.loc["Russia", "sentences"] == 1 and t.loc["Ukraine", "sentences"] == 1


def test_targets_custom_and_whole_words():
    c = _corpus("Beijing praised the excellent deal. Belorussia is not Russia. The US and us.",
                outlets=["A"])
    st = sentence_tone(c, targets={"China": ["China", "Beijing"], "Russia": ["Russia"], "US": ["US"]})
    assert st["targets"].tolist() == ["China", "Russia", "US"]
    t = tone(c, targets={"China": ["Beijing"]})
    assert t["target"].tolist() == ["all", "China"] and t["mean_compound"].iloc[1] > 0.5
    lex = lexical_features(c, targets={"China": ["Beijing"]})
    assert lex["tone_China"].iloc[0] == pytest.approx(t["mean_compound"].iloc[1])
    assert list(load_targets())[:4] == ["Russia", "Ukraine", "NATO", "US"]


def test_bad_options_raise_one_clear_error(seeds, tmp_path):
    with pytest.raises(FramingError, match="by="):
        lexical_features(seeds, by="paragraph")
    with pytest.raises(FramingError, match="unit="):
        tone(seeds, unit="word")
    with pytest.raises(FramingError, match="not a valid regular expression"):
        tone(seeds, targets={"X": ["(unclosed"]})
    with pytest.raises(FramingError, match="reserved"):
        tone(seeds, targets={"all": ["x"]})
    with pytest.raises(FramingError, match="no such hedge file"):
        lexical_features(seeds, hedges=tmp_path / "missing.txt")
    bad = tmp_path / "hedges.txt"
    bad.write_text("perhaps\n[hedge]\nmaybe\n", encoding="utf-8")
    with pytest.raises(FramingError, match="section header"):
        load_hedges(bad)


def test_real_news_articles(datasets_dir):
    """The first 150 articles of the news-outlets dataset: plausible values for news prose."""
    records = []
    with gzip.open(datasets_dir / "news-outlets.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            records.append(json.loads(line))
            if len(records) == 150:
                break
    corpus = corpus_from_frame(pd.DataFrame(records)[["id", "outlet", "date", "title", "text"]])
    lex = lexical_features(corpus)
    long = lex[lex["words"] >= 300]
    assert len(long) > 80
    assert long["mtld"].median() == pytest.approx(110, abs=40)
    assert long["flesch_reading_ease"].median() == pytest.approx(50, abs=15)
    assert long["mean_sentence_length"].median() == pytest.approx(22, abs=6)
    assert long["quoted_share"].median() == pytest.approx(0.3, abs=0.15)
    t = tone(corpus, targets={"Trump": ["Trump"]})
    assert (t["target"] == "Trump").sum() >= 5


def test_worker_processes_give_the_serial_results(monkeypatch):
    # chunks of two articles in two worker processes (parallel_map normally keeps small corpora in one
    # process): lexical features, tone and sentence tone must not depend on it
    import framing.lexical as lexical_module
    from framing import load_corpus
    from framing.parallel import parallel_map

    def frame():
        seeds = load_corpus().articles[["outlet", "text"]]
        extra = pd.DataFrame({"outlet": ["X", "Y", "X"], "text": [
            "Moscow said “NATO is a threat”. Perhaps NATO will reply. “Very good,” he said.",
            "",
            "Kyiv 'likely' disagrees. It is unclear why. The EU is not happy but Russia is very happy!"]})
        return pd.concat([seeds, extra], ignore_index=True)

    serial_corpus = corpus_from_frame(frame(), clean=False)
    serial = (lexical_features(serial_corpus, targets=load_targets()), tone(serial_corpus),
              sentence_tone(serial_corpus))

    def forked(func, items, **kw):
        kw.update(n_jobs=2, chunk_size=2, min_items=1)
        return parallel_map(func, items, **kw)

    monkeypatch.setattr(lexical_module, "parallel_map", forked)
    parallel_corpus = corpus_from_frame(frame(), clean=False)
    parallel = (lexical_features(parallel_corpus, targets=load_targets()), tone(parallel_corpus),
                sentence_tone(parallel_corpus))
    for a, b in zip(serial, parallel):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert serial[0]["tone_sentences"].sum() > 100


def test_tone_follows_the_articles_when_they_are_reordered_after_splitting():
    from framing import load_corpus

    fresh = lexical_features(load_corpus()).set_index("article_id")
    corpus = load_corpus()
    corpus.sentences()                                   # split in the original order
    corpus.articles = corpus.articles.iloc[[4, 2, 0, 1, 3]].reset_index(drop=True)
    moved = lexical_features(corpus).set_index("article_id")
    # (pandas' group means may differ in the last bit when the groups come in another order)
    pd.testing.assert_frame_equal(moved.loc[fresh.index], fresh, check_exact=False, rtol=1e-12)
    st = sentence_tone(corpus)
    assert (st.groupby("article_id")["outlet"].first() == fresh["outlet"]).all()
    corpus.articles = corpus.articles[corpus.articles["outlet"] != "RFE/RL"].reset_index(drop=True)
    kept = lexical_features(corpus).set_index("article_id")
    pd.testing.assert_frame_equal(kept, fresh.loc[kept.index], check_exact=False, rtol=1e-12)


def test_sentence_bootstrap_does_not_depend_on_how_article_ids_sort():
    texts = ["Russia is a great and wonderful country. Russia is awful and terrible today. Russia is fine.",
             "Russia is good. Russia is bad and evil. Russia won a happy victory. Russia lost badly."]

    def run(ids):
        frame = pd.DataFrame({"id": ids, "outlet": ["A", "A"], "title": ["t", "t"], "text": texts})
        return tone(corpus_from_frame(frame, clean=False), unit="sentence")

    pd.testing.assert_frame_equal(run(["a1", "b2"]), run(["z1", "a2"]), check_exact=True)


def test_own_voice_reads_the_quotations_that_attribution_found():
    # after attribution(), the tone of the own voice takes the quotation spans it found instead of finding
    # them again: the spans are the ones _direct_quote_spans finds, and the scores do not change
    from framing import load_corpus
    from framing.attribution import _direct_quote_spans, attribution, cached_quote_spans

    fresh = load_corpus()
    assert cached_quote_spans(fresh) is None
    before = sentence_tone(fresh, targets=load_targets())
    corpus = load_corpus()
    attribution(corpus)
    starts, ends, bounds = cached_quote_spans(corpus)
    for k, text in enumerate(corpus.articles["text"]):
        spans = list(zip(starts[bounds[k]:bounds[k + 1]].tolist(), ends[bounds[k]:bounds[k + 1]].tolist()))
        assert spans == [(a, b) for a, b, _, _ in _direct_quote_spans(text)]
    assert bounds[-1] > 20
    pd.testing.assert_frame_equal(sentence_tone(corpus, targets=load_targets()), before, check_exact=True)
    corpus.articles = corpus.articles.iloc[::-1].reset_index(drop=True)
    assert cached_quote_spans(corpus) is None                  # other articles: found again


def test_outside_quotes_near_the_span_equals_all_quotes():
    from framing.lexical import _outside_quotes

    rng = np.random.default_rng(3)
    text = "".join(rng.choice(list("ab c.“”")) for _ in range(300))
    cuts = np.sort(rng.choice(300, 40, replace=False)).tolist()
    quotes = list(zip(cuts[::2], cuts[1::2]))                  # in order, not overlapping
    ends = [e for _, e in quotes]
    for s in range(0, 300, 7):
        for e in (s, s + 1, s + 13, s + 90):
            assert _outside_quotes(text, s, e, quotes, ends) == _outside_quotes(text, s, e, quotes)


def test_modal_phrases_match_the_tokens_as_written():
    # "#ought" is a token of its own, so "#ought to" is not the phrase "ought to", even where "Ought" is
    # written elsewhere in the text (found in review)
    matcher = _HedgeMatcher(load_hedges())
    texts = ["Ought to be done, #ought to go.", "#ought to go.", "They ought to go."]
    found = word_types(texts, _WORD_RE)
    text_of = np.repeat(np.arange(len(texts)), found.counts)
    _, modals = matcher.counts(found, text_of, texts)
    assert modals.tolist() == [0, 0, 1]


# ------------------------------------------------- words and tone from one split (lexical._lexical_tone_chunk)

_TRICKY_TEXTS = [
    "He said “We will win,” and left. Then ‘quoted words here’ came. Kiev’s U.S.-backed plan!!! Why???",
    "İstanbul and ΣΟΦΙΑΣ met.\xa0Non\u2009breaking\x1cspaces and\ttabs. Ok 😀 great :) <3 sweet<3",
    "abc_‘def’9 said “x” “”. #ought to, we MUST. It is unclear. May we? Perhaps. Not bad at all.",
    "A “quote that never closes\nNew paragraph, still in it. And “one more” but not that one.",
    "Short.Next sentence glued.Another one! The end",
    # the sentence splitter cuts inside "laws.The" and "elected.If": these articles are split whole again
    "Congress moved to enact new gun-control laws.The NRA reports it has added members. This is the man "
    "we've elected.If you want to defend him, do. It is likely.",
]


def _separate_and_together(texts, monkeypatch=None, untiled=False):
    """lexical_features and the sentence compound frame computed (a) the old way: the compound first, then
    the words with charscan, and (b) together from one split of the sentences."""
    import framing.lexical as lexical_module

    separate = _corpus(*texts)
    compound_a = lexical_module._sentence_compound(separate, True, None)
    features_a = lexical_features(separate, targets=load_targets())
    together = _corpus(*texts)
    if untiled:
        monkeypatch.setattr(lexical_module, "_tiled", lambda layout, a0, a1: np.zeros(a1 - a0, dtype=bool))
    features_b = lexical_features(together, targets=load_targets())
    compound_b = lexical_module._cache_get(together, ("compound", True))
    assert compound_b is not None                       # filled by the joint run, not by _sentence_compound
    return (features_a, compound_a), (features_b, compound_b)


def test_words_and_tone_from_one_split_equal_the_separate_runs(seeds):
    texts = list(seeds.articles["text"]) + _TRICKY_TEXTS
    (fa, ca), (fb, cb) = _separate_and_together(texts)
    pd.testing.assert_frame_equal(fa, fb, check_exact=True)
    pd.testing.assert_frame_equal(ca, cb, check_exact=True)
    assert fa["words"].sum() > 1500 and (fa["hedges_per_1k"] > 0).sum() >= 3 and ca["compound"].notna().sum() > 100
    from framing.lexical import _sentence_layout, _tiled

    layout, _ = _sentence_layout(_corpus(*texts))
    assert not _tiled(layout, 0, len(texts))[-1]             # the last text takes the other path


def test_articles_whose_sentences_do_not_hold_their_tokens_are_split_whole(seeds, monkeypatch):
    # every article taken as "not tiled" (its whole text split again): the same words
    texts = list(seeds.articles["text"]) + _TRICKY_TEXTS
    (fa, ca), (fb, cb) = _separate_and_together(texts, monkeypatch, untiled=True)
    pd.testing.assert_frame_equal(fa, fb, check_exact=True)
    pd.testing.assert_frame_equal(ca, cb, check_exact=True)


def test_token_words_are_the_word_pattern_matches_of_each_token():
    from types import SimpleNamespace

    from framing.lexical import _TokenWords

    tokens = [" ", "Kyiv,", "'Odesa'", "(Donbas).", "@user", "#tag", "(#tag)", "x_y", "_x", "y_", "U.S.",
              "U.S.-backed", "Kiev's", "rock'n'roll", "...", "—", "2021", "v2", "İstanbul", "ΣΟΦΙΑΣ,", "a-",
              "-b", "‘quoted’", "e.g.", "Ü", "x½", "abc_‘def’9", "kyiv", "Kyiv", "@@foo", "a_", "(x)@y"]
    words = _TokenWords()
    # in two batches, as the type cache grows; the second repeats words of the first
    words.update(SimpleNamespace(generation=-1, tokens=tokens[:12]))
    words.update(SimpleNamespace(generation=-1, tokens=tokens))
    assert words.n_types == len(tokens)
    for k, token in enumerate(tokens):
        ids = words.flat[words.first[k]:words.first[k] + words.count[k]]
        assert [words.written_words[i] for i in ids] == _WORD_RE.findall(token), token
        assert [words.lower_words[words.lower_of[i]] for i in ids] == [w.lower() for w in _WORD_RE.findall(token)]
    assert words.syllables.tolist() == [count_syllables(w) for w in words.lower_words]
    assert words.is_lower.tolist() == [w == w.lower() for w in words.written_words]


def test_tiled_finds_sentences_cut_inside_a_token():
    from framing.lexical import _tiled

    texts = ["One. Two.", "One.Two.", " One.  Two. ", "One. Two. tail", "One. Two.x"]
    spans = [[(0, 4), (5, 9)], [(0, 4), (4, 8)], [(1, 5), (7, 11)], [(0, 4), (5, 9)], [(0, 4), (5, 9)]]
    starts = np.array([s for sp in spans for s, _ in sp])
    ends = np.array([e for sp in spans for _, e in sp])
    bounds = np.r_[0, np.cumsum([len(sp) for sp in spans])]
    layout = (texts, starts, ends, np.zeros(len(starts), dtype=bool), bounds)
    # cut inside "One.Two.", text left outside the sentences ("tail"), a sentence ending inside "Two.x"
    assert _tiled(layout, 0, len(texts)).tolist() == [True, False, True, False, False]


def test_words_survive_the_token_cache_starting_again(seeds, monkeypatch):
    # a tiny VADER type cache starts again at every chunk of one article: the words of the token types are
    # then found again, and nothing changes
    import framing.lexical as lexical_module
    import framing.vader_batch as vader_batch
    from framing.parallel import parallel_map

    texts = list(seeds.articles["text"]) + _TRICKY_TEXTS
    reference = lexical_features(_corpus(*texts))
    monkeypatch.setattr(vader_batch, "_MAX_TYPES", 5)
    monkeypatch.setattr(lexical_module, "parallel_map",
                        lambda func, items, **kw: parallel_map(func, items, **{**kw, "chunk_size": 1}))
    with vader_batch.token_batch() as batch:
        generation = batch.generation
    got = lexical_features(_corpus(*texts))
    with vader_batch.token_batch() as batch:
        assert batch.generation >= generation + len(texts) - 1
    pd.testing.assert_frame_equal(got, reference, check_exact=True)


def test_ttr_limits_match_the_division():
    from framing.lexical import _ttr_limits

    k = np.arange(1, 1501)
    c = np.arange(0, 1501)
    for threshold in (0.72, 0.5, 1 / 3, 0.1, 0.9, 0.999):
        limits = _ttr_limits(1500, threshold)
        by_division = (c[None, :] / k[:, None]) <= threshold
        assert np.array_equal(c[None, :] <= limits[:, None], by_division)


def test_mtld_many_on_texts_shorter_than_the_window():
    # every text shorter than the 256-token window (the counts' limits must still cover the window)
    texts = [list("abcabcab"), ["x"], list("abcdefghij") * 3]
    codes, _ = pd.factorize(pd.Series([t for text in texts for t in text], dtype=object))
    offsets = np.r_[0, np.cumsum([len(t) for t in texts])]
    assert np.array_equal(_mtld_many(codes, offsets), np.array([mtld(t) for t in texts]), equal_nan=True)


def test_a_sentence_cut_inside_a_word_takes_the_whole_text():
    # sentences given by hand, one cut inside "Kiev’s" and one inside "U.S.-backed": the article's words
    # are still those of its whole text (split per sentence they would be "kiev", "s", "u.s.", "backed")
    from framing.lexical import _lexical_chunk, _lexical_tone_chunk

    texts = ["Kiev’s mayor spoke today. Then U.S.-backed talks began, perhaps.", "Kiev’s mayor spoke today."]
    spans = [[(0, 4), (4, 25), (26, 35), (35, 64)], [(0, 25)]]
    starts = np.array([s for sp in spans for s, _ in sp])
    ends = np.array([e for sp in spans for _, e in sp])
    bounds = np.r_[0, np.cumsum([len(sp) for sp in spans])]
    layout = (texts, starts, ends, np.zeros(len(starts), dtype=bool), bounds)
    matcher = _HedgeMatcher(load_hedges())
    [(frame, compound, _)] = _lexical_tone_chunk((matcher, layout, True, None), range(2))
    [reference] = _lexical_chunk((matcher, texts), range(2))
    pd.testing.assert_frame_equal(frame, reference, check_exact=True)
    assert frame["tokens"].tolist() == [10, 4] and frame["hedges"].tolist() == [1, 0]
    assert len(compound) == 5


def test_words_follow_a_new_vader_state(seeds, monkeypatch):
    # a new VADER state numbers its token types afresh: the words kept for the old numbers are not used
    import framing.vader_batch as vader_batch

    texts = list(seeds.articles["text"]) + _TRICKY_TEXTS
    lexical_features(_corpus(*texts))                       # the types numbered in this order
    reference = lexical_features(_corpus(*texts[::-1]))
    monkeypatch.setattr(vader_batch, "_STATE", None)
    got = lexical_features(_corpus(*texts[::-1]))           # numbered afresh, in the other order
    pd.testing.assert_frame_equal(got, reference, check_exact=True)
