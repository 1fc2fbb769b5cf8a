"""edi837 on Apache Spark (the optional `spark` extra): claims and verdicts as a DataFrame, and the
same answers as `edi837 ack`, for a clearinghouse whose inbound 837s live where Spark reads.

    from pyspark.sql import SparkSession
    from edi837 import spark as edi_spark
    session = SparkSession.builder.getOrCreate()
    edi_spark.claims(session, ["/data/inbound"]).groupBy("status").count().show()
    edi_spark.answers(session, ["/data/inbound"], "/data/answers")

    edi_spark.read_responses(session, ["/data/payer"]).where("status = 'rejected'").show()

    python -m edi837.spark PATH...        # local mode: the counts of a folder

How it runs. Files are read with Spark's `binaryFile` source (a row per file: its path, length and
bytes) and checked with `mapInArrow`: each Python worker builds one Checker (the compiled guide is
loaded once per worker process and kept, see `_checker`) and turns each file's bytes into Arrow rows
with `edi837.answers.write.arrow.batches`. No subprocess, no temporary file. The table is `edi837.answers.write.arrow.SCHEMA`.
The payer's answers (TA1, 999, 277CA) are read the same way by `read_responses`, into the table of
`edi837.answers.write.arrow_responses.SCHEMA` (a row per record of `edi837.read_responses`).

Spark hands a file's bytes to a worker as one value, and refuses a file over
`spark.sql.sources.binaryFile.maxLength` (2 GB - 1 byte, Java's largest array) with an exception that
would fail the whole job. So files are listed first (path and length, no bytes read), those over the
limit become a file row with file_status "too large" and are never read, and only the rest are loaded
(the length filter is applied by the binaryFile reader before it reads a file's bytes).

Control numbers of `answers`: every input's answers take three numbers (999, 277CA, forward 837),
as in `ack`. The driver lists the inputs, puts them in the order `ack` reads them
(the PATHs as given, each folder's files sorted), and reserves one block of 3 x N
numbers from the one place `ack` takes them (edi837.answers.control.ControlNumbers: the state file, under its
lock and fsynced before the block is used, or the base with `fixed_time`; a block that would pass
999,999,999 is refused with NumbersUsedUp before anything is answered) before the job starts; the
i-th input in that order answers with block + 3i. Each
executor only computes its inputs' numbers from that plan, so numbers are unique across executors
and across runs without any coordination while the job runs, and a job that fails leaves a gap in
the numbering, never a repeat. With `fixed_time` the answers are byte for byte those of
`edi837 ack --fixed-time` given the same PATHs in the same order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import pyarrow as pa

from . import spark_responses
from .answers.write import arrow
from .engine.inputs import INCLUDE, included
from .engine.results import Summary, exit_code

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from .answers.control import Settings
    from .engine.pipeline import Checker

MAX_LENGTH = "spark.sql.sources.binaryFile.maxLength"
ANSWERED = pa.schema([
    pa.field("path", pa.string()), pa.field("name", pa.string()), pa.field("control", pa.int64()),
    pa.field("claims", pa.int64()), pa.field("accepted", pa.int64()), pa.field("error", pa.string()),
    pa.field("written", pa.list_(pa.string())),
])


@functools.cache
def _checker(profile: str, today: dt.date | None, keep_segments: bool = False) -> Checker:
    """One Checker per Python worker process and profile: the guide, the profile and the code tables are
    loaded by the first task a worker runs and kept for every later one (Spark reuses its workers)."""
    from .engine.pipeline import for_profile  # noqa: PLC0415

    return for_profile(profile, today, keep_segments)


def local_name(uri: str) -> str:
    """What the CLI would call a file Spark names `uri`: the plain path of a file: URI, else the URI."""
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme == "file" else uri


def limit(spark: SparkSession) -> int:
    """Spark's largest binary file (bytes)."""
    return int(spark.conf.get(MAX_LENGTH, str(2**31 - 1)) or 2**31 - 1)


def _files(spark: SparkSession, paths: Iterable[str]) -> DataFrame:
    reader = spark.read.format("binaryFile").option("recursiveFileLookup", "true")
    return reader.load([str(p) for p in paths])


def _named(paths: Iterable[str]) -> set[str]:
    """The PATHs as given and as local absolute paths: a file Spark lists under one of these names
    was named, not found in a folder, and is read whatever its name (as by the CLI)."""
    return {name for p in map(str, paths) for name in (p, os.path.abspath(local_name(p)))}


