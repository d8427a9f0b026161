"""How long each export format takes for a large workshop (default 3,000 cards on 5 boards).

    python bench/export.py [--cards 3000] [--repeat 5] [--database-url sqlite:///…] [--metaplan]

Each format is exported `repeat` times through pinboard.exports.export_workshop (reading the
database included) and the median is printed with the target: DOCX and PDF under 2 s, the
others under 0.5 s. Pictures (svg, png) are of one board (600 cards at the default size).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pinboard.database import Database  # noqa: E402
from pinboard.exports import FORMATS, ExportOptions, export_workshop  # noqa: E402
from pinboard.migrations import upgrade_database  # noqa: E402
from pinboard.results import load_workshop  # noqa: E402
from tests.exports.big import make_big_workshop  # noqa: E402

TARGETS = {"docx": 2.0, "pdf": 2.0}
DEFAULT_TARGET = 0.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--database-url", default="", help="default: a new SQLite file in a temporary directory"
    )
    parser.add_argument(
        "--metaplan", action="store_true", help="headlines, stacks, paper cards and dot voting on every board"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        database = Database(args.database_url or f"sqlite:///{tmp}/bench.sqlite3")
        upgrade_database(database)
        workshop_id = make_big_workshop(database, cards=args.cards, metaplan=args.metaplan)
        with database.read() as session:
            first_board = load_workshop(session, workshop_id).boards[0].id
        export_workshop(database, workshop_id, ExportOptions("md"))  # warm up imports and caches

        methods = ", with the Metaplan methods" if args.metaplan else ""
        print(f"{args.cards:,} cards, 5 boards{methods}, median of {args.repeat} runs")
        print(f"{'format':<7}{'median':>9}{'min':>9}{'target':>9}{'size':>14}  ")
        failed = []
        for fmt in FORMATS:
            options = ExportOptions(fmt, board_id=first_board if fmt in ("svg", "png") else None)
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                exported = export_workshop(database, workshop_id, options)
                times.append(time.perf_counter() - started)
            median = statistics.median(times)
            target = TARGETS.get(fmt, DEFAULT_TARGET)
            verdict = "ok" if median < target else "SLOW"
            if median >= target:
                failed.append(fmt)
            size = len(exported.content)
            print(f"{fmt:<7}{median:>8.3f}s{min(times):>8.3f}s{target:>8.1f}s{size:>14,}  {verdict}")
        database.dispose()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
