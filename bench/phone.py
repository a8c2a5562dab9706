"""The phone in a court corridor: a tip page's weight, and how soon its first point shows on a
slow 3G connection and from the copy saved for reading offline (issue 15).

    .venv/bin/python bench/phone.py [--rounds 5]

On a throwaway installation with the demo content, served by a real HTTP server, as demo.fca:
- Weight: the tip page's HTML plus the stylesheet (and the one script), gzip-compressed as a
  reverse proxy sends them. Target: HTML + CSS at most 30 KB.
- Slow 3G: Chromium at 360x640 with its network throttled (400 kbit/s each way, 400 ms round
  trip, through the DevTools protocol), service worker off (a phone's first visit). Search for
  the tip, tap the first result, and time from the tap to the tip's first point being laid out
  on the first screen with the stylesheet applied. Target: 2 s.
- Offline copy: the same phone with the service worker, after opening the tip once; no
  signal; search (the saved titles), tap the result, same measure. Target: 0.5 s.
ROUNDS taps each, in a fresh browser context; it prints the median and the slowest. It asserts
nothing.
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import bench_app  # noqa: E402  (bench/search.py)

SLUG = "family-assistance-orders-when-and-how-to-recommend"
QUERY = "family assistance orders"
PASSWORD = "cafpedia-demo"
CHROMIUM = "/usr/bin/chromium"
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
FIRST_POINT_SHOWN = """() => {
  const point = document.querySelector('.tip-body > :first-child');
  if (!point || !getComputedStyle(document.body).fontFamily.includes('system-ui')) return false;  // not styled yet
  const box = point.getBoundingClientRect();
  return box.height > 0 && box.top < innerHeight;
}"""


def weight(app) -> None:
    client = app.test_client()
    form = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', form)
    client.post(
        "/sign-in", data={"username": "demo.fca", "password": PASSWORD, "csrf_token": token.group(1) or token.group(2)}
    )
    tip = client.get(f"/tips/{SLUG}")
    assert tip.status_code == 200 and "tip-body" in tip.get_data(as_text=True), "could not open the tip signed in"
    parts = {"HTML": tip.get_data()}
    for name in ("cafpedia.css", "cafpedia.js"):
        with client.get(f"/static/{name}") as response:
            parts[name] = response.get_data()
    print("Weight of a tip page (gzip -6, as a reverse proxy sends it):")
    for name, body in parts.items():
        print(f"  {name:13} {len(body) / 1024:6.1f} KB raw, {len(gzip.compress(body, 6)) / 1024:5.1f} KB compressed")
    html_css = sum(len(gzip.compress(parts[n], 6)) for n in ("HTML", "cafpedia.css"))
    print(f"  HTML + CSS: {html_css / 1024:.1f} KB compressed (target: at most 30 KB)")


def serve(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def sign_in(page, base: str) -> None:
    page.goto(base + "/sign-in")
    page.get_by_label("Username").fill("demo.fca")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")


def tap_first_result(page) -> float:
    started = time.perf_counter()
    page.locator(f'a[href$="/tips/{SLUG}"]').first.click()
    page.wait_for_function(FIRST_POINT_SHOWN, polling="raf", timeout=30_000)
    return time.perf_counter() - started


def slow_3g(browser, base: str) -> float:
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True, service_workers="block"
    )
    page = context.new_page()
    sign_in(page, base)
    network = context.new_cdp_session(page)
    network.send("Network.enable")
    network.send("Network.emulateNetworkConditions", SLOW_3G)
    page.goto(f"{base}/search?q={QUERY.replace(' ', '+')}")
    taken = tap_first_result(page)
    context.close()
    return taken


def offline_copy(browser, base: str) -> float:
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True, service_workers="allow"
    )
    page = context.new_page()
    sign_in(page, base)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto(f"{base}/tips/{SLUG}")
    while not page.evaluate(
        "(url) => caches.open('cafpedia-pages').then(c => c.match(url)).then(r => !!r)", f"{base}/tips/{SLUG}"
    ):
        page.wait_for_timeout(50)  # saved by the worker just after the page came
    context.set_offline(True)
    page.goto(f"{base}/search?q={QUERY.replace(' ', '+')}")  # the saved titles
    taken = tap_first_result(page)
    assert page.locator(".notice-offline").count() == 1, "the tip did not come from the saved copy"
    context.close()
    return taken


def report(name: str, times: list[float], target: float) -> None:
    print(
        f"  {name:28} median {statistics.median(times):5.2f} s, slowest {max(times):5.2f} s over {len(times)} taps "
        f"(target: {target} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    app, _, _ = bench_app("cafpedia-bench-phone", "whoosh")
    from cafpedia.extensions import limiter

    limiter.enabled = False  # every round signs in again from 127.0.0.1
    weight(app)
    server, base = serve(app)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        print(f"A tip opened from search, at 360x640 ({args.rounds} taps each):")
        report("slow 3G, first visit", [slow_3g(browser, base) for _ in range(args.rounds)], 2)
        report("no signal, the saved copy", [offline_copy(browser, base) for _ in range(args.rounds)], 0.5)
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
