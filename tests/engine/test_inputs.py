"""Files and folders in (edi837/inputs.py): folders walked in name order, hidden entries, links and
named pipes handled, an empty or unlistable folder a clear error, a named pipe waited for, not forever;
one --include policy for a folder's files (a named file is always read), and a command's own
output never read as an input (issue 22, items 4 and 5)."""

from __future__ import annotations

import pytest
from builders import invoke
from conftest import FIXTURES


def test_folders_are_read_in_name_order_without_hidden_files_pipes_or_loops(tmp_path) -> None:
    """A folder is recursed in name order; hidden entries are skipped, a link to a folder is followed
    once (a link back up does not loop), and a named pipe is skipped with a warning, never opened."""
    import os

    from edi837.engine.inputs import expand

    inbound, elsewhere = tmp_path / "inbound", tmp_path / "elsewhere"
    for d in (inbound / "sub", inbound / ".hidden", elsewhere):
        d.mkdir(parents=True)
    for f in ("b.837", "a.837", ".dot.837", "sub/c.837", ".hidden/d.837"):
        (inbound / f).write_text("x")
    (elsewhere / "e.837").write_text("x")
    (inbound / "linked").symlink_to(elsewhere)
    (inbound / "sub" / "up").symlink_to(inbound)
    os.mkfifo(inbound / "pipe.837")
    skipped: list[tuple[str, str]] = []
    found = list(expand([str(inbound)], lambda path, why: skipped.append((path, why))))
    assert [os.path.relpath(p, inbound) for p in found] == ["a.837", "b.837", "linked/e.837", "sub/c.837"]
    assert skipped == [(str(inbound / "pipe.837"), "a named pipe, not a file")]
    assert list(expand([str(inbound)], exclude=[str(inbound / "sub")]))[-1].endswith("e.837")


def test_a_named_pipe_in_a_folder_does_not_stop_the_run(tmp_path) -> None:
    import os
    import shutil
    import subprocess
    import sys

    shutil.copy(FIXTURES[0], tmp_path / FIXTURES[0].name)
    os.mkfifo(tmp_path / "pipe.837")  # named like an input: a pipe not named so is not looked at (--include)
    done = subprocess.run([sys.executable, "-m", "edi837", "check", str(tmp_path)], capture_output=True, text=True,
                          timeout=120)  # opening the pipe would wait here for a writer that never comes
    assert done.returncode == 0, done.stderr
    assert f"warning: {tmp_path / 'pipe.837'}: skipped: a named pipe, not a file" in done.stderr
    assert "1 file, 1 claim: 1 accepted" in done.stdout


@pytest.mark.parametrize("command", [["parse"], ["check"], ["ack", "--out", "OUT"]])
def test_a_folder_with_no_input_file_is_exit_2(tmp_path, command) -> None:
    (tmp_path / "in" / ".hidden").mkdir(parents=True)
    (tmp_path / "in" / ".hidden" / "a.837").write_bytes(FIXTURES[0].read_bytes())
    args = [str(tmp_path / "OUT") if a == "OUT" else a for a in command]
    res = invoke(*args[:1], str(tmp_path / "in"), *args[1:])
    assert res.exit_code == 2
    assert f"error: {tmp_path / 'in'}: the folder holds no input file" in res.stderr


def test_a_sub_folder_that_cannot_be_listed_is_exit_2_naming_it(tmp_path, monkeypatch) -> None:
    """Before: skipped silently, exit 0, its files never checked. (Running as root, permissions do not
    stop a listing: the refusal is simulated.)"""
    import os

    from edi837.engine import inputs

    (tmp_path / "sub").mkdir()
    (tmp_path / "a.837").write_bytes(FIXTURES[0].read_bytes())
    (tmp_path / "sub" / "b.837").write_bytes(FIXTURES[0].read_bytes())
    listing = os.scandir

    def scandir(path):
        if str(path).endswith("sub"):
            raise PermissionError(13, "Permission denied", str(path))
        return listing(path)

    monkeypatch.setattr(inputs.os, "scandir", scandir)
    res = invoke("check", str(tmp_path))
    assert res.exit_code == 2
    assert f"error: {tmp_path / 'sub'}: cannot list the folder: Permission denied" in res.stderr
    assert "1 file, 1 claim: 1 accepted, 0 rejected, 1 unreadable" in res.stdout


