"""Lower apps never import higher ones (docs/decisions.md, "Layering: the care flow above treatment
and followup (issue 9)").

Every import statement of every module under src/dryneedling is read with `ast`, including the
lazy ones inside functions and those under `if TYPE_CHECKING:`: a type-only import is still a
dependency a reader has to follow. A module may import its own app, any app of a lower layer, and
nothing else: not a higher layer, and not a peer of its own layer (peers stay independent, so no
cycle can form between them).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dryneedling

SRC = Path(dryneedling.__file__).parent

# Lowest first. Each entry is one layer; the names are packages or top-level modules of dryneedling.
LAYERS: list[set[str]] = [
    {"clinical"},  # pure rules and knowledge, no Django (tests/clinical/test_no_django.py)
    {"accounts"},  # clinics, users, roles, audit: the tenancy mechanism
    {"patients"},  # patients and episodes
    {"intake"},  # screenings
    {"treatment"},  # the clinician's record: consent, findings, sessions, insertions, notes
    # credentials and incidents; check-ins, outcomes, alerts; appointments; charges and payments
    {"safetyrecords", "followup", "scheduling", "accounting"},
    {"care"},  # the flows that span apps (complete a session -> note -> check-ins; gates)
    {"interop"},  # records coming in: FHIR and CSV imports, outside identifiers (issue 13)
    {"reports", "synthetic", "fhir"},  # analytics across apps; the synthetic seeder; FHIR out
    {"demo"},  # the demo clinic (seeds through synthetic and the apps)
    {"cli_interop", "ops"},  # the FHIR and CSV commands, wired into cli; backup and restore (issue 14)
    {"web", "api", "cli", "logfilter"},  # the HTTP layer, the JSON API, the command line, the log filter
    {"urls", "settings", "wsgi", "asgi"},  # the project's wiring
]
RANK = {name: rank for rank, layer in enumerate(LAYERS) for name in layer}


def _unit(path: Path, root: Path = SRC) -> str:
    """The app (package) or top-level module a source file belongs to."""
    rel = path.relative_to(root)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imported_units(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
            if node.module == "dryneedling":  # from dryneedling import treatment
                modules = [f"dryneedling.{alias.name}" for alias in node.names]
        for module in modules:
            parts = module.split(".")
            if parts[0] == "dryneedling" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return found


def layering_violations(root: Path = SRC) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        unit = _unit(path, root)
        if unit == "__init__":
            continue
        if unit not in RANK:
            problems.append(f"{path.relative_to(root)}: `{unit}` has no layer in tests/test_layering.py")
            continue
        for line, target in _imported_units(ast.parse(path.read_text(encoding="utf-8"))):
            if target == unit:
                continue
            if target not in RANK:
                problems.append(f"{path.relative_to(root)}:{line} imports `{target}`, which has no layer")
            elif RANK[target] >= RANK[unit]:
                relation = "a peer" if RANK[target] == RANK[unit] else "a higher layer"
                problems.append(f"{path.relative_to(root)}:{line}: {unit} imports {target} ({relation})")
    return problems


def test_lower_apps_never_import_higher_ones() -> None:
    assert layering_violations() == []


def test_every_package_and_module_has_a_layer() -> None:
    units = {_unit(path) for path in SRC.rglob("*.py")} - {"__init__"}
    assert units - set(RANK) == set()
    assert len(units) >= 15  # the walk saw the tree (an empty glob would pass the test above)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from dryneedling.followup.services import x\n", "treatment imports followup (a higher layer)"),
        ("def f():\n    from dryneedling.followup import services\n", "treatment imports followup"),
        ("import dryneedling.care.session\n", "treatment imports care"),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import dryneedling.web\n", "imports web"),
        ("from dryneedling import safetyrecords\n", "treatment imports safetyrecords"),
    ],
)
def test_the_check_finds_upward_imports_lazy_ones_included(tmp_path: Path, source: str, expected: str) -> None:
    (tmp_path / "treatment").mkdir()
    (tmp_path / "treatment" / "services.py").write_text(
        "from dryneedling.patients.models import Patient\n" + source, encoding="utf-8"
    )
    problems = layering_violations(tmp_path)
    assert len(problems) == 1, problems
    assert expected in problems[0]


def test_peers_may_not_import_each_other(tmp_path: Path) -> None:
    (tmp_path / "followup").mkdir()
    (tmp_path / "followup" / "models.py").write_text("from dryneedling.safetyrecords import models\n")
    assert layering_violations(tmp_path) == ["followup/models.py:1: followup imports safetyrecords (a peer)"]


def test_downward_imports_pass(tmp_path: Path) -> None:
    (tmp_path / "care").mkdir()
    (tmp_path / "care" / "session.py").write_text(
        "from dryneedling.treatment.services import session\nfrom dryneedling.followup import services\n"
    )
    assert layering_violations(tmp_path) == []
