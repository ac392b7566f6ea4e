from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from absa_pipeline.semeval import load_semeval_file, parse_semeval_xml, sha256_file

GOOD = """<?xml version="1.0" encoding="UTF-8"?>
<sentences>
  <sentence id="1">
    <text>The sushi was fresh but the waiter &amp; host ignored us.</text>
    <aspectTerms>
      <aspectTerm term="sushi" polarity="positive" from="4" to="9"/>
      <aspectTerm term="waiter &amp; host" polarity="negative" from="28" to="41"/>
      <aspectTerm term="sushi" polarity="conflict" from="4" to="9"/>
    </aspectTerms>
  </sentence>
  <sentence id="2"><text>We came on a Tuesday.</text></sentence>
  <sentence id="3">
    <text>Café au lait</text>
    <aspectTerms><aspectTerm term="Café au lait" polarity="neutral" from="0" to="12"/></aspectTerms>
  </sentence>
</sentences>
"""


def test_parses_terms_with_offsets_entities_and_non_ascii() -> None:
    records = parse_semeval_xml(GOOD.encode("utf-8"))
    assert [(r["sentence_id"], r["term"], r["polarity"]) for r in records] == [
        ("1", "sushi", "positive"),
        ("1", "waiter & host", "negative"),
        ("1", "sushi", "conflict"),
        ("3", "Café au lait", "neutral"),
    ]
    assert records[1]["text"][records[1]["from"]:records[1]["to"]] == "waiter & host"


def test_accepts_str_input() -> None:
    text = GOOD.replace('<?xml version="1.0" encoding="UTF-8"?>\n', "")
    assert len(parse_semeval_xml(text)) == 4


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ("<sentences><sentence id='1'><text>x</text>", "malformed XML"),
        ("<reviews/>", "root element is <reviews>"),
        ("<sentences/>", "no aspect terms found; the dataset is empty"),
        ("<sentences><sentence id='1'><text>We came.</text></sentence></sentences>",
         "dataset is empty"),
        ("<sentences><sentence id='7'><aspectTerms/></sentence></sentences>",
         "sentence 7 has no <text>"),
        ("<sentences><sentence id='1'><text>Good food</text><aspectTerms>"
         "<aspectTerm term='food' polarity='great' from='5' to='9'/></aspectTerms></sentence>"
         "</sentences>", "unknown polarity 'great'"),
        ("<sentences><sentence id='1'><text>Good food</text><aspectTerms>"
         "<aspectTerm term='food' polarity='positive' from='4' to='8'/></aspectTerms>"
         "</sentence></sentences>", "offsets from=4 to=8 give ' foo', not the term 'food'"),
        ("<sentences><sentence id='1'><text>Good food</text><aspectTerms>"
         "<aspectTerm term='food' polarity='positive' from='5' to='99'/></aspectTerms>"
         "</sentence></sentences>", "offsets from=5 to=99"),
        ("<sentences><sentence id='1'><text>Good food</text><aspectTerms>"
         "<aspectTerm term='food' polarity='positive' from='a' to='9'/></aspectTerms>"
         "</sentence></sentences>", "needs integer from/to offsets"),
        ("<sentences><sentence id='1'><text>Good food</text><aspectTerms>"
         "<aspectTerm polarity='positive' from='5' to='9'/></aspectTerms>"
         "</sentence></sentences>", "needs term and polarity"),
    ],
)
def test_bad_input_is_one_clear_error(xml: str, message: str) -> None:
    with pytest.raises(ValueError, match=None) as caught:
        parse_semeval_xml(xml, source="data.xml")
    text = str(caught.value)
    assert text.startswith("data.xml")
    assert message in text
    assert "\n" not in text
    assert caught.value.__cause__ is None  # no chained cascade


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such file"):
        load_semeval_file(str(tmp_path / "absent.xml"))
    with pytest.raises(ValueError, match="is a directory"):
        load_semeval_file(str(tmp_path))


def test_load_file_and_digest(tmp_path: Path) -> None:
    path = tmp_path / "d.xml"
    path.write_text(GOOD, encoding="utf-8")
    assert len(load_semeval_file(str(path))) == 4
    assert sha256_file(str(path)) == hashlib.sha256(
        GOOD.encode("utf-8")).hexdigest()
