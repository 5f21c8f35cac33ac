"""Secrets out of logs: request paths and query strings are logged with capabilities removed.

A candidate's invite token is the path segment after /interview/, and a signed media link
carries its token in `access=`; whoever reads a log line holding either could act as the
candidate or play the recording. The access log (uvicorn's) and our own error log show such
paths only through redact_path(); RedactAccessLog does it to every uvicorn access record.

The database is the other source: the engine hides statement parameters (storage/db.py,
hide_parameters) in its SQL log and in its errors, and NoResultRows drops the result rows
SQLAlchemy logs when its logger is at DEBUG (they are candidates' names and answers).
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
_INVITE = re.compile(r"(/interview/)[^/?#\s]+")
_SECRET_QUERY = re.compile(r"([?&](?:access|token)=)[^&#\s]*", re.IGNORECASE)
ACCESS_LOGGER = "uvicorn.access"
SQL_LOGGER = "sqlalchemy.engine.Engine"


def redact_path(path: str) -> str:
    """The path (with its query, if any) with invite tokens and signed-link tokens removed."""
    return _SECRET_QUERY.sub(rf"\g<1>{REDACTED}", _INVITE.sub(rf"\g<1>{REDACTED}", path))


class RedactAccessLog(logging.Filter):
    """Rewrites the request path of uvicorn access records (args: client, method, path,
    http version, status) and, to be safe, any string argument that looks like a path."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_path(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact_path(record.msg)
        return True


class NoResultRows(logging.Filter):
    """Drops SQLAlchemy's DEBUG records (result rows and their column names); statements
    (INFO) still pass, their parameters already hidden."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


def install_log_redaction() -> None:
    """Attach the filters above to their loggers (once; safe to call again)."""
    for name, kind in ((ACCESS_LOGGER, RedactAccessLog), (SQL_LOGGER, NoResultRows)):
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())
