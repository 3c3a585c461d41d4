"""Readers: streaming generators of ``Document`` records from PubTator, BioC XML, PubMed XML and text folders.

A malformed document is reported through ``on_error`` (file, line or PMID, reason) and skipped; the
reader carries on with the next one. Gold annotations present in a corpus file are kept in
``Document.meta["gold_mentions"]`` / ``["gold_relations"]`` for training and evaluation.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.records import Document, Mention, ReadError

OnError = Callable[[ReadError], None]

# PubTator entity types of the corpora we read, mapped to the pipeline's three types.
ENTITY_TYPES = {
    "Chemical": "Chemical", "Disease": "Disease", "Gene": "Gene", "SpecificDisease": "Disease",
    "DiseaseClass": "Disease", "Modifier": "Disease", "CompositeMention": "Disease",
}


class MalformedDocument(ValueError):
    """Raised inside a reader for one document; turned into a ``ReadError``."""


def raise_errors(error: ReadError) -> None:
    """An ``on_error`` that stops at the first malformed document."""
    raise MalformedDocument(f"{error.file}:{error.line or '?'} ({error.doc_id or 'no id'}): {error.reason}")


def read_any(path: Path, on_error: OnError = raise_errors) -> Iterator[Document]:
    """Pick the reader by file name: ``*.xml`` BioC or PubMed XML, a folder of ``.txt``, else PubTator."""
    if path.is_dir():
        yield from read_text_folder(path, on_error)
    elif path.suffix.lower() in {".tsv", ".iob"}:
        yield from read_iob(path, on_error)
    elif path.suffix.lower() == ".xml":
        head = path.open("rb").read(4096)
        reader = read_pubmed_xml if b"PubmedArticle" in head else read_bioc
        yield from reader(path, on_error)
    else:
        yield from read_pubtator(path, on_error)


# --- PubTator ---------------------------------------------------------------------------------------


@dataclass
class _Block:
    first_line: int
    lines: list[tuple[int, str]] = field(default_factory=list)


def read_pubtator(path: Path, on_error: OnError = raise_errors) -> Iterator[Document]:
    """Read a PubTator file: ``PMID|t|title``, ``PMID|a|abstract``, annotation and relation lines."""
    for block in _blocks(path):
        try:
            yield _pubtator_document(block, path)
        except MalformedDocument as exc:
            doc_id = block.lines[0][1].split("|", 1)[0].split("\t", 1)[0] if block.lines else None
            on_error(ReadError(str(path), str(exc), block.first_line, doc_id))


def _blocks(path: Path) -> Iterator[_Block]:
    block: _Block | None = None
    with path.open(encoding="utf-8", errors="replace") as fh:
        for lineno, raw in enumerate(fh, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                if block is not None:
                    yield block
                block = None
                continue
            if block is None:
                block = _Block(lineno)
            block.lines.append((lineno, line))
    if block is not None:
        yield block


def _pubtator_document(block: _Block, path: Path) -> Document:
    head = [ln for _, ln in block.lines[:2]]
    if len(head) < 2 or "|t|" not in head[0] or "|a|" not in head[1]:
        raise MalformedDocument("expected 'PMID|t|title' and 'PMID|a|abstract' lines")
    pmid, _, title = head[0].partition("|t|")
    pmid_a, _, abstract = head[1].partition("|a|")
    if pmid != pmid_a or not pmid.strip():
        raise MalformedDocument(f"title and abstract lines disagree on the PMID ({pmid!r} vs {pmid_a!r})")
    text = f"{title} {abstract}"
    mentions: list[Mention] = []
    relations: list[tuple[str, str, str]] = []
    for lineno, line in block.lines[2:]:
        fields = line.split("\t")
        if len(fields) == 4 and fields[0] == pmid and not fields[1].isdigit():  # PMID<TAB>CID<TAB>chem<TAB>dis
            relations.append((fields[1], fields[2], fields[3]))
        else:
            mentions.append(_pubtator_mention(fields, pmid, text, lineno))
    meta = {"pmid": pmid, "gold_mentions": mentions, "gold_relations": relations, "file": str(path)}
    return Document(pmid, "pubmed", title, text, meta)


def _pubtator_mention(fields: list[str], pmid: str, text: str, lineno: int) -> Mention:
    if len(fields) < 5 or fields[0] != pmid:
        raise MalformedDocument(f"line {lineno}: not an annotation of {pmid}: {'<TAB>'.join(fields)[:80]!r}")
    try:
        start, end = int(fields[1]), int(fields[2])
    except ValueError as exc:
        raise MalformedDocument(f"line {lineno}: offsets are not integers") from exc
    if not 0 <= start < end <= len(text) or text[start:end] != fields[3]:
        raise MalformedDocument(f"line {lineno}: offsets {start}-{end} do not match the text {fields[3]!r}")
    etype = ENTITY_TYPES.get(fields[4], fields[4])
    ids = fields[5] if len(fields) > 5 else "-1"
    curie = None if ids in {"-1", ""} else ids
    return Mention(pmid, start, end, fields[3], etype, curie)


# --- BioC XML ---------------------------------------------------------------------------------------


def read_bioc(path: Path, on_error: OnError = raise_errors) -> Iterator[Document]:
    """Read BioC XML with the ``bioc`` package, one document at a time.

    On broken XML (a truncated file), the complete documents before the damage are still read: the
    streaming reader looks ahead, so they are recovered from the text up to the last ``</document>``.
    """
    from bioc import biocxml

    seen: set[str] = set()
    try:
        for bioc_doc in biocxml.BioCXMLDocumentReader(str(path)):
            seen.add(bioc_doc.id)
            yield from _checked_bioc(bioc_doc, path, on_error)
    except Exception as exc:  # lxml's XMLSyntaxError; no common base class to name
        if type(exc).__name__ not in {"XMLSyntaxError", "ParseError"}:
            raise
        for bioc_doc in _salvage_bioc(path):
            if bioc_doc.id not in seen:
                yield from _checked_bioc(bioc_doc, path, on_error)
        on_error(ReadError(str(path), f"XML error, rest of file skipped: {exc}", getattr(exc, "lineno", None)))


def _checked_bioc(bioc_doc: object, path: Path, on_error: OnError) -> Iterator[Document]:
    try:
        yield _bioc_document(bioc_doc, path)
    except MalformedDocument as exc:
        on_error(ReadError(str(path), str(exc), None, getattr(bioc_doc, "id", None)))


def _salvage_bioc(path: Path) -> list[object]:
    from bioc import biocxml

    text = path.read_text(encoding="utf-8", errors="replace")
    end = text.rfind("</document>")
    if end < 0:
        return []
    try:
        return list(biocxml.loads(text[: end + len("</document>")] + "</collection>").documents)
    except Exception:  # the damage is inside an earlier document too: nothing more to recover
        return []


def _bioc_document(bioc_doc: object, path: Path) -> Document:
    passages = sorted(getattr(bioc_doc, "passages", []), key=lambda p: p.offset)
    if not passages:
        raise MalformedDocument("document has no passages")
    chars: list[str] = []
    mentions: list[Mention] = []
    doc_id = str(getattr(bioc_doc, "id", ""))
    for passage in passages:
        chars.extend(" " * (passage.offset - len(chars)))
        chars.extend(passage.text or "")
    text = "".join(chars)
    for passage in passages:
        for ann in passage.annotations:
            if len(ann.locations) != 1:  # discontinuous mentions cannot be token spans; keep the rest
                continue
            loc = ann.locations[0]
            if text[loc.offset : loc.offset + loc.length] != ann.text:
                raise MalformedDocument(f"annotation {ann.id} offsets do not match its text {ann.text!r}")
            etype = ENTITY_TYPES.get(ann.infons.get("type", ""), ann.infons.get("type", ""))
            ids = ann.infons.get("MESH") or ann.infons.get("identifier")
            mentions.append(Mention(doc_id, loc.offset, loc.offset + loc.length, ann.text, etype,
                                    None if ids in (None, "-1") else ids))
    title = passages[0].text or ""
    meta = {"pmid": doc_id, "gold_mentions": mentions, "gold_relations": _bioc_relations(bioc_doc), "file": str(path)}
    return Document(doc_id, "pubmed", title, text, meta)


def _bioc_relations(bioc_doc: object) -> list[tuple[str, str, str]]:
    rels = []
    for rel in getattr(bioc_doc, "relations", []):
        infons = rel.infons
        if "Chemical" in infons and "Disease" in infons:
            rels.append((infons.get("relation", "CID"), infons["Chemical"], infons["Disease"]))
    return rels


# --- PubMed XML (efetch PubmedArticleSet) ---------------------------------------------------------------


def read_pubmed_xml(path: Path, on_error: OnError = raise_errors) -> Iterator[Document]:
    """Stream ``PubmedArticle`` records; text is title + " " + the abstract sections joined by spaces."""
    try:
        for _, elem in ET.iterparse(path, events=("end",)):
            if elem.tag != "PubmedArticle":
                continue
            pmid = (elem.findtext(".//MedlineCitation/PMID") or "").strip()
            title_elem = elem.find(".//ArticleTitle")
            title = "".join(title_elem.itertext()).strip() if title_elem is not None else ""
            parts = ["".join(a.itertext()).strip() for a in elem.findall(".//Abstract/AbstractText")]
            year = elem.findtext(".//PubDate/Year") or elem.findtext(".//ArticleDate/Year")
            elem.clear()
            if not pmid or not (title or parts):
                on_error(ReadError(str(path), "article without PMID or text", None, pmid or None))
                continue
            text = " ".join([title, *[p for p in parts if p]])
            yield Document(pmid, "pubmed", title, text, {"pmid": pmid, "year": int(year) if year else None})
    except ET.ParseError as exc:
        on_error(ReadError(str(path), f"XML error, rest of file skipped: {exc}", exc.position[0]))


# --- token-per-line IOB (BC2GM style) ----------------------------------------------------------------------


def read_iob(path: Path, on_error: OnError = raise_errors, label: str = "Gene") -> Iterator[Document]:
    """Read ``token<TAB>B-X|I-X|O`` sentences; each becomes a document whose text joins tokens with spaces.

    Gold mentions get offsets into that text, so NER on untokenised input can be scored against them.
    """
    sentence: list[tuple[str, str]] = []
    start_line = 1
    with path.open(encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, start=1):
            line = raw.rstrip("\r\n")
            if line.strip():
                if not sentence:
                    start_line = lineno
                token, sep, tag = line.rpartition("\t")
                if not sep or tag.split("-", 1)[0] not in {"B", "I", "O"}:
                    on_error(ReadError(str(path), f"line {lineno}: expected token<TAB>IOB tag", lineno))
                    continue
                sentence.append((token, tag))
                continue
            if sentence:
                yield _iob_document(path, start_line, sentence, label)
            sentence = []
    if sentence:
        yield _iob_document(path, start_line, sentence, label)


def _iob_document(path: Path, line: int, tokens: list[tuple[str, str]], label: str) -> Document:
    doc_id = f"{path.stem}:{line}"
    text, mentions = "", []
    open_start: int | None = None
    for i, (token, tag) in enumerate(tokens):
        text += ("" if i == 0 else " ") + token
        start, offset = len(text) - len(token), len(text)
        if tag.startswith("B") or (tag.startswith("I") and open_start is None):
            open_start = start
        next_tag = tokens[i + 1][1] if i + 1 < len(tokens) else "O"
        if open_start is not None and not next_tag.startswith("I"):
            mentions.append(Mention(doc_id, open_start, offset, text[open_start:offset], label))
            open_start = None
    return Document(doc_id, "text", "", text, {"gold_mentions": mentions, "file": str(path)})


# --- plain text ---------------------------------------------------------------------------------------


def read_text_folder(folder: Path, on_error: OnError = raise_errors) -> Iterator[Document]:
    """Every ``*.txt`` file below ``folder`` is a document; its id is the relative path without suffix."""
    for path in sorted(folder.rglob("*.txt")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            on_error(ReadError(str(path), f"not UTF-8 text ({exc.reason})"))
            continue
        if not text.strip():
            on_error(ReadError(str(path), "empty file"))
            continue
        doc_id = str(path.relative_to(folder).with_suffix(""))
        yield Document(doc_id, "text", text.split("\n", 1)[0].strip(), text, {"file": str(path)})
