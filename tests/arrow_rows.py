"""The claim rows of edi837.answers.write.arrow held against `check --format json`, claim for claim and
file for file: one comparison, which the Arrow tests and the Spark tests both make (a helper module
beside builders.py, so that no test module imports another)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from edi837.answers.write import arrow
from edi837.cli import main

TODAY = "2026-11-01"


def check_json(paths: list[str]) -> dict:
    res = CliRunner().invoke(main, ["check", "--format", "json", "--jobs", "1", "--today", TODAY, *paths])
    assert res.exit_code in (0, 1, 2), res.output
    return json.loads(res.stdout)


FINDING_KEYS = ("rule", "severity", "message", "scope", "loop", "segment", "position", "line", "element", "lx",
                "value", "fix", "stc")  # the record adds the rule's source; the report its 999 codes


def findings_key(found: list[dict]) -> list[dict]:
    return [{k: f[k] for k in FINDING_KEYS} for f in found]


def claim_key(row: dict) -> dict:
    """What a claim row shares with the claims of `check --format json` (whose 837I claims carry no
    claim_type: 837P claims only name theirs)."""
    keys = ("claim_id", "transaction", "status", "type_of_bill", "position")
    charge = row["total_charge"]  # a Decimal in a row, the amount as written in check's JSON
    return {**{k: row[k] for k in keys}, "total_charge": arrow.money(None if charge is None else str(charge)),
            "claim_type": row.get("claim_type", "837I"), "findings": findings_key(row["findings"])}


def expected(doc: dict) -> tuple[dict, dict]:
    """(claims by file, file outcome by file) of a check report."""
    claims = {f["path"]: sorted((c for c in f["claims"]), key=lambda c: (c["transaction"], c["position"]))
              for f in doc["files"]}
    def envelopes(entries: list[dict]) -> list[dict]:
        return [{"control": e["control"], "findings": findings_key(e["findings"])} for e in entries]

    outcome = {f["path"]: {"error": f["error"],
                           "transactions": [{"control": t["control_number"], "ack": t["ack"],
                                             "findings": findings_key(t["findings"])} for t in f["transactions"]],
                           "groups": envelopes(f["groups"]), "interchanges": envelopes(f["interchanges"])}
               for f in doc["files"]}
    return claims, outcome


def compare(rows: list[dict], doc: dict) -> None:
    """Rows of edi837.answers.write.arrow (any order across files) against a check report: claim for claim, and
    every file's outcome."""
    claims, outcome = expected(doc)
    got_claims: dict[str, list] = {path: [] for path in claims}
    got_files = {}
    for row in rows:
        if row["kind"] == "claim":
            got_claims[row["file"]].append(claim_key(row))
        else:
            assert row["file"] not in got_files
            got_files[row["file"]] = row
    for path in claims:
        got = sorted(got_claims[path], key=lambda c: (c["transaction"], c["position"]))
        assert got == [claim_key(c) for c in claims[path]], path
        f = got_files[path]
        want = outcome[path]
        assert f["file_error"] == want["error"], path
        assert f["file_status"] == ("read" if want["error"] is None else "unreadable")
        assert (f["claims"], f["accepted"]) == (len(got), sum(c["status"] == "accepted" for c in got))
        sets = [{"control": e["control"], "ack": e["ack"], "findings": findings_key(e["findings"])}
                for e in f["envelopes"] if e["level"] == "transaction"]
        assert sets == want["transactions"], path
        for level, key in (("group", "groups"), ("interchange", "interchanges")):
            assert [{"control": e["control"], "findings": findings_key(e["findings"])}
                    for e in f["envelopes"] if e["level"] == level] == want[key], path
    assert set(got_files) == set(claims)