def _is_input(uri: str, named: set[str], include: Iterable[str]) -> bool:
    """The CLI's policy (edi837.engine.inputs): a named file is read; one found in a folder (or by a glob)
    when --include names it."""
    path = local_name(uri)
    return uri in named or os.path.abspath(path) in named or included(path, include)


def _inputs(spark: SparkSession, paths: list[str], include: Iterable[str]) -> tuple[DataFrame, int]:
    """binaryFile's rows of the inputs under `paths`, the files --include does not name left out; and
    how many were left out. The driver lists the files first (path only: no bytes are read) to decide
    with the same function the CLI uses; the DataFrame then reads only the others' bytes."""
    from pyspark.sql import functions as F  # noqa: PLC0415

    listed = _files(spark, paths)
    named, include = _named(paths), tuple(include)
    left = [r["path"] for r in listed.select("path").collect() if not _is_input(r["path"], named, include)]
    return (listed.where(~F.col("path").isin(left)) if left else listed), len(left)


def _spark_schema() -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema  # noqa: PLC0415

    return from_arrow_schema(arrow.SCHEMA)


def _check_batches(batches: Iterator[pa.RecordBatch], profile: str, today: dt.date | None
                   ) -> Iterator[pa.RecordBatch]:
    """mapInArrow: binaryFile rows (path, content) in, claim and file rows out."""
    check = _checker(profile, today)
    for batch in batches:
        paths, contents = batch.column("path"), batch.column("content")
        for i in range(batch.num_rows):  # one file's bytes made a Python object at a time
            yield from arrow.batches(contents[i].as_py(), local_name(paths[i].as_py()), check)


def _too_large_batches(batches: Iterator[pa.RecordBatch], max_length: int) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        for uri, length in zip(batch.column("path").to_pylist(), batch.column("length").to_pylist(), strict=True):
            yield arrow.too_large(local_name(uri), length, max_length)


def rows(spark: SparkSession, paths: Iterable[str], profile: str = "medicare", today: dt.date | None = None,
         include: Iterable[str] = INCLUDE) -> DataFrame:
    """Every row of `edi837.answers.write.arrow.SCHEMA` for the files under `paths` (files, folders, globs, any URI
    Spark reads): a row per claim and a row per file (`kind`). Of the files found in a folder or by
    a glob, only those whose name matches an `include` glob are read (edi837.engine.inputs.included, as
    `edi837 check --include`); a file named in `paths` always is. The files are listed when this is
    called; the rest is lazy, as DataFrames are: cache it when both kinds are queried."""
    return _rows(spark, list(paths), profile, today, include)[0]


def _rows(spark: SparkSession, paths: list[str], profile: str, today: dt.date | None, include: Iterable[str]
          ) -> tuple[DataFrame, int]:
    """rows(), and the number of files --include left out."""
    from pyspark.sql import functions as F  # noqa: PLC0415

    max_length = limit(spark)
    schema = _spark_schema()
    listed, left = _inputs(spark, paths, include)
    fitting = listed.where(F.col("length") <= max_length).select("path", "content")
    big = listed.where(F.col("length") > max_length).select("path", "length")
    checked = fitting.mapInArrow(functools.partial(_check_batches, profile=profile, today=today), schema)
    refused = big.mapInArrow(functools.partial(_too_large_batches, max_length=max_length), schema)
    return checked.unionByName(refused), left


def claims(spark: SparkSession, paths: Iterable[str], profile: str = "medicare", today: dt.date | None = None,
           include: Iterable[str] = INCLUDE) -> DataFrame:
    """A row per claim with its verdict (status), lines and findings (see edi837.answers.write.arrow.SCHEMA)."""
    return rows(spark, paths, profile, today, include).where("kind = 'claim'")


def files(spark: SparkSession, paths: Iterable[str], profile: str = "medicare", today: dt.date | None = None,
          include: Iterable[str] = INCLUDE) -> DataFrame:
    """A row per file: read, unreadable (with the located error) or too large; counts; set verdicts."""
    return rows(spark, paths, profile, today, include).where("kind = 'file'")


# -- the payer's answers -----------------------------------------------------------------------------

RESPONSE_INCLUDE = (*INCLUDE, "*.999", "*.277", "*.277ca", "*.ta1")  # a folder's answer files (include)


