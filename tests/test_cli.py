"""The command line over the seeds: each command writes its files with real content, and `figures`
reproduces the repository's figures/ folder."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]


def run(*args, cwd=None):
    proc = subprocess.run([sys.executable, "-m", "framing", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


def test_align_command(tmp_path):
    proc = run("align", "-o", str(tmp_path))
    events = pd.read_csv(tmp_path / "article_events.csv")
    groups = events.groupby("event_id")["article_id"].apply(lambda s: sorted(x[:3] for x in s)).tolist()
    assert sorted(groups) == [["000", "002", "004"], ["001"], ["003"]]
    for name in ("events", "coverage", "facts", "sentence_alignments", "omissions"):
        assert len(pd.read_csv(tmp_path / f"{name}.csv")) > 0
    assert "E01" in proc.stdout


def test_terms_command(tmp_path):
    run("terms", "-o", str(tmp_path))
    tc = pd.read_csv(tmp_path / "term_choice.csv")
    kiev = tc[(tc["variant"] == "Kiev") & (tc["count"] > 0)]
    assert kiev["outlet"].tolist() == ["RT"]
    assert list(tc.columns[:5]) == ["concept", "variant", "outlet", "count", "per_10k_words"]
    for name in ("variants", "distinctive_terms", "substitutions", "attribution", "lexical"):
        assert (tmp_path / f"{name}.csv").is_file()
    dt = pd.read_csv(tmp_path / "distinctive_terms.csv")
    assert list(dt.columns[:5]) == ["outlet", "term", "count", "log_odds", "z"]


def test_terms_without_lexicon(tmp_path):
    run("terms", "--no-lexicon", "-o", str(tmp_path))
    assert not (tmp_path / "term_choice.csv").exists()
    variants = pd.read_csv(tmp_path / "variants.csv")
    assert {"Kiev", "Kyiv"} <= set(variants["variant"])


def test_topics_command(tmp_path):
    run("topics", "-k", "3", "-o", str(tmp_path))
    prevalence = pd.read_csv(tmp_path / "prevalence.csv")
    assert list(prevalence.columns[:5]) == ["outlet", "topic", "share", "ci_low", "ci_high"]
    assert prevalence["topic"].nunique() == 3
    assert (prevalence["ci_low"] <= prevalence["share"]).all() and (prevalence["share"] <= prevalence["ci_high"]).all()


def test_bad_topic_count_is_a_clear_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "framing", "topics", "-k", "zero", "-o", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and proc.stderr.startswith("error: -k zero:")


def test_figures_command_reproduces_the_repository_set(tmp_path):
    from PIL import Image

    run("figures", "-o", str(tmp_path))
    made = sorted(p.name for p in tmp_path.iterdir())
    shipped = sorted(p.name for p in (REPO / "figures").iterdir())
    assert made == shipped
    assert {Path(n).suffix for n in made} == {".png", ".svg"} and len(made) == 14
    for name in made:
        if name.endswith(".png"):
            with Image.open(tmp_path / name) as new, Image.open(REPO / "figures" / name) as old:
                assert new.size == old.size, name


@pytest.mark.parametrize("command", ["align", "terms", "topics"])
def test_same_input_gives_byte_identical_csvs(tmp_path, command):
    run(command, "-o", str(tmp_path / "a"), "--random-state", "7")
    run(command, "-o", str(tmp_path / "b"), "--random-state", "7")
    files = sorted((tmp_path / "a").iterdir())
    assert len(files) >= 4
    for f in files:
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name
