"""Body chart geometry, lookups and SVG rendering."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from dryneedling.clinical import bodychart
from dryneedling.clinical.bodychart import inside_chart, region_at, regions, render_svg

SVG = "{http://www.w3.org/2000/svg}"


def _centroid(rid: str) -> tuple[float, float]:
    poly = bodychart.region(rid).polygon
    return sum(p[0] for p in poly) / len(poly), sum(p[1] for p in poly) / len(poly)


def test_views_and_example_ids() -> None:
    ids = set(bodychart.region_ids())
    for rid in [
        "front.neck.left",
        "back.thoracic.right",
        "back.lumbar.left",
        "front.thigh.anterior.right",
        "back.calf.left",
        "back.foot.plantar.right",
        "front.head.forehead",
        "back.head.vertex",
    ]:
        assert rid in ids
    assert all(r.view == "front" for r in regions("front"))
    assert all(r.view == "back" for r in regions("back"))
    with pytest.raises(ValueError):
        regions("side")


def test_surface_shares_sum_to_about_100() -> None:
    total = sum(r.share for view in ("front", "back") for r in regions(view))
    assert abs(total - 100) < 0.5


def test_left_right_are_the_patients_sides() -> None:
    assert _centroid("front.neck.right")[0] < 100 < _centroid("front.neck.left")[0]
    assert _centroid("back.neck.left")[0] < 100 < _centroid("back.neck.right")[0]


def test_every_region_contains_its_own_centroid_area() -> None:
    for view in ("front", "back"):
        for r in regions(view):
            xs = [p[0] for p in r.polygon]
            ys = [p[1] for p in r.polygon]
            assert max(xs) - min(xs) > 2 and max(ys) - min(ys) > 2, r.id


def test_regions_do_not_overlap() -> None:
    for view in ("front", "back"):
        for i in range(200):
            for j in range(0, 460, 2):
                x, y = i + 0.37, j + 0.41
                hits = [r.id for r in regions(view) if r.contains(x, y)]
                assert len(hits) <= 1, (view, x, y, hits)


def test_lookups() -> None:
    assert region_at("front", 95, 68) == "front.neck.right"
    assert region_at("back", 104, 212) == "back.lumbar.right"
    assert not inside_chart("front", 5, 5)
    assert not inside_chart("back", 100, 400)  # between the legs
    assert inside_chart("back", 118, 82)


def test_render_svg_is_accessible_and_classed() -> None:
    svg = render_svg(
        view="front",
        highlight_regions={"front.neck.right": "referral-primary", "front.face.orbit": "referral-spillover"},
        points=[{"x": 95, "y": 68, "label": "TrP <1>", "class": "trigger-point", "data": {"muscle": "scm"}}],
        title="Referral & trigger points",
    )
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.get("role") == "img" and root.get("viewBox") == "0 0 200 460"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "Referral & trigger points"
    polygons = root.findall(f".//{SVG}polygon")
    assert len(polygons) == len(regions("front"))
    by_region = {p.get("data-region"): p.get("class") or "" for p in polygons}
    assert "referral-primary" in by_region["front.neck.right"]
    assert "referral-spillover" in by_region["front.face.orbit.left"]
    assert all(p.find(f"{SVG}title") is not None for p in polygons)
    circle = root.find(f".//{SVG}circle")
    assert circle is not None and circle.get("data-muscle") == "scm"
    assert "trigger-point" in (circle.get("class") or "")
    assert "style" not in svg


def test_render_svg_rejects_unknown_class_or_region() -> None:
    with pytest.raises(ValueError):
        render_svg(view="back", highlight_regions={"back.neck.left": "red"}, title="x")
    with pytest.raises(ValueError):
        render_svg(view="back", highlight_regions={"back.tail": "pain"}, title="x")
