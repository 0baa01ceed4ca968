"""Every CLI command starts fast (issue 14): building the parser and setting Django up imports
neither matplotlib nor textstat (a second or more each); they load where a chart or a readability
grade is computed."""

from __future__ import annotations

import os
import subprocess
import sys

CODE = """
import sys
import dryneedling.cli as cli
cli.build_parser()
import django
django.setup()
import dryneedling.reports.stats, dryneedling.synthetic.loader  # `dryneedling stats` and `seed`
print(sorted(m for m in ("matplotlib", "textstat") if m in sys.modules))
"""


def test_the_cli_and_its_bulk_commands_import_no_heavy_library(tmp_path):  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"DRYNEEDLING_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "dryneedling.settings"}
    result = subprocess.run(
        [sys.executable, "-c", CODE], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
