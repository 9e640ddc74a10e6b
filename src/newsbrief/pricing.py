"""Cost estimates for hosted models: a small, overridable price table.

Prices are USD per million tokens (input, output), list prices as published by OpenAI for
these models; override or extend them with NEWSBRIEF_PRICES (a JSON file of the same shape)
or the `prices` option. The embedded model costs nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .endpoint import Endpoint
from .models import Usage

PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
}


def price_table(
    overrides: dict[str, tuple[float, float]] | None = None,
) -> dict[str, tuple[float, float]]:
    table = dict(PRICES_PER_MTOK)
    path = os.environ.get("NEWSBRIEF_PRICES")
    if path:
        table.update(
            {k: (float(v[0]), float(v[1])) for k, v in json.loads(Path(path).read_text()).items()}
        )
    table.update(overrides or {})
    return table


def estimate_cost(
    endpoint: Endpoint, usage: Usage, overrides: dict[str, tuple[float, float]] | None = None
) -> float:
    if endpoint.embedded:
        return 0.0
    price = price_table(overrides).get(endpoint.model)
    if price is None:
        return 0.0
    return round((usage.prompt_tokens * price[0] + usage.completion_tokens * price[1]) / 1e6, 6)
