"""Attribution and sourcing: reporting verbs, quotes, speakers and source types on the seeds and on
small texts written for the rules."""

import gzip
import json

import pandas as pd
import pytest

from framing import FramingError, corpus_from_frame
from framing.attribution import (BY_OUTLET_COLUMNS, QUOTE_COLUMNS, SOURCE_COLUMNS, VERB_COLUMNS, Attribution,
                                 _default_verbs, _extract_chunk, attribution, count_words, find_direct_quotes,
                                 load_reporting_verbs, load_source_types)
from framing.parallel import parallel_map


@pytest.fixture(scope="module")
def att(seeds):
    return attribution(seeds)


def _corpus(*texts, outlets=None):
    outlets = outlets or [f"Outlet{i}" for i in range(len(texts))]
    return corpus_from_frame(pd.DataFrame({"outlet": outlets, "text": list(texts)}), clean=False)


def _verbs(result):
    return result.verbs.set_index(["outlet", "verb", "form"])["count"]


def _quote(result, article_prefix, starts_with):
    q = result.quotes
    hit = q[q["article_id"].str.startswith(article_prefix) & q["quote"].str.startswith(starts_with)]
    assert len(hit) >= 1, f"no quote starting {starts_with!r} in {article_prefix}"
    return hit.iloc[0]


# ------------------------------------------------------------------------------------ reporting verbs

def test_rt_attributes_with_claims_where_others_say(att):
    v = _verbs(att)
    assert v["RT", "claim", "verb"] == 2           # "The agency claims", "Kiev claims"
    assert v["RT", "claim", "noun"] == 1           # "amid claims by Washington"
    assert v["unattributed", "claim", "noun"] == 1  # "Russia has dismissed the claims of ..."
    assert ("unattributed", "claim", "verb") not in v.index
    for outlet in ("RFE/RL", "Al Jazeera"):
        assert not any(key[0] == outlet and key[1] == "claim" for key in v.index)
    assert v["RFE/RL", "say", "verb"] == 11
    assert v["Al Jazeera", "say", "verb"] == 16
    assert v["unattributed", "say", "verb"] == 6
    assert v["RT", "say", "verb"] == 4


def test_verbs_table_columns_and_connotation(att, seeds):
    assert list(att.verbs.columns) == VERB_COLUMNS
    rows = att.verbs.set_index(["outlet", "verb", "form"])
    assert rows.loc[("RT", "claim", "verb"), "connotation"] == "loaded"
    assert rows.loc[("RT", "say", "verb"), "connotation"] == "neutral"
    assert rows.loc[("RT", "insist", "verb"), "count"] == 2
    assert rows.loc[("RT", "assert", "noun"), "count"] == 1           # "NATO states reject this assertion"
    words = seeds.summary().loc["RT", "words"]
    assert rows.loc[("RT", "claim", "verb"), "per_10k_words"] == pytest.approx(2 / words * 10_000, rel=0.01)
    shares = att.verbs.groupby("outlet")["share"].sum()
    assert shares.to_numpy() == pytest.approx(1.0)


@pytest.mark.parametrize("text, lemma, form", [
    ("The agency claims Biden plans to call Zelensky.", "claim", "verb"),
    ("Talks took place amid claims by Washington that troops were massing.", "claim", "noun"),
    ("Moscow dismissed the claims of an imminent attack.", "claim", "noun"),
    ("U.S. intelligence reports have suggested that Russia could invade.", "report", "noun"),
    ("The minister reported that the talks had failed.", "report", "verb"),
    ("Washington dismissed Russia's warning about the drills.", "warn", "noun"),
    ("Biden issued a strong warning against an invasion.", "warn", "noun"),
    ("The official declined to comment on the plan.", "comment", "verb"),
    ("Police arrested the alleged plotter on Monday.", "allege", "adjective"),
    ("Officials pointed out that the pipeline was finished.", "point out", "verb"),
    ("According to the ministry, five people died.", "according to", "phrase"),
])
def test_verb_or_noun_from_neighbours(text, lemma, form):
    v = attribution(_corpus(text)).verbs
    assert [(r.verb, r.form) for r in v.itertuples() if r.verb == lemma] == [(lemma, form)]


def test_words_that_are_not_reporting_uses_are_not_counted():
    text = ("Moscow has no say in the matter. The drills added pressure on Kyiv. "
            "Moscow wants NATO to deny membership to Ukraine. He asked for help.")
    v = attribution(_corpus(text)).verbs
    assert v.empty


