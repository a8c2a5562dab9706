"""How long the README's first command takes to answer: `scripts/start.sh`, started from this
checkout, until http://127.0.0.1:PORT/healthz answers (issue 18: a start after the first
answers in under 10 s).

    python3 bench/start.py [--runs 3] [--port 5077]

The first start installs what pyproject.toml asks for if it changed since the last install,
and loads the demo content into a new database; the starts after it find both done. Each
start uses one throwaway instance folder (its database and search index), not the
checkout's. It prints each start's seconds, and any installer noise the start printed; it
asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What pip, setuptools or the script would print of their own (CAFpedia's own lines are not noise).
NOISE = re.compile(r"\bpip\b|setuptools|WARNING:|Installing|wheel|^\s*!!")


def answered(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def start_once(port: int, instance: Path, log: Path) -> float:
    env = {**os.environ, "CAFPEDIA_INSTANCE_DIR": str(instance)}
    env.pop("CAFPEDIA_DATABASE_URL", None)
    began = time.perf_counter()
    with open(log, "w") as out:
        process = subprocess.Popen(
            ["bash", "scripts/start.sh", "--port", str(port), "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            while not answered(f"http://127.0.0.1:{port}/healthz"):
                if process.poll() is not None:
                    raise SystemExit(f"start.sh exited {process.returncode}:\n{log.read_text()}")
                if time.perf_counter() - began > 600:
                    raise SystemExit("start.sh did not answer within 10 minutes")
                time.sleep(0.1)
            return time.perf_counter() - began
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="starts after the first")
    parser.add_argument("--port", type=int, default=5077)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cafpedia-bench-start-") as folder:
        instance, log = Path(folder) / "instance", Path(folder) / "start.log"
        first = start_once(args.port, instance, log)
        print(f"first start (install if pyproject.toml changed, new database): {first:.1f} s")
        times = []
        for n in range(args.runs):
            times.append(start_once(args.port, instance, log))
            noise = [line for line in log.read_text().splitlines() if NOISE.search(line)]
            print(f"start {n + 2}: {times[-1]:.1f} s; installer noise: {noise[:3] or 'none'}")
        print(f"starts after the first: median {sorted(times)[len(times) // 2]:.1f} s, slowest {max(times):.1f} s")


if __name__ == "__main__":
    sys.exit(main())
