"""How a command that cannot do its job stops: CliError's `error: ...` lines (never click's "Error:"),
exit 2, nothing on standard output; the one iterator over PATHs and its counts; the shape of the
package (the split of the old 700-line cli.py must not grow back)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from builders import invoke
from conftest import FIXTURES, ROOT

from edi837.answers.write.report import Summary
from edi837.cli.exits import CliError
from edi837.cli.inputs import each_file

CLI = ROOT / "edi837" / "cli"
MISSING = "/nonexistent/edi837-test/nope.json"


def test_a_cli_error_is_one_error_line_per_message(capsys: pytest.CaptureFixture[str]) -> None:
    CliError("first: why", "second: why").show()
    assert capsys.readouterr().err == "error: first: why\nerror: second: why\n"
    assert CliError("x").exit_code == 2


@pytest.mark.parametrize(("args", "lines"), [
    (["rules", "NOPE"], ["no rule or X12 code 'NOPE'; `edi837 rules` lists them all"]),
    (["export", "--format", "parquet", str(FIXTURES[0])], ["--format parquet writes a file: give it with -o FILE"]),
    (["run"], ["give INBOX and --out OUTBOX (or --status OUTBOX); see edi837 run --help"]),
    (["check", "--profile", MISSING, str(FIXTURES[0])], [f"{MISSING}: cannot load profile: No such file or directory"]),
    (["run", "--profile", MISSING, "in", "--out", "out"], [f"{MISSING}: cannot load profile: No such file or directory"]),
    (["annotate", "-", "nosuch.837"],
     ["-: annotate reads a file twice (once to check it, once to annotate it): give a regular file",
      "nosuch.837: no such file"]),
])
def test_a_command_that_cannot_start_says_so_in_error_lines(args: list[str], lines: list[str]) -> None:
    res = invoke(*args)
    assert (res.exit_code, res.stdout, res.stderr) == (2, "", "".join(f"error: {line}\n" for line in lines))


def test_an_answer_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    out = tmp_path / "file" / "answers"
    res = invoke("ack", "--out", str(out), str(FIXTURES[0]))
    assert (res.exit_code, res.stderr) == (2, f"error: {out}: cannot make the answer folder: Not a directory\n")


def test_the_error_line_is_the_same_from_a_real_process() -> None:
    """click's own handling of a ClickException runs in a real `python -m edi837` (not CliRunner's)."""
    done = subprocess.run([sys.executable, "-m", "edi837", "rules", "NOPE"], capture_output=True, timeout=120,
                          check=False)
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr == b"error: no rule or X12 code 'NOPE'; `edi837 rules` lists them all\n"


def test_each_file_counts_what_it_cannot_read_and_what_include_leaves_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "a.837").write_text("")
    (tmp_path / "in" / "sub" / "b.837").write_text("")
    (tmp_path / "in" / "notes.md").write_text("")  # not --include: skipped, counted
    (tmp_path / "in" / "out.837").write_text("")  # the command's output: never read, not counted
    (tmp_path / "empty").mkdir()  # a folder PATH with no input file: unreadable
    summary = Summary()
    found = list(each_file([str(tmp_path / "in"), str(tmp_path / "empty")], summary,
                           exclude=[str(tmp_path / "in" / "out.837")]))
    assert found == [str(tmp_path / "in" / "a.837"), str(tmp_path / "in" / "sub" / "b.837")]
    assert (summary.unreadable, summary.skipped, summary.files) == (1, 1, 0)
    assert capsys.readouterr().err == (f"error: {tmp_path / 'empty'}: the folder holds no input file"
                                       " (hidden files and folders are skipped)\n")


def test_ack_of_a_dot_slash_folder_keeps_its_sub_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The folder as typed (./in) and the paths found in it (in/a/x.837) are written differently; the
    answers are still named inside it, as acknowledge.name_answers says for ack and Spark alike."""
    for sub in ("a", "b"):
        (tmp_path / "in" / sub).mkdir(parents=True)
        (tmp_path / "in" / sub / "x.837").write_bytes(FIXTURES[0].read_bytes())
    monkeypatch.chdir(tmp_path)
    res = invoke("ack", "--fixed-time", "202611221200", "--out", "out", "./in")
    assert res.exit_code == 0, res.output
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.999")) == [
        "a/x.837.999", "b/x.837.999"]


def _functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


@pytest.mark.parametrize("module", sorted(CLI.glob("*.py")), ids=lambda p: p.name)
def test_each_cli_module_is_short_with_short_functions_and_no_any(module: Path) -> None:
    text = module.read_text()
    tree = ast.parse(text)
    assert len(text.splitlines()) <= 400
    long = [f"{f.name}: {f.end_lineno - f.lineno + 1} lines" for f in _functions(tree)
            if f.end_lineno is not None and f.end_lineno - f.lineno + 1 > 60]
    assert not long
    anys = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "Any"
            or isinstance(n, ast.alias) and n.name == "Any" or isinstance(n, ast.Attribute) and n.attr == "Any"]
    assert not anys
