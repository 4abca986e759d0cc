"""The ``auth-review`` command: the analysis commands plus ``serve``, ``worker`` and ``stats``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
from pathlib import Path

from auth_review.analyzers import cli as analysis_cli

from . import logging_setup
from .settings import SettingsError, load_settings

log = logging.getLogger("auth_review.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = analysis_cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    serve = commands.add_parser("serve", help="run the GitHub App: webhook server with an in-process worker",
                                description="Serve webhooks (POST /api/github/webhooks) and review pull requests.")
    serve.add_argument("--no-worker", action="store_true", help="only accept webhooks (run `auth-review worker` apart)")
    serve.set_defaults(func=run_serve)
    worker = commands.add_parser("worker", help="run a worker that reviews queued pull requests",
                                 description="Process queued jobs; run beside `auth-review serve --no-worker`.")
    worker.set_defaults(func=run_worker)
    stats = commands.add_parser("stats", help="per-rule feedback: posted, accepted, fixed, dismissed",
                                description="What maintainers did with auth-review's comments, per rule, from the "
                                            "App's database (DATABASE_PATH).")
    stats.add_argument("--repo", metavar="OWNER/NAME", help="one repository (default: all)")
    stats.add_argument("--since", metavar="DATE", help="only what happened since DATE (YYYY-MM-DD or ISO 8601)")
    stats.add_argument("--format", choices=("text", "json"), default="text")
    stats.add_argument("--database", metavar="PATH", help="the App's SQLite database (default: DATABASE_PATH)")
    stats.set_defaults(func=run_stats)
    return parser


def _settings():  # type: ignore[no-untyped-def]
    try:
        return load_settings()
    except SettingsError as exc:
        raise analysis_cli.UsageError(f"configuration: {exc}") from None


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .queue import SqliteQueue
    from .server import BotState, create_app
    from .store import Store
    from .worker import EXIT_DATABASE, Worker

    settings = _settings()
    logging_setup.configure(settings.log_level)
    store = Store.open(settings.database_path)
    state = BotState(settings=settings, store=store, queue=SqliteQueue(store))
    server = uvicorn.Server(uvicorn.Config(create_app(state), host=settings.host, port=settings.port, log_config=None,
                                           access_log=False))
    worker = None
    if not args.no_worker:
        # A worker that gives up on the database stops the server too: the process exits non-zero and is restarted.
        worker = Worker(state, str(settings.database_path), wake=state.wake,
                        on_fatal=lambda: setattr(server, "should_exit", True))
        thread = threading.Thread(target=worker.run_forever, name="worker", daemon=True)
        thread.start()
        state.worker_alive = thread.is_alive
    log.info("starting", extra={"host": settings.host, "port": settings.port, "api": settings.github_api_url,
                                "registered": settings.registered, "database": str(settings.database_path)})
    try:
        server.run()
    finally:
        if worker:
            worker.stop()
            worker.close()
    return EXIT_DATABASE if worker is not None and worker.fatal else 0


def run_worker(args: argparse.Namespace) -> int:
    from .worker import EXIT_DATABASE, Worker

    settings = _settings()
    logging_setup.configure(settings.log_level)
    if settings.credentials is None:
        raise analysis_cli.UsageError("configuration: APP_ID, PRIVATE_KEY and WEBHOOK_SECRET are not set "
                                      "(register the App with `auth-review serve` first)")
    worker = Worker(settings, str(settings.database_path))
    try:
        worker.run_forever()
    except KeyboardInterrupt:
        worker.stop()
    finally:
        worker.close()
    if worker.fatal:
        print(f"auth-review: the database stays unusable ({worker.fatal}); exiting", file=sys.stderr)
        return EXIT_DATABASE  # non-zero: the supervisor restarts the worker
    return 0


def run_stats(args: argparse.Namespace) -> int:
    from . import stats
    from .store import Store

    path = Path(args.database) if args.database else _settings().database_path
    if not path.is_file():
        raise analysis_cli.UsageError(f"no database at {path} (set DATABASE_PATH or pass --database)")
    if args.repo is not None and args.repo.count("/") != 1:
        raise analysis_cli.UsageError(f"--repo must be OWNER/NAME, got {args.repo!r}")
    try:
        since = stats.parse_since(args.since) if args.since else None
    except ValueError as exc:
        raise analysis_cli.UsageError(f"--since: {exc}") from None
    store = Store.open(path)
    try:
        figures = stats.collect(store, args.repo, since)
    finally:
        store.close()
    print(json.dumps(figures.to_dict(), indent=2) if args.format == "json" else stats.render_text(figures))
    return 0


def main(argv: list[str] | None = None) -> int:
    return analysis_cli.main(argv, parser=build_parser())


if __name__ == "__main__":
    sys.exit(main())
