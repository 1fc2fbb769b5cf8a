"""The guide walker: tag each segment with its loop, and report structure errors as pyx12 would.

Walking follows pyx12's map_walker exactly (so loop ids and IK3 codes agree with it): from the
current segment scan the rest of its loop by position, then pop outward; a segment that opens a loop
(by id and qualifier, e.g. HL03 22, NM101 71, HI01-1 BE) enters it. That scan depends only on the
current node and the segment's id and qualifier, so it runs once per (node, id, qualifier) and is
kept as a transition: the target node plus a short list of steps to replay against the counters
(which required segments or loops were passed over, which loop was entered). Replaying a cached
transition is a dict lookup and a few list operations per segment. The target depends on nothing
else, so `tag` (for parse, which wants only loop ids) follows transitions without the counters.
"""

from __future__ import annotations

from ..frozen import frozen
from .guide import Guide, Node, Transaction
from .read import Segment

# Steps of a transition, replayed against the counters.
SKIP_SEG = 0  # a required segment was passed over (missing if never seen in this loop pass)
SKIP_LOOP = 1  # a required loop was passed over (missing if never entered)
MATCH_SEG = 2  # the segment matched a node inside the current loop
ENTER_LOOP = 3  # a loop was entered (a new repeat)
ENTER_FIRST = 4  # ... at its first segment
NOT_FOUND = 5

MEMO_LIMIT = 200_000


@frozen
class StructureError:
    """A segment-level guide error (999 IK3 codes 1-5)."""

    code: str  # IK304: 1 unrecognized, 2 unexpected (not used), 3 required missing, 4 loop over max, 5 over max use
    segment_id: str  # the segment in error (for code 3, the missing one)
    position: int  # IK302: position in the transaction set of the segment being read
    loop_id: str  # IK303
    node: int  # guide node index of the segment/loop in error (-1 when unknown)
    message: str  # what is wrong, naming the segment or loop as the guide does; never quotes a value
    fix: str = ""  # how to put it right


Trace = tuple[tuple[int, int], ...]  # steps (SKIP_SEG, node) ... of a transition


class Transition:
    """Where a segment leads from a node: the `target` node (-1: nowhere), the steps to replay against
    the counters (None: just the next segment of the same loop), and the loop it enters at its first
    segment when that is all it does (-1 otherwise)."""

    def __init__(self, target: int, trace: Trace | None, enter: int) -> None:
        self.target = target
        self.trace = trace
        self.enter = enter


class _Tables:
    """What a walker of one guide looks up, worked out once per guide and shared by every walker
    (a folder of a thousand one-claim files must not work out the tables and transitions a thousand
    times): transitions depend only on the guide, the current node and the segment's key."""

    def __init__(self, guide: Guide) -> None:
        nodes = guide.nodes
        n = len(nodes)
        # Descendants of a node are the contiguous indices after it (the table is built depth-first).
        self.end = [0] * n
        for node in reversed(nodes):
            self.end[node.index] = max([node.index + 1] + [self.end[c] for c in node.children])
        # How often a segment may occur (0 when the guide does not use it): one comparison per segment.
        self.limit = [0 if node.usage == "N" else node.max_use for node in nodes]
        self.zero_runs = [[0] * (self.end[i] - i - 1) for i in range(n)]  # to reset a loop's descendants
        self.loop_of = [nodes[node.parent].id if node.parent >= 0 else "" for node in nodes]
        # By guide ("837I", "837P"): a segment id's name in that guide (its first use), to name a segment
        # found out of place. A segment of the other guide only (CR1 in an 837I, SV2 in an 837P) is
        # "not a segment of" the set's guide.
        self.segment_names: dict[str, dict[str, str]] = {}
        for tx in guide.transactions.values():
            names = self.segment_names[tx.kind] = {}
            for node in guide.tree(tx.version):
                if not node.is_loop:
                    names.setdefault(node.id, node.name)
        # Transitions by current node, then by segment id (or (id, qualifier) for qualified ids).
        self.memo: list[dict[str | tuple, Transition]] = [{} for _ in range(n)]
        self.memo_size = 0
        # Every segment id has at most one place for its qualifier in this guide (HL03, NM101, HI01-1 ...).
        self.qualifier = {sid: (e, c, guide.qualifier_codes[(sid, e, c)])
                          for sid, paths in guide.qualifier_paths.items() for e, c in paths}
        assert all(len(paths) == 1 for paths in guide.qualifier_paths.values())


_tables: dict[int, tuple[Guide, _Tables]] = {}  # by id(guide), the guide kept so the id stays its own


