"""The ``cxlab`` command line: ``report``, ``check``, ``codebook draft``, ``tables``, ``followup``.

Exit codes
----------
0  everything asked for succeeded
1  at least one report failed (the others were still produced; see reports/index.html), or
   the reports folder could not be written (read-only, disk full...): one line on stderr
2  the command was wrong: unknown report or parameter, bad value (``-p lang=fr``,
   ``--keep 0``), unreadable file, ``--out`` naming a file
3  another run held the report's lock for longer than --wait
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cxlab import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3
#: When this module was imported (about when the command started), for the log's timings.
_T0 = time.perf_counter()


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; ``command`` is the subcommand asked for (see :func:`_command`).

    Only the modules of that subcommand are imported: the runner's own process never imports
    pandas, scipy or statsmodels for a report it only hands to a kernel.
    """
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
    r.add_argument(
        "--each",
        metavar="COLUMN",
        help="one page per value of this column (a store, region...), on that unit's rows",
    )
    r.add_argument("--pdf", action="store_true", help="also print each page to NAME.pdf (A4)")
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
        type=_positive_days,
        metavar="DAYS",
        help="afterwards, delete dated report folders older than DAYS days",
    )
    r.add_argument(
        "--list-params", action="store_true", help="list each report's parameters and exit"
    )
    r.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")

    c = sub.add_parser(
        "check",
        help="validate a survey and its codebook; list the report sections it feeds",
        description="Load the survey with its codebook (nothing is run), summarise the "
        "exclusions, and list for each report which sections will run and what the others lack.",
    )
    c.add_argument("--data", help="survey file (default: the bundled sample survey)")
    c.add_argument("--codebook", help="codebook YAML (default: the one beside the data file)")
    c.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="report parameters that name extra files (events=PATH, staff=PATH)",
    )

    cb = sub.add_parser("codebook", help="codebook tools: `cxlab codebook draft EXPORT`")
    cbsub = cb.add_subparsers(dest="action", required=True)
    d = cbsub.add_parser(
        "draft",
        help="draft a codebook from a survey export, for a person to check",
        description="Write a codebook guessed from an export (ids, submit time and waves, "
        "segments, NPS and rating items, comments, multiple choice, roles); every guess "
        "carries a comment saying why, and the decisions to check are listed at the top.",
    )
    d.add_argument("export", help="the survey export (CSV, Excel, SPSS; platform downloads)")
    d.add_argument("-o", "--out", help="write the codebook here (default: print it)")
    d.add_argument(
        "--platform",
        help="the survey platform, if detection fails (wjx, tencent, qualtrics, spss)",
    )

    tables = sub.add_parser(
        "tables",
        help="write the table book (banner tables with bases, nets and letters) to Excel",
        description="Every closed question against a banner of Total and the segments "
        "(or as a table spec says), with column percentages, significance letters, nets, "
        "means and bases, written to one Excel workbook.",
    )
    followup = sub.add_parser(
        "followup",
        help="follow-up lists and action sheets per owner; `followup import` reads them back",
        description="List the respondents the codebook's alert rules flag (detractors, "
        "complaints...), once each, with a due date, and write an action sheet per owner.",
    )
    # Their options come from their own modules, which import the analysis stack (cxlab.tables
    # imports scipy.stats: about 1.6 s): only the subcommand being run gets them.
    if command == "tables":
        from cxlab.tables.command import add_arguments

        add_arguments(tables)
    elif command == "followup":
        from cxlab.loop.command import add_arguments

        add_arguments(followup)

    s = sub.add_parser("sample", help="write the generated sample survey")
    s.add_argument("--out", default=None, help="folder (default: data/sample/ in the project)")
    s.add_argument("--n", type=int, default=5000, help="respondents (default 5000)")
    s.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    return p


def _command(argv: list[str]) -> str | None:
    """The subcommand named in ``argv``: its first word not starting with ``-`` (the options
    before it, ``--version`` and ``--help``, take no value)."""
    return next((a for a in argv if not a.startswith("-")), None)


