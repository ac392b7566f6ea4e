from __future__ import annotations

import json

import pytest

from absa_pipeline.metrics import evaluate_predictions, gate_passes
from absa_pipeline.model import (
    aspect_features,
    dump_model_document,
    load_model_document,
    predict_polarities,
    train_linear_model,
)


def record(text: str, term: str, polarity: str, occurrence: int = 0) -> dict:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(term, start + 1)
    return {"sentence_id": text, "text": text, "term": term, "from": start,
            "to": start + len(term), "polarity": polarity}


def tiny_corpus() -> list[dict]:
    rows = []
    for food in ("pasta", "pizza", "soup", "steak", "salad", "bread"):
        rows.append(record(f"The {food} was delicious and fresh.", food, "positive"))
        rows.append(record(f"The {food} was cold and bland.", food, "negative"))
        rows.append(record(f"We ordered the {food} for lunch.", food, "neutral"))
        rows.append(record(f"I loved the {food}.", food, "positive"))
        rows.append(record(f"The {food} was not good.", food, "negative"))
    rows.append(record("The pasta was great and awful.", "pasta", "conflict"))
    return rows


def test_negation_marks_words_until_the_clause_ends() -> None:
    feats = aspect_features("The food was not great, but fine.", 4, 8)
    assert "c=NOT_great" in feats
    assert "c=great" not in feats
    assert "s=fine" in feats and "s=NOT_fine" not in feats  # scope ends at the comma


def test_clause_split_at_contrast_word() -> None:
    text = "The pasta was superb but the waiter was rude"
    waiter = aspect_features(text, text.index("waiter"), text.index("waiter") + 6)
    assert "c=rude" in waiter and "c=superb" not in waiter
    pasta = aspect_features(text, 4, 9)
    assert "c=superb" in pasta and "c=rude" not in pasta


def test_aspect_at_sentence_edges_and_repeated_terms() -> None:
    text = "Service slow, but service here is usually great"
    first = aspect_features(text, 0, 7)
    second = aspect_features(text, 18, 25)
    assert "a=service" in first and "a=service" in second
    assert not any(k.startswith("l") and k[1] in "12" for k in first)  # nothing on the left
    assert "c=slow" in first and "c=great" in second and "c=slow" not in second
    end = aspect_features("Great pizza", 6, 11)
    assert not any(k[0] == "r" and k[1] in "12" for k in end)


def test_non_ascii_text() -> None:
    text = "La crème brûlée était très bonne"
    feats = aspect_features(text, 3, 15)
    assert "a=crème brûlée" in feats
    assert "c=très" in feats


def test_training_is_deterministic_and_drops_conflict() -> None:
    rows = tiny_corpus()
    first = dump_model_document(train_linear_model(rows))
    second = dump_model_document(train_linear_model(list(rows)))
    assert first == second
    doc = json.loads(first)
    assert doc["n_train"] == len(rows) - 1
    assert doc["classes"] == ["negative", "neutral", "positive"]


def test_predictions_learn_the_pattern() -> None:
    model = train_linear_model(tiny_corpus())
    items = [record("The fish was delicious and fresh.", "fish", "positive"),
             record("The fish was cold and bland.", "fish", "negative")]
    got = predict_polarities(load_model_document(dump_model_document(model)), items)
    assert [g["polarity"] for g in got] == ["positive", "negative"]
    assert abs(sum(got[0]["scores"].values()) - 1.0) < 1e-5


def test_training_needs_two_classes() -> None:
    rows = [record("Nice pasta.", "pasta", "positive")] * 5
    with pytest.raises(ValueError, match="need at least two"):
        train_linear_model(rows)


@pytest.mark.parametrize(
    "data",
    [b"\x80\x81", b"not json", b"[]", b'{"format": "pickle"}',
     b'{"format": "absa-linear/v1", "classes": ["a", "b"], "intercept": [0], "weights": {}}',
     b'{"format": "absa-linear/v1", "classes": ["a", "b"], "intercept": [0, 0], '
     b'"weights": {"f": [1, NaN]}}'],
)
def test_corrupt_model_documents_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="model"):
        load_model_document(data, source="m.json")


def test_metrics_and_gate() -> None:
    result = evaluate_predictions(["positive", "negative", "neutral", "positive"],
                                  ["positive", "negative", "positive", "positive"],
                                  ["negative", "neutral", "positive"])
    assert result["accuracy"] == 0.75
    assert result["f1"] == {"negative": 1.0, "neutral": 0.0, "positive": 0.8}
    assert result["macro_f1"] == pytest.approx(0.6)
    assert result["confusion"] == [[1, 0, 0], [0, 0, 1], [0, 0, 2]]
    assert gate_passes(0.75, 0.6, 0.75, 0.6)
    assert not gate_passes(0.749, 0.9, 0.75, 0.6)
    assert not gate_passes(0.9, 0.59, 0.75, 0.6)


def test_metrics_need_aligned_labels() -> None:
    with pytest.raises(ValueError, match="aligned"):
        evaluate_predictions(["positive"], [], ["positive"])


LEXICON = {"great": 3.1, "bland": -1.6, "good": 1.9}


def test_lexicon_features_flip_under_negation() -> None:
    plain = aspect_features("The food was great.", 4, 8, lexicon=LEXICON)
    negated = aspect_features("The food was not great.", 4, 8, lexicon=LEXICON)
    assert plain["Lc+"] > 0 and plain["Lc-"] == 0
    assert negated["Lc+"] == 0 and negated["Lc-"] < 0
    assert negated["Lc-"] == pytest.approx(-3.1 * 0.74 / 4)


def test_lexicon_features_weigh_nearer_words_more() -> None:
    near = aspect_features("The food was bland and the view, far away, great.", 4, 8,
                           lexicon=LEXICON)
    assert near["Ld-"] < 0 < near["Ld+"]
    assert abs(near["Ld-"]) > near["Ld+"] * (1.6 / 3.1)  # bland is nearer than great


def test_no_lexicon_no_lexicon_features() -> None:
    assert not any(k.startswith("L") for k in aspect_features("The food was great.", 4, 8))


def test_vader_lexicon_is_read_from_the_installed_package() -> None:
    from absa_pipeline.model import load_vader_lexicon

    lexicon = load_vader_lexicon()
    assert len(lexicon) > 7000
    assert lexicon["good"] > 0 > lexicon["bad"]
    assert all(" " not in word for word in lexicon)


def test_the_model_document_carries_its_lexicon() -> None:
    doc = train_linear_model(tiny_corpus())
    assert doc["lexicon"]["good"] > 0
    assert load_model_document(dump_model_document(doc))["lexicon"] == doc["lexicon"]