def tables(guide: Guide) -> _Tables:
    hit = _tables.get(id(guide))
    if hit is None or hit[0] is not guide:
        hit = _tables[id(guide)] = (guide, _Tables(guide))
    return hit[1]


class Walker:
    """Feed segments in file order to `step`; it returns the guide node and appends errors."""

    def __init__(self, guide: Guide, version: str = "") -> None:
        """A walker of `guide`, in the tree of `version` (default: the guide's first, the 837I) until a
        GS names another."""
        self.guide = guide
        self.nodes = guide.nodes
        self.counts = [0] * len(self.nodes)
        t = self._tables = tables(guide)
        self._end, self._limit, self._zero_runs, self._loop_of = t.end, t.limit, t.zero_runs, t.loop_of
        self._memo, self._qualifier = t.memo, t.qualifier
        self._transactions = guide.transactions
        self._envelope_loops = frozenset(i for tx in guide.transactions.values() for i in (tx.isa_loop, tx.gs_loop))
        self._use(guide.transactions[version or guide.version])
        self.cur = self._isa
        self.loop = self._loop_of[self.cur]  # id of the loop the walker is in ("2300" ...)

    def _use(self, tx: Transaction) -> None:
        """Walk `tx`'s tree from here on (a GS names the guide of its group in GS08)."""
        self.kind = tx.kind  # "837I", "837P" (or a response's: "999", "277CA")
        self._isa, self._gs, self._isa_loop, self._gs_loop = tx.isa, tx.gs, tx.isa_loop, tx.gs_loop

    def _group(self, seg: Segment) -> bool:
        """At a GS: switch to the tree of the guide its GS08 names, when that is another; True if so.
        (A version edi837 does not check is refused by the envelope: the walker stays where it is.)"""
        tx = self._transactions.get(seg.get(8))
        if tx is None or tx.gs == self._gs:
            return False
        self._use(tx)
        return True

    def _other_group(self, seg: Segment) -> bool:
        """At a GS the current tree has no place for (its GS01, HC, FA or HN, is another tree's): whether
        its GS08 names another tree, now walked."""
        return seg.elements[0] == "GS" and self._group(seg)

    # -- public ---------------------------------------------------------------------------------
    def step(self, seg: Segment, errors: list[StructureError]) -> int:
        """Move to the node matching `seg`; return its index, or -1 when the guide has no place for it."""
        key = self._key(seg)
        if key is None:  # ISA or GS: a new interchange or group starts whatever came before
            if seg.elements[0] == "ISA":
                return self._force(self._isa_loop, self._isa)
            self._group(seg)
            return self._force(self._gs_loop, self._gs)
        hit = self._transition(key)
        target, trace, enter = hit.target, hit.trace, hit.enter
        counts = self.counts
        if trace is None:  # the common case: the next segment of the loop
            counts[target] += 1
            if counts[target] > self._limit[target]:
                self._usage_error(self.nodes[target], seg, errors)
        elif enter >= 0 and counts[enter] < self._limit[enter]:  # a new repeat of a loop, nothing missed
            counts[enter + 1:self._end[enter]] = self._zero_runs[enter]
            counts[enter] += 1
            counts[target] += 1
            self.loop = self._loop_of[target]
        else:
            if target < 0 and self._other_group(seg):
                return self._force(self._gs_loop, self._gs)
            self._replay(trace, seg, errors)
            if target < 0:
                return target
            self.loop = self._loop_of[target]
        if target == self._gs and self._group(seg):  # a group of the other guide: walk its tree
            return self._force(self._gs_loop, self._gs)
        self.cur = target
        return target

    def tag(self, seg: Segment, errors: list[StructureError]) -> int:
        """`step` for a reader that wants only loop ids (parse): the same node and loop, without the
        counts behind usage and repeat errors. Only a segment with no place (-1) gets its error."""
        key = self._key(seg)
        if key is None:
            if seg.elements[0] == "GS":
                self._group(seg)
            target = self._isa if seg.elements[0] == "ISA" else self._gs
        else:
            hit = self._transition(key)
            target = hit.target
            if (target < 0 or target == self._gs) and self._other_group(seg):
                target = self._gs  # a group of another guide: its tree's GS
            elif target < 0:
                self._replay(hit.trace, seg, errors)
                return target
        self.cur = target
        self.loop = self._loop_of[target]
        return target

    def _key(self, seg: Segment) -> str | tuple | None:
        """What the transition from the current node depends on: the segment id, and its qualifier
        for ids the guide tells apart by one (HL03, NM101, HI01-1 ...); None for ISA and GS."""
        els = seg.elements
        sid = els[0]
        q = self._qualifier.get(sid)
        if q is None:
            return None if sid == "ISA" or sid == "GS" else sid
        e, c, codes = q
        v = els[e] if e < len(els) else ""
        if c:
            v = v.partition(seg.delims.component)[0]  # the qualifier is always the first component
        return sid, (v if v in codes else None)

    def _transition(self, key: str | tuple) -> Transition:
        """The transition from the current node for `key` (see `_key`): kept, or worked out and kept."""
        hit = self._memo[self.cur].get(key)
        if hit is not None:
            return hit
        t = self._tables
        if t.memo_size > MEMO_LIMIT:  # only garbage ids can get here; keep memory bounded
            for table in self._memo:
                table.clear()
            t.memo_size = 0
        t.memo_size += 1
        hit = self._memo[self.cur][key] = (self._compute(self.cur, key, None) if isinstance(key, str)
                                           else self._compute(self.cur, key[0], key[1]))
        return hit

    def loop_id(self, index: int) -> str:
        return self.nodes[self.nodes[index].parent].id

    # -- replay ---------------------------------------------------------------------------------
    def _force(self, loop: int, seg: int) -> int:
        self.counts[loop + 1:self._end[loop]] = self._zero_runs[loop]
        self.counts[loop] += 1
        self.counts[seg] += 1
        self.cur = seg
        self.loop = self._loop_of[seg]
        return seg

    def _replay(self, trace: Trace | None, seg: Segment, errors: list[StructureError]) -> None:
        counts = self.counts
        nodes = self.nodes
        pending: list[tuple[int, int]] = []  # (missing segment node, loop node or -1)
        pos = seg.position
        for op, arg in trace or ():
            if op == SKIP_SEG:
                if counts[arg] < 1:
                    pending.append((arg, -1))
            elif op == SKIP_LOOP:
                if counts[arg] < 1:
                    pending.append((nodes[arg].children[0], arg))
            elif op == MATCH_SEG:
                node = nodes[arg]
                counts[arg] += 1
                if node.usage == "N" or counts[arg] > node.max_use:
                    self._usage_error(node, seg, errors)
                keep = []
                for p in pending:
                    if p[0] == arg:
                        continue
                    if nodes[p[0]].pos == node.pos:
                        keep.append(p)
                    else:
                        self._missing(p, pos, errors)
                pending = keep
            elif op == ENTER_LOOP:
                loop = nodes[arg]
                counts[arg + 1:self._end[arg]] = self._zero_runs[arg]
                counts[arg] += 1
                if loop.usage == "N":
                    errors.append(StructureError("2", seg.id, pos, loop.id, arg,
                                                 f"loop {loop.id} ({loop.name}) is not used in the {self.kind} guide",
                                                 f"remove loop {loop.id}"))
                elif counts[arg] > loop.max_use:
                    errors.append(StructureError(
                        "4", seg.id, pos, loop.id, arg,
                        f"loop {loop.id} ({loop.name}) occurs {counts[arg]} times; the guide allows at most"
                        f" {loop.max_use}", f"remove the extra {loop.id} loops, or send them in another claim"))
            elif op == ENTER_FIRST:
                counts[arg] += 1
                for p in pending:
                    self._missing(p, pos, errors)
                pending = []
            elif op == NOT_FOUND:
                here = nodes[arg]
                loop_id = here.id if here.is_loop else nodes[here.parent].id
                if here.id == "SE" and not here.is_loop:
                    message = (f"segment {seg.id} comes after the transaction set trailer (SE): it belongs"
                               " before SE, or in a set of its own")
                    fix = f"move {seg.id} before the SE trailer, or into a transaction set of its own"
                elif seg.id in (names := self._tables.segment_names[self.kind]):
                    message = (f"segment {seg.id} ({names[seg.id]}) has no place here"
                               f" (after loop {loop_id}): the {self.kind} guide does not allow it at this point")
                    fix = f"remove {seg.id}, or move it to the loop where the guide places it"
                else:
                    message = f"segment {seg.id} is not a segment of the {self.kind} guide (after loop {loop_id})"
                    fix = f"remove {seg.id}"
                errors.append(StructureError("1", seg.id, pos, loop_id, -1, message, fix))

    def _missing(self, p: tuple[int, int], pos: int, errors: list[StructureError]) -> None:
        seg_node = self.nodes[p[0]]
        parent = self.nodes[seg_node.parent]
        if p[1] >= 0:
            loop = self.nodes[p[1]]
            msg = f"required loop {loop.id} ({loop.name}) is missing"
            fix = f"add loop {loop.id}, beginning with its {seg_node.id} segment, where the guide places it"
        else:
            msg = f"required segment {seg_node.id} ({seg_node.name}) is missing"
            fix = f"add the {seg_node.id} segment to loop {parent.id} ({parent.name})"
        errors.append(StructureError("3", seg_node.id, pos, parent.id, p[0], msg, fix))

    def _usage_error(self, node: Node, seg: Segment, errors: list[StructureError]) -> None:
        loop_id = self.nodes[node.parent].id
        if node.usage == "N":
            errors.append(StructureError("2", node.id, seg.position, loop_id, node.index,
                                         f"segment {node.id} ({node.name}) is not used in loop {loop_id}",
                                         f"remove the {node.id} segment from loop {loop_id}"))
        else:
            errors.append(StructureError(
                "5", node.id, seg.position, loop_id, node.index,
                f"segment {node.id} ({node.name}) occurs {self.counts[node.index]} times in loop {loop_id};"
                f" the guide allows at most {node.max_use}", f"remove the extra {node.id} segments"))

    # -- the structural scan (pyx12's walk_errors), run once per transition ---------------------
    def _match(self, node: Node, sid: str, qvalue: str | None) -> bool:
        if node.id != sid:
            return False
        q = node.qualifier
        if q is None:
            return True
        return qvalue is not None and qvalue in q[2]

    def _compute(self, cur: int, sid: str, qvalue: str | None) -> Transition:
        """The transition from `cur` for a segment `sid` (with qualifier `qvalue`): target and steps.

        Steps that cannot change anything are dropped here, once: passing over `cur` itself (it was
        just counted) or over a counted loop that encloses `cur` (it was entered to get here). A
        transition left with one MATCH_SEG in the same loop has steps None, and one that only enters a
        loop at its first segment names that loop: `step` does those inline."""
        nodes = self.nodes
        trace: list[tuple[int, int]] = []
        node_pos = nodes[cur].pos
        loop = cur if nodes[cur].is_loop else nodes[cur].parent
        while True:
            found = self._scan(loop, node_pos, sid, qvalue, trace)
            if found is not None:
                break
            if nodes[loop].parent < 0:  # the root of the tree: nowhere else to look
                trace.append((NOT_FOUND, cur))
                return Transition(-1, tuple(trace), -1)
            node_pos = nodes[loop].pos
            loop = nodes[loop].parent
        entered = set()
        a = nodes[cur].parent
        while a >= 0:
            if nodes[a].first_seg >= 0 or a in self._envelope_loops:
                entered.add(a)  # counted when entered (wrapper loops never are)
            a = nodes[a].parent
        steps = tuple(t for t in trace if not ((t[0] == SKIP_SEG and t[1] == cur)
                                                or (t[0] == SKIP_LOOP and t[1] in entered)))
        if len(steps) == 1 and steps[0][0] == MATCH_SEG and nodes[found].parent == nodes[cur].parent:
            return Transition(found, None, -1)
        if len(steps) == 2 and steps[0][0] == ENTER_LOOP and steps[1] == (ENTER_FIRST, found):
            return Transition(found, steps, steps[0][1])
        return Transition(found, steps, -1)

    def _scan(self, loop: int, node_pos: int, sid: str, qvalue: str | None, trace: list) -> int | None:
        nodes = self.nodes
        for c in nodes[loop].children:
            child = nodes[c]
            if child.pos < node_pos:
                continue
            if not child.is_loop:
                if self._match(child, sid, qvalue):
                    if nodes[loop].parent >= 0 and self._loop_match(loop, sid, qvalue, trace):
                        return self._goto(loop, sid, qvalue, trace)
                    trace.append((MATCH_SEG, c))
                    return c
                if child.usage == "R":
                    trace.append((SKIP_SEG, c))
            elif self._loop_match(c, sid, qvalue, trace):
                return self._goto(c, sid, qvalue, trace)
        return None

    def _loop_match(self, loop: int, sid: str, qvalue: str | None, trace: list) -> bool:
        node = self.nodes[loop]
        if not node.children:
            return False
        first = self.nodes[node.children[0]]
        if first.is_loop:  # a wrapper loop matches when one of its loops does
            return any(self.nodes[c].is_loop and self._loop_match(c, sid, qvalue, trace) for c in node.children)
        if self._match(first, sid, qvalue):
            return True
        if node.usage == "R":
            trace.append((SKIP_LOOP, loop))
        return False

    def _goto(self, loop: int, sid: str, qvalue: str | None, trace: list) -> int:
        node = self.nodes[loop]
        if node.first_seg >= 0 and self._match(self.nodes[node.first_seg], sid, qvalue):
            trace.append((ENTER_LOOP, loop))
            trace.append((ENTER_FIRST, node.first_seg))
            return node.first_seg
        for c in node.children:
            if self.nodes[c].is_loop:
                found = self._goto(c, sid, qvalue, trace)
                if found >= 0:
                    return found
        return -1
