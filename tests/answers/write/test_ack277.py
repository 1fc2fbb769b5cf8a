"""The 277CA: per claim, the verdict `check` gives (accepted WQ, rejected U)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from builders import LF, check, edit
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLES_837I

from edi837.answers.write import ack277
from edi837.cli import main
from edi837.engine.results import TransactionResult


def verdicts_277(text: str) -> dict[str, str]:
    return dict(re.findall(r"NM1\*QC\*[^~]*~TRN\*2\*([^~]+)~STC\*[^*]+\*\d*\*(WQ|U)", text))


def test_277ca_verdicts_equal_check(answered: Path) -> None:
    res = CliRunner().invoke(main, ["check", "--format", "json", "--today", "2026-11-22",
                                    *map(str, FIXTURES + SAMPLES_837I)])
    import json
    for f in json.loads(res.stdout)["files"]:
        if f["error"]:
            continue
        got = verdicts_277((answered / f"{Path(f['path']).name}.277ca").read_text())
        want = {c["claim_id"]: ("WQ" if c["status"] == "accepted" else "U") for c in f["claims"]}
        assert got == want, f["path"]


def test_the_277ca_of_a_claim_rejected_with_its_set_is_unchanged_a3_21() -> None:
    [tx] = [x for x in check(edit(LF, "SE*30*0001", "SE*31*0001")) if isinstance(x, TransactionResult)]
    text = "".join(ack277.render(tx, 1, 5, dt.datetime(2026, 11, 22, 9, 30), "CH", "CH", 6))
    assert "STC*A3:21*20261122*U*716" in text
