"""The guides as data: pyx12's 837I and 837P maps compiled into one table of loops and segments."""

from __future__ import annotations

import re

from edi837.x12 import guide


def loops(g: guide.Guide, loop_id: str, version: str = guide.VERSION_837I) -> list[guide.Node]:
    return [n for n in g.tree(version) if n.is_loop and n.id == loop_id]


def test_the_guide_is_the_837i() -> None:
    g = guide.load()
    assert g.version == guide.VERSION_837I == "005010X223A2"
    assert "Institutional" in g.name


def test_the_claim_and_service_line_loops_are_there_under_both_hierarchies() -> None:
    g = guide.load()
    claims, lines = loops(g, "2300"), loops(g, "2400")
    assert len(claims) == 2 and len(lines) == 2  # under the subscriber (2000B) and the patient (2000C)
    assert {n.name for n in claims} == {"Claim Information"}
    assert {n.name for n in lines} == {"Service Line Number"}
    assert {g.nodes[n.first_seg].id for n in claims} == {"CLM"}
    assert {g.nodes[n.first_seg].id for n in lines} == {"LX"}
    assert all(n.max_use == 100 for n in claims) and all(n.max_use == 999 for n in lines)
    assert all(g.nodes[n.parent].id in ("2000B", "2000C") for n in claims)
    assert all(g.nodes[n.parent].id == "2300" for n in lines)


def test_the_837p_is_a_tree_of_its_own_with_the_ambulance_loops() -> None:
    """pyx12's X222A1 map (ambulance-837p-rules.md, "pyx12 map"): 2300 repeats 100 times, 2400 50;
    2310E/2310F and 2420G/2420H are the pick-up and drop-off locations; CR1 sits at pos 1950 (2300)
    and 4250 (2400)."""
    g = guide.load()
    p = guide.VERSION_837P
    tx = g.transactions[p]
    assert (tx.kind, g.transactions[guide.VERSION_837I].kind) == ("837P", "837I")
    assert "Professional" in tx.name and g.nodes[tx.root].parent == -1
    assert all(n.max_use == 100 for n in loops(g, "2300", p)) and all(n.max_use == 50 for n in loops(g, "2400", p))
    assert {n.name for n in loops(g, "2310E", p)} == {"Ambulance Pick-up Location"}
    assert {n.name for n in loops(g, "2420H", p)} == {"Ambulance Drop-off Location"}
    cr1 = g.node("/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/2300/CR1", p)
    assert (cr1.pos, cr1.max_use, cr1.loop_id) == (1950, 1, "2300")
    assert g.kind_of(cr1.index) == "837P" and g.kind_of(g.node("/ISA_LOOP/ISA").index) == "837I"
    assert not loops(g, "2310E", p)[0].children == [] and not [n for n in g.tree(guide.VERSION_837I) if n.id == "CR1"]


def test_paths_index_the_nodes_and_segments_carry_their_loop_and_element_names() -> None:
    g = guide.load()
    # a segment is found by its path with its qualifier code (.../1000A/NM1[41]) and without it
    assert all(path in (g.nodes[i].path, re.sub(r"\[[^\]]*\]\Z", "", g.nodes[i].path))
               for path, i in g.by_path.items())
    assert g.node("/ISA_LOOP/GS_LOOP/ST_LOOP/HEADER/1000A/NM1").path.endswith("/1000A/NM1[41]")
    clm = g.node("/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/2300/CLM")
    assert clm.loop_id == "2300" and clm.name == "Claim Information"
    assert clm.elements[0].ref == "CLM01" and clm.elements[0].name == "Patient Control Number"


def test_data_elements_carry_their_type_and_lengths() -> None:
    clm01 = guide.data_elements()["1028"]  # CLM01, the patient control number
    assert (clm01.data_type, clm01.min_len, clm01.max_len) == ("AN", 1, 38)
