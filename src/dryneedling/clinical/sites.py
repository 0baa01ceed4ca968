"""Sites a screening decision can block or flag: body-chart regions per side, and small zones.

A *region site* covers whole body-chart regions (``left_calf`` = ``back.calf.left``). A *zone
site* covers small circles in chart coordinates (the acupuncture points avoided in pregnancy),
so a block removes only what it must. Zones are drawn once on the patient's RIGHT side and
mirrored for the left (:func:`dryneedling.clinical.bodychart.mirror_x`: same view, ``x -> 200 - x``).

The trunk and head ids (``head_neck``, ``chest``, ...) and the whole-limb ids (``left_leg``, ...)
are kept so screenings stored before the finer vocabulary still read; whole limbs remain the
right unit for lymphoedema and a limb at risk after lymph-node removal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .bodychart import WIDTH, get_chart

SIDE_NAMES: tuple[str, ...] = ("right", "left")


@dataclass(frozen=True)
class Zone:
    """A circle on one chart view (viewBox 200 x 460)."""

    view: str
    x: float
    y: float
    r: float

    def contains(self, view: str, x: float, y: float) -> bool:
        return view == self.view and (x - self.x) ** 2 + (y - self.y) ** 2 <= self.r**2

    def mirrored(self) -> Zone:
        return Zone(view=self.view, x=WIDTH - self.x, y=self.y, r=self.r)


@dataclass(frozen=True)
class Site:
    id: str
    label: str
    side: str | None
    region_ids: tuple[str, ...] = ()
    zones: tuple[Zone, ...] = ()

    def contains(self, view: str, x: float, y: float) -> bool:
        if self.zones:
            return any(z.contains(view, x, y) for z in self.zones)
        by_id = get_chart().by_id
        return any(by_id[r].view == view and by_id[r].contains(x, y) for r in self.region_ids)


# Region bases per limb part; every side-specific chart region id is ``<base>.<side>``.
_PARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "shoulder": ("shoulder", ("front.shoulder", "back.shoulder")),
    "upper_arm": ("upper arm", ("front.arm.upper", "back.arm.upper")),
    "elbow": ("elbow", ("back.elbow",)),
    "forearm": ("forearm", ("front.forearm", "back.forearm")),
    "hand": ("hand", ("front.hand", "back.hand")),
    "hip": ("hip", ("front.hip",)),
    "groin": ("groin", ("front.groin",)),
    "buttock": ("buttock", ("back.buttock",)),
    "thigh": ("thigh", ("front.thigh.lateral", "front.thigh.anterior", "front.thigh.medial", "back.thigh.posterior")),
    "knee": ("knee", ("front.knee", "back.knee")),
    "shin": ("shin and outer lower leg", ("front.leg.anterior", "front.leg.lateral")),
    "calf": ("calf", ("back.calf",)),
    "foot": ("foot and ankle", ("front.foot.dorsal", "back.foot.heel", "back.foot.plantar")),
}
ARM_PARTS: tuple[str, ...] = ("shoulder", "upper_arm", "elbow", "forearm", "hand")
LEG_PARTS: tuple[str, ...] = ("hip", "thigh", "knee", "shin", "calf", "foot")
_TRUNK: dict[str, tuple[str, tuple[str, ...]]] = {
    "head_neck": ("Head and neck", ("front.head", "front.face", "front.neck", "back.head", "back.neck")),
    "chest": ("Chest wall", ("front.chest",)),
    "abdomen": ("Abdomen", ("front.abdomen",)),
    "upper_back": ("Upper and mid back", ("back.thoracic", "back.scapula", "back.flank")),
    "lower_back": ("Low back, sacrum and coccyx", ("back.lumbar", "back.sacral")),
    "pelvis_buttocks": ("Pelvis, groin and buttocks", ("front.groin", "back.buttock")),
    "peroneals": ("Peroneal muscles (outer lower leg)", ("front.leg.lateral",)),
}

# Pregnancy points, drawn on the patient's RIGHT side. Geometry is the project's own drawing [M]:
# SP6 about 3 cun above the medial malleolus on the medial edge of the lower leg (front and back
# view); LI4 in the first dorsal web space (back of the hand, back view); BL60 between the lateral
# malleolus and the Achilles tendon (back view); BL67 at the outer corner of the little toe and
# LV3 between the first and second metatarsals on the top of the foot (front view). Sources for
# avoiding them: asap_guidelines, aacp_2012 (see SCR-SITE-PREGNANCY).
_RIGHT_ZONES: dict[str, tuple[Zone, ...]] = {
    "sp6": (Zone("front", 90.0, 410.0, 6.0), Zone("back", 110.0, 410.0, 6.0)),
    "li4": (Zone("back", 160.0, 246.0, 5.0),),
    "bl60": (Zone("back", 121.0, 427.0, 4.0),),
    "bl67": (Zone("front", 72.0, 449.0, 4.0),),
    "lv3": (Zone("front", 88.0, 440.0, 4.0),),
}
_ZONE_SITES: dict[str, tuple[str, tuple[str, ...]]] = {
    # Ids kept from the first vocabulary (stored screenings name them); now small zones.
    "first_web_space": ("LI4 zone: first web space on the back of both hands", ("li4",)),
    "medial_lower_leg": ("SP6 zone: about 3 cun above the inner ankle bone, both legs", ("sp6",)),
    "ankle_and_foot_points": ("Ankle and foot points BL60, BL67 and LV3, both feet", ("bl60", "bl67", "lv3")),
}


def _chart_ids(bases: tuple[str, ...], side: str | None) -> tuple[str, ...]:
    """Region ids for bases (prefixes), on one side (``None``: both sides and the midline)."""
    out = []
    for region in get_chart().by_id.values():
        if side is not None and region.side != side:
            continue
        if any(region.base == b or region.base.startswith(b + ".") for b in bases):
            out.append(region.id)
    return tuple(out)


def _both(zones: tuple[Zone, ...]) -> tuple[Zone, ...]:
    return zones + tuple(z.mirrored() for z in zones)


def _build() -> dict[str, Site]:
    sites: dict[str, Site] = {}
    for site_id, (label, bases) in _TRUNK.items():
        sites[site_id] = Site(id=site_id, label=label, side=None, region_ids=_chart_ids(bases, None))
    for side in SIDE_NAMES:
        for part, (name, bases) in _PARTS.items():
            site_id = f"{side}_{part}"
            label = f"{side.capitalize()} {name}"
            sites[site_id] = Site(id=site_id, label=label, side=side, region_ids=_chart_ids(bases, side))
        for limb, parts in (("arm", ARM_PARTS), ("leg", LEG_PARTS)):
            bases = tuple(b for p in parts for b in _PARTS[p][1])
            site_id = f"{side}_{limb}"
            label = f"{side.capitalize()} {limb} (whole limb)"
            sites[site_id] = Site(id=site_id, label=label, side=side, region_ids=_chart_ids(bases, side))
    for site_id, (label, points) in _ZONE_SITES.items():
        zones = _both(tuple(z for p in points for z in _RIGHT_ZONES[p]))
        sites[site_id] = Site(id=site_id, label=label, side=None, zones=zones)
    return sites


SITES: Mapping[str, Site] = MappingProxyType(_build())
AREAS: tuple[str, ...] = ("head_neck", "chest", "abdomen", "upper_back", "lower_back", "pelvis_buttocks")
LIMBS: tuple[str, ...] = ("right_arm", "left_arm", "right_leg", "left_leg")
ARM_REGION_SITES: tuple[str, ...] = tuple(f"{s}_{p}" for s in SIDE_NAMES for p in ARM_PARTS)
LEG_REGION_SITES: tuple[str, ...] = tuple(f"{s}_{p}" for s in SIDE_NAMES for p in LEG_PARTS)
# Every site a clinician can pick for a local finding (infection, surgery): trunk areas and
# limb parts, never a whole limb.
LOCAL_SITES: tuple[str, ...] = (
    *AREAS,
    *(f"{s}_{p}" for s in SIDE_NAMES for p in (*ARM_PARTS, "groin", "buttock", *LEG_PARTS)),
)


def site_label(site_id: str) -> str:
    """Human-readable label; an unknown id (e.g. from an old record) is shown as it is."""
    site = SITES.get(site_id)
    return site.label if site else site_id


def site_region_ids(site_id: str) -> tuple[str, ...]:
    """Body-chart region ids a region site covers; ``()`` for a zone site or an unknown id."""
    site = SITES.get(site_id)
    return site.region_ids if site else ()


def site_contains(site_id: str, view: str, x: float, y: float) -> bool:
    """True when the chart point (``view``, ``x``, ``y``) lies in the site (region or zone)."""
    site = SITES.get(site_id)
    return bool(site and site.contains(view, x, y))
