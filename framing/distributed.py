"""The Dask engine: run the corpus analyses partition-wise on a Dask cluster, in or out of core.

For corpora that outgrow one process or one machine. Every analysis that takes ``scheduler=`` gives the
same result with it as without it; the scheduler only changes where the work runs:

``scheduler=None``
    In this process (the default).
``scheduler="local"``
    A Dask ``LocalCluster`` on this machine: one single-threaded worker process per core.
``scheduler="tcp://HOST:PORT"``
    A running Dask scheduler (``dask scheduler`` on one machine, ``dask worker tcp://HOST:PORT`` on
    each machine that should work); the workers need ``framing`` installed and must see the corpus files.
a ``distributed.Client``
    Used as it is.

The building blocks, for analyses of your own:

:func:`get_client`
    The ``distributed.Client`` for a scheduler argument (cached per address).
:class:`PartitionedCorpus` / :func:`open_partitioned`
    A folder of Parquet parts written by :func:`framing.ingest.ingest`, opened without reading any text:
    each part becomes a :class:`~framing.corpus.Corpus` only on the worker that processes it.
:func:`map_partitions` / :func:`imap_partitions`
    ``func(part)`` over the partitions of a Corpus or PartitionedCorpus, results in corpus order, with
    at most a few tasks in flight per worker so the client's memory stays bounded.
:func:`map_blocks`
    ``func(shared, block)`` over a list of blocks, the large ``shared`` object (a sparse matrix, a
    model) sent to every worker once: the primitive for blocked searches such as the time-blocked
    candidate search of the alignment.

Dask is optional: ``pip install 'framing[dask]'``.
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from .errors import FramingError

__all__ = ["get_client", "close_clients", "PartitionedCorpus", "open_partitioned", "map_partitions",
           "imap_partitions", "map_blocks", "n_workers"]

_INSTALL = "install it with pip install 'framing[dask]'"
_CONNECT_TIMEOUT = 10  # seconds
_MAX_PARTITION = 20_000  # articles per partition of an in-memory corpus
_MIN_PARTITION = 100

_clients: dict[str, object] = {}
_local: dict[str, object] = {}
_lock = threading.Lock()


# =============================================================================================== client

def _distributed(scheduler):
    try:
        import distributed
    except ImportError:
        raise FramingError(f"scheduler={scheduler!r}: Dask is not installed; {_INSTALL}.") from None
    return distributed


def get_client(scheduler):
    """The ``distributed.Client`` for a ``scheduler`` argument, or None to run in this process.

    Parameters
    ----------
    scheduler : None, "local", "tcp://HOST:PORT" or distributed.Client
        None runs in this process; "local" starts a Dask ``LocalCluster`` on this machine (one
        single-threaded worker process per core, together allowed 70% of the machine's memory) and
        reuses it for the rest of the session; "tcp://HOST:PORT" (or "HOST:PORT") connects to a running
        Dask scheduler, one connection per address; a ``distributed.Client`` is used as it is.

    Returns
    -------
    distributed.Client or None

    Raises
    ------
    FramingError
        Dask is not installed, or no scheduler answers at the address within 10 seconds.

    Examples
    --------
    >>> get_client(None) is None
    True
    """
    if scheduler is None:
        return None
    distributed = _distributed(scheduler)
    if isinstance(scheduler, distributed.Client):
        return scheduler
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise FramingError(f"scheduler={scheduler!r}: pass None, 'local', an address such as "
                           "'tcp://127.0.0.1:8786', or a distributed.Client.")
    scheduler = scheduler.strip()
    with _lock:
        if scheduler == "local":
            return _local_client(distributed)
        address = scheduler if "://" in scheduler else f"tcp://{scheduler}"
        client = _clients.get(address)
        if client is not None and client.status == "running":
            return client
        unreachable = FramingError(f"scheduler={scheduler!r}: no Dask scheduler answers at {address}; start "
                                   "one with `dask scheduler` (and workers with `dask worker ADDRESS`) or check "
                                   "the address.")
        if not _port_open(address):
            raise unreachable
        try:
            client = distributed.Client(address, timeout=f"{_CONNECT_TIMEOUT}s", set_as_default=False)
        except Exception:  # OSError, TimeoutError, or a protocol error for a wrong kind of address
            raise unreachable from None
        _clients[address] = client
        return client


def _port_open(address: str) -> bool:
    """False when nothing listens at a tcp:// or tls:// address (Dask's client would retry until its
    timeout); True for other protocols, which the client checks itself."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    if parts.scheme not in ("tcp", "tls"):
        return True
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        return False
    if not host or not port:
        return False
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


