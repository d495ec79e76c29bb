"""Scale benchmark: time, throughput and memory of every stage on 1k to 1M news articles, with peers.

Usage::

    python benchmarks/run.py [--sizes 1k 10k 37k 100k 1M] [--stages load tokens terms attribution
                             lexical distinctive align topics report] [--n-jobs N] [--scheduler local]
                             [--out-of-core] [--fact-events N|all|none] [--no-peers] [--workdir DIR]
                             [--csv PATH]

Corpora come from ``benchmarks/resample.py`` (1k and 10k: samples of the 37,554-article news corpus
that keep the outlets' proportions; 37k: all of it; 100k and 1M: time-shifted replays of it; see that
module). They are generated once into ``--workdir`` (default ``~/.cache/framing-bench``, never the
repository) as folders of raw Parquet parts and reused.

With several sizes, each runs in a Python process of its own (the CSV's ``pid``), so that nothing one
size's run has cached (VADER's token types, the words of the tokens, stems, syllables) speeds up the next.
Stages, run in this order on one corpus per size (each after ``gc.collect()``):

=====================  ==========================================================================
load+clean             ``framing.load_corpus`` on the folder of raw Parquet parts (read, clean,
                       dates, outlets, languages, duplicates).
sentences+tokens       ``Corpus.sentences()`` and ``framing.text.words`` over every text. Later
                       stages reuse the cached sentences, as ``run_all`` does.
term choice            ``framing.term_choice`` (lexicon matching, titles included).
attribution            ``framing.attribution.attribution`` (reporting verbs, quotes, speakers, source
                       types): an analysis of its own in the report. Lexical features read its quotes
                       for ``quoted_share``; without this stage they run it themselves, inside their time.
lexical features       ``framing.lexical.lexical_features`` (per article).
distinctive terms      ``framing.distinctive_terms`` (each outlet against the rest), and again on the
                       two largest outlets only, the subset Scattertext is timed on.
alignment              ``framing.align_events`` (facts of every event unless ``--fact-events``).
topics                 ``framing.fit_topics`` with its defaults.
report                 ``framing.build_report`` (every analysis, figures, HTML and PDF).
=====================  ==========================================================================

Peers, in the same process and run:

* scikit-learn ``CountVectorizer()`` (defaults), ``fit_transform`` on the same article texts: the floor
  for anything that tokenises and counts. Compared with term choice + lexical features.
* Scattertext (``pip install -r benchmarks/requirements.txt``): ``CorpusFromPandas`` with its
  whitespace sentence tokenizer (no spaCy model) ``.build()``, then ``PriorFactory(...)
  .use_all_categories()`` priors and ``LogOddsRatioInformativeDirichletPrior`` z-scores with the
  top 100 terms per side (Scattertext's own log-odds demo), on the same two-outlet subset (titles and
  texts) as ours.
* Naive alignment: TF-IDF (scikit-learn, English stop words, sublinear tf), the full n × n cosine
  matrix and average-linkage agglomerative clustering on all pairs, cut at our ``event_threshold``
  (0.2): what an analyst would write first. Run only where the n² matrix fits comfortably.

Columns: ``seconds`` (wall), ``art/s`` (articles per second), ``MB/s`` (UTF-8 megabytes of the cleaned
article texts per second; the same megabytes for every stage of a size), ``peak GiB`` (the largest
resident set size, sampled every 20 ms, of this process plus all its child processes (joblib and Dask
workers) during the stage: absolute, including the corpus already in memory; ``start GiB`` in the CSV
is the value when the stage began; forked workers share most pages with this process, so the sum
overcounts, and the CSV's ``main_peak_rss_gib``, this process alone, is the lower bound), ``ratio``
(peer seconds / our seconds on the same input: above 1 we are faster).

With ``--scheduler ADDRESS`` (e.g. ``local``) a Dask client is started first with
``framing.distributed.get_client`` and ``scheduler=ADDRESS`` is passed to every stage function that
accepts it (``n_jobs`` likewise with ``--n-jobs``). A size whose corpus would not fit in memory (1M),
or any size with ``--out-of-core``, runs out of core: ``framing.ingest.ingest`` writes cleaned Parquet
parts, ``framing.distributed.PartitionedCorpus`` opens them, and the stages whose functions accept
``scheduler=`` run on it.

After the table: the growth exponent of alignment time over n (least squares on log t against log n),
then PASS/FAIL lines for the targets of issue #8 with the measured numbers and the machine.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import json
import math
import os
import platform
import sys
import threading
import time
import traceback
import warnings
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import resample  # noqa: E402

GIB = 2**30
STAGES = ["load", "tokens", "terms", "attribution", "lexical", "distinctive", "align", "topics", "report"]
DEFAULT_SIZES = ["1k", "10k", "37k"]
IN_MEMORY_FACTOR = 14       # resident bytes per byte of article text once loaded and split (measured: 37k)
NAIVE_MAX_N = 20_000
NAIVE_BYTES_PER_CELL = 24   # dense n × n float64 + the linkage's condensed copy and its index arrays
EVENT_THRESHOLD = 0.2       # align_events' default, also the naive baseline's cut
PACKAGES = ("framing", "numpy", "scipy", "pandas", "scikit-learn", "pyarrow", "gensim", "nltk", "joblib",
            "dask", "distributed", "scattertext", "psutil")
TARGETS = {
    "counts": "term choice + lexical features >= CountVectorizer throughput",
    "scattertext": "distinctive terms >= 5x faster than Scattertext (same 2-outlet subset)",
    "exponent": "alignment time growth exponent <= 1.3",
    "align100k": "alignment on 100k articles < 5 min and < 8 GiB",
    "report37k": "full report on 37k (load+clean + report) < 10 min",
    "dask1M": "1M run completes with Dask on a LocalCluster without exhausting memory",
}


class MissingAPI(RuntimeError):
    """The running framing has no API for an optional code path (yet)."""


# ------------------------------------------------------------------------------------------ measuring

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_FAST_PROC = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")


def _proc_children(pid: int) -> list[int]:
    """Child processes of ``pid``, from the ``children`` file of each of its threads (Linux)."""
    out = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                out.extend(map(int, f.read().split()))
        except (OSError, ValueError):
            continue
    return out


class PeakRSS:
    """Sample the resident set size of this process and its children every ``interval`` seconds, and
    add up the CPU seconds they use meanwhile (a busy machine stretches wall time, not CPU time).

    Forked workers share most of their pages with this process, so the sum of RSS counts those pages
    once per process. The proportional set size (PSS: each shared page divided among the processes
    sharing it) sums to the memory really in use. Reading it walks the page tables (about 0.1 s for a
    process of 7 GiB, and meanwhile the process cannot map or unmap memory: its workers wait), so it is
    read only when the summed RSS reaches a new high: 25% above the highest level at which PSS was read,
    or 2% above it and a second after the last reading; and ``pss_interval`` seconds after the last
    reading. (Read at every 2% rise, PSS took 11% of a core from a two-worker stage of 3 s and slowed
    its workers by as much again.)"""

    def __init__(self, interval: float = 0.02, pss_interval: float = 5.0):
        import psutil

        self.interval = interval
        self.pss_interval = pss_interval
        self.proc = psutil.Process()
        self._cpu_first: dict[int, float] = {}
        self._cpu_last: dict[int, float] = {}
        self._first_sample = True
        self._pss_at = -math.inf
        self._pss_rss = 0
        self.main_peak = 0
        self.pss_peak = 0
        self.start = self.peak = self.sample()
        self._first_sample = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> int:
        if _FAST_PROC:
            return self._sample_proc()
        import psutil

        total = 0
        procs = []
        for proc in [self.proc, *self.proc.children(recursive=True)]:
            try:
                with proc.oneshot():
                    rss = proc.memory_info().rss
                    total += rss
                    cpu = proc.cpu_times()
                procs.append(proc)
                if proc is self.proc:
                    # Forked workers share most pages with this process, so the sum overcounts; the main
                    # process alone is the lower bound.
                    self.main_peak = max(self.main_peak, rss)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            self._count_cpu(proc.pid, cpu.user + cpu.system)
        self._maybe_pss(total, procs)
        return total

    def _sample_proc(self) -> int:
        """:meth:`sample` from /proc directly: psutil's ``children(recursive=True)`` reads every process
        of the machine, about 3.6 ms a sample, which took 13% of a core from the stage measured (and
        none from a one-process peer, which leaves the second core idle). This costs about 0.1 ms."""
        import psutil

        total = 0
        pids = []
        todo = [self.proc.pid]
        while todo:
            pid = todo.pop()
            try:
                with open(f"/proc/{pid}/statm", "rb") as f:
                    rss = int(f.read().split()[1]) * _PAGE
                with open(f"/proc/{pid}/stat", "rb") as f:
                    stat = f.read()
            except (OSError, IndexError, ValueError):
                continue
            fields = stat[stat.rindex(b")") + 2:].split()
            total += rss
            pids.append(pid)
            if pid == self.proc.pid:
                self.main_peak = max(self.main_peak, rss)
            self._count_cpu(pid, (int(fields[11]) + int(fields[12])) / _TICKS)   # utime, stime
            todo.extend(_proc_children(pid))
        if self._pss_due(total):
            procs = []
            for pid in pids:
                try:
                    procs.append(self.proc if pid == self.proc.pid else psutil.Process(pid))
                except psutil.NoSuchProcess:
                    continue
            self.pss_peak = max(self.pss_peak, self._pss(procs))
        return total

    def _count_cpu(self, pid: int, used: float) -> None:
        # A process running before the stage counts from then; a child started during it from 0.
        self._cpu_first.setdefault(pid, used if self._first_sample else 0.0)
        self._cpu_last[pid] = used

    def _pss_due(self, total: int) -> bool:
        now = time.perf_counter()
        # a new high of the summed RSS (PSS peaks with it: both grow with the pages in use), or the
        # interval (pages turning from shared to private raise PSS alone)
        since = now - self._pss_at
        if ((total > 1.02 * self._pss_rss and since >= 1.0) or total > 1.25 * self._pss_rss
                or since >= self.pss_interval):
            self._pss_at, self._pss_rss = now, max(self._pss_rss, total)
            return True
        return False

    def _maybe_pss(self, total: int, procs) -> None:
        if self._pss_due(total):
            self.pss_peak = max(self.pss_peak, self._pss(procs))

    @staticmethod
    def _pss(procs) -> int:
        import psutil

        total = 0
        for proc in procs:
            try:
                info = proc.memory_full_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            total += getattr(info, "pss", info.rss)  # PSS is Linux only
        return total

    @property
    def cpu_seconds(self) -> float:
        return sum(self._cpu_last[pid] - self._cpu_first[pid] for pid in self._cpu_last)

    def _run(self):
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.sample())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.sample())


@dataclass
class Row:
    size: str
    stage: str
    n: int
    seconds: float | None = None
    mb: float | None = None
    peak_gib: float | None = None
    start_gib: float | None = None
    main_peak_gib: float | None = None
    pss_peak_gib: float | None = None
    cpu_seconds: float | None = None
    peer: str = ""
    ratio: float | None = None
    status: str = "ok"
    note: str = ""
    pid: int = field(default_factory=os.getpid)      # the process that ran it (one per size)

    @property
    def ok(self) -> bool:
        return self.status == "ok" and self.seconds is not None

    def record(self) -> dict:
        per_s = lambda x: (x / self.seconds) if self.ok and x and self.seconds > 0 else None  # noqa: E731
        return {"size": self.size, "stage": self.stage, "n": self.n, "seconds": self.seconds,
                "articles_per_s": per_s(self.n), "mb_per_s": per_s(self.mb), "mb": self.mb,
                "cpu_seconds": self.cpu_seconds, "peak_rss_gib": self.peak_gib, "start_rss_gib": self.start_gib,
                "main_peak_rss_gib": self.main_peak_gib, "peak_pss_gib": self.pss_peak_gib,
                "peer": self.peer, "ratio": self.ratio, "status": self.status, "note": self.note, "pid": self.pid}


@dataclass
class Run:
    args: argparse.Namespace
    rows: list[Row] = field(default_factory=list)
    distributed: object = None
    scheduler_note: str = ""

    def measure(self, size, stage, n, mb, func, *, note_of=None) -> tuple[object, Row]:
        """Run ``func()`` as one stage; a failure becomes a row with its message, not an exit."""
        gc.collect()
        row = Row(size=size, stage=stage, n=n, mb=mb)
        result = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sampler = PeakRSS()
            t0 = time.perf_counter()
            try:
                with sampler:
                    result = func()
                row.seconds = time.perf_counter() - t0
            except MissingAPI as exc:
                row.status, row.note = "skipped", str(exc)
            except MemoryError:
                row.status, row.note = "failed", "MemoryError"
            except Exception as exc:  # a failing stage is a result of the benchmark
                row.status = "failed"
                row.note = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]
                traceback.print_exc(limit=4)
        row.peak_gib, row.start_gib = sampler.peak / GIB, sampler.start / GIB
        row.main_peak_gib = sampler.main_peak / GIB
        row.pss_peak_gib = sampler.pss_peak / GIB
        row.cpu_seconds = sampler.cpu_seconds
        framing_warnings = [w for w in caught if type(w.message).__name__ == "FramingWarning"]
        notes = [note_of(result)] if note_of is not None and result is not None and row.ok else []
        if framing_warnings:
            notes.append(f"{len(framing_warnings)} FramingWarning(s)")
        row.note = "; ".join([row.note] * bool(row.note) + notes)
        self.add(row)
        return result, row

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        self.save_rows()
        shown = (f"{row.seconds:9.1f} s  peak {row.peak_gib:5.2f} GiB (PSS {row.pss_peak_gib:5.2f})" if row.ok
                 else f"{row.status}: {row.note}")
        print(f"  [{row.size}] {row.stage:<32} {shown}" + (f"  ({row.note})" if row.ok and row.note else ""),
              flush=True)
        return row

    def save_rows(self) -> None:
        """A child run (``--rows-out``) writes its rows for the parent, after each new one (so that a child that
        is killed still gives the stages it finished) and once more at the end (rows are completed after
        they are added: a load's article count, a peer's ratio)."""
        if self.args.rows_out is not None:
            part = self.args.rows_out.with_suffix(".part")
            part.write_text("".join(json.dumps(asdict(row)) + "\n" for row in self.rows), encoding="utf-8")
            os.replace(part, self.args.rows_out)

    def skip(self, size, stage, n, reason, status="skipped") -> Row:
        return self.add(Row(size=size, stage=stage, n=n, status=status, note=reason))

    def options(self, func) -> dict:
        """The ``n_jobs``/``scheduler`` options ``func`` accepts (read from its signature)."""
        params = inspect.signature(func).parameters
        out = {}
        if self.args.n_jobs is not None and "n_jobs" in params:
            out["n_jobs"] = self.args.n_jobs
        if self.args.scheduler is not None and "scheduler" in params:
            out["scheduler"] = self.args.scheduler
        if "facts" in params and func.__name__ == "align_events":
            out["facts"] = self.args.facts
        return out


def compare(ours: Row, peer: Row) -> None:
    ours.peer = peer.stage.replace(" (peer)", "")
    if ours.ok and peer.ok and ours.seconds > 0:
        ours.ratio = peer.seconds / ours.seconds


def cpu_ratio(ours: Row, peer: Row) -> str:
    """The same ratio in CPU seconds, which a busy machine does not distort."""
    if ours.cpu_seconds and peer.cpu_seconds:
        return f"; CPU {ours.cpu_seconds:.1f} s vs {peer.cpu_seconds:.1f} s, {peer.cpu_seconds / ours.cpu_seconds:.2f}x"
    return ""


# ------------------------------------------------------------------------------------------ helpers

def text_mb(texts) -> float:
    return sum(len(t.encode("utf-8")) for t in texts if isinstance(t, str)) / 1e6


def with_titles(articles: pd.DataFrame) -> list[str]:
    titles = articles["title"].fillna("").astype(str)
    return [f"{t}\n\n{x}" if t else x for t, x in zip(titles, articles["text"])]


def machine_info() -> list[str]:
    import psutil

    mem = psutil.virtual_memory()
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} -")
    lines = [f"machine: {os.cpu_count()} logical cores ({psutil.cpu_count(logical=False)} physical), "
             f"{mem.total / GIB:.1f} GiB memory ({mem.available / GIB:.1f} GiB available), {cpu}",
             f"python {platform.python_version()} on {platform.platform()}",
             "packages: " + ", ".join(versions)]
    load1, load5, _ = os.getloadavg()
    busy = load1 >= 0.5 * (os.cpu_count() or 1)
    lines.append(f"load average {load1:.1f} (1 min), {load5:.1f} (5 min)" + (
        ": other processes are using the CPU, so wall times are inflated (compare cpu s)" if busy else ""))
    blas = {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                       "OPENBLAS_CORETYPE") if k in os.environ}
    if blas:
        lines.append("environment: " + ", ".join(f"{k}={v}" for k, v in blas.items()))
    return lines


def machine_cores_memory() -> str:
    import psutil

    return f"{os.cpu_count()} cores, {psutil.virtual_memory().total / GIB:.1f} GiB"


# ------------------------------------------------------------------------------------------ peers

def count_vectorizer(texts):
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer().fit_transform(texts)


def scattertext_log_odds(frame: pd.DataFrame, a: str, b: str, top: int = 100) -> pd.DataFrame:
    """Scattertext's corpus build and informative-Dirichlet log-odds z-scores of ``a`` against ``b``."""
    import scattertext as st

    corpus = st.CorpusFromPandas(frame, category_col="outlet", text_col="text",
                                 nlp=st.whitespace_nlp_with_sentences).build()
    priors = (st.PriorFactory(corpus, category=a, not_categories=[b], starting_count=1)
              .use_all_categories().get_priors())
    scorer = st.LogOddsRatioInformativeDirichletPrior(priors, 1)
    freq = corpus.get_term_freq_df()
    z = pd.Series(np.asarray(scorer.get_scores(freq[f"{a} freq"], freq[f"{b} freq"])), index=freq.index)
    return pd.concat([z.nlargest(top).rename(a), z.nsmallest(top).rename(b)], axis=1)