def test_reporting_verbs_inside_quotes_are_not_the_outlets(att):
    # Kane quotes the German government: “The German government has said it is prepared ...”
    q = _quote(att, "003", "The German government has said")
    assert q["speaker"] == "Dominic Kane"
    text = _corpus("“They have said no,” she said.")
    assert _verbs(attribution(text))["Outlet0", "say", "verb"] == 1


# ------------------------------------------------------------------------------------------ quotes

def test_direct_quotes_and_their_speakers_on_seeds(att):
    assert _quote(att, "000", "Everything is possible")["speaker"] == "Dmytro Kuleba"
    he = _quote(att, "000", "Putin will hear clear signals")
    assert (he["speaker"], he["speaker_mention"], he["verb"]) == ("Dmytro Kuleba", "He", "express")
    peskov = att.quotes[att.quotes["article_id"].str.startswith("003") & (att.quotes["speaker"] == "Dmitry Peskov")]
    assert {"little ground for optimism", "there always are prospects for continuing a dialogue, it’s in the "
            "interests of both us and the Americans"} <= set(peskov["quote"])
    assert _quote(att, "003", "the start of a serious talk")["speaker"] == "Sergey Lavrov"
    assert _quote(att, "003", "the document contains no positive")["speaker"] == "Sergey Lavrov"
    assert _quote(att, "003", "Russia is engaging")["speaker"] == "Linda Thomas-Greenfield"
    # a quotation that opens the next sentence continues the same speaker
    assert _quote(att, "003", "This is not a moment to wait")["speaker"] == "Linda Thomas-Greenfield"
    assert _quote(att, "003", "It’s going to cost them")["speaker"] == "Dominic Kane"
    assert _quote(att, "003", "This crisis is a moment of truth")["speaker"] == "Dmytro Kuleba"
    assert _quote(att, "003", "And then on February 7")["speaker"] == "Alan Fisher"
    assert _quote(att, "003", "No one will force Ukrainians")["speaker"] == "Andrii Levus"
    assert _quote(att, "003", "military-technical measures")["speaker"] == "Vladimir Putin"  # "He had warned"
    # a scare quote with no reporting verb stays unattributed
    plan = _quote(att, "000", "membership action plan")
    assert (plan["speaker"], plan["source_type"]) == ("", "unattributed")


def test_source_types_on_seeds(att):
    q = att.quotes
    for prefix in ("001", "002"):
        official = q[q["article_id"].str.startswith(prefix) & (q["speaker"] == "a White House official")]
        assert len(official) >= 2 and set(official["source_type"]) == {"anonymous official"}
    ap = q[q["article_id"].str.startswith("004") & (q["speaker"] == "AP")].iloc[0]
    assert (ap["kind"], ap["source_type"], ap["verb"], ap["cites"]) == ("indirect", "news agency", "report",
                                                                        "sources")
    assert ap["quote"].startswith("US President Joe Biden will lean on his Ukrainian counterpart")
    senior = q[q["article_id"].str.startswith("004") & (q["speaker"] == "a senior official")].iloc[0]
    assert (senior["source_type"], senior["cited_by"]) == ("anonymous official", "AP")
    assert senior["quote"] == "Washington has told Ukraine that it won’t become a NATO member for at least a decade"
    types = dict(zip(q["speaker"], q["source_type"]))
    assert types["The agency"] == "news agency"
    assert types["Kiev"] == "state actor"
    assert types["The Kremlin"] == "government body"
    assert types["Dmitry Peskov"] == "named official"
    assert types["Dominic Kane"] == "journalist" and types["Alan Fisher"] == "journalist"
    assert types["Experts"] == "expert"
    assert types["Ukrainian officials"] == "anonymous official"
    assert types["Andrii Levus"] == "named person"
    assert types["NATO"] == "international organization"
    # "Zelenskiy said on Twitter" and "He tweeted": the channel makes it social media
    tweeted = _quote(att, "003", "important that the US remains")
    assert (tweeted["speaker"], tweeted["source_type"]) == ("Dmytro Kuleba", "social media")
    assert _quote(att, "002", "Agreed to continue joint")["source_type"] == "social media"


def test_embedded_post_is_quoted_social_media(att, seeds):
    posts = att.quotes[att.quotes["embedded_post"]]
    assert len(posts) == 1
    post = posts.iloc[0]
    assert post["article_id"].startswith("003") and post["source_type"] == "social media"
    assert post["quote"].startswith("Had a long phone conversation with @POTUS.")
    assert "@ZelenskyyUa" in post["speaker"]
    s = seeds.sentences()
    n_post_sentences = int(((s["kind"] == "embedded_post") & s["article_id"].str.startswith("003")).sum())
    assert post["sent_id"] == s[(s["kind"] == "embedded_post")]["sent_id"].min() and n_post_sentences == 5


