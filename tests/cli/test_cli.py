"""The command line: parse output shapes, bad input as one located line with exit 2, never a traceback."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from builders import invoke
from conftest import FIXTURES, SAMPLES_837I

GOOD = SAMPLES_837I[0] if SAMPLES_837I else None
# The TR3's two-claims example as published (Silvenga's copy of it is broken on purpose: see below).
TWO_CLAIMS = next((p for p in SAMPLES_837I if p.name == "stupidedi__X223A2__two-claims-for-the-same-provider.edi"), None)

# What `check` must say of each outside sample (../shared/samples/README.md says which are broken on
# purpose): the exit code, and for an unreadable one (exit 2) where its one located error points.
SAMPLE_VERDICTS = {
    "LinuxForHealth__x12__demo.837i": (2, "segment 2 (GS), file line 2, GS08: GS08 '005010X223A3'"),
    "Silvenga__vscode-edi-x12-support__X223-837I-two-claims-for-the-same-provider.edi":
        (2, "segment 53, file line 6: not an X12 interchange: expected 'ISA', found a segment STC"),  # IEA*1\n*0..: 5 breaks before
    "Silvenga__vscode-edi-x12-support__bad-header.edi": (2, "segment 1 (ISA), ISA06: ISA is not fixed-width"),
    "Silvenga__vscode-edi-x12-support__complete.edi": (1, None),
    "Silvenga__vscode-edi-x12-support__odd-separator.edi": (1, None),
    "daggubatikundan__EDI837__sample_837I.edi": (1, None),
    "imsweb__x12-parser__x223-test.txt": (1, None),
    "linuxforhealth__4010__institutional.837": (2, "segment 2 (GS), file line 2, GS08: GS08 '004010X096A1'"),
    "linuxforhealth__X223A3__institutional-claim.837i": (2, "segment 2 (GS), file line 2, GS08: GS08 '005010X223A3'"),
    "linuxforhealth__X223A3__two-claims-single-provider.837i": (2, "segment 2 (GS), file line 2, GS08: GS08 '005010X223A3'"),
    "mjkubba__edi837I-demo-005010X223.edi": (1, None),
    "oopfactory__Spec_3.1.1.txt": (2, "segment 1 (ISA), ISA11: ISA11 repetition separator '^' is not usable"),
    "oopfactory__Spec_3.1.3_PPORepricedClaim.txt": (2, "GS08: GS08 '005010X222'"),
    "stupidedi__X223A2__837-institutional-claim.edi": (1, None),
    "stupidedi__X223A2__automobile-accident.edi": (1, None),
    "stupidedi__X223A2__out-of-network-repriced-claim.edi": (1, None),
    "stupidedi__X223A2__ppo-repriced-claim.edi": (1, None),
    "stupidedi__X223A2__two-claims-for-the-same-provider.edi": (1, None),
}


def a2_text() -> str:
    if TWO_CLAIMS is None:
        pytest.skip("../shared/samples not beside the repo")
    return TWO_CLAIMS.read_text()


def test_parse_json_shape() -> None:
    res = invoke("parse", "--format", "json", "-", input=a2_text().encode())
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    claims = doc["files"][0]["claims"]
    assert [c["claim_id"] for c in claims] == ["756048Q", "756049Q"]
    first = claims[0]
    for key in ("claim_id", "type_of_bill", "total_charge", "condition_codes", "value_codes", "pickup_zip",
                "patient_count", "loaded_miles", "attending_npi", "lines"):
        assert key in first
    assert first["type_of_bill"] == "131" and first["total_charge"] == "89.95"
    assert first["lines"][1]["units"] == "3" and first["lines"][1]["charge"] == "76.56"
    for key in ("lx", "revenue_code", "procedure_code", "modifiers", "charge", "units", "service_date", "kind",
                "origin", "destination", "arrangement"):
        assert key in first["lines"][0]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_parse_every_fixture(path) -> None:
    res = invoke("parse", "--format", "json", str(path))
    assert res.exit_code == 0, res.output
    claims = json.loads(res.stdout)["files"][0]["claims"]
    assert claims
    for c in claims:
        assert c["pickup_zip"] and re.fullmatch(r"\d{5}", c["pickup_zip"])
        assert any(ln["kind"] == "base" for ln in c["lines"])


@pytest.mark.parametrize("make,fragment", [
    (lambda t: "", "empty file"),
    (lambda t: "Dear billing office,\nplease find our claims attached." * 5, "not an X12 interchange"),
    (lambda t: t[:60], "expected 106"),
    (lambda t: t[: t.index("CLM*") + 12], "no segment terminator"),
    (lambda t: t.replace("ST*837*", "ST*835*"), "is not an 837"),
    (lambda t: t.replace("005010X223A2", "005010X223A1"), "005010X223A1"),
    (lambda t: t.replace("005010X223A2", "005010X223A3"), "005010X223A3"),
    (lambda t: t.replace("005010X223A2", "004010X096A1").replace("*00501*", "*00401*"), "004010X096A1"),
    (lambda t: t.replace("005010X223A2", "005010X222A2"), "later errata of the 837P guide"),
    (lambda t: t.replace("ST*837*987654*005010X223A2", "ST*837*987654*005010X222A1"), "is not its group's guide"),
    (lambda t: t.replace("CL1*1**01~", "CL1*1**01~CR1*LB*140**A*DH*12~"), "SV205"),
    (lambda t: t[: t.index("SE*")], "ends early"),
])
def test_bad_input_is_one_located_line(make, fragment) -> None:
    data = make(a2_text())
    res = invoke("parse", "-", input=data.encode("latin-1"))
    assert res.exit_code == 2
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1, res.stderr
    assert fragment in errors[0]
    assert "Traceback" not in res.output + res.stderr


def test_binary_garbage() -> None:
    res = invoke("parse", "-", input=bytes(range(256)) * 3)
    assert res.exit_code == 2 and "error: -" in res.stderr


def test_missing_file() -> None:
    res = invoke("parse", "/nonexistent/claims.837")
    assert res.exit_code == 2 and "cannot open" in res.stderr


def test_check_exit_codes_and_json_shape() -> None:
    res = invoke("check", "--format", "json", "--today", "2026-11-22", "-", input=a2_text().encode())
    doc = json.loads(res.stdout)
    assert res.exit_code in (0, 1)
    f = doc["files"][0]
    assert set(f) >= {"path", "error", "transactions", "claims"}
    assert set(doc["summary"]) >= {"files", "claims", "accepted", "rejected"}
    for c in f["claims"]:
        assert c["status"] in ("accepted", "rejected")
        for fd in c["findings"]:
            assert set(fd) >= {"rule", "severity", "message", "loop", "segment", "position", "element", "lx",
                               "value", "stc"}


@pytest.mark.parametrize("path", SAMPLES_837I, ids=lambda p: p.name)
def test_check_says_of_each_sample_what_it_is(path) -> None:
    """Every outside sample gets its verdict: the readable ones (all with claims in error: 5-digit ZIPs,
    test NPIs ...) exit 1 with each claim rejected for a located reason; the ones broken on purpose or
    in another version exit 2 with one located error, its true reason, and no envelope error made up."""
    assert path.name in SAMPLE_VERDICTS, "a new sample: say what check must make of it"
    code, where = SAMPLE_VERDICTS[path.name]
    res = invoke("check", "--format", "json", "--today", "2026-11-22", str(path))
    assert res.exit_code == code, res.stderr
    f = json.loads(res.stdout)["files"][0]
    if where is None:
        assert f["error"] is None and f["claims"]
        for c in f["claims"]:
            assert c["status"] == "rejected" and all(fd["segment"] and fd["loop"] for fd in c["findings"])
    else:
        assert f["error"] and where in f["error"], f["error"]
        if not f["claims"]:  # refused or unreadable from the start: nothing else is said of it
            assert not [x for t in f["transactions"] + f["groups"] + f["interchanges"] for x in t["findings"]]


def test_check_unreadable_is_exit_2() -> None:
    res = invoke("check", "-", input=b"garbage" * 30)
    assert res.exit_code == 2


def test_unprintable_input_is_named_not_quoted() -> None:
    res = invoke("parse", "-", input=b"\xd9\x0bBINARY" * 20)
    assert res.exit_code == 2
    assert "found bytes that are not X12 text" in res.stderr and "BINARY" not in res.stderr


@pytest.mark.parametrize("data,found", [
    (b"Dear billing office, DOE JOHN 19681111 please find our claims attached." * 3, "text with no segment id"),
    (b"NM1*IL*1*DOE*JOHN****MI*030005074~" * 5, "a segment NM1"),
])
def test_error_lines_name_the_place_not_the_data(data, found) -> None:
    """Error lines quote no bytes of the input (a patient's name or member id could be there)."""
    res = invoke("parse", "-", input=data)
    assert res.exit_code == 2
    assert f"found {found}" in res.stderr and "line 1" in res.stderr
    assert "DOE" not in res.stderr and "030005074" not in res.stderr


def test_a_deferred_array_reads_the_same_from_its_spool() -> None:
    from edi837.answers.write import report

    entries = [{"control_number": f"{n:04d}", "findings": ["é", None]} for n in range(5)]
    kept, spooled = report.Deferred(), report.Deferred(limit=2)
    for entry in entries:
        kept.append(entry)
        spooled.append(entry)
    assert kept.spool is None and spooled.spool is not None
    texts: list[list[str]] = [[], []]
    kept.write(texts[0].append)
    spooled.write(texts[1].append)
    assert "".join(texts[1]) == "".join(texts[0]) == json.dumps(entries)


def test_check_json_of_many_sets_is_the_same_when_its_set_list_is_spooled(monkeypatch) -> None:
    """A file's sets, groups and interchanges are written after its claims; past DEFERRED_LIMIT they
    wait in a spool instead of a list. The JSON is byte for byte the same either way."""
    from edi837.answers.write import report

    paths = [str(p) for p in FIXTURES if p.stem in ("two-isa", "two-st", "batch")]
    kept = invoke("check", "--format", "json", "--today", "2026-11-23", *paths)
    monkeypatch.setattr(report, "DEFERRED_LIMIT", 1)
    assert report.Deferred().limit == 1  # in force, compiled too (a patched class attribute was not)
    spooled = invoke("check", "--format", "json", "--today", "2026-11-23", *paths)
    assert spooled.stdout == kept.stdout
    doc = json.loads(spooled.stdout)
    assert [len(f["interchanges"]) for f in doc["files"]] == [1, 2, 1]  # batch, two-isa, two-st
    assert [len(f["transactions"]) for f in doc["files"]] == [1, 2, 2]


@pytest.mark.parametrize("args", [["parse", "--format", "json"], ["check"], ["rules"]])
def test_an_output_that_cannot_be_written_is_one_line(args) -> None:
    import os
    import subprocess
    import sys

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:  # every write fails: No space left on device
        done = subprocess.run([sys.executable, "-m", "edi837", *args, *([str(FIXTURES[0])] if args != ["rules"] else [])],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr == "error: No space left on device\n"


def test_a_file_name_holding_a_line_feed_stays_on_one_line(tmp_path) -> None:
    (tmp_path / "a\nb.837").write_bytes(FIXTURES[0].read_bytes())
    (tmp_path / "c\x1b.837").write_bytes(b"junk" * 40)
    res = invoke("check", str(tmp_path))
    assert f"{tmp_path}/a\\nb.837\n" in res.stdout
    assert f"UNREADABLE: {tmp_path}/c\\x1b.837, byte 0" in res.stdout and "\x1b" not in res.stdout
    parsed = invoke("parse", str(tmp_path))
    assert f"{tmp_path}/a\\nb.837\n" in parsed.stdout and f"error: {tmp_path}/c\\x1b.837, byte 0" in parsed.stderr
    acked = invoke("ack", str(tmp_path), "--out", str(tmp_path / "out"))
    assert f"{tmp_path}/a\\nb.837: 1 claim: 1 accepted, 0 rejected\n" in acked.stdout  # claims_phrase (e6dffaa)
    assert (tmp_path / "out" / "a\nb.837.999").exists()  # the answers keep the input's name


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_exits_130(jobs) -> None:
    """Before: click's Abort, exit 1 ("rejected"). A worker prints nothing of its own."""
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "edi837", "check", "--jobs", jobs, "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None
    proc.stdin.write(FIXTURES[0].read_bytes()[:300])  # and the rest never comes: it waits, reading
    proc.stdin.flush()
    # Interrupt it once it waits for the rest (not while it is still starting: on a loaded machine
    # start-up can take longer than any fixed sleep). /proc/PID/wchan names the kernel's wait.
    wchan = Path(f"/proc/{proc.pid}/wchan")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "pipe" not in (wchan.read_text() if wchan.exists() else ""):
        time.sleep(0.05)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err == b"interrupted\n", err


def test_version_flags() -> None:
    import edi837

    for flag in ("-V", "--version"):
        res = invoke(flag)
        assert res.exit_code == 0 and edi837.__version__ in res.output


# -- folder inputs: one --include policy, outputs never inputs (issue 22, items 4 and 5) ------------

# What pyx12 writes beside the 837s it checked: a 997 (not an 837: read as one, it was "unreadable").
A_997 = ("ISA*00*          *00*          *ZZ*MEDICAREMAC    *ZZ*GENHOSPAMB     *261001*0931*^*00501*000000901*0*T*:~"
         "GS*FA*MEDICAREMAC*GENHOSPAMB*20261001*0931*901*X*005010~ST*997*0001~AK1*HC*1021~AK9*A*1*1*1~SE*4*0001~"
         "GE*1*901~IEA*1*000000901~")
SKIPPED3 = ", 3 files skipped (not --include)"


def inbound_with_others(tmp_path: Path) -> Path:
    """Two 837s, and what sits beside them in a real inbound folder: a report saved by an earlier run,
    a pyx12 .997 and a README.md."""
    import shutil

    inbound = tmp_path / "inbound"
    inbound.mkdir()
    for p in FIXTURES[:2]:
        shutil.copy(p, inbound / p.name)
    saved = invoke("report", str(inbound / FIXTURES[0].name), "-o", str(inbound / "report.html"))
    assert saved.exit_code == 0 and (inbound / "report.html").stat().st_size > 1000, saved.output
    (inbound / "claims.997").write_text(A_997)
    (inbound / "README.md").write_text("# Inbound claims\nDrop 837s here.\n")
    return inbound


@pytest.mark.parametrize("command", [["check"], ["parse"], ["ack", "--out", "OUT"], ["report", "-o", "OUT/r.html"],
                                     ["export", "-o", "OUT/e.json"]], ids=lambda c: c[0])
def test_a_folder_with_a_saved_report_a_997_and_a_readme_is_read_by_include(tmp_path, command) -> None:
    """Before: `check DIR` said 3 files were unreadable and exited 2. Now every command reads the two
    837s, leaves the rest alone and says how many it skipped, exit 0."""
    inbound = inbound_with_others(tmp_path)
    (tmp_path / "OUT").mkdir()
    args = [str(tmp_path / a) if a.startswith("OUT") else a for a in command]
    res = invoke(args[0], str(inbound), *args[1:])
    assert res.exit_code == 0, res.output
    assert "error" not in res.stderr and "unreadable" not in res.output
    said = res.stderr if command == ["parse"] else res.stdout
    assert said.rstrip().endswith("3 files skipped (not --include)" if command == ["parse"] else SKIPPED3), said[-300:]


def test_the_skipped_count_is_in_the_json_summary_and_include_changes_the_policy(tmp_path) -> None:
    import shutil

    inbound = inbound_with_others(tmp_path)
    doc = json.loads(invoke("check", "--format", "json", str(inbound)).stdout)
    assert doc["summary"]["skipped_files"] == 3 and doc["summary"]["unreadable_files"] == 0
    assert [os.path.basename(f["path"]) for f in doc["files"]] == sorted(p.name for p in FIXTURES[:2])

    shutil.copy(FIXTURES[2], inbound / "claims.DAT")
    res = invoke("check", "--include", "*.dat", "--include", "*.none", str(inbound))
    assert res.exit_code == 0, res.output
    assert res.stdout.rstrip().endswith("1 file, 1 claim: 1 accepted, 0 rejected, 5 files skipped (not --include)")


def test_a_file_named_on_the_command_line_is_read_whatever_its_name(tmp_path) -> None:
    import shutil

    dat = tmp_path / "claims.dat"
    shutil.copy(FIXTURES[0], dat)
    for command in ("check", "parse", "annotate"):
        res = invoke(command, str(dat))
        assert res.exit_code == 0 and "skipped" not in res.output, (command, res.output)
    assert invoke("check", str(dat)).stdout.rstrip().endswith("1 file, 1 claim: 1 accepted, 0 rejected")
    res = invoke("check", str(tmp_path))  # found in a folder, the same file is not an input
    assert res.exit_code == 2 and "the folder holds no input file (1 file skipped by --include" in res.stderr


def test_report_dot_o_report_html_twice_does_not_read_its_own_output(tmp_path, monkeypatch) -> None:
    """Before: the second run (and a first run, on the empty file it had just made) read report.html as
    an 837: "unreadable", exit 2."""
    import shutil

    for p in FIXTURES[:2]:
        shutil.copy(p, tmp_path / p.name)
    monkeypatch.chdir(tmp_path)
    first = invoke("report", ".", "-o", "report.html")
    second = invoke("report", ".", "-o", "report.html")
    assert first.exit_code == second.exit_code == 0, second.output
    assert first.stdout == second.stdout and re.fullmatch(r"report\.html: 2 files, \d+ claims: \d+ accepted, 0 rejected\n",
                                                          second.stdout), second.stdout
    assert "report.html" not in second.stderr


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "parquet"])
def test_export_o_inside_the_folder_does_not_read_its_own_output(tmp_path, monkeypatch, fmt) -> None:
    """`export -o FILE` inside the folder it exports, run twice (here a name --include would read)."""
    import shutil

    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    for p in FIXTURES[:2]:
        shutil.copy(p, tmp_path / p.name)
    monkeypatch.chdir(tmp_path)
    runs = [invoke("export", "--format", fmt, ".", "-o", f"export.{fmt}.txt") for _ in range(2)]
    assert [r.exit_code for r in runs] == [0, 0], runs[1].output
    assert runs[0].stdout == runs[1].stdout and runs[1].stdout.startswith("2 files, "), runs[1].stdout
    if fmt == "json":
        assert json.loads(Path("export.json.txt").read_text())["summary"]["files"] == 2


def test_an_output_named_as_a_path_is_refused_before_anything_is_written(tmp_path) -> None:
    """`export a.837 -o a.837` would read the input and then write over it: exit 2, the input kept."""
    import shutil

    src = tmp_path / "a.837"
    shutil.copy(FIXTURES[0], src)
    for command in (["export", "--format", "json"], ["report"]):
        res = invoke(*command, str(src), "-o", str(src))
        assert res.exit_code == 2 and f"error: {src}: is also the output file (-o)" in res.stderr, res.output
        assert src.read_bytes() == FIXTURES[0].read_bytes()


def test_standard_output_sent_to_a_file_in_the_folder_is_not_read(tmp_path) -> None:
    """`edi837 check . > check.txt`: the shell makes check.txt (an input by its name) before check runs."""
    import shutil
    import subprocess
    import sys

    shutil.copy(FIXTURES[0], tmp_path / FIXTURES[0].name)
    with open(tmp_path / "check.txt", "w") as out:
        done = subprocess.run([sys.executable, "-m", "edi837", "check", "."], cwd=tmp_path, stdout=out,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "check.txt").read_text().rstrip().endswith("1 file, 1 claim: 1 accepted, 0 rejected")
