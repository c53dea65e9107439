"""pyproject.toml and environment.yml describe the same environment."""

from __future__ import annotations

import re
import tomllib

import yaml

from cxlab.paths import PROJECT_ROOT


def _name(spec: str) -> str:
    return re.split(r"[<>=!~\[ ;]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"
    ]
    wanted = {_name(d) for d in project["dependencies"]}
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda, pip = set(), set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip |= {_name(d) for d in dep["pip"] if not d.startswith("-e")}
        else:
            conda.add(_name(dep))
    assert wanted == (conda | pip) - {"python", "pip"}


def test_lock_pins_every_dependency():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"
    ]
    deps = project["dependencies"] + project["optional-dependencies"]["test"]
    pinned = {
        _name(line)
        for line in (PROJECT_ROOT / "requirements.lock").read_text().splitlines()
        if "==" in line
    }
    assert {_name(d) for d in deps} <= pinned