def _local_client(distributed):
    client = _local.get("client")
    if client is not None and client.status == "running":
        return client
    import psutil

    workers = os.cpu_count() or 1
    memory = int(psutil.virtual_memory().total * 0.7 / workers)
    cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None, memory_limit=memory,
                                       silence_logs=logging.ERROR)
    client = distributed.Client(cluster, set_as_default=False)
    _local.update(cluster=cluster, client=client)
    return client


def close_clients() -> None:
    """Close the clients :func:`get_client` opened and the LocalCluster it started (also done at exit)."""
    with _lock:
        for client in list(_clients.values()) + [_local.get("client")]:
            if client is not None:
                try:
                    client.close()
                except Exception:  # already closed or the scheduler is gone
                    pass
        cluster = _local.get("cluster")
        if cluster is not None:
            try:
                cluster.close()
            except Exception:
                pass
        _clients.clear()
        _local.clear()


atexit.register(close_clients)


def _worker_addresses(client) -> list[str]:
    addresses = sorted(client.nthreads())
    if not addresses:
        raise FramingError(f"the Dask scheduler at {client.scheduler.address} has no workers; start some with "
                           f"`dask worker {client.scheduler.address}`.")
    return addresses


def n_workers(client) -> int:
    """Number of workers of a client (1 for None, i.e. this process)."""
    if client is None:
        return 1
    return max(1, len(client.nthreads()))


# ==================================================================================== partitioned corpus

class PartitionedCorpus:
    """A corpus stored as a folder of Parquet parts written by :func:`framing.ingest.ingest`, not loaded.

    Opening it reads only the Parquet footers. The analyses that take ``scheduler=`` accept it in place of
    a :class:`~framing.corpus.Corpus` and read one part at a time (on the Dask workers, or here with
    ``scheduler=None``), so a corpus much larger than memory can be analysed.

    Attributes
    ----------
    path : Path
        The folder.
    parts : list of Path
        The part files, in corpus order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from framing import seeds_path
    >>> from framing.ingest import ingest
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "parts"
    >>> _ = ingest(seeds_path(), folder)
    >>> corpus = open_partitioned(folder)
    >>> len(corpus), len(corpus.parts), corpus.outlets[0]
    (5, 1, 'RFE/RL')
    """

    def __init__(self, path):
        import pyarrow.parquet as pq

        from .ingest import PART_METADATA_KEY

        self.path = Path(path)
        if not self.path.is_dir():
            raise FramingError(f"{self.path}: no such folder; give a folder of Parquet parts written by "
                               "`python -m framing ingest CORPUS -o FOLDER`.")
        self.parts = sorted(self.path.glob("part-*.parquet"))
        if not self.parts:
            raise FramingError(f"{self.path}: holds no part-*.parquet files; write them with "
                               "`python -m framing ingest CORPUS -o FOLDER`.")
        metadata = pq.read_schema(self.parts[0]).metadata or {}
        if PART_METADATA_KEY not in metadata:
            raise FramingError(f"{self.parts[0]}: not a part written by framing ingest; run `python -m framing "
                               "ingest CORPUS -o FOLDER` on the corpus first.")
        self._lengths: list[int] | None = None
        self.source = str(self.path)

    @property
    def lengths(self) -> list[int]:
        """Articles per part (from the Parquet metadata)."""
        if self._lengths is None:
            import pyarrow.parquet as pq

            self._lengths = [pq.read_metadata(p).num_rows for p in self.parts]
        return self._lengths

    def __len__(self) -> int:
        return sum(self.lengths)

    def __repr__(self) -> str:
        return f"<PartitionedCorpus: {len(self)} articles in {len(self.parts)} parts at {self.path}>"

    @property
    def columns(self) -> list[str]:
        import pyarrow.parquet as pq

        return list(pq.read_schema(self.parts[0]).names)

    def column(self, name: str) -> pd.Series:
        """One article column of the whole corpus (read alone; fine for short columns like ``outlet``)."""
        import pyarrow.parquet as pq

        if name not in self.columns:
            raise FramingError(f"{self.path}: has no column {name!r} (columns: "
                               f"{', '.join(c for c in self.columns if c != 'text')}).")
        values = [pq.read_table(p, columns=[name]).column(0).to_pandas() for p in self.parts]
        series = pd.concat(values, ignore_index=True)
        if name == "date":
            return series.astype("datetime64[ns]")
        if series.dtype != object and not pd.api.types.is_numeric_dtype(series):
            series = series.astype(object).where(series.notna(), None)
        return series.rename(name)

    @property
    def outlets(self) -> list[str]:
        """Outlet names, most articles first (as :attr:`Corpus.outlets`)."""
        return self.column("outlet").value_counts(sort=True).index.tolist()

    def read_part(self, i: int):
        """Part ``i`` as a :class:`~framing.corpus.Corpus` (see :func:`framing.ingest.load_part`)."""
        from .ingest import load_part

        return load_part(self.parts[i])

    def to_corpus(self):
        """The whole corpus in memory, as one :class:`~framing.corpus.Corpus`."""
        return concat_corpora([self.read_part(i) for i in range(len(self.parts))], source=str(self.path))


