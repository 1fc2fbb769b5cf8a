"""Files and folders in (edi837/inputs.py): folders walked in name order, hidden entries, links and
named pipes handled, an empty or unlistable folder a clear error, a named pipe waited for, not forever."""

from __future__ import annotations

import pytest
from builders import invoke
from conftest import FIXTURES


def test_folders_are_read_in_name_order_without_hidden_files_pipes_or_loops(tmp_path) -> None:
    """A folder is recursed in name order; hidden entries are skipped, a link to a folder is followed
    once (a link back up does not loop), and a named pipe is skipped with a warning, never opened."""
    import os

    from edi837.inputs import expand

    inbound, elsewhere = tmp_path / "inbound", tmp_path / "elsewhere"
    for d in (inbound / "sub", inbound / ".hidden", elsewhere):
        d.mkdir(parents=True)
    for f in ("b.837", "a.837", ".dot.837", "sub/c.837", ".hidden/d.837"):
        (inbound / f).write_text("x")
    (elsewhere / "e.837").write_text("x")
    (inbound / "linked").symlink_to(elsewhere)
    (inbound / "sub" / "up").symlink_to(inbound)
    os.mkfifo(inbound / "pipe")
    skipped: list[tuple[str, str]] = []
    found = list(expand([str(inbound)], lambda path, why: skipped.append((path, why))))
    assert [os.path.relpath(p, inbound) for p in found] == ["a.837", "b.837", "linked/e.837", "sub/c.837"]
    assert skipped == [(str(inbound / "pipe"), "a named pipe, not a file")]
    assert list(expand([str(inbound)], exclude=[str(inbound / "sub")]))[-1].endswith("e.837")


def test_a_named_pipe_in_a_folder_does_not_stop_the_run(tmp_path) -> None:
    import os
    import shutil
    import subprocess
    import sys

    shutil.copy(FIXTURES[0], tmp_path / FIXTURES[0].name)
    os.mkfifo(tmp_path / "pipe")
    done = subprocess.run([sys.executable, "-m", "edi837", "check", str(tmp_path)], capture_output=True, text=True,
                          timeout=120)  # opening the pipe would wait here for a writer that never comes
    assert done.returncode == 0, done.stderr
    assert f"warning: {tmp_path / 'pipe'}: skipped: a named pipe, not a file" in done.stderr
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

    from edi837 import inputs

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

    from edi837 import inputs

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
