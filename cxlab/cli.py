"""The ``cxlab`` command line: ``cxlab report ...`` and ``cxlab sample ...``.

Exit codes
----------
0  everything asked for succeeded
1  at least one report failed (the others were still produced; see reports/index.html)
2  the command was wrong: unknown report or parameter, bad value, unreadable file
3  another run held the report's lock for longer than --wait
"""

from __future__ import annotations

import argparse
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cxlab import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cxlab", description="cxlab: customer-experience survey reports."
    )
    p.add_argument("--version", action="version", version=f"cxlab {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser(
        "report",
        help="run report notebooks into dated HTML pages",
        description="Run report notebooks (notebooks/<name>.ipynb) into reports/YYYY-MM-DD/.",
    )
    r.add_argument("name", help="report name, or `all` for every report")
    src = r.add_mutually_exclusive_group()
    src.add_argument("--data", help="survey file (default: the bundled sample survey)")
    src.add_argument(
        "--data-dir", help="use the newest survey file in this folder (for scheduled runs)"
    )
    r.add_argument("--codebook", help="codebook YAML (default: the one beside the data file)")
    r.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a notebook parameter; repeat for several (see --list-params)",
    )
    r.add_argument("--jobs", type=int, default=1, help="reports run at once (default 1)")
    r.add_argument("--show-code", action="store_true", help="keep code cells in the HTML")
    r.add_argument("--out", default=None, help="reports folder (default: reports/ in the project)")
    r.add_argument(
        "--wait",
        type=float,
        default=1800,
        help="seconds to wait for a run holding the same report (default 1800)",
    )
    r.add_argument(
        "--keep",
        type=int,
        metavar="DAYS",
        help="afterwards, delete dated report folders older than DAYS days",
    )
    r.add_argument(
        "--list-params", action="store_true", help="list each report's parameters and exit"
    )
    r.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")

    s = sub.add_parser("sample", help="write the generated sample survey")
    s.add_argument("--out", default=None, help="folder (default: data/sample/ in the project)")
    s.add_argument("--n", type=int, default=5000, help="respondents (default 5000)")
    s.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    return p


def _setup_log(out_root: Path) -> None:
    out_root.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(out_root / "cxlab.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("cxlab")
    root.setLevel(logging.INFO)
    root.addHandler(handler)


def _report(args) -> int:
    from cxlab import reports
    from cxlab.paths import REPORTS

    out_root = Path(args.out) if args.out else REPORTS
    names = reports.list_reports() if args.name == "all" else [args.name]
    try:
        declared = {n: reports.accepted_parameters(n) for n in names}
    except reports.ReportError as e:
        print(f"cxlab: {e}", file=sys.stderr)
        return EXIT_USAGE
    if args.list_params:
        for n, params in declared.items():
            print(n)
            for k, v in params.items():
                print(f"  {k} ({v['type']}, default {v['default']})  {v['help']}")
        return EXIT_OK

    given: dict[str, str] = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key:
            print(f"cxlab: -p takes KEY=VALUE, not {item!r}", file=sys.stderr)
            return EXIT_USAGE
        given[key.strip()] = value
    if args.data_dir:
        try:
            args.data = str(reports.newest_data_file(args.data_dir))
        except reports.ReportError as e:
            print(f"cxlab: {e}", file=sys.stderr)
            return EXIT_USAGE
    for key in ("data", "codebook"):
        if getattr(args, key):
            path = Path(getattr(args, key))
            if not path.exists():
                print(f"cxlab: --{key} {path} does not exist", file=sys.stderr)
                return EXIT_USAGE
            given[key] = str(path.resolve())
    unknown = [k for k in given if not any(k in d for d in declared.values())]
    if unknown:
        accepted = sorted({k for d in declared.values() for k in d})
        print(
            f"cxlab: no report takes parameter(s) {unknown}; accepted: {accepted}", file=sys.stderr
        )
        return EXIT_USAGE
    plan = {n: {k: v for k, v in given.items() if k in declared[n]} for n in names}
    # Check every report's parameters before the first kernel starts.
    try:
        for n, params in plan.items():
            reports.check_parameters(n, params, from_text=True)
    except reports.ReportError as e:
        print(f"cxlab: {e}", file=sys.stderr)
        return EXIT_USAGE

    _setup_log(out_root)
    interactive = sys.stderr.isatty() and not args.quiet
    total = len(names)
    started = []

    def announce(stem: str) -> None:
        started.append(stem)
        if interactive:
            print(
                f"[{len(started)}/{total}] {stem} … ({total - len(started)} to go after this)",
                file=sys.stderr,
            )

    def one(n: str):
        try:
            return (
                n,
                reports.run_report(
                    n,
                    plan[n],
                    out_root,
                    show_code=args.show_code,
                    from_text=True,
                    lock_timeout=args.wait,
                    progress=interactive and args.jobs == 1,
                    on_start=announce,
                ),
                None,
            )
        except reports.ReportError as e:
            return n, None, e

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(one, names))
    for n, path, err in results:
        if err is None:
            if not args.quiet:
                print(f"{n}: {path}")
        else:
            print(f"cxlab: {err}", file=sys.stderr)
    if args.keep is not None:
        for folder in reports.prune(out_root, args.keep):
            if not args.quiet:
                print(f"removed {folder}")
    errors = [err for _, _, err in results if err is not None]
    code = EXIT_OK
    if any(not isinstance(e, reports.ReportLocked) for e in errors):
        code = EXIT_FAILED
    elif errors:
        code = EXIT_LOCKED
    if not args.quiet:
        print(f"index: {out_root / 'index.html'}")
    return code


def _sample(args) -> int:
    from cxlab.paths import SAMPLE_DIR
    from cxlab.sample import write_sample

    paths = write_sample(Path(args.out) if args.out else SAMPLE_DIR, n=args.n, seed=args.seed)
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "report":
        return _report(args)
    return _sample(args)


if __name__ == "__main__":
    sys.exit(main())
