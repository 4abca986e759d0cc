"""Precision on real code: maintained open-source web applications, scanned as projects, every finding triaged.

    python bench/realworld.py [--apps a,b] [--mirrors DIR] [--cache DIR] [--untriaged] [--add-untriaged]

``bench/realworld/apps.toml`` pins each application (repository and commit) and the folders that are the
application. Each is fetched at its commit into a cache outside the repository (``--cache``, default
``~/.cache/auth-review/realworld``): from a local mirror when ``--mirrors DIR`` holds ``owner+name/repo``
git directories, else cloned from GitHub. Their code is never committed here.

Each application is scanned as a project with the defaults a user gets (all rules and Bandit), and every
finding is looked up by fingerprint in ``bench/realworld/triage/<name>.toml``: ``tp`` (a real defect the
maintainers would want to hear of), ``fp`` (wrong) or ``debatable``, each with a one-line reason. Printed:
findings per 10k lines per application, precision per rule and per confidence level (tp / (tp + fp),
debatable left out), and how many findings are not triaged yet (``--untriaged`` lists them;
``--add-untriaged`` appends them to the triage files with ``verdict = "?"`` for a person to fill in).
"""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
import time
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auth_review.analyzers.config import load_project_config  # noqa: E402
from auth_review.analyzers.engine import discover_files, scan  # noqa: E402
from auth_review.analyzers.findings import Confidence, Finding  # noqa: E402
from auth_review.analyzers.registry import all_rules  # noqa: E402

HERE = Path(__file__).resolve().parent / "realworld"
VERDICTS = ("tp", "fp", "debatable")


@dataclass(frozen=True)
class App:
    name: str
    repo: str
    commit: str
    frameworks: tuple[str, ...]
    scan: tuple[str, ...]
    vulnerable: bool = False  # deliberately vulnerable: measured for recall against labels/<name>.toml


@dataclass(frozen=True)
class Label:
    """One vulnerability the application documents, where it is, and the rules that should find it."""

    id: str
    where: str  # path, path:line or path:function (``Class.method`` for a method)
    rules: tuple[str, ...]  # empty: outside the catalogue (counted, never expected)
    doc: str  # where the application documents it, in its own words


def load_labels(name: str) -> list[Label]:
    path = HERE / "labels" / f"{name}.toml"
    if not path.is_file():
        return []
    data = tomllib.loads(path.read_text("utf-8"))
    return [Label(v["id"], v["where"], tuple(v.get("rules", ())), v.get("doc", "")) for v in data.get("vuln", [])]