def open_partitioned(path) -> PartitionedCorpus:
    """Open a folder of Parquet parts written by :func:`framing.ingest.ingest` without loading it.

    Examples
    --------
    >>> open_partitioned("no-such-folder")
    Traceback (most recent call last):
    ...
    framing.errors.FramingError: no-such-folder: no such folder; give a folder of Parquet parts written by \
`python -m framing ingest CORPUS -o FOLDER`.
    """
    return PartitionedCorpus(path)


def is_partitioned(corpus) -> bool:
    return isinstance(corpus, PartitionedCorpus)


def concat_corpora(corpora: list, *, source: str = "<parts>"):
    """One :class:`~framing.corpus.Corpus` from several with distinct article ids, in order."""
    from .corpus import Corpus

    articles = pd.concat([c.articles for c in corpora], ignore_index=True)
    notes = [c.annotations for c in corpora if len(c.annotations)]
    annotations = pd.concat(notes, ignore_index=True) if notes else None
    edits = [c.edits for c in corpora if len(c.edits)]
    issues = [c.issues for c in corpora if len(c.issues)]
    return Corpus(articles, pd.concat(edits, ignore_index=True) if edits else None, annotations,
                  pd.concat(issues, ignore_index=True) if issues else None, source)


# =============================================================================================== mapping

def _partition_size(n_articles: int, workers: int) -> int:
    # A few partitions per worker balance the load; small partitions cost more in overhead than they save.
    return max(_MIN_PARTITION, min(_MAX_PARTITION, math.ceil(n_articles / (4 * workers))))


def _slices(corpus, size: int) -> list[tuple[int, int]]:
    n = len(corpus)
    return [(a, min(a + size, n)) for a in range(0, n, size)] or [(0, 0)]


def _lean_slice(corpus, start: int, stop: int):
    """Articles ``start:stop`` as a Corpus with what the analyses read (no raw text or cleaning edits)."""
    from .corpus import Corpus

    arts = corpus.articles.iloc[start:stop].drop(columns=["raw_text"], errors="ignore")
    notes = corpus.annotations
    if len(notes):
        notes = notes[notes["article_id"].isin(set(arts["id"]))]
    return Corpus(arts, None, notes, None, corpus.source)


def _apply(func, part, shared, args, kwargs):
    """Runs on a worker: materialise the partition (a part file is read here) and call ``func``."""
    if isinstance(part, (str, Path)):
        from .ingest import load_part

        part = load_part(part)
    if shared is _NO_SHARED:
        return func(part, *args, **kwargs)
    return func(part, shared, *args, **kwargs)


class _NoShared:
    def __repr__(self):
        return "<no shared object>"

    def __reduce__(self):
        return (_no_shared, ())


def _no_shared():
    return _NO_SHARED


_NO_SHARED = _NoShared()


