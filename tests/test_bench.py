"""The benchmark runs on a small site and prints well-formed figures.

Timing targets are checked by running scripts/bench, not here: the machines
are shared and noisy.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_prints_a_table_and_one_json_line_of_figures():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts/bench"), "--pages", "40", "--repeat", "1", "--no-growth"],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    for key in ("pages", "build_without_s", "build_with_s", "build_ratio", "build_ratio_with_leak_scan",
                "leak_scan_s", "leak_scan_wait_s", "pages_read_early", "build_rss_without_mb", "build_rss_with_mb", "build_rss_ratio", "build_pss_without_mb",
                "build_pss_with_mb", "build_pss_ratio", "check_s",
                "check_pages_per_s", "check_rss_mb", "changed_s", "changed_rss_mb", "phi_mb_per_s",
                "leak_scan_mb_per_s", "site_mb"):
        assert isinstance(figures[key], (int, float)) and figures[key] >= 0, key
    assert figures["pages"] == 40
    assert figures["pages_read_early"] in (0, 40)  # by a scan process (every page but the last), or none
    assert any(line.startswith("carepress check") for line in lines)
    assert any(line.startswith("PHI detector, one core") for line in lines)
    assert any(line.startswith("post-build scan on its own, one core") for line in lines)
