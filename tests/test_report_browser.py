"""The HTML report as people see it: opened in a real Chromium (the system's, driven by Playwright).

Checked: no console message or page error, the charts and tables render with a size, sorting by each
sortable column orders the rows (and reverses on a second click), the filter hides rows, and every class
links to a file that exists at a line it has. The screenshot in docs/report.md is taken here
(`TF2LINT_WRITE_SCREENSHOT=1` writes it to docs/report.png).

Without Playwright or Chromium the test is skipped, unless `TF2LINT_REQUIRE_BROWSER` is set (CI sets it:
`.ci/run` installs both), so that it can never be silently skipped there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import report_fixture as fixture

SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "report.png"


def _chromium() -> str:
    found = os.environ.get("TF2LINT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        found, reason = None, f"playwright is not installed ({exc})"
    else:
        reason = "no Chromium found (apt-get install chromium, or set TF2LINT_CHROMIUM)"
    if found is None:
        if os.environ.get("TF2LINT_REQUIRE_BROWSER"):
            pytest.fail(f"the browser test is required here (TF2LINT_REQUIRE_BROWSER) but {reason}")
        pytest.skip(reason)
    return found


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        chromium = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield chromium
        chromium.close()


MIDDLE = next(i for i, step in enumerate(fixture.STEPS) if "native" in step.classes.values())


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """Two reports of the scripted migration: at the step where Encoder is native (three classes, the names
    locked, four commits of history) and at its end (every commit), each written inside the checkout it
    describes."""
    root = tmp_path_factory.mktemp("browser")
    repo = root / "repo"
    commits = fixture.build(repo)
    middle = root / "middle"
    fixture.git(repo, "worktree", "add", "-q", str(middle), commits[MIDDLE])
    written = {}
    for name, where, count in (("middle", middle, MIDDLE + 1), ("end", repo, len(commits))):
        output = where / "report.html"
        subprocess.run([sys.executable, "-m", "tf2lint", "report", "--extend-select", "TFS117", "--history", str(count), "-o",
                        str(output)],
                       cwd=where, check=True, capture_output=True, timeout=300)
        written[name] = output
    return written


def _open(browser, path: Path):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    messages: list[str] = []
    page.on("console", lambda message: messages.append(f"console {message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"page error: {error}"))
    page.on("request", lambda request: messages.append(f"request: {request.url}")
            if not request.url.startswith(("file:", "data:", "about:")) else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, messages


def _names(page) -> list[str]:
    return page.eval_on_selector_all("#classes tbody tr:not([hidden]) td:first-child a", "els => els.map(e => e.textContent)")


def test_tables_charts_sorting_links(browser, pages) -> None:
    page, messages = _open(browser, pages["middle"])
    # Charts: every bar and every series is drawn with a size.
    for chart, parts, count in (("#chart-stages", ".bar", 4), ("#chart-constructs", ".bar", 7),
                                ("#chart-findings", ".bar", 2),  # TFS101 and TFS117 at that step
                                ("#chart-history-stages", ".series polyline", 5),  # and the names lock
                                ("#chart-history-constructs", ".series polyline", 7)):
        box = page.locator(f"{chart} svg").bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 40, chart
        assert page.locator(f"{chart} {parts}").count() == count, chart
    assert page.locator("#history-table tbody tr").count() == MIDDLE + 1
    stage_widths = page.eval_on_selector_all("#chart-stages rect", "els => els.map(e => e.getBBox().width)")
    assert [w > 0 for w in stage_widths] == [True, True, False, True]  # TF1 1, shimmed 1, partly 0, native 1

    # The shimmed class is in the names lock (the native one has nothing to lock), and the page says so.
    assert page.locator("#names-lock").inner_text().startswith("1 of 1 shimmed and partly native classes")
    assert page.locator("#classes .lock").count() == 1 and page.locator("#classes .lock").first.is_visible()

    # The three classes of that step, in source order first; then sorted by the column clicked.
    assert _names(page) == ["Trainer", "Encoder", "Decoder"]
    header = page.locator("#classes thead th", has_text="Stage")
    header.click()
    assert _names(page) == ["Trainer", "Decoder", "Encoder"]  # TF1 graph code, shimmed, native
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    assert _names(page) == ["Encoder", "Decoder", "Trainer"]
    page.locator("#classes thead th", has_text="Constructs left").click()
    assert _names(page) == ["Encoder", "Trainer", "Decoder"]  # 0, 2, 3
    page.locator("#classes thead th", has_text="Class").click()
    assert _names(page) == ["Decoder", "Encoder", "Trainer"]

    page.locator("#filter").fill("enc")
    assert _names(page) == ["Encoder"]
    page.locator("#filter").fill("")

    # The files table: where the work is, file by file, sortable too.
    def files() -> list[str]:
        return page.eval_on_selector_all("#files tbody tr td:first-child a", "els => els.map(e => e.textContent)")

    assert files() == ["model.py", "ops.py"]
    page.locator("#files thead th", has_text="Constructs left").click()
    assert files() == ["ops.py", "model.py"]  # get_variable in ops.py; five constructs in model.py
    page.locator("#files thead th", has_text="Constructs left").click()
    assert files() == ["model.py", "ops.py"]
    for href in page.eval_on_selector_all("#files a", "els => els.map(e => e.href)"):
        assert Path(unquote(urlparse(href).path)).is_file(), href

    # Every link resolves to a file that exists, at a line it has.
    for href in page.eval_on_selector_all("#classes a", "els => els.map(e => e.href)"):
        url = urlparse(href)
        target = Path(unquote(url.path))
        assert url.scheme == "file" and target.is_file(), href
        line = int(url.fragment.removeprefix("L"))
        assert 1 <= line <= len(target.read_text().splitlines())
        assert target.read_text().splitlines()[line - 1].startswith("class "), href
    assert messages == []
    page.close()


def test_a_long_history_labels_commits_without_overlap(browser, pages, tmp_path) -> None:
    """150 commits: the burn-down's commit labels are spread so that none overlaps another, the oldest and the
    newest among them."""
    import json

    from tf2lint.hosts import report_render

    done = subprocess.run([sys.executable, "-m", "tf2lint", "report", "--format", "json", "--history", "2"],
                          cwd=pages["end"].parent, check=True, capture_output=True, text=True, timeout=300)
    document = json.loads(done.stdout)
    point = document["history"][-1]
    document["history"] = [{**point, "commit": f"{n:07x}" + point["commit"][7:]} for n in range(150)]
    page_file = tmp_path / "long.html"
    page_file.write_text(report_render.html(document), encoding="utf-8")
    page, messages = _open(browser, page_file)
    for chart in ("#chart-history-stages", "#chart-history-constructs"):
        ticks = page.eval_on_selector_all(
            f"{chart} text.tick", "els => els.map(e => { const b = e.getBBox(); return [b.x, b.x + b.width, e.textContent]; })")
        assert len(ticks) >= 3 and ticks[0][2] == "0000000" and ticks[-1][2] == f"{149:07x}", ticks
        assert all(right <= next_left for (_l, right, _t), (next_left, _r, _n) in zip(ticks, ticks[1:])), ticks
    assert messages == []
    page.close()


def test_screenshot(browser, pages, tmp_path) -> None:
    page, messages = _open(browser, pages["end"])
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 10_000
    series = page.eval_on_selector_all("#chart-history-stages .series", "els => els.map(e => e.dataset.values)")
    assert series == [",".join(str(step.stages[i]) for step in fixture.STEPS) for i in range(4)] + \
        [",".join(str(step.locked) for step in fixture.STEPS)]
    assert messages == []
    if os.environ.get("TF2LINT_WRITE_SCREENSHOT"):
        page.screenshot(path=str(SCREENSHOT), full_page=True, type="png")
    page.close()
