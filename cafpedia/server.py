"""The production WSGI server: gunicorn, its workers forked from one app built in the master.

The app is built once, in gunicorn's master process, before the workers are forked
(`preload_app`): the modules, routes and templates every worker needs (about 60 MB of
Python objects) are then shared between the workers copy-on-write, rather than built again
in each, so a second worker costs less memory than the first (bench/http.py prints both
measures). Building the app opens no connection and no file, and the workers' connection
pools are emptied again right after the fork (`_forked`), so no worker ever shares a
database connection with another. A worker restarted by gunicorn is forked from the same
app; a new version of the code needs a restart of the whole server (as a deployment does).
"""

from __future__ import annotations

import gc
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication


class CafpediaServer(BaseApplication):
    def __init__(self, options: Mapping[str, Any], config: Mapping[str, Any] | None):
        self.options = dict(options)
        self.app_config = config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("post_fork", self._forked)

    def load(self):
        # Imported here: `cafpedia serve` loads this module before the settings for the
        # workers are known, and the app is built only in the process that serves.
        from cafpedia import create_app
        from cafpedia.core.observability import configure_logging

        configure_logging()  # JSON lines, one per request (cafpedia.core.observability)
        app = self.flask_app = create_app(self.app_config)
        # What the app holds for its whole life (modules, routes, templates) is moved out of the
        # garbage collector's way: a full collection then costs a request about 35 ms, not 150
        # (bench/as_at.py measures it), and the collector never writes to the pages the workers
        # share with the master, which would copy them into each worker.
        gc.collect()
        gc.freeze()
        return app

    def _forked(self, _server, _worker) -> None:
        """In each new worker: no connection inherited from the master is ever used (the
        master opens none today; this keeps it true whatever it comes to do first)."""
        from cafpedia.extensions import db

        with self.flask_app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)  # SQLAlchemy's advice for a forked process


# gunicorn's loggers hand their records to the root logger, which writes JSON lines without a
# query string, a token or what someone typed (cafpedia.core.redaction). gunicorn's access
# lines (the whole request line) are never written: CAFpedia logs each request by endpoint.
LOGGING = {
    "root": {"level": "INFO", "handlers": ["json"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True, "qualname": "gunicorn.error"},
        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False, "qualname": "gunicorn.access"},
    },
    "filters": {"redact": {"()": "cafpedia.core.redaction.Redact"}},
    "handlers": {
        "json": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["redact"],
            "stream": "ext://sys.stderr",
        }
    },
    "formatters": {"json": {"()": "cafpedia.core.observability.JsonFormatter"}},
}


def _worker_gone(_server, worker) -> None:
    """A worker process has exited: its live gauges leave the shared metrics files."""
    # Imported here: the master imports prometheus-client only after the folder is set.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def metrics_folder(instance_path: str) -> str:
    """The folder the worker processes share their metrics through, emptied at each start."""
    folder = Path(instance_path) / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return str(folder)


def run_gunicorn(*, host: str, port: int, workers: int, timeout: int, config: Mapping[str, Any] | None) -> None:
    CafpediaServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "timeout": timeout,
            "accesslog": None,  # CAFpedia logs each request itself, as a JSON line
            "errorlog": "-",
            "logconfig_dict": LOGGING,  # gunicorn's own lines (workers booting, signals) as JSON lines too
            "forwarded_allow_ips": "127.0.0.1",
            "child_exit": _worker_gone,
            "preload_app": True,  # the app is built once and shared by the workers (see above)
        },
        config,
    ).run()