def _span(root: Path, path: str, where: str) -> tuple[int, int] | None:
    """The lines a label covers: a function's (or method's) body, one line give or take two, or the file."""
    if not where:
        return 1, 10**9
    if where.isdigit():
        return max(1, int(where) - 2), int(where) + 2
    try:
        tree = ast.parse((root / path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return None
    wanted = where.split(".")
    body: list[ast.stmt] = tree.body
    node: ast.AST | None = None
    for part in wanted:
        node = next((n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                     and n.name == part), None)
        if node is None:
            return None
        body = node.body  # type: ignore[attr-defined]
    decorators = getattr(node, "decorator_list", [])
    start = min([node.lineno, *(d.lineno for d in decorators)])  # type: ignore[union-attr]
    return start, node.end_lineno or start  # type: ignore[union-attr]


def found_labels(root: Path, labels: list[Label], findings: list[Finding],
                 equivalents: dict[str, frozenset[str]] | None = None) -> tuple[list[Label], list[Label]]:
    """(found, missed) among the labels a catalogue rule should find. With ``equivalents`` (rule id -> the
    Bandit tests that flag the same defect), Bandit's findings are judged instead of the rules'."""
    found, missed = [], []
    for label in labels:
        if not label.rules:
            continue
        path, _, where = label.where.partition(":")
        span = _span(root, path, where)
        if span is None:
            raise SystemExit(f"bench/realworld.py: label {label.id}: {label.where} does not resolve")
        unknown = set(label.rules) - {r.id for r in all_rules()}
        if unknown:
            raise SystemExit(f"bench/realworld.py: label {label.id}: no such rule {', '.join(sorted(unknown))}")
        wanted = set(label.rules) if equivalents is None else {b for r in label.rules for b in equivalents.get(r, ())}
        hit = any(f.rule_id in wanted and f.path == path and span[0] <= f.line <= span[1] for f in findings)
        (found if hit else missed).append(label)
    return found, missed


@dataclass(frozen=True)
class Verdict:
    verdict: str  # tp | fp | debatable | ? (not triaged yet)
    reason: str


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, verdict: str) -> None:
        self.counts[verdict if verdict in VERDICTS else "untriaged"] += 1

    @property
    def precision(self) -> float | None:
        judged = self.counts["tp"] + self.counts["fp"]
        return self.counts["tp"] / judged if judged else None

    def row(self) -> str:
        p = self.precision
        shown = f"{p:5.2f}" if p is not None else "    -"
        c = self.counts
        return f"{shown}  tp {c['tp']:3}  fp {c['fp']:3}  debatable {c['debatable']:2}  untriaged {c['untriaged']:3}"


def load_apps(only: set[str] | None) -> list[App]:
    manifest = tomllib.loads((HERE / "apps.toml").read_text("utf-8"))
    apps = [App(a["name"], a["repo"], a["commit"], tuple(a.get("frameworks", ())), tuple(a["scan"]),
                a.get("vulnerable", False)) for a in manifest["app"]]
    if only:
        unknown = only - {a.name for a in apps}
        if unknown:
            raise SystemExit(f"bench/realworld.py: no such app in apps.toml: {', '.join(sorted(unknown))}")
        apps = [a for a in apps if a.name in only]
    return apps


def checkout(app: App, cache: Path, mirrors: Path | None) -> Path:
    """The application's tree at its pinned commit, extracted once into the cache."""
    target = cache / f"{app.name}-{app.commit[:12]}"
    if (target / ".complete").is_file():
        return target
    git_dir = mirrors / app.repo.replace("/", "+") / "repo" if mirrors else None
    if git_dir is None or not git_dir.is_dir():
        git_dir = cache / "clones" / app.repo.replace("/", "+")
        if not git_dir.is_dir():
            subprocess.run(["git", "clone", "--bare", "--filter=blob:none", f"https://github.com/{app.repo}.git",
                            str(git_dir)], check=True)
    target.mkdir(parents=True, exist_ok=True)
    for path, data in _python_files(git_dir, app.commit):
        out = target / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    (target / ".complete").write_text(app.commit)
    return target


# What a scan reads: Python files and the project's configuration (a mirror may lack large binary blobs).
_WANTED = (".py", "pyproject.toml", "setup.cfg", ".github/auth-review.yml", ".yaml", ".yml")  # YAML: OpenAPI documents


def _python_files(git_dir: Path, commit: str) -> list[tuple[str, bytes]]:
    listing = subprocess.run(["git", f"--git-dir={git_dir}", "ls-tree", "-r", "-z", commit],
                             check=True, capture_output=True).stdout.split(b"\0")
    wanted: list[tuple[str, str]] = []  # (blob id, path)
    for entry in filter(None, listing):
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, blob = meta.split()
        path = raw_path.decode("utf-8", "replace")
        if kind == b"blob" and mode != b"120000" and path.endswith(_WANTED):
            wanted.append((blob.decode(), path))
    batch = subprocess.run(["git", f"--git-dir={git_dir}", "cat-file", "--batch"], check=True, capture_output=True,
                           input="".join(f"{blob}\n" for blob, _ in wanted).encode()).stdout
    files, at = [], 0
    for _, path in wanted:
        header_end = batch.index(b"\n", at)
        header = batch[at:header_end].split()
        at = header_end + 1
        if header[-1] == b"missing":
            continue  # not in the mirror: its content is not ours to guess
        size = int(header[2])
        files.append((path, batch[at:at + size]))
        at += size + 1
    return files


def load_triage(name: str) -> dict[str, Verdict]:
    path = HERE / "triage" / f"{name}.toml"
    if not path.is_file():
        return {}
    data = tomllib.loads(path.read_text("utf-8"))
    return {f["fingerprint"]: Verdict(f.get("verdict", "?"), f.get("reason", "")) for f in data.get("finding", [])}


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def add_untriaged(name: str, findings: list[Finding]) -> None:
    """Append skeleton entries for a person to judge (the file stays valid TOML, one table per finding)."""
    path = HERE / "triage" / f"{name}.toml"
    lines = [] if path.is_file() else [f"# Verdicts for {name}'s findings, by fingerprint: tp, fp or debatable.\n"]
    for f in sorted(findings, key=lambda f: (f.path, f.line, f.rule_id)):
        lines.append(
            f"\n[[finding]]\nfingerprint = {_toml_string(f.fingerprint)}\nrule = {_toml_string(f.rule_id)}\n"
            f"where = {_toml_string(f'{f.path}:{f.line}')}\nconfidence = {_toml_string(f.confidence.label)}\n"
            f"message = {_toml_string(f.message[:160])}\nverdict = \"?\"\nreason = \"\"\n")
    with path.open("a", encoding="utf-8") as out:
        out.writelines(lines)


def scan_app(app: App, root: Path, bandit_alone: bool = False) -> tuple[list[Finding], int, float]:
    """Everything is scanned and triaged, low confidence included; the default profile is computed from it.
    ``bandit_alone``: Bandit with every test on, as a team running it by itself would."""
    config = replace(load_project_config(root), min_confidence=Confidence.LOW)
    if bandit_alone:
        config = replace(config, select=("B",), bandit_off=())
    targets = [root / folder for folder in app.scan]
    files = discover_files(root, targets, config)
    context = discover_files(root, [root], config)  # the whole project, for imports across folders
    started = time.perf_counter()
    result = scan(root, files, config, context=context)
    for error in result.errors:  # a rule that fails or a file that times out lowers recall: say so
        print(f"  {app.name}: {error.path}: {error.message}", file=sys.stderr)
    return result.findings, result.lines, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", help="comma-separated names from apps.toml (default: all)")
    parser.add_argument("--mirrors", type=Path, default=os.environ.get("AUTH_REVIEW_MIRRORS"),
                        help="a folder of owner+name/repo git mirrors to fetch from instead of GitHub")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "auth-review" / "realworld")
    parser.add_argument("--untriaged", action="store_true", help="list the findings no triage file judges")
    parser.add_argument("--add-untriaged", action="store_true", help="append them to the triage files as '?'")
    parser.add_argument("--show", metavar="IDS", help="list these rules' findings (prefixes, comma-separated) with "
                        "their confidence, verdict and reason")
    args = parser.parse_args()
    apps = load_apps(set(args.apps.split(",")) if args.apps else None)
    by_rule: dict[str, Tally] = defaultdict(Tally)
    by_confidence: dict[str, Tally] = defaultdict(Tally)
    by_level: dict[tuple[str, str], Tally] = defaultdict(Tally)
    inline = Tally()  # what the App comments inline by default (high confidence)
    shown = Tally()  # what the CLI reports by default (medium and high)
    profiles: dict[tuple[str, str], Tally] = defaultdict(Tally)  # (AR | Bandit, profile) -> verdicts
    total = Tally()
    total_lines = 0
    missing: list[tuple[str, Finding]] = []
    shown_rules = tuple(args.show.split(",")) if args.show else ()
    listing: list[str] = []
    print(f"{'app':<28} {'lines':>8} {'findings':>8} {'/10k lines':>10} {'seconds':>8}")
    recall: list[tuple[App, list[Label], list[Label], list[Label], list[Label]]] = []
    for app in apps:
        root = checkout(app, args.cache, args.mirrors)
        findings, lines, seconds = scan_app(app, root)
        if app.vulnerable:  # recall against its documented vulnerabilities; kept out of the precision figures
            labels = load_labels(app.name)
            shown_findings = [f for f in findings if f.confidence >= Confidence.MEDIUM]
            hit, missed = found_labels(root, labels, shown_findings)
            bandit, _, _ = scan_app(app, root, bandit_alone=True)
            bandit_hit, _ = found_labels(root, labels, [f for f in bandit if f.confidence >= Confidence.MEDIUM],
                                         equivalents={r.id: r.bandit_equivalents for r in all_rules()})
            recall.append((app, hit, missed, bandit_hit, labels))
            print(f"{app.name:<28} {lines:8} {len(findings):8} {'(vulnerable)':>10} {seconds:8.1f}", flush=True)
            continue
        total_lines += lines
        triage = load_triage(app.name)
        new = []
        for finding in findings:
            judged = triage.get(finding.fingerprint, Verdict("?", ""))
            verdict = judged.verdict
            if shown_rules and finding.rule_id.startswith(shown_rules):
                listing.append(f"  {finding.rule_id} {finding.confidence.label:<6} {verdict:<9} {app.name}: "
                               f"{finding.path}:{finding.line} {finding.message[:90]} | {judged.reason[:90]}")
            by_rule[finding.rule_id].add(verdict)
            by_confidence[finding.confidence.label].add(verdict)
            by_level[finding.rule_id, finding.confidence.label].add(verdict)
            tool = "Bandit" if finding.tool == "bandit" else "AR"
            profiles[tool, "all"].add(verdict)
            if finding.confidence >= Confidence.HIGH:
                inline.add(verdict)
                profiles[tool, "inline"].add(verdict)
            if finding.confidence >= Confidence.MEDIUM:
                shown.add(verdict)
                profiles[tool, "default"].add(verdict)
            total.add(verdict)
            if verdict not in VERDICTS:
                new.append(finding)
                missing.append((app.name, finding))
        if args.add_untriaged and new:
            add_untriaged(app.name, [f for f in new if f.fingerprint not in triage])
        per_10k = len(findings) / lines * 10_000 if lines else 0.0
        print(f"{app.name:<28} {lines:8} {len(findings):8} {per_10k:10.1f} {seconds:8.1f}", flush=True)
    maintained = [a for a in apps if not a.vulnerable]
    print(f"\n{total_lines} lines in {len(maintained)} maintained applications; {total.counts.total()} findings "
          f"({total.counts.total() / max(total_lines, 1) * 10_000:.1f} per 10k lines)\n")
    print("precision per rule (tp / (tp + fp); debatable left out)")
    for rule_id in sorted(by_rule):
        print(f"  {rule_id:<6} {by_rule[rule_id].row()}")
    print("\nprecision per confidence")
    for label in ("high", "medium", "low"):
        if label in by_confidence:
            print(f"  {label:<6} {by_confidence[label].row()}")
    print("\nprecision per rule and confidence (high: commented inline by the App; low: left out by default)")
    for (rule_id, label), tally in sorted(by_level.items(), key=lambda kv: (kv[0][0], -Confidence.parse(kv[0][1]))):
        flag = "  <- below 0.9 at high" if label == "high" and (tally.precision or 1.0) < 0.9 else ""
        print(f"  {rule_id:<6} {label:<6} {tally.row()}{flag}")
    print(f"\nall            {total.row()}")
    print(f"default (CLI)  {shown.row()}")
    print(f"inline (App)   {inline.row()}")
    per_20k = inline.counts["fp"] / max(total_lines, 1) * 20_000
    print(f"inline false alarms per 20k lines: {per_20k:.2f}")
    print("\n| findings | profile | per 10k lines | tp | fp | debatable | precision |\n|---|---|---|---|---|---|---|")
    for tool in ("AR", "Bandit"):
        for profile, meaning in (("inline", "App, inline (high)"), ("default", "CLI default, App summary (medium+)"),
                                 ("all", "everything (`--all`)")):
            tally = profiles[tool, profile]
            c, p = tally.counts, tally.precision
            print(f"| {'auth-review rules (AR)' if tool == 'AR' else 'Bandit, passed through'} | {meaning} | "
                  f"{c.total() / max(total_lines, 1) * 10_000:.1f} | {c['tp']} | {c['fp']} | {c['debatable']} | "
                  f"{'-' if p is None else f'{p:.2f}'} |")
    if recall:
        _print_recall(recall)
    if listing:
        print("\nfindings of " + ", ".join(shown_rules))
        print("\n".join(sorted(listing)))
    if args.untriaged:
        for name, f in missing:
            print(f"  {name}: {f.rule_id} {f.path}:{f.line} [{f.confidence.label}] {f.fingerprint} {f.message[:120]}")
    return 0


