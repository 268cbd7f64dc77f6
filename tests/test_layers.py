"""Data flows one way: hardware -> rf/optics -> detector -> web. Each package may import only
the packages above it. The one exception is the ``ansim`` command's entry points that start the
dashboard (``ansim serve``, ``ansim hub``): they are where the application is put together, so
they load ``web`` inside the command, never at import."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PROJECT_PACKAGES = {"hardware", "rf", "optics", "detector", "web", "bench"}
ALLOWED = {
    "hardware": set(),
    "rf": set(),
    "optics": set(),
    "detector": {"hardware", "rf", "optics"},
    "web": {"detector"},
}
#: Entry points that start the dashboard, and may import web inside their command function.
COMPOSITION_ROOTS = {"detector/cli/commands/serve.py", "detector/cli/commands/hub.py"}


def _imported_packages(path: Path, *, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in tree.body if top_level_only else ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & PROJECT_PACKAGES


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_above_it(package):
    offenders = []
    for path in sorted((REPO / package).rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        imported = _imported_packages(path, top_level_only=relative in COMPOSITION_ROOTS)
        wrong = imported - ALLOWED[package] - {package}
        if wrong:
            offenders.append(f"{relative} imports {sorted(wrong)}")
    assert not offenders, "\n".join(offenders)
