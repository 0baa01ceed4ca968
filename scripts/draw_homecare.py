"""Draw the home-care library's stick-figure illustrations as SVG templates, one per item id.

Run from the repository root after adding or renaming an item:
    PYTHONPATH=src python scripts/draw_homecare.py
It writes ``src/dryneedling/templates/homecare/illustrations/<id>.svg`` (included inline by the
``{% illustration %}`` tag, so the patient page and the PDF embed them). Each drawing is a 160 x 120
box: a dark figure (its far limbs grey), the props, a shaded spot where the patient should feel the
stretch or the work, and teal arrows for the movement. The alt text is the item's title.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from stickfigure import (  # scripts/ is on the path when this file is run
    INK,
    arrow,
    ball,
    big_head,
    box,
    chair,
    floor,
    head,
    line,
    lunge,
    mat,
    prop,
    quadruped,
    seated_front,
    seated_side,
    spot,
    standing_front,
    supine,
    walker,
    wall,
)

ROOT = Path(__file__).resolve().parents[1] / "src" / "dryneedling"
OUT = ROOT / "templates" / "homecare" / "illustrations"

DRAWINGS: dict[str, list[str]] = {
    # -- neck ---------------------------------------------------------------------------------------
    "stretch_side_neck": seated_front(
        arms=([(80, 40), (64, 34), (68, 22)], [(80, 40), (92, 58), (96, 76)]), head_at=(72, 28)
    )
    + [spot(88, 36, 7)],
    "stretch_look_to_armpit": seated_front(
        arms=([(80, 40), (64, 30), (70, 28)], [(80, 40), (92, 58), (96, 76)]), head_at=(72, 36), neck=(80, 40)
    )
    + [spot(88, 32, 7)],
    "stretch_front_neck": seated_side(
        arms=([(72, 42), (66, 62), (60, 80)], [(72, 42), (64, 60), (58, 80)]), head_at=(68, 29)
    )
    + [line((74, 36), (78, 26), width=2), spot(78, 40, 6)],
    "chin_tuck": seated_side(arms=([(72, 42), (80, 60), (92, 74)], [(72, 42), (82, 60), (94, 76)]))
    + [arrow((100, 28), (86, 28)), spot(68, 36, 6)],
    # -- shoulder girdle ----------------------------------------------------------------------------
    "stretch_doorway_chest": [
        floor(),
        wall(66),
        line((82, 66), (76, 88), (70, 112), far=True),
        line((82, 66), (94, 88), (102, 112)),
        line((82, 66), (84, 32)),
        line((84, 34), (68, 34), (68, 18)),
        head(88, 21),
        spot(90, 42, 7),
        arrow((110, 60), (124, 60)),
    ],
    "stretch_cross_body": standing_front(arms=([(80, 32), (70, 46), (74, 36)], [(80, 32), (90, 34), (58, 36)]))
    + [spot(92, 32, 6)],
    "stretch_self_hug": standing_front(arms=([(80, 32), (92, 42), (96, 30)], [(80, 32), (68, 42), (64, 30)]), lean=0)
    + [spot(80, 44, 8)],
    "stretch_arm_turn_out": standing_front(arms=([(80, 32), (68, 50), (82, 52)], [(80, 32), (90, 50), (110, 50)]))
    + [prop((76, 52), (118, 50), width=3), arrow((112, 40), (124, 40)), spot(88, 34, 6)],
    "stretch_hand_behind_back": [
        floor(),
        line((80, 64), (78, 88), (76, 112), far=True),
        line((80, 64), (84, 88), (86, 112)),
        line((80, 64), (80, 32)),
        line((80, 34), (72, 50), (80, 60), far=True),
        line((80, 34), (90, 48), (76, 50)),
        head(82, 20),
        spot(80, 32, 7),
    ],
    "stretch_overhead_side": [
        floor(),
        line((80, 64), (70, 88), (64, 112), far=True),
        line((80, 64), (92, 88), (98, 112)),
        line((80, 64), (90, 32)),
        line((90, 32), (82, 16), (104, 8)),
        line((90, 32), (100, 46), (88, 60), far=True),
        head(96, 22),
        spot(80, 46, 8),
    ],
    "stretch_wrist_extensors": standing_front(arms=([(80, 32), (96, 46), (120, 44)], [(80, 32), (100, 34), (120, 36)]))
    + [line((120, 36), (124, 48), width=3), spot(106, 34, 6)],
    "stretch_wrist_flexors": standing_front(arms=([(80, 32), (96, 44), (121, 28)], [(80, 32), (100, 36), (120, 38)]))
    + [line((120, 38), (123, 26), width=3), spot(106, 40, 6)],
    "stretch_back_of_arm": standing_front(arms=([(80, 32), (72, 18), (90, 12)], [(80, 32), (92, 12), (82, 24)]))
    + [spot(90, 20, 6)],
    "stretch_forearm_turn": standing_front(arms=([(80, 32), (86, 46), (100, 52)], [(80, 32), (84, 52), (104, 52)]))
    + [arrow((108, 44), (110, 58)), spot(88, 52, 6)],
    # -- low back and hip ---------------------------------------------------------------------------
    "stretch_knees_to_chest": supine(
        legs=([(76, 104), (56, 82), (76, 76)], [(76, 104), (58, 80), (80, 74)]),
        arms=([(34, 104), (44, 92), (58, 84)], [(34, 104), (46, 90), (60, 82)]),
    )
    + [spot(80, 104, 8)],
    "stretch_side_bend": [
        floor(),
        line((80, 64), (72, 88), (68, 112), far=True),
        line((80, 64), (88, 88), (92, 112)),
        line((80, 64), (92, 34)),
        line((92, 34), (78, 46), (76, 62), far=True),
        line((92, 34), (98, 54), (96, 74)),
        head(97, 24),
        spot(78, 54, 7),
    ],
    "stretch_figure_four": supine(
        legs=([(76, 104), (98, 80), (112, 110)], [(76, 104), (84, 88), (100, 82)]),
        arms=([(34, 104), (58, 94), (84, 92)], [(34, 104), (60, 92), (86, 90)]),
    )
    + [spot(76, 100, 8)],
    "stretch_outer_hip": [
        floor(),
        wall(116),
        line((90, 64), (80, 88), (100, 112), far=True),
        line((90, 64), (92, 88), (76, 112)),
        line((90, 64), (82, 32)),
        line((82, 32), (100, 30), (116, 30)),
        line((82, 32), (74, 48), (84, 60), far=True),
        head(80, 21),
        spot(98, 64, 7),
    ],
    "stretch_inner_thigh": [
        mat(),
        line((80, 98), (104, 90), (84, 108), far=True),
        line((80, 98), (56, 90), (76, 108)),
        line((80, 98), (80, 62)),
        line((80, 64), (90, 84), (82, 104), far=True),
        line((80, 64), (70, 84), (78, 104)),
        head(80, 51),
        spot(66, 96, 6),
        spot(94, 96, 6),
    ],
    "stretch_hip_flexor": lunge(([(80, 40), (94, 58), (102, 74)], [(80, 40), (92, 58), (100, 74)])) + [spot(84, 76, 7)],
    "stretch_belly": [
        mat(),
        line((92, 106), (140, 108), far=True),
        line((92, 106), (142, 110)),
        line((92, 106), (54, 86)),
        line((54, 86), (52, 108), (30, 108), far=True),
        line((54, 86), (56, 110), (34, 110)),
        head(46, 74),
        spot(74, 98, 8),
    ],
    # -- thigh --------------------------------------------------------------------------------------
    "stretch_front_thigh": [
        floor(),
        chair(100, back_left=False),
        line((80, 64), (80, 88), (80, 112)),
        line((80, 64), (78, 90), (62, 76), far=True),
        line((80, 64), (80, 32)),
        line((80, 34), (70, 54), (62, 74), far=True),
        line((80, 34), (96, 46), (126, 48)),
        head(82, 21),
        spot(78, 80, 6),
    ],
    "stretch_hamstring": [
        floor(),
        chair(46),
        line((62, 78), (90, 80), (90, 112), far=True),
        line((62, 78), (98, 92), (132, 108)),
        line((62, 78), (86, 48)),
        line((86, 48), (96, 64), (104, 84)),
        head(94, 39),
        spot(100, 94, 7),
    ],
    # -- calf and foot ------------------------------------------------------------------------------
    "stretch_calf_straight": [
        floor(),
        wall(132),
        line((82, 66), (100, 86), (106, 112)),
        line((82, 66), (64, 90), (46, 112), (38, 112), far=True),
        line((82, 66), (98, 34)),
        line((98, 34), (116, 36), (132, 36)),
        head(104, 24),
        spot(58, 98, 7),
    ],
    "stretch_calf_bent": [
        floor(),
        wall(132),
        line((84, 66), (102, 86), (106, 112)),
        line((84, 66), (76, 90), (62, 112), (54, 112), far=True),
        line((84, 66), (98, 34)),
        line((98, 34), (116, 36), (132, 36)),
        head(104, 24),
        spot(66, 104, 6),
    ],
    "stretch_shin": [
        floor(),
        chair(100, back_left=False),
        line((80, 64), (82, 88), (82, 112)),
        line((80, 64), (72, 88), (60, 108), (48, 112), far=True),
        line((80, 64), (80, 32)),
        line((80, 34), (96, 46), (126, 48)),
        head(82, 21),
        spot(66, 98, 6),
    ],
    "stretch_ankle_turn_in": seated_front(arms=([(80, 40), (70, 58), (74, 72)], [(80, 40), (94, 56), (102, 70)]))
    + [
        line((80, 74), (60, 70), (98, 74)),
        box(96, 68, 12, 6, fill="#fff"),
        arrow((116, 80), (112, 66)),
        spot(70, 70, 6),
    ],
    "stretch_toe_pull": seated_front(arms=([(80, 40), (70, 58), (74, 72)], [(80, 40), (98, 54), (108, 66)]))
    + [line((80, 74), (60, 70), (98, 74)), line((98, 74), (108, 68), width=3), spot(100, 74, 6)],
    "self_care_foot_roll": seated_side(
        arms=([(72, 42), (78, 60), (86, 76)], [(72, 42), (80, 60), (88, 78)]),
        legs=([(70, 78), (94, 80), (94, 112)], [(70, 78), (102, 84), (108, 102)]),
    )
    + [ball(112, 106), arrow((100, 116), (124, 116)), spot(110, 100, 6)],
    # -- jaw ----------------------------------------------------------------------------------------
    "jaw_rest": big_head()
    + [
        '<ellipse cx="80" cy="76" rx="9" ry="5" fill="#fff" stroke="#222" stroke-width="2"/>',
        arrow((128, 66), (128, 84)),
        spot(108, 74, 8),
        spot(52, 74, 8),
    ],
    "jaw_massage": big_head()
    + [
        line((80, 74), (86, 74), width=2),
        line((126, 40), (110, 66), (104, 70)),
        line((110, 66), (112, 78), width=3),
        spot(106, 72, 8),
        spot(110, 44, 7),
    ],
    # -- yoga ---------------------------------------------------------------------------------------
    "yoga_cat_cow": quadruped(back=f'<path d="M46,70 Q76,40 104,70" fill="none" stroke="{INK}" stroke-width="3.5"/>')
    + [arrow((76, 40), (76, 28)), spot(76, 56, 8)],
    "yoga_childs_pose": [
        mat(),
        line((106, 96), (86, 110), (114, 110), far=True),
        line((106, 96), (84, 108), (112, 108)),
        line((106, 96), (62, 100)),
        line((62, 100), (40, 108), (20, 110), far=True),
        line((62, 100), (42, 106), (22, 108)),
        head(54, 103, 6),
        spot(86, 96, 8),
    ],
    "yoga_lying_twist": supine(
        legs=([(76, 104), (98, 92), (118, 106)], [(76, 104), (102, 96), (122, 110)]),
        arms=([(34, 104), (34, 88), (36, 72)], [(34, 104), (30, 90), (28, 76)]),
    )
    + [arrow((116, 86), (128, 100)), spot(76, 98, 8)],
    "yoga_low_lunge": lunge(([(80, 40), (82, 22), (84, 8)], [(80, 40), (86, 22), (90, 8)])) + [spot(76, 78, 7)],
    "yoga_down_dog_wall": [
        floor(),
        wall(136),
        line((62, 64), (60, 88), (58, 112), far=True),
        line((62, 64), (64, 88), (64, 112)),
        line((62, 64), (100, 70)),
        line((100, 70), (136, 64)),
        head(106, 78, 6),
        spot(82, 66, 8),
    ],
    # -- strengthening ------------------------------------------------------------------------------
    "strength_chin_nod": supine(legs=([(76, 104), (96, 86), (112, 110)], [(76, 104), (98, 84), (114, 108)]))
    + [
        '<ellipse cx="24" cy="108" rx="12" ry="4" fill="#dfe8f0" stroke="#8a6d3b"/>',
        arrow((14, 88), (22, 84)),
        spot(32, 100, 6),
    ],
    "strength_shoulder_squeeze": standing_front(arms=([(80, 32), (68, 48), (70, 64)], [(80, 32), (92, 48), (90, 64)]))
    + [arrow((58, 40), (70, 40)), arrow((102, 40), (90, 40)), spot(80, 42, 7)],
    "strength_band_turn_out": standing_front(arms=([(80, 32), (70, 50), (52, 50)], [(80, 32), (90, 50), (108, 50)]))
    + [prop((52, 50), (108, 50), width=2), arrow((48, 40), (36, 40)), arrow((112, 40), (124, 40)), spot(90, 36, 6)],
    "strength_wrist_lower": [
        floor(),
        prop((60, 72), (132, 72), width=4),
        prop((66, 72), (66, 113)),
        prop((126, 72), (126, 113)),
        line((50, 78), (50, 44)),
        line((50, 46), (64, 70), (112, 70)),
        line((112, 70), (120, 80), width=3),
        box(118, 80, 8, 12, fill="#c9ced6"),
        head(50, 33),
        arrow((138, 74), (138, 92)),
        spot(100, 68, 6),
    ],
    "strength_grip": [
        line((20, 80), (90, 70), width=10),
        ball(104, 68, 14),
        line((92, 60), (112, 54), (118, 64), width=4),
        line((92, 70), (114, 68), (118, 76), width=4),
        line((92, 78), (110, 82), (114, 86), width=4),
        arrow((130, 52), (120, 60)),
        arrow((130, 88), (120, 80)),
        spot(56, 76, 8),
    ],
    "strength_bridge": [
        mat(),
        line((38, 108), (80, 86), (104, 78), (112, 110), far=True),
        line((38, 108), (80, 84), (106, 76), (114, 110)),
        line((38, 108), (56, 110), (72, 110)),
        head(26, 104),
        arrow((80, 100), (80, 80)),
        spot(82, 90, 8),
    ],
    "strength_bird_dog": quadruped(arm=[(46, 70), (26, 66), (8, 62)], leg=[(104, 70), (128, 68), (152, 66)])
    + [spot(76, 70, 8)],
    "strength_clamshell": [
        mat(),
        line((36, 102), (80, 104)),
        line((80, 104), (104, 100), (96, 110), far=True),
        line((80, 102), (106, 82), (98, 108)),
        line((36, 102), (30, 88), (30, 74), far=True),
        head(26, 98),
        arrow((118, 92), (118, 76)),
        spot(82, 98, 7),
    ],
    "strength_sit_to_stand": [
        floor(),
        chair(46),
        line((74, 78), (96, 88), (96, 112), far=True),
        line((74, 78), (98, 86), (98, 112)),
        line((74, 78), (92, 48)),
        line((92, 50), (108, 62), (120, 62)),
        head(100, 39),
        arrow((130, 80), (130, 58)),
        spot(86, 82, 7),
    ],
    "strength_leg_raise": supine(legs=([(76, 104), (94, 84), (110, 110)], [(76, 104), (108, 92), (140, 80)]))
    + [arrow((146, 100), (146, 80)), spot(100, 94, 7)],
    "strength_heel_raise": [
        floor(),
        box(112, 56, 40, 6),
        prop((148, 62), (148, 113)),
        line((80, 64), (80, 88), (82, 104), (92, 112), far=True),
        line((80, 64), (84, 88), (86, 104), (96, 112)),
        line((80, 64), (80, 32)),
        line((80, 34), (96, 46), (114, 56)),
        head(82, 21),
        arrow((66, 104), (66, 88)),
        spot(78, 92, 7),
    ],
    "strength_towel_scrunch": seated_side(arms=([(72, 42), (78, 60), (86, 76)], [(72, 42), (80, 60), (88, 78)]))
    + [box(86, 110, 44, 3, fill="#9fc5e8"), arrow((128, 104), (108, 104)), spot(100, 110, 6)],
    "strength_gradual_return": walker(60)
    + [
        box(104, 100, 10, 12, fill="#b9d7d5"),
        box(118, 88, 10, 24, fill="#b9d7d5"),
        box(132, 74, 10, 38, fill="#b9d7d5"),
    ],
    "strength_walking": walker(80) + [arrow((112, 30), (136, 30))],
    "strength_jaw_control": big_head()
    + [
        '<ellipse cx="80" cy="80" rx="6" ry="8" fill="#fff" stroke="#222" stroke-width="2"/>',
        '<line x1="80" y1="20" x2="80" y2="100" stroke="#0b6e69" stroke-width="1.5" stroke-dasharray="4 3"/>',
        box(124, 14, 28, 80, fill="#e6f2f1"),
        arrow((138, 62), (138, 82)),
    ],
    "strength_belly_breathing": supine(
        legs=([(76, 104), (96, 86), (112, 110)], [(76, 104), (98, 84), (114, 108)]),
        arms=([(34, 104), (46, 108), (60, 110)], [(34, 104), (50, 96), (62, 98)]),
    )
    + [arrow((58, 84), (58, 70)), spot(60, 100, 8)],
    # -- heat ---------------------------------------------------------------------------------------
    "heat_pack": seated_side(arms=([(72, 42), (80, 60), (90, 74)], [(72, 42), (82, 60), (92, 76)]))
    + [box(58, 40, 12, 20, fill="#f4a261")]
    + [f'<path d="M{x},34 q-4,-6 0,-12 q4,-6 0,-12" fill="none" stroke="#e76f51" stroke-width="2"/>' for x in (48, 56)],
}


def svg(title: str, parts: list[str]) -> str:
    alt = f"Drawing: {title}. The shaded spot shows where you should feel it."
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 120" role="img" aria-label="{alt}">'
        f"<title>{alt}</title>" + "".join(parts) + "</svg>\n"
    )


def main() -> None:
    doc = yaml.safe_load((ROOT / "clinical" / "data" / "homecare.yaml").read_text(encoding="utf-8"))
    titles = {item["id"]: item["title"] for item in doc["items"]}
    OUT.mkdir(parents=True, exist_ok=True)
    for item_id, parts in DRAWINGS.items():
        if item_id not in titles:
            raise SystemExit(f"{item_id}: no such item in homecare.yaml")
        title = titles[item_id].replace("&", "and").replace('"', "").replace("<", "").replace(">", "")
        (OUT / f"{item_id}.svg").write_text(svg(title, parts), encoding="utf-8")
    missing = [
        i
        for i, item in enumerate(doc["items"])
        if item["kind"] in ("stretch", "self_care", "yoga", "strength") and item["id"] not in DRAWINGS
    ]
    if missing:
        raise SystemExit(f"no drawing for {[doc['items'][i]['id'] for i in missing]}")
    print(f"{len(DRAWINGS)} drawings written to {OUT}")


if __name__ == "__main__":
    main()
