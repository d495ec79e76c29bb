"""The Dask engine gives the same results as the in-process one: a real LocalCluster (scheduler and two
worker processes on loopback), the seeds and a multi-partition corpus, in memory and as Parquet parts."""

import json
import socket
import warnings

import numpy as np
import pandas as pd
import pytest

from framing import FramingError, FramingWarning, corpus_from_frame, load_corpus
from framing.distributed import (PartitionedCorpus, close_clients, concat_corpora, get_client, map_blocks,
                                 map_partitions, open_partitioned)
from framing.ingest import ingest, load_part
from framing.lexical import lexical_features
from framing.terms import distinctive_terms, term_choice

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                           dashboard_address=None, silence_logs=50)
        client = distributed.Client(cluster, set_as_default=False)
    # The workers import the analyses while the test corpus is built.
    warming = [client.submit(_warm_up, workers=[w], pure=False) for w in client.nthreads()]
    yield cluster, client
    del warming
    close_clients()  # the clients the tests opened by address, before their scheduler goes away
    client.close()
    cluster.close()


def _warm_up():
    import framing.attribution
    import framing.lexical
    import framing.terms  # noqa: F401


@pytest.fixture(scope="module")
def client(cluster):
    return cluster[1]


# A corpus that several partitions share: three outlets that name the same things differently, quote
# officials, and carry subheads, across two months.
_PLACES = {"Wire": ["Kyiv", "Kyiv", "Kiev"], "Herald": ["Kiev", "Kiev", "Kyiv"], "Courier": ["Kyiv"]}
_RULERS = {"Wire": "government", "Herald": "regime", "Courier": "administration"}
_VERBS = ["said", "claimed", "insisted", "noted", "argued"]
_TOPICS = ["grain exports", "the gas pipeline", "border talks", "the ceasefire", "sanctions relief",
           "the prisoner exchange", "power outages", "the peace summit"]
_ACTORS = ["the foreign minister", "a NATO spokesman", "the mayor", "opposition leaders", "EU diplomats"]


def _article(rng, i: int) -> dict:
    outlet = ["Wire", "Herald", "Courier"][i % 3]
    place = rng.choice(_PLACES[outlet])
    topic, other = rng.choice(_TOPICS, 2, replace=False)
    actor = rng.choice(_ACTORS)
    paragraphs = [
        f"{actor.capitalize()} {rng.choice(_VERBS)} on {['Monday', 'Tuesday', 'Friday'][i % 3]} that talks on "
        f"{topic} in {place} would resume, despite objections from the {_RULERS[outlet]} in Moscow.",
        f'"We will not accept any deal on {topic} that ignores {other}," {actor} told reporters in {place}. '
        f"Analysts {rng.choice(_VERBS)} the offer was unlikely to satisfy either side.",
        "Background",
        f"The dispute over {other} has dragged on for {rng.integers(2, 40)} months. Officials in {place} "
        f"{rng.choice(_VERBS)} it may perhaps be settled by {['spring', 'summer', 'the autumn'][i % 3]}.",
    ]
    if i % 4 == 0:
        paragraphs.append(f"Critics of the {_RULERS[outlet]} argued the {topic} plan could possibly fail.")
    return {"id": f"syn{i:04d}", "outlet": outlet, "date": f"2022-{1 + i % 2:02d}-{1 + i % 28:02d}",
            "title": f"{place} talks on {topic} to resume", "text": "\n\n".join(paragraphs),
            "desk": ["world", "politics"][i % 2]}


def _records(n: int) -> list[dict]:
    rng = np.random.default_rng(7)
    return [_article(rng, i) for i in range(n)]


