from __future__ import annotations

import pytest
from pydantic import ValidationError

from newsbrief import Brief
from newsbrief.contract import Evidence, KeyFigure, PolicyImplication, Provenance, Source

TEXT = "Stocks: the index closed at 57,890, up 1.5%. The central bank will hold rates."


def make(**changes: object) -> dict[str, object]:
    figure = KeyFigure(
        label="close",
        quote="closed at 57,890",
        start=18,
        end=34,
        number_text="57,890",
        value=57890.0,
        unit="",
        grounding="exact",
    )
    brief = Brief(
        source=Source.from_text(TEXT),
        summary="The index closed higher. Rates hold.",
        key_figures=[figure],
        policy_implications=[
            PolicyImplication(
                statement="Rates stay",
                actor="central bank",
                evidence=Evidence(quote="The central bank will hold rates.", start=45, end=78),
            )
        ],
        provenance=Provenance(
            model="m", endpoint="embedded", mode="json_schema", prompt_version="x"
        ),
    )
    data = brief.model_dump()
    for path, value in changes.items():
        target = data
        keys = path.split(".")
        for k in keys[:-1]:
            target = target[int(k)] if isinstance(target, list) else target[k]
        target[keys[-1]] = value  # type: ignore[index]
    return data


def test_valid_brief_round_trips_through_json() -> None:
    brief = Brief.model_validate(make())
    assert Brief.model_validate_json(brief.model_dump_json()) == brief
    assert (
        brief.source.title
        == "Stocks: the index closed at 57,890, up 1.5%. The central bank will hold rates."
    )


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("key_figures.0.start", 17, "!= quote"),
        ("key_figures.0.value", 57.0, "not the parse"),
        ("key_figures.0.unit", "%", "not the parse"),
        ("key_figures.0.number_text", "1.5%", "not in its quote"),
        ("key_figures.0.grounding", "guessed", "grounding"),
        ("policy_implications.0.evidence.end", 70, "!= quote"),
        ("source.id", "0" * 64, "sha256"),
    ],
)
def test_tampered_brief_is_rejected(path: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Brief.model_validate(make(**{path: value}))


def test_unknown_fields_are_rejected() -> None:
    data = make()
    data["confidence"] = 0.9
    with pytest.raises(ValidationError):
        Brief.model_validate(data)
