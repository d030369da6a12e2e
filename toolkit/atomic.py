"""Atomic output files: write to a temporary file beside the target, then rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .outputs import OutputExistsError, check_output  # noqa: F401 — OutputExistsError is re-exported


@contextlib.contextmanager
def atomic_output(path: str | Path, force: bool = False, inputs=()):
    """Yield a temporary path; on success it replaces ``path`` in one rename.

    The output policy (:func:`toolkit.outputs.check_output`) is applied
    first: ``path`` must not be one of ``inputs`` and must not exist unless
    ``force`` is given.

    A crash or exception leaves either the old file or no file, never a
    half-written one.  The temporary file keeps the target's suffix so
    writers that look at the extension (openpyxl, XlsxWriter) behave.
    """
    path = check_output(path, inputs, force)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~xxgk-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    # mkstemp makes the file private (0600); give it the permissions a normally
    # created file would get (or those of the file it replaces), so summaries
    # on shared folders stay readable by colleagues.
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
