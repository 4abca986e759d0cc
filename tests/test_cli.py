"""The ``auth-review scan`` command: formats, exit codes, --diff, configuration, bad input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from auth_review.analyzers.cli import main

SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif" / "sarif-schema-2.1.0.json"

VULNERABLE = '''\
import jwt


def current_user(token, key):
    return jwt.decode(token, key)
'''
SAFE = '''\
import jwt


def current_user(token, key):
    return jwt.decode(token, key, algorithms=["RS256"])
'''


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "auth.py").write_text(VULNERABLE)
    (tmp_path / "app" / "safe.py").write_text(SAFE)
    return tmp_path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_text_output_names_file_line_rule_and_fix(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["scan", str(project), "--select", "AR"], capsys)
    assert code == 1
    assert "app/auth.py:5:12: AR201" in out
    assert '+    return jwt.decode(token, key, algorithms=["HS256"])' in out
    assert "safe.py" not in out
    assert "Found 1 finding (1 high) in 2 files." in out


def test_json_output_schema_and_relative_paths(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["scan", str(project), "--format", "json", "--select", "AR"], capsys)
    assert code == 1
    document = json.loads(out)
    assert set(document) == {"version", "findings", "errors"}
    (finding,) = document["findings"]
    assert set(finding) == {"rule_id", "title", "severity", "confidence", "cwe", "path", "line", "end_line",
                            "column", "message", "fix", "fingerprint", "tool"}
    assert finding["path"] == "app/auth.py" and finding["line"] == 5 and finding["tool"] == "auth-review"
    assert finding["cwe"] == 347 and finding["severity"] == "high"
    assert finding["fix"] == {"line": 5, "end_line": 5,
                              "replacement": '    return jwt.decode(token, key, algorithms=["HS256"])'}


def test_clean_scan_exits_zero(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["scan", str(project / "app" / "safe.py"), "--format", "json"], capsys)
    assert code == 0
    assert json.loads(out)["findings"] == []


def test_min_severity_threshold_decides_exit_code(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["scan", str(project), "--select", "AR", "--min-severity", "critical"], capsys)[0] == 0
    assert run(["scan", str(project), "--select", "AR", "--min-severity", "high"], capsys)[0] == 1


def test_usage_errors_exit_two(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["scan", str(project / "missing")], capsys)
    assert code == 2 and "no such file" in err
    code, _, err = run(["scan", str(project), "--min-severity", "severe"], capsys)
    assert code == 2 and "--min-severity" in err
    code, _, err = run(["scan", str(project), "--select", "XX1"], capsys)
    assert code == 2 and "--select" in err
    with pytest.raises(SystemExit) as exc:
        main(["scan", "--format", "xml"])
    assert exc.value.code == 2


def test_sarif_validates_and_carries_rules_fingerprints_and_fixes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app" / "shell.py").write_text('import subprocess\n\nsubprocess.call("ls " + name, shell=True)\n')
    code, out, _ = run(["scan", str(project), "--format", "sarif"], capsys)
    assert code == 1
    document = json.loads(out)
    jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))
    run_ = document["runs"][0]
    rule_ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    assert "AR201" in rule_ids and "B602" in rule_ids
    ar201 = next(r for r in run_["tool"]["driver"]["rules"] if r["id"] == "AR201")
    assert "Why is this bad" in ar201["help"]["text"] and ar201["properties"]["security-severity"]
    for result in run_["results"]:
        assert result["ruleId"] in rule_ids
        assert result["partialFingerprints"]["authReview/v1"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "://" not in uri
    fixed = next(r for r in run_["results"] if r["ruleId"] == "AR201")
    replacement = fixed["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["deletedRegion"]["startLine"] == 5
    assert 'algorithms=["HS256"]' in replacement["insertedContent"]["text"]


def test_output_file(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.sarif"
    code, out, _ = run(["scan", str(project), "--format", "sarif", "--output", str(target)], capsys)
    assert code == 1 and out == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"


def test_unparsable_binary_and_non_utf8_files_are_errors_not_crashes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app" / "broken.py").write_text("def broken(:\n    pass\n")
    (project / "app" / "blob.py").write_bytes(b"\x00\x01\x02binary")
    (project / "app" / "latin.py").write_bytes(b"name = '\xe9t\xe9'\n")
    (project / "app" / "declared.py").write_bytes(b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\n")
    code, out, _ = run(["scan", str(project), "--format", "json"], capsys)
    document = json.loads(out)
    errors = {e["path"]: e["message"] for e in document["errors"]}
    assert "cannot parse" in errors["app/broken.py"]
    assert "binary" in errors["app/blob.py"]
    assert "not valid utf-8" in errors["app/latin.py"]
    assert "app/declared.py" not in errors  # a PEP 263 cookie is honoured
    assert [f["path"] for f in document["findings"] if f["rule_id"] == "AR201"] == ["app/auth.py"]
    assert code == 1


def test_huge_file_is_skipped_with_a_reason(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text("[tool.auth-review]\nmax-file-size = 100\n")
    (project / "app" / "big.py").write_text("x = 1\n" * 100)
    _, out, _ = run(["scan", str(project), "--format", "json"], capsys)
    errors = {e["path"]: e["message"] for e in json.loads(out)["errors"]}
    assert "max-file-size" in errors["app/big.py"]


def test_suppression_comments(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app" / "auth.py").write_text(VULNERABLE.replace("key)", "key)  # auth-review: ignore[AR201]"))
    (project / "app" / "other.py").write_text(
        "import jwt\n\n# auth-review: ignore\nclaims = jwt.decode(\n    t,\n    k,\n)\n"
        "more = jwt.decode(t, k)  # auth-review: ignore[AR999]\n"
    )
    _, out, _ = run(["scan", str(project), "--format", "json", "--select", "AR"], capsys)
    found = [(f["path"], f["line"]) for f in json.loads(out)["findings"]]
    assert found == [("app/other.py", 8)]


def test_config_from_pyproject_and_yaml(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text('[tool.auth-review]\nignore = ["B"]\n')
    _, out, _ = run(["scan", str(project), "--format", "json"], capsys)
    assert {f["rule_id"] for f in json.loads(out)["findings"]} == {"AR201"}
    (project / ".github").mkdir()
    (project / ".github" / "auth-review.yml").write_text("exclude:\n  - app/auth.py\n")
    code, out, _ = run(["scan", str(project), "--format", "json"], capsys)
    assert json.loads(out)["findings"] == [] and code == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[tool.auth-review]\nselct = ['AR2']\n", "unknown key 'selct' (did you mean 'select'?)"),
        ("[tool.auth-review]\nmin-severity = 'urgent'\n", "min-severity: unknown severity 'urgent'"),
        ("[tool.auth-review]\nbandit = 'no'\n", "bandit must be true or false"),
        ("[tool.auth-review]\nselect = 'AR2, nope'\n", "select: 'NOPE' is not a rule id"),
    ],
)
def test_bad_configuration_names_the_key(project: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str) -> None:
    (project / "pyproject.toml").write_text(text)
    code, _, err = run(["scan", str(project)], capsys)
    assert code == 2
    assert expected in err and "pyproject.toml [tool.auth-review]" in err


def test_yaml_config_error_names_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".github").mkdir()
    (project / ".github" / "auth-review.yml").write_text("exclude: 3\n")
    code, _, err = run(["scan", str(project)], capsys)
    assert code == 2 and "auth-review.yml: exclude must be a list of strings" in err


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_diff_reports_only_changed_lines(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _git(project, "init", "-q", "-b", "main")
    _git(project, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-A")
    _git(project, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "base")
    # A new defect on a new line; the old one on line 5 is untouched.
    (project / "app" / "auth.py").write_text(VULNERABLE + "\n\ndef other(token, key):\n    return jwt.decode(token, key)\n")
    (project / "app" / "new.py").write_text(VULNERABLE)  # untracked: every line is new
    code, out, _ = run(["scan", str(project), "--diff", "HEAD", "--format", "json", "--select", "AR"], capsys)
    assert code == 1
    found = sorted((f["path"], f["line"]) for f in json.loads(out)["findings"])
    assert found == [("app/auth.py", 9), ("app/new.py", 5)]
    code, _, err = run(["scan", str(project), "--diff", "no-such-ref"], capsys)
    assert code == 2 and "git" in err


def test_fingerprint_survives_unrelated_line_shifts(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["scan", str(project), "--format", "json", "--select", "AR"], capsys)
    before = json.loads(out)["findings"][0]
    (project / "app" / "auth.py").write_text('"""Docs."""\n\nCONSTANT = 1\n' + VULNERABLE)
    _, out, _ = run(["scan", str(project), "--format", "json", "--select", "AR"], capsys)
    after = json.loads(out)["findings"][0]
    assert after["line"] == before["line"] + 3
    assert after["fingerprint"] == before["fingerprint"]


def test_rules_command_lists_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules"], capsys)
    assert code == 0 and "AR201" in out and "jwt-algorithms-not-pinned" in out


def test_docs_rules_md_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/rules.md (where every finding's help link points) matches the rule docstrings."""
    code, out, _ = run(["rules", "--markdown"], capsys)
    docs = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
    assert code == 0
    assert docs.read_text() == out, "regenerate with: auth-review rules --markdown > docs/rules.md"


