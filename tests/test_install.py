"""The installed package finds its bundled seeds from any folder (regression: a wheel install looked for
site-packages/seeds)."""

import subprocess
import sys


def test_info_runs_from_another_folder(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "framing", "info"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "5 articles from 4 outlets" in proc.stdout
    lines = {line.split()[0]: line.split() for line in proc.stdout.splitlines() if line.strip()}
    assert lines["RFE/RL"][1] == "2" and lines["RT"][1] == "1" and lines["unattributed"][1] == "1"
    assert "2021-12-06" in lines["total"] and "2022-01-27" in lines["total"]


def test_cli_error_is_one_sentence_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "framing", "info", str(tmp_path / "missing")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: ")
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
