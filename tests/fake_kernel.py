"""papermill without a kernel, for tests of the report runner that need no real notebook run."""

from __future__ import annotations

import nbformat


def tiny_notebook(path, body="print('你好')"):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    p = nbformat.v4.new_code_cell('wave: str = ""  # survey wave\nlang: str = "zh"  # language')
    p.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 小报告\n\n## 第一节"),
        p,
        nbformat.v4.new_code_cell(body),
    ]
    nbformat.write(nb, path)
    return path


def fake_execute(input_path, output_path, parameters=None, **kwargs):
    """papermill without a kernel: a cell `raise X(msg)` fails, every other prints the params."""
    from papermill.exceptions import PapermillExecutionError

    nb = nbformat.read(input_path, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    injected = nbformat.v4.new_code_cell(
        "\n".join(f"{k} = {v!r}" for k, v in (parameters or {}).items())
    )
    injected.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(at + 1, injected)
    for n, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        if cell.source.startswith("raise "):
            ename, _, rest = cell.source[len("raise ") :].partition("(")
            evalue = eval(rest.rstrip(")"))
            cell.outputs = [
                nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[])
            ]
            nbformat.write(nb, output_path)
            raise PapermillExecutionError(n, n, cell.source, ename, evalue, [])
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{parameters}\n")]
    nbformat.write(nb, output_path)
