"""The implementation guides as data: pyx12's 837I and 837P maps compiled into flat tables.

pyx12's XML maps are the authority on the guide; nothing here is written per loop. `load()` reads
the maps with lxml once, flattens them into one table of `Node`s (loops and segments, with their
element specs; each transaction a tree of its own, found by its version in `Guide.transactions`),
and caches the result as a pickle keyed by the map files, so later starts skip the XML. One table
keeps a node index meaningful everywhere (walker, validator, annotations) whatever the set's guide.
"""

from __future__ import annotations

import functools
import importlib.util
import pickle
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import durable
from ..frozen import frozen

if TYPE_CHECKING:
    from lxml import etree  # imported where the map is compiled: a start from the cache needs no XML

VERSION_837I = "005010X223A2"
VERSION_837P = "005010X222A1"
# The guides edi837 checks: version (GS08, ST03) -> (claim type, pyx12's map file). The first is the
# default tree of the walker until a GS names another.
GUIDES = {
    VERSION_837I: ("837I", "837Q3.I.5010.X223.A1.xml"),
    VERSION_837P: ("837P", "837.5010.X222.A1.xml"),
}
CLAIM_TYPES = {kind: version for version, (kind, _) in GUIDES.items()}  # "837P" -> "005010X222A1"
VERSION_999 = "005010X231A1"
VERSION_277CA = "005010X214"
VERSION_999_BASE = "005010X231"
# The payer's answers edi837 reads back (edi837.responses), by the same reader, envelope and walker:
# version -> (kind, pyx12's map file). A TA1 has no guide of its own: both maps place it in ISA_LOOP.
RESPONSE_GUIDES = {
    VERSION_999: ("999", "999.5010X231.A1.xml"),
    VERSION_277CA: ("277CA", "277.5010.X214.xml"),
    VERSION_999_BASE: ("999", "999.5010.xml"),  # the base guide, which payers still send (pyx12 reads it too)
}
ALL_GUIDES = {**GUIDES, **RESPONSE_GUIDES}
CACHE_FORMAT = 11  # bump when the compiled shape changes
BIG = sys.maxsize


@frozen
class ElementSpec:
    """One simple element (or one component of a composite) as the guide defines it."""

    ref: str  # e.g. "SV205" or "SV202-02"
    seq: int  # position in its segment, or in its composite
    data_ele: str  # data element reference number, e.g. "380"
    name: str
    usage: str  # R, S or N
    data_type: str  # AN, ID, N0, N2, R, DT, TM, B
    min_len: int
    max_len: int
    codes: frozenset[str]  # valid codes the map carries (empty = any)
    external: str  # name of an external code list in pyx12's codes.xml, or ""
    guide: str  # the kind of the guide it belongs to ("837I", "837P", "999", "277CA"), for its messages
    regex: str = ""  # a pattern the value must contain (pyx12 searches, it does not anchor)


@frozen
class CompositeSpec:
    ref: str  # e.g. "SV202"
    seq: int
    data_ele: str  # e.g. "C003"
    name: str
    usage: str
    components: tuple[ElementSpec, ...]
    guide: str  # "837I" or "837P", as its components'


@dataclass(slots=True)
class Node:
    """A loop or a segment of the guide. Loops and segments share one table, indexed by `index`."""

    index: int
    is_loop: bool
    id: str  # loop id ("2300", "ISA_LOOP") or segment id ("CLM")
    name: str
    usage: str
    pos: int
    max_use: int  # segment max use, or loop repeat
    parent: int  # index of the enclosing loop (-1 for the root)
    path: str
    children: list[int] = field(default_factory=list)  # in pyx12's scan order
    # segments only
    qualifier: tuple[int, int, frozenset[str]] | None = None  # (element, component or 0, codes)
    elements: tuple[ElementSpec | CompositeSpec, ...] = ()
    syntax: tuple[str, ...] = ()
    loop_id: str = ""  # the enclosing loop's id (segments)
    first_seg: int = -1  # loops: index of the first segment when it is the loop's first child


@dataclass(slots=True)
class Transaction:
    """One guide's tree in the table: its root and the envelope nodes the walker forces (ISA, GS)."""

    version: str  # "005010X223A2"
    kind: str  # "837I" or "837P"
    name: str  # the map's own name
    root: int
    by_path: dict[str, int]  # "/ISA_LOOP/GS_LOOP/..." -> node, within this tree
    isa_loop: int = -1
    isa: int = -1
    gs_loop: int = -1
    gs: int = -1


