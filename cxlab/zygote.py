"""The process that report kernels are forked from: imports once, forks a fresh kernel per page.

Run as ``python -m cxlab.zygote`` by :mod:`cxlab.runner`, never by hand. It is started first
thing by ``cxlab report``: it loads and checks the survey (so that the runner itself never
imports pandas, and imports papermill and nbconvert meanwhile), imports ipykernel and the modules
the report notebooks import (pandas, statsmodels, seaborn, jieba with its dictionary, cxlab...),
and from then on forks one process per kernel asked for. Each fork is a new Jupyter kernel with an empty namespace, a fresh IPython shell and
its own random state: only modules already imported are shared (copy-on-write), so a page never
sees what another page's cells did, and no page pays for the imports again.

Requests and replies are JSON lines on stdin and stdout, one reply per request, in order:

``{"op": "check", "data": "...", "codebook": "...", "reports": [...], "inputs": [...],
"each": "...", "periods": [...]}``
    load and check the survey: reply ``{"facts": ...}`` (:func:`cxlab.check.plan_pages`) or
    ``{"error": "what to fix"}``; a survey that loads is also pre-loaded for the kernels (as
    ``survey`` below).
``{"op": "preload", "modules": [...], "until_asked": false}``
    import them; reply ``{"preloaded": [...], "failed": {"name": "error"}, "stopped": false}``.
    With ``until_asked``, stop before the next module as soon as another request is waiting
    (``"stopped": true``): a single page's kernel gets what was imported by the time the
    runner is ready for it, and never waits for the rest.
``{"op": "survey", "data": "...", "codebook": "..."}``
    load the survey (:func:`cxlab.check.preload_survey`), so that each kernel forked from then
    on finds it in memory instead of reading the files again; reply ``{"survey": true}`` (or
    ``{"survey": false, "error": "..."}``: the pages then load it themselves and report it).
``{"op": "rehearse", "report": "...", "parameters": {...}, "seconds": S}``
    run the report's sections once on that page's parameters and keep nothing
    (:func:`cxlab.rehearsal.rehearse`), so that every kernel forked afterwards starts warm;
    reply ``{"rehearsed": [...]}`` (or ``{"rehearsed": [], "error": "..."}``).
``{"op": "fork", "connection_file": "...", "cwd": "..."}``
    fork a kernel that reads its ports and key from the connection file and runs in ``cwd``;
    reply ``{"pid": N}``.

End of input ends the process at once (``os._exit``: nothing to save); its kernels notice that
their parent is gone and exit too.
Nothing is imported at module level beyond the standard library, so nothing here runs in the
runner's own process.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import signal
import sys

#: Arguments every forked kernel starts with: quiet (only errors are logged), no input history
#: kept on disk (pages share nothing), and exit when this process is gone.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"]


def _reply(out, message: dict) -> None:
    out.write((json.dumps(message) + "\n").encode("utf-8"))
    out.flush()


def _preload(modules: list[str], waiting=lambda: False) -> dict:
    """Import ``modules`` (those that fail are reported, not raised) until ``waiting()`` says
    another request waits; warm jieba's dictionary once imported."""
    done, failed, stopped = [], {}, False
    for name in modules:
        if waiting():
            stopped = True
            break
        try:
            importlib.import_module(name)
            done.append(name)
        except Exception as e:  # a notebook's import that fails here fails again in its cell
            failed[name] = f"{type(e).__name__}: {e}"[:300]
    jieba = sys.modules.get("jieba")
    if jieba is not None and not stopped and not getattr(jieba, "_cxlab_warm", False):
        try:
            jieba.setLogLevel(60)
            jieba.initialize()
            jieba._cxlab_warm = True
        except Exception as e:
            failed["jieba.initialize"] = f"{type(e).__name__}: {e}"[:300]
    return {"preloaded": done, "failed": failed, "stopped": stopped}


def _check(request: dict) -> dict:
    """Load and check the survey (:func:`cxlab.check.plan_pages`) and keep it for the kernels."""
    try:
        from cxlab.check import plan_pages

        facts = plan_pages(
            request.get("data") or None,
            codebook=request.get("codebook") or None,
            reports=request.get("reports", []),
            inputs=request.get("inputs", []),
            each=request.get("each") or None,
            periods=request.get("periods") or [""],
        )
    except ValueError as e:  # SurveyError, CodebookError, a bad --each: what to fix
        return {"error": str(e)}
    except Exception as e:  # a fault, not the survey's: the runner checks in its own process
        return {"error": f"{type(e).__name__}: {e}"[:2000], "fault": True}
    if facts["loaded"]:
        _survey(request)  # loaded already: this only keeps it for the kernels
    return {"facts": facts}


