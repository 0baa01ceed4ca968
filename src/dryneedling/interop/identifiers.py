"""The identifier and extension conventions shared by the FHIR export and the importers (issue 13).

- A record made here carries the identifier ``own(clinic_slug, kind, pk)``:
  system ``urn:dryneedling:<clinic slug>:<kind>``, value the record's number in this database.
  A patient also carries its MRN under ``mrn_system(clinic_slug)``.
- A record that came in by import carries, instead of ``own``, the identifier it came with
  (``interop.models.ExternalId``), so export → import → export gives the same identifiers.
- Resources that belong to an episode of care (Condition, Observation) name it with the extension
  ``EPISODE_EXTENSION`` whose ``valueIdentifier`` is the episode's identifier (Condition and
  Observation have no element for an EpisodeOfCare in R4B).
"""

from __future__ import annotations

BASE = "https://dryneedling.org/fhir"
EPISODE_EXTENSION = f"{BASE}/StructureDefinition/episode-of-care"


def own_system(clinic_slug: str, kind: str) -> str:
    return f"urn:dryneedling:{clinic_slug}:{kind}"


def own(clinic_slug: str, kind: str, pk: int) -> dict[str, str]:
    return {"system": own_system(clinic_slug, kind), "value": str(pk)}


def mrn_system(clinic_slug: str) -> str:
    return f"urn:dryneedling:{clinic_slug}:mrn"
