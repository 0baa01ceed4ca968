"""The production storage of static files (issue 14): WhiteNoise's compressed, hashed names from
the manifest `collectstatic` writes, with two changes for a server whose collectstatic has not run
yet (a fresh install, an upgrade whose step was missed, a script rendering a page):

- a name missing from the manifest falls back to its plain name instead of raising, so a page
  renders (Django's `manifest_strict`), rather than every page answering 500;
- `collected()` tells /healthz whether the manifest exists, so the health check says unavailable
  until collectstatic has run, and the log names the step.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def stored_name(self, name: str) -> str:
        """The hashed name from the manifest; the plain name when neither the manifest nor the
        collected file knows it (Django would hash the collected file, which is not there yet)."""
        try:
            return str(super().stored_name(name))
        except ValueError:
            return name

    def collected(self) -> bool:
        return bool(self.hashed_files)
