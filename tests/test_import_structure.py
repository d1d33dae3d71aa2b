"""The package's module-level imports: the models never import the front end, and importing
and exporting run without it.

Two views of the same rule: a static one (the imports written at module level, which also
catches an import that only one code path would trigger) and a live one (a fresh interpreter
that loads the apps and the importer and exporter, then looks at ``sys.modules``).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import wagtail_openimmo

PACKAGE = "wagtail_openimmo"
ROOT = Path(wagtail_openimmo.__file__).resolve().parent
REPO = ROOT.parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {
    module_name(p): p for p in ROOT.rglob("*.py") if "migrations" not in p.relative_to(ROOT).parts
}


def module_level_statements(body):
    """Statements run on import: the module's, and those of its classes, if/try blocks —
    not function bodies (an import there runs only when the function is called)."""
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            children = getattr(node, field, None)
            if isinstance(children, list):
                yield from module_level_statements(children)


def with_parents(name: str) -> set[str]:
    """Importing a.b.c runs a, a.b and a.b.c."""
    parts = name.split(".")
    return {".".join(parts[:n]) for n in range(1, len(parts) + 1)}


def imports_of(name: str) -> set[str]:
    path = MODULES[name]
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in module_level_statements(ast.parse(path.read_text()).body):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            found.add(target)
            # ``from pkg import module`` imports pkg.module too
            found.update(f"{target}.{alias.name}" for alias in node.names)
    result = set()
    for target in found:
        result.update(m for m in with_parents(target) if m in MODULES)
    return result - {name}


GRAPH = {name: imports_of(name) for name in MODULES}


def reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in GRAPH[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def in_package(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_graph_is_read():
    """The parser sees the imports this test is about (else the rules below pass vacuously)."""
    assert "wagtail_openimmo.models.pages" in GRAPH["wagtail_openimmo.models"]
    assert "wagtail_openimmo.models" in GRAPH["wagtail_openimmo.frontend.images"]
    assert "wagtail_openimmo.frontend.presentation" in GRAPH["wagtail_openimmo.frontend.views"]
    assert "wagtail_openimmo.frontend.seo" in GRAPH["wagtail_openimmo.templatetags.openimmo_tags"]


def test_the_models_do_not_import_the_front_end_at_module_level():
    for name in MODULES:
        if in_package(name, f"{PACKAGE}.models"):
            front_end = {m for m in reachable(name) if in_package(m, f"{PACKAGE}.frontend")}
            assert not front_end, f"{name} imports {sorted(front_end)} at module level"


def test_no_cycle_between_the_models_and_the_front_end():
    for name in MODULES:
        if in_package(name, f"{PACKAGE}.frontend"):
            assert name not in reachable(name), f"{name} imports itself through a cycle"
    for name in MODULES:
        if in_package(name, f"{PACKAGE}.models"):
            assert name not in reachable(name), f"{name} imports itself through a cycle"


def test_importing_and_exporting_do_not_import_the_front_end():
    for name in MODULES:
        if in_package(name, f"{PACKAGE}.importing") or in_package(name, f"{PACKAGE}.exporting"):
            front_end = {m for m in reachable(name) if in_package(m, f"{PACKAGE}.frontend")}
            assert not front_end, f"{name} imports {sorted(front_end)}"


LIVE_CHECK = """
import importlib, json, pkgutil, sys
import django
django.setup()
loaded_with_apps = sorted(m for m in sys.modules if m.startswith("wagtail_openimmo.frontend"))
import wagtail_openimmo.exporting, wagtail_openimmo.importing
for package in (wagtail_openimmo.importing, wagtail_openimmo.exporting):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
loaded = sorted(m for m in sys.modules if m.startswith("wagtail_openimmo.frontend"))
importlib.import_module("wagtail_openimmo.frontend.views")
print(json.dumps([loaded_with_apps, loaded, "wagtail_openimmo.frontend.views" in sys.modules]))
"""


def test_a_fresh_interpreter_loads_models_importer_and_exporter_without_the_front_end():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(
        [sys.executable, "-c", LIVE_CHECK], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    loaded_with_apps, loaded, views_importable = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded_with_apps == []  # app loading (all models) did not import the front end
    assert loaded == []  # nor did any module of importing or exporting
    assert views_importable  # and the front end imports on top of the models without a cycle
