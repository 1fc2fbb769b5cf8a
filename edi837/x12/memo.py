"""Bounded memos of the guide checks: what repeats in a file (a payer's NM1, a billing provider's
address, the same SV2 on every claim) is checked once.

Every memo is two generations of at most `MEMO_LIMIT` entries: new entries go to the young one; when
it is full it becomes the old one (the previous old one is dropped), and a hit in the old one is
copied back. Values seen once (a claim's own CLM) age out; values that repeat stay, however long the
file. This is the one place that says what is kept and for how long.
"""

from __future__ import annotations

from typing import Any

MEMO_LIMIT = 20_000  # entries per memo: enough for the segments a file repeats, small in memory


class Memo:
    """A bounded memo that keeps what repeats: two generations, each up to `limit` entries.

    New entries go to the young generation; when it is full it becomes the old one (the previous old
    one is dropped) and a hit in the old generation is copied back. Values seen once (a claim's own
    CLM) age out; values that repeat (a payer's NM1) stay, however long the file."""

    __slots__ = ("young", "old", "limit")

    def __init__(self, limit: int = MEMO_LIMIT) -> None:
        self.young: dict = {}
        self.old: dict = {}
        self.limit = limit

    def get(self, key: Any) -> Any:  # any hashable key, any value
        hit = self.young.get(key)
        if hit is None:
            hit = self.old.get(key)
            if hit is not None:
                self.put(key, hit)
        return hit

    def put(self, key: Any, value: Any) -> None:
        young = self.young
        young[key] = value
        if len(young) >= self.limit:
            self.old, self.young = young, {}



class SegmentMemo:
    """`validate_segment`'s answers for one component separator (a segment's text means the same only
    under one): a table per guide node, keyed by the segment's text as read.

    Bounded like `Memo`, two generations of at most `limit` entries. Generations turn over in place,
    so a caller may hold `young` and look there first."""

    __slots__ = ("young", "old", "size", "limit")

    def __init__(self, nodes: int, limit: int | None = None) -> None:
        self.young: list[dict[str, Any]] = [{} for _ in range(nodes)]
        self.old: list[dict[str, Any]] = [{} for _ in range(nodes)]
        self.size = 0
        self.limit = MEMO_LIMIT if limit is None else limit

    def add(self, index: int, raw: str, errors: Any) -> None:
        self.young[index][raw] = errors
        self.size += 1
        if self.size >= self.limit:
            self.old[:] = self.young
            self.young[:] = [{} for _ in self.old]
            self.size = 0


_segment_memos: dict[str, SegmentMemo] = {}


def segment_memo(component: str, nodes: int) -> SegmentMemo:
    """The memo for segments written with `component` as their component separator (a guide of `nodes` nodes)."""
    memo = _segment_memos.get(component)
    if memo is None:
        if len(_segment_memos) >= 4:  # interchanges with many separators: keep memory bounded
            _segment_memos.clear()
        memo = _segment_memos[component] = SegmentMemo(nodes)
    return memo


