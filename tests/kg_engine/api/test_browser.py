"""The analyst page end to end: ``kg serve`` on a real store, Debian's Chromium driven by Playwright.

Never downloads a browser: Playwright launches ``/usr/bin/chromium`` (``apt-get install chromium``;
scripts/test.sh installs it). Screenshots go to the test's temp dir, or to ``$KG_SCREENSHOTS_DIR``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
KG = [sys.executable, "-c", "from kg_engine.cli import app; app()"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(api_home: Path, shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """``kg serve --read-only`` on a free port, with a reader and an admin token made by ``kg token create``."""
    api_home_dir = tmp_path_factory.mktemp("serve-secrets")
    env = {**os.environ, "KG_HOME": str(api_home), "KG_API_HOME": str(api_home_dir), "KG_DATA_DIR": str(shared_data)}
    tokens = {}
    for role, name in (("reader", "browser-reader"), ("admin", "browser-admin")):
        made = subprocess.run([*KG, "token", "create", "--role", role, "--name", name], env=env, capture_output=True,
                              text=True, check=True)
        tokens[role] = made.stdout.strip().splitlines()[-1]
    port = _free_port()
    log = (api_home_dir / "serve.log").open("w")
    proc = subprocess.Popen([*KG, "serve", "--read-only", "--port", str(port)], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"kg serve did not start: {(api_home_dir / 'serve.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield {"url": url, **tokens, "audit": str(api_home_dir / "audit" / "api.jsonl")}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian Chromium."""
    if not CHROMIUM.exists():
        if os.environ.get("KG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"KG_REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield chromium
        chromium.close()


def _capabilities(server: dict[str, str]) -> dict[str, bool]:
    request = urllib.request.Request(f"{server['url']}/api/capabilities",
                                     headers={"Authorization": f"Bearer {server['reader']}"})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.load(r)["capabilities"]


def test_analyst_page_in_chromium(server: dict[str, str], browser: object, tmp_path: Path) -> None:
    shots = Path(os.environ.get("KG_SCREENSHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page.set_default_timeout(90_000)
    page.goto(server["url"])
    assert "not clinical advice" in page.inner_text("#disclaimer")

    page.fill("#token", "kg_00000000_wrong")
    page.click("#signin")
    page.wait_for_selector("#signin-error:has-text('401')")
    page.fill("#token", server["reader"])
    page.click("#signin")
    page.wait_for_selector("#whoami:has-text('browser-reader (reader)')")

    # ask: answers, the Cypher that ran (editable, runnable), evidence as a graph
    page.fill("#ask-input", "which medicines are used to treat type 2 diabetes?")
    page.click("#ask-button")
    page.wait_for_selector("#answers tbody tr")
    assert "Metformin" in page.inner_text("#answers")
    assert "treats" in page.inner_text("#cypher-editor")
    page.click("#run-cypher")
    page.wait_for_selector("#query-results tbody tr")
    assert "Metformin" in page.inner_text("#query-results")
    page.locator("#answers tr", has_text="Metformin").locator("button").click()
    page.wait_for_selector("#evidence-graph canvas")
    page.wait_for_selector("#evidence-edges tbody tr")
    edges = page.inner_text("#evidence-edges")
    assert "treats" in edges and "hetionet-v1.0" in edges
    page.screenshot(path=str(shots / "ask-evidence.png"), full_page=True)

    # the edited Cypher runs too; a write typed into the editor is refused
    page.locator("#cypher-editor .cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.type("MATCH (d:Disease) DETACH DELETE d")
    page.click("#run-cypher")
    page.wait_for_selector("#query-status:has-text('403')")

    # diagnosis: ranked diseases with matched / excluded / unexplained findings once the engine has it
    page.click("button[data-tab=diagnose]")
    page.fill("#dx-hpo", "HP:0001250, HP:0001263, HP:0000365")  # seizure, developmental delay, hearing impairment
    page.fill("#dx-excluded", "HP:0001249")  # intellectual disability: expected by many candidates
    page.click("#dx-run")
    if _capabilities(server)["diagnose"]:
        page.wait_for_selector("#dx-results tbody tr")
        assert page.locator("#dx-results .tag.match").count() > 0
        assert page.locator("#dx-results .tag.excl").count() + page.locator("#dx-results .tag.unexp").count() > 0
        assert "disease(s)" in page.inner_text("#dx-status")
    else:
        page.wait_for_selector("#dx-status:has-text('501')")
    page.screenshot(path=str(shots / "diagnose.png"), full_page=True)

    # treatment options (Engine.treat) as a table with its sources
    if _capabilities(server)["treat"]:
        page.click("button[data-tab=clinical]")
        page.select_option("#cl-kind", "treat")
        page.fill("#cl-input", "type 2 diabetes")
        page.click("#cl-run")
        status, deadline = "working…", time.monotonic() + 180
        while status.startswith("working") and time.monotonic() < deadline:
            time.sleep(0.5)
            status = page.inner_text("#cl-status")
        assert "sources:" in status, status
        assert "Metformin" in page.inner_text("#cl-results")
        page.screenshot(path=str(shots / "treat.png"), full_page=True)

    # a reader cannot start a load
    page.click("button[data-tab=admin]")
    page.click("#load-button")
    page.wait_for_selector("#admin-message:has-text('403')")
    page.screenshot(path=str(shots / "reader-load-refused.png"), full_page=True)
    page.close()

    audit = [json.loads(x) for x in Path(server["audit"]).read_text().splitlines()]
    loads = [e for e in audit if e["endpoint"] == "/api/admin/load"]
    assert loads and all(e["status"] == 403 and e["role"] == "reader" for e in loads)
