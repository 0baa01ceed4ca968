"""Stick-figure pieces for the home-care drawings (scripts/draw_homecare.py): SVG elements as strings
in a 160 x 120 box, the floor at y = 113. The near limbs are dark, the far ones grey; props brown;
movement arrows teal; a shaded orange spot marks where the patient should feel it."""

from __future__ import annotations

import math

INK, FAR, PROP, TEAL, SPOT = "#222", "#9a9a9a", "#8a6d3b", "#0b6e69", "#e4572e"
P = tuple[float, float]


def line(*pts: P, far: bool = False, width: float = 3.5) -> str:
    d = " ".join(f"{x:g},{y:g}" for x, y in pts)
    colour = FAR if far else INK
    return (
        f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="{width}" '
        'stroke-linecap="round" stroke-linejoin="round"/>'
    )


def head(x: float, y: float, r: float = 7) -> str:
    return f'<circle cx="{x:g}" cy="{y:g}" r="{r:g}" fill="#fff" stroke="{INK}" stroke-width="3"/>'


def spot(x: float, y: float, r: float = 8) -> str:
    return f'<circle cx="{x:g}" cy="{y:g}" r="{r:g}" fill="{SPOT}" fill-opacity="0.35"/>'


def prop(*pts: P, width: float = 3) -> str:
    d = " ".join(f"{x:g},{y:g}" for x, y in pts)
    return f'<polyline points="{d}" fill="none" stroke="{PROP}" stroke-width="{width}" stroke-linecap="round"/>'


def box(x: float, y: float, w: float, h: float, fill: str = "#d9c9a8") -> str:
    return f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="2" fill="{fill}" stroke="{PROP}"/>'


def ball(x: float, y: float, r: float = 6, fill: str = "#c8e06a") -> str:
    return f'<circle cx="{x:g}" cy="{y:g}" r="{r:g}" fill="{fill}" stroke="{PROP}"/>'


def arrow(a: P, b: P) -> str:
    """A straight teal arrow from a to b."""
    ang = math.atan2(b[1] - a[1], b[0] - a[0])
    left = (b[0] - 6 * math.cos(ang - 0.5), b[1] - 6 * math.sin(ang - 0.5))
    right = (b[0] - 6 * math.cos(ang + 0.5), b[1] - 6 * math.sin(ang + 0.5))
    return (
        f'<line x1="{a[0]:g}" y1="{a[1]:g}" x2="{b[0]:g}" y2="{b[1]:g}" stroke="{TEAL}" stroke-width="2"/>'
        f'<polyline points="{left[0]:.1f},{left[1]:.1f} {b[0]:g},{b[1]:g} {right[0]:.1f},{right[1]:.1f}" '
        f'fill="none" stroke="{TEAL}" stroke-width="2"/>'
    )


def floor() -> str:
    return prop((4, 113), (156, 113), width=1.5)


def mat(x: float = 10, w: float = 140) -> str:
    return box(x, 110, w, 3, fill="#b9d7d5")


def chair(x: float, seat: float = 80, back_left: bool = True) -> str:
    """A side-view chair, its seat from x to x + 28 at height ``seat``."""
    bx = x if back_left else x + 28
    return (
        prop((bx, seat - 34), (bx, 113))
        + prop((x, seat), (x + 28, seat))
        + prop((x + 28 if back_left else x, seat), (x + 28 if back_left else x, 113))
    )


def wall(x: float) -> str:
    return prop((x, 6), (x, 113), width=4)


def standing_front(*, arms: tuple[list[P], list[P]] | None = None, hx: float = 80, lean: float = 0) -> list[str]:
    nx = hx + lean
    arms = arms or ([(nx, 32), (nx - 10, 48), (nx - 12, 64)], [(nx, 32), (nx + 10, 48), (nx + 12, 64)])
    return [
        floor(),
        line((80, 64), (74, 88), (72, 112), far=True),
        line((80, 64), (86, 88), (88, 112)),
        line((80, 64), (nx, 30)),
        line(*arms[0], far=True),
        line(*arms[1]),
        head(nx + lean * 0.3, 20),
    ]


def seated_front(*, arms: tuple[list[P], list[P]], head_at: P = (80, 26), neck: P = (80, 38)) -> list[str]:
    return [
        floor(),
        prop((60, 76), (100, 76), width=4),
        prop((64, 76), (64, 113)),
        prop((96, 76), (96, 113)),
        line((80, 74), (70, 78), (68, 110), far=True),
        line((80, 74), (90, 78), (92, 110)),
        line((80, 74), neck),
        line(*arms[0], far=True),
        line(*arms[1]),
        head(*head_at),
    ]


def seated_side(
    *,
    arms: tuple[list[P], list[P]],
    legs: tuple[list[P], list[P]] | None = None,
    neck: P = (72, 42),
    head_at: P = (74, 30),
) -> list[str]:
    legs = legs or ([(70, 78), (94, 80), (94, 112)], [(70, 78), (96, 78), (98, 112)])
    return [
        floor(),
        chair(54),
        line(*legs[0], far=True),
        line(*legs[1]),
        line((70, 78), neck),
        line(*arms[0], far=True),
        line(*arms[1]),
        head(*head_at),
    ]


def supine(
    *,
    legs: tuple[list[P], list[P]],
    arms: tuple[list[P], list[P]] | None = None,
    hip: P = (76, 104),
    neck: P = (34, 104),
    head_at: P = (24, 102),
) -> list[str]:
    arms = arms or ([neck, (46, 108), (60, 110)], [neck, (48, 108), (62, 110)])
    return [
        mat(),
        line(*legs[0], far=True),
        line(neck, hip),
        line(*legs[1]),
        line(*arms[0], far=True),
        line(*arms[1]),
        head(*head_at),
    ]


def quadruped(*, back: str | None = None, arm: list[P] | None = None, leg: list[P] | None = None) -> list[str]:
    parts = [mat()]
    parts.append(line((46, 70), (46, 110), far=True))
    parts.append(line((104, 70), (104, 110), (132, 110), far=True))
    parts.append(back or line((46, 70), (104, 70)))
    parts.append(line(*(arm or [(46, 70), (48, 110)])))
    parts.append(line(*(leg or [(104, 70), (102, 110), (130, 110)])))
    parts.append(head(36, 72))
    return parts


def big_head() -> list[str]:
    return [
        '<circle cx="80" cy="58" r="36" fill="#fff" stroke="#222" stroke-width="3"/>',
        '<circle cx="68" cy="50" r="3" fill="#222"/><circle cx="92" cy="50" r="3" fill="#222"/>',
        line((80, 54), (78, 64), (82, 64), width=2),
        line((58, 94), (56, 112)),
        line((102, 94), (104, 112)),
    ]


def walker(x: float = 80) -> list[str]:
    return [
        floor(),
        line((x, 64), (x - 12, 88), (x - 20, 112), far=True),
        line((x, 64), (x + 10, 88), (x + 14, 112)),
        line((x, 64), (x + 2, 32)),
        line((x + 2, 32), (x + 12, 48), (x + 18, 60), far=True),
        line((x + 2, 32), (x - 8, 48), (x - 12, 62)),
        head(x + 4, 21),
    ]


def lunge(arms: tuple[list[P], list[P]]) -> list[str]:
    return [
        mat(40, 90),
        line((80, 72), (66, 108), (44, 110), far=True),
        line((80, 72), (104, 76), (104, 112)),
        line((80, 72), (80, 38)),
        line(*arms[0], far=True),
        line(*arms[1]),
        head(81, 27),
    ]