class _Stop(Exception):
    """Ends a command early with an exit code and a one-line message for stderr."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def _positive_days(text: str) -> int:
    """``--keep``: a whole number of days, at least 1 (so today's run is never deleted)."""
    try:
        days = int(text)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(
            f"should be a whole number of days, at least 1, not {text!r}"
        )
    return days


def _say(message: object) -> None:
    from cxlab.markup import MESSAGE_LIMIT, bounded

    print(f"cxlab: {bounded(message, limit=2 * MESSAGE_LIMIT, one_line=True)}", file=sys.stderr)


def _setup_log(out_root: Path) -> logging.Handler:
    """Log to ``<out_root>/cxlab.log``; the handler is removed again by the caller."""
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(out_root / "cxlab.log", encoding="utf-8")
    except OSError as e:
        raise _Stop(
            EXIT_FAILED, f"cannot write to the reports folder {out_root}: {e.strerror or e}"
        ) from None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("cxlab")
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    return handler


def _declared(names: list[str]) -> dict[str, dict[str, dict[str, str]]]:
    from cxlab import reports

    try:
        return {n: reports.accepted_parameters(n) for n in names}
    except reports.ReportError as e:
        raise _Stop(EXIT_USAGE, str(e)) from None


def _print_parameters(declared: dict[str, dict[str, dict[str, str]]]) -> None:
    for n, params in declared.items():
        print(n)
        for k, v in params.items():
            print(f"  {k} ({v['type']}, default {v['default']})  {v['help']}")


def _given(args) -> dict[str, str]:
    """The ``-p KEY=VALUE`` parameters and the input files, as text."""
    from cxlab import reports

    if args.data_dir:
        try:
            args.data = str(reports.newest_data_file(args.data_dir))
        except reports.ReportError as e:
            raise _Stop(EXIT_USAGE, str(e)) from None
    return _given_files(args)


def _given_files(args) -> dict[str, str]:
    """``-p KEY=VALUE`` parameters, and ``--data``/``--codebook`` as absolute paths."""
    given: dict[str, str] = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise _Stop(EXIT_USAGE, f"-p takes KEY=VALUE, not {item!r}")
        given[key.strip()] = value
    for key in ("data", "codebook"):
        if getattr(args, key):
            path = Path(getattr(args, key))
            if not path.exists():
                raise _Stop(EXIT_USAGE, f"--{key} {path} does not exist")
            given[key] = str(path.resolve())
    return given


def _plan(names: list[str], declared: dict, given: dict[str, str]) -> dict[str, dict[str, str]]:
    """Each report's parameters, all checked before the first kernel starts."""
    from cxlab import reports

    unknown = [k for k in given if not any(k in d for d in declared.values())]
    if unknown:
        accepted = sorted({k for d in declared.values() for k in d})
        raise _Stop(EXIT_USAGE, f"no report takes parameter(s) {unknown}; accepted: {accepted}")
    plan = {n: {k: v for k, v in given.items() if k in declared[n]} for n in names}
    try:
        for n, params in plan.items():
            reports.check_parameters(n, params, from_text=True)
    except reports.ReportError as e:
        raise _Stop(EXIT_USAGE, str(e)) from None
    return plan


def _out_root(args) -> Path:
    from cxlab.paths import REPORTS

    out_root = Path(args.out) if args.out else REPORTS
    if out_root.exists() and not out_root.is_dir():
        raise _Stop(EXIT_USAGE, f"--out {out_root} is not a folder")
    return out_root


def _period(params: dict[str, str]) -> str:
    """The period a page reports (``-p period=`` or ``wave=``; empty: the latest)."""
    return params.get("period") or params.get("wave") or ""


def _pages(
    args, plan: dict[str, dict[str, str]], facts: dict
) -> list[tuple[str, dict, int | None]]:
    """``(name, parameters, unit base)`` of every page: one per report, or per unit (--each)."""
    if not args.each:
        return [(n, params, None) for n, params in plan.items()]
    pages = []
    for n, params in plan.items():
        for unit, base in facts["bases"][_period(params)].items():
            pages.append((n, {**params, "each": args.each, "unit": unit}, base))
    return pages


def _say_unitless(args, plan: dict, facts: dict) -> None:
    """``--each``: the respondents on no unit's page (no value of the column), per period."""
    for period, count in (facts.get("no_unit") or {}).items():
        if count and any(_period(params) == period for params in plan.values()):
            _warn(
                args,
                f"--each {args.each}: {count} respondent(s) of {period or 'the latest period'} "
                "have no value, so are on no unit's page (they count in the whole-survey benchmark)",
            )


def _say_case_clashes(args, pages: list[tuple]) -> None:
    """``--each``: units whose pages' file names differ only by case (``Store``, ``store``):
    one file on a case-insensitive disk (macOS, Windows, most shares)."""
    from cxlab import reports

    if not args.each:
        return
    names: dict[str, list[str]] = {}
    for n, params, _ in pages:
        names.setdefault(reports.report_stem(n, params).casefold(), []).append(params["unit"])
    for units in (u for u in names.values() if len(u) > 1):
        _warn(
            args,
            f"--each {args.each}: units {', '.join(map(repr, units))} differ only by case; "
            "their pages are one file on a case-insensitive disk (macOS, Windows, shares)",
        )


def _warn(args, line: str) -> None:
    """A warning in cxlab.log, and on stderr unless ``-q``."""
    logging.getLogger("cxlab.cli").warning(line)
    if not args.quiet:
        print(line, file=sys.stderr)


def _check_request(args, names: list[str], plan: dict, given: dict[str, str]) -> dict:
    """What the survey check needs (see :func:`cxlab.check.plan_pages`), as plain values."""
    extra = {k for k in ("events", "staff") if given.get(k)}  # as cxlab.check.inputs_for
    if "data" not in given:
        extra |= {"events", "staff"}  # the sample ships both
    return {
        "op": "check",
        "data": given.get("data", ""),
        "codebook": given.get("codebook", ""),
        "reports": names,
        "inputs": sorted(extra),
        "each": args.each or "",
        "periods": sorted({_period(params) for params in plan.values()}) or [""],
    }


def _survey_facts(asked, request: dict) -> dict:
    """The zygote's answer to the survey check, or the check run here when there is no zygote
    (or it failed for a reason of its own). A data, codebook or ``--each`` error ends the
    command (exit 2) with the loader's message, before any kernel runs a cell."""
    if asked is not None:
        try:
            reply = asked.result()
        except RuntimeError as e:
            reply = {"error": str(e), "fault": True}
        if "facts" in reply:
            return reply["facts"]
        if not reply.get("fault"):
            raise _Stop(EXIT_USAGE, reply["error"])
        logging.getLogger("cxlab.cli").warning("survey check in the zygote: %s", reply["error"])
    from cxlab.check import plan_pages

    try:
        return plan_pages(
            request["data"] or None,
            codebook=request["codebook"] or None,
            reports=request["reports"],
            inputs=request["inputs"],
            each=request["each"] or None,
            periods=request["periods"],
        )
    except ValueError as e:  # SurveyError, CodebookError, a bad --each column or period
        raise _Stop(EXIT_USAGE, str(e)) from None


#: A report with at least this many pages in kernels is rehearsed before they are forked.
REHEARSE_FROM = 4
#: A rehearsal starts no section after this many seconds (a unit page takes about one).
REHEARSAL_SECONDS = 3.0


def _prepare_kernels(zygote, pages: list[tuple], facts: dict) -> dict | None:
    """``--each``: what the zygote does before it forks the kernels of the pages.

    When a report has :data:`REHEARSE_FROM` pages or more to run in kernels (units under
    ``min_base`` get a page without one), the zygote imports what every kernel needs, and the
    request returned has it rehearse that report's first page and keep nothing
    (:mod:`cxlab.rehearsal`) once it has forked the first page's kernel: the other kernels then
    start warm, with exactly the modules the page uses. Otherwise (None returned) it pre-loads
    the modules any report may use.
    """
    from cxlab import reports, runner

    book_min_base = facts["min_base"]
    runs = [
        (n, params)
        for n, params, base in pages
        if not reports.small_unit(base, params, codebook_min_base=book_min_base)
    ]
    counts = Counter(n for n, _ in runs)
    name, count = counts.most_common(1)[0] if counts else ("", 0)
    rehearse = count >= REHEARSE_FROM
    notebooks = [reports.notebook_path(n) for n in sorted(counts)]
    zygote.send({"op": "preload", "modules": runner.kernel_modules(notebooks, base=not rehearse)})
    if not rehearse:
        return None
    params = next(p for n, p in runs if n == name)
    return {"op": "rehearse", "report": name, "parameters": params, "seconds": REHEARSAL_SECONDS}


def _tools(args, pages: list[tuple], zygote, rehearse: dict | None) -> tuple:
    """The kernel pool (kernels forked ahead of need), with --pdf the browser that prints, and
    the process that cuts the pages' fonts."""
    from cxlab import reports, runner
    from cxlab.fonts import FontWorker
    from cxlab.paths import NOTEBOOKS

    names = sorted({n for n, _, _ in pages})
    kernels = runner.make_pool(
        [reports.notebook_path(n) for n in names],
        pages=len(pages),
        jobs=args.jobs,
        cwd=NOTEBOOKS,
        zygote=zygote,
        preload=False,  # asked of the zygote already (_report_pages, _prepare_kernels)
        rehearse=rehearse,
    )
    printer = None
    if args.pdf:
        from cxlab.pdf import Printer

        printer = Printer()
    return kernels, printer, FontWorker()


def _run_all(
    args, pages: list[tuple], out_root: Path, zygote, facts: dict, rehearse: dict | None = None
) -> list[tuple]:
    """Run the pages (``--jobs`` at once); ``(name, page or None, error or None)`` each."""
    from cxlab import reports
    from cxlab.codebook import page_min_base

    interactive = sys.stderr.isatty() and not args.quiet
    total, started = len(pages), []

    def announce(stem: str) -> None:
        started.append(stem)
        if interactive:
            print(
                f"[{len(started)}/{total}] {stem} … ({total - len(started)} to go after this)",
                file=sys.stderr,
            )

    def one(page: tuple) -> tuple:
        n, params, base = page
        try:
            path = reports.run_report(
                n,
                parameters=params,
                out_root=out_root,
                show_code=args.show_code,
                from_text=True,
                lock_timeout=args.wait,
                progress=interactive and args.jobs == 1,
                on_start=announce,
                pdf=args.pdf,
                kernels=kernels,
                printer=printer,
                base=base,
                fonts=fonts,
                codebook_min_base=page_min_base(codebook_value=facts["min_base"]),
                each_label=facts.get("each_label"),
            )
        except reports.ReportError as e:
            return n, None, e
        return n, path, None

    kernels, printer, fonts = _tools(args, pages, zygote, rehearse)
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            return list(pool.map(one, pages))
    finally:
        for tool in (kernels, printer, fonts):
            if tool is not None:
                tool.close()


def _prune(args, out_root: Path) -> bool:
    """``--keep``: remove old dated folders; False if the file system refused."""
    from cxlab import reports

    try:
        removed = reports.prune(out_root, args.keep)
    except OSError as e:
        _say(f"could not remove old reports: {e.strerror or e}: {e.filename}")
        return False
    if not args.quiet:
        for folder in removed:
            print(f"removed {folder}")
    return True


def _exit_code(errors: list[Exception]) -> int:
    from cxlab import reports

    if any(not isinstance(e, reports.ReportLocked) for e in errors):
        return EXIT_FAILED
    return EXIT_LOCKED if errors else EXIT_OK


def _report(args) -> int:
    from cxlab import runner

    steps = {"start": time.perf_counter() - _T0}
    names = _reports_named(args.name)
    declared = _declared(names)
    if args.list_params:
        _print_parameters(declared)
        return EXIT_OK
    given = _given(args)
    plan = _plan(names, declared, given)
    out_root = _out_root(args)
    steps["parameters"] = time.perf_counter() - _T0 - sum(steps.values())
    # The process kernels are forked from starts now: it checks the survey and imports what the
    # kernels need while this process imports papermill and nbconvert.
    zygote = runner.spawn_zygote()
    try:
        return _report_pages(args, names, plan, given, out_root, zygote, steps)
    finally:
        runner.end_zygote(zygote)


def _report_pages(args, names, plan, given, out_root: Path, zygote, steps: dict) -> int:
    from cxlab import reports, runner

    request = _check_request(args, names, plan, given)
    asked = None
    if zygote is not None:
        asked = zygote.send(request)
        if not args.each:  # with --each, what kernels get waits for the units: _prepare_kernels
            modules = runner.kernel_modules([reports.notebook_path(n) for n in plan])
            zygote.send({"op": "preload", "modules": modules, "until_asked": len(plan) == 1})
    reports.warm_up(render=False)  # what the page's run needs: rendering is set up meanwhile
    threading.Thread(target=reports.warm_up, name="cxlab-warm-up", daemon=True).start()
    steps["imports"] = time.perf_counter() - _T0 - sum(steps.values())
    facts = _survey_facts(asked, request)
    for n in [n for n in plan if not facts["applicable"].get(n, True)]:
        del plan[n]
        if not args.quiet:
            print(f"{n}: not applicable to this survey (`cxlab check` says what it needs)")
    steps["check"] = time.perf_counter() - _T0 - sum(steps.values())
    pages = _pages(args, plan, facts)
    rehearse = None
    if zygote is not None and args.each:
        rehearse = _prepare_kernels(zygote, pages, facts)
    handler = _setup_log(out_root)
    try:
        log = logging.getLogger("cxlab.cli")
        log.info("%d page(s) planned (%s s)", len(pages), _seconds(steps))
        _say_unitless(args, plan, facts)
        _say_case_clashes(args, pages)
        results = _run_all(args, pages, out_root, zygote, facts, rehearse)
        for n, path, err in results:
            if err is not None:
                _say(err)
            elif not args.quiet:
                print(f"{n}: {path}")
        pruned = args.keep is None or _prune(args, out_root)
        log.info("command done in %.2f s", time.perf_counter() - _T0)
    finally:
        logging.getLogger("cxlab").removeHandler(handler)
        handler.close()
    if not args.quiet:
        print(f"index: {out_root / 'index.html'}")
    code = _exit_code([err for _, _, err in results if err is not None])
    return code if pruned or code != EXIT_OK else EXIT_FAILED


def _seconds(steps: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in steps.items())


def _reports_named(name: str) -> list[str]:
    from cxlab import reports

    return reports.list_reports() if name == "all" else [name]


def _check(args) -> int:
    from cxlab.check import check_survey, describe, inputs_for

    given = _given_files(args)
    try:
        result = check_survey(
            given.get("data"),
            codebook=given.get("codebook"),
            inputs=inputs_for(given, sample="data" not in given),
        )
    except ValueError as e:  # SurveyError, CodebookError: what to fix
        raise _Stop(EXIT_USAGE, str(e)) from None
    print(describe(result))
    return EXIT_OK


def _codebook(args) -> int:
    from cxlab import io
    from cxlab.draft import draft_codebook

    path = Path(args.export)
    if not path.exists():
        raise _Stop(EXIT_USAGE, f"{path} does not exist")
    try:
        export = io.read_export(path, platform=args.platform)
    except ValueError as e:
        raise _Stop(EXIT_USAGE, str(e)) from None
    draft = draft_codebook(
        export.df,
        source=path.name,
        labels=export.labels,
        value_labels=export.value_labels,
        meta=export.meta,
        grids=export.grids,
        sets=export.sets,
    )
    if args.out:
        out = Path(args.out)
        if out.exists():
            raise _Stop(EXIT_USAGE, f"{out} exists; give another name or remove it first")
        out.write_text(draft.text, encoding="utf-8")
        review = draft.decisions[draft.decisions["review"]]
        print(f"codebook draft: {out} ({len(draft.decisions)} guesses, {len(review)} to check)")
        for r in review.itertuples():
            print(f"  check {r.column}: {r.guess} ({r.reason})")
    else:
        print(draft.text, end="")
    return EXIT_OK


def _sample(args) -> int:
    from cxlab.paths import SAMPLE_DIR
    from cxlab.sample import write_sample

    paths = write_sample(Path(args.out) if args.out else SAMPLE_DIR, n=args.n, seed=args.seed)
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the ``cxlab`` command line; returns the exit code.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 done, 1 a report failed (or the reports folder could not be written), 2 the
        command was wrong, 3 a report was locked by another run (see the module docstring).

    Examples
    --------
    >>> main(["report", "satisfaction", "-p", "lang=fr"])
    2
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser(_command(argv)).parse_args(argv)
    try:
        if args.command == "tables":
            from cxlab.tables.command import run as tables

            return tables(args)
        if args.command == "followup":
            from cxlab.loop.command import run as followup

            return followup(args)
        commands = {"report": _report, "check": _check, "codebook": _codebook}
        return commands.get(args.command, _sample)(args)
    except _Stop as stop:
        _say(stop)
        return stop.code


if __name__ == "__main__":
    sys.exit(main())
