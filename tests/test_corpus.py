"""Foundation: loading every input format, the seeds metadata, cleaning, bad input."""

import gzip
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from framing import FramingError, FramingWarning, corpus_from_frame, load_corpus, seeds_path
from framing.clean import clean_text, restore

SEEDS = seeds_path()


def quiet_load(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FramingWarning)
        return load_corpus(*args, **kwargs)


# ----------------------------------------------------------------------------------- seeds corpus

def test_seeds_are_the_shared_articles_byte_for_byte():
    shared = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not available")
    for path in shared.glob("*.txt"):
        assert (SEEDS / path.name).read_bytes() == path.read_bytes()


def test_seeds_metadata(seeds):
    arts = seeds.articles.set_index("id")
    assert len(arts) == 5
    assert arts["outlet"].value_counts().to_dict() == {"RFE/RL": 2, "Al Jazeera": 1, "RT": 1, "unattributed": 1}
    assert arts.loc["001_a58eb54644859f67", "date"] == pd.Timestamp("2021-12-31")
    assert arts["date"].min() == pd.Timestamp("2021-12-06")
    assert arts["date"].max() == pd.Timestamp("2022-01-27")
    assert str(arts["date"].dtype).startswith("datetime64")
    assert arts.loc["004_25c19a2463a9116a", "title"] == "No NATO for foreseeable future, Biden to tell Ukraine – media"
    assert list(seeds.articles.columns[:6]) == ["id", "outlet", "date", "title", "text", "url"]
    assert seeds.issues.empty


def test_cleaning_removes_boilerplate_from_002_and_003(seeds, seed_ids):
    arts = seeds.articles.set_index("id")
    for key in ("002", "003"):
        text = arts.loc[seed_ids[key], "text"]
        assert "Leave a Reply" not in text
        assert "Back to top button" not in text
        assert "Related Articles" not in text
        assert "Your email address" not in text
    assert "RFE/RL journalists report the news" not in arts.loc[seed_ids["002"], "text"]
    assert arts.loc[seed_ids["002"], "credit"].startswith("RFE/RL journalists report the news in 21 countries")
    assert arts.loc[seed_ids["002"], "dateline"] == "(RFE/RL)"
    # The raw text stays available.
    assert "Leave a Reply" in arts.loc[seed_ids["002"], "raw_text"]


def test_cleaning_of_000_001_004_moves_only_headline_dateline_credit(seeds, seed_ids):
    report = seeds.cleaning_report()
    by_article = {aid[:3]: g for aid, g in report.groupby("article_id")}
    assert by_article["000"][["kind", "text"]].values.tolist() == [
        ["credit", "William Glucroft in Berlin contributed to this report."]]
    assert by_article["001"][["kind", "text"]].values.tolist() == [["dateline", "WASHINGTON — "]]
    assert by_article["004"][["kind", "action"]].values.tolist() == [["title", "moved to metadata"]]
    arts = seeds.articles.set_index("id")
    assert arts.loc[seed_ids["001"], "dateline"] == "WASHINGTON"
    assert arts.loc[seed_ids["000"], "credit"] == "William Glucroft in Berlin contributed to this report."
    # Nothing else is lost: the cleaned text is the raw text minus the reported spans.
    for key in ("000", "001", "004"):
        raw, text = arts.loc[seed_ids[key], "raw_text"], arts.loc[seed_ids[key], "text"]
        removed = by_article[key]["chars"].sum()
        assert len(raw) - len(text) == removed


def test_cleaning_restores_raw_text_exactly(seeds):
    for aid, raw, text in seeds.articles[["id", "raw_text", "text"]].itertuples(index=False):
        edits = seeds.edits[seeds.edits["article_id"] == aid]
        assert restore(text, edits) == raw


def test_embedded_tweet_and_subheads_marked(seeds, seed_ids):
    s = seeds.sentences()
    s3 = s[s["article_id"] == seed_ids["003"]]
    embedded = s3[s3["kind"] == "embedded_post"]["text"].tolist()
    assert embedded[0] == "Had a long phone conversation with @POTUS."
    assert embedded[-1] == "— Володимир Зеленський (@ZelenskyyUa) January 27, 2022"
    assert len(embedded) == 5
    notes = seeds.annotations
    post = notes[(notes["article_id"] == seed_ids["003"]) & (notes["kind"] == "embedded_post")]
    assert post["detail"].tolist() == ["Володимир Зеленський (@ZelenskyyUa), January 27, 2022"]
    assert s3[s3["kind"] == "subhead"]["text"].tolist() == [
        "Biden to meet Germany’s new leader", "‘Intricate sequencing from White House’", "War manoeuvres"]