@dataclass(slots=True)
class Guide:
    """The compiled guides: one flat node table plus what the walker needs to find its way.
    `version`, `root` and `by_path` are the default (837I) tree's. The claim guides come first, then
    the response guides (999, 277CA)."""

    version: str
    name: str
    nodes: list[Node]
    root: int
    by_path: dict[str, int]
    transactions: dict[str, Transaction]
    # For each segment id, the places its qualifier may sit: ((element, component), ...)
    qualifier_paths: dict[str, tuple[tuple[int, int], ...]]
    # For each segment id and qualifier place, every code any node accepts there.
    qualifier_codes: dict[tuple[str, int, int], frozenset[str]]
    # pyx12's external code lists (states, countries, currencies ...), by id (codes.xml).
    external_codes: dict[str, frozenset[str]] = field(default_factory=dict)

    def node(self, path: str, version: str = VERSION_837I) -> Node:
        return self.nodes[self.transactions[version].by_path[path]]

    def tree(self, version: str) -> list[Node]:
        """The nodes of one guide's tree (its root first), in table order."""
        start = self.transactions[version].root
        later = [tx.root for tx in self.transactions.values() if tx.root > start]
        return self.nodes[start:min(later, default=len(self.nodes))]

    def kind_of(self, node: int) -> str:
        """The kind ("837I", "837P", "999", "277CA") of the tree `node` belongs to."""
        for tx in reversed(self.transactions.values()):
            if node >= tx.root:
                return tx.kind
        return ""

    def loops_under(self, loop_id: str, stop: tuple[str, ...] = ()) -> frozenset[str]:
        """The ids of the loop `loop_id` and of every loop nested in it (wherever it occurs), without
        going into the loops named in `stop`."""
        found: set[str] = set()
        claim_nodes = (n for version in GUIDES for n in self.tree(version))  # a 277CA has a 2000B of its own
        todo = [n.index for n in claim_nodes if n.is_loop and n.id == loop_id]
        while todo:
            node = self.nodes[todo.pop()]
            if node.is_loop and node.id not in stop:
                found.add(node.id)
                todo += node.children
        return frozenset(found)


@dataclass(frozen=True)
class LoopSets:
    """Who a loop belongs to, from the guide's own nesting: one claim (2300 and below), one subscriber
    (2000B and its name loops) or one patient (2000C and its name loop)."""

    claim: frozenset[str]
    subscriber: frozenset[str]
    patient: frozenset[str]

    @property
    def person(self) -> frozenset[str]:
        return self.subscriber | self.patient


@functools.cache
def loop_sets() -> LoopSets:
    g = load()
    return LoopSets(claim=g.loops_under("2300"), subscriber=g.loops_under("2000B", stop=("2300", "2000C")),
                    patient=g.loops_under("2000C", stop=("2300",)))


def map_dir() -> Path:
    """pyx12's map folder, found without importing pyx12 (a start from the cache needs none of it)."""
    spec = importlib.util.find_spec("pyx12")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pyx12 is not installed: edi837 reads the 837I and 837P guides from its maps")
    return Path(next(iter(spec.submodule_search_locations))) / "map"


def _data_elements(path: Path) -> dict[str, tuple[str, int, int]]:
    from lxml import etree

    out = {}
    for el in etree.parse(str(path)).getroot().iter("data_ele"):
        out[el.get("ele_num")] = (el.get("data_type"), int(el.get("min_len")), int(el.get("max_len")))
    return out


@frozen
class DataElement:
    """A data element as X12's dictionary (pyx12's dataele.xml) defines it, whatever segment holds it."""

    number: str  # data element reference number, e.g. "116"
    name: str  # e.g. "Postal Code"
    data_type: str
    min_len: int
    max_len: int


@functools.cache
def data_elements() -> dict[str, DataElement]:
    """Every data element of X12's dictionary, by reference number (what IK402 names)."""
    from lxml import etree

    out = {}
    for el in etree.parse(str(map_dir() / "dataele.xml")).getroot().iter("data_ele"):
        num = el.get("ele_num")
        out[num] = DataElement(num, el.get("name") or "", el.get("data_type"), int(el.get("min_len")),
                               int(el.get("max_len")))
    return out


def _max(text: str | None) -> int:
    if text is None or text.strip() in (">1", "&gt;1"):
        return BIG
    return int(text)


