"""The body chart editor and needling timer widgets, in real Chromium, without a server.

Fixture pages are loaded with ``page.set_content`` and the static JS/CSS injected, so these
tests need neither the database nor Django's live server. The chart SVG is the real output of
``render_svg``; regions are cross-checked against the server's ``region_at``.
"""

from __future__ import annotations

import json
from pathlib import Path
from string import Template

import pytest

from dryneedling.clinical.bodychart import region, region_at, render_svg

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "src" / "dryneedling" / "static" / "dryneedling"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

CHEST_R = (85.0, 110.0)  # inside front.chest.right
OUTSIDE = (5.0, 5.0)


def _template(name: str) -> Template:
    return Template((FIXTURES / name).read_text(encoding="utf-8"))


def load_editor(page, *, mode: str = "finding", views=("front",), pain: dict | None = None, extra: str = "") -> None:
    charts = "\n".join(render_svg(view=v, title=v.capitalize(), id_prefix=f"t-{v}-") for v in views)
    html = _template("bodychart_editor.html").substitute(
        mode=mode, charts=charts, extra=extra, pain_regions=json.dumps(pain or {}).replace('"', "&quot;")
    )
    page.set_content(html)
    page.add_style_tag(path=str(STATIC / "widgets.css"))
    page.add_script_tag(path=str(STATIC / "bodychart.js"))
    page.evaluate(
        """() => {
            window.DryNeedling.initBodyCharts(document);
            window.events = [];
            for (const name of ['bodychart:placed', 'bodychart:pain', 'timer:done', 'timer:stopped']) {
                document.addEventListener(name, (e) => window.events.push([name, e.detail]));
            }
        }"""
    )


def load_timer(page, *, seconds: int, with_input: bool = False) -> None:
    field = (
        f'<label>Seconds <input type="number" data-timer-seconds min="1" max="3600" value="{seconds}"></label>'
        if with_input
        else ""
    )
    page.set_content(_template("timer.html").substitute(seconds=seconds, seconds_input=field))
    page.add_style_tag(path=str(STATIC / "widgets.css"))
    page.add_script_tag(path=str(STATIC / "timer.js"))
    page.evaluate(
        """() => {
            window.DryNeedling.initTimers(document);
            window.events = [];
            for (const name of ['timer:done', 'timer:stopped']) {
                document.addEventListener(name, (e) => window.events.push([name, e.detail]));
            }
        }"""
    )


def click_chart(page, view: str, x: float, y: float) -> None:
    """Click the chart at viewBox coordinates (x, y)."""
    client = page.evaluate(
        """([view, x, y]) => {
            const svg = document.querySelector(`svg.bodychart[data-view="${view}"]`);
            const pt = svg.createSVGPoint(); pt.x = x; pt.y = y;
            const p = pt.matrixTransform(svg.getScreenCTM());
            return [p.x, p.y];
        }""",
        [view, x, y],
    )
    page.mouse.click(client[0], client[1])


def inputs(page) -> dict:
    return page.evaluate(
        """() => Object.fromEntries(['view', 'x', 'y', 'pain_regions'].map(
            (n) => [n, document.querySelector(`input[name="${n}"]`).value]))"""
    )


def status(page) -> str:
    return page.locator(".bodychart-status").inner_text()


def events(page) -> list:
    return page.evaluate("window.events")


def no_inline_styles(page) -> bool:
    return page.evaluate("document.querySelectorAll('[style]').length === 0")


# ---- body chart: finding mode ----------------------------------------------------------


def test_svg_is_made_keyboard_accessible(page):
    load_editor(page, views=("front", "back"))
    for view in ("front", "back"):
        svg = page.locator(f'svg[data-view="{view}"]')
        assert svg.get_attribute("tabindex") == "0"
        assert svg.get_attribute("role") == "application"
        assert svg.get_attribute("aria-label").startswith(f"{view.capitalize()} body chart: arrow keys")
        status_id = page.locator(".bodychart-status").get_attribute("id")
        assert status_id and svg.get_attribute("aria-describedby") == status_id
        assert svg.locator("title").first.text_content() == view.capitalize()


