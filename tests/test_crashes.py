"""Regressions for the fuzz reproducers in ../shared/crashes (issue 12): each file is read without a
defect of ours showing, gets its located verdict, and every answer written for it is valid per pyx12."""

from __future__ import annotations

import json
import re
from pathlib import Path

import oracle
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SHARED

from edi837.claims import money
from edi837.cli import main
from edi837.rules.codesets import npi_ok

CRASHES = SHARED / "crashes"
FIXED = "202611220930"


def reproducer(name: str) -> Path:
    found = sorted(CRASHES.glob(f"{name}*")) if CRASHES.is_dir() else []
    if not found:
        pytest.skip("../shared/crashes not beside the repo")
    return found[0]


def check(path: Path) -> tuple[int, dict, str]:
    res = CliRunner().invoke(main, ["check", "--format", "json", "--today", "2026-11-22", str(path)],
                             catch_exceptions=False)
    return res.exit_code, json.loads(res.stdout)["files"][0], res.stderr


def ack(paths: list[Path], out: Path) -> str:
    res = CliRunner().invoke(main, ["ack", *map(str, paths), "--out", str(out), "--fixed-time", FIXED],
                             catch_exceptions=False)
    assert "Traceback" not in res.output and "internal error" not in res.output + res.stderr
    return res.stdout


def findings(f: dict) -> list[dict]:
    return [x for c in f["claims"] for x in c["findings"]] + [
        x for t in f["transactions"] + f["groups"] + f["interchanges"] for x in t["findings"]]


@pytest.mark.parametrize("name", ["crash01", "crash02", "crash03", "crash04", "crash05"])
def test_a_crash_is_now_a_verdict(name: str) -> None:
    """Each was 'internal error (...)', the whole file unreadable; now its claims are judged (rejected:
    these files are broken in many ways) and the file is not called unreadable."""
    code, f, _ = check(reproducer(name))
    assert code == 1 and f["error"] is None
    assert findings(f) and all(fd["segment"] for fd in findings(f))


def test_an_isa_inside_an_open_set_closes_it_without_a_claim() -> None:
    code, f, _ = check(reproducer("crash01"))
    assert f["claims"] == [] and any(fd["rule"] == "X12-IK3-1" and fd["segment"] == "ISA" for fd in findings(f))


def test_an_npi_of_superscript_digits_fails_the_npi_check() -> None:
    assert not npi_ok("124531\u00b9599") and not npi_ok("\u00b2" * 10)  # isdigit() says yes, int() says no
    assert npi_ok("1234567893")
    for name in ("crash02", "crash03"):
        _, f, _ = check(reproducer(name))
        assert any(fd["rule"].startswith("NPI") for fd in findings(f))


def test_money_is_an_r_element_of_at_most_18_digits() -> None:
    assert money("123456789012345678") == 123456789012345678 and money("-0.5") is not None
    for text in ("1E40", "9E999999", "1234567890123456789", "Infinity", "NaN", "+1", "1.", "-", ""):
        assert money(text) is None, text


def test_an_amount_out_of_range_is_a_located_error_on_its_claim() -> None:
    _, f, _ = check(reproducer("crash04"))
    (claim,) = f["claims"]
    bad = [fd for fd in claim["findings"] if fd["element"] == "SV203" and fd["rule"] == "X12-IK4-6"]
    assert claim["status"] == "rejected" and len(bad) == 2 and all(fd["lx"] for fd in bad)


def test_a_file_with_one_amount_out_of_range_is_answered_and_its_other_claims_forwarded(tmp_path: Path) -> None:
    """Before: decimal.InvalidOperation while writing: no 999, no 277CA, no forward 837 for the file."""
    batch = next(p for p in FIXTURES if p.stem == "batch").read_text()
    first_charge = re.search(r"SV2\*[^*]*\*[^*]*\*([0-9.]+)", batch)
    assert first_charge is not None
    broken = tmp_path / "in" / "broken.837"
    broken.parent.mkdir()
    broken.write_text(batch[:first_charge.start(1)] + "1E40" + batch[first_charge.end(1):])
    ack([broken, reproducer("crash05")], tmp_path / "out")
    out = tmp_path / "out"
    names = {p.name for p in out.iterdir()}
    assert {"broken.837.999", "broken.837.277ca", "broken.837.accepted.837"} <= names
    assert {"crash05_ack_amount_invalidoperation.837.999", "crash05_ack_amount_invalidoperation.837.277ca"} <= names
    forwarded = (out / "broken.837.accepted.837").read_text()
    assert "1E40" not in forwarded and forwarded.count("CLM*") == batch.count("CLM*") - 1


def test_delimiters_must_be_distinct_ascii_that_is_not_a_letter_or_digit() -> None:
    for name, element in (("defect07", "ISA11"), ("defect08", "ISA16")):
        code, f, _ = check(reproducer(name))
        assert code == 2 and f"segment 1 (ISA), {element}: {element}" in f["error"] and "not usable" in f["error"]


def test_a_malformed_isa09_is_reported_and_not_copied_into_the_ta1(tmp_path: Path) -> None:
    _, f, _ = check(reproducer("defect06"))
    assert [fd["element"] for fd in findings(f) if fd["rule"] == "X12-ENV-IN014"] == ["ISA09"]
    ack([reproducer("defect06")], tmp_path)
    (ta1,) = re.findall(r"TA1\*[^~]*~", (tmp_path / "defect06_ta1_bad_date.837.999").read_text())
    assert ta1 == f"TA1*000000101*{FIXED[2:8]}*{FIXED[8:]}*E*014~"  # the answer's own date, and why


def test_every_answer_to_a_reproducer_is_valid_per_pyx12(tmp_path: Path) -> None:
    reproducer("crash01")
    ack(sorted(CRASHES.glob("*.837")), tmp_path)
    written = sorted(tmp_path.iterdir())
    assert len(written) >= 12  # a 999 and a 277CA for each readable file, a forward 837 where claims passed
    for answer in written:
        verdict = oracle.validate(answer.read_bytes())
        assert verdict.ok, (answer.name, verdict.messages[:3])
