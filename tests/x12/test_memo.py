"""The bounded memos of the guide checks (edi837/memo.py): two generations, what repeats stays, what
is seen once ages out, and memory stays bounded."""

from __future__ import annotations

from edi837.x12 import memo as memo_mod


def test_memo_keeps_what_repeats_and_drops_what_is_seen_once() -> None:
    memo = memo_mod.Memo(limit=3)
    memo.put("payer", 1)
    for k in range(2):
        memo.put(f"claim{k}", k)  # the young generation is full: it becomes the old one
    assert memo.young == {} and memo.get("payer") == 1  # a hit in the old generation is copied back
    assert "payer" in memo.young
    for k in range(2, 5):
        memo.put(f"claim{k}", k)
    assert memo.get("payer") == 1 and memo.get("claim0") is None  # seen once: aged out
    assert len(memo.young) + len(memo.old) <= 2 * 3


def test_a_segment_memo_per_component_separator_and_at_most_four(monkeypatch) -> None:
    monkeypatch.setattr(memo_mod, "_segment_memos", {})  # the checker's own memos stay as they are
    colon = memo_mod.segment_memo(":", 2)
    assert memo_mod.segment_memo(":", 2) is colon and memo_mod.segment_memo(">", 2) is not colon
    for sep in "|!{":
        memo_mod.segment_memo(sep, 2)
    assert len(memo_mod._segment_memos) <= 4


def test_segment_memo_is_bounded() -> None:
    memo = memo_mod.SegmentMemo(nodes=2, limit=3)
    young = memo.young
    for i in range(7):
        memo.add(i % 2, f"S{i}", ())
    assert memo.young is young  # turned over in place: callers may hold it
    assert sum(map(len, memo.young)) + sum(map(len, memo.old)) <= 2 * 3
    assert "S6" in memo.young[0] and "S0" not in memo.young[0] and "S0" not in memo.old[0]
