"""`kyodo serve` (web app + its own processing/delivery loops) and `kyodo worker` (loops only)."""

from __future__ import annotations

import argparse
import logging


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the web server (LINE webhook, /healthz) with its delivery loop")
    p.add_argument("--host", default="0.0.0.0", help="interface to listen on (default 0.0.0.0)")
    p.add_argument("--port", type=int, default=None, help="port (default: $PORT, else 8000)")
    p.add_argument(
        "--no-worker", action="store_true", help="serve HTTP only; leave processing to `kyodo worker`"
    )
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=_serve)

    w = sub.add_parser("worker", help="process stored events and deliver queued messages (no web server)")
    w.add_argument("--log-level", default="info")
    w.set_defaults(func=_worker)


def _logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.app import create_app
    from bot.settings import Settings

    _logging(args.log_level)
    settings = Settings.from_env()
    port = args.port if args.port is not None else settings.port
    app = create_app(settings, start_background=not args.no_worker)
    uvicorn.run(
        app, host=args.host, port=port, log_level=args.log_level, proxy_headers=True, access_log=False
    )
    return 0


def _worker(args: argparse.Namespace) -> int:
    import asyncio
    import signal

    from bot.db import make_engine, make_session_factory
    from bot.settings import Settings
    from bot.worker import Worker

    _logging(args.log_level)
    settings = Settings.from_env()
    log = logging.getLogger("kyodo.worker")

    async def main() -> None:
        engine = make_engine(settings.database_url)
        client = sender = None
        if settings.line_enabled:
            from handlers.line_api import LineSender, make_api

            client, api = make_api(settings.line_api_base_url, settings.line_channel_access_token)
            sender = LineSender(api, timeout=settings.delivery_timeout_seconds)
        worker = Worker(settings, make_session_factory(engine), sender)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, worker.stop)
        log.info("worker %s started (LINE %s)", worker.name, "enabled" if sender else "disabled")
        try:
            await worker.run()
        finally:
            if client is not None:
                await client.close()
            engine.dispose()
            log.info("worker %s stopped", worker.name)

    asyncio.run(main())
    return 0
