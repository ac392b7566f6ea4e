"""Reading SemEval-2014 Task 4 (aspect-term polarity) XML.

The functions here are shipped verbatim into the lightweight components
(``additional_funcs``), so each one is self-contained: its imports live in its
body and it refers to no module-level name but the other functions of this
module.

The format::

    <sentences>
      <sentence id="s1">
        <text>The sushi was fresh but the waiter ignored us.</text>
        <aspectTerms>
          <aspectTerm term="sushi" polarity="positive" from="4" to="9"/>
        </aspectTerms>
      </sentence>
    </sentences>

``from``/``to`` are character offsets into the text (``to`` exclusive).
"""

from __future__ import annotations

from typing import Any


def parse_semeval_xml(data: bytes | str, source: str = "<data>") -> list[dict[str, Any]]:
    """Parses SemEval-2014 Task 4 XML into one record per aspect term.

    Args:
        data: The XML document.
        source: A name for the document (a path) used in error messages.

    Returns:
        Records with keys ``sentence_id``, ``text``, ``term``, ``from``,
        ``to`` and ``polarity`` (``positive``, ``negative``, ``neutral`` or
        ``conflict``), in document order.

    Raises:
        ValueError: The document is not well-formed, not in the SemEval
            format, has an unknown polarity or offsets that do not match the
            text, or holds no aspect term at all. The message names the
            document, the sentence and the fix.
    """
    import xml.etree.ElementTree as ET  # noqa: S405 - stdlib expat limits entity expansion

    fmt = "expected SemEval-2014 Task 4 XML: <sentences><sentence id><text/><aspectTerms>"
    try:
        root = ET.fromstring(data)  # noqa: S314
    except ET.ParseError as exc:
        raise ValueError(f"{source}: malformed XML ({exc}); {fmt}") from None
    if root.tag != "sentences":
        raise ValueError(f"{source}: root element is <{root.tag}>; {fmt}")
    polarities = ("positive", "negative", "neutral", "conflict")
    records: list[dict[str, Any]] = []
    for index, sentence in enumerate(root.iter("sentence"), start=1):
        sentence_id = sentence.get("id") or f"#{index}"
        where = f"{source}: sentence {sentence_id}"
        text_el = sentence.find("text")
        if text_el is None:
            raise ValueError(f"{where} has no <text> element; {fmt}")
        text = text_el.text or ""
        for term_el in sentence.iter("aspectTerm"):
            term = term_el.get("term")
            polarity = term_el.get("polarity")
            if term is None or polarity is None:
                raise ValueError(f"{where}: <aspectTerm> needs term and polarity attributes")
            if polarity not in polarities:
                raise ValueError(
                    f"{where}: unknown polarity {polarity!r} for {term!r}; "
                    f"use one of {', '.join(polarities)}"
                )
            try:
                start = int(term_el.get("from", ""))
                end = int(term_el.get("to", ""))
            except ValueError:
                raise ValueError(
                    f"{where}: aspect term {term!r} needs integer from/to offsets"
                ) from None
            if not (0 <= start < end <= len(text)) or text[start:end] != term:
                raise ValueError(
                    f"{where}: offsets from={start} to={end} give "
                    f"{text[start:end]!r}, not the term {term!r}; fix the offsets "
                    "(character positions in the text, 'to' exclusive)"
                )
            records.append(
                {
                    "sentence_id": sentence_id,
                    "text": text,
                    "term": term,
                    "from": start,
                    "to": end,
                    "polarity": polarity,
                }
            )
    if not records:
        raise ValueError(f"{source}: no aspect terms found; the dataset is empty")
    return records


def load_semeval_file(path: str) -> list[dict[str, Any]]:
    """Reads and parses a SemEval-2014 Task 4 XML file.

    Args:
        path: The file to read.

    Returns:
        The records of :func:`parse_semeval_xml`.

    Raises:
        ValueError: The file is missing, unreadable or not valid SemEval XML.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file; give the path of a SemEval XML file") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: is a directory; give the path of a SemEval XML file") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror})") from None
    return parse_semeval_xml(data, source=path)


def sha256_file(path: str) -> str:
    """Returns the hex SHA-256 digest of a file's bytes.

    Args:
        path: The file to hash.

    Returns:
        64 lowercase hex digits.
    """
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
