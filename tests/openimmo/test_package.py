"""The format package stands alone: no Django import, messages ready for translation."""

from __future__ import annotations

import ast
import json
import string
import subprocess
import sys
from pathlib import Path

from wagtail_openimmo.openimmo import Problem
from wagtail_openimmo.openimmo.problems import Text, error, warning

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "wagtail_openimmo" / "openimmo"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def test_the_openimmo_package_imports_no_django():
    script = (
        "import importlib, json, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module('wagtail_openimmo.openimmo.' + name)\n"
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('django', 'wagtail'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},  # no DJANGO_SETTINGS_MODULE
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "reader" in MODULES and "rules" in MODULES
    assert json.loads(result.stdout) == []


# --- messages ----------------------------------------------------------------------------------

# Parameters that the callers of values.* and fields.convert fill in for a template they return.
VALUE_PARAMS = {"label", "value", "parsed", "max_length"}


def _marked_strings(node) -> list[str]:
    """The ``_("...")`` templates in an expression (``a if c else b`` gives both)."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_":
        (arg,) = node.args
        assert isinstance(arg, ast.Constant) and isinstance(arg.value, str)
        return [arg.value]
    if isinstance(node, ast.IfExp):
        return _marked_strings(node.body) + _marked_strings(node.orelse)
    return []


def _placeholders(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


def _functions(name: str) -> dict[str, ast.FunctionDef]:
    tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
    return {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def test_every_problem_template_gets_its_parameters():
    """Calls that make a Problem pass every ``{name}`` their template uses.

    (``line`` and ``path`` are the Problem's own fields, not parameters: a template using
    them would never be filled in.)
    """
    template_arg = {"error": 1, "warning": 1, "make": 1, "required": 2}
    checked = 0
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            index = template_arg.get(getattr(node.func, "id", None))
            if index is None or len(node.args) <= index:
                continue
            given = {kw.arg for kw in node.keywords} - {"line", "path", "make"}
            for template in _marked_strings(node.args[index]):
                assert _placeholders(template) <= given, f"{path.name}: {template!r}"
                checked += 1
    assert checked > 40


def test_value_templates_use_only_the_parameters_their_callers_fill():
    """values.* and fields.convert return templates; fields and the header fill them in."""
    functions = _functions("values.py")
    templates = [
        t
        for n in ast.walk(ast.parse((PACKAGE / "values.py").read_text()))
        for t in _marked_strings(n)
    ]
    assert len(templates) > 8
    for template in templates:
        assert _placeholders(template) <= VALUE_PARAMS, template
    # the header's timestamp warning passes label and value only
    for node in ast.walk(functions["parse_datetime"]):
        for template in _marked_strings(node):
            assert _placeholders(template) <= {"label", "value"}, template
    for node in ast.walk(_functions("fields.py")["convert"]):
        for template in _marked_strings(node):
            assert _placeholders(template) <= VALUE_PARAMS, template


def test_problem_renders_english_and_translates_through_a_hook():
    problem = warning(
        "value_interpreted",
        "{label}: “{value}” uses a decimal comma; read as {parsed}.",
        line=12,
        path="preise/kaufpreis",
        label=Text("Purchase price"),
        value="5,95",
        parsed="5.95",
    )
    assert problem.message == "Purchase price: “5,95” uses a decimal comma; read as 5.95."
    assert str(problem) == "line 12: " + problem.message
    german = {
        "{label}: “{value}” uses a decimal comma; read as {parsed}.": (
            "{label}: „{value}“ hat ein Dezimalkomma; gelesen als {parsed}."
        ),
        "Purchase price": "Kaufpreis",
    }
    assert problem.render(lambda s: german.get(s, s)) == (
        "Kaufpreis: „5,95“ hat ein Dezimalkomma; gelesen als 5.95."
    )
    assert problem.as_dict() == {
        "code": "value_interpreted",
        "severity": "warning",
        "line": 12,
        "path": "preise/kaufpreis",
        "message": problem.message,
    }


def test_a_broken_translation_falls_back_to_english():
    problem = error("plz_missing", "The postcode is missing: please send geo/plz.", line=3)
    assert problem.render(lambda s: "Die PLZ fehlt: {unbekannt}.") == problem.message
    assert isinstance(problem, Problem) and problem.severity == "error"
