"""framing.parallel: chunks, their order and their sizes in worker processes."""

import os

from framing.parallel import effective_n_jobs, parallel_map


def _chunk_sizes(prefix, chunk):
    return [(prefix, len(chunk), chunk[0], os.getpid())]


def test_few_items_are_shared_evenly_between_processes():
    # 600 items, chunks of at most 500: one chunk of 300 per process, not 500 and 100
    parts = parallel_map(_chunk_sizes, list(range(600)), n_jobs=2, shared="s", chunk_size=500, min_items=1)
    assert [(p, n, first) for p, n, first, _ in parts] == [("s", 300, 0), ("s", 300, 300)]
    assert all(pid != os.getpid() for *_, pid in parts)
    # many items: full chunks, in order
    parts = parallel_map(_chunk_sizes, list(range(1100)), n_jobs=2, chunk_size=500, min_items=1)
    assert [(n, first) for _, n, first, _ in parts] == [(500, 0), (500, 500), (100, 1000)]


def test_below_min_items_runs_here_in_full_chunks():
    parts = parallel_map(_chunk_sizes, list(range(600)), n_jobs=2, chunk_size=500)    # min_items 2000
    assert [(n, first, pid) for _, n, first, pid in parts] == [(500, 0, os.getpid()), (100, 500, os.getpid())]
    assert parallel_map(_chunk_sizes, [], n_jobs=2, min_items=0) == []
    assert [n for _, n, _, _ in parallel_map(_chunk_sizes, [7], n_jobs=2, min_items=0)] == [1]


def test_effective_n_jobs():
    assert effective_n_jobs(None) == effective_n_jobs(0) == effective_n_jobs(1) == 1
    assert effective_n_jobs(-1) == (os.cpu_count() or 1)
    assert effective_n_jobs(3) == 3