def test_sentence_offsets_index_cleaned_text(seeds):
    texts = seeds.articles.set_index("id")["text"]
    s = seeds.sentences()
    assert len(s) == 130
    for row in s.itertuples():
        assert texts[row.article_id][row.start:row.end] == row.text


def test_sentence_frame_columns_share_ids_and_skip_string_inference(seeds):
    s = seeds.sentences()
    assert s.dtypes.astype(str).to_dict() == {"article_id": "object", "sent_id": "int64", "start": "int64",
                                              "end": "int64", "text": "object", "para_id": "int64",
                                              "kind": "object"}
    # The article ids are references to the articles' own ids, not one new string per sentence.
    first_id = seeds.articles["id"].iloc[0]
    assert all(a is first_id for a in s.loc[s["article_id"] == first_id, "article_id"])
    counts = s.groupby("article_id", sort=False)["sent_id"].agg(["min", "max", "size"])
    assert (counts["min"] == 0).all() and (counts["max"] == counts["size"] - 1).all()
    assert s["kind"].value_counts().to_dict() == {"body": 122, "embedded_post": 5, "subhead": 3}
    assert s.groupby("article_id")["para_id"].is_monotonic_increasing.all()


def test_sentence_numbers_restart_in_each_article():
    corpus = corpus_from_frame(pd.DataFrame({"id": ["a", "b", "c"], "outlet": ["X", "Y", "X"],
                                             "text": ["One. Two.", "...", "Three. Four. Five."]}))
    s = corpus.sentences()
    assert s["article_id"].tolist() == ["a", "a", "b", "c", "c", "c"]
    assert s["sent_id"].tolist() == [0, 1, 0, 0, 1, 2]
    assert s["text"].tolist() == ["One.", "Two.", "...", "Three.", "Four.", "Five."]
    assert s["start"].tolist() == [0, 5, 0, 0, 7, 13]


def test_clean_text_keeps_body_paragraph_that_mentions_a_marker_early():
    raw = "Related articles are rare.\nBody one.\nBody two.\nBody three.\n"
    c = clean_text(raw)
    assert c.text == raw and c.edits == []


def test_outlet_inference_from_cues(tmp_path):
    (tmp_path / "a.txt").write_text("(RFE/RL) — Something happened in Kyiv today.\nMore text.", "utf-8")
    (tmp_path / "b.txt").write_text("Al Jazeera’s Dominic Kane, reporting from Berlin, said so.\nMore.", "utf-8")
    (tmp_path / "c.txt").write_text("No cue here at all.\nNone.", "utf-8")
    corpus = quiet_load(tmp_path)
    arts = corpus.articles.set_index("id")
    assert arts.loc["a", "outlet"] == "RFE/RL" and arts.loc["a", "outlet_cue"] == "(RFE/RL)"
    assert arts.loc["b", "outlet"] == "Al Jazeera" and arts.loc["b", "outlet_source"] == "inferred"
    assert arts.loc["c", "outlet"] == "unknown" and arts.loc["c", "outlet_source"] == "unknown"
    assert corpus.issues["message"].str.contains("no outlet").any()


# ----------------------------------------------------------------------------------- input formats

RECORDS = [
    {"id": "a1", "outlet": "Alpha", "date": "2022-01-02", "title": "T1", "text": "Kyiv said no. It did.",
     "url": "http://a/1", "section": "world"},
    {"id": "b1", "outlet": "Beta", "date": "2022-01-03", "title": "T2", "text": "Kiev said yes.", "url": None,
     "section": "politics"},
]


def _check(corpus):
    arts = corpus.articles.set_index("id")
    assert list(arts.index) == ["a1", "b1"]
    assert arts.loc["a1", "outlet"] == "Alpha"
    assert arts.loc["b1", "date"] == pd.Timestamp("2022-01-03")
    assert arts.loc["a1", "section"] == "world"  # extra fields are kept
    assert arts.loc["a1", "text"] == "Kyiv said no. It did."
    assert corpus.sentences()["text"].tolist() == ["Kyiv said no.", "It did.", "Kiev said yes."]