def test_click_places_a_finding_and_sets_inputs(page):
    load_editor(page)
    click_chart(page, "front", *CHEST_R)
    got = inputs(page)
    assert got["view"] == "front"
    x, y = float(got["x"]), float(got["y"])
    assert abs(x - CHEST_R[0]) <= 0.6 and abs(y - CHEST_R[1]) <= 0.6
    assert round(x, 1) == x and round(y, 1) == y, "coordinates are rounded to 0.1"
    rid = region_at("front", x, y)
    assert rid == "front.chest.right"
    assert status(page) == f"Point placed on {region(rid).label} (front view)"
    marker = page.locator("svg[data-view=front] circle.point.pending")
    assert marker.count() == 1
    assert abs(float(marker.get_attribute("cx")) - x) < 1e-6
    assert events(page) == [["bodychart:placed", {"view": "front", "x": x, "y": y, "region": rid}]]
    # A second placement moves the single pending marker.
    click_chart(page, "front", 80, 300)
    assert page.locator("circle.point.pending").count() == 1
    assert no_inline_styles(page)


def test_pending_marker_moves_between_views(page):
    load_editor(page, views=("front", "back"))
    click_chart(page, "front", *CHEST_R)
    click_chart(page, "back", 100, 150)
    assert inputs(page)["view"] == "back"
    assert page.locator("svg[data-view=front] circle.point.pending").count() == 0
    assert page.locator("svg[data-view=back] circle.point.pending").count() == 1


def test_outside_click_is_not_placed(page):
    load_editor(page)
    assert region_at("front", *OUTSIDE) is None
    click_chart(page, "front", *OUTSIDE)
    assert status(page) == "Outside the body chart — not placed"
    assert inputs(page)["x"] == "" and inputs(page)["view"] == ""
    assert page.locator("circle.point.pending").count() == 0
    assert events(page) == []


def test_keyboard_moves_cursor_announces_region_and_enter_places(page):
    load_editor(page)
    page.add_style_tag(content="body { min-height: 5000px; }")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.view") == "front"
    cursor = page.locator("svg[data-view=front] circle.cursor")
    assert (cursor.get_attribute("cx"), cursor.get_attribute("cy")) == ("100", "200")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Shift+ArrowUp")
    assert (cursor.get_attribute("cx"), cursor.get_attribute("cy")) == ("92", "199")
    assert status(page) == f"{region(region_at('front', 92, 199)).label} region"
    for _ in range(5):
        page.keyboard.press("ArrowDown")
    assert page.evaluate("window.scrollY") == 0, "arrow keys must not scroll the page"
    page.keyboard.press("Enter")
    got = inputs(page)
    assert (got["view"], got["x"], got["y"]) == ("front", "92", "219")
    rid = region_at("front", 92, 219)
    assert status(page) == f"Point placed on {region(rid).label} (front view)"
    assert events(page)[-1] == ["bodychart:placed", {"view": "front", "x": 92, "y": 219, "region": rid}]
    # Move far outside the body: announced, and Space does not place there.
    for _ in range(30):
        page.keyboard.press("ArrowRight")
    assert status(page) == "outside the body"
    page.keyboard.press("Space")
    assert status(page) == "Outside the body chart — not placed"
    assert inputs(page)["x"] == "92"
    # Blur removes the cursor; refocus restores it at the last position.
    page.keyboard.press("Shift+Tab")
    assert cursor.count() == 0
    page.keyboard.press("Tab")
    assert cursor.get_attribute("cx") == "200"


