"""Streaming writers for ``dyads code``: JSON lines, JSON per article, CSV and a text table."""

from __future__ import annotations

import csv
import json
import shutil
from typing import IO, Any

from ..records import CodedArticle
from .contract import CSV_COLUMNS, article_dict, csv_row, event_dict

FORMATS = ("jsonl", "json", "csv", "table")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class Writer:
    """Write coded articles as they come; ``close`` finishes the document."""

    def __init__(self, out: IO[str], fmt: str = "jsonl", include_text: bool = False):
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
        self.out, self.fmt, self.include_text = out, fmt, include_text
        self._csv: csv.DictWriter | None = None
        self._table_header = False

    def write(self, coded: CodedArticle) -> None:
        if self.fmt == "jsonl":
            for event in coded.events:
                self.out.write(_dumps(event_dict(event, coded.article)) + "\n")
        elif self.fmt == "json":
            self.out.write(_dumps(article_dict(coded, self.include_text)) + "\n")
        elif self.fmt == "csv":
            if self._csv is None:
                self._csv = csv.DictWriter(self.out, fieldnames=CSV_COLUMNS, lineterminator="\n")
                self._csv.writeheader()
            for event in coded.events:
                self._csv.writerow(csv_row(event_dict(event, coded.article)))
        else:
            self._write_table(coded)

    def _write_table(self, coded: CodedArticle) -> None:
        width = shutil.get_terminal_size((120, 20)).columns
        if not self._table_header:
            self.out.write(
                f"{'date':<10}  {'source':<14}  {'event':<34}  {'target':<14}  {'modality':<12}  evidence\n"
            )
            self.out.write("-" * min(width, 120) + "\n")
            self._table_header = True
        for e in coded.events:
            d = event_dict(e, coded.article)
            label = f"{d['cameo']['code']} {d['cameo']['label']}"
            src = (d["source"] or {}).get("code") or (d["source"] or {}).get("text") or "-"
            tgt = (d["target"] or {}).get("code") or (d["target"] or {}).get("text") or "-"
            line = (
                f"{d['date']['value'] or '-':<10}  {src[:14]:<14}  {label[:34]:<34}  {tgt[:14]:<14}  "
                f"{d['modality']:<12}  {d['evidence']['text']}"
            )
            self.out.write(line[: max(width, 100)] + "\n")

    def close(self) -> None:
        self.out.flush()
