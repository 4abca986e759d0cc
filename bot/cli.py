"""The ``auth-review`` command: the analysis commands plus ``serve`` and ``worker``."""

from __future__ import annotations

import argparse
import logging
import sys
import threading

from analyzers import cli as analysis_cli

from . import logs
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
    from .worker import Worker

    settings = _settings()
    logs.configure(settings.log_level)
    store = Store.open(settings.database_path)
    state = BotState(settings=settings, store=store, queue=SqliteQueue(store))
    worker = None
    if not args.no_worker:
        worker = Worker(state, str(settings.database_path), wake=state.wake)
        threading.Thread(target=worker.run_forever, name="worker", daemon=True).start()
    log.info("starting", extra={"host": settings.host, "port": settings.port, "api": settings.github_api_url,
                                "registered": settings.registered, "database": str(settings.database_path)})
    try:
        uvicorn.run(create_app(state), host=settings.host, port=settings.port, log_config=None, access_log=False)
    finally:
        if worker:
            worker.stop()
            worker.close()
    return 0


def run_worker(args: argparse.Namespace) -> int:
    from .worker import Worker

    settings = _settings()
    logs.configure(settings.log_level)
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
    return 0


def main(argv: list[str] | None = None) -> int:
    return analysis_cli.main(argv, parser=build_parser())


if __name__ == "__main__":
    sys.exit(main())
