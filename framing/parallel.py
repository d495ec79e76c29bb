"""Worker processes for the analyses' ``n_jobs`` option (scikit-learn's convention).

Chunks of items are processed independently and their results kept in order, so the output never
depends on ``n_jobs``. On platforms that fork (Linux), the ``shared`` object (lexicons, matrices) is
inherited by the workers instead of being pickled with every chunk: a 100 MB feature matrix costs
nothing to share.
"""

from __future__ import annotations

import gc
import os
from functools import partial

__all__ = ["parallel_map", "effective_n_jobs"]

_INHERITED: dict[int, object] = {}  # shared objects of the running parallel_map calls, by call


def effective_n_jobs(n_jobs) -> int:
    """Processes that ``n_jobs`` asks for: None or 0 → 1, -1 → every core, -2 → all but one, k → k.

    Examples
    --------
    >>> effective_n_jobs(None), effective_n_jobs(3)
    (1, 3)
    """
    if n_jobs is None or n_jobs == 0:
        return 1
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return int(n_jobs)


def _run_inherited(func, key, chunk):
    return func(_INHERITED[key], chunk)


def parallel_map(func, items: list, *, n_jobs=None, shared=None, chunk_size: int = 500,
                 min_items: int = 2000) -> list:
    """``func(shared, chunk)`` over chunks of ``items``, concatenated in order; in worker processes when
    ``n_jobs`` asks for more than one and there are at least ``min_items`` items.

    ``n_jobs`` follows scikit-learn: None or 1 runs here, -1 uses every core, k uses k processes. Results
    are identical whatever ``n_jobs`` is (chunks are processed independently and kept in order). ``func``
    must be a module-level function returning a list. Chunks hold ``chunk_size`` items, or fewer in worker
    processes when there are not enough to give each process a full one (the processes share the items
    evenly).

    Examples
    --------
    >>> def lengths(prefix, chunk):
    ...     return [len(prefix + word) for word in chunk]
    >>> parallel_map(lengths, ["a", "bb"], shared="x", chunk_size=1)
    [2, 3]
    """
    n_jobs = effective_n_jobs(n_jobs)
    parallel = n_jobs > 1 and len(items) >= max(min_items, 2)
    if parallel:       # few items: one chunk per process, not a full chunk and a small one
        chunk_size = max(1, min(chunk_size, -(-len(items) // n_jobs)))
    chunks = [items[i:i + chunk_size] for i in range(0, len(items), chunk_size)]
    if not parallel or len(chunks) < 2:
        out = []
        for chunk in chunks:
            out.extend(func(shared, chunk))
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    forks = "fork" in multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if forks else None)
    out = []
    key = id(chunks)
    if forks:  # workers started now inherit the shared object
        _INHERITED[key] = shared
        task, args = partial(_run_inherited, func, key), (chunks,)
    else:
        task, args = func, ([shared] * len(chunks), chunks)
    # Objects that exist now are never garbage in a worker: frozen, a worker's collections leave them alone
    # instead of touching every one (which copies the parent's whole heap into each worker, page by page).
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=min(n_jobs, len(chunks)), mp_context=ctx) as pool:
            for part in pool.map(task, *args):
                out.extend(part)
    finally:
        gc.unfreeze()
        _INHERITED.pop(key, None)
    return out
