"""Funnel over 10 million events: wall time and peak memory, beside a plain pandas baseline.

The baseline is the usual first attempt: pivot each customer's first time at each step and
count customers whose times are in order (it cannot honour "at or after the previous step"
for repeated events, so it is faster but answers a looser question). Peak memory is the
process's maximum resident set size (ru_maxrss) growth over the data already loaded.
Run: python benchmarks/bench_funnel.py [events]
"""

from __future__ import annotations

import resource
import statistics
import sys
import time

import numpy as np
import pandas as pd

from cxlab import journey

EVENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
STEPS = ["visit", "view", "cart", "order", "pay"]


def make_log(n_events: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    customers = n_events // 3
    cust = rng.integers(0, customers, n_events)
    step = rng.choice(len(STEPS) + 1, n_events, p=[0.3, 0.25, 0.18, 0.12, 0.1, 0.05])
    names = np.array([*STEPS, "chat"], dtype=object)
    ts = pd.Timestamp("2025-01-01") + pd.to_timedelta(
        rng.integers(0, 90 * 86400, n_events), unit="s"
    )
    return pd.DataFrame({"customer_id": cust, "step": pd.Categorical(names[step]), "timestamp": ts})


def baseline(ev: pd.DataFrame) -> list[int]:
    first = ev[ev["step"].isin(STEPS)].pivot_table(
        index="customer_id", columns="step", values="timestamp", aggfunc="min", observed=True
    )
    first = first[STEPS]
    ok = first[STEPS[0]].notna()
    counts = [int(ok.sum())]
    for a, b in zip(STEPS, STEPS[1:], strict=False):
        ok &= first[b] >= first[a]
        counts.append(int(ok.sum()))
    return counts


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ev = make_log(EVENTS)
    loaded = maxrss_mb()
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        out = journey.funnel(ev, STEPS).steps
        times.append(time.perf_counter() - t0)
    peak_cx = maxrss_mb() - loaded
    t_base = []
    for _ in range(3):
        t0 = time.perf_counter()
        base = baseline(ev)
        t_base.append(time.perf_counter() - t0)
    print(
        f"events={EVENTS:,} customers~{EVENTS // 3:,} data {ev.memory_usage(deep=True).sum() / 2**20:.0f} MiB (median of 3)"
    )
    print(
        f"  cxlab.journey.funnel {statistics.median(times):6.2f} s  peak RSS growth {peak_cx:7.0f} MiB  reached {out['customers'].tolist()}"
    )
    print(
        f"  pandas pivot baseline {statistics.median(t_base):6.2f} s  (looser rule)       reached {base}"
    )
    print(f"  ratio funnel / baseline = {statistics.median(times) / statistics.median(t_base):.2f}")


if __name__ == "__main__":
    main()
