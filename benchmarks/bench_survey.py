"""NPS and weighted mean CSAT by segment x wave over 10 million rows: cxlab vs duckdb and polars.

Each engine computes the same figures per group (n, weighted NPS with its linearised SE,
weighted mean satisfaction with its SE) from the same in-memory data; medians of repeated runs
are printed with the ratio of cxlab to the faster peer. Run: python benchmarks/bench_survey.py [rows]
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
import pandas as pd

from cxlab import survey

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
REPEAT = 5


def make_data(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "region": pd.Categorical.from_codes(
                rng.integers(0, 5, n), ["华东", "华北", "华南", "西部", "港台"]
            ),
            "wave": pd.Categorical.from_codes(
                rng.integers(0, 4, n), ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
            ),
            "nps": rng.integers(0, 11, n).astype(float),
            "overall": rng.integers(1, 6, n).astype(float),
            "w": rng.uniform(0.3, 3.0, n),
        }
    )


def run_cxlab(df):
    a = survey.nps(df, "nps", by=["region", "wave"], weight="w")
    b = survey.mean_score(df, "overall", by=["region", "wave"], weight="w")
    return a["nps"].to_numpy(), b["mean"].to_numpy()


SQL = """
WITH t AS (
  SELECT region, wave, w, overall,
         CASE WHEN nps >= 9 THEN 100.0 WHEN nps <= 6 THEN -100.0 ELSE 0.0 END AS y
  FROM df),
g AS (
  SELECT region, wave, count(*) AS n, sum(w) AS sw, sum(w*w) AS sww,
         sum(w*y) AS swy, sum(w*w*y) AS swwy, sum(w*w*y*y) AS swwyy,
         sum(w*overall) AS swo, sum(w*w*overall) AS swwo, sum(w*w*overall*overall) AS swwoo,
         sum(CASE WHEN y = 100 THEN w ELSE 0 END) AS spro, sum(CASE WHEN y = -100 THEN w ELSE 0 END) AS sdet
  FROM t GROUP BY region, wave),
tot AS (SELECT sum(n) AS n_all FROM g)
SELECT region, wave, n, swy/sw AS nps, 100*spro/sw AS promoters, 100*sdet/sw AS detractors,
       sqrt(n_all/(n_all-1) * (swwyy - 2*(swy/sw)*swwy + (swy/sw)^2*sww)) / sw AS nps_se,
       swo/sw AS mean, sqrt(n_all/(n_all-1) * (swwoo - 2*(swo/sw)*swwo + (swo/sw)^2*sww)) / sw AS mean_se
FROM g, tot ORDER BY region, wave
"""


def run_duckdb(con):
    out = con.execute(SQL).df()
    return out["nps"].to_numpy(), out["mean"].to_numpy()


def run_polars(pdf):
    import polars as pl

    y = pl.when(pl.col("nps") >= 9).then(100.0).when(pl.col("nps") <= 6).then(-100.0).otherwise(0.0)
    w = pl.col("w")
    g = (
        pdf.lazy()
        .with_columns(y.alias("y"))
        .group_by("region", "wave")
        .agg(
            n=pl.len(),
            sw=w.sum(),
            sww=(w * w).sum(),
            swy=(w * pl.col("y")).sum(),
            swwy=(w * w * pl.col("y")).sum(),
            swwyy=(w * w * pl.col("y") ** 2).sum(),
            swo=(w * pl.col("overall")).sum(),
            swwo=(w * w * pl.col("overall")).sum(),
            swwoo=(w * w * pl.col("overall") ** 2).sum(),
            spro=(w * (pl.col("y") == 100)).sum(),
            sdet=(w * (pl.col("y") == -100)).sum(),
        )
        .collect()
    )
    N = g["n"].sum()
    g = g.with_columns(
        nps=pl.col("swy") / pl.col("sw"),
        mean=pl.col("swo") / pl.col("sw"),
        nps_se=(
            (N / (N - 1))
            * (
                pl.col("swwyy")
                - 2 * pl.col("swy") / pl.col("sw") * pl.col("swwy")
                + (pl.col("swy") / pl.col("sw")) ** 2 * pl.col("sww")
            )
        ).sqrt()
        / pl.col("sw"),
        mean_se=(
            (N / (N - 1))
            * (
                pl.col("swwoo")
                - 2 * pl.col("swo") / pl.col("sw") * pl.col("swwo")
                + (pl.col("swo") / pl.col("sw")) ** 2 * pl.col("sww")
            )
        ).sqrt()
        / pl.col("sw"),
    ).sort("region", "wave")
    return g["nps"].to_numpy(), g["mean"].to_numpy()


def timed(fn, *args):
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    import duckdb
    import polars as pl

    df = make_data(ROWS)
    con = duckdb.connect()
    con.register("df", df)
    pdf = pl.from_pandas(df)
    t_cx, (nps_cx, mean_cx) = timed(run_cxlab, df)
    t_dd, (nps_dd, mean_dd) = timed(run_duckdb, con)
    t_pl, (nps_pl, mean_pl) = timed(run_polars, pdf)
    # The categorical order (华东 ...) and duckdb/polars string order differ; compare sorted values.
    for a, b in ((nps_cx, nps_dd), (mean_cx, mean_dd), (nps_cx, nps_pl), (mean_cx, mean_pl)):
        np.testing.assert_allclose(np.sort(a), np.sort(b), rtol=1e-9)
    best = min(t_dd, t_pl)
    print(f"rows={ROWS:,} groups={len(nps_cx)} repeats={REPEAT} (median seconds)")
    print(f"  cxlab  (pandas) {t_cx:7.3f} s")
    print(f"  duckdb {duckdb.__version__:>8} {t_dd:7.3f} s")
    print(f"  polars {pl.__version__:>8} {t_pl:7.3f} s")
    print(f"  ratio cxlab / faster peer = {t_cx / best:.2f}  (goal <= 1.5)")


if __name__ == "__main__":
    main()
