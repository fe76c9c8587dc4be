"""The app in a real browser: Debian's Chromium, driven by Playwright, against `streamlit run` in demo mode.

One server for the module (the embedded demo, no pacing), a fresh page per test. Checks what
AppTest cannot: the streamed text in the DOM, the status, KPI/table/chart elements, that script
payloads stay inert, that earlier results survive later turns, the Stop button, and the SSE API on
the same port. Screenshots go to artifacts/ (gitignored); `MAS_SCREENSHOT=1` refreshes docs/screenshot.png.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.emulator import Emulator, Fault

from mas.demo.supervisor import DemoSupervisor

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--disable-sync"]
TIMEOUT_MS = 30_000
# Read at import: the suite's autouse fixture clears MAS_* variables before each test runs.
UPDATE_README_SCREENSHOT = os.environ.get("MAS_SCREENSHOT") == "1"

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit did not become healthy:\n{log.read_text()[-3000:]}")


def start_app(
    env: dict[str, str], *, port: int, log: Path, address: str | None = "127.0.0.1", own_session: bool = False
) -> tuple[subprocess.Popen[bytes], str]:
    """`streamlit run streamlit_app.py` on `port` with `env`, output to `log`; returns once healthy.

    `address=None` leaves the bind address to `.streamlit/config.toml`; `own_session` puts the server
    in a process group of its own (so a test can kill -9 it and its children).
    """
    command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port)]
    if address is not None:
        command += ["--server.address", address]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*command, "--server.headless", "true"], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=own_session,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
    except BaseException:
        proc.kill()
        proc.wait(timeout=15)
        raise
    return proc, url


@contextmanager
def _serve(base: Path, *, pacing: float = 0.0, workspace: str | None = None) -> Iterator[str]:
    """`streamlit run` on a free port, in demo mode or against `workspace`; yields its URL once healthy."""
    port = _free_port()
    log = base / f"server-{port}.log"
    env = {**os.environ, "MAS_DEMO_PACING": str(pacing), "MAS_DEMO_DATA_DIR": str(base / "demo-data")}
    env["MAS_HISTORY_DB"] = f"sqlite:///{base / f'history-{port}.db'}"  # each server its own history
    if workspace is None:
        env["MAS_DEMO"] = "1"
        env["MAS_DEMO_STYLE"] = "classic"  # these tests were written for agent-revenue-genie, SQL in outputs
    else:
        env.update({"DATABRICKS_HOST": workspace, "DATABRICKS_TOKEN": "browser-test-token"})
    proc, url = start_app(env, port=port, log=log)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _serve(tmp_path_factory.getbasetemp(), pacing=0.0) as url:
        yield url


XSS = "<img src=x onerror=alert('{where}')><script>alert('{where}')</script>"
HOSTILE_TABLE = (
    f"| region | {XSS.format(where='column')} |\n|---|---|\n"
    f"| {XSS.format(where='cell')} | 1200.50 |\n| APAC | 950.25 |\n\n"
    f"```sql\nSELECT '{XSS.format(where='sql')}' AS region\n```"
)


def _hostile_script() -> list[dict[str, Any]]:
    """A MAS answer with script payloads in the text, the tool's question, its output and a column name."""
    def message(item_id: str, text: str) -> list[dict[str, Any]]:
        return [
            {"type": "response.output_text.delta", "item_id": item_id, "delta": text},
            {"type": "response.output_item.done", "item": {
                "type": "message", "id": item_id, "role": "assistant",
                "content": [{"type": "output_text", "text": text}]}},
        ]

    return [
        *message("m1", f"Checking {XSS.format(where='answer')} now."),
        {"type": "response.output_item.done", "item": {
            "type": "function_call", "id": "fc1", "call_id": "c1", "name": "agent-revenue-genie",
            "arguments": json.dumps({"genie_query": XSS.format(where="genie_query")})}},
        {"type": "response.output_item.done", "item": {
            "type": "function_call_output", "call_id": "c1", "output": HOSTILE_TABLE}},
        *message("m2", f"Done {XSS.format(where='answer2')}."),
        {"type": "response.completed", "response": {"status": "completed"}},
    ]  # fmt: skip


