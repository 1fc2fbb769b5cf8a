"""OUTBOX as the stage lays it out, and the moves into it.

    OUTBOX/acks/STEM.999, STEM.277ca        the answers to the sender
           forward/STEM.accepted.837        the accepted claims, for the payer
           results/STEM.json                what the stage found (counts, codes, control numbers)
           archive/STEM                     the input, once answered
           archive/duplicates/NAME[.N]      content answered before, arriving again
           quarantine/STEM, STEM.reason     an input that is not a readable 837, and why
           runs/*.json                      one summary per run
           ledger.sqlite, .lock             the ledger (stage/ledger.py) and the run's lock

STEM is the input's name in INBOX, or that name tagged when an earlier input had it (Ledger.free_stem).
Every file the stage places here is written and moved by edi837/durable.py (private, fsynced,
renamed, its folder fsynced); this module only says where.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from .. import durable
from ..answers.acknowledge import Targets
from ..errors import printable
from .inbox import Unusable

FOLDERS = ("", "acks", "forward", "results", "archive", "archive/duplicates", "quarantine", "runs")  # of OUTBOX
REASON = ".reason"  # beside a quarantined input: why it is there


class Outbox:
    """The OUTBOX of a run (`root`): where each input's answers, result and copy go."""

    def __init__(self, root: Path) -> None:
        self.root = root

    # -- where things go --------------------------------------------------------------------------

    def folder(self, name: str) -> Path:
        return self.root / name

    def answers(self, stem: str) -> Targets:
        """Where an input's three answers go (written by its worker)."""
        return Targets(self.root / "acks" / f"{stem}.999", self.root / "acks" / f"{stem}.277ca",
                       self.root / "forward" / f"{stem}.accepted.837")

    def result(self, stem: str) -> Path:
        return self.root / "results" / f"{stem}.json"

    def archived(self, stem: str) -> Path:
        return self.root / "archive" / stem

    def quarantined(self, stem: str) -> Path:
        return self.root / "quarantine" / stem

    def shown(self, path: Path) -> str:
        """A path inside OUTBOX as the log names it (relative to OUTBOX)."""
        return str(path.relative_to(self.root))

    # -- the run's hold on it ---------------------------------------------------------------------

    def prepare(self) -> None:
        """Make the folders (0700); raises Unusable when OUTBOX cannot be written."""
        try:
            for sub in FOLDERS:
                folder = self.root / sub
                folder.mkdir(mode=durable.PRIVATE_FOLDER, parents=True, exist_ok=True)
                if not os.access(folder, os.W_OK | os.X_OK):
                    raise Unusable(f"{printable(str(folder))}: cannot write there")
        except OSError as exc:
            raise Unusable(f"{printable(str(self.root))}: cannot make the OUTBOX folders: {exc.strerror or exc}") from None

    def lock(self) -> int:
        """Hold OUTBOX for this run (a second run on it would hand out the same numbers): the lock's fd."""
        fd = os.open(self.root / ".lock", os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, durable.PRIVATE_FILE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise Unusable(f"{printable(str(self.root))}: another `edi837 run` is using this OUTBOX") from None
        return fd

    def remove_temporaries(self) -> int:
        """Delete what a killed run left half-written (hidden .tmp files); how many."""
        return sum(durable.remove_temporaries(self.root / sub) for sub in FOLDERS)

    # -- moves (each the last step of a file: see stage/run.py) ------------------------------------

    def archive(self, claimed: Path, stem: str) -> None:
        """An answered input, moved from the claims folder to archive/STEM."""
        durable.move(claimed, self.archived(stem))

    def quarantine(self, claimed: Path, stem: str, why: str) -> None:
        """An input that is not answered: its STEM.reason written first, then the input moved to
        quarantine/STEM (a kill between the two is finished by the next run, which writes both)."""
        home = self.quarantined(stem)
        durable.write_atomic(home.with_name(home.name + REASON), f"{why}\n".encode())
        durable.move(claimed, home)

    def archive_duplicate(self, claimed: Path, name: str) -> Path:
        """Content answered before, arriving again as `name`: moved to archive/duplicates/NAME (NAME.2,
        NAME.3 ... when taken); where it went."""
        folder = self.folder("archive/duplicates")
        target = folder / name
        n = 1
        while target.exists() or target.is_symlink():
            n += 1
            target = folder / f"{name}.{n}"
        durable.move(claimed, target)
        return target

    def remove_answers(self, stem: str) -> None:
        """Delete what a worker placed for an input that ends up not answered."""
        for path in (*self.answers(stem), self.result(stem)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
