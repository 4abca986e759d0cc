"""Reading a file as Python source, refusing what is not text."""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass


class SourceError(ValueError):
    """The file cannot be analysed; the message says why."""


@dataclass(frozen=True)
class Source:
    path: str  # relative to the scanned root, with forward slashes
    data: bytes
    text: str


def decode(path: str, data: bytes, max_size: int) -> Source:
    if len(data) > max_size:
        raise SourceError(f"file is {len(data):,} bytes, over the {max_size:,}-byte limit (max-file-size); skipped")
    if b"\x00" in data[:8192]:
        raise SourceError("binary file (contains NUL bytes); skipped")
    try:
        # Honour a PEP 263 coding cookie; the default is UTF-8.
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except SyntaxError:
        # detect_encoding refuses bytes that are neither UTF-8 nor declared otherwise.
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(f"not valid utf-8 text at byte {exc.start} and no coding declaration; skipped") from None
        raise SourceError("invalid coding declaration; skipped") from None
    except LookupError as exc:
        raise SourceError(f"unknown encoding in the coding declaration: {exc}; skipped") from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid {exc.encoding} text at byte {exc.start}; skipped") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return Source(path=path, data=data, text=text)
