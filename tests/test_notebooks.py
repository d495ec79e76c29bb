"""Every notebook runs top to bottom headless, from a copy of the notebooks folder (so no output lands in
the repository), and is stored without outputs."""

import shutil
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ALL = sorted(p.relative_to(NOTEBOOKS) for p in NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    dest = tmp_path_factory.mktemp("nb") / "notebooks"
    shutil.copytree(NOTEBOOKS, dest)
    return dest


def test_notebooks_exist():
    names = {str(p) for p in ALL}
    for name in ("01-quickstart.ipynb", "02-event-alignment.ipynb", "03-term-choice.ipynb", "04-topics.ipynb",
                 "05-your-own-corpus.ipynb"):
        assert name in names
    assert len([p for p in ALL if p.parts[0] == "classroom" and len(p.parts) == 2]) >= 4
    assert len([p for p in ALL if "solutions" in p.parts]) >= 4


@pytest.mark.parametrize("name", ALL, ids=str)
def test_stored_without_outputs(name):
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in book.cells if c.cell_type == "code")


@pytest.mark.parametrize("name", ALL, ids=str)
def test_notebook_runs(workdir, name):
    from nbclient import NotebookClient

    path = workdir / name
    book = nbformat.read(path, as_version=4)
    NotebookClient(book, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in book.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    # Figures show inline: at least one image output where the notebook draws one.
    if any("figures" in c.source for c in book.cells if c.cell_type == "code"):
        assert any("image/png" in o.get("data", {}) for c in book.cells if c.cell_type == "code" for o in c.outputs)
