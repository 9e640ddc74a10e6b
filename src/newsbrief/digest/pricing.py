"""Cost estimates for hosted models: a small, overridable price table.

Prices are USD per million tokens (input, output), list prices as published by OpenAI for
these models; override or extend them with NEWSBRIEF_PRICES (a JSON file of the same shape)
or the `prices` option. The embedded model costs nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from newsbrief import settings
from newsbrief.contract import Usage
from newsbrief.errors import ConfigError
from newsbrief.model.endpoint import Endpoint

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
    path = settings.PRICES.get()
    if path is not None:
        table.update(_load(path))
    table.update(overrides or {})
    return table


def _load(path: Path) -> dict[str, tuple[float, float]]:
    """A price file: {"model": [input, output], ...} in USD per million tokens."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        table = {str(k): (float(v[0]), float(v[1])) for k, v in data.items()}
    except OSError as exc:
        raise ConfigError(f"NEWSBRIEF_PRICES: cannot read {path}: {exc.strerror or exc}") from None
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        raise ConfigError(
            f"NEWSBRIEF_PRICES: {path} must be JSON like "
            '{"model": [input, output]} in USD per million tokens'
        ) from None
    if any(price < 0 or price != price for pair in table.values() for price in pair):
        raise ConfigError(f"NEWSBRIEF_PRICES: {path} has a negative or NaN price")
    return table


def estimate_cost(
    endpoint: Endpoint, usage: Usage, overrides: dict[str, tuple[float, float]] | None = None
) -> float:
    if endpoint.profile.free:
        return 0.0
    price = price_table(overrides).get(endpoint.model)
    if price is None:
        return 0.0
    return round((usage.prompt_tokens * price[0] + usage.completion_tokens * price[1]) / 1e6, 6)
