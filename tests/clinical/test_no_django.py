"""The clinical core must not import Django or other parts of dryneedling."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import dryneedling.clinical

PACKAGE_DIR = Path(dryneedling.clinical.__file__).parent

SCRIPT = """
import importlib, json, pkgutil, sys
import dryneedling.clinical as pkg
names = [m.name for m in pkgutil.walk_packages(pkg.__path__, "dryneedling.clinical.")
         if not m.name.endswith("__main__")]
for name in names:
    importlib.import_module(name)
from dryneedling.clinical.commands import kb_check
import io
kb_check(io.StringIO(), io.StringIO())
print(json.dumps({"imported": names, "modules": sorted(sys.modules)}))
"""


def test_importing_every_module_loads_no_django() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    data = json.loads(result.stdout)
    assert len(data["imported"]) >= 10
    django = [m for m in data["modules"] if m.startswith("django")]
    assert django == []
    outside = [
        m
        for m in data["modules"]
        if m.startswith("dryneedling") and m != "dryneedling" and not m.startswith("dryneedling.clinical")
    ]
    assert outside == []


def test_no_source_file_imports_django_or_other_dryneedling_code() -> None:
    for path in PACKAGE_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            for name in names:
                assert not name.startswith("django"), (path, name)
                assert not name.startswith("dryneedling") or name.startswith("dryneedling.clinical"), (path, name)
