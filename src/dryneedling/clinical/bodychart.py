"""Body chart: a fixed coordinate system with named regions on a front and a back view.

Each view uses ``viewBox="0 0 200 460"``. Left/right in region ids are the PATIENT's
sides: on the front view the patient's right is on the viewer's left (x < 100), on the
back view the patient's right is on the viewer's right (x > 100). Region ids look like
``front.neck.right`` or ``back.head.vertex`` (midline); the id without the side suffix is
the region *base* (``front.neck``), used for side-less referral patterns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ._reader import Entry, read_yaml
from .model import VIEWS, KnowledgeError

VIEWBOX = "0 0 200 460"
WIDTH, HEIGHT = 200.0, 460.0
SIDES: tuple[str, ...] = ("right", "left")
HIGHLIGHT_CLASSES: tuple[str, ...] = ("referral-primary", "referral-spillover", "pain")
DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Region:
    id: str
    view: str
    label: str
    share: float
    polygon: tuple[tuple[float, float], ...]

    @property
    def base(self) -> str:
        return base_of(self.id)

    @property
    def side(self) -> str | None:
        return side_of(self.id)

    def contains(self, x: float, y: float) -> bool:
        return _point_in_polygon(x, y, self.polygon)


@dataclass(frozen=True)
class Chart:
    views: Mapping[str, tuple[Region, ...]]
    by_id: Mapping[str, Region]
    sources: tuple[str, ...]
    evidence: str


def base_of(region_id: str) -> str:
    head, _, tail = region_id.rpartition(".")
    return head if tail in SIDES else region_id


def side_of(region_id: str) -> str | None:
    tail = region_id.rpartition(".")[2]
    return tail if tail in SIDES else None


def _on_segment(x: float, y: float, a: tuple[float, float], b: tuple[float, float]) -> bool:
    (x1, y1), (x2, y2) = a, b
    cross = (x - x1) * (y2 - y1) - (y - y1) * (x2 - x1)
    if abs(cross) > 1e-9:
        return False
    return min(x1, x2) - 1e-9 <= x <= max(x1, x2) + 1e-9 and min(y1, y2) - 1e-9 <= y <= max(y1, y2) + 1e-9


def _point_in_polygon(x: float, y: float, poly: tuple[tuple[float, float], ...]) -> bool:
    inside = False
    n = len(poly)
    for i in range(n):
        a, b = poly[i], poly[(i + 1) % n]
        if _on_segment(x, y, a, b):
            return True
        (x1, y1), (x2, y2) = a, b
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _region(e: Entry, view: str) -> Region:
    raw = e.raw_value("polygon")
    ok = (
        isinstance(raw, list)
        and len(raw) >= 3
        and all(
            isinstance(p, list)
            and len(p) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in p)
            for p in raw
        )
    )
    if not ok:
        raise e.error("polygon", "expected a list of at least 3 [x, y] points")
    polygon = tuple((float(p[0]), float(p[1])) for p in raw)
    if any(not (0 <= x <= WIDTH and 0 <= y <= HEIGHT) for x, y in polygon):
        raise e.error("polygon", "point outside the 200 x 460 viewBox")
    region = Region(
        id=e.text("id"), view=view, label=e.text("label"), share=float(e.number("share") or 0), polygon=polygon
    )
    if not region.id.startswith(f"{view}."):
        raise e.error("id", f"region id must start with '{view}.'")
    e.finish()
    return region


def load_chart(data_dir: Path | None = None) -> Chart:
    path = (data_dir or DATA_DIR) / "bodychart.yaml"
    doc = read_yaml(path)
    top = Entry(doc, file=path.name, entry="-")
    sources, evidence = top.sources(), top.evidence()
    views_entry = top.sub("views")
    views: dict[str, tuple[Region, ...]] = {}
    by_id: dict[str, Region] = {}
    for view in VIEWS:
        regions_: list[Region] = []
        for raw in views_entry.sub(view).subs("regions"):
            ident = raw.raw.get("id")
            e = Entry(raw.raw, file=path.name, entry=ident if isinstance(ident, str) else "-")
            region = _region(e, view)
            if region.id in by_id:
                raise e.error("id", "duplicate region id")
            by_id[region.id] = region
            regions_.append(region)
        views[view] = tuple(regions_)
    views_entry.finish()
    top.finish()
    total = sum(r.share for r in by_id.values())
    if abs(total - 100.0) > 1.0:
        raise KnowledgeError(file=path.name, entry="-", field="share", problem=f"shares sum to {total}, not ~100")
    return Chart(views=MappingProxyType(views), by_id=MappingProxyType(by_id), sources=sources, evidence=evidence)


@lru_cache(maxsize=1)
def get_chart() -> Chart:
    return load_chart()


def _check_view(view: str) -> None:
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r} (expected 'front' or 'back')")


def regions(view: str) -> tuple[Region, ...]:
    _check_view(view)
    return get_chart().views[view]


def region(region_id: str) -> Region:
    return get_chart().by_id[region_id]


def region_ids() -> tuple[str, ...]:
    return tuple(get_chart().by_id)


def region_at(view: str, x: float, y: float) -> str | None:
    for r in regions(view):
        if r.contains(x, y):
            return r.id
    return None


def inside_chart(view: str, x: float, y: float) -> bool:
    return region_at(view, x, y) is not None


def expand_base(base: str, side: str | None = None, chart: Chart | None = None) -> tuple[str, ...]:
    """Region ids for a base (or full id); ``side`` keeps that side plus midline regions."""
    ids = (chart or get_chart()).by_id
    if base in ids:
        return (base,)
    found = [f"{base}.{s}" for s in SIDES if f"{base}.{s}" in ids]
    if side is not None:
        found = [r for r in found if side_of(r) == side]
    return tuple(found)


def mirror_x(x: float) -> float:
    """Mirror a chart x coordinate (patient's right <-> left on the same view)."""
    return WIDTH - x


def _attr(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum() or c == "-")


def render_svg(
    *,
    view: str,
    highlight_regions: Mapping[str, str] | None = None,
    points: list[dict[str, Any]] | None = None,
    title: str,
    id_prefix: str = "",
) -> str:
    """Accessible inline SVG of one view. Styling is by class names only (no inline styles).

    ``highlight_regions`` maps region ids (or side-less bases) to one of
    :data:`HIGHLIGHT_CLASSES`. Each point is a dict with ``x``, ``y`` and optional
    ``label``, ``class`` and ``data`` (a dict rendered as ``data-*`` attributes).
    """
    _check_view(view)
    chart = get_chart()
    classes: dict[str, str] = {}
    for key, cls in (highlight_regions or {}).items():
        if cls not in HIGHLIGHT_CLASSES:
            raise ValueError(f"unknown highlight class {cls!r}")
        ids = expand_base(key, chart=chart)
        if not ids:
            raise ValueError(f"unknown region {key!r}")
        for rid in ids:
            classes[rid] = cls
    title_id = f"{id_prefix}bodychart-{view}-title"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{VIEWBOX}" role="img" '
        f'aria-labelledby="{escape(title_id)}" class="bodychart bodychart-{view}" data-view="{view}">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        '<g class="bodychart-regions">',
    ]
    for r in chart.views[view]:
        cls = "region" + (f" {classes[r.id]}" if r.id in classes else "")
        pts = " ".join(f"{x:g},{y:g}" for x, y in r.polygon)
        out.append(
            f'<polygon id="{escape(id_prefix + r.id)}" data-region="{escape(r.id)}" class="{cls}" '
            f'points="{pts}"><title>{escape(r.label)}</title></polygon>'
        )
    out.append("</g>")
    right_x, left_x = (12, 188) if view == "front" else (188, 12)
    out.append(f'<text class="bodychart-side" x="{right_x}" y="20" aria-hidden="true">R</text>')
    out.append(f'<text class="bodychart-side" x="{left_x}" y="20" aria-hidden="true">L</text>')
    if points:
        out.append('<g class="bodychart-points">')
        for p in points:
            x, y = float(p["x"]), float(p["y"])
            cls = " ".join(["point", *filter(None, (_attr(c) for c in str(p.get("class") or "").split()))])
            data = "".join(
                f' data-{_attr(str(k))}="{escape(str(v))}"' for k, v in (p.get("data") or {}).items() if _attr(str(k))
            )
            label = f"<title>{escape(str(p['label']))}</title>" if p.get("label") else ""
            out.append(f'<circle cx="{x:g}" cy="{y:g}" r="3" class="{cls}"{data}>{label}</circle>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
