"""Exact Shapley relative importance: timings against a plain refit-every-subset baseline.

Prints, for n = 5,000 respondents:
- cxlab.drivers.relative_importance at p = 20 and p = 25 (goals: < 2 s and < 60 s on one core);
- side by side at p = 12 and p = 16, a plain implementation that refits OLS on the rows for
  each of the 2^p subsets, and the speed-up ratio;
- a 1,000-resample bootstrap at p = 12 (goal: < 10 s).
Run: python benchmarks/bench_drivers.py
"""

from __future__ import annotations

import math
import statistics
import time

import numpy as np
import pandas as pd

from cxlab import drivers

N = 5_000


def data(p: int, seed: int = 0) -> tuple[pd.DataFrame, list[str]]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, p)) + rng.standard_normal((N, 1))
    y = x @ rng.uniform(0, 1, p) + 2 * rng.standard_normal(N)
    cols = [f"d{j}" for j in range(p)]
    return pd.DataFrame(x, columns=cols).assign(y=y), cols


def plain_shapley(df: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """The textbook way: fit OLS on the rows for every subset, then weight the increments."""
    x, y = df[cols].to_numpy(), df["y"].to_numpy()
    p, n = len(cols), len(y)
    tss = ((y - y.mean()) ** 2).sum()
    r2 = np.zeros(1 << p)
    for mask in range(1, 1 << p):
        xx = np.column_stack([np.ones(n), x[:, [j for j in range(p) if mask >> j & 1]]])
        resid = y - xx @ np.linalg.lstsq(xx, y, rcond=None)[0]
        r2[mask] = 1 - resid @ resid / tss
    phi = np.zeros(p)
    for mask in range(1 << p):
        s = bin(mask).count("1")
        for j in range(p):
            if not mask >> j & 1:
                phi[j] += (
                    math.factorial(s)
                    * math.factorial(p - s - 1)
                    / math.factorial(p)
                    * (r2[mask | 1 << j] - r2[mask])
                )
    return phi


def timed(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    print(f"n = {N:,} respondents; median wall seconds")
    for p, repeat in ((20, 3), (25, 1)):
        df, cols = data(p)
        t, out = timed(lambda df=df, cols=cols: drivers.relative_importance(df, "y", cols), repeat)
        print(
            f"  exact Shapley p={p:2d}: {t:8.2f} s  (R² {out.fit.loc[0, 'r2']:.4f}, {1 << p:,} subsets)"
        )
    for p, repeat in ((12, 3), (16, 1)):
        df, cols = data(p)
        t_cx, fast = timed(lambda df=df, cols=cols: drivers.relative_importance(df, "y", cols), 5)
        t_plain, slow = timed(lambda df=df, cols=cols: plain_shapley(df, cols), repeat)
        assert np.allclose(fast.table["importance"], slow, atol=1e-9)
        print(
            f"  p={p}: cxlab {t_cx:7.3f} s  plain refit {t_plain:8.2f} s  ratio {t_plain / t_cx:8.0f}x"
        )
    df, cols = data(12)
    t, _ = timed(
        lambda: drivers.relative_importance(df, "y", cols, n_boot=1000, seed=0, progress=False),
        3,
    )
    print(f"  bootstrap 1,000 resamples p=12: {t:6.2f} s")


if __name__ == "__main__":
    main()
