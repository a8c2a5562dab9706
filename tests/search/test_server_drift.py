"""Four gunicorn workers and a `cafpedia load` change the same tips over and over; when they
have finished, the search index says what the database says about every document.

The admin restores earlier revisions of two tips (new text each time) through the real
server, two people per tip, while `cafpedia load` keeps renaming the tips' areas (which
changes every tip document in them). `cafpedia reindex --check` then compares every
document in the index with the database."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from cafpedia.config import DEFAULT_CONTENT_DIR
from tests.search.live_server import Browser, command, running_server, server_env

pytestmark = pytest.mark.server

TIPS = {
    "writing-focused-s7-reports-with-clear-recommendations": "report-writing",
    "running-extended-dispute-resolution-sessions": "dispute-resolution",
}
ROUNDS = 12
LOADS = 6


def area_folder(folder: Path, n: int) -> Path:
    areas = yaml.safe_load((DEFAULT_CONTENT_DIR / "areas.yml").read_text())
    for area in areas:
        if area["slug"] in TIPS.values():
            area["title"] = f"{area['title'].split(' (')[0]} (renamed {n})"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "areas.yml").write_text(yaml.safe_dump(areas, sort_keys=False))
    return folder


@pytest.mark.parametrize("backend", ["whoosh", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_index_ends_as_the_database_after_concurrent_servers_and_loads(tmp_path, database_url, backend):
    if backend == "postgres" and not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL search backend runs on the PostgreSQL database only")
    env = server_env(tmp_path, database_url, SEARCH_BACKEND=backend)
    command(env, "init")
    statuses, loads = [], []
    with running_server(env, tmp_path / "server.log", workers=4) as base:

        def restore_over_and_over(slug: str) -> None:
            admin = Browser(base)
            admin.sign_in("demo.admin")
            for n in range(ROUNDS):
                statuses.append(admin.post(f"/tips/{slug}/restore/{1 + n % 2}", {}, f"/tips/{slug}"))

        def load_over_and_over() -> None:
            for n in range(LOADS):
                loads.append(command(env, "load", str(area_folder(tmp_path / f"areas-{n}", n)), check=False))

        loader = threading.Thread(target=load_over_and_over)
        loader.start()
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(restore_over_and_over, [*TIPS, *TIPS]))
        loader.join(300)
    assert statuses.count(200) >= ROUNDS, (
        statuses
    )  # restores went through (two people at once on a tip may conflict: 409)
    assert set(statuses) <= {200, 409}, statuses
    assert all(done.returncode == 0 for done in loads), "\n".join(done.stderr[-9000:] for done in loads)
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log, log[-3000:]
    # Without CAFPEDIA_SECRET_KEY, a machine on PostgreSQL says its cookies' key is its own.
    assert ("CAFPEDIA_SECRET_KEY is not set" in log) == (
        database_url.startswith("postgresql") and "CAFPEDIA_SECRET_KEY" not in env
    )
    check = command(env, "reindex", "--check", check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "The search index agrees with the database" in check.stdout
