"""framing.charscan: word tokens found with array operations equal ``_WORD_RE.findall``'s, type for type."""

import random

import numpy as np
import pytest

from framing import charscan
from framing.attribution import _WORD_RE
from framing.charscan import word_spans, word_types


def _reference(texts):
    tokens = [_WORD_RE.findall(t) for t in texts]
    return [len(t) for t in tokens], [w for t in tokens for w in t]


def _check(texts, **kw):
    found = word_types(texts, _WORD_RE, **kw)
    counts, flat = _reference(texts)
    assert found.counts.tolist() == counts
    assert [found.words[c] for c in found.codes.tolist()] == [w.lower() for w in flat]
    assert found.written_lower.tolist() == [w == w.lower() for w in flat]
    assert found.written(np.arange(len(flat))) == flat
    # equal words, equal codes; different words, different codes
    assert len(set(found.words)) == len(found.words)
    return found


def test_the_tokens_of_the_regular_expression():
    texts = ["Kiev's Thomas-Greenfield met U.S. and U.K. envoys; @NATO #Ukraine e-mail rock'n'roll.",
             "The U.S.-backed plan: a.b.c.d. then x.y. and A.B.C 2021abc _x x_y 3.5bn 'quoted' ‘single’ Kyiv’s",
             "a--b a-_b a-2b a'-b @@x #1 x@y.z e.g. i.e., Ph.D. N.A.T.O.x", "", "   ", "a", "İstanbul ΟΔΟΣ"]
    found = _check(texts)
    assert found.counts.tolist()[3:6] == [0, 0, 1]


def test_random_strings_of_tricky_characters():
    rng = random.Random(7)
    alphabet = list("aAbZé.-'’‘ʼ@#_ 9\n²,") + ["\u0301", "😀", "İ", "Σ", "ß", "ǅ"]
    for _ in range(300):
        texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(rng.randint(1, 6))]
        _check(texts, batch_chars=rng.choice([1, 20, 10_000]))


def test_texts_that_the_array_path_leaves_to_the_regular_expression():
    # lower case of İ is two code points, and Σ's depends on its place: those batches take the string path
    assert charscan._batch_types(["İstanbul is big"]) is None
    assert charscan._batch_types(["ΟΔΟΣ"]) is None
    assert charscan._batch_types(["Istanbul is big"]) is not None
    _check(["Istanbul", "İstanbul is big", "ΟΔΟΣ and οδος"], batch_chars=1)


def test_a_hash_collision_is_caught(monkeypatch):
    # every token gets the same first hash: the second one disagrees, so the batch takes the string path
    real = charscan._span_hashes

    def colliding(values, starts, ends):
        poly, total = real(values, starts, ends)
        return np.zeros_like(poly), total

    monkeypatch.setattr(charscan, "_span_hashes", colliding)
    texts = ["ab ba cd", "dc ab"]
    assert charscan._batch_types(texts) is None
    found = _check(texts)
    assert len(found.words) == 4


def test_word_spans_on_code_point_flags():
    text = "U.S. troops, Kiev's mayor"
    flags = charscan._classify(np.frombuffer(text.encode("utf-32-le"), dtype="<u4"))[0]
    starts, ends = word_spans(flags)
    assert [text[a:b] for a, b in zip(starts, ends)] == ["U.S.", "troops", "Kiev's", "mayor"]


def test_no_texts():
    found = word_types([], _WORD_RE)
    assert len(found.counts) == 0 and len(found.codes) == 0 and found.words == []


def test_real_news_articles(datasets_dir):
    import gzip
    import json

    texts = []
    with gzip.open(datasets_dir / "news-outlets.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            texts.append(json.loads(line).get("text") or "")
            if len(texts) == 300:
                break
    found = _check(texts)
    assert found.codes.max() + 1 == len(found.words) > 5000


def test_seeds(seeds):
    texts = seeds.articles["text"].tolist()
    found = _check(texts)
    assert found.counts.sum() > 3000


@pytest.mark.parametrize("text", ["x" * 5000, "ab-" * 2000 + "c", "a." * 3000])
def test_long_tokens(text):
    _check([text, "short one"])


def test_long_colliding_tokens_are_told_apart():
    # Thue-Morse words collide in any polynomial hash modulo 2**64 and are anagrams of each other
    bits = [0]
    while len(bits) < 2048:
        bits += [1 - b for b in bits]
    a = "".join("ab"[b] for b in bits)
    b = "".join("ba"[b] for b in bits)
    found = _check([a + " " + b, b])
    assert len(found.words) == 2


def test_long_chains_of_dotted_letters():
    # chains longer than the few pairs of "U.S." are measured in one pass (a pass per pair was quadratic)
    _check(["a." * 20, "x a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.A y", "b." * 9 + "c", "d." * 9])
    found = _check(["a." * 40_000 + " e.g. x.y.z"])
    assert found.words == ["a." * 40_000, "e.g.", "x", "y", "z"]      # "x.y." is followed by a letter


def test_a_batch_with_dotted_i_keeps_the_array_path_for_its_other_texts(monkeypatch):
    calls = []
    real = charscan._regex_types
    monkeypatch.setattr(charscan, "_regex_types", lambda texts, regex: calls.append(len(texts)) or real(texts, regex))
    _check(["plain text", "İstanbul", "more plain", "still plain"])
    assert calls == [1]


def test_hash_powers_are_exact_and_sized_to_the_batch(monkeypatch):
    monkeypatch.setattr(charscan, "_POWERS", None)
    base, mod = int(charscan._HASH_BASE), 1 << 64
    up, down = charscan._powers(100_000)
    # a batch of 100k characters gets a table of 128k powers, not of millions (its first touch costs time)
    assert len(up) == len(down) == 1 << 17
    for i in (0, 1, 2, 77_777, (1 << 17) - 1):
        assert int(up[i]) == pow(base, i, mod)
        assert int(up[i]) * int(down[i]) % mod == 1
    assert charscan._powers(1_000)[0] is up                     # smaller batches reuse the table
    grown = charscan._powers(200_000)[0]
    assert len(grown) == 1 << 18 and int(grown[200_000]) == pow(base, 200_000, mod)
    huge = charscan._CACHED_POWERS + 5
    assert len(charscan._powers(huge)[0]) == huge               # one huge text: exact size, not kept
    assert charscan._POWERS[0] is grown
