"""Loading a 1,000,000-row survey export: `cxlab.io.load_survey` against pandas' pyarrow reader.

Builds a CSV like the bundled sample (its columns and values, the rows repeated with unique
respondent ids; about 200 MB for a million rows) with its codebook in a temporary folder, then,
round by round, runs in a fresh process each:

- ``pandas``: ``pandas.read_csv(path, engine="pyarrow")`` (reads and types, validates nothing);
- ``cxlab``: ``cxlab.io.load_survey(path)`` (reads, checks the encoding line by line, validates
  every value against the codebook, accounts for every row).

A fresh process per measurement makes the peak memory (``resource.getrusage`` ``ru_maxrss``)
belong to that call alone; ``peak - base`` is the peak minus the process's memory after its
imports. The frame column is ``DataFrame.memory_usage(deep=True)`` of what the call returned.
Medians over the rounds are printed with the ratio cxlab / pandas (goal: time <= 3x, peak
memory within 2x of the loaded frame).

Run: python benchmarks/bench_load.py [--rows 1000000] [--rounds 3] [--pythonpath DIR]
(``--pythonpath`` points the measured processes at another checkout, to measure old code.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

CHILD = r"""
import json, resource, sys, time
import pandas as pd
import pyarrow.csv  # noqa: F401  (imported before timing in both cases)
from cxlab import io

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20

which, path = sys.argv[1], sys.argv[2]
base = rss_mb()
t0 = time.perf_counter()
if which == "pandas":
    df = pd.read_csv(path, engine="pyarrow")
else:
    df = io.load_survey(path).data
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
frame = df.memory_usage(deep=True).sum() / 2**20
print(json.dumps({"seconds": seconds, "peak": peak, "base": base, "frame": frame,
                  "rows": len(df)}))
"""


def build(folder: Path, rows: int) -> Path:
    """Write ``survey.csv`` (``rows`` respondents) and the sample codebook into ``folder``."""
    lines = (SAMPLE / "survey.csv").read_text(encoding="utf-8").splitlines()
    header, body = lines[0], lines[1:]
    path = folder / "survey.csv"
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write(header + "\n")
        for i in range(rows):
            rest = body[i % len(body)].split(",", 1)[1]
            f.write(f"R{i + 1:08d},{rest}\n")
    shutil.copy(SAMPLE / "codebook.yaml", folder / "codebook.yaml")
    return path


def measure(which: str, path: Path, pythonpath: str) -> dict:
    env = dict(os.environ, PYTHONPATH=pythonpath)
    out = subprocess.run(
        [sys.executable, "-c", CHILD, which, str(path)],
        env=env,
        cwd=path.parent,  # so `python -c` imports cxlab from --pythonpath, not from here
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pythonpath", default=str(ROOT))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = build(Path(tmp), args.rows)
        size = path.stat().st_size / 2**20
        print(f"{args.rows:,} rows, {size:.0f} MB CSV; cxlab from {args.pythonpath}")
        runs: dict[str, list[dict]] = {"pandas": [], "cxlab": []}
        for r in range(args.rounds):
            for which in runs:
                res = measure(which, path, args.pythonpath)
                runs[which].append(res)
                print(
                    f"  round {r + 1} {which:6s} {res['seconds']:7.2f} s  peak {res['peak']:6.0f} MB"
                    f"  peak-base {res['peak'] - res['base']:6.0f} MB  frame {res['frame']:6.0f} MB",
                    flush=True,
                )
    med = {
        which: {
            k: statistics.median(x[k] for x in rs) for k in ("seconds", "peak", "base", "frame")
        }
        for which, rs in runs.items()
    }
    p, c = med["pandas"], med["cxlab"]
    # The shared machine drifts between rounds: the ratio within each round is steadier.
    per_round = statistics.median(
        b["seconds"] / a["seconds"] for a, b in zip(runs["pandas"], runs["cxlab"], strict=True)
    )
    print("median over rounds:")
    for which, m in med.items():
        print(
            f"  {which:6s} {m['seconds']:7.2f} s  peak {m['peak']:6.0f} MB  "
            f"peak-base {m['peak'] - m['base']:6.0f} MB  frame {m['frame']:6.0f} MB"
        )
    print(
        f"time cxlab/pandas: {c['seconds'] / p['seconds']:.2f}x of medians, "
        f"{per_round:.2f}x median of per-round ratios (goal <= 3x); "
        f"cxlab peak-base / its frame: {(c['peak'] - c['base']) / c['frame']:.2f}x (goal <= 2x); "
        f"peak cxlab/pandas: {c['peak'] / p['peak']:.2f}x"
    )


if __name__ == "__main__":
    main()
