"""The payer's answers (TA1, 999, 277CA) on Spark: the part of `edi837.spark.read_responses` and of
`python -m edi837.spark --responses` that comes after the files are listed.

The design is the claims' (see edi837/spark.py): the driver lists the files (path and length, no
bytes read), those over Spark's binary limit become one Problem row each ("too large") and are never
read, and the others' bytes go to `mapInArrow`, where each file is read as `edi837.read_responses`
reads it and its rows (`edi837.answers.write.arrow_responses.SCHEMA`) are handed on in batches as
the records come. A module of its own, below edi837/spark.py, which lists the files and names them.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pyarrow as pa

from .answers.write import arrow_responses

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

UNREAD = (arrow_responses.UNREADABLE, arrow_responses.TOO_LARGE)  # problem codes of a file not read (on)


def frame(listed: DataFrame, max_length: int, name: Callable[[str], str]) -> DataFrame:
    """The response rows of binaryFile's `listed` files; `name(uri)` is what a row calls a file."""
    from pyspark.sql import functions as F  # noqa: PLC0415
    from pyspark.sql.pandas.types import from_arrow_schema  # noqa: PLC0415

    schema = from_arrow_schema(arrow_responses.SCHEMA)
    fitting = listed.where(F.col("length") <= max_length).select("path", "content")
    big = listed.where(F.col("length") > max_length).select("path", "length")
    read = fitting.mapInArrow(functools.partial(_read_batches, name=name), schema)
    refused = big.mapInArrow(functools.partial(_too_large_batches, max_length=max_length, name=name), schema)
    return read.unionByName(refused)


def _read_batches(batches: Iterator[pa.RecordBatch], name: Callable[[str], str]) -> Iterator[pa.RecordBatch]:
    """mapInArrow: binaryFile rows (path, content) in, response rows out, one file's bytes at a time."""
    for batch in batches:
        paths, contents = batch.column("path"), batch.column("content")
        for i in range(batch.num_rows):
            yield from arrow_responses.response_batches([(name(paths[i].as_py()), contents[i].as_py())])


def _too_large_batches(batches: Iterator[pa.RecordBatch], max_length: int, name: Callable[[str], str]
                       ) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        for uri, length in zip(batch.column("path").to_pylist(), batch.column("length").to_pylist(), strict=True):
            why = (f"not read: {length:,} bytes, over the {max_length:,}-byte limit of a binary file in Spark;"
                   " read it with edi837.read_responses, which streams, or split it")
            row = arrow_responses.problem_row(name(uri), arrow_responses.TOO_LARGE, why)
            yield pa.RecordBatch.from_pylist([row], schema=arrow_responses.SCHEMA)


def report(rows: DataFrame, out: str | None) -> int:
    """`python -m edi837.spark --responses`: print the counts of the response rows (and each file that
    could not be read, as an error line naming no value), and write the rows to `out` as a Parquet
    folder when given (refused if it exists: nothing is overwritten). Returns 2 when a file could not
    be read or `out` not written, else 0: what the payer says of the claims is news, not a verdict of
    the check, so it does not change the job's exit."""
    from pyspark.errors import AnalysisException  # noqa: PLC0415
    from pyspark.sql import functions as F  # noqa: PLC0415

    rows = rows.cache() if out else rows
    try:
        unread = F.col("problem_code").isin(list(UNREAD))
        got = rows.groupBy("file", "kind", "status", unread.alias("unread"),
                           F.when(unread, F.col("problem_message")).alias("why")).count().collect()  # one job
        total = sum(r["count"] for r in got)
        n = {k: sum(r["count"] for r in got if r["status"] == k) for k in ("accepted", "rejected", "noted")}
        problems = sum(r["count"] for r in got if r["kind"] == "problem")
        print(f"{total} response records in {len({r['file'] for r in got})} files: {n['accepted']} accepted,"
              f" {n['rejected']} rejected, {n['noted']} noted, {problems} problems")
        for r in sorted((r for r in got if r["unread"]), key=lambda r: r["file"]):
            print(f"error: {r['file']}: {r['why']}", file=sys.stderr)
        code = 2 if any(r["unread"] for r in got) else 0
        if out:
            try:
                rows.write.parquet(out)
            except AnalysisException as exc:
                print(f"error: {out}: not written: {str(exc).splitlines()[0]}", file=sys.stderr)
                return 2
            print(f"wrote {total} response rows into {out}")
        return code
    finally:
        rows.unpersist()
