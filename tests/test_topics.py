"""Topic models: seeds topics, determinism, k selection on a synthetic corpus, tiny corpora, outputs."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from framing import FramingError, corpus_from_frame
from framing import text as _text
from framing import topics as T
from framing.topics import fit_topics, load_topic_stop_words

# Four topics with disjoint vocabularies; every word is a content word that survives preprocessing.
VOCABULARIES = {
    "sport": "football goal striker referee stadium league coach penalty midfielder tournament trophy "
             "season".split(),
    "money": "inflation bank interest bond market investor currency budget deficit treasury stocks "
             "dividend".split(),
    "weather": "rain storm flood hurricane temperature forecast drought snow wind heatwave cyclone "
               "humidity".split(),
    "health": "vaccine hospital doctor patient virus clinic nurse surgery infection disease medicine "
              "symptom".split(),
}
WORD_TOPIC = {w: name for name, words in VOCABULARIES.items() for w in words}


def synthetic_frame(n_docs=120, n_words=40, mix=0.2, seed=0):
    """Each document draws 80% of its words from its own topic and 20% from one other topic."""
    rng = np.random.default_rng(seed)
    names = list(VOCABULARIES)
    rows = []
    for i in range(n_docs):
        own = names[i % len(names)]
        other = names[(i % len(names) + 1 + rng.integers(0, len(names) - 1)) % len(names)]
        words = [rng.choice(VOCABULARIES[other if rng.random() < mix else own]) for _ in range(n_words)]
        rows.append({"id": f"d{i:03d}", "outlet": "ABC"[i % 3], "text": " ".join(words) + ".", "truth": own})
    return pd.DataFrame(rows)


def assert_topics_recover_vocabularies(tm, n_top=8):
    found = []
    for t in range(1, tm.k + 1):
        tokens = tm.topics.sort_values(["topic", "weight"], ascending=[True, False])
        top = tokens.loc[tokens["topic"] == t, "token"].head(n_top)
        owners = {WORD_TOPIC[w] for w in top}
        assert len(owners) == 1, f"topic {t} mixes vocabularies: {list(top)}"
        found.append(owners.pop())
    assert sorted(found) == sorted(VOCABULARIES)


@pytest.fixture(scope="module")
def seeds_model(seeds):
    return fit_topics(seeds)


# ------------------------------------------------------------------------------------------ the seeds

def test_seeds_auto_models_paragraphs_and_says_so(seeds_model, seeds):
    tm = seeds_model
    assert tm.unit == "paragraph"
    assert tm.method == "nmf"
    assert any("5 articles are too few" in n and "paragraphs" in n for n in tm.notes)
    assert set(tm.documents["unit"]) == {"paragraph"}
    assert 60 <= len(tm.documents) <= 92
    # Short paragraphs merge with the next one: subheads ("War manoeuvres") are not modelled alone.
    texts = seeds.articles.set_index("id")["text"]
    passages = [texts[d.article_id][d.start:d.end] for d in tm.documents.itertuples()]
    assert min(len(p.split()) for p in passages) >= 15
    assert any(p.startswith("War manoeuvres\n") for p in passages)


def test_seeds_topics_are_the_stories_a_reader_knows(seeds_model):
    tm = seeds_model
    assert 3 <= tm.k <= 5
    assert tm.coherence["chosen"].sum() == 1
    assert tm.coherence.loc[tm.coherence["chosen"], "k"].item() == tm.k
    top = {t: set(g.head(10)["term"]) for t, g in tm.topics.groupby("topic")}

    def topic_with(*terms):
        return [t for t, words in top.items() if set(terms) <= words]

    assert topic_with("NATO", "alliance"), top          # the NATO-membership demands
    assert topic_with("Nord Stream", "pipeline", "gas"), top  # Nord Stream 2 / gas pipeline
    assert topic_with("Biden", "Putin", "spoke"), top   # the diplomatic calls and talks
    assert len({topic_with("NATO", "alliance")[0], topic_with("Nord Stream", "pipeline")[0],
                topic_with("Biden", "spoke")[0]}) == 3
    # Labels are the top three terms by relevance, in their written form.
    nord = topic_with("Nord Stream", "pipeline")[0]
    assert tm.labels[nord].startswith("Nord Stream / ")
    first = tm.topics[tm.topics["topic"] == nord].iloc[0]
    assert first["rank"] == 1 and first["token"] == "nord stream"


def test_seeds_topic_terms_are_ranked_by_relevance(seeds_model):
    tm = seeds_model
    assert tm.topics.columns[:6].tolist() == ["topic", "rank", "term", "weight", "relevance", "label"]
    for _, g in tm.topics.groupby("topic"):
        assert g["rank"].tolist() == list(range(1, len(g) + 1))
        assert (np.diff(g["relevance"].to_numpy()) <= 1e-12).all()
        assert (g["weight"] > 0).all()
    # Relevance is λ log φ + (1-λ) log(φ / p(w)), so it is never above log φ by more than the lift.
    assert (tm.topics["relevance"] <= 0).all()


def test_seeds_prevalence_per_outlet_with_intervals(seeds_model, seeds):
    tm = seeds_model
    p = tm.prevalence
    assert p.columns[:5].tolist() == ["outlet", "topic", "share", "ci_low", "ci_high"]
    assert sorted(p["outlet"].unique()) == sorted(seeds.outlets)
    assert len(p) == len(seeds.outlets) * tm.k
    assert (p["ci_low"] <= p["share"] + 1e-12).all() and (p["share"] <= p["ci_high"] + 1e-12).all()
    # Passages are resampled inside each article, so even a one-article outlet has a real interval.
    assert ((p["ci_high"] - p["ci_low"]) > 0.01).all()
    np.testing.assert_allclose(p.groupby("outlet")["share"].sum(), 1.0, atol=1e-9)
    assert p.set_index(["outlet", "topic"]).loc[("RFE/RL", 1), "n_articles"] == 2
    # Nord Stream: the unattributed article and Al Jazeera cover it, the RFE/RL articles do not.
    nord = [t for t, lab in tm.labels.items() if lab.startswith("Nord Stream")][0]
    share = p[p["topic"] == nord].set_index("outlet")["share"]
    assert share["RFE/RL"] < share["Al Jazeera"] and share["RFE/RL"] < share["unattributed"]


def test_seeds_doc_topics_tidy_and_normalised(seeds_model):
    dt = seeds_model.doc_topics
    assert dt.columns.tolist() == ["doc_id", "article_id", "unit", "topic", "weight"]
    sums = dt.groupby("doc_id")["weight"].sum()
    np.testing.assert_allclose(sums, 1.0, atol=1e-9)
    assert set(dt["topic"]) == set(range(1, seeds_model.k + 1))
    at = seeds_model.article_topics
    np.testing.assert_allclose(at.groupby("article_id")["share"].sum(), 1.0, atol=1e-9)
    assert at["article_id"].nunique() == 5


def test_seeds_typical_passages_come_from_the_article(seeds_model, seeds):
    tm = seeds_model
    typ = tm.typical
    assert typ.columns[:6].tolist() == ["topic", "rank", "article_id", "sent_id", "text", "outlet"]
    assert len(typ) == 3 * tm.k
    texts = seeds.articles.set_index("id")["text"]
    sents = seeds.sentences().set_index(["article_id", "sent_id"])["text"]
    for row in typ.itertuples():
        assert row.text in texts[row.article_id]
        # sent_id is the first sentence of the passage, in Corpus.sentences() numbering.
        assert row.text.startswith(sents[(row.article_id, row.sent_id)][:30])
    nord = [t for t, lab in tm.labels.items() if lab.startswith("Nord Stream")][0]
    assert "Nord Stream" in " ".join(typ.loc[typ["topic"] == nord, "text"].head(2))


# ------------------------------------------------------------------------------------------ determinism

def test_same_random_state_same_output(seeds, tmp_path):
    a = fit_topics(seeds, random_state=3)
    b = fit_topics(seeds, random_state=3)
    for name in ("topics", "doc_topics", "prevalence", "coherence", "typical", "article_topics"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    paths_a = a.save(tmp_path / "a")
    paths_b = b.save(tmp_path / "b")
    assert [p.name for p in paths_a] == ["topics.csv", "doc_topics.csv", "prevalence.csv", "coherence.csv",
                                         "typical.csv"]
    for pa, pb in zip(paths_a, paths_b):
        assert pa.read_bytes() == pb.read_bytes()


def test_lda_is_deterministic_too(seeds):
    a = fit_topics(seeds, method="lda", k=3, passes=5, n_boot=200)
    b = fit_topics(seeds, method="lda", k=3, passes=5, n_boot=200)
    assert a.method == "lda" and a.k == 3
    pd.testing.assert_frame_equal(a.topics, b.topics)
    pd.testing.assert_frame_equal(a.doc_topics, b.doc_topics)
    pd.testing.assert_frame_equal(a.prevalence, b.prevalence)


def test_results_do_not_depend_on_n_jobs(monkeypatch):
    # Small chunks make a 40-document corpus take the multi-process paths.
    monkeypatch.setattr(T, "_COUNT_CHUNK", 10)
    monkeypatch.setattr(T, "_INFERENCE_CHUNK", 10)
    texts = synthetic_frame(n_docs=40, n_words=20)["text"].tolist()
    options = dict(stop_words=load_topic_stop_words(), phrases=True, stem=False, min_df=None, max_df=None,
                   max_terms=1000, coherence_docs=15, random_state=0, small=True)
    serial = T._build_bag_of_words(texts, n_jobs=1, **options)
    parallel = T._build_bag_of_words(texts, n_jobs=2, **options)
    assert serial.tokens == parallel.tokens and serial.labels == parallel.labels
    assert (serial.counts != parallel.counts).nnz == 0
    assert serial.sequences == parallel.sequences and len(serial.sequences) == 15
    model, _ = T._fit_one("lda", serial.counts, 4, random_state=0, passes=2, iterations=20,
                          id2word=T._dictionary(serial.tokens, serial.counts))
    one = T._doc_topics("lda", model, serial.counts, random_state=0, n_jobs=1)
    two = T._doc_topics("lda", model, serial.counts, random_state=0, n_jobs=2)
    np.testing.assert_allclose(one, two, rtol=0, atol=1e-12)


# --------------------------------------------------------------------------------- synthetic k selection

def test_k_selection_recovers_known_topics_nmf():
    tm = fit_topics(synthetic_frame(), method="nmf", k_range=range(2, 8))
    assert tm.unit == "article"
    assert tm.k == 4, tm.coherence
    assert_topics_recover_vocabularies(tm)
    curve = tm.coherence.set_index("k")
    assert curve["c_v"].idxmax() == 4
    # Splitting a topic in two keeps c_v high but repeats top words: diversity falls below 1.
    assert curve.loc[4, "diversity"] == 1.0 and curve.loc[7, "diversity"] < 0.8


def test_k_selection_recovers_known_topics_lda():
    tm = fit_topics(synthetic_frame(), method="lda", k_range=range(2, 7), passes=10)
    assert tm.method == "lda" and tm.k == 4, tm.coherence
    assert_topics_recover_vocabularies(tm)
    # Each article's dominant topic is its own topic.
    dom = tm.article_topics.loc[tm.article_topics.groupby("article_id")["share"].idxmax()]
    frame = synthetic_frame().set_index("id")
    truth = frame.loc[dom["article_id"], "truth"].to_numpy()
    tops = {t: WORD_TOPIC[g.sort_values("weight").iloc[-1]["token"]] for t, g in tm.topics.groupby("topic")}
    assert (dom["topic"].map(tops).to_numpy() == truth).mean() > 0.95


# ---------------------------------------------------------------------------------------- tiny corpora

def test_one_short_article_is_modelled_as_sentences():
    corpus = corpus_from_frame(pd.DataFrame({
        "outlet": ["Daily"], "text": ["Russia moved troops to the border. NATO allies met in Brussels. "
                                      "Germany delayed the gas pipeline."]}))
    tm = fit_topics(corpus, n_terms=20)
    assert tm.unit == "window"
    assert len(tm.documents) == 3
    assert any("1 article is too few" in n and "modelled 3 sentences" in n for n in tm.notes)
    assert tm.k == 1 and any("single topic" in n for n in tm.notes)
    assert set(tm.topics["token"]) == {"russia", "moved", "troops", "border", "nato", "allies", "met",
                                       "brussels", "germany", "delayed", "gas", "pipeline"}
    assert (tm.topics["weight"] > 0).all()
    assert tm.prevalence[["outlet", "topic"]].values.tolist() == [["Daily", 1]]
    assert tm.prevalence["share"].item() == pytest.approx(1.0)


def test_four_sentences_give_two_topics_without_empty_ones():
    corpus = corpus_from_frame(pd.DataFrame({
        "outlet": ["Daily"], "text": ["Russia moved troops to the border. NATO allies met in Brussels. "
                                      "Germany delayed the gas pipeline. Kyiv asked for weapons."]}))
    tm = fit_topics(corpus)
    assert len(tm.documents) == 4 and tm.k == 2
    assert tm.topics.groupby("topic").size().gt(0).all()
    # Every topic is the main topic of some sentence.
    dominant = tm.doc_topics.loc[tm.doc_topics.groupby("doc_id")["weight"].idxmax(), "topic"]
    assert set(dominant) == {1, 2}


def test_three_short_articles_give_topics_without_empty_ones():
    corpus = corpus_from_frame(pd.DataFrame({
        "outlet": ["A", "B", "C"],
        "text": ["The central bank raised interest rates again. Inflation stayed high. Markets fell. "
                 "Investors sold bonds.",
                 "A storm flooded the coast. Rain fell for days. Forecasters warned of more wind.",
                 "The bank said inflation would ease. Bond markets rallied. The storm hit harvests."]}))
    tm = fit_topics(corpus)
    assert tm.unit == "window"
    assert len(tm.documents) >= 9
    assert 1 <= tm.k <= 2
    counts = tm.topics.groupby("topic").size()
    assert (counts > 0).all() and len(counts) == tm.k
    assert sorted(tm.prevalence["outlet"].unique()) == ["A", "B", "C"]
    assert tm.typical["text"].str.len().gt(0).all()


def test_k_larger_than_the_corpus_is_reduced_with_a_note():
    corpus = corpus_from_frame(pd.DataFrame({"outlet": ["A"], "text": [
        "Gas prices rose. Pipelines were closed. Gas imports fell. Prices rose again. Pipelines reopened."]}))
    tm = fit_topics(corpus, k=10)
    assert tm.k <= len(tm.documents)
    assert any("Asked for 10 topics" in n for n in tm.notes)


def test_only_stop_words_is_a_clear_error():
    corpus = corpus_from_frame(pd.DataFrame({"outlet": ["A"], "text": ["It is what it is, and that was that."]}))
    with pytest.raises(FramingError, match="no words are left"):
        fit_topics(corpus)


@pytest.mark.parametrize("kwargs, match", [
    ({"method": "lsa"}, "method="), ({"k": 0}, "k=0"), ({"unit": "chapter"}, "unit="),
    ({"ci": 1.5}, "ci="), ({"k_range": []}, "k_range="),
])
def test_bad_options_are_framing_errors(seeds, kwargs, match):
    with pytest.raises(FramingError, match=match):
        fit_topics(seeds, **kwargs)


# --------------------------------------------------------------------------------------- preprocessing

def test_stop_words_and_phrases(seeds):
    words = load_topic_stop_words(["kremlin"])
    assert {"said", "the", "don't", "kremlin"} <= words and "nato" not in words
    texts = seeds.articles["text"].tolist()
    grams = T._learn_phrases(texts, T._Tokens(load_topic_stop_words()), min_count=3, threshold=0.5)
    assert {"nord stream", "white house", "security guarantees", "vladimir putin"} <= set(grams)
    # "President Vladimir Putin": the fragment "president vladimir" is dropped for "vladimir putin".
    assert "president vladimir" not in grams and "president joe" not in grams
    tokens = T._Tokens(load_topic_stop_words(), grams)
    content = tokens.content(_text.tokenize("Biden spoke to Russian President Vladimir Putin about "
                                            "Nord Stream 2 and the US role."))
    assert content == ["biden", "spoke", "russian", "president", "vladimir putin", "nord stream", "u.s.",
                       "role"]


def test_phrase_joining_matches_gensim(seeds):
    from gensim.models.phrases import FrozenPhrases

    texts = seeds.articles["text"].tolist()
    stop = load_topic_stop_words()
    grams = T._learn_phrases(texts, T._Tokens(stop), min_count=2, threshold=0.3)
    assert len(grams) > 20
    frozen = FrozenPhrases.__new__(FrozenPhrases)
    frozen.delimiter, frozen.connector_words, frozen.phrasegrams = " ", T._CONNECTOR_WORDS, grams
    frozen.threshold = float("-inf")  # every listed phrase counts, as in the trained model
    tokens = T._Tokens(stop, grams)
    for text in texts:
        raw = _text.tokenize(text)
        expected = [t for t in frozen[tokens.stream(raw)] if t != T._BREAK and t not in T._CONNECTOR_WORDS]
        assert tokens.content(raw) == expected


def test_coherence_matches_gensim(seeds):
    from gensim.models.coherencemodel import CoherenceModel

    tm_docs, _, _, _ = T._documents(T._article_frame(seeds), "paragraph", min_articles=100, min_words=15)
    bow = T._build_bag_of_words(tm_docs["text"].tolist(), stop_words=load_topic_stop_words(), phrases=True,
                                stem=False, min_df=None, max_df=None, max_terms=30000, coherence_docs=500,
                                random_state=0, n_jobs=1, small=True)
    dictionary = T._dictionary(bow.tokens, bow.counts)
    _, phi = T._fit_one("nmf", bow.counts, 4, random_state=0, passes=1, iterations=1)
    rows = np.arange(bow.counts.shape[0])
    c_v, u_mass, per_topic = T._coherence({4: phi}, bow, rows)
    tops = [[bow.tokens[j] for j in np.argsort(-r, kind="stable")[:10]] for r in phi]
    ref_cv = CoherenceModel(topics=tops, texts=[bow.sequences[i] for i in rows], dictionary=dictionary,
                            coherence="c_v", processes=1)
    ref_um = CoherenceModel(topics=tops, corpus=T._CsrCorpus(bow.counts), dictionary=dictionary,
                            coherence="u_mass", processes=1)
    np.testing.assert_allclose(per_topic[4], ref_cv.get_coherence_per_topic(), rtol=1e-9)
    assert c_v[4] == pytest.approx(ref_cv.get_coherence(), rel=1e-9)
    assert u_mass[4] == pytest.approx(ref_um.get_coherence(), rel=1e-9)


def test_stemming_keeps_readable_terms(seeds):
    tm = fit_topics(seeds, k=3, stem=True, n_boot=100)
    text = " ".join(seeds.articles["text"]).lower()
    for term in tm.topics["term"]:
        assert term.lower() in text, term  # a written form, never a bare stem such as "negoti"
    assert (tm.topics["token"] != tm.topics["term"].str.lower()).any()  # some tokens are stems


# -------------------------------------------------------------------------------------------- by event

def test_by_event_averages_article_shares(seeds_model, seed_ids):
    links = pd.DataFrame({"article_id": [seed_ids["000"], seed_ids["003"], seed_ids["001"], "not-there"],
                          "event_id": ["nord-stream", "nord-stream", "calls", "calls"]})
    out = seeds_model.by_event(SimpleNamespace(article_events=links))
    assert out.columns[:3].tolist() == ["event_id", "topic", "share"]
    assert out["event_id"].unique().tolist() == ["calls", "nord-stream"]
    np.testing.assert_allclose(out.groupby("event_id")["share"].sum(), 1.0, atol=1e-9)
    shares = seeds_model.article_topics.set_index(["article_id", "topic"])["share"]
    expected = (shares[seed_ids["000"]] + shares[seed_ids["003"]]) / 2
    got = out[out["event_id"] == "nord-stream"].set_index("topic")["share"]
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy())
    assert out.set_index("event_id").loc["calls", "n_articles"].tolist() == [1] * seeds_model.k
    with pytest.raises(FramingError, match="article_events"):
        seeds_model.by_event(object())
