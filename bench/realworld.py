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

HERE = Path(__file__).resolve().parent / "realworld"
VERDICTS = ("tp", "fp", "debatable")


@dataclass(frozen=True)
class App:
    name: str
    repo: str
    commit: str
    frameworks: tuple[str, ...]
    scan: tuple[str, ...]


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
    apps = [App(a["name"], a["repo"], a["commit"], tuple(a.get("frameworks", ())), tuple(a["scan"]))
            for a in manifest["app"]]
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
_WANTED = (".py", "pyproject.toml", "setup.cfg", ".github/auth-review.yml")


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


def scan_app(app: App, root: Path) -> tuple[list[Finding], int, float]:
    # Everything is scanned and triaged, low confidence included; the default profile is computed from it.
    config = replace(load_project_config(root), min_confidence=Confidence.LOW)
    targets = [root / folder for folder in app.scan]
    files = discover_files(root, targets, config)
    context = discover_files(root, [root], config)  # the whole project, for imports across folders
    started = time.perf_counter()
    result = scan(root, files, config, context=context)
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
    for app in apps:
        root = checkout(app, args.cache, args.mirrors)
        findings, lines, seconds = scan_app(app, root)
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
    print(f"\n{total_lines} lines in {len(apps)} applications; {total.counts.total()} findings "
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
    if listing:
        print("\nfindings of " + ", ".join(shown_rules))
        print("\n".join(sorted(listing)))
    if args.untriaged:
        for name, f in missing:
            print(f"  {name}: {f.rule_id} {f.path}:{f.line} [{f.confidence.label}] {f.fingerprint} {f.message[:120]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