def test_indirect_quotes_on_seeds(att):
    q = att.quotes[att.quotes["kind"] == "indirect"]
    kiev = q[q["speaker"] == "Kiev"].iloc[0]
    assert kiev["verb"] == "claim" and kiev["quote"].startswith("the republics are being propped up by Russia")
    washington = q[q["speaker"] == "Washington"].iloc[0]      # "amid claims by Washington that Russia ..."
    assert washington["verb"] == "claim" and washington["quote"].startswith("Russia was amassing")
    official = q[q["article_id"].str.startswith("001") & (q["speaker"] == "the official")].iloc[0]
    assert official["quote"].startswith("The two leaders will also discuss")     # "..., the official said."
    # a clause nested in a quote is part of it: "Ukraine says it won't ... which the Minsk Agreement says ..."
    assert not (q["speaker"] == "the Minsk Agreement").any()


def test_quote_offsets_and_tables_are_consistent(att, seeds):
    texts = dict(zip(seeds.articles["id"], seeds.articles["text"]))
    for r in att.quotes.itertuples():
        assert texts[r.article_id][r.start:r.end] == r.quote
        assert 0 <= r.chars <= r.end - r.start
        assert r.words == count_words(r.quote)
    assert list(att.quotes.columns) == QUOTE_COLUMNS
    assert list(att.sources.columns) == SOURCE_COLUMNS
    assert list(att.by_outlet.columns) == BY_OUTLET_COLUMNS
    assert set(att.quotes["kind"]) == {"direct", "indirect"}
    shares = att.sources.groupby("outlet")["share_of_quoted"].sum()
    assert shares.to_numpy() == pytest.approx(1.0)
    chars = att.quotes.groupby(["outlet", "source_type"])["chars"].sum()
    assert att.sources.set_index(["outlet", "source_type"])["quoted_chars"].to_dict() == chars.to_dict()
    b = att.by_outlet.set_index("outlet")
    assert (b["quoted_words"] <= b["words"]).all() and ((b["quoted_share"] > 0.2) & (b["quoted_share"] < 0.7)).all()
    assert b.loc["RFE/RL", "articles"] == 2 and b.loc["RFE/RL", "words"] == seeds.summary().loc["RFE/RL", "words"]
    assert b.loc["Al Jazeera", "embedded_posts"] == 1
    assert b.loc["RFE/RL", "anonymous_share"] > b.loc["Al Jazeera", "anonymous_share"] == 0
    per_article = att.by_article.set_index("article_id")
    assert per_article["quoted_words"].sum() == b["quoted_words"].sum()
    assert per_article["n_quotes"].sum() == len(att.quotes)
    rt = per_article[per_article["outlet"] == "RT"].iloc[0]
    assert rt["quoted_share"] == pytest.approx(b.loc["RT", "quoted_share"])


def test_save_writes_the_tables(att, tmp_path):
    paths = att.save(tmp_path / "out")
    assert sorted(paths) == ["attribution.csv", "attribution_by_outlet.csv", "quotes.csv", "sources.csv"]
    back = pd.read_csv(paths["attribution.csv"])
    assert list(back.columns) == VERB_COLUMNS and len(back) == len(att.verbs)
    assert len(pd.read_csv(paths["quotes.csv"], keep_default_na=False)) == len(att.quotes)
    assert "Attribution" in repr(att)


# ------------------------------------------------------------------------------------ small texts

def test_speaker_patterns_on_small_texts():
    text = ("“We will not back down,” said Defense Minister Oleksiy Reznikov. "
            "A senior diplomat, who asked not to be named, said the talks had stalled. "
            "Kremlin spokesman Dmitry Peskov told reporters that no decision had been made. "
            "Peskov added: “Everything depends on Washington.”\n"
            "“Nothing has changed,” Reuters quoted an unnamed source as saying.")
    q = attribution(_corpus(text)).quotes
    got = {r.quote: (r.speaker, r.source_type) for r in q.itertuples()}
    assert got["We will not back down,"] == ("Oleksiy Reznikov", "named official")
    assert got["the talks had stalled"] == ("A senior diplomat", "anonymous official")
    assert got["no decision had been made"] == ("Dmitry Peskov", "named official")
    assert got["Everything depends on Washington."] == ("Dmitry Peskov", "named official")


def test_find_direct_quotes_styles():
    text = ('He said “yes, fully,” then "no" and ‘maybe’; Kiev’s envoy spoke. «Non», „Ja“.\n'
            "“An open quote runs to the end of its paragraph\nNew paragraph.")
    got = [text[s:e] for s, e in find_direct_quotes(text)]
    assert got == ["yes, fully,", "no", "maybe", "Non", "Ja", "An open quote runs to the end of its paragraph"]