def test_process_pool_gives_the_same_result_as_one_process(tmp_path: Path) -> None:
    from auth_review.analyzers.config import Config
    from auth_review.analyzers.engine import discover_files, scan

    for i in range(40):
        (tmp_path / f"m{i}.py").write_text(VULNERABLE if i % 3 == 0 else SAFE)
    (tmp_path / "broken.py").write_text("def (:\n")
    config = Config()
    files = discover_files(tmp_path, [tmp_path], config)
    serial = scan(tmp_path, files, config, jobs=1)
    pooled = scan(tmp_path, files, config, jobs=2)
    assert [f.to_dict() for f in pooled.findings] == [f.to_dict() for f in serial.findings]
    assert pooled.errors == serial.errors and len(serial.errors) == 1
    assert len([f for f in serial.findings if f.rule_id == "AR201"]) == 14
    assert serial.lines == pooled.lines > 0


def test_progress_indicator_redraws_one_line() -> None:
    import io

    from auth_review.analyzers.cli import _Progress

    stream = io.StringIO()
    progress = _Progress(stream)
    for done in range(1, 4):
        progress(done, 3)
    progress.clear()
    text = stream.getvalue()
    assert "\rauth-review: scanned 1/3 files (33%)" in text
    assert text.endswith("scanned 3/3 files (100%)\r\033[K")


def test_auth_review_finds_nothing_in_its_own_code(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot practises what it preaches: `auth-review scan bot analyzers` reports nothing."""
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    code, out, _ = run(["scan", "bot", "analyzers", "--format", "json"], capsys)
    document = json.loads(out)
    assert (code, document["findings"], document["errors"]) == (0, [], [])


def test_one_named_file_is_judged_with_the_whole_project_as_context(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """``scan intranet/views.py`` reports on that file only, but reads settings, urlconfs and models
    elsewhere: the intranet's LoginRequiredMiddleware guards its views, the opt-out view leaks orders."""
    import shutil

    app = tmp_path / "app"
    shutil.copytree(Path(__file__).parent / "corpus" / "django_views_app", app)
    (app / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    code, out, _ = run(["scan", str(app / "intranet" / "views.py"), "--format", "json", "--no-bandit",
                        "--select", "AR101,AR102"], capsys)
    found = {(f["path"], f["line"], f["rule_id"]) for f in json.loads(out)["findings"]}
    assert found == {("intranet/views.py", 46, "AR101")}, found
    assert code == 1
