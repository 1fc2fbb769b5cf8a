"""acknowledge.name_answers: the one naming policy of a run's answers, for `ack` and Spark's driver."""

from __future__ import annotations

import os

from edi837.answers.acknowledge import name_answers


def test_an_input_found_in_a_folder_is_named_inside_it_however_the_folder_was_typed() -> None:
    taken: set[str] = set()
    # ack: the folder as typed, the path as the walk writes it (Path drops the ./)
    assert name_answers("inbound/a/claims.837", ["./inbound"], taken) == ("a/claims.837", None)
    # Spark: absolute roots, the path of a file: URI
    here = os.path.abspath("inbound")
    assert name_answers(f"{here}/b/claims.837", [os.path.abspath("elsewhere"), here], taken) == ("b/claims.837", None)
    assert taken == {"a/claims.837", "b/claims.837"}


def test_outside_every_folder_an_input_is_named_after_its_file_and_stdin_is_stdin() -> None:
    taken: set[str] = set()
    assert name_answers("/data/in/x.837", ["/data/inbound"], taken) == ("x.837", None)  # /data/in is not /data/inbound
    assert name_answers("-", [], taken) == ("stdin", None)


def test_a_name_taken_earlier_in_the_run_is_refused_and_stays_the_first_inputs() -> None:
    taken: set[str] = set()
    assert name_answers("a/x.837", [], taken) == ("x.837", None)
    name, why = name_answers("b/x.837", [], taken)
    assert name == "x.837" and why == ("not answered: its answers would overwrite those of the earlier input answered"
                                       " as x.837 (give the files different names, or answer them apart)")
    assert taken == {"x.837"}
