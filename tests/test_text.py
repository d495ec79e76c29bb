"""Text layer: sentence splitting, tokenisation with offsets, normalisation."""

import pytest

from framing.text import normalize_token, span_tokenize, split_sentences, tokenize, words


def sents(text):
    return [text[s:e] for s, e in split_sentences(text)]


def test_us_abbreviation_does_not_end_a_sentence():
    text = ("U.S. President Joe Biden will hold another call. The U.S. and Russian officials will meet "
            "January 9-10 in Geneva.")
    assert sents(text) == ["U.S. President Joe Biden will hold another call.",
                           "The U.S. and Russian officials will meet January 9-10 in Geneva."]


def test_titles_months_and_initials():
    text = ("Gen. Mark Milley met Lt. Col. Smith on Jan. 5 in Washington, D.C. on Monday. "
            "John F. Kennedy was mentioned. Then they left.")
    assert sents(text) == ["Gen. Mark Milley met Lt. Col. Smith on Jan. 5 in Washington, D.C. on Monday.",
                           "John F. Kennedy was mentioned.", "Then they left."]


def test_quotes_and_question_marks():
    text = "“This is not a moment to wait and see.” She asked: “Why now?” He left."
    assert sents(text) == ["“This is not a moment to wait and see.”", "She asked: “Why now?”", "He left."]


def test_lines_are_paragraph_boundaries():
    text = "Biden to meet Germany’s new leader\nMeanwhile, the White House announced it."
    assert sents(text) == ["Biden to meet Germany’s new leader", "Meanwhile, the White House announced it."]


def test_003_tweet_sentences(seeds, seed_ids):
    text = seeds.articles.set_index("id").loc[seed_ids["003"], "text"]
    got = sents(text)
    tweet = ["Had a long phone conversation with @POTUS.",
             "Discussed recent diplomatic efforts on de-escalation and agreed on joint actions for the future.",
             "Thanked President @JoeBiden for the ongoing military assistance.",
             "Possibilities for financial support to Ukraine were also discussed.",
             "— Володимир Зеленський (@ZelenskyyUa) January 27, 2022"]
    i = got.index(tweet[0])
    assert got[i:i + 5] == tweet


def test_tokens_with_offsets():
    text = "Kiev's U.S.-backed $2.5bn plan for 100,000 troops (Thomas-Greenfield) #UkrainiansWillResist"
    spans = span_tokenize(text)
    toks = [text[s:e] for s, e in spans]
    assert toks == ["Kiev's", "U.S.", "-", "backed", "$2.5bn", "plan", "for", "100,000", "troops", "(",
                    "Thomas-Greenfield", ")", "#UkrainiansWillResist"]
    assert tokenize(text) == toks


def test_cyrillic_tokens_stay_whole():
    assert tokenize("— Володимир Зеленський (@ZelenskyyUa)") == ["—", "Володимир", "Зеленський", "(",
                                                                 "@ZelenskyyUa", ")"]


def test_normalisation_for_matching():
    assert normalize_token("Kiev’s") == "kiev"
    assert normalize_token("Kiev's") == "kiev"
    assert normalize_token("allies'") == "allies"
    assert normalize_token("Thomas‑Greenfield") == "thomas-greenfield"  # non-breaking hyphen
    assert normalize_token("ZELENSKIY") == "zelenskiy"
    assert words("Kiev’s “military bloc” – 100,000.") == ["kiev", "military", "bloc"]
    assert words("Kiev’s bloc", lower=False) == ["Kiev", "bloc"]


def test_fast_splitter_agrees_with_nltk_punkt_on_the_seeds(seeds):
    for text in seeds.articles["text"]:
        assert split_sentences(text) == split_sentences(text, method="punkt")


def test_fast_splitter_improves_on_punkt_for_glued_and_bracketed_text():
    glued = "That’s never worked.”Americans are aspirational, Moore adds.“Most of us aspire to be rich.”"
    assert sents(glued) == ["That’s never worked.”", "Americans are aspirational, Moore adds.",
                            "“Most of us aspire to be rich.”"]
    bracket = "But Sen. Marco Rubio (R-Fla.), and Rep. Ron Paul (R-Texas) disagreed. Then it ended."
    assert sents(bracket) == ["But Sen. Marco Rubio (R-Fla.), and Rep. Ron Paul (R-Texas) disagreed.",
                              "Then it ended."]
    assert sents("It was U.S.-backed. Yes... and then? No!") == ["It was U.S.-backed.", "Yes... and then?", "No!"]


def test_fast_splitter_agrees_with_punkt_on_real_news(datasets_dir):
    import gzip
    import itertools
    import json

    with gzip.open(datasets_dir / "news-outlets.jsonl.gz", "rt", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in itertools.islice(fh, 400)]
    fast = [set(split_sentences(t)) for t in texts]
    punkt = [set(split_sentences(t, method="punkt")) for t in texts]
    same = sum(len(a & b) for a, b in zip(fast, punkt))
    assert same / sum(len(b) for b in punkt) > 0.98


def test_numbers_glued_to_letters_stay_whole():
    # Regression: the number pattern backtracked and split "1990s" into "199" + "0s".
    assert tokenize("the 1990s and the 20th century, 14% and $2.5bn") == [
        "the", "1990s", "and", "the", "20th", "century", ",", "14%", "and", "$2.5bn"]


def test_tokenizer_word_and_abbreviation_edges():
    # The word pattern runs first for speed; abbreviations must still win where they apply.
    assert tokenize("U.S.-backed U.S.A e.g. A.B Mr.S de-escalation Kiev’s U.N.") == [
        "U.S.", "-", "backed", "U", ".", "S", ".", "A", "e.g.", "A", ".", "B", "Mr", ".", "S",
        "de-escalation", "Kiev’s", "U.N."]


def test_word_count_equals_the_length_of_words(seeds):
    # Corpus.summary counted words with words(), which normalises every token: minutes on 37k articles.
    from framing.text import word_count

    for text in list(seeds.articles["text"]) + ["@user #tag U.S. 2,000 — Kiev’s de-escalation ½ ß"]:
        assert word_count(text) == len(words(text))


def test_import_framing_leaves_nltk_and_scikit_learn_for_later():
    # `import framing` (and `python -m framing --help`) stays light: NLTK's package imports SciPy's
    # statistics and scikit-learn, a second and more, so both load on first use only.
    import subprocess
    import sys

    code = ("import sys, framing, framing.text, framing.cli; "
            "print(sorted(m for m in ('nltk', 'sklearn', 'scipy.stats', 'gensim', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_stop_words_load_on_first_use_and_are_scikit_learns():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    import framing.text as text

    assert text.STOP_WORDS == frozenset(ENGLISH_STOP_WORDS)
    assert text.STOP_WORDS is text.STOP_WORDS          # loaded once
    assert "STOP_WORDS" in dir(text)
    with pytest.raises(AttributeError):
        text.NO_SUCH_NAME


def test_the_punkt_splitter_pickles_although_nltk_loads_on_first_use():
    import pickle

    from framing.text import _punkt

    text = "U.S. President Joe Biden spoke. Putin listened! Gen. Milley left?"
    clone = pickle.loads(pickle.dumps(_punkt()))
    assert list(clone.span_tokenize(text)) == list(_punkt().span_tokenize(text)) == [(0, 31), (32, 47), (48, 65)]
