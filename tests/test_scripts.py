"""The README's two commands run our own scripts: every Python module they (and the systemd
units) start with ``python -m`` must exist and be runnable, or a fresh clone's first command
fails before it does anything."""

import importlib.util
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STARTERS = [REPO / "scripts" / "demo", REPO / "scripts" / "test",
            *sorted((REPO / "firmware_config" / "systemd").glob("*.service"))]


def _modules_run(path: Path) -> list[str]:
    return re.findall(r"python3?\s+-m\s+([A-Za-z_][\w.]*)", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.name)
def test_every_module_a_script_runs_exists(path):
    for module in _modules_run(path):
        if module in ("venv", "pip", "pytest"):
            continue
        spec = importlib.util.find_spec(module)
        assert spec is not None, f"{path.name} runs a module that does not exist: {module}"
        runnable = spec.submodule_search_locations is None or \
            importlib.util.find_spec(f"{module}.__main__") is not None
        assert runnable, f"{path.name} runs a package with no __main__: {module}"


def test_the_demo_runs_the_command_line():
    assert "ansim" in _modules_run(REPO / "scripts" / "demo")