def _element(el: etree._Element, dataele: dict[str, tuple[str, int, int]], kind: str) -> ElementSpec:
    num = el.findtext("data_ele")
    data_type, min_len, max_len = dataele.get(num, ("AN", 1, 999))
    vc = el.find("valid_codes")
    codes = frozenset(c.text for c in vc.iter("code") if c.text is not None) if vc is not None else frozenset()
    return ElementSpec(
        ref=el.get("xid"), seq=int(el.findtext("seq")), data_ele=num, name=el.findtext("name") or "",
        usage=el.findtext("usage"), data_type=data_type, min_len=min_len, max_len=max_len,
        codes=codes, external=(vc.get("external") or "") if vc is not None else "", guide=kind,
        regex=el.findtext("regex") or "")


def _qualifier(seg_id: str, elements: tuple[ElementSpec | CompositeSpec, ...]) -> tuple[int, int, frozenset[str]] | None:
    """Where a segment's identifying qualifier sits, by pyx12's own rule (segment_if.is_match)."""
    c0 = elements[0] if elements else None
    if isinstance(c0, ElementSpec) and c0.data_type == "ID" and c0.usage == "R" and c0.codes:
        return (1, 0, c0.codes)
    if seg_id == "ENT" and len(elements) > 1 and isinstance(elements[1], ElementSpec) \
            and elements[1].data_type == "ID" and elements[1].codes:
        return (2, 0, elements[1].codes)
    if isinstance(c0, CompositeSpec) and c0.components:
        first = c0.components[0]
        if first.codes and (first.data_type == "ID" or (seg_id == "CTX" and first.data_type == "AN")):
            return (1, 1, first.codes)
    if seg_id == "HL" and len(elements) > 2 and isinstance(elements[2], ElementSpec) and elements[2].codes:
        return (3, 0, elements[2].codes)
    return None


def compile_map(map_dir_: Path, dataele_file: Path) -> Guide:
    """The guides' tables from pyx12's maps: every loop and segment a Node, in the order pyx12 scans
    them, one tree per guide (ALL_GUIDES), one after the other in one table."""
    from lxml import etree

    tree = _MapTree(_data_elements(dataele_file))
    transactions: dict[str, Transaction] = {}
    for version, (kind, map_name) in ALL_GUIDES.items():
        root_el = etree.parse(str(map_dir_ / map_name)).getroot()
        tree.by_path = {}
        tree.kind = kind
        root = Node(index=len(tree.nodes), is_loop=True, id=root_el.get("xid"), name=root_el.findtext("name") or "",
                    usage="R", pos=0, max_use=1, parent=-1, path="")
        tree.nodes.append(root)
        for child in root_el.findall("loop"):
            root.children.append(tree.add_loop(child, root.index, ""))
        p = tree.by_path
        transactions[version] = Transaction(version, kind, root.name, root.index, p, isa_loop=p["/ISA_LOOP"],
                                            isa=p["/ISA_LOOP/ISA"], gs_loop=p["/ISA_LOOP/GS_LOOP"],
                                            gs=p["/ISA_LOOP/GS_LOOP/GS"])
    qpaths, qcodes = _qualifier_tables(tree.nodes)
    first = transactions[VERSION_837I]
    return Guide(version=VERSION_837I, name=first.name, nodes=tree.nodes, root=first.root, by_path=first.by_path,
                 transactions=transactions, qualifier_paths=qpaths, qualifier_codes=qcodes,
                 external_codes=_external_codes(map_dir_ / "codes.xml"))


