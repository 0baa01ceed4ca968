"""The web layer's layout (issue 9): views and forms live in packages named like the apps they serve,
and no view module imports another (what they share lives in web/views/shared.py)."""

from __future__ import annotations

import ast
import pathlib

import dryneedling.web

WEB = pathlib.Path(dryneedling.web.__file__).parent


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_view_module_imports_another_view_module() -> None:
    offenders = []
    for path in (WEB / "views").rglob("*.py"):
        if path.name in ("__init__.py", "shared.py"):
            continue
        own = "dryneedling.web." + ".".join(path.relative_to(WEB).with_suffix("").parts)
        for name in _imports(path):
            shared = name.startswith("dryneedling.web.views.shared")
            # `from dryneedling.web.views.treatment import x` names a module too
            if name.startswith("dryneedling.web.views") and name != own and not shared:
                offenders.append(f"{own} imports {name}")
    assert not offenders, offenders


def test_views_and_forms_live_in_their_packages() -> None:
    loose = sorted(p.name for p in WEB.glob("*.py") if p.name.startswith(("views", "forms")))
    assert not loose, f"view and form modules belong in web/views/ and web/forms/: {loose}"
