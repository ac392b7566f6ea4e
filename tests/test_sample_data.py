"""Checks on the bundled SemEval-2014-format sample data and the synthetic generator."""

from __future__ import annotations

import collections
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "absa_pipeline" / "data"
TRAIN = DATA / "sample_train.xml"
TEST = DATA / "sample_test.xml"
SYNTH = ROOT / "benchmarks" / "synth_semeval.py"
ALLOWED = {"positive", "negative", "neutral", "conflict"}

# (min share, max share) of aspect terms per polarity; SemEval-2014 restaurants
# is roughly 58% / 22% / 17% / 3%.
POLARITY_BOUNDS = {
    "positive": (0.50, 0.66),
    "negative": (0.15, 0.30),
    "neutral": (0.10, 0.25),
    "conflict": (0.01, 0.06),
}


def _load(path: Path) -> list[dict]:
    """Parse a SemEval file into dicts, asserting the structure on the way."""
    root = ET.parse(path).getroot()
    assert root.tag == "sentences"
    out = []
    for sentence in root:
        assert sentence.tag == "sentence"
        text_el = sentence.find("text")
        assert text_el is not None and text_el.text
        aspects_el = sentence.find("aspectTerms")
        aspects = []
        if aspects_el is not None:
            terms = aspects_el.findall("aspectTerm")
            assert terms, "an <aspectTerms> element must not be empty"
            for a in terms:
                aspects.append(
                    (a.get("term"), a.get("polarity"), int(a.get("from")), int(a.get("to")))
                )
        out.append({"id": sentence.get("id"), "text": text_el.text, "aspects": aspects})
    return out


@pytest.fixture(scope="module")
def train() -> list[dict]:
    return _load(TRAIN)


@pytest.fixture(scope="module")
def heldout() -> list[dict]:
    return _load(TEST)


def _check_offsets_and_polarities(sentences: list[dict]) -> None:
    for s in sentences:
        for term, polarity, start, end in s["aspects"]:
            assert 0 <= start < end <= len(s["text"]), (s["id"], term)
            assert s["text"][start:end] == term, (s["id"], term, start, end)
            assert polarity in ALLOWED, (s["id"], polarity)


def _check_ids(sentences: list[dict], prefix: str) -> None:
    ids = [s["id"] for s in sentences]
    assert len(ids) == len(set(ids))
    assert all(i and i.startswith(prefix + "-") for i in ids)


def _polarity_shares(sentences: list[dict]) -> dict[str, float]:
    counts = collections.Counter(p for s in sentences for _, p, _, _ in s["aspects"])
    total = sum(counts.values())
    return {p: counts[p] / total for p in ALLOWED}


@pytest.mark.parametrize(
    ("name", "prefix", "min_sentences", "min_aspects"),
    [("train", "train", 900, 1000), ("heldout", "test", 300, 350)],
)
def test_bundled_file_shape(
    request: pytest.FixtureRequest, name: str, prefix: str, min_sentences: int, min_aspects: int
) -> None:
    sentences = request.getfixturevalue(name)
    _check_offsets_and_polarities(sentences)
    _check_ids(sentences, prefix)
    assert len(sentences) >= min_sentences
    assert sum(len(s["aspects"]) for s in sentences) >= min_aspects
    no_aspect = sum(1 for s in sentences if not s["aspects"]) / len(sentences)
    assert 0.15 <= no_aspect <= 0.35
    texts = [s["text"] for s in sentences]
    assert len(texts) == len(set(texts)), "duplicate sentence text within a file"


@pytest.mark.parametrize("name", ["train", "heldout"])
def test_polarity_distribution(request: pytest.FixtureRequest, name: str) -> None:
    shares = _polarity_shares(request.getfixturevalue(name))
    for polarity, (low, high) in POLARITY_BOUNDS.items():
        assert low <= shares[polarity] <= high, (polarity, shares[polarity])


def test_train_and_test_do_not_share_sentences(train: list[dict], heldout: list[dict]) -> None:
    def norm(t: str) -> str:
        return " ".join(t.lower().split())

    shared = {norm(s["text"]) for s in train} & {norm(s["text"]) for s in heldout}
    assert not shared


def test_bundled_files_exercise_edge_cases(train: list[dict]) -> None:
    aspects = [(s, a) for s in train for a in s["aspects"]]
    assert any(a[2] == 0 for _, a in aspects), "an aspect at the very start"
    assert any(a[3] == len(s["text"].rstrip(".!?")) for s, a in aspects), (
        "an aspect at the very end"
    )
    assert any(" " in a[0] for _, a in aspects), "multi-word aspect terms"
    assert any(not a[0].isascii() for _, a in aspects), "non-ASCII aspect terms"
    assert any("&" in s["text"] for s in train), "text that needs XML escaping"
    assert any(len({p for _, p, _, _ in s["aspects"]}) > 1 for s in train), (
        "sentences with mixed polarities"
    )
    assert any(
        len([a for a in s["aspects"] if a[0] == term]) > 1
        for s in train
        for term, _, _, _ in s["aspects"]
    ), "the same term annotated twice in one sentence"


def _run_synth(out: Path, sentences: int, seed: int) -> list[dict]:
    subprocess.run(
        [
            sys.executable,
            str(SYNTH),
            "--sentences",
            str(sentences),
            "--seed",
            str(seed),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return _load(out)


def test_synth_generator_is_valid_and_deterministic(tmp_path: Path) -> None:
    first = _run_synth(tmp_path / "a.xml", 600, 7)
    second = _run_synth(tmp_path / "b.xml", 600, 7)
    other = _run_synth(tmp_path / "c.xml", 600, 8)

    assert (tmp_path / "a.xml").read_bytes() == (tmp_path / "b.xml").read_bytes()
    assert first == second
    assert first != other
    assert len(first) == 600
    _check_offsets_and_polarities(first)
    _check_ids(first, "synth")

    n_aspects = sum(len(s["aspects"]) for s in first)
    assert 1.0 <= n_aspects / len(first) <= 1.45
    no_aspect = sum(1 for s in first if not s["aspects"]) / len(first)
    assert 0.18 <= no_aspect <= 0.32
    shares = _polarity_shares(first)
    for polarity, (low, high) in POLARITY_BOUNDS.items():
        assert low <= shares[polarity] <= high, (polarity, shares[polarity])
