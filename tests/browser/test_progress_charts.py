"""The progress chart script in Chromium: progress/_chart.html rendered on its own (no server, no
database) with the vendored Chart.js, progress/charts.js and the site's styles, opened as a file."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Template
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "coachos" / "static"
PROGRESS = ROOT / "coachos" / "progress"
CHART_TEMPLATE = PROGRESS / "templates" / "progress" / "_chart.html"


@pytest.fixture
def expected_console_errors() -> tuple[str, ...]:
    return ()  # none at all


def weights(count: int = 30, start: date = date(2025, 3, 1)) -> list[tuple[date, float]]:
    return [(start + timedelta(days=i), round(84 - i * 0.1, 1)) for i in range(count)]


def chart_page(tmp_path: Path, series: list[tuple[date, float]], *, goal: float | None = 80.0,
               with_chart_js: bool = True) -> str:
    chart = {
        "id": "weight-chart", "label": "Weight", "unit": "kg", "goal": goal, "better": "down", "locale": "en_US",
        "points": [[d.isoformat(), v] for d, v in series],
        "rows": [{"date": d, "value": v} for d, v in reversed(series)],
    }
    figure = Template(CHART_TEMPLATE.read_text()).render(Context({"chart": chart}))
    scripts = [STATIC / "vendor" / "chart.umd.min.js"] if with_chart_js else []
    scripts.append(PROGRESS / "static" / "progress" / "charts.js")
    styles = [STATIC / "vendor" / "pico.min.css", STATIC / "coachos" / "app.css",
              PROGRESS / "static" / "progress" / "charts.css"]
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        + "".join(f'<link rel="stylesheet" href="{s.as_uri()}">' for s in styles)
        + "".join(f'<script src="{s.as_uri()}" defer></script>' for s in scripts)
        + f'</head><body><main class="container"><h1>Progress</h1>{figure}</main></body></html>'
    )
    target = tmp_path / "chart.html"
    target.write_text(html)
    return target.as_uri()


def chart_state(page: Page) -> dict[str, Any]:
    return page.evaluate("""() => {
        const canvas = document.querySelector('#weight-chart canvas');
        const chart = canvas && Chart.getChart(canvas);
        return chart ? {
            points: chart.data.datasets[0].data.length,
            goal: chart.data.datasets[1].data.map(p => p.y),
            dashed: chart.data.datasets[1].borderDash,
            animation: chart.options.animation,
            ticks: chart.scales.x.ticks.map(t => t.label),
            label: canvas.getAttribute('aria-label'),
            role: canvas.getAttribute('role'),
            width: canvas.getBoundingClientRect().width,
        } : null;
    }""")


def table_box(page: Page) -> dict[str, float]:
    box = page.locator("#weight-chart-table").bounding_box()
    assert box is not None
    return box


def test_the_chart_draws_with_its_goal_and_the_table_stays_for_screen_readers(page: Page, tmp_path: Path) -> None:
    page.goto(chart_page(tmp_path, weights()))
    page.wait_for_selector("#weight-chart.is-drawn canvas")
    state = chart_state(page)
    assert state["points"] == 30
    assert state["goal"] == [80, 80] and state["dashed"] == [6, 4]
    assert state["role"] == "img"
    assert state["label"] == ("Weight from Mar 1, 2025 to Mar 30, 2025; the latest value is 81.1 kg. "
                              "The same values are in the table. The goal is 80 kg.")
    assert state["ticks"] and all(t.startswith("Mar ") for t in state["ticks"])
    # Hidden from sight only: the rows are still in the page, in a 1-pixel box.
    assert page.locator("#weight-chart-table tbody tr").count() == 30
    assert table_box(page)["height"] <= 1
    toggle = page.get_by_role("button", name="Show the values")
    toggle.click()
    assert table_box(page)["height"] > 100
    assert page.locator("#weight-chart [data-chart-toggle]").get_attribute("aria-expanded") == "true"
    page.get_by_role("button", name="Hide the values").click()
    assert table_box(page)["height"] <= 1


def test_a_new_measurement_shows_without_a_reload(page: Page, tmp_path: Path) -> None:
    series = weights()
    page.goto(chart_page(tmp_path, series))
    page.wait_for_selector("#weight-chart.is-drawn canvas")
    page.evaluate("() => { window.loadedOnce = true; }")
    points = [[d.isoformat(), v] for d, v in series] + [["2025-03-31", "79.6"]]  # Decimal as a string
    page.evaluate("points => CoachOSProgress.update(document.getElementById('weight-chart'), points)", points)
    state = chart_state(page)
    assert state["points"] == 31
    assert "the latest value is 79.6 kg" in state["label"]
    first_row = page.locator("#weight-chart-table tbody tr").first
    assert first_row.locator("th").inner_text() == "Mar 31, 2025"
    assert first_row.locator("td").inner_text() == "79.6 kg"
    assert page.evaluate("() => window.loadedOnce") is True  # the same page: nothing reloaded


class TestOnAPhone:
    @pytest.fixture
    def context_options(self) -> dict[str, Any]:
        # Los Angeles: "2025-03-01" must still read 1 March, not 28 February.
        return {"viewport": {"width": 390, "height": 844}, "locale": "en-US", "timezone_id": "America/Los_Angeles",
                "reduced_motion": "reduce"}

    def test_it_fits_390_px_with_few_date_labels_and_no_animation(self, page: Page, tmp_path: Path) -> None:
        series = [(date(2021, 1, 1) + timedelta(days=i), 90 - i * 0.005) for i in range(0, 1800, 9)]
        page.goto(chart_page(tmp_path, series))
        page.wait_for_selector("#weight-chart.is-drawn canvas")
        state = chart_state(page)
        assert state["width"] <= 390
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        assert 2 <= len(state["ticks"]) <= 5
        assert state["animation"] is False
        assert state["label"].startswith("Weight from Jan 1, 2021 to")
        page.evaluate("""() => CoachOSProgress.update('weight-chart', [['2025-03-01', 80], ['2025-03-02', 79.5]])""")
        assert page.locator("#weight-chart-table tbody tr th").last.inner_text() == "Mar 1, 2025"


def test_without_chart_js_the_table_is_the_chart(page: Page, tmp_path: Path) -> None:
    page.goto(chart_page(tmp_path, weights(5), with_chart_js=False))
    page.wait_for_load_state("load")
    assert page.locator("#weight-chart canvas").count() == 0
    assert table_box(page)["height"] > 100
    assert page.locator("#weight-chart [data-chart-toggle]").is_hidden()


def test_no_measurements_says_so_and_the_first_one_draws_the_chart(page: Page, tmp_path: Path) -> None:
    page.goto(chart_page(tmp_path, [], goal=None))
    page.wait_for_load_state("load")
    assert page.get_by_text("No measurements yet.").is_visible()
    assert page.locator("#weight-chart canvas").count() == 0
    page.evaluate("""() => CoachOSProgress.update('weight-chart', [['2025-03-01', 80]])""")
    page.wait_for_selector("#weight-chart.is-drawn canvas")
    assert page.get_by_text("No measurements yet.").is_hidden()
    assert chart_state(page)["points"] == 1
    assert page.locator("#weight-chart-table tbody tr").count() == 1
