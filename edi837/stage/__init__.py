"""The pipeline stage, `edi837 run INBOX --out OUTBOX`: every file dropped in INBOX answered exactly
once, whatever happens to the files, the processes or the disk.

- inbox.py: what is settled in INBOX, and how a file is taken (claimed by a rename, never reopened by name);
- worker.py: what the worker processes do (hash, answer) and how they die with the stage;
- ledger.py: the SQLite ledger, a row per input content, each step committed before it is taken;
- run.py: the scheduler (the parent process), recovery after a crash, and `run --status`.
"""

from ..check.inputs import INCLUDE
from .inbox import Unusable
from .run import EXIT_INTERRUPTED, EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE, Options, Stage, status_lines

__all__ = ["EXIT_INTERRUPTED", "EXIT_OK", "EXIT_REJECTED", "EXIT_UNUSABLE", "INCLUDE", "Options", "Stage", "Unusable",
           "status_lines"]
