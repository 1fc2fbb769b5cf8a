"""A user's code type-checks against the installed package: mypy finds it after the README's install
(an editable one included), and the typed verdicts catch a misspelt status."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

USER_SCRIPT = '''
import edi837


def rejected(path: str) -> list[str]:
    checker = edi837.Checker(profile="medicare")
    ids: list[str] = []
    for result in checker.check_iter(path):
        if isinstance(result, edi837.TransactionResult):
            for claim in result.claims:
                if claim.status == "{status}":
                    ids.append(claim.claim.claim_id)
                for finding in claim.all_findings:
                    if finding.severity == "{severity}":
                        ids.append(finding.rule)
    return ids
'''


def mypy(tmp_path: Path, status: str, severity: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "user.py"
    script.write_text(USER_SCRIPT.format(status=status, severity=severity))
    # Run outside the checkout: edi837 is found as installed, not as a folder beside the script.
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--strict-equality", "--no-incremental",
                           "--cache-dir", str(tmp_path / "cache"), str(script)],
                          capture_output=True, text=True, cwd=tmp_path)


def test_a_user_script_type_checks_against_the_installed_package(tmp_path: Path) -> None:
    done = mypy(tmp_path, "rejected", "error")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success" in done.stdout


def test_a_misspelt_status_or_severity_is_reported(tmp_path: Path) -> None:
    done = mypy(tmp_path, "rejectd", "eror")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "user.py:11: error: Non-overlapping equality check" in done.stdout, done.stdout
    assert "Literal['rejectd']" in done.stdout and "Literal['eror']" in done.stdout, done.stdout
    assert "import-not-found" not in done.stdout and "import-untyped" not in done.stdout