@pytest.fixture(scope="module")
def corpus(seeds):
    """The seeds plus 250 synthetic articles: three partitions (of at most 100 articles) on two workers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FramingWarning)
        synthetic = corpus_from_frame(pd.DataFrame(_records(250)))
    return concat_corpora([seeds, synthetic])


def _same(a, b):
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True)


# ------------------------------------------------------------------------------------------ analyses

@pytest.mark.parametrize("by", ["outlet", "article"])
def test_term_choice_identical(corpus, client, by):
    local = term_choice(corpus, by=by)
    assert local["count"].sum() > 500 and set(local["outlet"]) >= {"Wire", "Herald", "Courier"}
    _same(local, term_choice(corpus, by=by, scheduler=client))


def test_term_choice_by_event_identical(corpus, client):
    class Alignment:  # two events that cut across the partitions, one article in both
        ids = corpus.articles["id"]
        article_events = pd.DataFrame({"article_id": list(ids[::7]) + list(ids[::11]),
                                       "event_id": [0] * len(ids[::7]) + [1] * len(ids[::11])})

    local = term_choice(corpus, by="event", alignment=Alignment())
    assert set(local["event_id"]) == {0, 1}
    _same(local, term_choice(corpus, by="event", alignment=Alignment(), scheduler=client))


def test_distinctive_terms_identical(corpus, client):
    local = distinctive_terms(corpus, min_count=3, top=20)
    assert local.groupby("outlet").size().loc[["Wire", "Herald", "Courier"]].tolist() == [20, 20, 20]
    assert "regime" in local.loc[local["outlet"] == "Herald", "term"].tolist()
    _same(local, distinctive_terms(corpus, min_count=3, top=20, scheduler=client))


def test_distinctive_terms_options_identical(corpus, client):
    options = [dict(pair=("Wire", "Herald"), permutations=10, top=15),
               dict(by="desk", ngram_range=(1, 2), prior="uniform", top=None, max_terms=300),
               dict(variance="full", stop_words=(), top=10, max_terms=50)]
    for opts in options:
        local = distinctive_terms(corpus, **opts)
        assert len(local) > 0
        _same(local, distinctive_terms(corpus, scheduler=client, **opts))


@pytest.mark.parametrize("by", ["article", "outlet"])
def test_lexical_features_identical(corpus, client, by):
    local = lexical_features(corpus, by=by)
    assert len(local) == (len(corpus) if by == "article" else len(corpus.outlets))
    _same(local, lexical_features(corpus, by=by, scheduler=client))


def test_seeds_identical(seeds, client):
    _same(term_choice(seeds), term_choice(seeds, scheduler=client))
    _same(distinctive_terms(seeds, min_count=2, top=5), distinctive_terms(seeds, min_count=2, top=5,
                                                                          scheduler=client))


# -------------------------------------------------------------------------------------------- ingest

def _jsonl(path, records, *, extra_lines=()):
    lines = [json.dumps(r) for r in records] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


@pytest.mark.parametrize("layout", ["parts", "out.jsonl", "out.parquet"])
def test_ingest_identical(tmp_path, client, layout):
    records = _records(150)
    # ids repeated in later chunks and a malformed line: renames and issues must match in-process ingest
    src = _jsonl(tmp_path / "c.jsonl", records + records[:30], extra_lines=["{not json"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FramingWarning)
        here = ingest(src, tmp_path / "here" / layout, chunksize=40)
        there = ingest(src, tmp_path / "there" / layout, chunksize=40, scheduler=client)
    assert (there.articles, there.chunks) == (here.articles, here.chunks) == (180, 5)
    assert there.outlets == here.outlets
    _same(here.issues, there.issues)
    assert here.issues["message"].str.contains("duplicate id").sum() == 30
    a, b = tmp_path / "here" / layout, tmp_path / "there" / layout
    if layout == "parts":
        names = sorted(p.name for p in a.iterdir())
        assert names == sorted(p.name for p in b.iterdir()) and len(names) == 5
        for name in names:
            import pyarrow.parquet as pq

            assert pq.read_table(a / name).equals(pq.read_table(b / name))
            assert pq.read_schema(a / name).metadata == pq.read_schema(b / name).metadata
        _same(open_partitioned(a).to_corpus().articles, open_partitioned(b).to_corpus().articles)
    elif layout.endswith(".jsonl"):
        assert a.read_bytes() == b.read_bytes()
    else:
        _same(pd.read_parquet(a), pd.read_parquet(b))


@pytest.fixture(scope="module")
def parts(tmp_path_factory, seeds):
    folder = tmp_path_factory.mktemp("parts")
    src = _jsonl(folder / "c.jsonl", _records(200))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FramingWarning)
        ingest(src, folder / "parts", chunksize=60)
    return folder / "parts"


def test_parts_read_back_without_cleaning(parts):
    corpus = open_partitioned(parts)
    assert isinstance(corpus, PartitionedCorpus)
    assert (len(corpus), corpus.lengths, len(corpus.parts)) == (200, [60, 60, 60, 20], 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FramingWarning)
        loaded = load_corpus(parts)  # cleans the stored (already clean) text again
    assert corpus.outlets == loaded.outlets
    whole = corpus.to_corpus()
    cols = [c for c in loaded.articles.columns if c not in ("outlet_source", "duplicate_of")]
    _same(whole.articles[cols], loaded.articles[cols])
    _same(whole.sentences(), loaded.sentences())
    assert (whole.sentences()["kind"] == "subhead").sum() == 200  # "Background", kept in the part's metadata
    assert len(load_part(corpus.parts[1])) == 60


def test_partitioned_analyses_identical(parts, client):
    corpus = open_partitioned(parts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FramingWarning)
        loaded = load_corpus(parts)
    _same(term_choice(loaded), term_choice(corpus, scheduler=client))
    _same(term_choice(loaded), term_choice(corpus))  # out of core in this process
    _same(distinctive_terms(loaded, top=10), distinctive_terms(corpus, top=10, scheduler=client))
    _same(lexical_features(loaded, by="outlet"), lexical_features(corpus, by="outlet", scheduler=client))


def test_not_ingested_parts_are_refused(tmp_path):
    (tmp_path / "p").mkdir()
    pd.DataFrame({"text": ["Kyiv said no."]}).to_parquet(tmp_path / "p" / "part-00000.parquet")
    with pytest.raises(FramingError, match="not a part written by framing ingest"):
        open_partitioned(tmp_path / "p")


# ------------------------------------------------------------------------------ clients and primitives

def test_scheduler_address(cluster, seeds):
    address = cluster[0].scheduler_address
    assert address.startswith("tcp://127.0.0.1:")
    client = get_client(address)
    assert client is get_client(address) and client.scheduler_info()["address"] == address
    _same(term_choice(seeds), term_choice(seeds, scheduler=address))


def test_unreachable_scheduler():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free once closed: nothing listens there
    with pytest.raises(FramingError, match=f"no Dask scheduler answers at tcp://127.0.0.1:{port}; start one"):
        get_client(f"127.0.0.1:{port}")
    with pytest.raises(FramingError, match="pass None, 'local', an address"):
        get_client(8786)


def _rows_times(shared, block):
    return [int(shared[i] * 10) for i in range(*block)]


def _outlet_and_size(part):
    return part.articles["outlet"].iloc[0], len(part), int((part.sentences()["kind"] == "subhead").sum())


def test_map_blocks_and_partitions_keep_order(client, corpus):
    shared = np.arange(50)
    blocks = [(i, min(i + 3, 50)) for i in range(0, 50, 3)]
    expected = [_rows_times(shared, b) for b in blocks]
    assert map_blocks(_rows_times, blocks, shared=shared, client=client, max_in_flight=2) == expected
    assert map_blocks(_rows_times, blocks, shared=shared) == expected
    local = map_partitions(_outlet_and_size, corpus, partition_size=50)
    assert [n for _, n, _ in local] == [50] * 5 + [5]
    assert map_partitions(_outlet_and_size, corpus, partition_size=50, scheduler=client) == local


def test_cli_ingest_and_terms_with_scheduler(tmp_path, cluster):
    from framing.cli import main

    address = cluster[0].scheduler_address
    src = _jsonl(tmp_path / "c.jsonl", _records(60))
    assert main(["ingest", str(src), "-o", str(tmp_path / "parts"), "--chunksize", "25", "-q",
                 "--scheduler", address]) == 0
    assert [len(load_part(p)) for p in sorted((tmp_path / "parts").glob("*.parquet"))] == [25, 25, 10]
    assert main(["ingest", str(src), "-o", str(tmp_path / "p2"), "-q", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert not (tmp_path / "p2").exists()