def _print_recall(recall: list[tuple[App, list[Label], list[Label], list[Label], list[Label]]]) -> None:
    """In-catalogue recall on the deliberately vulnerable applications (CLI default profile: medium and up),
    next to Bandit's alone (every test on; a label counts for Bandit when a test its rule folds finds it),
    and every documented vulnerability missed."""
    print("\nrecall on deliberately vulnerable applications: of the vulnerabilities each documents, those a "
          "catalogue rule covers")
    print(f"  {'app':<28} {'documented':>10} {'in catalogue':>12} {'found':>6} {'recall':>7} {'Bandit alone':>12}")
    total = found = bandit = documented = 0
    for app, hit, missed, bandit_hit, labels in recall:
        labelled = len(hit) + len(missed)
        total, found, bandit = total + labelled, found + len(hit), bandit + len(bandit_hit)
        documented += len(labels)
        print(f"  {app.name:<28} {len(labels):10} {labelled:12} {len(hit):6} {len(hit) / max(labelled, 1):7.2f} "
              f"{len(bandit_hit) / max(labelled, 1):12.2f}")
    print(f"  {'all':<28} {documented:10} {total:12} {found:6} {found / max(total, 1):7.2f} "
          f"{bandit / max(total, 1):12.2f}")
    for app, _, missed, _, _ in recall:
        for label in missed:
            print(f"  missed {app.name} {label.id}: {label.where} ({', '.join(label.rules)}) {label.doc[:80]}")


if __name__ == "__main__":
    raise SystemExit(main())