def test_jsonl_and_gzip(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", "utf-8")
    _check(load_corpus(path))
    gz = tmp_path / "c.jsonl.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    _check(load_corpus(gz))


def test_json_csv_parquet(tmp_path):
    (tmp_path / "c.json").write_text(json.dumps(RECORDS), "utf-8")
    _check(load_corpus(tmp_path / "c.json"))
    pd.DataFrame(RECORDS).to_csv(tmp_path / "c.csv", index=False)
    _check(load_corpus(tmp_path / "c.csv"))
    pd.DataFrame(RECORDS).to_parquet(tmp_path / "c.parquet")
    _check(load_corpus(tmp_path / "c.parquet"))


def test_folder_with_metadata_jsonl(tmp_path):
    (tmp_path / "x.txt").write_text("Kyiv said no. It did.", "utf-8")
    (tmp_path / "metadata.jsonl").write_text(json.dumps({"file": "x.txt", "id": "a1", "outlet": "Alpha",
                                                         "date": "2022-01-02"}) + "\n", "utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.articles[["id", "outlet"]].values.tolist() == [["a1", "Alpha"]]


def test_media_cloud_export(tmp_path):
    df = pd.DataFrame({"stories_id": [11, 12], "media_name": ["nytimes.com", "rt.com"],
                       "publish_date": ["2022-02-24 05:10:00", "2022-02-24 06:00:00"],
                       "title": ["A", "B"], "url": ["https://nyt/1", "https://rt/2"],
                       "text": ["Russia invaded Ukraine.", "A special military operation began."]})
    df.to_csv(tmp_path / "mc.csv", index=False)
    arts = load_corpus(tmp_path / "mc.csv").articles
    assert arts["outlet"].tolist() == ["nytimes.com", "rt.com"]
    assert arts["id"].tolist() == ["11", "12"]
    assert arts["date"].tolist() == [pd.Timestamp("2022-02-24")] * 2


def test_ingest_round_trip(tmp_path, seeds):
    out = seeds.to_jsonl(tmp_path / "seeds.jsonl")
    again = load_corpus(out)
    assert again.articles["id"].tolist() == seeds.articles["id"].tolist()
    assert again.articles["text"].tolist() == seeds.articles["text"].tolist()
    assert again.articles["dateline"].tolist() == seeds.articles["dateline"].tolist()
    pq = seeds.to_parquet(tmp_path / "seeds.parquet")
    assert load_corpus(pq).articles["outlet"].tolist() == seeds.articles["outlet"].tolist()


def test_corpus_from_frame():
    corpus = corpus_from_frame(pd.DataFrame({"outlet": ["A", "B"], "text": ["One.", "Two."]}))
    assert corpus.articles["id"].tolist() == ["doc00000", "doc00001"]


# -------------------------------------------------------------------------------------- bad input

def test_empty_file_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("", "utf-8")
    with pytest.raises(FramingError, match=r"empty\.jsonl: the file is empty"):
        load_corpus(path)


def test_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FramingError, match="contains no articles"):
        load_corpus(tmp_path)


def test_cp1252_file_is_decoded_with_a_warning(tmp_path):
    text = "Kyiv’s “red line” — café, naïve résumé. Zelenskiy said so."
    (tmp_path / "cp.txt").write_bytes(text.encode("cp1252"))
    with pytest.warns(FramingWarning, match=r"cp\.txt: not valid UTF-8; decoded as cp1252"):
        corpus = load_corpus(tmp_path)
    assert corpus.articles.loc[0, "text"] == text
    assert corpus.issues["action"].tolist() == ["repaired", "warning"]  # the warning: no outlet given


def test_lone_surrogate_escapes_are_repaired_and_reported(tmp_path):
    # half of a UTF-16 pair (an emoji cut in two by a scraper) decodes to a lone surrogate, which no UTF-8
    # string (Arrow, Parquet) holds; a whole pair is one character and stays
    broken = dict(RECORDS[0], text=RECORDS[0]["text"] + " Cut \\ud83d here.")
    whole = dict(RECORDS[1], text=RECORDS[1]["text"] + " Kept \\ud83d\\ude00 here.", title="T \\udfff")
    lines = [json.dumps(broken).replace("\\\\ud83d", "\\ud83d"),
             json.dumps(whole).replace("\\\\u", "\\u")]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.warns(FramingWarning, match=r"c\.jsonl, line 1: 1 broken character\(s\)"):
        corpus = load_corpus(path)
    texts = corpus.articles["text"].tolist()
    assert texts[0].endswith(" Cut \ufffd here.") and texts[1].endswith(" Kept \U0001f600 here.")
    assert corpus.articles.loc[1, "title"] == "T \ufffd"
    repaired = corpus.issues[corpus.issues["action"] == "repaired"]
    assert repaired["line"].tolist() == [1, 2]
    path = tmp_path / "c.json"
    path.write_text("[" + ",".join(lines) + "]", "utf-8")
    with pytest.warns(FramingWarning, match=r"c\.json: 2 broken character\(s\)"):
        assert load_corpus(path).articles["text"].tolist() == texts
    # in a key too (keys become column names)
    path = tmp_path / "k.jsonl"
    path.write_text(json.dumps(dict(RECORDS[0], **{"section\\ud83d": "x"})).replace("\\\\u", "\\u") + "\n",
                    "utf-8")
    with pytest.warns(FramingWarning, match=r"k\.jsonl, line 1: 1 broken character"):
        assert "section\ufffd" in load_corpus(path).articles.columns


def test_jsonl_with_a_malformed_line(tmp_path):
    lines = [json.dumps(RECORDS[0]), '{"id": "broken", "text": "oops"', json.dumps(RECORDS[1])]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.warns(FramingWarning, match=r"c\.jsonl, line 2: not valid JSON"):
        corpus = load_corpus(path)
    assert corpus.articles["id"].tolist() == ["a1", "b1"]
    assert corpus.issues[["line", "action"]].values.tolist() == [[2, "skipped"]]


def test_csv_without_text_column(tmp_path):
    pd.DataFrame({"id": [1], "body": ["x"]}).to_csv(tmp_path / "c.csv", index=False)
    with pytest.raises(FramingError, match=r"c\.csv: no `text` column \(found: id, body\)"):
        load_corpus(tmp_path / "c.csv")
    # ... and the suggested fix works.
    assert quiet_load(tmp_path / "c.csv", columns={"body": "text"}).articles["text"].tolist() == ["x"]


def test_missing_path_and_unknown_format(tmp_path):
    with pytest.raises(FramingError, match="no such file or folder"):
        load_corpus(tmp_path / "nope")
    (tmp_path / "c.xlsx").write_bytes(b"PK")
    with pytest.raises(FramingError, match="unknown corpus format '.xlsx'"):
        load_corpus(tmp_path / "c.xlsx")


def test_skipped_items_are_reported_not_dropped_silently(tmp_path):
    recs = RECORDS + [{"id": "b1", "outlet": "Beta", "text": "Dup id."}, {"id": "e", "text": "  "},
                      {"id": "d", "outlet": "Beta", "date": "someday", "text": "Bad date."}]
    (tmp_path / "c.json").write_text(json.dumps(recs), "utf-8")
    with pytest.warns(FramingWarning):
        corpus = load_corpus(tmp_path / "c.json")
    assert corpus.articles["id"].tolist() == ["a1", "b1", "b1~2", "d"]
    actions = corpus.issues.groupby("action").size().to_dict()
    assert actions == {"repaired": 2, "skipped": 1}
    assert pd.isna(corpus.articles.set_index("id").loc["d", "date"])


def test_unchanged_text_shares_the_raw_string():
    # Large corpora: a text that cleaning leaves alone must not be stored twice (pandas' string
    # inference once made two copies of every text).
    frame = pd.DataFrame({"id": ["a", "b"], "outlet": ["X", "Y"], "date": ["2022-01-01"] * 2,
                          "text": ["Plain text that needs no cleaning.", "Read more: Plain text.\n\nAdvertisement"]})
    arts = corpus_from_frame(frame).articles
    assert arts.at[0, "text"] is arts.at[0, "raw_text"]
    assert arts["text"].dtype == object and arts["raw_text"].dtype == object


def test_gallery_captions_and_video_widgets_are_boilerplate():
    # CNN pages in the news corpus carry these widget lines; they formed the largest "facts" of a
    # 5,000-article alignment before they were removed.
    text = ("The Senate voted on Tuesday.\n\nJUST WATCHED Clinton strikes back at GOP Replay More Videos ... "
            "MUST WATCH Clinton strikes back at GOP 02:15\n\nHide Caption 3 of 10 Photos: New York prison "
            "escape Looking from the catwalk, this is the hole.\n\nPhotos: Photos: Syria's refugee crisis\n\n"
            "The bill now goes to the House.")
    arts = corpus_from_frame(pd.DataFrame({"id": ["a"], "outlet": ["CNN"], "text": [text]})).articles
    lines = [line for line in arts.at[0, "text"].splitlines() if line.strip()]
    assert lines == ["The Senate voted on Tuesday.", "The bill now goes to the House."]


def test_photo_gallery_run_into_one_long_line_is_boilerplate():
    # Regression: a whole CNN gallery on one line is longer than the 400 characters that line rules
    # check, so 431 articles of the news corpus kept it; its captions made events and facts of their own
    # ("Caption, Photos, Hide, spotlight") and one fact of 1,417 sentences.
    gallery = " ".join(f"Photos: New Year's 2017 celebrations around the world People watch fireworks in city {k}. "
                       f"Hide Caption {k} of 24" for k in range(1, 25))
    body = ("Revelry was choreographed according to the world's time zones. " * 8).strip()  # a long body line
    text = f"Crowds gathered in Times Square.\n\n{gallery}\n\n{body}"
    corpus = corpus_from_frame(pd.DataFrame({"id": ["a"], "outlet": ["CNN"], "text": [text]}))
    assert len(gallery) > 400 and len(body) > 400
    lines = [line for line in corpus.articles.at[0, "text"].splitlines() if line.strip()]
    assert lines == ["Crowds gathered in Times Square.", body]
    report = corpus.cleaning_report()
    assert report["reason"].tolist() == ['photo gallery run into one line (CNN: "Photos: ... Hide Caption 1 of 24 '
                                         'Photos: ...")']
    assert report["chars"].tolist() == [len(gallery) + 1]  # the line and its line break


@pytest.mark.parametrize("line", [
    "Advertisement Continue reading the main story",
    "Advertisement:",
    "Newsletter Sign Up Continue reading the main story Please verify you're not a robot by clicking the box. "
    "Invalid email address. Please re-enter. You must select a newsletter to subscribe to. Sign Up You will "
    "receive emails containing news content, updates and promotions from The New York Times. You may opt-out "
    "at any time. You agree to receive occasional updates and special offers for The New York Times's "
    "products and services. Thank you for subscribing. An error has occurred. Please try again later.",
    "Story Continued Below",
    "POLITICO Playbook newsletter Sign up today to receive the #1-rated newsletter in politics Email Sign Up "
    "By signing up you agree to receive email newsletters or alerts from POLITICO. You can unsubscribe at any "
    "time.",
    "Sign up for Daily Newsletters Manage Newsletters",
    "Copyright © 2019 The Washington Times, LLC. Click here for reprint permission.",
    "CLICK HERE TO GET THE FOX NEWS APP",
    "[pullquote]",
    "Read or Share this story: https://usat.ly/2sVlTpp",
    "Share This Story Tweet Share Share Pin Email",
    "Story highlights Obama cancels military exercises with Egypt, says U.S. might take further steps",
    "Enlarge this image toggle caption Alex Wong/Getty Images Alex Wong/Getty Images",
    "Hide caption North Korean leader Kim Jong Un, left, and South Korean President Moon Jae-in",
    "Image copyright Reuters Image caption The march started peacefully",
    "Support Vox’s explanatory journalism",
    "Subscribe on Apple Podcasts, Spotify, Overcast, or wherever you listen to podcasts.",
])
def test_news_site_furniture_is_boilerplate(line):
    # Lines that made the distinctive terms of the 37,554-article news corpus ("toggle caption" for NPR,
    # "story continued" for Politico, "reprint permission" for the Washington Times) before they were rules.
    text = f"The Senate voted on Tuesday.\n\n{line}\n\nThe bill now goes to the House."
    corpus = corpus_from_frame(pd.DataFrame({"id": ["a"], "outlet": ["X"], "text": [text]}))
    lines = [x for x in corpus.articles.at[0, "text"].splitlines() if x.strip()]
    assert lines == ["The Senate voted on Tuesday.", "The bill now goes to the House."]


def test_contributing_line_moves_to_credit_and_body_text_stays():
    text = ("Story highlights are a CNN feature, the researcher said on Tuesday.\n\n"  # not the widget
            "The image caption was wrong, the agency said.\n\nContributing: The Associated Press")
    corpus = corpus_from_frame(pd.DataFrame({"id": ["a"], "outlet": ["X"], "text": [text]}))
    art = corpus.articles.iloc[0]
    assert art["credit"] == "Contributing: The Associated Press"
    assert art["text"].split("\n\n")[:2] == ["Story highlights are a CNN feature, the researcher said on Tuesday.",
                                             "The image caption was wrong, the agency said."]
