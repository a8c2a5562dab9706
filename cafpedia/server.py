"""The production WSGI server: gunicorn, with one app per worker process."""
from __future__ import annotations

import gc
from collections.abc import Mapping
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

    def load(self):
        from cafpedia import create_app

        app = create_app(self.app_config)
        # What the app holds for its whole life (modules, routes, templates) is moved out of the
        # garbage collector's way: a full collection then costs a request about 35 ms, not 150
        # (bench/as_at.py measures it).
        gc.collect()
        gc.freeze()
        return app


def run_gunicorn(*, host: str, port: int, workers: int, timeout: int, config: Mapping[str, Any] | None) -> None:
    CafpediaServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "timeout": timeout,
            "accesslog": "-",
            "errorlog": "-",
            "forwarded_allow_ips": "127.0.0.1",
        },
        config,
    ).run()
