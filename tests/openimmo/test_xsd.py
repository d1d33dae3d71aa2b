"""Validation layer (a): the operator's own copy of the official XSD.

The OpenImmo licence forbids passing the schema on, so these tests write a small schema of
their own and check that the project contains no copy of the official one.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from wagtail_openimmo.openimmo.xsd import XsdUnavailable, XsdValidator

from .build import HEADER, codes, immobilie, line_of, only, read, transfer

ROOT = Path(__file__).resolve().parents[2]

# A few global elements, shaped like the real ones: enough to see findings and their lines.
SMALL_SCHEMA = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:element name="uebertragung">
    <xs:complexType>
      <xs:attribute name="umfang" use="required">
        <xs:simpleType>
          <xs:restriction base="xs:string">
            <xs:enumeration value="VOLL"/>
            <xs:enumeration value="TEIL"/>
          </xs:restriction>
        </xs:simpleType>
      </xs:attribute>
      <xs:anyAttribute processContents="skip"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="immobilie">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="objektkategorie" type="xs:anyType"/>
        <xs:element name="geo" type="xs:anyType"/>
        <xs:element name="preise" minOccurs="0">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="kaufpreis" type="xs:decimal" minOccurs="0"/>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
        <xs:element name="freitexte" type="xs:anyType"/>
        <xs:element name="anhaenge" type="xs:anyType" minOccurs="0"/>
        <xs:element name="verwaltung_techn" type="xs:anyType"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""


@pytest.fixture
def xsd_path(tmp_path):
    path = tmp_path / "small-openimmo.xsd"
    path.write_text(SMALL_SCHEMA, encoding="utf-8")
    return path


def xsd_problems(problems):
    return [p for p in problems if p.code == "xsd"]


def test_valid_file_has_no_schema_findings(xsd_path):
    result, (record,) = read(transfer(), xsd_path=xsd_path)
    assert result.problems == [] and record.problems == []


def test_lenient_mode_reports_schema_findings_as_warnings_with_lines(xsd_path):
    xml = transfer(immobilie(preise="<kaufpreis>149.000,00</kaufpreis>", extra="<pool/>"))
    result, (record,) = read(xml, xsd_path=xsd_path)
    findings = xsd_problems(record.problems)
    assert [(p.severity, p.line) for p in findings] == [
        ("warning", line_of(xml, "<kaufpreis>")),
        ("warning", line_of(xml, "<pool/>")),
    ]
    assert findings[0].path == "preise/kaufpreis"
    assert "149.000,00" in findings[0].message and "decimal" in findings[0].message
    assert findings[0].message.startswith("Does not match the OpenImmo schema: ")
    assert "pool" in findings[1].message
    assert record.ok  # real exporters' files rarely pass the XSD: still imported
    assert record.fields["kaufpreis"] == 149000  # the reader's own reading goes on


def test_strict_mode_reports_schema_findings_as_errors(xsd_path):
    xml = transfer(immobilie(extra="<pool/>"))
    result, (record,) = read(xml, xsd_path=xsd_path, strict=True)
    problem = only(record.problems, "xsd")
    assert problem.severity == "error" and problem.line == line_of(xml, "<pool/>")
    assert not record.ok


def test_header_is_validated_too(xsd_path):
    xml = transfer(header=HEADER.replace('umfang="VOLL"', 'umfang="ALLES"'))
    result, _records = read(xml, xsd_path=xsd_path)
    finding = only(result.problems, "xsd")
    assert finding.severity == "warning" and finding.line == line_of(xml, "<uebertragung")
    assert "ALLES" in finding.message
    assert "umfang_invalid" in codes(result.problems)  # the own rules run as well
    result, _records = read(xml, xsd_path=xsd_path, strict=True)
    assert only(result.problems, "xsd").severity == "error"


def test_namespaced_file_is_validated_without_its_namespace(xsd_path):
    xml = transfer().replace("<openimmo>", '<openimmo xmlns="http://www.openimmo.de">')
    result, (record,) = read(xml, xsd_path=xsd_path)
    assert codes(result.problems) == ["namespace"]
    assert record.problems == []


def test_own_rules_run_without_a_schema():
    _result, (record,) = read(transfer(immobilie(extra="<pool/>", titel=None)))
    assert codes(record.problems) == ["title_missing"]


def test_missing_schema_is_a_clear_operator_error(tmp_path):
    missing = tmp_path / "openimmo_127b.xsd"
    with pytest.raises(XsdUnavailable, match=re.escape(str(missing))):
        read(transfer(), xsd_path=missing)


def test_file_that_is_no_schema_is_a_clear_operator_error(tmp_path):
    path = tmp_path / "not-a-schema.xsd"
    path.write_text("<openimmo/>", encoding="utf-8")
    with pytest.raises(XsdUnavailable, match="not a usable XML Schema"):
        XsdValidator.load(path)


def test_schema_is_reloaded_when_the_file_changes(xsd_path):
    first = XsdValidator.load(xsd_path)
    assert XsdValidator.load(xsd_path) is first
    xsd_path.write_text(SMALL_SCHEMA.replace('minOccurs="0">', ">", 1), encoding="utf-8")
    stat = xsd_path.stat()
    os.utime(xsd_path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert XsdValidator.load(xsd_path) is not first


def test_the_project_contains_no_copy_of_the_official_schema():
    skip = {".git", ".venv", "node_modules", "__pycache__", ".ruff_cache", ".pytest_cache"}
    files = [
        path
        for path in ROOT.rglob("*")
        if path.is_file()
        and not skip.intersection(path.relative_to(ROOT).parts)
        # the virtual environments of scripts/test.py --matrix (.venv-newest, .venv-oldest)
        and not any(part.startswith(".venv") for part in path.relative_to(ROOT).parts)
    ]
    # The only schemas in the project are ImmobilienScout24's (tests/fixtures/is24/schemas,
    # published by IS24 for API clients); no OpenImmo one.
    is24_schemas = ROOT / "tests" / "fixtures" / "is24" / "schemas"
    schemas = [p for p in files if p.suffix.lower() in (".xsd", ".gz")]
    assert [p for p in schemas if is24_schemas not in p.parents] == []
    # the official schema defines the root element; nothing here may
    defines_root = re.compile(r"<xs(d)?:element\s+name=\"openimmo\"")
    for path in files:
        if path.suffix.lower() in (".py", ".xml", ".md", ".txt", ".html", ".json", ".cfg", ".xsd"):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not defines_root.search(text), f"{path} looks like the OpenImmo XSD"