def test_a_folder_tree_deeper_than_the_recursion_limit_is_walked(tmp_path) -> None:
    """Before: os.walk recursed once per level, a RecursionError traceback at ~1,000 levels, exit 1."""
    import os
    import sys

    depth = sys.getrecursionlimit() + 100
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        for _ in range(depth):  # made relative to an open folder: the full path is too long for one call
            os.mkdir("d", dir_fd=fd)
            deeper = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = deeper
        with open(os.open("x.837", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "wb") as fh:
            fh.write(FIXTURES[0].read_bytes())
    finally:
        os.close(fd)
    try:
        res = invoke("check", str(tmp_path))
    finally:
        remove_chain(tmp_path)  # pytest removes old temporary folders recursively: it could not remove this one
    assert res.exit_code in (0, 2), res.output  # 2 only if the deepest path is longer than the system allows
    assert "Traceback" not in res.output
    if res.exit_code == 0:
        assert "1 file, 1 claim: 1 accepted" in res.stdout


def remove_chain(top) -> None:
    """Remove top/d/d/d/... however deep, a level at a time, without recursion or long paths."""
    import os

    level, below = top / "d", top / "below"
    while level.exists():
        for entry in level.iterdir():
            if entry.name != "d":
                entry.unlink()
        if (level / "d").exists():
            os.rename(level / "d", below)
        level.rmdir()
        if below.exists():
            os.rename(below, level)


def test_a_named_pipe_given_as_path_is_read_when_written_else_an_error(tmp_path, monkeypatch) -> None:
    """Before: opened like a file, waiting for ever for a writer."""
    import os
    import threading

    from edi837.engine import inputs

    monkeypatch.setattr(inputs, "PIPE_WAIT", 0.3)
    pipe = tmp_path / "claims.837"
    os.mkfifo(pipe)
    res = invoke("check", str(pipe))
    assert res.exit_code == 2 and "a named pipe with nothing written to it in 0.3 s: not read" in res.stdout

    monkeypatch.setattr(inputs, "PIPE_WAIT", 20)
    writer = threading.Thread(target=lambda: pipe.write_bytes(FIXTURES[0].read_bytes()))
    writer.start()
    res = invoke("check", str(pipe))
    writer.join()
    assert res.exit_code == 0 and "1 file, 1 claim: 1 accepted" in res.stdout


# -- one policy for what a folder holds (--include), and outputs that are never inputs -------------

def test_included_is_case_insensitive_on_the_name_only() -> None:
    from edi837.engine.inputs import INCLUDE, included

    assert INCLUDE == ("*.837", "*.edi", "*.txt", "*.x12")
    assert all(included(n) for n in ("a.837", "B.EDI", "inbound/c.Txt", "d.x12"))
    assert not any(included(n) for n in ("report.html", "answer.997", "README.md", "a.837i", "x.837/readme"))
    assert included("claims.DAT", ["*.dat"]) and not included("a.837", ["*.dat"])


def test_a_folder_is_read_by_include_a_named_file_whatever_its_name(tmp_path) -> None:
    """What a folder holds beside its 837s (a saved report, a pyx12 .997, a README) is left out, each
    passed to `left_out`; a file named as a PATH is read though --include does not name it."""
    from edi837.engine.inputs import expand

    for name in ("a.837", "B.EDI", "report.html", "answer.997", "README.md", "sub/c.x12", "sub/notes.pdf"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")
    left: list[str] = []
    found = list(expand([str(tmp_path), str(tmp_path / "README.md")], left_out=left.append))
    assert found == [str(tmp_path / n) for n in ("B.EDI", "a.837", "sub/c.x12", "README.md")]
    assert sorted(left) == sorted(str(tmp_path / n) for n in ("answer.997", "report.html", "README.md", "sub/notes.pdf"))
    left.clear()
    assert list(expand([str(tmp_path)], include=["*.md", "*.HTML"], left_out=left.append)) == [
        str(tmp_path / "README.md"), str(tmp_path / "report.html")]
    assert len(left) == 5


def test_an_output_is_never_read_by_inode_or_by_path_before_it_exists(tmp_path) -> None:
    """An output known by device and inode, so another name for it (a hard link) is not read either;
    one that does not exist yet when the walk starts (written during it), by its resolved path."""
    import os

    from edi837.engine.inputs import expand, is_output

    (tmp_path / "a.837").write_text("x")
    (tmp_path / "out.txt").write_text("an earlier run's output")
    os.link(tmp_path / "out.txt", tmp_path / "same.txt")
    assert list(expand([str(tmp_path)], exclude=[str(tmp_path / "out.txt")])) == [str(tmp_path / "a.837")]

    (tmp_path / "sub").mkdir()
    (tmp_path / "via").symlink_to(tmp_path / "sub")  # the output is named through a link: found as sub/new.txt
    walk = expand([str(tmp_path)], exclude=[str(tmp_path / "via" / "new.txt")])
    assert next(walk) == str(tmp_path / "a.837")  # the walk has started: the output did not exist then
    (tmp_path / "sub" / "new.txt").write_text("written while the walk runs")
    (tmp_path / "sub" / "b.837").write_text("x")
    assert [os.path.relpath(p, tmp_path) for p in walk] == ["out.txt", "same.txt", "sub/b.837"]
    assert is_output(str(tmp_path / "same.txt"), [str(tmp_path / "out.txt")])
    assert not is_output(str(tmp_path / "a.837"), [str(tmp_path / "out.txt")])


def test_a_folder_holding_only_skipped_files_says_how_many(tmp_path) -> None:
    """Still an error (exit 2: nothing was checked), but the message says why the folder held none."""
    (tmp_path / "report.html").write_text("<html>")
    (tmp_path / "answer.997").write_text("ISA*00")
    res = invoke("check", str(tmp_path))
    assert res.exit_code == 2
    assert (f"error: {tmp_path}: the folder holds no input file (2 files skipped by --include *.837 *.edi *.txt"
            " *.x12; hidden files and folders are skipped)") in res.stderr
