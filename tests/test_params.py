from __future__ import annotations

import pytest

from absa_pipeline.params import ParameterError, parse_overrides, root_parameters

DEFS = root_parameters({"root": {"inputDefinitions": {"parameters": {
    "name": {"parameterType": "STRING"},
    "replicas": {"parameterType": "NUMBER_INTEGER", "defaultValue": 2},
    "threshold": {"parameterType": "NUMBER_DOUBLE"},
    "dry": {"parameterType": "BOOLEAN"},
    "tags": {"parameterType": "LIST"},
    "extra": {"parameterType": "STRUCT"},
}}}})


def test_values_are_typed_by_the_declared_type() -> None:
    got = parse_overrides(["name=a=b", "replicas=3", "threshold=0.5", "dry=TRUE",
                           'tags=["x"]', 'extra={"k": 1}'], DEFS)
    assert got == {"name": "a=b", "replicas": 3, "threshold": 0.5, "dry": True,
                   "tags": ["x"], "extra": {"k": 1}}


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("replicas", "is not KEY=VALUE"),
        ("=3", "is not KEY=VALUE"),
        ("unknown=1", "unknown pipeline parameter 'unknown'; known: dry, extra"),
        ("replicas=3.5", "parameter replicas is an integer; '3.5' is not"),
        ("threshold=abc", "parameter threshold is a number"),
        ("threshold=nan", "finite"),
        ("dry=yes", "use true or false"),
        ("tags={}", "give it as JSON"),
        ("extra=[1]", "give it as JSON"),
    ],
)
def test_bad_overrides(pair: str, message: str) -> None:
    with pytest.raises(ParameterError) as caught:
        parse_overrides([pair], DEFS)
    assert message in str(caught.value)


def test_a_name_given_twice() -> None:
    with pytest.raises(ParameterError, match="given twice"):
        parse_overrides(["replicas=1", "replicas=2"], DEFS)


def test_empty_spec_has_no_parameters() -> None:
    assert root_parameters({}) == {}
