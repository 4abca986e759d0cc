"""Untrusted code: parser bombs turned away, crashes and stalls contained, a failing rule costs itself only."""

from __future__ import annotations

import ctypes
import json
import os
import time
from pathlib import Path

import jsonschema
import libcst as cst
import pytest

from auth_review.analyzers import parsing
from auth_review.analyzers.cli import EXIT_FINDINGS, EXIT_UNANALYSED, main
from auth_review.analyzers.config import Config
from auth_review.analyzers.engine import analyze_source
from auth_review.analyzers.isolate import Batch, Failure, Limits, Sandbox
from auth_review.analyzers.registry import get_rule
from auth_review.analyzers.source import Source
from auth_review.analyzers.walk import Handler, dispatch, remove_handlers

SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif" / "sarif-schema-2.1.0.json"

# Each shape was measured against libcst's native parser: a segfault, gigabytes, or minutes.
BOMBS = {
    "parens": "import jwt\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
    "lambdas": "import jwt\nx = " + "lambda: " * 3000 + "1\n",
    "subscripts": "import jwt\nx = a" + "[0]" * 3000 + "\n",
    "sum": "import jwt\nx = " + "+".join(["a"] * 20000) + "\n",
    "keywords": "import jwt\nf(" + ",".join(f"k{i}=1" for i in range(50000)) + ")\n",
    "conjunction": "import jwt\nx = " + " and ".join(["a"] * 10000) + "\n",
    "comparison": "import jwt\nx = " + " < ".join(["a"] * 10000) + "\n",
    "indentation": "import jwt\n" + "".join("    " * i + "if a:\n" for i in range(120)) + "    " * 120 + "pass\n",
    "nested-deep": "import jwt\nx = " + "-" * 1200 + "a\n",
}
DEFECT = "import jwt\n\n\ndef user(token, key):\n    return jwt.decode(token, key)\n"


def _source(text: str, path: str = "app/x.py") -> Source:
    return Source(path, text.encode(), text)


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_known_parser_bombs_are_refused_in_milliseconds(name: str) -> None:
    started = time.perf_counter()
    with pytest.raises(parsing.Refused):
        parsing.parse_module(_source(BOMBS[name]))
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("code", [
    "x = " + " and ".join(["a"] * 800) + "\n",  # wide, but under the limit
    "x = " + "(" * 150 + "1" + ")" * 150 + "\n",  # deep, but Python compiles it
    "DATA = [\n" + "".join(f"    {i},\n" for i in range(20000)) + "]\n",  # big generated tables are code too
    "try:\n    pass\nexcept ValueError, KeyError:\n    pass\n",  # Python 3.14 syntax (PEP 758)
    "type Pair[T] = tuple[T, T]\n\n\ndef first[T](p: Pair[T]) -> T:\n    return p[0]\n",  # PEP 695
])
def test_ordinary_and_newer_code_is_parsed(code: str) -> None:
    assert parsing.parse_module(_source(code)).body  # (printing a tree 800 deep needs the analysis process's stack)


# --- the sandbox: module-level work functions (they travel to the child processes by name) -----------

def _setup(tag: str) -> str:
    return tag


def _work(state: str, item: tuple[str, int]) -> tuple[str, int, int]:
    kind, n = item
    if kind == "segfault":
        ctypes.string_at(0)
    elif kind == "stall":
        while True:
            pass
    elif kind == "memory":
        hog = [bytearray(64 * 1024 * 1024) for _ in range(64)]
        return state, len(hog), os.getpid()
    elif kind == "bug":
        raise ValueError("a bug in a rule")
    return state, n, os.getpid()


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_sandbox_contains_crash_stall_memory_and_bugs(method: str) -> None:
    items = [("ok", 1), ("segfault", 2), ("ok", 3), ("stall", 4), ("memory", 5), ("ok", 6), ("bug", 7), ("ok", 8)]
    # (Little memory: touching each page on the way to the limit is what takes time.)
    sandbox = Sandbox(2, Limits(seconds=4, memory_mb=64), method=method)
    try:
        results = {i: outcome for _, i, outcome in sandbox.run([Batch(_setup, ("first",), _work, items)])}
        assert sorted(results) == list(range(len(items)))
        assert [results[i][:2] for i in (0, 2, 5, 7)] == [("first", 1), ("first", 3), ("first", 6), ("first", 8)]
        reasons = {items[i][0]: r.reason for i, r in results.items() if isinstance(r, Failure)}
        assert set(reasons) == {"segfault", "stall", "memory", "bug"}
        assert "crashed" in reasons["segfault"] and "SIGSEGV" in reasons["segfault"]
        assert "took longer than the 4-second limit" in reasons["stall"]
        assert "memory limit" in reasons["memory"]
        assert reasons["bug"] == "internal error: ValueError: a bug in a rule"
        # The broken children were replaced; a later run sets its own state up in them.
        [(_, _, again)] = list(sandbox.run([Batch(_setup, ("second",), _work, [("ok", 9)])]))
        assert again[:2] == ("second", 9)
    finally:
        sandbox.close()


