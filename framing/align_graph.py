"""Sparse similarity graphs and graph clustering for event alignment.

* :func:`time_blocked_neighbours` finds, for every row of an L2-normalised sparse matrix, its most
  similar rows among those published within a time window (rows without a date are compared with every
  row). Rows are sorted by date and processed in chunks, so each chunk is multiplied only with the band
  of rows inside its window: memory and time grow with ``n × (articles per window)``, never ``n²``.
* :func:`average_linkage` is agglomerative clustering with average linkage on a sparse graph: the link
  between two clusters is the sum of the similarities of their cross pairs divided by the number of
  cross pairs, a pair that is not in the graph counting as 0. Pairs outside the time window are never in
  the graph, so clusters that would span distant dates are pulled apart rather than chained together.
"""

from __future__ import annotations

import heapq

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

__all__ = ["time_blocked_neighbours", "time_blocks", "block_neighbours", "average_linkage", "top_k_per_row",
           "pair_similarities"]

_MAX_BLOCK_CELLS = 8_000_000  # rows × columns multiplied at once; bounds the memory of a product


def top_k_per_row(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, k: int):
    """Keep the ``k`` largest values of each row (ties broken by the smaller column)."""
    if len(rows) == 0:
        return rows, cols, vals
    order = np.lexsort((cols, -vals, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    starts = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
    rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.r_[starts, len(rows)]))
    keep = rank < k
    return rows[keep], cols[keep], vals[keep]


