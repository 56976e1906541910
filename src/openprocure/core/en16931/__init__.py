"""EN 16931 validation of an invoice or credit note in UN/CEFACT CII (D16B) or UBL 2.1: its XML schema
first, then the official CEN/TC 434 schematron rules (v1.3.16, compiled to XSLT) run in-process with
SaxonC-HE.

The artefacts in ``artefacts/`` are the official ones, copied unmodified with their licences
(``artefacts/NOTICE.md``). Each compiled stylesheet and each schema is loaded once per process, on
first use. A document its schema accepts is then checked against the French rules (BR-FR, ``french``)
when it is a French flow. A document is refused when its schema refuses it or when any rule with
``flag="fatal"`` fails; warnings are reported but do not refuse it.
"""

from __future__ import annotations

import enum
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree
from saxonche import PySaxonProcessor, PyXsltExecutable

from openprocure.core.en16931 import french

ARTEFACTS = Path(__file__).resolve().parent / "artefacts"

CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
UBL_INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
SVRL_NS = "http://purl.oclc.org/dsdl/svrl"


class Syntax(enum.StrEnum):
    CII = "cii"
    UBL = "ubl"


@dataclass(frozen=True)
class Finding:
    """One failed rule: its id (``BR-CO-15``, or ``XSD`` for the schema), how serious it is
    (``fatal`` or ``warning``), the rule's message and where in the document (an XPath, or a line
    number for the schema)."""

    rule: str
    flag: str
    message: str
    location: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message} ({self.location})"


@dataclass(frozen=True)
class Report:
    """What the validation found: every failed rule, fatal ones first (EN 16931 before BR-FR)."""

    syntax: Syntax
    findings: tuple[Finding, ...]

    @property
    def fatal(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.flag == "fatal")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.flag != "fatal")

    @property
    def valid(self) -> bool:
        return not self.fatal

    @property
    def rules(self) -> list[str]:
        """The ids of the fatal rules that failed, in document order."""
        return [f.rule for f in self.fatal]


class InvalidInvoice(Exception):
    """An invoice refused by its schema or the EN 16931 rules: never sent."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__("; ".join(str(f) for f in report.fatal))


def syntax_of(xml: bytes) -> Syntax:
    """CII or UBL, from the root element's namespace; ``ValueError`` for anything else."""
    root = _parse(xml)
    namespace = etree.QName(root).namespace
    if namespace == CII_NS:
        return Syntax.CII
    if namespace in (UBL_INVOICE_NS, UBL_CREDIT_NOTE_NS):
        return Syntax.UBL
    raise ValueError(f"not an EN 16931 invoice: root element {root.tag}")


def validate(xml: bytes) -> Report:
    """The report of ``xml`` (CII or UBL, told by its root): the schema's errors, and when the
    schema accepts it, every failed EN 16931 rule, then every failed French rule of a French flow."""
    syntax = syntax_of(xml)
    schema_errors = _schema_findings(syntax, xml)
    if schema_errors:
        return Report(syntax, schema_errors)
    findings = _schematron_findings(syntax, xml) + _french_findings(syntax, xml)
    return Report(syntax, tuple(sorted(findings, key=lambda f: f.flag != "fatal")))


def check(xml: bytes) -> Report:
    """``validate``, raising ``InvalidInvoice`` when a fatal rule or the schema refuses ``xml``."""
    report = validate(xml)
    if not report.valid:
        raise InvalidInvoice(report)
    return report


# -- XML schema (lxml) -----------------------------------------------------------------------------
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _parse(xml: bytes) -> etree._Element:
    try:
        return etree.fromstring(xml, parser=_PARSER)
    except etree.XMLSyntaxError as error:
        raise ValueError(f"not well-formed XML: {error}") from error


@cache
def _schema(name: str) -> etree.XMLSchema:
    paths = {
        CII_NS: ARTEFACTS / "cii" / "xsd" / "CrossIndustryInvoice_100pD16B.xsd",
        UBL_INVOICE_NS: ARTEFACTS / "ubl" / "xsd" / "maindoc" / "UBL-Invoice-2.1.xsd",
        UBL_CREDIT_NOTE_NS: ARTEFACTS / "ubl" / "xsd" / "maindoc" / "UBL-CreditNote-2.1.xsd",
    }
    return etree.XMLSchema(etree.parse(str(paths[name])))


def _schema_findings(syntax: Syntax, xml: bytes) -> tuple[Finding, ...]:
    root = _parse(xml)
    schema = _schema(etree.QName(root).namespace or "")
    if schema.validate(root):
        return ()
    errors = schema.error_log.filter_from_errors()  # type: ignore[attr-defined]  # lxml-stubs lack it
    return tuple(Finding("XSD", "fatal", error.message, f"line {error.line}") for error in errors)


# -- schematron (SaxonC) ---------------------------------------------------------------------------
# SaxonC's processor is not safe to share between threads: each thread compiles its own stylesheet
# once (a web worker thread or the task worker), and keeps it.
_local = threading.local()


def _stylesheet(syntax: Syntax) -> tuple[PySaxonProcessor, PyXsltExecutable]:
    cached: dict[Syntax, tuple[PySaxonProcessor, PyXsltExecutable]] = getattr(_local, "stylesheets", {})
    if syntax not in cached:
        processor = PySaxonProcessor(license=False)
        compiler = processor.new_xslt30_processor()
        path = ARTEFACTS / syntax.value / f"EN16931-{syntax.value.upper()}-validation.xslt"
        cached[syntax] = (processor, compiler.compile_stylesheet(stylesheet_file=str(path)))
        _local.stylesheets = cached
    return cached[syntax]


# SVRL locations spell each step as *:Name[namespace-uri()='…'][n]: shown to people as Name[n].
_NAMESPACE_TEST = re.compile(r"\*:([\w.-]+)\[namespace-uri\(\)='[^']*'\]")


def _schematron_findings(syntax: Syntax, xml: bytes) -> tuple[Finding, ...]:
    processor, executable = _stylesheet(syntax)
    # Handed over as text re-serialised by lxml: any declared encoding or byte-order mark is read once.
    document = processor.parse_xml(xml_text=etree.tostring(_parse(xml), encoding="unicode"))
    svrl = executable.transform_to_string(xdm_node=document)
    if svrl is None:
        raise RuntimeError(f"the EN 16931 {syntax.value.upper()} rules produced no report")
    report = etree.fromstring(svrl.encode("utf-8"), parser=_PARSER)
    findings = []
    for failed in report.iter(f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report"):
        rule = failed.get("id", "")
        text = " ".join((failed.findtext(f"{{{SVRL_NS}}}text") or "").split())
        # The rules' messages start with their own id ("[BR-CO-15]-Invoice total…"): said once.
        text = text.removeprefix(f"[{rule}]-").removeprefix(f"[{rule}] ")
        location = _NAMESPACE_TEST.sub(r"\1", failed.get("location", ""))
        findings.append(Finding(rule, failed.get("flag", "fatal"), text, location))
    findings.sort(key=lambda f: f.flag != "fatal")
    return tuple(findings)


# -- French rules (BR-FR) --------------------------------------------------------------------------
def _french_findings(syntax: Syntax, xml: bytes) -> tuple[Finding, ...]:
    root = _parse(xml)
    rules = french.CII if syntax == Syntax.CII else french.UBL
    if not french.applies(root, rules):
        return ()
    return tuple(
        Finding(failure.rule, failure.flag, failure.message, french.location(failure.element))
        for failure in french.failures(root, rules)
    )
