"""`edi837 export`: claim records (edi837.answers.write.records) as JSON, XML or CSV, written as they are
read, and the schemas of the JSON and XML, generated from the record's SHAPE.

- JSON: `{"tool", "tool_version", "schema_version", "claims": [record, ...], "files": [...],
  "summary": {...}}`, one claim a line (schemas/export.schema.json).
- XML: `<export tool=.. tool_version=.. schema_version=..>` with a `<claim>` per record, then a
  `<file>` per input and the `<summary>` (schemas/export.xsd). A key whose value is None is left
  out; a list is an element holding one element per item (ITEMS names them). Characters XML 1.0
  cannot hold (control characters) are written as U+FFFD.
- CSV: one row per service line, the claim's fields repeated on each (a claim without lines has one
  row with empty line columns): nested fields are `parent_key` (patient_last, ambulance_trip), line
  fields `line_*`, lists joined with ";", value codes as CODE=AMOUNT, findings as their rule ids
  (`finding_rules`) beside the `errors` and `warnings` counts. A cell a spreadsheet would run as a
  formula (it starts with =, +, -, @, a tab or a carriage return: OWASP "CSV injection") is written
  with a leading `'`, unless it is a plain number (`-12.50` stays a number): the input is the
  sender's, and a claim id `@SUM(1+1)` must stay text. JSON and XML keep the raw value.

Both claim types share one shape (record schema 1.1): `claim_type` (837I, 837P) tells them apart; the
837P's claim data is in `ambulance` (CSV: ambulance_place_of_service, ambulance_transport_reason,
ambulance_cr1_miles, ambulance_certification, ambulance_conditions, ambulance_pickup_address ...) and
each line's in its `line_*` columns (line_place_of_service, line_emergency, line_pickup_zip,
line_dropoff_zip, line_cr1_miles, line_patient_count); an 837I claim leaves them null (CSV: empty).

File names are bytes: one that is not UTF-8 (a surrogate-escaped str in Python) is written as `check`
shows it (edi837.x12.read.printable), in every format, so no writer fails half-way through a file.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from typing import Any, TextIO
from xml.sax.saxutils import escape, quoteattr

import click

from ...durable import kind, replacing
from ...errors import printable
from .records import DESCRIPTIONS, ENUMS, ITEMS, SHAPE, Record, versions

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
XSD_TYPES = {"str": "xs:string", "int": "xs:integer", "bool": "xs:boolean"}
JSON_TYPES = {"str": "string", "int": "integer", "bool": "boolean"}

FILE_ENTRY = {"path": "str", "claims": "int", "accepted": "int", "rejected": "int", "error": "str?"}
SUMMARY = {"files": "int", "claims": "int", "accepted": "int", "rejected": "int", "unreadable_files": "int"}


def shown_paths(record: Record, key: str) -> Record:
    """`record` with its path (`key`) as check shows it: a file name's undecodable bytes escaped, so
    every writer can encode it (a copy: the caller's record is left as it was)."""
    path = record.get(key)
    if isinstance(path, str) and not path.isprintable():
        return {**record, key: printable(path)}
    return record


def shown_files(files: list[Record]) -> list[Record]:
    return [shown_paths(f, "path") for f in files]


@contextlib.contextmanager
def output_file(path: str) -> Iterator[TextIO]:
    """The `-o` file of `export` and `report` (UTF-8), written whole or not at all: under a temporary
    name beside it, renamed over it at the end (durable.replacing), so a failure half-way leaves no
    truncated XML or empty report and an existing file keeps what it had. Only a regular file (or
    nothing) is replaced: a link, a device or a pipe at PATH is a usage error, never written through."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:  # nothing there yet (or no folder: replacing says so below)
        mode = stat.S_IFREG
    if not stat.S_ISREG(mode):
        raise click.BadParameter(f"{printable(path)} is {kind(mode)}: give the path of a regular file to write",
                                 param_hint="'-o' / '--output'")
    try:
        with replacing(path, encoding="utf-8") as out:
            yield out
    except OSError as exc:  # a missing folder, no permission, a full disk: one line, exit 2, nothing left
        raise OutputError(f"cannot write {printable(path)}: {exc.strerror or type(exc).__name__}") from None


class OutputError(click.ClickException):
    """The `-o` file could not be written: one error line and exit 2 (1 means something was rejected)."""

    exit_code = 2


# -- JSON -------------------------------------------------------------------------------------------

class JsonWriter:
    def __init__(self, write: Callable[[str], object]) -> None:
        self.write = write
        self.count = 0
        head = json.dumps(versions())[:-1]
        write(head + ', "claims": [')

    def claim(self, record: Record) -> None:
        self.write(("\n" if not self.count else ",\n") + json.dumps(shown_paths(record, "file")))
        self.count += 1

    def close(self, files: list[Record], summary: Record) -> None:
        self.write(f'], "files": {json.dumps(shown_files(files))}, "summary": {json.dumps(summary)}}}\n')


# -- XML --------------------------------------------------------------------------------------------

def _xml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(NOT_XML.sub("\ufffd", str(value)))


def _attr(value: Any) -> str:
    return quoteattr(NOT_XML.sub("\ufffd", str(value)))


def xml_element(name: str, value: Any, shape: Any, out: list[str]) -> None:
    """`value` (of `shape`) as the XML element `name`, appended to `out`; None is left out."""
    if value is None:
        return
    if isinstance(shape, dict):
        out.append(f"<{name}>")
        for key, sub in shape.items():
            xml_element(key, value[key], sub, out)
        out.append(f"</{name}>")
    elif isinstance(shape, list):
        out.append(f"<{name}>")
        for item in value:
            xml_element(ITEMS[name], item, shape[0], out)
        out.append(f"</{name}>")
    else:
        out.append(f"<{name}>{_xml_text(value)}</{name}>")


def from_xml(element: Any, shape: Any) -> Any:
    """An lxml element of `shape` read back into plain data (what the record was)."""
    if isinstance(shape, dict):
        found = {child.tag: child for child in element}
        return {key: from_xml(found[key], sub) if key in found else None for key, sub in shape.items()}
    if isinstance(shape, list):
        return [from_xml(child, shape[0]) for child in element]
    text = element.text or ""
    kind = shape.rstrip("?")
    if kind == "int":
        return int(text)
    if kind == "bool":
        return text == "true"
    return text


class XmlWriter:
    def __init__(self, write: Callable[[str], object]) -> None:
        self.write = write
        attrs = " ".join(f"{k}={_attr(v)}" for k, v in versions().items())
        write(f'<?xml version="1.0" encoding="UTF-8"?>\n<export {attrs}>\n')

    def claim(self, record: Record) -> None:
        out: list[str] = []
        xml_element("claim", shown_paths(record, "file"), SHAPE, out)
        self.write("".join(out) + "\n")

    def close(self, files: list[Record], summary: Record) -> None:
        for f in shown_files(files):
            self.write("<file " + " ".join(f"{k}={_attr(v)}" for k, v in f.items() if v is not None) + "/>\n")
        self.write("<summary " + " ".join(f"{k}={_attr(v)}" for k, v in summary.items()) + "/>\n</export>\n")


# -- CSV --------------------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?\Z")


def defused(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: one that starts like a formula gets a leading `'`
    (OWASP), except a plain number (a negative amount), which no spreadsheet runs."""
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _cell(value: Any, key: str = "") -> str:
    return defused(_value(value, key))


def _value(value: Any, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if key == "value_codes":
            return ";".join(f"{v['code']}={v['amount'] or ''}" for v in value)
        if key == "occurrence_codes":
            return ";".join(f"{v['code']}={v['date'] or ''}" for v in value)
        if key == "findings":
            return ";".join(f["rule"] for f in value)
        return ";".join(map(str, value))
    return str(value)


def csv_columns() -> list[str]:
    cols: list[str] = []
    for key, shape in SHAPE.items():
        if key == "lines":
            cols += [f"line_{k}" for k in shape[0]]
        elif key == "findings":
            cols.append("finding_rules")
        elif isinstance(shape, dict):
            cols += [f"{key}_{k}" for k in shape]
        else:
            cols.append(key)
    return cols


def csv_rows(record: Record) -> Iterator[list[str]]:
    record = shown_paths(record, "file")
    before: list[str] = []  # the claim's cells before the line columns, then after them
    after: list[str] = []
    cells = before
    for key, shape in SHAPE.items():
        if key == "lines":
            cells = after
        elif isinstance(shape, dict):
            cells += [_cell(record[key][k], k) for k in shape]
        else:
            cells.append(_cell(record[key], key))
    for ln in record["lines"] or [None]:
        yield before + [_cell(ln[k], k) if ln is not None else "" for k in SHAPE["lines"][0]] + after


class CsvWriter:
    def __init__(self, write: Callable[[str], object]) -> None:
        class Out:
            def write(self, text: str) -> object:
                return write(text)

        self.csv = csv.writer(Out(), lineterminator="\n")
        self.csv.writerow(csv_columns())

    def claim(self, record: Record) -> None:
        self.csv.writerows(csv_rows(record))

    def close(self, files: list[Record], summary: Record) -> None:
        pass


WRITERS: dict[str, Callable[[Callable[[str], object]], Any]] = {"json": JsonWriter, "xml": XmlWriter, "csv": CsvWriter}


# -- the schemas, generated from the shape ----------------------------------------------------------

def _json_type(key: str, shape: Any) -> dict[str, Any]:
    if isinstance(shape, dict):
        return {"type": "object", "additionalProperties": False, "required": list(shape),
                "properties": {k: _json_type(k, v) for k, v in shape.items()}}
    if isinstance(shape, list):
        return {"type": "array", "items": _json_type(ITEMS.get(key, key), shape[0])}
    kind = JSON_TYPES[shape.rstrip("?")]
    if key in ENUMS:
        return {"enum": ENUMS[key] if shape.endswith("?") else [e for e in ENUMS[key] if e is not None]}
    described = {"description": DESCRIPTIONS[key]} if key in DESCRIPTIONS else {}
    return {"type": [kind, "null"], **described} if shape.endswith("?") else {"type": kind, **described}


def export_json_schema() -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://edi837.invalid/schemas/export.schema.json",
        "title": "edi837 export --format json",
        "description": "Checked claims with their service lines, ambulance view and findings (edi837.answers.write.records).",
        "type": "object", "additionalProperties": False,
        "required": ["tool", "tool_version", "schema_version", "claims", "files", "summary"],
        "properties": {
            "tool": {"const": "edi837"}, "tool_version": {"type": "string"},
            "schema_version": {"type": "string", "pattern": r"^1\.[0-9]+$"},
            "claims": {"type": "array", "items": _json_type("claim", SHAPE)},
            "files": {"type": "array", "items": _json_type("file", FILE_ENTRY)},
            "summary": _json_type("summary", SUMMARY),
        },
    }


def _xsd(name: str, shape: Any, indent: str, optional: bool = False) -> Iterator[str]:
    occurs = ' minOccurs="0"' if optional else ""
    if isinstance(shape, dict):
        yield f'{indent}<xs:element name="{name}"{occurs}><xs:complexType><xs:sequence>'
        for k, v in shape.items():
            yield from _xsd(k, v, indent + "  ", isinstance(v, str) and v.endswith("?"))
        yield f"{indent}</xs:sequence></xs:complexType></xs:element>"
    elif isinstance(shape, list):
        yield f'{indent}<xs:element name="{name}"{occurs}><xs:complexType><xs:sequence>'
        item = ITEMS[name]
        inner = list(_xsd(item, shape[0], indent + "  "))
        inner[0] = inner[0].replace(f'name="{item}"', f'name="{item}" minOccurs="0" maxOccurs="unbounded"', 1)
        yield from inner
        yield f"{indent}</xs:sequence></xs:complexType></xs:element>"
    elif name in ENUMS:
        values = "".join(f'<xs:enumeration value="{e}"/>' for e in ENUMS[name] if e is not None)
        yield (f'{indent}<xs:element name="{name}"{occurs}><xs:simpleType><xs:restriction base="xs:string">'
               f"{values}</xs:restriction></xs:simpleType></xs:element>")
    else:
        yield f'{indent}<xs:element name="{name}" type="{XSD_TYPES[shape.rstrip("?")]}"{occurs}/>'


def _attributes(shape: dict[str, str], indent: str) -> Iterator[str]:
    for k, v in shape.items():
        use = "optional" if v.endswith("?") else "required"
        yield f'{indent}<xs:attribute name="{k}" type="{XSD_TYPES[v.rstrip("?")]}" use="{use}"/>'


def export_xsd() -> str:
    claim = list(_xsd("claim", SHAPE, "        "))
    claim[0] = claim[0].replace('name="claim"', 'name="claim" minOccurs="0" maxOccurs="unbounded"', 1)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<!-- The XML of edi837 export (format xml): generated from edi837.answers.write.records.SHAPE"
        " (python -m edi837.answers.write.formats); do not edit by hand. -->",
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">',
        '  <xs:element name="export">',
        "    <xs:complexType>",
        "      <xs:sequence>",
        *claim,
        '        <xs:element name="file" minOccurs="0" maxOccurs="unbounded"><xs:complexType>',
        *_attributes(FILE_ENTRY, "          "),
        "        </xs:complexType></xs:element>",
        '        <xs:element name="summary"><xs:complexType>',
        *_attributes(SUMMARY, "          "),
        "        </xs:complexType></xs:element>",
        "      </xs:sequence>",
        '      <xs:attribute name="tool" type="xs:string" use="required" fixed="edi837"/>',
        '      <xs:attribute name="tool_version" type="xs:string" use="required"/>',
        '      <xs:attribute name="schema_version" type="xs:string" use="required"/>',
        "    </xs:complexType>",
        "  </xs:element>",
        "</xs:schema>",
    ]
    return "\n".join(lines) + "\n"


def schema_files() -> dict[str, str]:
    """The generated schema files of edi837/schemas/, by name, as they must read."""
    return {"export.schema.json": json.dumps(export_json_schema(), indent=2) + "\n", "export.xsd": export_xsd()}


if __name__ == "__main__":  # python -m edi837.answers.write.formats: regenerate the schemas
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "schemas"
    for name, text in schema_files().items():
        (folder / name).write_text(text)
        print(f"wrote {folder / name}")
