"""Array helpers shared by the analyses."""

from __future__ import annotations

import numpy as np

__all__ = ["unique"]


def unique(values) -> np.ndarray:
    """``np.unique(values)``: the sorted distinct values, found by sorting for integer arrays.

    NumPy 2.3 and later find the distinct values of a plain ``np.unique`` call with a hash table, which on
    large integer arrays of many distinct values is far slower than a sort (2M random int64: 1.5 s against
    0.03 s with NumPy 2.4; numpy/numpy#31970 makes it choose by size). Other dtypes (floats, with their
    NaN rules; objects) go to ``np.unique``.

    Examples
    --------
    >>> unique([3, 1, 3, 2]).tolist()
    [1, 2, 3]
    """
    values = np.asarray(values)
    if values.dtype.kind not in "biu":
        return np.unique(values)
    out = np.sort(values, axis=None)
    if len(out) < 2:
        return out
    new = np.empty(len(out), dtype=bool)
    new[0] = True
    np.not_equal(out[1:], out[:-1], out=new[1:])
    return out[new]