def imap_partitions(func: Callable, corpus, *, scheduler=None, shared=_NO_SHARED, args=(), kwargs=None,
                    partition_size: int | None = None, max_in_flight: int | None = None) -> Iterator:
    """Yield ``func(part, [shared,] *args, **kwargs)`` for each partition of ``corpus``, in corpus order.

    Parameters
    ----------
    func : callable
        A module-level function (Dask pickles it by reference, so the workers must have its module).
        ``part`` is a :class:`~framing.corpus.Corpus` holding consecutive articles of ``corpus``, with
        their annotations (so ``part.sentences()`` works) but without ``raw_text`` or cleaning edits.
    corpus : Corpus or PartitionedCorpus
        An in-memory corpus is cut into slices of ``partition_size`` articles, each sent to a worker
        when its task is submitted; a :class:`PartitionedCorpus` has one partition per part file, read
        by the worker that processes it.
    scheduler : None, "local", "tcp://HOST:PORT" or distributed.Client
        See :func:`get_client`. None runs the partitions one after the other in this process (still one
        part in memory at a time for a PartitionedCorpus).
    shared : object, optional
        Passed to every call after ``part``; sent to each worker once (``scatter(broadcast=True)``).
    args, kwargs
        Further arguments of ``func`` (small ones; put large objects in ``shared``).
    partition_size : int, optional
        Articles per partition of an in-memory corpus; default: about four partitions per worker,
        between 100 and 20,000 articles.
    max_in_flight : int, optional
        Tasks submitted but not yet collected; default twice the number of workers plus one. Results
        wait on the workers until their turn, so the client holds only what the caller keeps.

    Yields
    ------
    object
        ``func``'s result for each partition, in order.
    """
    client = get_client(scheduler)
    kwargs = kwargs or {}
    workers = n_workers(client)
    if is_partitioned(corpus):
        parts: list = [str(p) for p in corpus.parts]
        make = None
    else:
        size = partition_size or _partition_size(len(corpus), workers)
        parts = _slices(corpus, size)
        make = lambda bounds: _lean_slice(corpus, *bounds)  # noqa: E731
    if client is None:
        for part in parts:
            yield _apply(func, part if make is None else make(part), shared, args, kwargs)
        return
    if shared is not _NO_SHARED:
        [shared] = client.scatter([shared], broadcast=True, hash=False)
    addresses = _worker_addresses(client)
    placed = iter(range(len(parts)))

    def submit(part):
        if make is not None:
            # Round-robin placement: a task runs where its data is, so this spreads the work evenly.
            worker = addresses[next(placed) % len(addresses)]
            [part] = client.scatter([make(part)], workers=[worker], hash=False)
        return client.submit(_apply, func, part, shared, args, kwargs, pure=False)

    yield from _ordered(client, parts, submit, max_in_flight or 2 * workers + 1)


def map_partitions(func: Callable, corpus, *, scheduler=None, shared=_NO_SHARED, args=(), kwargs=None,
                   partition_size: int | None = None, max_in_flight: int | None = None) -> list:
    """``func`` over the partitions of ``corpus``, results in corpus order (a list).

    See :func:`imap_partitions` for the parameters; use that generator to fold results as they come.

    Examples
    --------
    >>> from framing import load_corpus
    >>> map_partitions(len, load_corpus(), partition_size=2)
    [2, 2, 1]
    """
    return list(imap_partitions(func, corpus, scheduler=scheduler, shared=shared, args=args, kwargs=kwargs,
                                partition_size=partition_size, max_in_flight=max_in_flight))


def _call_block(func, shared, block):
    return func(shared, block)


