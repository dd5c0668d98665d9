"""The one date a figure file may carry: SOURCE_DATE_EPOCH when the build sets it (the
reproducible-builds convention), else the epoch itself, never the clock or the time zone."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime


def source_date() -> datetime | None:
    """SOURCE_DATE_EPOCH as a UTC datetime, or None when it is unset or not an integer.
    (datetime is imported by the PDF writers that ask, not by every render.)"""
    from datetime import datetime, timezone

    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value.isdigit():
        return None
    try:
        return datetime.fromtimestamp(int(value), timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def pdf_date() -> bytes:
    """A PDF date in UTC, `YYYYMMDDHHmmSS` (14 digits: it replaces one of the same length)."""
    from datetime import datetime, timezone

    return (
        (source_date() or datetime.fromtimestamp(0, timezone.utc)).strftime("%Y%m%d%H%M%S").encode()
    )
