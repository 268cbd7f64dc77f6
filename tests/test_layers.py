"""The shape of the house, checked.

The layers are declared once, as import-linter contracts in pyproject.toml: data flows from
``hardware`` through ``rf``/``optics`` and ``detector`` to ``web``, ``bench`` and the command line
(``ansim``), the one composition root; ``detector``'s parts are layered the same way; ``rf`` and
``optics`` never touch hardware; only the appliance opens the simulated restroom. These tests run
those contracts, and guard what an import check cannot see: code that reads simulator truth
through an object it was handed, and tests that borrow from the benchmarks.
"""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
LINTER = PYPROJECT["tool"]["importlinter"]

#: Packages whose code must work the same on real hardware: they never read what only a
#: simulation knows (the handheld's true pose, the scene behind a session).
NO_SIMULATOR_TRUTH = ("rf", "optics", "detector/engine", "detector/log", "detector/hub", "web")
SIMULATOR_TRUTH_ATTRIBUTES = {"pose", "pose_at", "scene", "handheld"}


def test_every_package_is_in_the_declared_layers():
    packages = {p.parent.name for p in REPO.glob("*/__init__.py")} - {"tests"}
    assert packages == set(LINTER["root_packages"])


def test_every_layer_contract_is_kept():
    """import-linter reads every import in the tree, including those inside functions."""
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter), "--no-cache"], cwd=REPO, capture_output=True,
                            text=True, timeout=300)
    contracts = len(LINTER["contracts"])
    assert result.returncode == 0 and f"{contracts} kept, 0 broken" in result.stdout, \
        result.stdout[-3000:] + result.stderr[-2000:]


def _attribute_reads(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}


@pytest.mark.parametrize("place", NO_SIMULATOR_TRUTH)
def test_pipelines_and_engine_never_read_simulator_truth(place):
    offenders = [f"{path.relative_to(REPO)} reads .{name}"
                 for path in sorted((REPO / place).rglob("*.py"))
                 for name in sorted(_attribute_reads(path) & SIMULATOR_TRUTH_ATTRIBUTES)]
    assert not offenders, "\n".join(offenders)


def test_tests_take_generators_from_the_simulator_not_from_the_benchmarks():
    """Seeded scenes and signals live in hardware/sim (and a throwaway PostgreSQL in testkit),
    so tests import ``bench`` only to test a benchmark itself (tests/bench/)."""
    offenders = []
    for path in sorted((REPO / "tests").rglob("*.py")):
        if path.parent.name == "bench":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "bench" or n.startswith("bench.") for n in names):
                offenders.append(str(path.relative_to(REPO)))
    assert not offenders, "\n".join(offenders)