def map_blocks(func: Callable, blocks, *, shared=None, scheduler=None, client=None,
               max_in_flight: int | None = None) -> list:
    """``[func(shared, block) for block in blocks]``, on Dask workers when a scheduler is given.

    The primitive for blocked computations over one large object: ``shared`` (a sparse feature matrix,
    a fitted model, a frame of dates) is sent to every worker once, and each task receives only its
    small ``block`` (an index range, a list of row numbers, a time window). Results come back in the
    order of ``blocks``; at most ``max_in_flight`` tasks (default twice the workers plus one) are
    submitted at a time, so a long list of blocks never floods the scheduler or the client.

    Parameters
    ----------
    func : callable
        ``func(shared, block)``, a module-level function (pickled by reference).
    blocks : iterable
        Small task descriptions; consumed lazily.
    shared : object, optional
    scheduler : None, "local", "tcp://HOST:PORT" or distributed.Client
        See :func:`get_client`; None runs here, in order.
    client : distributed.Client, optional
        The same as ``scheduler=client`` (for ``functools.partial(map_blocks, client=...)``).
    max_in_flight : int, optional

    Returns
    -------
    list

    Examples
    --------
    Candidate pairs within time windows, each window searched on its own:

    >>> import numpy as np
    >>> def close_pairs(days, window):
    ...     lo, hi = window
    ...     i, j = np.triu_indices(hi - lo, 1)
    ...     near = np.abs(days[lo + i] - days[lo + j]) <= 1
    ...     return list(zip((lo + i[near]).tolist(), (lo + j[near]).tolist()))
    >>> days = np.array([0, 1, 5, 6, 7])
    >>> map_blocks(close_pairs, [(0, 2), (2, 5)], shared=days)
    [[(0, 1)], [(2, 3), (3, 4)]]
    """
    client = get_client(client if client is not None else scheduler)
    if client is None:
        return [func(shared, block) for block in blocks]
    [shared_future] = client.scatter([shared], broadcast=True, hash=False)

    def submit(block):
        return client.submit(_call_block, func, shared_future, block, pure=False)

    return list(_ordered(client, blocks, submit, max_in_flight or 2 * n_workers(client) + 1))


def _ordered(client, items, submit, window: int) -> Iterator:
    """Submit tasks lazily, at most ``window`` uncollected, and yield their results in order."""
    distributed = _distributed(client)
    pending: deque = deque()
    items = iter(items)
    try:
        while True:
            while len(pending) < window:
                item = next(items, _NO_SHARED)
                if item is _NO_SHARED:
                    break
                pending.append(submit(item))
            if not pending:
                return
            future = pending.popleft()
            try:
                result = future.result()
            except distributed.KilledWorker:
                raise FramingError("a Dask worker died while running a task (most often it ran out of "
                                   "memory); give the workers more memory or use smaller partitions "
                                   "(ingest with a smaller --chunksize).") from None
            future.release()
            yield result
    finally:
        for future in pending:
            future.cancel()


# =============================================================================================== ingest

def _clean_chunk(chunk, chunk_issues, source, clean, infer_outlets):
    from .ingest import _build_one

    return _build_one(chunk, chunk_issues, Path(source), clean, infer_outlets)


def _ids_of(corpus):
    return corpus.articles["id"].tolist(), corpus.articles["origin"].tolist()


def _write_renamed(corpus, ids, rows, k, folder, mode, include_raw):
    from .ingest import _apply_ids, _write_chunk

    return _write_chunk(_apply_ids(corpus, ids, rows), k, Path(folder), mode, include_raw)