def read_responses(spark: SparkSession, paths: Iterable[str], include: Iterable[str] = RESPONSE_INCLUDE
                   ) -> DataFrame:
    """A row per record of the payer's answers (TA1, 999, 277CA) under `paths`, as
    `edi837.read_responses` reads them (the table of `edi837.answers.write.arrow_responses.SCHEMA`);
    files are found as for `rows`; a file over Spark's binary limit is a Problem row ("too large")."""
    listed, _ = _inputs(spark, [str(p) for p in paths], include)
    return spark_responses.frame(listed, limit(spark), local_name)


# -- answers ----------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Plan:
    """What the driver decided before the job: each input's answer name and first control number."""

    names: dict[str, tuple[str, int]]  # Spark path (URI) -> (answer name, its block's first number)
    refused: list[tuple[str, str]]  # (path, why): inputs that are not answered


def ack_order(paths: list[str]) -> Callable[[str], tuple[int, str]]:
    """The sort key that puts inputs in the order `ack` reads them: the PATHs as given, each folder's
    files sorted. The earlier of two inputs with the same answer name is the one answered."""
    given = [os.path.abspath(local_name(p)) for p in paths]

    def key(uri: str) -> tuple[int, str]:
        path = local_name(uri)
        return next((i for i, p in enumerate(given) if path == p or path.startswith(p.rstrip("/") + "/")),
                    len(given)), path
    return key


def plan(spark: SparkSession, paths: list[str], settings: Settings, out: str, include: Iterable[str] = INCLUDE
         ) -> Plan:
    """List the inputs (no bytes read; answers already in `out` are not inputs, as for `ack`, nor
    files found in a folder that `include` does not name), name their answers and reserve their
    control numbers."""
    from .answers.acknowledge import name_answers  # noqa: PLC0415
    from .answers.control import AnswerNumbers, ControlNumbers  # noqa: PLC0415

    roots = [os.path.abspath(local_name(p)) for p in paths if os.path.isdir(local_name(p))]
    order = ack_order(paths)
    given, include = _named(paths), tuple(include)
    listed = sorted(((r["path"], r["length"]) for r in _files(spark, paths).select("path", "length").collect()
                     if not local_name(r["path"]).startswith(out.rstrip("/") + "/")
                     and _is_input(r["path"], given, include)), key=lambda r: order(r[0]))
    max_length = limit(spark)
    refused: list[tuple[str, str]] = []
    named: dict[str, str] = {}
    taken: set[str] = set()
    for uri, length in listed:
        if length > max_length:
            refused.append((uri, f"not answered: {length:,} bytes, over Spark's {max_length:,}-byte binary file"
                                  " limit; answer it with `edi837 ack`, which streams"))
            continue
        name, why_not = name_answers(local_name(uri), roots, taken)  # as `ack` names them
        if why_not is not None:
            refused.append((uri, why_not))
            continue
        named[uri] = name
    each = AnswerNumbers.COUNT
    first = ControlNumbers(settings).take(each * len(named)) if named else settings.base
    return Plan({uri: (name, first + each * i) for i, (uri, name) in enumerate(named.items())}, refused)


def answer_one(content: bytes, uri: str, name: str, control: int, out: str, settings: Settings, profile: str,
               today: dt.date | None) -> dict[str, Any]:
    """Answer one input into `out` as `ack` does: NAME.999, NAME.277ca, NAME.accepted.837 (each only
    when it has something to say; a stale one of an earlier run is removed), numbered from `control`."""
    from .api import answer  # noqa: PLC0415
    from .durable import write_atomic  # noqa: PLC0415

    own = dataclasses.replace(settings, base=control, state_file=None)
    got = answer(content, own, profile, today, name=local_name(uri))
    target = Path(out) / name
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    written = []
    for suffix, data in (("999", got.ack999), ("277ca", got.ack277), ("accepted.837", got.forward837)):
        path = target.with_name(f"{target.name}.{suffix}")
        if data:
            write_atomic(path, data)
            written.append(path.name)
        else:
            path.unlink(missing_ok=True)
    claims = sum(len(t.claims) for t in got.result.transactions)
    accepted = sum(t.accepted for t in got.result.transactions)
    return {"path": local_name(uri), "name": name, "control": control, "claims": claims, "accepted": accepted,
            "error": str(got.result.error) if got.result.error else None, "written": written}


