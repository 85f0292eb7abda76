"""Output that is never half-written: stdout as it comes, or a file that
appears only once it is whole."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TextIO

from eligibility.errors import InputError


class StreamWriter:
    def __init__(self, output: Path | None) -> None:
        self.output = output
        self._tmp: str | None = None
        self._fh: TextIO = sys.stdout

    def __enter__(self) -> StreamWriter:
        if self.output is not None:
            directory = self.output.parent if str(self.output.parent) else Path(".")
            if not directory.is_dir():
                raise InputError(str(self.output), "cannot write: the folder does not exist")
            fd, self._tmp = tempfile.mkstemp(dir=directory, prefix=f".{self.output.name}.", suffix=".tmp")
            self._fh = os.fdopen(fd, "w", encoding="utf-8")
        return self

    def write(self, text: str) -> None:
        self._fh.write(text)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._tmp is None:
            self._fh.flush()
            return
        self._fh.close()
        if kind is None and self.output is not None:
            os.replace(self._tmp, self.output)
        else:
            Path(self._tmp).unlink(missing_ok=True)
