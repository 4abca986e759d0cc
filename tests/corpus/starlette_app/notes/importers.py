"""Import of Markdown archives exported by other note apps."""

import io
import zipfile
from datetime import datetime, timezone

MAX_FILES = 2_000
MAX_NOTE_BYTES = 1_000_000


def parse_markdown_archive(data: bytes) -> list[dict]:
    notes = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [n for n in archive.namelist() if n.endswith(".md")][:MAX_FILES]
        for name in names:
            info = archive.getinfo(name)
            if info.file_size > MAX_NOTE_BYTES:
                raise ValueError(f"{name} is larger than {MAX_NOTE_BYTES} bytes")
            text = archive.read(name).decode("utf-8")
            title, _, body = text.partition("\n")
            now = datetime.now(timezone.utc)
            notes.append({
                "title": title.lstrip("# ").strip()[:200] or name,
                "body": body,
                "tags": [],
                "created_at": now,
                "updated_at": now,
            })
    return notes
