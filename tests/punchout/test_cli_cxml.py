"""``openprocure cxml validate|normalize|show`` on real files."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from openprocure.cxml_tools import main
from punchout import cxml
from punchout.cxml.dtd import validate as dtd_validate

GOLDEN = Path(__file__).parent / "golden"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_validate_reports_verdict_and_warnings(interop: Path) -> None:
    order = interop / "cxml/OrderRequest/kazz12211-orderrequest.xml"
    code, out, _ = run(
        "validate", str(GOLDEN / "OrderRequest.xml"), str(order), "--dtd-dir", str(interop / "cxml-dtd")
    )
    assert code == 0
    assert out.splitlines() == [
        f"{GOLDEN / 'OrderRequest.xml'}: OK (OrderRequest, 0 finding(s))",
        "  DTD: valid",
        f"{order}: OK (OrderRequest, 2 finding(s))",
        "  forgiven [timestamp-format] /cXML/Request/OrderRequest/OrderRequestHeader: @orderDate: a date "
        "without a time, read as midnight; no zone, read as UTC",
        "  forgiven [timestamp-format] /cXML/Request/OrderRequest/ItemOut: @requestedDeliveryDate: a date "
        "without a time, read as midnight; no zone, read as UTC",
        "  DTD: valid",
    ]


def test_validate_fails_on_unsupported_and_broken_files(interop: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<cXML><Request>&oops</Request></cXML>")
    catalog = interop / "cxml/CatalogUploadRequest/friendsofcxml-cataloguploadrequest.xml"
    code, out, _ = run("validate", str(broken), str(catalog), str(tmp_path / "missing.xml"))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"{broken}: REJECTED — 400 Bad Request")
    assert lines[1].startswith(
        f"{catalog}: REJECTED — 450 Not Implemented at /cXML/Request/CatalogUploadRequest"
    )
    assert lines[2] == f"{tmp_path / 'missing.xml'}: REJECTED — cannot read: No such file or directory"


def test_validate_reports_dtd_errors(interop: Path, tmp_path: Path) -> None:
    # Parses leniently (we forgive a missing payloadID), but the DTD requires it.
    lenient = tmp_path / "no-payload.xml"
    text = (GOLDEN / "ProfileRequest.xml").read_text()
    lenient.write_text(text.replace(' payloadID="', ' data-x="'))
    code, out, _ = run("validate", str(lenient), "--dtd-dir", str(interop / "cxml-dtd"))
    assert code == 1
    assert "  DTD: INVALID" in out


def test_normalize_one_file_to_stdout_is_dtd_valid(interop: Path, tmp_path: Path) -> None:
    source = interop / "cxml/PunchOutOrderMessage/chefworks-cart.xml"
    code, out, _ = run("normalize", str(source))
    assert code == 0
    assert dtd_validate(out.encode(), interop / "cxml-dtd") == []
    before = cxml.parse(source.read_bytes()).document.message
    after = cxml.parse(out.encode()).document.message
    assert [i.item_id.supplier_part_id for i in after.items] == [
        i.item_id.supplier_part_id for i in before.items
    ]  # type: ignore[attr-defined]


def test_normalize_several_files_needs_an_out_dir(interop: Path, tmp_path: Path) -> None:
    names = [
        "espinola3-1dd89062-a00b-420b-ad4e-56017f15ca0e.xml",
        "kazz12211-orderrequest.xml",
        "officeluv-order_request.xml",
    ]
    files = [interop / "cxml/OrderRequest" / name for name in names]
    code, _, err = run("normalize", *map(str, files))
    assert code == 2
    assert err == "normalize: give --out-dir DIR when normalizing several files.\n"
    code, _, err = run("normalize", *map(str, files), "--out-dir", str(tmp_path / "out"))
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f.name for f in files]
    for written in (tmp_path / "out").iterdir():
        assert dtd_validate(written.read_bytes(), interop / "cxml-dtd") == []


def test_normalize_refuses_what_cannot_be_emitted_strictly(interop: Path, tmp_path: Path) -> None:
    no_bill_to = interop / "cxml/OrderRequest/depth8064-dtdvalidator_e2e_test-i0.xml"
    code, _, err = run("normalize", str(no_bill_to), "--out-dir", str(tmp_path))
    assert code == 1
    assert err.splitlines()[-1] == (
        f"{no_bill_to}: cannot normalize — the document has no <BillTo> in <OrderRequestHeader>: cXML "
        "requires the address to bill (/cXML/Request/OrderRequest/OrderRequestHeader/BillTo)"
    )
    assert list(tmp_path.iterdir()) == []
    code, out, _ = run("validate", str(no_bill_to))
    assert code == 1
    assert out.splitlines()[0] == (
        f"{no_bill_to}: REJECTED — the document has no <BillTo> in <OrderRequestHeader>: cXML requires "
        "the address to bill (/cXML/Request/OrderRequest/OrderRequestHeader/BillTo)"
    )


def test_normalize_says_why_it_cannot(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<cXML")
    code, out, err = run("normalize", str(broken))
    assert code == 1
    assert out == ""
    assert err.startswith(f"{broken}: cannot normalize — 400 Bad Request")


def test_show_never_prints_a_shared_secret(tmp_path: Path) -> None:
    code, out, _ = run("show", str(GOLDEN / "PunchOutSetupRequest.xml"))
    assert code == 0
    golden = (GOLDEN / "PunchOutSetupRequest.xml").read_text()
    secret = golden.split("<SharedSecret>")[1].split("</SharedSecret>")[0]
    assert secret not in out
    assert out.splitlines()[0].startswith("PunchOutSetupRequest  payloadID=")


def test_the_openprocure_command_runs_the_tools() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "openprocure.cli", "cxml", "validate", str(GOLDEN / "Response.xml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout == f"{GOLDEN / 'Response.xml'}: OK (Response, 0 finding(s))\n"


def _corpus_files(interop: Path) -> list[Path]:
    return sorted((interop / "cxml").glob("*/*.xml"))


def test_validate_and_normalize_give_one_verdict_on_every_corpus_document(
    interop: Path, tmp_path: Path
) -> None:
    """validate lists exactly what normalize forgives, keeps, changes, leaves out or refuses."""
    for path in _corpus_files(interop):
        code, out, _ = run("validate", str(path))
        listed = [line[2:] for line in out.splitlines()[1:]]
        verdict = out.splitlines()[0]
        ncode, nout, nerr = run("normalize", str(path))
        printed = nerr.splitlines()
        assert code == ncode, path
        if verdict.startswith(f"{path}: OK ("):
            assert [f"{path}: {line}" for line in listed] == printed, path
            assert nout.startswith("<?xml"), path
        else:
            assert nout == "", path
            reason = verdict.removeprefix(f"{path}: REJECTED — ")
            assert printed[-1] == f"{path}: cannot normalize — {reason}", path
            assert [f"{path}: {line}" for line in listed] == printed[:-1], path


def test_normalize_says_what_it_kept_and_changed(interop: Path, tmp_path: Path) -> None:
    order = interop / "cxml/OrderRequest/espinola3-1dd89062-a00b-420b-ad4e-56017f15ca0e.xml"
    code, out, err = run("normalize", str(order))
    assert code == 0
    prefix = "/cXML/Request/OrderRequest/OrderRequestHeader"
    assert err.splitlines() == [
        f"{order}: forgiven [no-doctype] /cXML: the document has no DOCTYPE",
        f"{order}: kept [kept] {prefix}/BillTo/IdReference: <IdReference> is kept, not interpreted",
        f"{order}: kept [kept] {prefix}/Contact[1]/Fax: <Fax> is kept, not interpreted",
        f"{order}: kept [kept] {prefix}/TermsOfDelivery/Address: <Address> is kept, not interpreted",
    ]
    assert '<PaymentTerm payInNumberOfDays="60">' in out
    assert '<IdReference domain="buyerID" identifier="1624"/>' in out