def time_blocked_neighbours(X: sp.csr_matrix, days: np.ndarray, *, window: float | None, k: int,
                            floor: float, map_blocks=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-``k`` cosine neighbours of each row within ``window`` days.

    Parameters
    ----------
    X : scipy.sparse.csr_matrix
        L2-normalised rows.
    days : numpy.ndarray of float
        Day number of each row (NaN when the row has no date: compared with all rows).
    window : float or None
        Largest date difference of a neighbour; None for no limit.
    k : int
        Neighbours kept per row.
    floor : float
        Smallest similarity kept.
    map_blocks : callable, optional
        ``map_blocks(func, blocks, shared=...)`` returning ``[func(shared, block) for block in blocks]``,
        possibly computed elsewhere (e.g. :func:`framing.distributed.map_blocks` on a Dask cluster).
        The blocks are independent, so the result does not depend on where they run.

    Returns
    -------
    rows, cols, sims : numpy.ndarray
        Directed edges ``row → col`` (each row's top ``k``), ``row != col``.
    """
    n = X.shape[0]
    if n < 2 or k <= 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    days = np.asarray(days, dtype=float)
    blocks = time_blocks(days, window=window)
    shared = (X.tocsr(), days, window, k, floor)
    if map_blocks is None:
        parts = [block_neighbours(shared, block) for block in blocks]
    else:
        parts = map_blocks(block_neighbours, blocks, shared=shared)
    rows = np.concatenate([p[0] for p in parts]).astype(np.int64)
    cols = np.concatenate([p[1] for p in parts]).astype(np.int64)
    vals = np.concatenate([p[2] for p in parts])
    return top_k_per_row(rows, cols, vals, k)


def time_blocks(days: np.ndarray, *, window: float | None) -> list[tuple[np.ndarray, np.ndarray, bool]]:
    """The ``(rows, columns, check_time)`` blocks that :func:`time_blocked_neighbours` multiplies.

    Dated rows, sorted by date, are cut into chunks; each chunk is compared with the band of dated rows
    within ``window`` days of it and with all undated rows. Undated rows (and all rows when ``window``
    is None) are compared with every row. Chunks grow while a block stays under a fixed number of cells,
    so memory per block is bounded and the number of blocks grows with ``n × (rows per window)``.
    """
    days = np.asarray(days, dtype=float)
    n = len(days)
    dated = np.flatnonzero(~np.isnan(days))
    undated = np.flatnonzero(np.isnan(days))
    if window is None:
        dated, undated = np.zeros(0, dtype=np.int64), np.arange(n)
    order = dated[np.argsort(days[dated], kind="stable")]
    sorted_days = days[order]
    blocks = []
    i = 0
    while i < len(order):
        lo = np.searchsorted(sorted_days, sorted_days[i] - window, side="left")
        step = 1
        # Grow the chunk while the band it needs stays small enough.
        while i + step < len(order) and step < 4096:
            nxt = min(i + 2 * step, len(order))
            hi = np.searchsorted(sorted_days, sorted_days[nxt - 1] + window, side="right")
            if (nxt - i) * (hi - lo + len(undated)) > _MAX_BLOCK_CELLS:
                break
            step = nxt - i
        j = min(i + step, len(order))
        hi = np.searchsorted(sorted_days, sorted_days[j - 1] + window, side="right")
        blocks.append((order[i:j], np.concatenate([order[lo:hi], undated]), True))
        i = j
    if len(undated):
        per = max(1, _MAX_BLOCK_CELLS // n)
        all_cols = np.arange(n)
        blocks.extend((undated[s:s + per], all_cols, False) for s in range(0, len(undated), per))
    return blocks


def block_neighbours(shared, block):
    """Top-``k`` neighbours of one block's rows among its columns: ``shared`` is ``(X, days, window, k,
    floor)``, ``block`` one item of :func:`time_blocks`. Returns ``(rows, cols, sims)``."""
    X, days, window, k, floor = shared
    row_idx, col_idx, check_time = block
    # Row slices of a CSR matrix are cheap; column slices of its transpose are not. Article vectors
    # share common words, so the product is nearly dense: select the top k per row on a dense block
    # (a partition per row) instead of sorting millions of sparse entries.
    # Computed as (columns @ rows.T).T: with sorted indices (as framing.align's TF-IDF rows have) the
    # same sums in the same order as rows @ columns.T, bit for bit, but the small side is the one
    # transposed, and a block of all columns multiplies X itself instead of a copy.
    cols = X if len(col_idx) == X.shape[0] and (col_idx == np.arange(len(col_idx))).all() else X[col_idx]
    prod = np.ascontiguousarray((cols @ X[row_idx].T).toarray().T)
    del cols
    invalid = row_idx[:, None] == col_idx[None, :]
    if check_time:
        dr, dc = days[row_idx][:, None], days[col_idx][None, :]
        with np.errstate(invalid="ignore"):
            invalid |= ~(np.isnan(dr) | np.isnan(dc) | (np.abs(dr - dc) <= window))
    prod[invalid | (prod < floor)] = -1.0
    if prod.shape[1] > k:
        # The k-th largest value of each row; entries tied with it are all kept, then broken by column.
        kth = -np.partition(-prod, k - 1, axis=1)[:, k - 1:k]
        rr, cc = np.nonzero((prod >= kth) & (prod >= floor))
    else:
        rr, cc = np.nonzero(prod >= floor)
    return top_k_per_row(row_idx[rr], col_idx[cc], prod[rr, cc], k)


def symmetric_pairs(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray):
    """Undirected unique pairs ``i < j`` from directed edges (the larger value when both directions)."""
    a, b = np.minimum(rows, cols), np.maximum(rows, cols)
    if len(a) == 0:
        return a, b, vals
    order = np.lexsort((-vals, b, a))
    a, b, v = a[order], b[order], vals[order]
    first = np.r_[True, (np.diff(a) != 0) | (np.diff(b) != 0)]
    return a[first], b[first], v[first]


def pair_similarities(X: sp.csr_matrix, a: np.ndarray, b: np.ndarray, *, chunk: int = 20_000) -> np.ndarray:
    """Cosine similarity of the row pairs ``(a[i], b[i])`` of an L2-normalised sparse matrix.

    ``chunk`` pairs at a time: two row copies of 200,000 article vectors took 1.5 GiB at 100,000
    articles; 20,000 take 0.1 GiB and run faster (measured on 10^6 random pairs, 7.1 s vs 5.2 s)."""
    out = np.zeros(len(a))
    for s in range(0, len(a), chunk):
        sl = slice(s, s + chunk)
        out[sl] = np.asarray(X[a[sl]].multiply(X[b[sl]]).sum(axis=1)).ravel()
    return out


def _adjacency(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> dict:
    """Node → {neighbour: summed similarity} from undirected edges (self-loops dropped)."""
    ok = a != b
    src, dst, sim = np.r_[a[ok], b[ok]], np.r_[b[ok], a[ok]], np.r_[w[ok], w[ok]]
    if not len(src):
        return {}
    order = np.lexsort((dst, src))
    src, dst, sim = src[order], dst[order], sim[order]
    # Sum repeated edges.
    new = np.r_[True, (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])]
    idx = np.cumsum(new) - 1
    sim = np.bincount(idx, weights=sim)
    src, dst = src[new], dst[new]
    starts = np.r_[0, np.flatnonzero(src[1:] != src[:-1]) + 1, len(src)]
    nodes, dst_l, sim_l = src[starts[:-1]].tolist(), dst.tolist(), sim.tolist()
    return {x: dict(zip(dst_l[s:e], sim_l[s:e])) for x, s, e in zip(nodes, starts[:-1].tolist(), starts[1:].tolist())}


def average_linkage(n: int, a: np.ndarray, b: np.ndarray, w: np.ndarray, threshold: float, *,
                    seed_threshold: float | None = None) -> np.ndarray:
    """Average-linkage clustering of ``n`` nodes on a sparse similarity graph.

    Clusters merge, best link first, while the average similarity over all their cross pairs (absent
    pairs count as 0) is at least ``threshold``. Ties merge the pair of clusters with the smaller
    smallest members first, so the result is deterministic.

    Parameters
    ----------
    n : int
        Number of nodes.
    a, b, w : numpy.ndarray
        Undirected edges ``a[i] – b[i]`` with similarity ``w[i]`` (each pair once).
    threshold : float
        Smallest average link that still merges.
    seed_threshold : float, optional
        Two single nodes merge only when their link is at least this (default ``threshold``): a cluster
        must start from one strong pair, and can then grow by weaker average links.

    Returns
    -------
    numpy.ndarray of int
        Cluster label of each node: the smallest node id in its cluster.

    Examples
    --------
    >>> average_linkage(4, np.array([0, 1, 0]), np.array([1, 2, 2]), np.array([0.9, 0.8, 0.1]), 0.4)
    array([0, 0, 0, 3])
    """
    a, b, w = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64), np.asarray(w, dtype=float)
    seed = threshold if seed_threshold is None else max(seed_threshold, threshold)
    labels = np.arange(n, dtype=np.int64)
    if n == 0 or len(a) == 0:
        return labels
    # Every merge needs a cross pair of at least `threshold` (an average is never above its largest
    # term), so clusters never leave the connected components of the graph of such pairs, and components
    # are clustered independently. Most components are one pair: settle those with array operations and
    # run the merge loop only on the larger ones (identical result, a fraction of the time).
    strong = w >= threshold
    graph = sp.coo_matrix((np.ones(int(strong.sum())), (a[strong], b[strong])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    comp_size = np.bincount(comp)
    pair = strong & (comp_size[comp[a]] == 2)
    merge = pair & (w >= seed)
    labels[np.maximum(a[merge], b[merge])] = np.minimum(a[merge], b[merge])
    big = comp_size[comp] >= 3
    inside = big[a] & big[b] & (comp[a] == comp[b])
    if inside.any():
        nodes = np.flatnonzero(big)  # increasing, so local ids keep the tie-breaking order
        local = np.full(n, -1, dtype=np.int64)
        local[nodes] = np.arange(len(nodes))
        sub = _average_linkage_loop(len(nodes), local[a[inside]], local[b[inside]], w[inside], threshold, seed)
        labels[nodes] = nodes[sub]
    return labels


def _average_linkage_loop(n: int, a: np.ndarray, b: np.ndarray, w: np.ndarray, threshold: float,
                          seed: float) -> np.ndarray:
    # Plain Python lists and dicts: this loop does scalar work per merge, where NumPy scalars are slow.
    parent = list(range(n))
    size = [1] * n
    version = [0] * n
    adj = _adjacency(a, b, w)
    # Heap entries: (-link, smallest member of each cluster, cluster representatives, their versions). Ties
    # go by the smallest members, which do not depend on which representative a merge keeps.
    low = list(range(n))
    heap = [(-s, x, y, x, y, 0, 0) for x, nbrs in adj.items() for y, s in nbrs.items() if x < y and s >= seed]
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        _, _, _, x, y, vx, vy = pop(heap)
        if version[x] != vx or version[y] != vy or parent[x] != x or parent[y] != y:
            continue
        # Merge the smaller adjacency into the larger.
        keep, gone = (x, y) if len(adj.get(x, ())) >= len(adj.get(y, ())) else (y, x)
        parent[gone] = keep
        low[keep] = min(low[keep], low[gone])
        size[keep] += size[gone]
        version[keep] += 1
        keep_adj = adj.setdefault(keep, {})
        keep_adj.pop(gone, None)
        for z, s in adj.pop(gone, {}).items():
            if z == keep:
                continue
            total = keep_adj.get(z, 0.0) + s
            keep_adj[z] = total
            zadj = adj[z]
            del zadj[gone]
            zadj[keep] = total
        size_keep, v_keep, low_keep = size[keep], version[keep], low[keep]
        for z, s in keep_adj.items():
            link = s / (size_keep * size[z])
            if link >= threshold:  # keep has two or more members now
                if low_keep < low[z]:
                    push(heap, (-link, low_keep, low[z], keep, z, v_keep, version[z]))
                else:
                    push(heap, (-link, low[z], low_keep, z, keep, version[z], v_keep))
    parent = np.asarray(parent, dtype=np.int64)
    # Resolve roots, then label each cluster by its smallest member.
    roots = parent.copy()
    while True:
        nxt = roots[roots]
        if np.array_equal(nxt, roots):
            break
        roots = nxt
    smallest = np.full(n, n, dtype=np.int64)
    np.minimum.at(smallest, roots, np.arange(n))
    return smallest[roots]
