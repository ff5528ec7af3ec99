"""The layout keeps itself: layers only point down, no import cycles, no imports hidden in functions to dodge one,
and every app says what it owns."""

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["core", "covenant", "reports", "scoring", "awards", "documents", "workspace", "demo", "bench", "ops"]
PROJECT = {*APPS, "khoithidua"}

# Where an import inside a function is the right tool, not a dodge: Django's AppConfig.ready() (models are not
# loaded when apps.py is imported), and the benchmark script, which sets Django up itself before importing models.
ALLOWED_LOCAL_IMPORTS = {"bench/run.py"}


def test_layers_and_cycles_hold():
    """pyproject.toml's import-linter contracts: the apps are layers (core at the bottom), scoring's features point
    down, and no module of any package imports another that imports it back, even by a detour."""
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
                               "sys.exit(lint_imports(no_cache=True, no_logo=True))"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and "0 broken" in result.stdout


def _project_files():
    for app in sorted(PROJECT):
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in rel:
                yield rel, path


def test_no_project_import_is_hidden_in_a_function():
    hidden = []
    for rel, path in _project_files():
        if rel in ALLOWED_LOCAL_IMPORTS:
            continue
        tree = ast.parse(path.read_text())
        ready = {
            id(n)
            for cls in tree.body
            if isinstance(cls, ast.ClassDef) and rel.endswith("apps.py")
            for f in cls.body
            if isinstance(f, ast.FunctionDef) and f.name == "ready"
            for n in ast.walk(f)
        }
        top = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom | ast.Import) and id(node) not in top and id(node) not in ready:
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                if module and module.split(".")[0] in PROJECT:
                    hidden.append(f"{rel}:{node.lineno} {module}")
    assert hidden == []


@pytest.mark.parametrize("app", APPS)
def test_every_app_says_what_it_owns(app):
    doc = importlib.import_module(app).__doc__
    assert doc and len(doc.split()) >= 8, f"{app}/__init__.py needs a docstring saying what the app owns"


def test_the_kernel_imports_no_other_app_of_the_project():
    """Also checked by the layers contract; spelled out because everything rests on it."""
    imported = set()
    for rel, path in _project_files():
        if not rel.startswith("core/"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
    assert imported & PROJECT <= {"core"}