def _survey(request: dict) -> dict:
    try:
        from cxlab.check import preload_survey

        preload_survey(request.get("data") or None, codebook=request.get("codebook") or None)
    except Exception as e:  # the page's own load raises it again, in the page
        return {"survey": False, "error": f"{type(e).__name__}: {e}"[:300]}
    return {"survey": True}


def _rehearse(request: dict) -> dict:
    try:
        from cxlab.rehearsal import rehearse

        done = rehearse(
            request["report"], request.get("parameters", {}), seconds=request.get("seconds")
        )
        return {"rehearsed": done}
    except Exception as e:  # the pages run anyway, cold
        return {"rehearsed": [], "error": f"{type(e).__name__}: {e}"[:300]}


def _kernel(connection_file: str, cwd: str, parent: int) -> None:
    """In the forked child: become a Jupyter kernel (never returns)."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setsid()  # Ctrl-C in the terminal goes to the runner, which ends its kernels
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        if _REPLY_FD is not None:  # the zygote's replies are not the kernel's to write
            os.close(_REPLY_FD)
        os.chdir(cwd)
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed()  # a fresh process would draw a new global seed; so does a fork
        from ipykernel.kernelapp import IPKernelApp  # imported in the zygote (see _handle)

        app = IPKernelApp.instance()
        app.initialize(
            ["-f", connection_file, *KERNEL_ARGUMENTS, f"--IPKernelApp.parent_handle={parent}"]
        )
        app.start()
        code = 0
    finally:
        os._exit(code)


class _Requests:
    """JSON requests from stdin, one per line; :meth:`waiting` tells whether one is there."""

    def __init__(self) -> None:
        self.fd = sys.stdin.fileno()
        self.buffer = b""
        self.closed = False

    def _read(self, timeout: float) -> None:
        readable, _, _ = select.select([self.fd], [], [], timeout)
        if readable:
            chunk = os.read(self.fd, 65536)
            self.buffer += chunk
            self.closed = not chunk

    def waiting(self) -> bool:
        if b"\n" not in self.buffer and not self.closed:
            self._read(0)
        return b"\n" in self.buffer or self.closed

    def next(self) -> dict | None:
        """The next request (None at the end of input), reaping ended kernels meanwhile."""
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                if line.strip():
                    return json.loads(line)
            if self.closed:
                return None
            _reap()  # so that a kernel that ended is gone at once, not a zombie
            self._read(0.05)


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _handle(request: dict, out, requests: _Requests) -> None:
    if request.get("op") == "preload":
        waiting = requests.waiting if request.get("until_asked") else (lambda: False)
        _reply(out, _preload(list(request.get("modules", [])), waiting))
    elif request.get("op") == "check":
        _reply(out, _check(request))
    elif request.get("op") == "survey":
        _reply(out, _survey(request))
    elif request.get("op") == "rehearse":
        _reply(out, _rehearse(request))
    elif request.get("op") == "fork":
        import ipykernel.kernelapp  # noqa: F401  (once, before the first fork)

        pid = os.fork()
        if pid == 0:
            _kernel(request["connection_file"], request["cwd"], os.getppid())
        _reply(out, {"pid": pid})
    else:
        _reply(out, {"error": f"unknown request {request!r}"[:300]})


#: The file descriptor replies are written to (see :func:`_reply_channel`).
_REPLY_FD: int | None = None


def _reply_channel():
    """Replies get the stdout pipe to themselves: standard output (fd 1) is pointed at the null
    device, so that whatever a module imported, a rehearsed page or a C library prints can never
    fall between two replies and break the runner's reading of them."""
    global _REPLY_FD
    sys.stdout.flush()
    _REPLY_FD = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    return os.fdopen(_REPLY_FD, "wb")


def main() -> None:
    """Serve requests until stdin closes (see the module docstring).

    Run as ``python -m cxlab.zygote``: requests are JSON lines on stdin, one reply line each on
    stdout after the first line, ``{"ready": true, "pid": N}``, written at once.

    Examples
    --------
    >>> import json, subprocess, sys
    >>> request = {"op": "preload", "modules": ["json", "no_such_module"]}
    >>> run = subprocess.run([sys.executable, "-m", "cxlab.zygote"], capture_output=True,
    ...                      input=(json.dumps(request) + "\\n").encode(), timeout=60)
    >>> ready, reply = [json.loads(line) for line in run.stdout.splitlines()]
    >>> ready["ready"], reply["preloaded"], list(reply["failed"])
    (True, ['json'], ['no_such_module'])
    """
    # As ipykernel does at start-up: figures go to the notebook, never to a window.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    out = _reply_channel()
    _reply(out, {"ready": True, "pid": os.getpid()})
    requests = _Requests()
    while (request := requests.next()) is not None:
        _handle(request, out, requests)
    out.flush()
    os._exit(0)  # nothing to clean up; a normal exit would finalise every module imported


if __name__ == "__main__":
    main()