class _MapTree:
    """The nodes of the map as they are read, each loop before its children, and their paths."""

    def __init__(self, dataele: dict[str, tuple[str, int, int]]) -> None:
        self.dataele = dataele
        self.kind = ""  # the kind of the map being read ("837I", "837P", "999", "277CA")
        self.nodes: list[Node] = []
        self.by_path: dict[str, int] = {}

    def add_loop(self, el: etree._Element, parent: int, parent_path: str) -> int:
        node = Node(index=len(self.nodes), is_loop=True, id=el.get("xid"), name=el.findtext("name") or "",
                    usage=el.findtext("usage") or "R", pos=int(el.findtext("pos") or 0),
                    max_use=_max(el.findtext("repeat")), parent=parent, path=f"{parent_path}/{el.get('xid')}")
        self.nodes.append(node)
        self.by_path.setdefault(node.path, node.index)
        # pyx12 scans children sorted by pos; within one pos, loops (in order) before segments.
        kids: list[tuple[int, int, int, int]] = []
        for order, child in enumerate(el.findall("loop")):
            idx = self.add_loop(child, node.index, node.path)
            kids.append((self.nodes[idx].pos, 0, order, idx))
        for order, child in enumerate(el.findall("segment")):
            idx = self.add_segment(child, node.index, node.path, node.id)
            kids.append((self.nodes[idx].pos, 1, order, idx))
        kids.sort()
        node.children = [k[-1] for k in kids]
        if node.children and not self.nodes[node.children[0]].is_loop:
            node.first_seg = node.children[0]
        return node.index

    def add_segment(self, el: etree._Element, parent: int, parent_path: str, loop_id: str) -> int:
        elements: list[ElementSpec | CompositeSpec] = []
        for child in el:
            if child.tag == "element":
                elements.append(_element(child, self.dataele, self.kind))
            elif child.tag == "composite":
                comps = tuple(_element(c, self.dataele, self.kind) for c in child.findall("element"))
                seq = int(child.findtext("seq"))
                # The answers' maps leave some composites unnamed (the 277CA's SVC06): named by place.
                ref = child.get("xid") or f"{el.get('xid')}{seq:02d}"
                elements.append(CompositeSpec(ref=ref, seq=seq,
                                              data_ele=child.findtext("data_ele") or "",
                                              name=child.findtext("name") or "", usage=child.findtext("usage"),
                                              components=comps, guide=self.kind))
        seg_id = el.get("xid")
        els = tuple(elements)
        qual = _qualifier(seg_id, els)
        path = f"{parent_path}/{seg_id}" + (f"[{sorted(qual[2])[0]}]" if qual else "")
        node = Node(index=len(self.nodes), is_loop=False, id=seg_id, name=el.findtext("name") or "",
                    usage=el.findtext("usage") or "R", pos=int(el.findtext("pos") or 0),
                    max_use=_max(el.findtext("max_use")), parent=parent, path=path, qualifier=qual,
                    elements=els, syntax=tuple(s.text for s in el.findall("syntax")), loop_id=loop_id)
        self.nodes.append(node)
        self.by_path.setdefault(path, node.index)
        self.by_path.setdefault(f"{parent_path}/{seg_id}", node.index)
        return node.index


def _qualifier_tables(nodes: list[Node]) -> tuple[dict[str, tuple[tuple[int, int], ...]],
                                                  dict[tuple[str, int, int], frozenset[str]]]:
    """Where each qualified segment id carries its qualifier (element, component), and the codes of each."""
    qpaths: dict[str, set[tuple[int, int]]] = {}
    qcodes: dict[tuple[str, int, int], set[str]] = {}
    for n in nodes:
        if not n.is_loop and n.qualifier:
            e, c, codes = n.qualifier
            qpaths.setdefault(n.id, set()).add((e, c))
            qcodes.setdefault((n.id, e, c), set()).update(codes)
    return ({k: tuple(sorted(v)) for k, v in qpaths.items()}, {k: frozenset(v) for k, v in qcodes.items()})


def external_codes() -> dict[str, frozenset[str]]:
    """pyx12's external code lists (states, countries, currencies ...), by id."""
    return load().external_codes


def _external_codes(codes_file: Path) -> dict[str, frozenset[str]]:
    from lxml import etree

    out = {}
    for cs in etree.parse(str(codes_file)).getroot().iter("codeset"):
        out[cs.findtext("id")] = frozenset(c.text for c in cs.iter("code") if c.text)
    return out


def _cache_file(folder: Path) -> Path:
    stats = [(folder / name).stat() for _, name in ALL_GUIDES.values()]
    key = f"{CACHE_FORMAT}-{zlib.crc32(str(folder).encode()):08x}-" + "-".join(
        f"{st.st_size}-{st.st_mtime_ns}" for st in stats)
    return durable.cache_folder() / f"guide-{zlib.crc32(key.encode()):08x}.pickle"


@functools.cache
def load() -> Guide:
    """The compiled guides; compiled from pyx12's maps on first use, then read from the cache."""
    folder = map_dir()
    cache = _cache_file(folder)
    try:
        with open(cache, "rb") as fh:
            guide = pickle.load(fh)
        if isinstance(guide, Guide):
            return guide
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ImportError):  # another release's cache
        pass
    guide = compile_map(folder, folder / "dataele.xml")
    durable.write_cache(cache, pickle.dumps(guide, protocol=pickle.HIGHEST_PROTOCOL))
    return guide