def _answer_batches(batches: Iterator[pa.RecordBatch], names: dict[str, tuple[str, int]], out: str,
                    settings: Settings, profile: str, today: dt.date | None) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        paths, contents = batch.column("path"), batch.column("content")
        for i in range(batch.num_rows):
            uri = paths[i].as_py()
            if uri in names:
                name, control = names[uri]
                yield pa.RecordBatch.from_pylist(
                    [answer_one(contents[i].as_py(), uri, name, control, out, settings, profile, today)],
                    schema=ANSWERED)


def answers(spark: SparkSession, paths: Iterable[str], out: str, settings: Settings | None = None,
            profile: str = "medicare", today: dt.date | None = None, include: Iterable[str] = INCLUDE
            ) -> list[dict[str, Any]]:
    """Write each input's 999, 277CA and forward 837 into `out` (a folder every executor can write:
    any local folder in local mode, a shared mount on a cluster), as `edi837 ack` would; returns a
    row per input (path, name, control, claims, accepted, error, written files; `error` says why an
    input was not answered; a file --include does not name is not an input and has no row, as
    for `rows`). `settings` default as `ack`'s: the state file in `out`. See the module
    docstring for how control numbers stay unique. Rows come in the order `ack` reads the inputs."""
    from pyspark.sql import functions as F  # noqa: PLC0415
    from pyspark.sql.pandas.types import from_arrow_schema  # noqa: PLC0415

    from .answers.control import load_settings  # noqa: PLC0415

    paths = [str(p) for p in paths]
    out = os.path.abspath(out)
    os.makedirs(out, mode=0o700, exist_ok=True)
    settings = settings or load_settings(None, None, None, None, Path(out))
    if today is None and settings.fixed_time is not None:
        today = settings.fixed_time.date()
    planned = plan(spark, paths, settings, out, include)
    done: list[dict[str, Any]] = [{"path": local_name(uri), "name": None, "control": None, "claims": 0, "accepted": 0, "error": why,
             "written": []} for uri, why in planned.refused]
    if planned.names:
        job = functools.partial(_answer_batches, names=planned.names, out=out, settings=settings, profile=profile,
                                today=today)
        fitting = _files(spark, paths).where(F.col("length") <= limit(spark)).select("path", "content")
        done += [r.asDict() for r in fitting.mapInArrow(job, from_arrow_schema(ANSWERED)).collect()]
    order = ack_order(paths)
    return sorted(done, key=lambda r: order(r["path"]))


# -- python -m edi837.spark -----------------------------------------------------------------------

def summary(frame: DataFrame, skipped: int) -> Summary:
    """The run's Summary (as `check` counts it: files, claims, verdicts, rejected sets, envelope
    errors, unreadable and too-large files), from `rows(...)`, so the job exits as `check` would."""
    from pyspark.sql import functions as F  # noqa: PLC0415

    n = counts(frame)
    envelopes = frame.where("kind = 'file'").select(F.explode("envelopes").alias("e"))
    rejected_sets = envelopes.where("e.level = 'transaction' and e.ack = 'R'").count()
    envelope_errors = (envelopes.where("e.level != 'transaction'").select(F.explode("e.findings").alias("f"))
                       .where("f.severity = 'error'").count())
    return Summary(files=n["files"], claims=n["claims"], accepted=n["accepted"], rejected=n["rejected"],
                   rejected_sets=rejected_sets, envelope_errors=envelope_errors,
                   unreadable=n["unreadable"] + n["too_large"], skipped=skipped)


def counts(frame: DataFrame) -> dict[str, int]:
    """files, claims, accepted, rejected, unreadable and too-large files of `rows(...)`, in one job."""
    got = {(r["kind"], r["status"] or r["file_status"]): r["count"]
           for r in frame.groupBy("kind", "status", "file_status").count().collect()}
    return {"files": sum(n for (kind, _), n in got.items() if kind == arrow.FILE),
            "claims": sum(n for (kind, _), n in got.items() if kind == arrow.CLAIM),
            "accepted": got.get((arrow.CLAIM, "accepted"), 0), "rejected": got.get((arrow.CLAIM, "rejected"), 0),
            "unreadable": got.get((arrow.FILE, arrow.UNREADABLE), 0),
            "too_large": got.get((arrow.FILE, arrow.TOO_LARGE), 0)}


