"""Print the runs of bench/results/*.json written by bench/load.py as one Markdown table.

python bench/results_table.py [bench/results/A-*.json ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
COLUMNS = (
    "run", "target", "mode", "db", "proc", "window ms", "clients", "cards/s", "join p50/p95 ms",
    "ack p50/p95/p99 ms", "fan-out p50/p95/p99 ms", "µs CPU/delivery", "KB/conn", "generator", "gen CPU",
    "errors/lost/dup", "load before",
)  # fmt: skip


def figure(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def row(name: str, run: dict) -> str:
    join, ack, out = run["join_ms"], run["ack_ms"], run["fanout_ms"]
    load = run["load_before"].strip("[]").replace("'", "").split(",")[0]
    cells = (
        name, run["target"], run["async_mode"], run["database"] or "-", run["processes"],
        "-" if run["broadcast_window_ms"] is None else run["broadcast_window_ms"],
        run["clients"], run["rate"],
        f"{figure(join['p50'])}/{figure(join['p95'])}",
        "/".join(figure(ack[key]) for key in ("p50", "p95", "p99")),
        "/".join(figure(out[key]) for key in ("p50", "p95", "p99")),
        run["server_cpu_us_per_delivery"], run["rss_kb_per_connection"],
        f"{run.get('generator', 'python')} ×{run['generators']}", run["generator_cpu_share_max"],
        f"{sum(run['errors'].values())}/{run['lost']}/{run['duplicated']}", load,
    )  # fmt: skip
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def main() -> None:
    paths = [Path(arg) for arg in sys.argv[1:]] or sorted(RESULTS.glob("*.json"))
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for path in paths:
        result = json.loads(path.read_text())
        runs = result.get("runs") if isinstance(result, dict) else None
        if not isinstance(runs, list) or not all(isinstance(r, dict) and "fanout_ms" in r for r in runs):
            continue  # another benchmark's file (bench/snapshot.py)
        for run in runs:
            print(row(path.stem, run))


if __name__ == "__main__":
    main()
