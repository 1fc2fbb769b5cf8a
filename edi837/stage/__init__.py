"""The pipeline stage, `edi837 run INBOX --out OUTBOX`: every file dropped in INBOX answered exactly
once, whatever happens to the files, the processes or the disk.

- inbox.py: what is settled in INBOX, and how a file is taken (claimed by a rename, never reopened by name);
- worker.py: what the worker processes do (hash, answer) and how they die with the stage;
- ledger.py: the SQLite ledger, a row per input content, each step committed before it is taken;
- run.py: a run opened and closed (Options, Stage: the locks, the ledger, recovery after a crash,
  the signals, the exit code);
- scheduler.py: the parent's loop: INBOX scanned, files claimed and handed to the workers' pool;
- steps.py: the parent's steps for each file (reserve, record, move, count, log);
- outbox.py: the OUTBOX layout, and the moves into it;
- payer.py: a payer's TA1, 999 or 277CA found in INBOX, matched to the forwarded claims and recorded;
- status.py: the run's counts and summary, and `run --status`.
"""

from .inbox import Unusable
from .run import INCLUDE, Options, Stage
from .status import status_json, status_lines

__all__ = ["INCLUDE", "Options", "Stage", "Unusable", "status_json", "status_lines"]
