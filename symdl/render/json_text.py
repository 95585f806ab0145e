"""The text of every ``--json``: strict JSON, which any JSON parser reads.

JSON has no NaN or infinity, so a float that is not finite is written as the string ``"nan"``,
``"inf"`` or ``"-inf"`` (``float(value)`` reads every number back, these included); nothing else changes.
"""

from __future__ import annotations

import json
import math
from typing import Any


def finite_or_text(value: Any) -> Any:
    """VALUE with every non-finite float inside it (dicts, lists, tuples) replaced by its name."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {key: finite_or_text(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_text(item) for item in value]
    return value


def json_text(data: Any) -> str:
    """DATA as indented strict JSON (``allow_nan=False``: a non-finite float that escaped is an error, not output)."""
    return json.dumps(finite_or_text(data), indent=2, ensure_ascii=False, allow_nan=False)


__all__ = ["finite_or_text", "json_text"]
