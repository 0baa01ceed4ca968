"""Log hygiene for Django's request loggers: no patient data, no credentials, no noise.

A 403 or 404 is an expected answer (its 'denied' audit row is the record that matters), so its
log line keeps the status and path but drops the traceback Django attaches. Paths of patient
links and of password reset links carry a bearer token, which is replaced by an ellipsis. 5xx
errors keep their traceback.
"""

from __future__ import annotations

import logging
import re

# /c/<token>/ (check-in), /h/<token>/ and /h/<token>/plan.pdf (home care), /s/<token>/ (consent).
TOKEN_PATH = re.compile(r"(?:^|(?<=\s))/([chs])/[^/\s]+")  # a path, or one inside "GET /c/… HTTP/1.1"
# /accounts/reset/<uidb64>/<token>/ (password reset; Django's own "set-password" step carries none).
RESET_PATH = re.compile(r"(/accounts/reset/[^/\s]+/)(?!set-password/)[^/\s]+")


def redact_path(path: str) -> str:
    return RESET_PATH.sub(r"\1…", TOKEN_PATH.sub(r"/\1/…", path))


class RequestLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(redact_path(a) if isinstance(a, str) else a for a in record.args)
        return True
