"""The production WSGI server: gunicorn, with one app per worker process."""
from __future__ import annotations

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

        return create_app(self.app_config)


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