def test_propose_calls_htmx_ajax(page):
    load_editor(page, extra=' data-propose-url="/propose/?episode=3" data-propose-target="#proposals"')
    page.evaluate("window.calls = []; window.htmx = {ajax: (...a) => window.calls.push(a)}")
    click_chart(page, "front", *CHEST_R)
    got = inputs(page)
    calls = page.evaluate("window.calls")
    assert calls == [
        [
            "GET",
            f"/propose/?episode=3&view=front&x={got['x']}&y={got['y']}",
            {"target": "#proposals", "swap": "innerHTML"},
        ]
    ]


def test_initialises_once_and_on_htmx_load(page):
    load_editor(page)
    page.evaluate("window.DryNeedling.initBodyCharts(document)")
    click_chart(page, "front", *CHEST_R)
    assert len(events(page)) == 1, "a second init must not bind twice"
    svg = render_svg(view="back", title="Back", id_prefix="swapped-")
    page.evaluate(
        """(svg) => {
            const el = document.createElement('div');
            el.innerHTML = `<div id="swapped" data-bodychart-editor data-mode="finding"><div class="charts">${svg}</div>
              <p class="bodychart-status"></p><input type="hidden" name="view"></div>`;
            document.body.appendChild(el);
            el.dispatchEvent(new CustomEvent('htmx:load', {bubbles: true, detail: {elt: el}}));
        }""",
        svg,
    )
    swapped = page.locator("#swapped svg")
    assert swapped.get_attribute("tabindex") == "0"
    assert page.locator("#swapped").get_attribute("data-bodychart-ready") is not None


# ---- body chart: pain mode -------------------------------------------------------------


def test_pain_mode_toggles_intensity_classes_and_json(page):
    load_editor(page, mode="pain", views=("front", "back"), pain={"back.thoracic.left": 8})
    pre = page.locator('polygon[data-region="back.thoracic.left"]')
    assert "pain-high" in pre.get_attribute("class").split()
    assert json.loads(inputs(page)["pain_regions"]) == {"back.thoracic.left": 8}

    rid = region_at("front", *CHEST_R)
    poly = page.locator(f'polygon[data-region="{rid}"]')
    label = region(rid).label
    click_chart(page, "front", *CHEST_R)
    assert set(poly.get_attribute("class").split()) == {"region", "pain", "pain-mid"}
    assert json.loads(inputs(page)["pain_regions"]) == {"back.thoracic.left": 8, rid: 5}
    assert poly.locator("title").text_content() == f"{label} — pain 5/10"
    assert status(page) == f"Pain 5/10 marked on {label}"

    page.select_option("[data-pain-intensity]", "2")
    click_chart(page, "front", *CHEST_R)
    assert set(poly.get_attribute("class").split()) == {"region", "pain", "pain-low"}
    assert json.loads(inputs(page)["pain_regions"])[rid] == 2

    click_chart(page, "front", *CHEST_R)  # same intensity again: removed
    assert poly.get_attribute("class") == "region"
    assert poly.locator("title").text_content() == label
    assert json.loads(inputs(page)["pain_regions"]) == {"back.thoracic.left": 8}
    assert status(page) == f"Pain removed from {label}"
    assert events(page)[-1] == ["bodychart:pain", {"regions": {"back.thoracic.left": 8}}]

    click_chart(page, "front", *OUTSIDE)
    assert status(page) == "Outside the body chart — not marked"
    assert no_inline_styles(page)


def test_pain_mode_by_keyboard(page):
    load_editor(page, mode="pain")
    page.keyboard.press("Tab")
    page.select_option("[data-pain-intensity]", "7")
    page.locator("svg[data-view=front]").focus()
    page.keyboard.press("Enter")
    rid = region_at("front", 100, 200)
    assert json.loads(inputs(page)["pain_regions"]) == {rid: 7}
    assert "pain-high" in page.locator(f'polygon[data-region="{rid}"]').get_attribute("class")


# ---- needling timer --------------------------------------------------------------------


