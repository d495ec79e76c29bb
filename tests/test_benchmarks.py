"""The benchmark harness (benchmarks/run.py): its timings are never asserted, but how it runs is."""

import gzip
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from framing import load_corpus

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("framing_benchmark_run", ROOT / "benchmarks" / "run.py")
bench = sys.modules[_spec.name] = importlib.util.module_from_spec(_spec)     # (dataclasses look it up)
_spec.loader.exec_module(bench)


def test_the_size_option_is_taken_out_for_the_children():
    argv = ["--sizes", "1k", "10k", "--stages", "terms", "lexical", "--n-jobs", "-1", "--csv", "rows.csv"]
    assert bench._without_sizes(argv) == ["--stages", "terms", "lexical", "--n-jobs", "-1", "--csv", "rows.csv"]
    assert bench._without_sizes(["--no-peers", "--sizes=1k"]) == ["--no-peers"]
    # an abbreviation would slip past _without_sizes and make every child start children of its own
    with pytest.raises(SystemExit):
        bench.parse_args(["--size", "1k", "10k"])
    with pytest.raises(SystemExit):
        bench.main(["--sizes", "1k", "10k", "--rows-out", "rows.jsonl"])


def test_each_size_runs_in_a_process_of_its_own(tmp_path):
    # A source in the news corpus' format, made of the seeds (each twice, with new ids, so that there are
    # enough articles for two sizes); every size's rows come back from its own process.
    seeds = load_corpus().articles
    source = tmp_path / "source.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as f:
        for copy in range(2):
            for row in seeds.itertuples():
                f.write(json.dumps({"id": f"{row.id}-{copy}", "outlet": row.outlet, "date": str(row.date)[:10],
                                    "title": row.title, "text": row.text}) + "\n")
    csv = tmp_path / "rows.csv"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "4", "8", "--stages",
                           "terms", "--no-peers", "--workdir", str(tmp_path / "work"), "--source", str(source),
                           "--csv", str(csv)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = pd.read_csv(csv, dtype={"size": str})
    assert rows[["size", "stage", "n"]].values.tolist() == [
        ["4", "load+clean", 4], ["4", "term choice", 4], ["8", "load+clean", 8], ["8", "term choice", 8]]
    assert (rows["status"] == "ok").all() and (rows["seconds"] > 0).all()
    # no cache of the first size's words can warm the second: they ran in two processes
    assert rows.groupby("size")["pid"].nunique().tolist() == [1, 1] and rows["pid"].nunique() == 2
    # the machine is described once, by the parent; each child prints its stages as they end
    out = done.stdout
    assert out.count("logical cores") == 1 and out.index("logical cores") < out.index("[4] term choice")
    assert "[8] term choice" in out


def test_start_up_cost_and_marginal_rate_are_fitted_over_the_sizes(capsys):
    # 0.5 s to start, then 2,000 articles/s (ours); no start-up, 1,600 articles/s (the peer)
    rows = []
    for n in (1000, 10000, 37554):
        rows.append(bench.Row(size=str(n), stage="term choice + lexical features", n=n, seconds=0.5 + n / 2000))
        rows.append(bench.Row(size=str(n), stage="CountVectorizer (peer)", n=n, seconds=n / 1600))
    start, rate, points = bench.cost_fit(rows, "term choice + lexical features")
    assert start == pytest.approx(0.5) and rate == pytest.approx(2000)
    assert [p[0] for p in points] == [1000, 10000, 37554]
    assert bench.cost_fit(rows[:2], "CountVectorizer (peer)") is None          # one size: nothing to fit
    bench.print_cost_fit(rows)
    out = capsys.readouterr().out
    assert "start   0.50 s   rate     2,000 articles/s" in out and "rate     1,600 articles/s" in out
    # both are fitted over the sizes where both ran (the peer failed at 37k: ours is fitted without it)
    rows[-1].status = "failed"
    ours, peer = bench.counts_fits(rows)
    assert [p[0] for p in ours[2]] == [p[0] for p in peer[2]] == [1000, 10000]
    # time that does not grow with n has no rate: no fit, and no target line claims one
    flat = [bench.Row(size=str(n), stage=stage, n=n, seconds=1.0) for n in (1000, 10000)
            for stage in ("term choice + lexical features", "CountVectorizer (peer)")]
    assert bench.cost_fit(flat, "CountVectorizer (peer)") is None and bench.counts_fits(flat) is None


def test_no_stage_is_charged_for_importing_a_library():
    # framing loads NLTK and scikit-learn on first use; the benchmark imports them (and the peers')
    # before it times anything, in the process that runs the stages
    code = ("import importlib.util, sys; "
            f"spec = importlib.util.spec_from_file_location('b', {str(ROOT / 'benchmarks' / 'run.py')!r}); "
            "b = importlib.util.module_from_spec(spec); sys.modules['b'] = b; spec.loader.exec_module(b); "
            "before = [m for m in ('nltk', 'sklearn') if m in sys.modules]; b.import_libraries(); "
            "print(before, [m for m in ('nltk', 'nltk.stem.snowball', 'sklearn.feature_extraction.text', "
            "'sklearn.cluster') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout
    assert out.strip() == "[] ['nltk', 'nltk.stem.snowball', 'sklearn.feature_extraction.text', 'sklearn.cluster']"
