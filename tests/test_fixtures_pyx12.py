"""The bundled fixtures and the benchmark generator's output are guide-valid by pyx12's own validator."""

from __future__ import annotations

import re
import subprocess
import sys

import oracle
import pytest
from conftest import FIXTURES, ROOT

sys.path.insert(0, str(ROOT / "bench"))
from gen import luhn_npi_ok, npi_check_digit  # noqa: E402


def test_fixture_set_is_complete() -> None:
    names = {p.stem for p in FIXTURES}
    assert len(names) >= 12
    assert {"als-emergency", "bls-emergency", "als-nonemergency", "bls-nonemergency", "air-fixed-wing",
            "air-rotary-wing", "multi-patient", "cah", "pronounced-dead", "noncovered-mileage", "batch", "two-st",
            "two-isa", "crlf", "custom-delims"} <= names


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_pyx12_accepts_fixture(path) -> None:
    verdict = oracle.validate(path.read_bytes())
    assert verdict.ok, verdict.messages


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_npis_and_billing_zip(path) -> None:
    text = path.read_text()
    for found in re.findall(r"NM1[*|]\w\w[*|][^~]*?(?:XX)[*|](\d+)~", text):
        assert luhn_npi_ok(found), found
    for zip_ in re.findall(r"NM1[*|]85[^~]*~N3[^~]*~N4[*|][^*|]*[*|][A-Z]{2}[*|](\d+)", text):
        assert len(zip_) == 9


def test_npi_check_digit_known_value() -> None:
    assert npi_check_digit("123456789") == "3"  # CMS's published example NPI 1234567893
    assert not luhn_npi_ok("1234567890")


def test_generator_output_is_guide_valid(tmp_path) -> None:
    out = tmp_path / "g.837"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen.py"), "--claims", "60", "--claims-per-st", "25",
                    "--out", str(out)], check=True)
    text = out.read_text()
    assert text.count("CLM*") == 60 and text.count("ST*837*") == 3
    verdict = oracle.validate(text)
    assert verdict.ok, verdict.messages


def test_benchmark_runs_end_to_end(tmp_path) -> None:
    """bench/run.py on tiny files: every command it times runs and accepts every generated claim."""
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--claims", "120", "--pyx12-claims", "10",
                           "--rss-mb", "1", "--rss-commands", "check", "--out", str(tmp_path)],
                          capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert any(line.startswith("pyx12 x12valid") for line in lines) and "ack / check time" in done.stdout
    for label in ("parse", "parse-1", "check", "check-1", "ack", "ack-1"):
        assert any(re.match(rf"edi837 {label} \[(compiled \(mypyc\)|pure Python)\] +120 claims .* \(exit 0\)$", line)
                   for line in lines), label
    for name in ("str.split", r"str.split \(gc off\)"):  # the naive tokenizers count the claims they split
        assert any(re.match(rf"{name} +120 claims .* \(exit 0\)$", line) for line in lines), name
    assert re.search(r"edi837 check +1 MB .*all processes, PSS \d+ MB", done.stdout)
