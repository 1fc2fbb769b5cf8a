"""The README and docs/ say what the code does: the README's tour and library example, run on a copy of
fixtures/, print exactly what the README shows; the README stays a five-minute read; and every
relative link in README.md, CHANGELOG.md and docs/*.md names a file, and a heading, that exists.

Why: the README is the page a newcomer trusts first, and its outputs were pasted by hand; a changed
message (a rule's wording, a summary line) must fail here rather than leave the README stale.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

README = ROOT / "README.md"
PAGES = [README, ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
MARK = "@@@ edi837 docs test: command {} @@@"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def section(text: str, title: str) -> str:
    """The body of the `## title` section of a markdown text, up to the next `## ` heading."""
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def session(text: str) -> list[tuple[str, list[str]]]:
    """The shell session shown in indented blocks: each `$ command` with the output lines under it."""
    shown: list[tuple[str, list[str]]] = []
    output: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("    $ "):
            output = []
            shown.append((line[6:], output))
        elif output is not None and line.startswith("    "):
            output.append(line[4:])
        else:
            output = None
    return shown


def blocks(text: str) -> list[str]:
    """The indented code blocks of a markdown text, each without its indent."""
    found: list[list[str]] = []
    inside = False
    for line in text.splitlines():
        if line.startswith("    ") or (inside and not line.strip()):
            if not inside:
                found.append([])
            found[-1].append(line[4:])
            inside = True
        else:
            inside = False
    return ["\n".join(b).strip("\n") for b in found]


def tour_folder(tmp_path: Path) -> Path:
    """A folder holding a copy of the bundled fixtures, as the checkout has them."""
    shutil.copytree(ROOT / "fixtures", tmp_path / "fixtures")
    return tmp_path


def shell(commands: list[str], cwd: Path) -> list[list[str]]:
    """Run `commands` in one bash, in `cwd`, with `edi837` this interpreter's package and no colour;
    each command's output lines (standard error too), so `echo $?` sees the command before it."""
    script = ['edi837() { "$EDI837_PYTHON" -m edi837 "$@"; }']
    for i, command in enumerate(commands):
        script += ["__rc=$?", f"echo '{MARK.format(i)}'", "(exit $__rc)", f"{command} 2>&1"]
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "EDI837_PYTHON": sys.executable, "NO_COLOR": "1"}, timeout=120)
    assert not done.stderr, done.stderr
    parts = re.split("|".join(re.escape(MARK.format(i)) + "\n" for i in range(len(commands))), done.stdout)
    return [p.splitlines() for p in parts[1:]]


def test_the_readmes_tour_prints_what_the_readme_shows(tmp_path: Path) -> None:
    """The tour runs "in the checkout after the first set-up command": its main job runs first."""
    shown = session(section(README.read_text(), "A 30-second tour"))
    assert [c.split()[:2] for c in (c for c, _ in shown) if c.startswith("edi837")] == [
        ["edi837", "check"], ["edi837", "check"], ["edi837", "check"], ["edi837", "report"], ["edi837", "ack"],
        ["edi837", "run"], ["edi837", "ack"], ["edi837", "run"]]
    setup = blocks(section(README.read_text(), "Set-up"))[0]
    main_job = setup.split("pip install -e . && ", 1)[1]  # the first set-up command, once installed
    ran = shell([main_job, *(command for command, _ in shown)], tour_folder(tmp_path))[1:]
    for (command, expected), got in zip(shown, ran, strict=True):
        if command.startswith("edi837 run"):  # the stage's workers finish files in any order, and a
            # file's control numbers are reserved when its worker is done with it
            got, expected = (sorted(re.sub(r"numbers \d{9}-\d{9}", "numbers N-N", line) for line in lines)
                             for lines in (got, expected))
        assert got == expected, f"README's `{command}` printed:\n" + "\n".join(got)


def test_the_readmes_library_example_prints_what_the_readme_shows(tmp_path: Path) -> None:
    text = section(README.read_text(), "As a library")
    code, printed = blocks(text)[:2]
    assert "\nprints\n" in text  # the second block is what the first prints
    folder = tour_folder(tmp_path)
    data = (folder / "fixtures" / "bls-emergency.837").read_bytes()
    assert data.count(b"UN*8~") == 1
    (folder / "bad-mileage.837").write_bytes(data.replace(b"UN*8~", b"UN*0~"))  # the tour's sed
    done = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip("\n") == printed


def test_the_readme_is_a_five_minute_read() -> None:
    lines = README.read_text().splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines: move reference to docs/"
    setup = section(README.read_text(), "Set-up")
    assert [b for b in blocks(setup) if b.startswith("python3 -m venv")] == [
        b for b in blocks(setup)], "the Set-up section holds the two set-up commands and nothing else"
    assert len(blocks(setup)) == 2


def anchors(page: Path) -> set[str]:
    """The anchors GitHub makes for a page's headings: lower case, punctuation dropped, spaces to '-'."""
    heads = (line.lstrip("#").strip() for line in page.read_text().splitlines() if line.startswith("#"))
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in heads}


def test_every_relative_link_in_the_docs_names_a_file_and_heading_that_exist() -> None:
    broken = []
    for page in PAGES:
        for target in LINK.findall(page.read_text()):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists() or (anchor and file.suffix == ".md" and anchor not in anchors(file)):
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken, broken
