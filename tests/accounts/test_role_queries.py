"""A member holds a set of roles; `Membership.role` is only the primary one, which the header shows.
So no query in src may select members by `role` ("the clinic's clinicians" is `is_clinician=True`,
`membership__is_clinician=True`): a clinic admin who also needles (the demo's Erin) would be left
out. Read with `ast` over every module, lazy imports and all."""

from __future__ import annotations

import ast
from pathlib import Path

import dryneedling

SRC = Path(dryneedling.__file__).parent
# The one place the primary role belongs in a lookup: the constraint keeping it inside the set.
ALLOWED = {"accounts/models.py"}
QUERY_METHODS = {"filter", "exclude", "get", "get_or_create", "update_or_create", "Q", "count", "exists"}


def _role_lookups(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in QUERY_METHODS:
            continue
        for keyword in node.keywords:
            parts = (keyword.arg or "").split("__")
            if "role" in parts:
                found.append((node.lineno, keyword.arg or ""))
    return found


def role_queries(root: Path = SRC) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts or str(path.relative_to(root)) in ALLOWED:
            continue
        for line, lookup in _role_lookups(ast.parse(path.read_text(), str(path))):
            out.append(f"{path.relative_to(root)}:{line} selects members by {lookup}")
    return out


def test_no_query_selects_members_by_their_primary_role():
    assert role_queries() == []


def test_the_check_finds_a_primary_role_query(tmp_path):
    (tmp_path / "bad.py").write_text(
        "User.objects.filter(membership__clinic=c, membership__role=Role.CLINICIAN)\n"
        "Membership.objects.filter(role__in=['clinician'])\n"
        "Membership.objects.filter(is_clinician=True)\n"
    )
    assert len(role_queries(tmp_path)) == 2
