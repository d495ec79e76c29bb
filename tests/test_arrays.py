"""framing.arrays.unique is np.unique, dtype for dtype."""

import numpy as np
import pytest

from framing.arrays import unique

RNG = np.random.default_rng(7)


@pytest.mark.parametrize("values", [
    np.zeros(0, dtype=np.int64), np.array([5]), np.array([[3, 1], [3, 2]]),
    RNG.integers(-5, 5, 1000).astype(np.int8), RNG.integers(0, 2, 100).astype(bool),
    RNG.integers(0, 1 << 62, 10_000, dtype=np.uint64), RNG.integers(-(1 << 40), 1 << 40, 50_000),
    np.array([1.0, np.nan, np.nan, -0.0, 0.0]), np.array(["b", "a", "b"], dtype=object), [3, 1, 3],
], ids=["empty", "one", "2d", "int8", "bool", "uint64", "int64", "float-nan", "object", "list"])
def test_unique_is_numpy_unique(values):
    got, want = unique(values), np.unique(values)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got, want, equal_nan=want.dtype.kind == "f")
