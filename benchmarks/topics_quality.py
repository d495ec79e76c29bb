"""Topic-model quality and cost on the news-outlets corpus (37,554 articles with a human topic label).

Fits :func:`framing.topics.fit_topics` (k chosen by c_v coherence unless ``--k`` is given) and prints

* the coherence curve over k and the c_v / u_mass / diversity of the chosen model;
* the agreement between each article's dominant topic and its human AllSides ``topic`` label
  (normalised mutual information, NMI, and adjusted mutual information, AMI);
* the same agreement for a k-means baseline on TF-IDF with the same k (scikit-learn's
  ``TfidfVectorizer`` with the same stop words, then ``MiniBatchKMeans``);
* wall time, CPU time and peak memory (resident set size) of each step.

Usage::

    python benchmarks/topics_quality.py                 # all 37,554 articles, 2 processes
    python benchmarks/topics_quality.py --sample 5000   # a quick run on a random sample
    python benchmarks/topics_quality.py --k 20 --method nmf

Memory: the corpus itself (cleaned and raw texts) takes about 1 GB once loaded; ``peak RSS`` below
is the high-water mark of this process, sampled every 0.1 s; the worker processes of ``--n-jobs`` are
reported separately, and their CPU time is included in "CPU s".
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import resource
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from framing import corpus_from_frame, load_corpus  # noqa: E402
from framing.topics import fit_topics, load_topic_stop_words  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "news-outlets.jsonl.gz"


class Monitor:
    """Samples, in a background thread, the resident set size of this process and of its children
    (the worker processes of ``--n-jobs``) and the CPU time the children have used."""

    def __init__(self, interval: float = 0.1):
        self.proc = psutil.Process()
        self.interval = interval
        self.peak_self = 0
        self.peak_children = 0
        self.child_cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self):
        try:
            self.peak_self = max(self.peak_self, self.proc.memory_info().rss)
            kids = 0
            for child in self.proc.children(recursive=True):
                try:
                    kids += child.memory_info().rss
                    cpu = child.cpu_times()
                    self.child_cpu[child.pid] = cpu.user + cpu.system
                except psutil.Error:
                    pass
            self.peak_children = max(self.peak_children, kids)
        except psutil.Error:
            pass

    def __enter__(self):
        self.sample()
        self.peak_self = self.proc.memory_info().rss
        self.peak_children = 0
        self.child_cpu_start = dict(self.child_cpu)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.sample()

    def children_cpu(self) -> float:
        return sum(v - self.child_cpu_start.get(pid, 0.0) for pid, v in self.child_cpu.items())


class Step:
    """Times a step (wall time; CPU time of this process and of its worker processes) and tracks the
    peak resident memory during the step."""

    rows: list[dict] = []

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        self.t0 = time.perf_counter()
        self.c0 = _own_cpu()
        self.mon = Monitor().__enter__()
        self.rss0 = self.mon.peak_self
        return self

    def __exit__(self, *exc):
        self.mon.__exit__(*exc)
        row = {"step": self.name, "wall_s": time.perf_counter() - self.t0,
               "cpu_s": _own_cpu() - self.c0 + self.mon.children_cpu(),
               "rss_before_gb": self.rss0 / 1e9, "peak_rss_gb": self.mon.peak_self / 1e9,
               "peak_workers_gb": self.mon.peak_children / 1e9}
        Step.rows.append(row)
        print(f"  {self.name}: {row['wall_s']:.1f} s wall, {row['cpu_s']:.1f} s CPU, RSS "
              f"{row['rss_before_gb']:.2f} -> peak {row['peak_rss_gb']:.2f} GB (+{row['peak_workers_gb']:.2f} GB "
              "in worker processes)", flush=True)


def _own_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def load(path: Path, sample: int | None, seed: int):
    if sample is None:
        return load_corpus(path, progress=False)
    # Read the lines, keep a random sample, and build the corpus from those records only.
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = fh.readlines()
    rng = np.random.default_rng(seed)
    keep = np.sort(rng.choice(len(lines), size=min(sample, len(lines)), replace=False))
    frame = pd.DataFrame([json.loads(lines[i]) for i in keep])
    del lines
    return corpus_from_frame(frame)


def kmeans_baseline(texts: list[str], k: int, seed: int) -> np.ndarray:
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(stop_words=sorted(load_topic_stop_words()), min_df=5, max_df=0.5,
                          max_features=30_000, sublinear_tf=True, dtype=np.float32)
    x = vec.fit_transform(texts)
    km = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=4096)
    return km.fit_predict(x)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sample", type=int, default=None, help="model a random sample of N articles")
    ap.add_argument("--k", default="auto", help="'auto' (default) or a number of topics")
    ap.add_argument("--k-range", default=None, help="candidates for k=auto, as start:stop:step (3:13:1)")
    ap.add_argument("--method", default="auto", choices=["auto", "lda", "nmf"])
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    logging.basicConfig(format="    %(message)s")
    logging.getLogger("framing.topics").setLevel(logging.INFO)  # the stages of fit_topics, with times
    if not args.data.is_file():
        sys.exit(f"{args.data}: not found; pass --data with the path of news-outlets.jsonl.gz.")
    k = args.k if args.k == "auto" else int(args.k)
    k_range = range(*map(int, args.k_range.split(":"))) if args.k_range else None

    print(f"framing topic benchmark: {args.data.name}, sample={args.sample or 'all'}, k={k}, "
          f"method={args.method}, n_jobs={args.n_jobs}, seed={args.seed}, {psutil.cpu_count()} CPUs")
    with Step("load corpus"):
        corpus = load(args.data, args.sample, args.seed)
    print(f"  {len(corpus)} articles, {corpus.articles['topic'].nunique()} human topic labels")

    with Step("fit_topics"):
        tm = fit_topics(corpus, k=k, k_range=k_range, method=args.method, random_state=args.seed,
                        n_jobs=args.n_jobs)

    with Step("k-means baseline"):
        labels_km = kmeans_baseline(corpus.articles["text"].tolist(), tm.k, args.seed)

    from sklearn.metrics import adjusted_mutual_info_score, normalized_mutual_info_score

    at = tm.article_topics
    dominant = at.loc[at.groupby("article_id", sort=False)["share"].idxmax(), ["article_id", "topic"]]
    human = corpus.articles.set_index("id")["topic"]
    truth = human.loc[dominant["article_id"]].to_numpy()
    km = pd.Series(labels_km, index=corpus.articles["id"]).loc[dominant["article_id"]].to_numpy()

    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 110)
    print("\nCoherence over k (candidates):")
    print(tm.coherence.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print("\nNotes:")
    for note in tm.notes:
        print("  -", note)
    print(f"\nTopics (k = {tm.k}, {tm.method.upper()}, unit = {tm.unit}):")
    print(tm.summary[["topic", "share", "c_v", "top_terms"]].to_string(index=False,
                                                                     float_format=lambda v: f"{v:.3f}"))
    result = pd.DataFrame([
        {"model": f"{tm.method.upper()} (chosen k={tm.k})", "c_v": tm.quality["c_v"],
         "u_mass": tm.quality["u_mass"], "diversity": tm.quality["diversity"],
         "NMI": normalized_mutual_info_score(truth, dominant["topic"]),
         "AMI": adjusted_mutual_info_score(truth, dominant["topic"])},
        {"model": f"k-means on TF-IDF (k={tm.k})", "c_v": np.nan, "u_mass": np.nan, "diversity": np.nan,
         "NMI": normalized_mutual_info_score(truth, km), "AMI": adjusted_mutual_info_score(truth, km)},
    ])
    print(f"\nAgreement with the {len(set(truth))} human topic labels ({len(truth)} articles):")
    print(result.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print("\nCost:")
    print(pd.DataFrame(Step.rows).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"\nPeak RSS of this process over the whole run: {peak:.2f} GB. The machine's load average "
          f"at the end: {', '.join(f'{x:.1f}' for x in psutil.getloadavg())} (CPU time / wall time shows "
          "how much of the machine the run got).")


if __name__ == "__main__":
    main()
