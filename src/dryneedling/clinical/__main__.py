"""``python -m dryneedling.clinical kb check`` etc. (same commands as the project CLI)."""

from __future__ import annotations

import sys

from .commands import main

sys.exit(main())
