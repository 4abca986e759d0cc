"""``auth-review``: the command line.

``auth-review scan`` analyses a checkout with ``analyzers`` alone (no network,
no GitHub). Exit codes: 0 no findings at or above the threshold and every file
analysed, 1 findings, 2 usage or internal error, 3 no findings but some file
could not be analysed (a parser bomb, a syntax error, a file over the limits).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from . import __version__
from .config import (
    Config,
    ConfigError,
    _enum,
    _rule_ids,
    find_project_root,
    load_file,
    load_project_config,
)
from .diffmap import DiffError, changed_since
from .engine import ScanResult, discover_files, scan
from .findings import Confidence, Severity
from .isolate import Limits
from .registry import all_rules
from .report import rules_markdown, to_json, to_sarif, to_text

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_UNANALYSED = 0, 1, 2, 3


class UsageError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auth-review",
        description="Find authentication and authorization defects in Python code, with suggested fixes.",
    )
    parser.add_argument("--version", action="version", version=f"auth-review {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_commands(commands)
    return parser


def add_commands(commands: argparse._SubParsersAction) -> None:
    """The analysis commands (``scan``, ``rules``); the bot adds its own beside them."""
    s = commands.add_parser("scan", help="scan files or folders", description="Scan Python files for auth defects.")
    s.add_argument("paths", nargs="*", type=Path, default=[Path(".")], metavar="PATH",
                   help="files or folders to scan (default: the current folder)")
    s.add_argument("--format", choices=("text", "json", "sarif"), default="text", help="output format (default: text)")
    s.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE instead of stdout")
    s.add_argument("--diff", metavar="GIT_REF", help="report only findings on lines added or changed since GIT_REF")
    s.add_argument("--select", metavar="IDS", help="only these rules or prefixes, comma-separated (AR201,AR3,B105)")
    s.add_argument("--ignore", metavar="IDS", help="skip these rules or prefixes, comma-separated")
    s.add_argument("--min-severity", metavar="LEVEL", help="report findings of this severity or higher (low, medium, high, critical)")
    s.add_argument("--min-confidence", metavar="LEVEL",
                   help="report findings of this confidence or higher (low, medium, high; default: medium)")
    s.add_argument("--all", action="store_true", dest="everything",
                   help="report every finding, low confidence included (same as --min-confidence low)")
    s.add_argument("--config", type=Path, metavar="FILE", help="a configuration file (TOML or YAML) applied after the project's")
    s.add_argument("--no-bandit", action="store_true", help="run auth-review's rules only, not Bandit's")
    s.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: one per core)")
    s.add_argument("--quiet", "-q", action="store_true", help="no progress indicator")
    s.add_argument("--file-timeout", type=float, default=Limits.seconds, metavar="SECONDS",
                   help=f"analysis time per file before it is given up (default: {Limits.seconds:g})")
    s.add_argument("--file-memory", type=int, default=Limits.memory_mb, metavar="MB",
                   help=f"memory one file's analysis may take (default: {Limits.memory_mb})")
    s.set_defaults(func=run_scan)

    r = commands.add_parser("rules", help="list the rules", description="List auth-review's rules.")
    r.add_argument("--markdown", action="store_true", help="print the full rule documentation as Markdown")
    r.set_defaults(func=run_rules)


def _configure(args: argparse.Namespace, root: Path) -> Config:
    config = load_project_config(root)
    if args.config is not None:
        config = load_file(config, args.config)
    changes: dict[str, object] = {}
    if args.select:
        changes["select"] = _rule_ids("--select", args.select)
    if args.ignore:
        changes["ignore"] = config.ignore + _rule_ids("--ignore", args.ignore)
    if args.min_severity:
        changes["min_severity"] = _enum(Severity.parse)("--min-severity", args.min_severity)
    if args.min_confidence:
        changes["min_confidence"] = _enum(Confidence.parse)("--min-confidence", args.min_confidence)
    elif args.everything:
        changes["min_confidence"] = Confidence.LOW
    if args.no_bandit:
        changes["bandit"] = False
    return replace(config, **changes) if changes else config


def _scan_root(paths: list[Path]) -> Path:
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
    resolved = [p.resolve() for p in paths]
    common = Path(os.path.commonpath([str(p) for p in resolved]))
    return find_project_root(common)


class _Progress:
    """A one-line counter on a terminal's stderr, redrawn at most ten times a second."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - self.last >= 0.1:
            self.last = now
            self.stream.write(f"\rauth-review: scanned {done}/{total} files ({100 * done // max(1, total)}%)")
            self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r\033[K")
        self.stream.flush()


def run_scan(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.file_timeout <= 0 or args.file_memory <= 0:
        raise UsageError("--file-timeout and --file-memory must be positive")
    root = _scan_root(args.paths)
    config = _configure(args, root)
    files = discover_files(root, args.paths, config)
    # Rules read the rest of the project for context (settings, urlconfs, guards defined elsewhere),
    # parsed only when a rule asks; findings are reported on the named files alone.
    marked = (root / ".git").exists() or (root / "pyproject.toml").is_file()  # a project, not just a folder
    context = files if not marked or [p.resolve() for p in args.paths] == [root] else discover_files(root, [root], config)
    changed = None
    if args.diff:
        changed = changed_since(root, args.diff)
        wanted = changed.files()
        files = [f for f in files if f in wanted]
    progress = _Progress(sys.stderr) if sys.stderr.isatty() and not args.quiet and len(files) > 1 else None
    try:
        result = scan(root, files, config, jobs=args.jobs, progress=progress, context=context,
                      limits=Limits(seconds=args.file_timeout, memory_mb=args.file_memory))
    finally:
        if progress:
            progress.clear()
    if changed is not None:
        result.findings = [f for f in result.findings if changed.touches(f.path, f.line, f.end_line)]
    _write(args, result)
    if result.findings:
        return EXIT_FINDINGS
    return EXIT_UNANALYSED if result.unanalysed else EXIT_CLEAN


def _write(args: argparse.Namespace, result: ScanResult) -> None:
    if args.format == "json":
        report = to_json(result)
    elif args.format == "sarif":
        report = to_sarif(result)
    else:
        colour = args.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        report = to_text(result, colour=colour)
    if args.output is not None:
        args.output.write_text(report, "utf-8")
        if args.format != "text" or result.errors:
            print(f"auth-review: wrote {args.format} report to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(report)
    if args.format != "text":
        for error in result.errors:
            print(f"auth-review: {error.path}: {error.level}: {error.message}", file=sys.stderr)


def run_rules(args: argparse.Namespace) -> int:
    if args.markdown:
        sys.stdout.write(rules_markdown())
        return EXIT_CLEAN
    for rule in all_rules():
        print(f"{rule.id}  {rule.severity.label:<8} {rule.name:<34} {rule.title}")
    return EXIT_CLEAN


def main(argv: list[str] | None = None, parser: argparse.ArgumentParser | None = None) -> int:
    parser = parser or build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (UsageError, ConfigError, DiffError) as exc:
        print(f"auth-review: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("auth-review: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception:  # an internal error: say so, with the trace for a bug report
        traceback.print_exc()
        print("auth-review: internal error (please report it with the trace above)", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