def timer_state(page) -> dict:
    return page.evaluate(
        """() => {
            const t = document.querySelector('[data-timer]');
            const q = (s) => t.querySelector(s);
            return {classes: [...t.classList].filter((c) => c !== 'needle-timer'),
                    display: q('.timer-display').textContent, elapsed: q('[data-timer-elapsed]').value,
                    status: q('.timer-status').textContent, pause: q('[data-timer-pause]').textContent,
                    disabled: ['start', 'pause', 'stop'].filter((b) => q(`[data-timer-${b}]`).disabled)};
        }"""
    )


def test_timer_reaches_done_in_real_time(page):
    load_timer(page, seconds=2)
    state = timer_state(page)
    assert state["display"] == "0:02" and state["disabled"] == ["pause", "stop"]
    page.click("[data-timer-start]")
    state = timer_state(page)
    assert "running" in state["classes"] and state["disabled"] == ["start"]
    page.wait_for_selector("[data-timer].done", timeout=5000)
    state = timer_state(page)
    assert state["classes"] == ["done"]
    assert state["display"] == "0:00"
    assert state["elapsed"] == "2"
    assert state["status"] == "Time — withdraw the needle"
    assert state["disabled"] == ["pause", "stop"]
    assert events(page) == [["timer:done", {"elapsed": 2}]]
    page.click("[data-timer-start]")  # start again resets
    state = timer_state(page)
    assert state["classes"] == ["running"] and state["elapsed"] == "0" and state["display"] == "0:02"
    assert no_inline_styles(page)


def test_pause_excludes_paused_time(page):
    page.clock.install()
    load_timer(page, seconds=5)
    page.click("[data-timer-start]")
    page.clock.run_for(1000)
    assert timer_state(page)["display"] == "0:04"
    page.click("[data-timer-pause]")
    state = timer_state(page)
    assert state["classes"] == ["paused"] and state["pause"] == "Resume" and state["elapsed"] == "1"
    page.clock.run_for(10_000)
    state = timer_state(page)
    assert state["classes"] == ["paused"] and state["elapsed"] == "1" and state["display"] == "0:04"
    page.click("[data-timer-pause]")
    assert timer_state(page)["pause"] == "Pause"
    page.clock.run_for(2000)
    assert timer_state(page)["elapsed"] == "3"
    page.clock.run_for(2100)
    state = timer_state(page)
    assert state["classes"] == ["done"] and state["elapsed"] == "5"
    assert events(page) == [["timer:done", {"elapsed": 5}]]


def test_escape_inside_timer_pauses(page):
    page.clock.install()
    load_timer(page, seconds=30)
    page.click("[data-timer-start]")
    page.clock.run_for(1500)
    page.focus("[data-timer-stop]")
    page.keyboard.press("Escape")
    assert timer_state(page)["classes"] == ["paused"]


def test_stop_early_gives_smaller_elapsed(page):
    page.clock.install()
    load_timer(page, seconds=10, with_input=True)
    page.fill("[data-timer-seconds]", "20")
    assert timer_state(page)["display"] == "0:20"
    page.click("[data-timer-start]")
    page.clock.run_for(3200)
    state = timer_state(page)
    assert state["display"] == "0:17" and state["elapsed"] == "3"
    page.click("[data-timer-stop]")
    state = timer_state(page)
    assert state["classes"] == ["stopped"] and state["elapsed"] == "3"
    assert state["disabled"] == ["pause", "stop"]
    assert events(page) == [["timer:stopped", {"elapsed": 3}]]
    page.clock.run_for(30_000)
    assert timer_state(page)["classes"] == ["stopped"], "a stopped timer never fires done"
    assert events(page) == [["timer:stopped", {"elapsed": 3}]]


@pytest.mark.parametrize("seconds,expected", [(90, "1:30"), (3600, "60:00")])
def test_timer_display_format(page, seconds, expected):
    load_timer(page, seconds=seconds)
    assert timer_state(page)["display"] == expected
