"""The one output policy every command and the library follow.

* an output never is an input: compared by resolved path **and** by file
  identity (``st_dev``/``st_ino``, so hard links and case-insensitive or
  aliased paths are caught too);
* an existing output is never replaced unless ``force`` is given (the
  library default is ``force=False`` everywhere);
* a path derived from file contents (a unit name) is reduced to one safe
  file-name component first (:func:`safe_component`).

:func:`toolkit.atomic.atomic_output` calls :func:`check_output`, so every
writer that goes through it gets the policy.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from .errors import XxgkError


class OutputExistsError(FileExistsError):
    """Raised when an output exists and overwriting was not asked for (also ``toolkit.atomic``'s)."""


class OutputIsInputError(XxgkError):
    """The output would replace one of the inputs."""


def _identity(path: Path):
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when ``a`` and ``b`` name the same file (path or identity)."""
    a, b = Path(a), Path(b)
    try:
        if a.resolve() == b.resolve():
            return True
    except (OSError, RuntimeError, ValueError):
        pass
    ia, ib = _identity(a), _identity(b)
    return ia is not None and ia == ib


def check_output(output: str | Path, inputs=(), force: bool = False) -> Path:
    """Apply the output policy to ``output``; returns it as a :class:`Path`.

    Raises :class:`OutputIsInputError` when ``output`` is one of ``inputs``
    (paths; ``None`` and non-paths are ignored) and
    :class:`OutputExistsError` when it exists and ``force``
    is false.
    """
    output = Path(output)
    for src in inputs or ():
        if isinstance(src, (str, os.PathLike)) and str(src) and same_file(output, src):
            raise OutputIsInputError(
                f"输出文件“{output}”不能与输入文件相同（就是输入文件“{src}”本身）；"
                    "输入文件从不被覆盖，请另选输出文件名")
    if output.is_dir():
        raise OutputExistsError(f"输出路径是一个文件夹：{output}")
    if (output.exists() or output.is_symlink()) and not force:
        raise OutputExistsError(f"输出文件已存在：{output}（如需覆盖请加 --force）")
    return output


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_INVISIBLE_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
MAX_COMPONENT_BYTES = 180  # of 255 on common file systems: room for a suffix and a temp prefix


def safe_component(text: str, default: str = "报告", max_bytes: int = MAX_COMPONENT_BYTES) -> str:
    """``text`` as one safe file-name component (no folder, no device, bounded length).

    Path separators, ``*?:|<>"``, control and invisible characters become
    ``_`` or disappear, whitespace is collapsed, leading dots (hidden files,
    ``..``) and trailing dots/spaces (Windows) are removed, Windows device
    names get a ``_`` prefix, and the result is cut to ``max_bytes`` UTF-8
    bytes.  An empty result gives ``default``.
    """
    s = unicodedata.normalize("NFC", str(text or ""))
    s = "".join(ch for ch in s if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
                or ch in "\t\n\r")
    s = _UNSAFE.sub("_", s)
    s = " ".join(s.split())
    s = s.strip(" .")
    if s.split(".")[0].upper() in _RESERVED:
        s = "_" + s
    encoded = s.encode("utf-8")
    if len(encoded) > max_bytes:
        s = encoded[:max_bytes].decode("utf-8", "ignore").rstrip(" .")
    return s or default


def terminal_text(text) -> str:
    """A value from an input shown on one terminal line: control characters visible, never raw.

    A newline or carriage return in a unit name must not start a new,
    forged output line; bidi overrides must not reorder what follows.
    """
    out = []
    for ch in str(text):
        if ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in _BIDI:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


CSV_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A text cell for a CSV file: a leading ``= + - @ TAB CR`` gets a ``'`` so it stays text.

    Numbers are returned unchanged (a negative number is a number, not a formula).
    """
    if isinstance(value, str) and value.startswith(CSV_DANGEROUS):
        return "'" + value
    return value
