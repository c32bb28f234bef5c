"""A spreadsheet file read and written back as it came: same encoding (with or without a
byte-order mark), same separator, same line ends, same columns in the same order.

Course platforms hand teachers CSV files to fill in and take them back only when their
shape is unchanged; a spreadsheet in a Spanish locale saves ``;`` where an English one
saves ``,``. :class:`Sheet` keeps all of that so only the cells we fill change.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import UsageError

SEPARATORS = {",": ",", ";": ";", "tab": "\t", "\t": "\t"}
"""Separators a teacher may ask for (``--csv-sep``)."""


@dataclass
class Sheet:
    """A CSV file: a header row, data rows, and how it was written."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    sep: str = ","
    encoding: str = "utf-8"
    bom: bool = False
    newline: str = "\r\n"

    def column(self, *names: str) -> int | None:
        """The index of the first column whose header is exactly one of ``names``."""
        for i, head in enumerate(self.header):
            if head in names:
                return i
        return None

    def cell(self, row: list[str], index: int | None) -> str:
        return row[index] if index is not None and index < len(row) else ""

    def set(self, row: list[str], index: int, value: str) -> None:
        while len(row) <= index:
            row.append("")
        row[index] = value

    def to_bytes(self) -> bytes:
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=self.sep, lineterminator=self.newline)
        writer.writerow(self.header)
        writer.writerows(self.rows)
        data = buf.getvalue().encode(self.encoding)
        return (codecs.BOM_UTF8 + data) if self.bom else data

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(self.to_bytes())
        tmp.replace(path)
        return path


def separator(text: str, where: str = "--csv-sep") -> str:
    """``,``, ``;`` or ``tab`` as the character; anything else is a usage error."""
    if text in SEPARATORS:
        return SEPARATORS[text]
    raise UsageError(f"invalid separator {text!r} from {where}; use ',' or ';' (or 'tab')")


def _sniff_sep(first_line: str) -> str:
    counts = {sep: 0 for sep in (",", ";", "\t")}
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def read_sheet(path: Path, *, what: str) -> Sheet:
    """Read ``path`` keeping its shape; ``what`` names the option it came from, for errors."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path} from {what}: {exc.strerror or exc}") from exc
    bom = data.startswith(codecs.BOM_UTF8)
    if bom:
        data = data[len(codecs.BOM_UTF8):]
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:  # a spreadsheet saved it in the Windows code page
        text, encoding = data.decode("cp1252", errors="replace"), "cp1252"
    if not text.strip():
        raise UsageError(f"{path} from {what} is empty; give the CSV file as the platform "
                         "exported it")
    newline = "\r\n" if "\r\n" in text[:4096] else "\n"
    sep = _sniff_sep(text.split("\n", 1)[0])
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    rows = [r for r in rows if r != []]
    return Sheet(header=rows[0], rows=rows[1:], sep=sep, encoding=encoding, bom=bom,
                 newline=newline)


def number(x: float) -> str:
    """A grade as platforms read it: decimal point, no thousands separator, <= 2 decimals."""
    text = f"{round(x, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
