"""The place of service a superbill prints: the two-digit code (CMS-1500 item 24B) and its name, as
CMS lists them (pure: the superbill and the clinic profile both read it).

Source: CMS, "Place of Service Code Set" (Medicare Claims Processing Manual, Pub. 100-04, ch. 26,
section 10.5; https://www.cms.gov/medicare/coding-billing/place-of-service-codes/code-sets).
Only the codes an outpatient dry-needling clinic plausibly bills from are named here; any other
two-digit code is printed as it is, with words saying this app does not name it.
"""

from __future__ import annotations

SOURCE = (
    'CMS, "Place of Service Code Set" (Medicare Claims Processing Manual, Pub. 100-04, ch. 26, §10.5), '
    "https://www.cms.gov/medicare/coding-billing/place-of-service-codes/code-sets"
)

PLACE_OF_SERVICE: dict[str, str] = {
    "02": "Telehealth provided other than in patient's home",
    "10": "Telehealth provided in patient's home",
    "11": "Office",
    "12": "Home",
    "15": "Mobile unit",
    "19": "Off campus-outpatient hospital",
    "22": "On campus-outpatient hospital",
    "49": "Independent clinic",
    "62": "Comprehensive outpatient rehabilitation facility",
    "71": "Public health clinic",
    "72": "Rural health clinic",
}


def place_of_service_label(code: str) -> str:
    """'11 Office'; a code CMS's list has but this module does not name prints as the code alone,
    followed by a note to check it against the CMS code set."""
    name = PLACE_OF_SERVICE.get(code)
    return f"{code} {name}" if name else f"{code} (not named here: check it against the CMS code set)"
