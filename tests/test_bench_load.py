"""bench/load.py runs with one command: a tiny workshop against pinboard and the bare server.

Not a speed test (figures belong in docs/performance.md): it checks that the benchmark still
plays the whole workshop and reports every figure, with nothing lost or duplicated.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.server
def test_the_load_benchmark_plays_a_small_workshop_and_reports_every_figure(tmp_path: Path) -> None:
    output = tmp_path / "result.json"
    command = [
        sys.executable, str(ROOT / "bench" / "load.py"), "--generator", "python",
        "--targets", "pinboard,bare-python", "--phones", "8", "--join-over", "1", "--rate", "4",
        "--moves", "1", "--duration", "2", "--output", str(output),
    ]  # fmt: skip
    finished = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    result = json.loads(output.read_text())
    assert [run["target"] for run in result["runs"]] == ["pinboard", "bare-python"]
    for run in result["runs"]:
        assert run["clients"] == 10 and run["cards_posted"] > 0, run  # 8 phones, moderator, projector
        assert run["cards_acked"] == run["cards_posted"], run
        assert (run["errors"], run["lost"], run["duplicated"]) == ({}, 0, 0), run
        for figure in ("join_ms", "ack_ms", "fanout_ms"):
            assert run[figure]["p95"] > 0, (figure, run[figure])
        assert run["rss_kb_per_connection"] > 0 and run["server_cpu_us_per_delivery"] > 0, run
    assert set(result["ratios_to_bare_python"])
    assert "pinboard" in finished.stdout and "bare-python" in finished.stdout  # the printed table
