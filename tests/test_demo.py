"""The README's main command works as written: `make demo` runs examples/demo.py."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_demo_reviews_the_sample_pull_request() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo:.*\n\t\$\(BIN\)/python examples/demo\.py$", makefile, re.M)
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "demo.py")], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "delivered signed webhook pull_request.opened: HTTP 202" in out
    assert "auth-review[bot] reviewed acme/notes-service#1 (COMMENTED)" in out
    # Inline: the high-confidence findings. Medium ones (a token logged) are listed in the review's summary.
    inline = re.findall(r"^notes/\S+:\d+  (AR\d{3}) · .*, (\w+) confidence\)$", out, re.M)
    assert {"AR201", "AR204", "AR301", "AR305", "AR501", "AR504", "AR601"} <= {rule for rule, _ in inline}
    assert {level for _, level in inline} == {"high"}
    listed = set(re.findall(r"^\| `notes/\S+:\d+` \| (AR\d{3}) \|", out, re.M))
    assert "AR701" in listed and not listed & {rule for rule, _ in inline}
    assert '+     claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256"])' in out
    assert re.search(r"check run `auth-review`: failure — \d+ new findings", out)