def main(argv: list[str] | None = None) -> int:
    """Check files on Spark (local mode unless spark-submit or --master says otherwise), print the counts
    and the rules that fired most; with --answers OUT, also write the answers; with --responses PATH,
    also (or, with no PATH of 837s, only) read the payer's answers and print their counts
    (--responses-out DIR: their rows as Parquet)."""
    import argparse  # noqa: PLC0415

    from pyspark.sql import SparkSession  # noqa: PLC0415

    ap = argparse.ArgumentParser(prog="python -m edi837.spark", description=main.__doc__)
    ap.add_argument("paths", nargs="*", metavar="PATH")
    ap.add_argument("--master", help="Spark master (default: spark-submit's, else local[*])")
    ap.add_argument("--profile", default="medicare")
    ap.add_argument("--today", type=dt.date.fromisoformat, help="YYYY-MM-DD for the future-date edits")
    ap.add_argument("--answers", metavar="OUT", help="also write each input's 999, 277CA and forward 837 here")
    ap.add_argument("--fixed-time", type=lambda s: dt.datetime.strptime(s, "%Y%m%d%H%M"),
                    help="clock of the answers (YYYYMMDDHHMM), as ack --fixed-time")
    ap.add_argument("--include", action="append", metavar="GLOB",
                    help=f"a file found in a folder is read when its name matches a GLOB (case-insensitive;"
                         f" repeatable; default: {' '.join(INCLUDE)}), as edi837 check --include; a file"
                         " named as a PATH always is")
    ap.add_argument("--responses", action="append", metavar="PATH",
                    help="also read the payer's TA1, 999 and 277CA files in PATH (a file or a folder, whose"
                         f" {' '.join(RESPONSE_INCLUDE)} files are read; repeatable) and print their counts")
    ap.add_argument("--responses-out", metavar="DIR",
                    help="write the --responses rows (schemas/responses-arrow.md) as a Parquet folder DIR,"
                         " which must not exist yet")
    a = ap.parse_args(argv)
    if a.responses_out and not a.responses:
        ap.error("--responses-out needs --responses PATH")
    if not a.paths and not a.responses:
        ap.error("give a PATH of 837s to check, or --responses PATH (or both)")
    running = SparkSession.getActiveSession()  # a caller's session (a notebook, a test) is left running
    builder = SparkSession.builder.appName("edi837").config("spark.ui.showConsoleProgress", "false")
    if a.master:
        builder = builder.master(a.master)
    if running is None and "PYSPARK_GATEWAY_PORT" not in os.environ and (a.master or "local").startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # local workers run this Python, venv or not
    spark = builder.getOrCreate()
    if running is None:
        spark.sparkContext.setLogLevel("ERROR")
    try:
        if not a.paths:  # the payer's answers only
            return spark_responses.report(read_responses(spark, a.responses), a.responses_out)
        include = tuple(a.include or INCLUDE)
        frame, skipped = _rows(spark, a.paths, a.profile, a.today, include)
        frame = frame.cache()
        n = counts(frame)
        print(f"{n['files']} files, {n['claims']} claims: {n['accepted']} accepted, {n['rejected']} rejected"
              f", {n['unreadable']} unreadable, {n['too_large']} too large for Spark"
              f", {skipped} file{'s' * (skipped != 1)} skipped (not --include)")
        from pyspark.sql import functions as F  # noqa: PLC0415

        rules = (frame.where("kind = 'claim'").select(F.explode("findings").alias("f"))
                 .groupBy("f.rule").count().orderBy(F.desc("count"), "rule").limit(10).collect())
        for r in rules:
            print(f"  {r['rule']:12} {r['count']}")
        for r in frame.where("kind = 'file' and file_error is not null").select("file_error").collect():
            print(f"error: {r['file_error']}", file=sys.stderr)
        if a.answers:
            from .answers.control import load_settings  # noqa: PLC0415
            from .errors import Edi837Error  # noqa: PLC0415

            try:
                settings = load_settings(None, None, None, a.fixed_time, Path(a.answers))
                done = answers(spark, a.paths, a.answers, settings, a.profile, a.today, include)
            except Edi837Error as exc:  # an unreadable state, no numbers left (NumbersUsedUp): nothing was answered
                print(f"error: {exc}", file=sys.stderr)
                return 2
            print(f"answered {sum(bool(r['written']) for r in done)} of {len(done)} files into {a.answers}")
        code = exit_code(summary(frame, skipped))
        if a.responses:
            code = max(code, spark_responses.report(read_responses(spark, a.responses), a.responses_out))
        return code
    finally:
        if running is None:
            spark.stop()


if __name__ == "__main__":
    # Run from the installed module, not from __main__: Spark pickles the worker functions by their
    # module's name, and a worker has no __main__ of ours.
    from edi837.spark import main as _main

    sys.exit(_main())