def naive_alignment(texts, threshold: float = EVENT_THRESHOLD) -> np.ndarray:
    """TF-IDF, the full cosine-distance matrix and average-linkage clustering cut at ``threshold``."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    X = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts).tocsr()
    n = X.shape[0]
    D = np.empty((n, n))
    XT = X.T.tocsc()
    step = max(1, 4_000_000 // max(n, 1))
    for s in range(0, n, step):
        D[s:s + step] = (X[s:s + step] @ XT).toarray()
    np.subtract(1.0, D, out=D)
    np.clip(D, 0.0, None, out=D)
    np.fill_diagonal(D, 0.0)
    model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                    distance_threshold=1 - threshold)
    return model.fit_predict(D)


def naive_fits(n: int) -> tuple[bool, str]:
    import psutil

    matrix = n * n * 8 / GIB
    working = n * n * NAIVE_BYTES_PER_CELL / GIB
    available = psutil.virtual_memory().available / GIB
    if n > NAIVE_MAX_N or working > 0.6 * available:
        return False, (f"the n² matrix would need {matrix:,.1f} GiB ({working:,.1f} GiB with the "
                       f"linkage's working copies; {available:.1f} GiB available)")
    return True, ""


# ------------------------------------------------------------------------------------------ notes

def alignment_note(alignment) -> str:
    events = alignment.events
    note = f"{len(events):,} events, {len(alignment.facts):,} facts"
    ae = alignment.article_events
    if ae["article_id"].astype(str).str.contains("~r", regex=False).any():
        # Resampled corpora: copies of one source article must not be grouped with each other.
        source = ae["article_id"].astype(str).str.replace(r"~r\d+$", "", regex=True)
        dup = ae.assign(source=source).duplicated(["event_id", "source"], keep=False)
        shared = ae.loc[dup, "event_id"].nunique()
        note += f"; events holding two copies of one source article: {shared:,} ({int(dup.sum()):,} articles)"
    return note


def topics_note(model) -> str:
    return f"{model.method}, k={model.k}, unit={model.unit}"


# ------------------------------------------------------------------------------------------ in memory

def import_libraries() -> None:
    """Import, before any stage is timed, NLTK and scikit-learn (which framing loads on first use) and the
    peers' libraries: the counting stages and their peers are not charged for an import, which a notebook
    or the CLI pays once (as before framing loaded them lazily). Libraries only one stage uses (gensim,
    matplotlib) are still imported by it, and Dask workers import on first use."""
    import framing.text
    from framing import attribution, lexical, terms, vader_batch  # noqa: F401

    framing.text.STOP_WORDS                 # scikit-learn's list (imports scikit-learn)
    framing.text._punkt()                   # NLTK
    from nltk.stem.snowball import SnowballStemmer  # noqa: F401
    from sklearn.cluster import AgglomerativeClustering  # noqa: F401
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer  # noqa: F401


def run_in_memory(run: Run, label: str, path: Path) -> None:
    import framing
    from framing import attribution, lexical, terms
    from framing.text import words

    args = run.args
    stages = set(args.stages)
    corpus, load = run.measure(label, "load+clean", 0, None,
                               lambda: framing.load_corpus(path, **run.options(framing.load_corpus)))
    if corpus is None:
        return
    n = len(corpus)
    mb = text_mb(corpus.articles["text"])
    load.n, load.mb = n, mb  # known only once loaded

    def stage(name, func, **kw):
        return run.measure(label, name, n, mb, func, **kw)

    if "tokens" in stages:
        def tokens():
            sentences = corpus.sentences()
            return len(sentences), sum(len(words(t)) for t in corpus.articles["text"])
        stage("sentences+tokens", tokens, note_of=lambda r: f"{r[0]:,} sentences, {r[1]:,} words")

    tc = lx = None
    if "terms" in stages:
        _, tc = stage("term choice", lambda: terms.term_choice(corpus, **run.options(terms.term_choice)))
    if "attribution" in stages:
        stage("attribution", lambda: attribution.attribution(corpus, **run.options(attribution.attribution)),
              note_of=lambda a: f"{len(a.quotes):,} quotes")
    if "lexical" in stages:
        _, lx = stage("lexical features",
                      lambda: lexical.lexical_features(corpus, **run.options(lexical.lexical_features)))
    if tc is not None and lx is not None:
        both = Row(size=label, stage="term choice + lexical features", n=n, mb=mb)
        if tc.ok and lx.ok:
            both.seconds, both.start_gib = tc.seconds + lx.seconds, tc.start_gib
            both.cpu_seconds = tc.cpu_seconds + lx.cpu_seconds
            both.peak_gib = max(tc.peak_gib, lx.peak_gib)
            both.pss_peak_gib = max(tc.pss_peak_gib, lx.pss_peak_gib)
        else:
            both.status, both.note = "failed", "a part failed"
        run.add(both)
        if not args.no_peers:
            texts = corpus.articles["text"].tolist()
            _, cv = run.measure(label, "CountVectorizer (peer)", n, mb, lambda: count_vectorizer(texts),
                                note_of=lambda X: f"{X.shape[1]:,} terms")
            compare(both, cv)
            del texts

    if "distinctive" in stages:
        stage("distinctive terms", lambda: terms.distinctive_terms(corpus, **run.options(terms.distinctive_terms)))
        top2 = corpus.articles["outlet"].value_counts().sort_index().sort_values(ascending=False, kind="stable")
        if len(top2) >= 2:
            a, b = top2.index[:2]
            sub = corpus.select(corpus.articles["outlet"].isin([a, b]))
            sub_texts = with_titles(sub.articles)
            sub_mb = text_mb(sub.articles["text"])
            _, ours = run.measure(label, "distinctive terms, 2 outlets", len(sub), sub_mb,
                                  lambda: terms.distinctive_terms(sub, **run.options(terms.distinctive_terms)),
                                  note_of=lambda d: f"{a} vs {b}")
            if not args.no_peers:
                try:
                    import scattertext  # noqa: F401
                except ImportError as exc:
                    peer = run.skip(label, "Scattertext (peer)", len(sub),
                                    f"not importable ({exc}): pip install -r benchmarks/requirements.txt")
                else:
                    frame = pd.DataFrame({"outlet": sub.articles["outlet"].to_numpy(), "text": sub_texts})
                    _, peer = run.measure(label, "Scattertext (peer)", len(sub), sub_mb,
                                          lambda: scattertext_log_odds(frame, a, b))
                    del frame
                compare(ours, peer)
            del sub, sub_texts

    if "align" in stages:
        alignment, ours = stage("alignment",
                                lambda: framing.align_events(corpus, **run.options(framing.align_events)),
                                note_of=alignment_note)
        del alignment
        if not args.no_peers:
            fits, reason = naive_fits(n)
            if fits:
                texts = corpus.articles["text"].tolist()
                _, peer = stage("naive all-pairs alignment (peer)", lambda: naive_alignment(texts),
                                note_of=lambda labels: f"{len(set(labels)):,} clusters")
                del texts
            else:
                peer = run.skip(label, "naive all-pairs alignment (peer)", n, reason)
            compare(ours, peer)

    if "topics" in stages:
        model, _ = stage("topics", lambda: framing.fit_topics(corpus, **run.options(framing.fit_topics)),
                         note_of=topics_note)
        del model

    if "report" in stages:
        outdir = Path(args.workdir) / "reports" / label
        _, report = stage("report", lambda: framing.build_report(
            corpus, outdir=outdir, force=True, **run.options(framing.build_report)),
            note_of=lambda paths: f"HTML and PDF in {outdir}")
        if report.status == "failed":
            # Still time the analyses and the HTML, which is most of the work, so the failure of one
            # format does not hide the cost of the rest.
            _, report_html = stage("report (HTML only)", lambda: framing.build_report(
                corpus, outdir=outdir, force=True, formats=("html",), **run.options(framing.build_report)),
                note_of=lambda paths: f"after the HTML+PDF report failed; HTML in {outdir}")
        if load.ok and report.ok:
            run.add(Row(size=label, stage="full report (load+clean + report)", n=n, mb=mb,
                        seconds=load.seconds + report.seconds, peak_gib=max(load.peak_gib, report.peak_gib),
                        pss_peak_gib=max(load.pss_peak_gib, report.pss_peak_gib),
                        start_gib=load.start_gib, cpu_seconds=load.cpu_seconds + report.cpu_seconds))
    del corpus
    gc.collect()


# ------------------------------------------------------------------------------------------ out of core

def open_partitioned(dist, folder: Path):
    """A ``framing.distributed.PartitionedCorpus`` over a folder of parts written by ``ingest``."""
    if hasattr(dist, "open_partitioned"):
        return dist.open_partitioned(folder)
    if hasattr(dist, "PartitionedCorpus"):
        return dist.PartitionedCorpus(folder)
    raise MissingAPI("framing.distributed has neither open_partitioned nor PartitionedCorpus; out-of-core "
                     "runs need one of them")


def _part_sentences_words(part: str) -> tuple[int, int, int]:
    import pyarrow.parquet as pq

    from framing.text import split_sentences, words

    texts = [t for t in pq.read_table(part, columns=["text"]).column("text").to_pylist() if t]
    return len(texts), sum(len(split_sentences(t)) for t in texts), sum(len(words(t)) for t in texts)


def run_out_of_core(run: Run, label: str, path: Path, manifest: dict) -> None:
    from framing import ingest as ingest_module

    args = run.args
    n, mb = manifest["articles"], manifest["text_bytes"] / 1e6
    dist = run.distributed
    if dist is None:
        run.skip(label, "out-of-core run", n, run.scheduler_note or
                 "needs --scheduler local and framing.distributed (get_client, PartitionedCorpus)")
        return
    cleaned = Path(args.workdir) / "ingested" / label
    _, load = run.measure(label, "load+clean (ingest to parts)", n, mb, lambda: ingest_module.ingest(
        path, cleaned, force=True, progress=False, **run.options(ingest_module.ingest)),
        note_of=lambda s: f"{s.articles:,} articles in {s.chunks} parts (raw text MB)")
    if not load.ok:
        return
    corpus, _ = run.measure(label, "open PartitionedCorpus", n, mb, lambda: open_partitioned(dist, cleaned))
    if corpus is None:
        return
    stages = set(args.stages)
    if "tokens" in stages:
        parts = sorted(str(p) for p in cleaned.glob("*.parquet"))

        def tokens():
            client = dist.get_client(args.scheduler)
            if hasattr(client, "map"):
                counts = client.gather(client.map(_part_sentences_words, parts))
            else:
                counts = [_part_sentences_words(p) for p in parts]
            return tuple(map(sum, zip(*counts)))
        run.measure(label, "sentences+tokens (per part)", n, mb, tokens,
                    note_of=lambda r: f"{r[1]:,} sentences, {r[2]:,} words")

    import framing
    from framing import lexical, terms

    plan = [("terms", "term choice", terms.term_choice), ("lexical", "lexical features", lexical.lexical_features),
            ("distinctive", "distinctive terms", terms.distinctive_terms),
            ("align", "alignment", framing.align_events), ("topics", "topics", framing.fit_topics),
            ("report", "report", framing.build_report)]
    for key, name, func in plan:
        if key not in stages:
            continue
        if "scheduler" not in inspect.signature(func).parameters:
            run.skip(label, name, n, f"{func.__module__}.{func.__name__} has no scheduler= option: in memory only")
            continue
        note_of = alignment_note if key == "align" else None
        kwargs = {"outdir": Path(args.workdir) / "reports" / label, "force": True} if key == "report" else {}
        run.measure(label, name, n, mb, lambda func=func, kwargs=kwargs: func(corpus, **kwargs, **run.options(func)),
                    note_of=note_of)
    if not args.no_peers:
        run.skip(label, "peers", n, "not run out of core (they need the corpus in memory)")


# ------------------------------------------------------------------------------------------ summary

def fmt(value, spec) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else format(value, spec)


def print_table(rows: list[Row]) -> None:
    header = (f"{'size':>5}  {'stage':<34} {'seconds':>9} {'cpu s':>8} {'art/s':>9} {'MB/s':>8} {'peak GiB':>8} "
              f"{'PSS GiB':>7}  "
              f"{'peer':<26} {'ratio':>7}  note")
    print(header)
    print("-" * len(header))
    for row in rows:
        rec = row.record()
        if row.ok:
            cells = (f"{fmt(row.seconds, ',.1f'):>9} {fmt(row.cpu_seconds, ',.1f'):>8} "
                     f"{fmt(rec['articles_per_s'], ',.0f'):>9} "
                     f"{fmt(rec['mb_per_s'], ',.2f'):>8} {fmt(row.peak_gib, '.2f'):>8} "
                     f"{fmt(row.pss_peak_gib, '.2f'):>7}")
            note = row.note
        else:
            cells = f"{'':>9} {'':>8} {'':>9} {'':>8} {'':>8} {'':>7}"
            note = f"{row.status}: {row.note}"
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
        print(f"{row.size:>5}  {row.stage:<34} {cells}  {row.peer:<26} {ratio:>7}  {note}")
    print("seconds = wall time; cpu s = CPU seconds of this process and its children; ratio = peer seconds / "
          "our seconds on the same input (above 1: ours is faster); peak GiB = absolute RSS of this process "
          "and its children, summed (pages forked workers share with it count once per process); PSS GiB = "
          "the peak of their summed proportional set sizes (shared pages divided among the sharers: the memory "
          "in use).")


def growth_exponent(rows: list[Row], *, cpu: bool = False) -> tuple[float | None, list[tuple[int, float]]]:
    points = sorted({r.n: (r.cpu_seconds if cpu else r.seconds) for r in rows
                     if r.stage == "alignment" and r.ok and r.n > 0 and (r.cpu_seconds or not cpu)}.items())
    if len(points) < 2:
        return None, points
    logn, logt = np.log([p[0] for p in points]), np.log([p[1] for p in points])
    return float(np.polyfit(logn, logt, 1)[0]), points


def print_growth(rows: list[Row]) -> float | None:
    exponent, points = growth_exponent(rows)
    print("\nAlignment time over n:")
    if not points:
        print("  not run")
        return None
    cpu_exponent, cpu_points = growth_exponent(rows, cpu=True)
    cpu_of = dict(cpu_points)
    for i, (n, t) in enumerate(points):
        local = ""
        if i:
            n0, t0 = points[i - 1]
            local = f"   local exponent from {n0:,}: {math.log(t / t0) / math.log(n / n0):.2f}"
        cpu = f" (CPU {cpu_of[n]:9.1f} s)" if n in cpu_of else ""
        print(f"  n = {n:>9,}  t = {t:9.1f} s{cpu}{local}")
    if exponent is None:
        print("  growth exponent: needs two sizes or more")
    else:
        print(f"  growth exponent (least squares, log t = a + b log n over {len(points)} sizes): b = {exponent:.2f}"
              + (f" (on CPU seconds: {cpu_exponent:.2f})" if cpu_exponent is not None else ""))
    return exponent


COUNTS, COUNTS_PEER = "term choice + lexical features", "CountVectorizer (peer)"


def cost_fit(rows: list[Row], stage: str, sizes=None) -> tuple[float, float, list[tuple[int, float]]] | None:
    """Least-squares fit of ``seconds = start + n / rate`` over the sizes (numbers of articles, all by
    default) where ``stage`` ran: the fixed start-up cost (s) and the marginal throughput (articles/s) it
    separates. None with fewer than 2 sizes, or when time does not grow with n (no rate to speak of)."""
    points = sorted({r.n: r.seconds for r in rows if r.stage == stage and r.ok and r.n > 0
                     and (sizes is None or r.n in sizes)}.items())
    if len(points) < 2:
        return None
    slope, start = np.polyfit([p[0] for p in points], [p[1] for p in points], 1)
    if not slope > 0:
        return None
    return float(start), float(1 / slope), points


def counts_fits(rows: list[Row]) -> tuple | None:
    """:func:`cost_fit` of the counts and of CountVectorizer over the sizes where both ran, or None."""
    both = ({r.n for r in rows if r.stage == COUNTS and r.ok} & {r.n for r in rows if r.stage == COUNTS_PEER and r.ok})
    ours, peer = cost_fit(rows, COUNTS, both), cost_fit(rows, COUNTS_PEER, both)
    return (ours, peer) if ours and peer else None


def print_cost_fit(rows: list[Row]) -> None:
    """Start-up cost and marginal throughput of the counts and of CountVectorizer, fitted over the sizes."""
    print("\nStart-up cost and marginal throughput (least squares, seconds = start + n / rate):")
    fits = counts_fits(rows)
    if fits is None:
        print("  needs the terms and lexical stages with peers on two sizes or more (and time growing with n)")
        return
    for label, (start, rate, points) in zip((COUNTS, "CountVectorizer"), fits):
        print(f"  {label:<32} start {start:6.2f} s   rate {rate:9,.0f} articles/s   "
              f"(n = {', '.join(f'{n:,}' for n, _ in points)})")


def find(rows, size, stage) -> Row | None:
    return next((r for r in rows if r.size == size and r.stage == stage), None)


def print_targets(run: Run, exponent: float | None) -> None:
    rows = run.rows
    sizes = list(dict.fromkeys(r.size for r in rows))
    print(f"\nTargets (issue #8) on this machine: {machine_cores_memory()}; load average at the end "
          f"{os.getloadavg()[0]:.1f} (includes this run)")
    lines = []

    def line(ok, key, detail):
        state = "NOT RUN" if ok is None else ("PASS" if ok else "FAIL")
        lines.append(f"{state:<8} {TARGETS[key]}: {detail}")

    def against_peer(key, stage, peer_stage, min_ratio, detail, missing):
        """One line per size where both ran, else one NOT RUN line saying what is missing."""
        n_lines = len(lines)
        for size in sizes:
            ours, peer = find(rows, size, stage), find(rows, size, peer_stage)
            if ours and peer and ours.ok and peer.ok:
                line(ours.ratio >= min_ratio, key, detail(size, ours, peer))
        if len(lines) == n_lines:
            line(None, key, missing)

    def attribution_note(size) -> str:
        att = find(rows, size, "attribution")
        if att and att.ok:
            return (f"; quoted_share read the attribution stage's quotes ({att.seconds:.1f} s, not counted; "
                    f"with it {peer_of(size).seconds / (find(rows, size, 'term choice + lexical features').seconds + att.seconds):.2f}x)")
        return "; attribution (for quoted_share) included"

    def peer_of(size):
        return find(rows, size, "CountVectorizer (peer)")

    against_peer("counts", "term choice + lexical features", "CountVectorizer (peer)", 1,
                 lambda size, ours, peer: f"{size}: {ours.n / ours.seconds:,.0f} vs {peer.n / peer.seconds:,.0f} "
                 f"articles/s ({ours.seconds:.1f} s vs {peer.seconds:.1f} s, {ours.ratio:.2f}x{cpu_ratio(ours, peer)}"
                 f"{attribution_note(size)})",
                 "needs the terms and lexical stages with peers")
    fits = counts_fits(rows)
    if fits:
        ours_fit, peer_fit = fits
        line(ours_fit[1] >= peer_fit[1], "counts",
             f"marginal rate fitted over n = {', '.join(f'{n:,}' for n, _ in ours_fit[2])}: {ours_fit[1]:,.0f} vs "
             f"{peer_fit[1]:,.0f} articles/s ({ours_fit[1] / peer_fit[1]:.2f}x), start-up {ours_fit[0]:.2f} s vs "
             f"{peer_fit[0]:.2f} s")
    against_peer("scattertext", "distinctive terms, 2 outlets", "Scattertext (peer)", 5,
                 lambda size, ours, peer: f"{size} ({ours.n:,} articles, {ours.note}): {ours.seconds:.1f} s vs "
                 f"Scattertext {peer.seconds:.1f} s ({ours.ratio:.1f}x{cpu_ratio(ours, peer)})",
                 "needs the distinctive stage with Scattertext installed")
    _, points = growth_exponent(rows)
    if exponent is None:
        line(None, "exponent", "needs alignment on two sizes or more")
    else:
        line(exponent <= 1.3, "exponent", f"b = {exponent:.2f} over n = {', '.join(f'{n:,}' for n, _ in points)}")
    align = find(rows, "100k", "alignment")
    if align and align.ok:
        line(align.seconds < 300 and align.pss_peak_gib < 8, "align100k",
             f"{align.seconds:.0f} s, peak {align.pss_peak_gib:.2f} GiB in use (PSS of all processes; main process "
             f"alone {align.main_peak_gib:.2f} GiB RSS, summed RSS {align.peak_gib:.2f} GiB, "
             f"{align.start_gib:.2f} GiB before the stage; "
             f"{os.cpu_count()} cores)")
    else:
        line(None if align is None else False, "align100k",
             "size 100k not run" if align is None else f"{align.status}: {align.note}")
    full = find(rows, "37k", "full report (load+clean + report)")
    report = find(rows, "37k", "report")
    if full:
        line(full.seconds < 600, "report37k", f"{full.seconds:.0f} s, peak {full.peak_gib:.2f} GiB")
    else:
        line(None if report is None else False, "report37k",
             "37k report not run" if report is None else f"{report.status}: {report.note}")
    big = [r for r in rows if r.size == "1M"]
    if not big:
        line(None, "dask1M", "size 1M not run")
    else:
        failed = [r for r in big if r.status == "failed"]
        ran = [r for r in big if r.ok]
        peak = max((r.peak_gib for r in ran), default=0.0)
        if failed or not ran:
            line(False if failed else None, "dask1M", "; ".join(f"{r.stage}: {r.status}: {r.note}"
                                                                 for r in (failed or big))[:300])
        else:
            skipped = [r.stage for r in big if r.status == "skipped"]
            line(True, "dask1M", f"{len(ran)} stages ran, peak {peak:.2f} GiB"
                 + (f"; not run out of core: {', '.join(skipped)}" if skipped else ""))
    print("\n".join(lines))


# ------------------------------------------------------------------------------------------ main

def start_scheduler(run: Run) -> None:
    if run.args.scheduler is None:
        return
    try:
        from framing import distributed
    except ImportError as exc:
        run.scheduler_note = (f"--scheduler {run.args.scheduler}: framing.distributed is not in this checkout "
                              f"({exc}); stages run in memory without Dask")
        print(run.scheduler_note)
        return
    if not hasattr(distributed, "get_client"):
        run.scheduler_note = "framing.distributed has no get_client(); stages run in memory without Dask"
        print(run.scheduler_note)
        return
    t0 = time.perf_counter()
    client = distributed.get_client(run.args.scheduler)
    run.distributed = distributed
    print(f"Dask client for --scheduler {run.args.scheduler} ready in {time.perf_counter() - t0:.1f} s: {client}")


def prepare_corpora(labels, args) -> dict:
    """Each size's folder and manifest; missing corpora are made in a child process, so that reading the
    source does not stay in this process's memory and inflate every peak RSS."""
    import subprocess

    def existing(label):
        return resample.corpus_path(label, workdir=args.workdir, source=args.source, make=False)

    missing = [label for label in labels if existing(label) is None]
    if missing:
        subprocess.run([sys.executable, str(Path(resample.__file__)), "--sizes", *missing, "--workdir",
                        str(args.workdir), "--source", str(args.source)], check=True)
    return {label: existing(label) for label in labels}


