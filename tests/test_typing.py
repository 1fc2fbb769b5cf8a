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


def test_a_user_script_type_checks_and_a_misspelt_status_or_severity_is_reported(tmp_path: Path) -> None:
    """One mypy run over two scripts, outside the checkout (edi837 is found as installed, not as a folder
    beside them): the correct one passes --strict, the misspelt one is reported."""
    (tmp_path / "good.py").write_text(USER_SCRIPT.format(status="rejected", severity="error"))
    (tmp_path / "bad.py").write_text(USER_SCRIPT.format(status="rejectd", severity="eror"))
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--strict-equality", "--no-incremental",
                           "--cache-dir", str(tmp_path / "cache"), "good.py", "bad.py"],
                          capture_output=True, text=True, cwd=tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "good.py" not in out, out
    assert "bad.py:11: error: Non-overlapping equality check" in out, out
    assert "Literal['rejectd']" in out and "Literal['eror']" in out, out
    assert "Found 2 errors in 1 file" in out, out
    assert "import-not-found" not in out and "import-untyped" not in out
