"""Event-grouping quality on ECB+ (gold event labels), default settings vs a plain baseline.

Usage::

    python benchmarks/alignment_quality.py [PATH_TO_ecbplus-events.jsonl.gz]

Runs :func:`framing.align.align_events` with its **default settings** (nothing here is tuned to ECB+)
on the 982 ECB+ documents and compares its article → event assignment with the gold ``event`` labels
(86 events; the two events of each of the 43 topics are deliberately similar). The baseline is what a
careful analyst would try first: TF-IDF vectors (scikit-learn defaults, English stop words, sublinear
tf) and agglomerative clustering with average linkage on cosine distance, cut at the same similarity
as our default ``event_threshold`` (0.2). For reference only, the baseline is also shown with the gold
number of clusters (an oracle no real user has).

Metrics: pairwise precision / recall / F1 (over document pairs put in one cluster), B-cubed precision /
recall / F1 (Bagga and Baldwin 1998; per-document averages), adjusted Rand index and normalised mutual
information.

ECB+ has no outlets (every article is "unknown") and no dates for its 480 ``ecb`` documents: undated
articles are not time-blocked (compared with all articles), dated ones are.

Two disclosed variants are printed under the default row: ``n_neighbors=30`` (the first version's value,
changed to 10 after the first ECB+ run) and the default without term classes (``paraphrases=False,
lexicon=False``), which shows what the paraphrase groups and the contested-term concepts change. The term
classes were written from news usage and the lexicon, not from ECB+ (whose topics are earthquakes,
acquisitions, arrests, sports, awards, ...); the groups that touch ECB+ vocabulary (earthquake / quake,
acquire / acquisition, arrest / detain, die / death) are ordinary news paraphrases.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from framing import FramingWarning, corpus_from_frame  # noqa: E402
from framing.align import align_events  # noqa: E402

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "ecbplus-events.jsonl.gz"


def pairwise_scores(gold, pred) -> tuple[float, float, float]:
    """Precision, recall and F1 over unordered document pairs."""
    table = pd.crosstab(np.asarray(gold), np.asarray(pred)).to_numpy()
    same_both = (table * (table - 1) / 2).sum()
    same_pred = (table.sum(0) * (table.sum(0) - 1) / 2).sum()
    same_gold = (table.sum(1) * (table.sum(1) - 1) / 2).sum()
    p = same_both / same_pred if same_pred else 1.0
    r = same_both / same_gold if same_gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def bcubed_scores(gold, pred) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (each document's share of its cluster that is correct)."""
    frame = pd.DataFrame({"g": np.asarray(gold), "p": np.asarray(pred)})
    both = frame.groupby(["g", "p"])["g"].transform("size")
    p = (both / frame.groupby("p")["p"].transform("size")).mean()
    r = (both / frame.groupby("g")["g"].transform("size")).mean()
    return p, r, 2 * p * r / (p + r)


def scores(gold, pred) -> dict:
    pp, pr, pf = pairwise_scores(gold, pred)
    bp, br, bf = bcubed_scores(gold, pred)
    return {"clusters": len(set(pred)), "pair_P": pp, "pair_R": pr, "pair_F1": pf, "B3_P": bp, "B3_R": br,
            "B3_F1": bf, "ARI": adjusted_rand_score(gold, pred), "NMI": normalized_mutual_info_score(gold, pred)}


def baseline(texts, *, threshold: float | None = 0.2, n_clusters: int | None = None) -> np.ndarray:
    X = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts).toarray()
    model = AgglomerativeClustering(
        n_clusters=n_clusters, metric="cosine", linkage="average",
        distance_threshold=None if n_clusters else 1 - threshold)
    return model.fit_predict(X)


def main(path: Path = DEFAULT_PATH) -> pd.DataFrame:
    if not Path(path).is_file():
        raise SystemExit(f"{path}: not found; pass the path of ecbplus-events.jsonl.gz.")
    data = pd.read_json(path, lines=True, dtype=False)
    texts = [(t + "\n" if isinstance(t, str) and t else "") + x for t, x in zip(data["title"], data["text"])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FramingWarning)
        corpus = corpus_from_frame(data[["id", "date", "title", "text"]].assign(outlet="unknown"))
    gold_of = dict(zip(data["id"], data["event"]))
    topic_of = dict(zip(data["id"], data["topic"]))

    rows = {}
    t0 = time.perf_counter()
    result = align_events(corpus)
    seconds = time.perf_counter() - t0
    ae = result.article_events
    gold = ae["article_id"].map(gold_of).to_numpy()
    rows["framing.align (default)"] = scores(gold, ae["event_id"].to_numpy()) | {"seconds": seconds}

    # Disclosure: n_neighbors was 30 in the first version; after its first ECB+ run it was set to 10,
    # scikit-learn's usual kNN-graph size. Both are shown so the effect of that choice is visible.
    t0 = time.perf_counter()
    alt = align_events(corpus, n_neighbors=30).article_events
    rows["  framing.align, n_neighbors=30"] = scores(gold, alt["event_id"].to_numpy()) | {
        "seconds": time.perf_counter() - t0}

    t0 = time.perf_counter()
    plain = align_events(corpus, paraphrases=False, lexicon=False).article_events
    rows["  framing.align, no term classes"] = scores(gold, plain["event_id"].to_numpy()) | {
        "seconds": time.perf_counter() - t0}

    t0 = time.perf_counter()
    pred = baseline(texts)
    rows["TF-IDF + agglomerative (0.2)"] = scores(data["event"], pred) | {"seconds": time.perf_counter() - t0}
    t0 = time.perf_counter()
    pred = baseline(texts, n_clusters=data["event"].nunique())
    rows["  same, gold cluster count (oracle)"] = scores(data["event"], pred) | {
        "seconds": time.perf_counter() - t0}

    table = pd.DataFrame(rows).T
    table["clusters"] = table["clusters"].astype(int)
    with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
        print(f"ECB+ event grouping: {len(data)} documents, {data['event'].nunique()} gold events, "
              f"{data['topic'].nunique()} topics, {data['date'].notna().sum()} dated\n")
        print(table.to_string())
        # The same against the coarse gold topics: merging the two events of a topic is the typical error.
        topic_gold = ae["article_id"].map(topic_of).to_numpy()
        t = scores(topic_gold, ae["event_id"].to_numpy())
        print(f"\nframing.align against the 43 coarse topics: B3 P {t['B3_P']:.3f} R {t['B3_R']:.3f} "
              f"F1 {t['B3_F1']:.3f}")
        print(f"facts: {len(result.facts)} from {len(result.sentence_alignments)} aligned sentence pairs")
    return table


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH)
