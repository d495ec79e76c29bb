"""Shared fixtures. Tests that need ../shared/datasets skip cleanly when it is absent."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATASETS = SHARED / "datasets"


@pytest.fixture(scope="session")
def seeds():
    """The bundled seeds corpus (loaded once per test session)."""
    from framing import load_corpus

    return load_corpus()


@pytest.fixture(scope="session")
def datasets_dir():
    if not (DATASETS / "news-outlets.jsonl.gz").is_file():
        pytest.skip("../shared/datasets is not available")
    return DATASETS


@pytest.fixture
def seed_ids(seeds):
    """Map '000'..'004' to the seeds' article ids."""
    return {aid[:3]: aid for aid in seeds.articles["id"]}
