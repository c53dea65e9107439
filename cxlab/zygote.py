"""The process that report kernels are forked from: imports once, forks a fresh kernel per page.

Run as ``python -m cxlab.zygote`` by :class:`cxlab.runner.KernelPool`, never by hand. It imports
ipykernel, then (when asked) the modules the report notebooks import (pandas, statsmodels,
seaborn, jieba with its dictionary, cxlab...), and from then on forks one process per kernel
asked for. Each fork is a new Jupyter kernel with an empty namespace, a fresh IPython shell and
its own random state: only modules already imported are shared (copy-on-write), so a page never
sees what another page's cells did, and no page pays for the imports again.

Requests and replies are JSON lines on stdin and stdout:

``{"op": "preload", "modules": [...]}``
    import them; reply ``{"preloaded": [...], "failed": {"name": "error"}}``.
``{"op": "survey", "data": "...", "codebook": "..."}``
    load the survey (:func:`cxlab.check.preload_survey`), so that each kernel forked from then
    on finds it in memory instead of reading the files again; reply ``{"survey": true}`` (or
    ``{"survey": false, "error": "..."}``: the pages then load it themselves and report it).
``{"op": "fork", "connection_file": "...", "cwd": "..."}``
    fork a kernel that reads its ports and key from the connection file and runs in ``cwd``;
    reply ``{"pid": N}``.

End of input ends the process; its kernels notice that their parent is gone and exit too.
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


def _preload(modules: list[str]) -> dict:
    """Import ``modules`` (those that fail are reported, not raised); warm jieba's dictionary."""
    done, failed = [], {}
    for name in modules:
        try:
            importlib.import_module(name)
            done.append(name)
        except Exception as e:  # a notebook's import that fails here fails again in its cell
            failed[name] = f"{type(e).__name__}: {e}"[:300]
    jieba = sys.modules.get("jieba")
    if jieba is not None:
        try:
            jieba.setLogLevel(60)
            jieba.initialize()
        except Exception as e:
            failed["jieba.initialize"] = f"{type(e).__name__}: {e}"[:300]
    return {"preloaded": done, "failed": failed}


def _survey(request: dict) -> dict:
    try:
        from cxlab.check import preload_survey

        preload_survey(request.get("data") or None, codebook=request.get("codebook") or None)
    except Exception as e:  # the page's own load raises it again, in the page
        return {"survey": False, "error": f"{type(e).__name__}: {e}"[:300]}
    return {"survey": True}


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
        os.chdir(cwd)
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed()  # a fresh process would draw a new global seed; so does a fork
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(
            ["-f", connection_file, *KERNEL_ARGUMENTS, f"--IPKernelApp.parent_handle={parent}"]
        )
        app.start()
        code = 0
    finally:
        os._exit(code)


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _handle(request: dict, out) -> None:
    if request.get("op") == "preload":
        _reply(out, _preload(list(request.get("modules", []))))
    elif request.get("op") == "survey":
        _reply(out, _survey(request))
    elif request.get("op") == "fork":
        pid = os.fork()
        if pid == 0:
            _kernel(request["connection_file"], request["cwd"], os.getppid())
        _reply(out, {"pid": pid})
    else:
        _reply(out, {"error": f"unknown request {request!r}"[:300]})


def main() -> None:
    """Serve requests until stdin closes (see the module docstring).

    Run as ``python -m cxlab.zygote``: requests are JSON lines on stdin, one reply line each on
    stdout after the first line, ``{"ready": true, "pid": N}``.

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
    import ipykernel.kernelapp  # noqa: F401  (imported once, shared by every fork)

    out = sys.stdout.buffer
    fd = sys.stdin.fileno()
    _reply(out, {"ready": True, "pid": os.getpid()})
    buffer = b""
    while True:
        readable, _, _ = select.select([fd], [], [], 0.2)
        _reap()  # so that a kernel that ended is gone at once, not a zombie
        if not readable:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line.strip():
                _handle(json.loads(line), out)


if __name__ == "__main__":
    main()