def ingest_chunks(src, folder, *, client, mode: str, chunksize: int, include_raw: bool,
                  clean: bool = True, infer_outlets: bool = True) -> Iterator:
    """The Dask side of :func:`framing.ingest.ingest`: yields each chunk's ``_WrittenChunk`` in order.

    This process reads the raw input chunk by chunk and sends each chunk to a worker, which cleans it
    and keeps the result. Ids repeated across chunks are renamed here, in input order, from each chunk's
    ids alone (the same renames as in-process), then the worker holding the chunk writes it: a Parquet
    part into ``folder``, or the payload this process appends. At most about two chunks per worker are
    in flight.
    """
    from .ingest import _raw_chunks, _unique_across_chunks, _write_chunk, iter_corpus

    src = Path(src)
    raw = _raw_chunks(src, chunksize=chunksize, columns=None)
    if raw is None:  # inputs read whole (folders of .txt files, .json): one chunk, nothing to distribute
        for k, corpus in enumerate(iter_corpus(src, chunksize=chunksize)):
            yield _write_chunk(corpus, k, Path(folder), mode, include_raw)
        return
    window = 2 * n_workers(client) + 1
    cleaning: deque = deque()   # (k, future of the cleaned chunk, future of its ids and origins)
    writing: deque = deque()
    seen_ids: set[str] = set()
    chunks = enumerate(raw)
    exhausted = False
    try:
        while True:
            while not exhausted and len(cleaning) + len(writing) < window:
                item = next(chunks, None)
                if item is None:
                    exhausted = True
                    break
                k, (chunk, chunk_issues) = item
                [data] = client.scatter([chunk], hash=False)
                cleaned = client.submit(_clean_chunk, data, chunk_issues, str(src), clean, infer_outlets,
                                        pure=False)
                cleaning.append((k, cleaned, client.submit(_ids_of, cleaned, pure=False)))
            if cleaning:
                k, cleaned, ids_future = cleaning.popleft()
                ids, origins = ids_future.result()
                ids, rows = _unique_across_chunks(ids, origins, seen_ids)
                writing.append(client.submit(_write_renamed, cleaned, ids, rows, k, str(folder), mode,
                                             include_raw, pure=False))
                cleaned.release()
            if writing and (not cleaning or len(writing) >= window // 2 + 1):
                yield writing.popleft().result()
            elif not cleaning and not writing and exhausted:
                return
    finally:
        for _k, cleaned, ids_future in cleaning:
            cleaned.cancel()
            ids_future.cancel()
        for future in writing:
            future.cancel()


# ============================================================================================== shuffle

def _bucket(pieces, b):
    return pieces[b]


def _reduce_bucket(reduce_func, reduce_args, *pieces):
    return reduce_func(list(pieces), *reduce_args)


def _placed_partitions(client, corpus, partition_size):
    """Partition handles for tasks: part paths, or slices of an in-memory corpus scattered round-robin
    over the workers (so that data locality spreads the tasks evenly)."""
    if is_partitioned(corpus):
        return [str(p) for p in corpus.parts]
    workers = _worker_addresses(client)
    size = partition_size or _partition_size(len(corpus), len(workers))
    return [client.scatter([_lean_slice(corpus, a, b)], workers=[workers[i % len(workers)]], hash=False)[0]
            for i, (a, b) in enumerate(_slices(corpus, size))]


def _shuffle(client, mapped: list, reduce_func, n_buckets: int, reduce_args) -> list:
    """Send piece ``b`` of every mapped future to the reducer of bucket ``b``; gather the reduced results."""
    split = [[client.submit(_bucket, m, b, pure=False) for m in mapped] for b in range(n_buckets)]
    mapped.clear()  # the map results are freed as soon as every bucket has been taken from them
    reduced = [client.submit(_reduce_bucket, reduce_func, reduce_args, *split[b], pure=False)
               for b in range(n_buckets)]
    del split
    try:
        return client.gather(reduced)
    except _distributed(client).KilledWorker:
        raise FramingError("a Dask worker died while running a task (most often it ran out of memory); give "
                           "the workers more memory or use smaller partitions (ingest with a smaller "
                           "--chunksize).") from None


def map_reduce_buckets(map_func: Callable, corpus, reduce_func: Callable, *, n_buckets: int, scheduler=None,
                       args=(), reduce_args=(), partition_size: int | None = None) -> list:
    """A hash shuffle: ``map_func(part, *args)`` returns ``n_buckets`` pieces per partition; piece ``b``
    of every partition (in corpus order) goes to ``reduce_func(pieces, *reduce_args)``; returns the
    ``n_buckets`` reduced results.

    The map results stay on the workers and only bucket ``b``'s pieces travel to the worker reducing it,
    so the client receives only what the reducers return (for example the terms frequent enough to keep).
    With ``scheduler=None`` everything runs here.
    """
    client = get_client(scheduler)
    if client is None:
        buckets: list[list] = [[] for _ in range(n_buckets)]
        for pieces in imap_partitions(map_func, corpus, args=args, partition_size=partition_size):
            for b in range(n_buckets):
                buckets[b].append(pieces[b])
            del pieces
        return [reduce_func(buckets[b], *reduce_args) for b in range(n_buckets)]
    parts = _placed_partitions(client, corpus, partition_size)
    mapped = [client.submit(_apply, map_func, part, _NO_SHARED, args, {}, pure=False) for part in parts]
    del parts
    return _shuffle(client, mapped, reduce_func, n_buckets, reduce_args)


def map_reduce_stored(first: Callable, corpus, small_of: Callable, combine: Callable, second: Callable,
                      reduce_func: Callable, *, client, n_buckets: int, first_args=(), shared_of=None,
                      second_args=(), reduce_args=(), partition_size: int | None = None):
    """Two passes whose first results stay on the workers, then a shuffle.

    ``stored = first(part, *first_args)`` per partition (kept where it was computed);
    ``summary = combine(small_of(stored) for each partition, in corpus order)`` here;
    ``second(stored, shared_of(summary), *second_args)`` returns ``n_buckets`` pieces per partition, reduced
    per bucket as in :func:`map_reduce_buckets`. Returns ``(reduced results, summary)``. Used by
    :func:`framing.terms.distinctive_terms`: tokenise once, merge the vocabularies, count n-grams.
    """
    parts = _placed_partitions(client, corpus, partition_size)
    stored = [client.submit(_apply, first, part, _NO_SHARED, first_args, {}, pure=False) for part in parts]
    del parts
    smalls = deque(client.submit(small_of, f, pure=False) for f in stored)

    def in_order():
        while smalls:
            future = smalls.popleft()
            yield future.result()
            future.release()

    summary = combine(in_order())
    shared = summary if shared_of is None else shared_of(summary)
    [shared_future] = client.scatter([shared], broadcast=True, hash=False)
    mapped = [client.submit(second, f, shared_future, *second_args, pure=False) for f in stored]
    stored.clear()
    return _shuffle(client, mapped, reduce_func, n_buckets, reduce_args), summary


# ============================================================================================= lexical

def _lexical_partition(part, quotes, targets, hedges, exclude_quotes):
    from types import SimpleNamespace

    from .lexical import lexical_features

    if quotes is not None and quotes[0] == "by_article":
        by_article = quotes[1]
        quotes = SimpleNamespace(by_article=by_article[by_article["article_id"].isin(set(part.articles["id"]))])
    elif quotes is not None:
        quotes = quotes[1]
    return lexical_features(part, by="article", targets=targets, hedges=hedges, exclude_quotes=exclude_quotes,
                            quotes=quotes)


def lexical_article_rows(corpus, *, scheduler, targets=None, hedges=None, exclude_quotes=True,
                         quotes=None) -> pd.DataFrame:
    """The per-article rows of :func:`framing.lexical.lexical_features`, partition by partition."""
    if quotes is not None:
        # Mirror the in-process choice: the per-article quoted words when they cover the whole corpus,
        # else the quote spans, which each partition turns into quoted words for its own articles.
        if hasattr(quotes, "by_article") and len(quotes.by_article) == len(corpus):
            quotes = ("by_article", quotes.by_article)
        else:
            quotes = ("table", quotes.quotes if hasattr(quotes, "quotes") else quotes)
    key = (str(targets), str(hedges), bool(exclude_quotes))
    cacheable = quotes is None and (targets is None or isinstance(targets, (str, Path)))
    if cacheable:
        hit = _cached(corpus, ("lexical",) + key)
        if hit is not None:
            return hit.copy()
    frames = list(imap_partitions(_lexical_partition, corpus, scheduler=scheduler, shared=quotes,
                                  args=(targets, hedges, exclude_quotes)))
    frame = pd.concat(frames, ignore_index=True)
    if cacheable:
        _cache(corpus, ("lexical",) + key, frame)
    return frame.copy()


# Per-article rows are computed once per corpus (lexical_features by article, then by outlet, as run_all
# asks for both); the cache entry is dropped when the corpus object goes away or its articles change.
_RESULTS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _stamp(corpus):
    if is_partitioned(corpus):
        return tuple((str(p), p.stat().st_mtime_ns) for p in corpus.parts)
    return id(corpus.articles), len(corpus.articles)


def _cached(corpus, key):
    try:
        hit = _RESULTS.get(corpus)
    except TypeError:
        return None
    if hit is None or hit[0] != _stamp(corpus):
        return None
    return hit[1].get(key)


def _cache(corpus, key, value) -> None:
    try:
        hit = _RESULTS.get(corpus)
        if hit is None or hit[0] != _stamp(corpus):
            hit = (_stamp(corpus), {})
            _RESULTS[corpus] = hit
        hit[1][key] = value
    except TypeError:
        pass
