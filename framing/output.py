"""Writing results safely: atomic file writes and output folders that never clobber the input."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pandas as pd

from .errors import FramingError

__all__ = ["atomic_write", "write_csv", "prepare_output_dir", "safe_filename"]


@contextlib.contextmanager
def atomic_write(path, mode: str = "w", encoding: str = "utf-8"):
    """Open a temporary file beside ``path`` and move it into place only when writing succeeded.

    A crash or an exception part-way leaves the old file (or none) in place, never half a file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_write(p) as fh:
    ...     _ = fh.write("done")
    >>> p.read_text()
    'done'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": encoding, "newline": ""})) as fh:
            yield fh
        # mkstemp creates the file readable by its owner only; results are ordinary files.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_csv(frame: pd.DataFrame, path, *, float_format: str = "%.6g") -> Path:
    """Write a DataFrame as UTF-8 CSV (no index), atomically, with a fixed float format so that the same
    results give byte-identical files."""
    with atomic_write(path, "w") as fh:
        frame.to_csv(fh, index=False, float_format=float_format, lineterminator="\n",
                     date_format="%Y-%m-%d")
    return Path(path)


def safe_filename(name: str, *, default: str = "item") -> str:
    """Turn an outlet or event name into a safe file name (no path separators or control characters).

    Examples
    --------
    >>> safe_filename("../RFE/RL")
    'RFE-RL'
    """
    cleaned = "".join(c if c.isalnum() or c in "-_ ." else "-" for c in str(name))
    cleaned = "-".join(part for part in cleaned.replace(" ", "-").split("-") if part).strip(".")
    return cleaned[:80] or default


def prepare_output_dir(outdir, *, inputs=(), force: bool = False, expected=()) -> Path:
    """Create ``outdir`` for results, refusing a folder that holds the corpus or earlier results.

    Parameters
    ----------
    outdir : path
        The output folder.
    inputs : sequence of paths
        The corpus paths; an output folder equal to one of them, or inside one, is refused.
    force : bool
        Overwrite earlier results (files named in ``expected``) that are already there.
    expected : sequence of str
        The file names the command is about to write.
    """
    out = Path(outdir).resolve()
    for src in inputs:
        if src is None:
            continue
        src = Path(src).resolve()
        folder = src if src.is_dir() else src.parent
        if out == folder or (src.is_dir() and folder in out.parents):
            raise FramingError(f"{outdir}: the output folder would mix results with the corpus {src}; "
                               "choose another folder with -o.")
    existing = [name for name in expected if (out / name).exists()]
    if existing and not force:
        raise FramingError(f"{outdir}: already holds {existing[0]} from an earlier run; pass --force to "
                           "overwrite it or choose another folder with -o.")
    out.mkdir(parents=True, exist_ok=True)
    return out
