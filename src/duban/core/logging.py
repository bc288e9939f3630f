"""Log filters."""

from __future__ import annotations

import logging


class NoTracebackFor4xx(logging.Filter):
    """Django logs a refused request (PermissionDenied: 403, Http404, a bad request) with the exception's
    traceback; a refusal is the system working, not a fault, so it is one line ("Forbidden (Permission
    denied): /path"), and tracebacks stay for what needs one (5xx)."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