def test_custom_verb_and_source_files(tmp_path):
    verbs = tmp_path / "verbs.csv"
    verbs.write_text("# my verbs\nlemma,connotation,category,clause,context,verb_forms,noun_forms,phrase_forms,"
                     "exclude_after\nmumble,loaded,emotive,bare,any,mumble|mumbles|mumbled,,,\n", encoding="utf-8")
    sources = tmp_path / "sources.csv"
    sources.write_text('source_type,field,pattern\nwizard,speaker,"(?i)wizard"\n', encoding="utf-8")
    c = _corpus("The wizard mumbled that the spell had failed. Officials said nothing.")
    a = attribution(c, verbs=verbs, sources=sources)
    assert a.verbs[["verb", "form", "count", "connotation"]].values.tolist() == [["mumble", "verb", 1, "loaded"]]
    assert a.quotes[["speaker", "source_type", "quote"]].values.tolist() == [
        ["The wizard", "wizard", "the spell had failed"]]
    assert load_reporting_verbs(verbs)["lemma"].tolist() == ["mumble"]
    assert load_source_types(sources)["source_type"].tolist() == ["wizard"]


def test_bad_lexicon_files_raise_one_clear_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("lemma,connotation,verb_forms,clause\nsay,neutral,say|said,sometimes\n", encoding="utf-8")
    with pytest.raises(FramingError, match="clause must be"):
        load_reporting_verbs(bad)
    dup = tmp_path / "dup.csv"
    dup.write_text("lemma,connotation,verb_forms\nsay,neutral,say|said\ntell,neutral,told|said\n", encoding="utf-8")
    with pytest.raises(FramingError, match="belongs to both"):
        load_reporting_verbs(dup)
    with pytest.raises(FramingError, match="no such reporting verb file"):
        load_reporting_verbs(tmp_path / "missing.csv")
    src = tmp_path / "src.csv"
    src.write_text("source_type,field,pattern\nx,speaker,(unclosed\n", encoding="utf-8")
    with pytest.raises(FramingError, match="not a valid regular expression"):
        load_source_types(src)


def test_corpus_without_quotes_gives_empty_documented_tables():
    a = attribution(_corpus("The weather was mild and the harvest was good."))
    assert isinstance(a, Attribution)
    assert a.verbs.empty and list(a.verbs.columns) == VERB_COLUMNS
    assert a.quotes.empty and list(a.quotes.columns) == QUOTE_COLUMNS
    assert a.sources.empty and list(a.sources.columns) == SOURCE_COLUMNS
    assert a.by_outlet[["articles", "n_quotes", "quoted_words"]].values.tolist() == [[1, 0, 0]]


def test_parallel_map_gives_the_serial_result(seeds):
    arts = seeds.articles
    s = seeds.sentences()
    records = []
    for aid, outlet, text in zip(arts["id"], arts["outlet"], arts["text"]):
        g = s[s["article_id"] == aid]
        records.append((aid, outlet, text, list(zip(g["start"], g["end"])), g["kind"].tolist()))
    lex = _default_verbs()
    serial = parallel_map(_extract_chunk, records, n_jobs=1, shared=lex, chunk_size=2)
    parallel = parallel_map(_extract_chunk, records, n_jobs=2, shared=lex, chunk_size=2, min_items=1)
    assert parallel == serial and len(serial) == 5


def test_attribution_is_cached_per_corpus(seeds):
    assert attribution(seeds) is attribution(seeds)


def test_real_news_articles(datasets_dir):
    """The first 300 articles of the news-outlets dataset: plausible attribution profiles."""
    records = []
    with gzip.open(datasets_dir / "news-outlets.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            records.append(json.loads(line))
            if len(records) == 300:
                break
    corpus = corpus_from_frame(pd.DataFrame(records)[["id", "outlet", "date", "title", "text"]])
    a = attribution(corpus)
    top = a.verbs.groupby("verb")["count"].sum().sort_values(ascending=False)
    assert top.index[0] == "say" and top.iloc[0] > 5 * top.iloc[1]
    assert {"tell", "according to", "add"} <= set(top.index[:10])
    b = a.by_outlet[a.by_outlet["articles"] >= 10]
    assert len(b) >= 5 and b["quoted_share"].between(0.05, 0.8).all()
    share = a.quotes["source_type"].value_counts(normalize=True)
    assert share.index[0] in {"named official", "named person"} and share.get("unattributed", 0) < 0.2