def _facts_option(value: str):
    value = value.strip().lower()
    if value in ("all", "none"):
        return value == "all"
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: give a number of events, 'all' or 'none'")
    return int(value)


def parse_args(argv=None) -> argparse.Namespace:
    # no abbreviated options: the children's --sizes must replace the one given (see _without_sizes)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], allow_abbrev=False)
    parser.add_argument("--sizes", nargs="+", default=DEFAULT_SIZES,
                        help="corpus sizes: 1k 10k 37k (the whole news corpus) 100k 1M, or a number of articles")
    parser.add_argument("--stages", nargs="+", default=STAGES, choices=STAGES,
                        help="stages to time (load+clean always runs)")
    parser.add_argument("--n-jobs", type=int, default=None,
                        help="passed as n_jobs= to every stage function that accepts it (default: its own)")
    parser.add_argument("--scheduler", default=None,
                        help="Dask scheduler (e.g. local): passed as scheduler= where accepted; enables the "
                             "out-of-core path for corpora that do not fit in memory")
    parser.add_argument("--out-of-core", action="store_true",
                        help="run every size through ingest + PartitionedCorpus (needs --scheduler)")
    parser.add_argument("--fact-events", dest="facts", type=_facts_option, default=True, metavar="N|all|none",
                        help="facts= of align_events: the N largest events, all (default) or none (events only)")
    parser.add_argument("--no-peers", action="store_true", help="skip CountVectorizer, Scattertext and naive alignment")
    parser.add_argument("--workdir", type=Path, default=resample.DEFAULT_WORKDIR,
                        help="where corpora and reports are written (default ~/.cache/framing-bench)")
    parser.add_argument("--source", type=Path, default=resample.SOURCE, help="the news-outlets.jsonl.gz corpus")
    parser.add_argument("--csv", type=Path, default=None, help="also save the rows as CSV")
    # a child run of one size (run_sizes_apart): its rows go to this file
    parser.add_argument("--rows-out", type=Path, default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _without_sizes(argv: list[str]) -> list[str]:
    """``argv`` without the ``--sizes`` option and its values."""
    out, skipping = [], False
    for arg in argv:
        if arg == "--sizes" or arg.startswith("--sizes="):
            skipping = arg == "--sizes"
            continue
        if skipping and not arg.startswith("-"):
            continue
        skipping = False
        out.append(arg)
    return out


def run_sizes_apart(run: Run, labels: list[str], argv: list[str]) -> None:
    """Run every size in a child process of this script and collect its rows (see :meth:`Run.save_rows`: a
    child that is killed or interrupted still gives the stages it finished)."""
    import subprocess
    import tempfile

    rest = _without_sizes(argv)
    for label in labels:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "rows.jsonl"
            sys.stdout.flush()
            child = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *rest, "--sizes", label,
                                      "--rows-out", str(out)])
            try:
                code = child.wait()
            except KeyboardInterrupt:      # the child has the same Ctrl-C: let it end and keep its rows
                code = child.wait()
                interrupted = True
            else:
                interrupted = False
            rows = [Row(**json.loads(line)) for line in out.read_text().splitlines()] if out.exists() else []
            run.rows.extend(rows)
            if code != 0 and not interrupted:
                run.skip(label, "run", rows[0].n if rows else 0,
                         f"the child process for {label} ended with code {code}", status="failed")
            if interrupted:
                raise KeyboardInterrupt


