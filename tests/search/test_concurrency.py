"""Several worker processes writing at once lose no index update and show no lock error."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from cafpedia.accounts.people import find_user
from cafpedia.search import service

WORKER = textwrap.dedent("""
    import json, sys
    from cafpedia import create_app
    from cafpedia.areas import services
    from cafpedia.extensions import db
    from cafpedia.search import service

    config, worker, count = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    app = create_app(config)
    with app.app_context():
        for n in range(count):
            services.create_area(None, slug=f"worker-{worker}-area-{n}", title=f"Quokka area {worker} {n}", summary="",
            lead=None, deputies=[])
            db.session.commit()
            service.follower().drain(timeout=0.05)  # often finds the lock taken: the work stays queued
        db.engine.dispose()
    print("done")
""")


@pytest.mark.both_databases
@pytest.mark.slow  # four CAFpedia processes writing at once, for seconds: left out of the quick tier
def test_concurrent_writers_lose_nothing(app, demo_content, tmp_path):
    service.search(find_user("demo.fca"), "quokka")  # the index exists before the workers start
    config = {
        k: app.config[k]
        for k in ("SQLALCHEMY_DATABASE_URI", "SEARCH_DIR", "SECRET_KEY", "PASSWORD_HASH_METHOD", "SEARCH_BACKEND")
    }
    config["INSTANCE_PATH"] = str(tmp_path / "instance")
    workers, each = 4, 8
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps(config), str(w), str(each)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(workers)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "LockError" not in err and "Traceback" not in err
        assert out.strip() == "done"
    found = service.search(find_user("demo.fca"), "quokka")
    assert found.total == workers * each
    assert service.follower().queue_length() == 0