class _Hostile:
    def respond(self, input_items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        yield from _hostile_script()


@dataclass
class Workspace:
    """The app run against an emulated workspace in this process, so tests can script its answers."""

    emulator: Emulator
    url: str


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    with Emulator() as emulator, _serve(tmp_path_factory.getbasetemp(), workspace=emulator.url) as url:
        yield Workspace(emulator, url)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium; "
                    ".ci/run does) or set CHROMIUM_PATH. Never `playwright install`.")
    with playwright_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@contextmanager
def _open(browser: object, url: str) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1360, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.requested = []
    page.on("request", lambda request: page.requested.append(request.url))
    page.goto(url)
    expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=TIMEOUT_MS)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser: object, app_url: str) -> Iterator[object]:
    with _open(browser, app_url) as opened:
        yield opened


def ask(page: object, question: str) -> object:
    """Type a question, send it, and return the locator of its answer bubble once the run is idle."""
    before = page.get_by_test_id("stChatMessage").count()  # type: ignore[attr-defined]
    box = page.get_by_test_id("stChatInputTextArea")  # type: ignore[attr-defined]
    box.fill(question)
    box.press("Enter")
    answer = page.get_by_test_id("stChatMessage").nth(before + 1)  # type: ignore[attr-defined]
    expect(answer).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)
    return answer


STOP = "[class*='st-key-stop-'] button"
"""The Stop button under a streaming answer (ui.chat.stop_button)."""


