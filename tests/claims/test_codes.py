"""Code lists as data: each CSV names its source, and a range row stands for every code in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from edi837.claims import codes

LISTS = sorted(p.stem for p in codes.HERE.glob("*.csv"))


def test_there_are_code_lists() -> None:
    assert {"ambulance_hcpcs", "revenue_codes", "condition_codes"} <= set(LISTS)


@pytest.mark.parametrize("name", LISTS)
def test_every_list_names_its_source(name: str) -> None:
    assert codes.source(name), name
    assert not codes.source(name).startswith("#")
    assert codes.codes(name), f"{name} has no codes"


def test_a_range_expands_to_every_code_in_it_with_its_width() -> None:
    hcpcs = codes.codes("ambulance_hcpcs")
    assert {"A0021", "A0100", "A0424"} <= hcpcs  # A0021-A0424: both ends and one between
    assert "A0021-A0424" not in hcpcs and "A0020" not in hcpcs
    assert codes.table("ambulance_hcpcs")["A0100"]["kind"] == "noncovered"


def test_a_code_with_a_row_of_its_own_keeps_it_inside_a_range() -> None:
    rows = codes.table("ambulance_hcpcs")
    own = [c for c in ("A0380", "A0390") if rows[c]["code"] == c]
    assert own, "A0380/A0390 have rows of their own in the range A0021-A0424"
    assert rows["A0425"]["kind"] == "mileage" and rows["A0425"]["code"] == "A0425"


def test_partial_lists_say_so_in_their_source() -> None:
    assert "partial" in codes.source("revenue_codes").lower()  # NUBC owns the full list
    assert "partial" not in codes.source("ambulance_hcpcs").lower()


def test_a_list_without_a_source_line_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "nosource.csv").write_text("code,description\n01,one\n", encoding="utf-8")
    monkeypatch.setattr(codes, "HERE", tmp_path)
    with pytest.raises(ValueError, match="source"):
        codes.source("nosource")