def main(argv=None) -> int:
    import psutil

    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    labels = list(dict.fromkeys(args.sizes))
    for label in labels:
        resample.parse_size(label)
    child = args.rows_out is not None
    if child and len(labels) > 1:
        raise SystemExit("--rows-out runs one size")
    if not child:
        print("\n".join(machine_info()))
        print(f"sizes: {' '.join(labels)}; stages: {' '.join(args.stages)}; n_jobs: {args.n_jobs}; "
              f"scheduler: {args.scheduler}; facts: {args.facts}; workdir: {args.workdir}\n", flush=True)
    run = Run(args)
    corpora = prepare_corpora(labels, args)
    if len(labels) > 1:
        try:
            run_sizes_apart(run, labels, argv)
        except KeyboardInterrupt:
            print("\ninterrupted: the rows so far follow")
        return report(run, args)
    start_scheduler(run)
    import_libraries()
    try:
        for label, (path, manifest) in corpora.items():
            need = manifest["text_bytes"] * IN_MEMORY_FACTOR / GIB + 1
            total = psutil.virtual_memory().total / GIB
            print(f"\n{label}: {manifest['articles']:,} articles, {manifest['text_bytes'] / 1e6:,.0f} MB of text "
                  f"({manifest['method']}), {path}", flush=True)
            if args.out_of_core or need > 0.85 * total:
                if not args.out_of_core and args.scheduler is None:
                    run.skip(label, "in-memory run", manifest["articles"],
                             f"would need about {need:,.0f} GiB of {total:.0f}; run it out of core with "
                             "--scheduler local")
                    continue
                run_out_of_core(run, label, path, manifest)
            else:
                run_in_memory(run, label, path)
    except KeyboardInterrupt:
        print("\ninterrupted: the rows so far follow")
    if child:
        run.save_rows()
        return 0
    return report(run, args)


def report(run: Run, args: argparse.Namespace) -> int:
    """The table, the growth exponent and the targets; the rows as CSV with ``--csv``."""
    print()
    print_table(run.rows)
    exponent = print_growth(run.rows)
    print_cost_fit(run.rows)
    print_targets(run, exponent)
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame([r.record() for r in run.rows]).to_csv(args.csv, index=False)
        print(f"\nrows saved to {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