def wait_idle(page: object) -> None:
    """Wait until the script run is over: the chat input, disabled from the moment a question is sent
    (submit_mode="disable"), is enabled again, and the answer's Stop button is gone."""
    expect(page.get_by_test_id("stChatInputTextArea")).to_be_enabled(timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    expect(page.locator(STOP)).to_have_count(0, timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=TIMEOUT_MS)  # type: ignore[attr-defined]


def shot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def test_three_questions_stream_text_status_kpi_table_and_chart(page: object) -> None:
    kpi = ask(page, "What's our total revenue?")
    expect(kpi).to_contain_text("total net revenue", timeout=TIMEOUT_MS)
    expect(kpi.get_by_test_id("stExpander")).to_contain_text("agent-revenue-genie")
    expect(kpi.get_by_test_id("stMetricValue")).to_contain_text("$")

    trend = ask(page, "Show me revenue trends")
    expect(trend.get_by_test_id("stDataFrame")).to_have_count(1)
    expect(trend.get_by_test_id("stVegaLiteChart")).to_have_count(1)
    expect(trend).to_contain_text("Line chart:")

    region = ask(page, "Which region brings in the most revenue?")
    expect(region.get_by_test_id("stDataFrame")).to_have_count(1)
    expect(region.get_by_test_id("stVegaLiteChart")).to_have_count(1)
    expect(region).to_contain_text("Bar chart:")
    # The SQL is in the collapsed status: open it and read it.
    region.get_by_test_id("stExpander").first.locator("summary").click()
    expect(region.get_by_test_id("stCode").first).to_contain_text("SELECT", ignore_case=True)

    # Earlier results are still on the page after later turns.
    messages = page.get_by_test_id("stChatMessage")  # type: ignore[attr-defined]
    expect(messages).to_have_count(6)
    expect(messages.nth(1).get_by_test_id("stMetricValue")).to_have_count(1)
    expect(messages.nth(3).get_by_test_id("stVegaLiteChart")).to_have_count(1)
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(2)  # type: ignore[attr-defined]
    shot(page, "three-questions")
    if UPDATE_README_SCREENSHOT:
        page.set_viewport_size({"width": 1280, "height": 2800})  # type: ignore[attr-defined]
        page.get_by_test_id("stChatMessage").nth(0).scroll_into_view_if_needed()  # type: ignore[attr-defined]
        page.mouse.move(1270, 5)  # type: ignore[attr-defined]  # no hover highlight in the picture
        time.sleep(0.3)
        page.screenshot(path=str(ROOT / "docs" / "screenshot.png"))  # type: ignore[attr-defined]


def test_download_the_csv_switch_a_chart_and_pin_to_the_dashboard(page: object) -> None:
    answer = ask(page, "Which region brings in the most revenue?")
    with page.expect_download(timeout=TIMEOUT_MS) as download_info:  # type: ignore[attr-defined]
        answer.get_by_test_id("stDownloadButton").get_by_role("button").click()
    csv_lines = Path(download_info.value.path()).read_text().splitlines()
    assert csv_lines[0].startswith("region,") and len(csv_lines) == 5
    assert download_info.value.suggested_filename == "net-revenue-by-region-sorted-from-highest-to-lowest.csv"

    answer = ask(page, "Show me revenue trends")
    answer.get_by_test_id("stButtonGroup").get_by_text("Bar").click()
    expect(answer).to_contain_text("Bar chart:", timeout=TIMEOUT_MS)
    expect(answer.get_by_test_id("stVegaLiteChart")).to_have_count(1)

    answer.get_by_role("button", name="Pin to dashboard").click()
    expect(answer.get_by_role("button", name="Pinned")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Dashboard").click()  # type: ignore[attr-defined]
    main = page.get_by_test_id("stMain")  # type: ignore[attr-defined]
    expect(main).to_contain_text("Show me revenue trends", timeout=TIMEOUT_MS)
    expect(main).to_contain_text("Bar chart:")  # the choice made in the chat follows the pin
    expect(main.get_by_test_id("stVegaLiteChart")).to_have_count(1)
    shot(page, "dashboard")


def test_a_script_in_a_question_stays_inert(page: object) -> None:
    payload = "<script>alert('xss')</script><img src=x onerror=alert('img')> revenue by region?"
    ask(page, payload)
    question = page.get_by_test_id("stChatMessage").nth(0)  # type: ignore[attr-defined]
    expect(question).to_contain_text("<script>alert('xss')</script>")
    expect(question).to_contain_text("<img src=x onerror=alert('img')>")
    assert page.locator("img[src=x]").count() == 0  # type: ignore[attr-defined]
    time.sleep(0.5)
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_markdown_in_a_question_shows_as_typed_with_its_line_breaks(page: object) -> None:
    ask(page, "**bold** $5M vs $6M\n- by region\nin 2024")
    question = page.get_by_test_id("stChatMessage").nth(0)  # type: ignore[attr-defined]
    expect(question).to_contain_text("**bold** $5M vs $6M")
    assert question.inner_text().splitlines()[-3:] == ["**bold** $5M vs $6M", "- by region", "in 2024"]
    assert question.locator("strong, ul, .katex").count() == 0


def test_the_page_fetches_nothing_from_outside_the_app(page: object) -> None:
    ask(page, "What's our total revenue?")
    requested: list[str] = page.requested  # type: ignore[attr-defined]
    outside = [u for u in requested if not u.startswith(("http://127.0.0.1:", "data:", "blob:"))]
    # Streamlit fetches a `:material/…` page icon from fonts.gstatic.com: offline it fails.
    assert outside == []


def test_scripts_in_answers_tool_outputs_and_column_names_stay_inert(
    browser: object, workspace: Workspace
) -> None:
    workspace.emulator.set_responder(workspace.emulator.endpoint_name, _Hostile())
    with _open(browser, workspace.url) as page:
        answer = ask(page, "Revenue by region?")
        expect(answer).to_contain_text("Checking <img src=x onerror=alert('answer')>")
        expect(answer).to_contain_text("<script>alert('answer2')</script>")
        expect(answer.get_by_test_id("stDataFrame")).to_have_count(1)
        expect(answer.get_by_test_id("stVegaLiteChart")).to_have_count(1)
        answer.get_by_test_id("stExpander").first.locator("summary").click()
        expect(answer).to_contain_text("<img src=x onerror=alert('genie_query')>")
        expect(answer.get_by_test_id("stCode").first).to_contain_text("alert('sql')")
        chart = answer.get_by_test_id("stVegaLiteChart").first
        chart.hover()  # vega tooltips render HTML: make one show
        time.sleep(0.5)
        shot(page, "hostile")
        assert page.locator("img[src=x]").count() == 0  # type: ignore[attr-defined]
        assert page.locator("[data-testid=stChatMessage] script").count() == 0  # type: ignore[attr-defined]
        assert page.dialogs == []  # type: ignore[attr-defined]


def test_stop_keeps_what_arrived_and_the_next_question_works(browser: object, workspace: Workspace) -> None:
    workspace.emulator.set_responder(workspace.emulator.endpoint_name, DemoSupervisor(wire_style="classic"))
    with _open(browser, workspace.url) as page:
        _stop_then_ask(page, workspace.emulator)


def _stop_then_ask(page: Any, emulator: Emulator) -> None:
    emulator.inject(Fault(pacing=0.15))  # the answer is still streaming when Stop is pressed
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill("Show me revenue trends")
    box.press("Enter")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("revenue", timeout=TIMEOUT_MS)  # some text arrived
    stop = page.locator(STOP)
    stop.click()
    expect(stop).to_have_count(0, timeout=TIMEOUT_MS)
    assert "revenue" in answer.inner_text()
    asked = [r for r in emulator.invocations() if r.body["input"][-1]["content"] == "Show me revenue trends"]
    stopped = asked[-1]
    assert stopped.finished.wait(10) and stopped.outcome == "disconnected"  # the upstream request was closed

    nxt = ask(page, "What's our total revenue?")
    expect(nxt.get_by_test_id("stMetricValue")).to_have_count(1, timeout=TIMEOUT_MS)
    expect(answer).to_contain_text("Stopped")
    shot(page, "stopped")


def test_while_an_answer_streams_the_welcome_and_the_last_follow_ups_are_gone(
    browser: object, workspace: Workspace
) -> None:
    workspace.emulator.set_responder(workspace.emulator.endpoint_name, DemoSupervisor(wire_style="classic"))
    with _open(browser, workspace.url) as page:
        # In the main area: the sidebar may list an earlier conversation of that title.
        starters = page.get_by_role("main").get_by_role("button", name="Show me revenue trends")
        expect(starters).to_have_count(1)
        emulator = workspace.emulator
        follow_ups = _while_streaming(page, emulator, "What's our total revenue?", gone=starters)
        _while_streaming(page, emulator, "Which region brings in the most revenue?", gone=follow_ups)


def _while_streaming(page: Any, emulator: Emulator, question: str, *, gone: Any) -> Any:
    """Ask slowly; mid-answer, what the last run drew above it (`gone`) must already be off the page.

    Streamlit keeps a run's elements until the next run overwrites their slot or ends: without
    fixed slots they lingered, faded but clickable, until the answer was complete.
    """
    emulator.inject(Fault(pacing=0.3))
    messages = page.get_by_test_id("stChatMessage")
    answer = messages.nth(messages.count() + 1)
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    stop = page.locator(STOP)
    expect(stop).to_have_count(1, timeout=TIMEOUT_MS)
    expect(answer).to_contain_text("Genie", timeout=TIMEOUT_MS)  # this answer is streaming
    expect(gone).to_have_count(0, timeout=5_000)
    assert stop.count() == 1, "the answer finished before the check: raise the pacing"
    wait_idle(page)
    follow_ups = answer.locator("[class*='st-key-follow-'] button")
    expect(follow_ups.first).to_be_visible(timeout=TIMEOUT_MS)
    return follow_ups


def test_the_sse_api_answers_on_the_same_port(app_url: str) -> None:
    body = json.dumps({"messages": [{"role": "user", "content": "What's our total revenue?"}]}).encode()
    request = urllib.request.Request(f"{app_url}/api/chat/stream", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        text = response.read().decode()
    events = [json.loads(line[len("data: "):]) for line in text.splitlines() if line.startswith("data: {")]
    types = [event.get("type") for event in events]
    assert "tool.call" in types and "tool.output" in types and "text.delta" in types
    assert text.rstrip().endswith("data: [DONE]")


def test_a_figure_the_results_do_not_hold_is_marked(browser: object, workspace: Workspace) -> None:
    from conftest import ScriptedResponder
    from test_ui_checks import script

    responder = ScriptedResponder(script("EMEA leads with $1,200.50, up from $5.2M last year."))
    workspace.emulator.set_responder(workspace.emulator.endpoint_name, responder)
    with _open(browser, workspace.url) as page:
        answer = ask(page, "Revenue by region?")
        expect(answer).to_contain_text("$5.2M is not in the results of this answer.", timeout=TIMEOUT_MS)
        marks = answer.locator("[data-testid=stMarkdownContainer] span", has_text="$5.2M")
        expect(marks).to_have_count(1)
        style = marks.first.evaluate("e => getComputedStyle(e).backgroundColor")
        assert style not in ("rgba(0, 0, 0, 0)", "transparent")
        clean = answer.locator("[data-testid=stMarkdownContainer] span", has_text="$1,200.50")
        expect(clean).to_have_count(0)
        expect(answer.get_by_test_id("stDataFrame")).to_have_count(1)
        shot(page, "number-check")


def _scrolls_inside(page: Any, table: Any) -> None:
    """The table's grid scrolls sideways inside its card; the page itself does not."""
    scroller = table.locator(".dvn-scroller").first
    assert scroller.evaluate("e => e.scrollWidth > e.clientWidth + 10"), "all columns fit: nothing to test"
    scroller.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    time.sleep(0.2)
    assert scroller.evaluate("e => e.scrollLeft") > 0
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_on_a_phone_a_wide_table_scrolls_inside_its_card_in_the_chat_and_on_the_dashboard(
    browser: object, app_url: str
) -> None:
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
             # A user of its own: pins last per user, and other tests on this server pin too.
             "extra_http_headers": {"X-Forwarded-Email": "phone-user@example.com"}}
    context = browser.new_context(**phone)  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(app_url)
        expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=TIMEOUT_MS)
        answer = ask(page, "How did Q3 2025 compare to Q3 2024 by channel?")
        table = answer.get_by_test_id("stDataFrame")
        expect(table).to_have_count(1)
        expect(table).to_contain_text("Net revenue Q3 2024")  # sentence-case header
        expect(answer.get_by_test_id("stDownloadButton")).to_have_count(1)  # ours, and the grid shows none
        table.hover()
        toolbar = table.get_by_test_id("stElementToolbar")
        expect(toolbar.get_by_role("button", name="Download as CSV")).to_have_count(0)
        _scrolls_inside(page, table)
        shot(page, "phone-table")
        answer.get_by_role("button", name="Pin to dashboard").click()
        expect(answer.get_by_role("button", name="Pinned")).to_be_visible(timeout=TIMEOUT_MS)
        page.get_by_test_id("stExpandSidebarButton").click()  # a phone starts with the sidebar closed
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Dashboard").click()
        card = page.get_by_test_id("stMain").get_by_test_id("stDataFrame")
        expect(card).to_have_count(1, timeout=TIMEOUT_MS)
        _scrolls_inside(page, card)
    finally:
        context.close()


_ANSWER_TEXT = """(answer) => [...answer.querySelectorAll('[data-testid=stMarkdown]')]
    .filter((e) => !e.closest('[data-testid=stExpander]'))
    .filter((e) => !e.querySelector('[data-testid=stCaptionContainer]'))
    .map((e) => e.innerText.trim()).filter(Boolean).join('\\n')"""


def test_stop_shows_stopped_and_retry_at_once_keeping_the_text_on_screen(
    browser: object, workspace: Workspace
) -> None:
    workspace.emulator.set_responder(workspace.emulator.endpoint_name, DemoSupervisor())
    workspace.emulator.inject(Fault(pacing=0.25))
    with _open(browser, workspace.url) as page:
        box = page.get_by_test_id("stChatInputTextArea")  # type: ignore[attr-defined]
        box.fill("Show me revenue trends")
        box.press("Enter")
        answer = page.get_by_test_id("stChatMessage").nth(1)  # type: ignore[attr-defined]
        expect(answer.get_by_test_id("stDataFrame")).to_have_count(1, timeout=TIMEOUT_MS)  # a finished result
        time.sleep(1.2)  # a few words of the closing text are on screen
        # Read the text and press Stop in one go, so no word can land in between.
        on_screen = answer.evaluate(
            f"(answer) => {{ const text = ({_ANSWER_TEXT})(answer); "
            "document.querySelector(\"[class*='st-key-stop-'] button\").click(); return text; }"
        )
        expect(answer).to_contain_text("Stopped", timeout=5_000)  # at once: no other question needed
        expect(answer.get_by_role("button", name="Retry")).to_be_visible()
        wait_idle(page)
        assert answer.evaluate(_ANSWER_TEXT) == on_screen
        expect(answer.get_by_test_id("stDataFrame")).to_have_count(1)  # the finished result is kept
        turn_words = on_screen.split()
        assert len(turn_words) > 10, "stopped before the closing text: nothing to compare"
        shot(page, "stopped-at-once")
