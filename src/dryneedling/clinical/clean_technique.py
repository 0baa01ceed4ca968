"""The clean-technique checklist done before the first insertion of a session."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CleanTechniqueItem:
    id: str
    label: str
    sources: tuple[str, ...]
    evidence: str


# South Africa BN121's hygiene section [V]: wash or disinfect hands, gloves recommended, skin
# disinfection, single-use needles, sharps disposal (clinical dossier, contraindication sources).
CLEAN_TECHNIQUE: tuple[CleanTechniqueItem, ...] = (
    CleanTechniqueItem("hand_hygiene", "Hands washed or sanitised", ("bn121",), "V"),
    CleanTechniqueItem(
        "gloves", "Gloves worn where required (broken skin, body fluids, clinic policy)", ("bn121",), "V"
    ),
    CleanTechniqueItem(
        "skin_preparation", "Skin at the sites clean (prepared as clinic policy requires)", ("bn121",), "V"
    ),
    CleanTechniqueItem("sterile_single_use", "Sterile single-use needles, packs intact and in date", ("bn121",), "V"),
    CleanTechniqueItem("sharps_container", "Sharps container within reach", ("bn121",), "V"),
)