# --- one rule failing costs that rule only ----------------------------------------------------------

def test_a_failing_rule_is_reported_and_the_others_and_bandit_still_run(monkeypatch: pytest.MonkeyPatch) -> None:
    # The md5 call comes first: the failing rule raises on the very node AR501 (later in the list) must see.
    code = "import hashlib\n\n\ndef digest(password):\n    return hashlib.md5(password.encode()).hexdigest()\n\n\n" + DEFECT
    expected = {(f.rule_id, f.line) for f in analyze_source(_source(code, "app/auth.py"), Config(ignore=("AR201",))).findings}
    rule = get_rule("AR201")
    assert rule is not None

    def explode(self, node):  # type: ignore[no-untyped-def]
        raise RecursionError("maximum recursion depth exceeded")

    handler = next(name for name in vars(rule) if name.startswith("visit_"))
    monkeypatch.setattr(rule, handler, explode)
    result = analyze_source(_source(code, "app/auth.py"), Config())
    assert {(f.rule_id, f.line) for f in result.findings} == expected  # the other rules ran, every one
    assert "AR501" in {rule_id for rule_id, _ in expected}
    [warning] = result.errors
    assert warning.level == "warning" and warning.path == "app/auth.py"
    assert warning.message.startswith("rule AR201 failed on this file (RecursionError")


def test_a_dropped_handler_does_not_cost_the_next_one_its_node() -> None:
    class Failing:
        def visit(self, node: cst.CSTNode) -> None:
            raise RecursionError("deep")

    class Counting:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def visit(self, node: cst.CSTNode) -> None:
            self.seen.append(node.value)  # type: ignore[attr-defined]

    failing, counting = Failing(), Counting()
    enter: dict[type, list[Handler]] = {cst.Name: [failing.visit, counting.visit]}
    errors: list[Exception] = []

    def on_error(handler: Handler, exc: Exception) -> None:
        errors.append(exc)
        remove_handlers(handler.__self__, enter)  # type: ignore[attr-defined]

    dispatch(cst.parse_module("a = b + c\n"), enter, {}, [], on_error)
    assert counting.seen == ["a", "b", "c"] and len(errors) == 1
    with pytest.raises(RecursionError):
        dispatch(cst.parse_module("a\n"), {cst.Name: [failing.visit]}, {}, [])  # without on_error: loud


def test_a_file_only_newer_python_reads_keeps_auth_reviews_findings() -> None:
    code = DEFECT + "\n\ndef parse(raw):\n    try:\n        return int(raw)\n    except ValueError, TypeError:\n        return None\n"
    result = analyze_source(_source(code, "app/auth.py"), Config())
    assert [f.rule_id for f in result.findings] == ["AR201"]
    [note] = result.errors
    assert note.analysed and "Bandit skipped this file" in note.message


# --- the command line: unanalysed files are not silence -------------------------------------------

def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_scan_of_bombs_and_a_defect_reports_both(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, text in BOMBS.items():
        (tmp_path / f"{name}.py").write_text(text)
    (tmp_path / "auth.py").write_text(DEFECT)
    code, out, _ = _run(["scan", str(tmp_path), "--format", "json"], capsys)
    assert code == EXIT_FINDINGS
    document = json.loads(out)
    assert [f["rule_id"] for f in document["findings"]] == ["AR201"]
    errors = {e["path"]: e for e in document["errors"]}
    assert set(errors) == {f"{name}.py" for name in BOMBS}
    assert all(e["level"] == "error" and e["message"].startswith("not analysed: ") for e in errors.values())


def test_scan_with_an_unanalysed_file_does_not_exit_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bomb.py").write_text(BOMBS["parens"])
    (tmp_path / "safe.py").write_text("import os\n")
    code, out, _ = _run(["scan", str(tmp_path)], capsys)
    assert code == EXIT_UNANALYSED == 3
    assert "bomb.py: error: not analysed: brackets nested deeper than Python allows" in out
    assert "No findings in 2 files; 1 file could not be analysed." in out
    code, out, _ = _run(["scan", str(tmp_path), "--format", "sarif"], capsys)
    assert code == EXIT_UNANALYSED
    document = json.loads(out)
    jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))
    [invocation] = document["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bomb.py"


def test_scan_gives_up_a_file_at_its_time_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # One keyword per line: no cheap check objects, and libcst needs seconds (and hundreds of MB) for it.
    (tmp_path / "slow.py").write_text("f(\n" + "".join(f"    k{i}=1,\n" for i in range(50000)) + ")\n")
    (tmp_path / "auth.py").write_text(DEFECT)
    started = time.monotonic()
    code, out, _ = _run(["scan", str(tmp_path), "--file-timeout", "1", "-j", "1"], capsys)
    assert code == EXIT_FINDINGS and "auth.py:5:12: AR201" in out
    assert "slow.py: error: not analysed: took longer than the 1-second limit per file" in out
    assert time.monotonic() - started < 20
    code, out, _ = _run(["scan", str(tmp_path / "slow.py"), "--file-memory", "64"], capsys)
    assert code == EXIT_UNANALYSED and "memory limit" in out
