"""The module boundaries of docs/architecture.md, enforced: every `import` in src/duban (inside functions too,
and `importlib.import_module("…")` with a literal name) is checked against the layer table below.

- core knows no other app: it is the base of everything (org tree, people, scope, calendar, audit);
- matters (the kernel every kind shares: clock, light, runner, events, registry) knows only core;
- supervision (the escalation engine, 中梗阻 analytics) knows the kernel, never a kind of matter;
- a domain app (ledger, appeals, projects, safety, scoring, reports) uses another app only through its
  public modules (models, choices, selectors, services, forms, filters, and metrics: the figures the app
  computes, which the dashboard shows as the app's own pages do), never its views or internals.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "duban"

DOMAIN = {"ledger", "appeals", "projects", "safety", "scoring", "reports"}
# app → the apps it may import at all (itself always).
ALLOWED = {
    "core": set(),
    "matters": {"core"},
    "api": {"core"},
    "notify": {"core", "api"},
    "supervision": {"core", "matters", "notify", "api"},
    **{app: {"core", "matters", "notify", "api", "supervision", *DOMAIN} for app in DOMAIN},
}
# What one app may use of another (beyond core, matters, api and notify, which are shared infrastructure).
PUBLIC = {"models", "choices", "selectors", "services", "forms", "filters", "metrics"}
INFRASTRUCTURE = {"core", "matters", "api", "notify"}


def imported_names(source: str) -> list[tuple[int, str]]:
    """(line, dotted module name) of every import in `source`, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.count(".") == 1:  # `from duban.ledger import services`: the names are its modules
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value))
    return found


def violations(app: str, source: str, where: str = "<source>") -> list[str]:
    """What `source`, a module of `app`, imports across the boundaries."""
    if app not in ALLOWED:
        return []  # settings, urls, cli: the composition root may name every app
    problems = []
    for line, name in imported_names(source):
        parts = name.split(".")
        if parts[0] != "duban" or len(parts) < 2 or parts[1] == app:
            continue
        target = parts[1]
        if target not in ALLOWED and target not in DOMAIN:
            continue  # duban.env and other top-level modules
        if target not in ALLOWED[app]:
            problems.append(f"{where}:{line} {app} imports {name}")
        elif target not in INFRASTRUCTURE and len(parts) > 2 and parts[2] not in PUBLIC:
            problems.append(f"{where}:{line} {app} imports {name}, an internal module of {target}")
    return problems


def modules():
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if "migrations" in relative.parts:
            continue  # historical models name whatever they named then
        yield relative.parts[0] if len(relative.parts) > 1 else relative.stem, relative, path


def test_no_module_crosses_a_boundary():
    problems = [p for app, relative, path in modules() for p in violations(app, path.read_text(encoding="utf-8"), str(relative))]
    assert problems == []


def test_supervision_and_core_import_no_kind_of_matter():
    """The two rules the kernel issue names, spelt out: found by the same walk as above."""
    named = {(app, name) for app, _relative, path in modules() for _line, name in imported_names(path.read_text(encoding="utf-8"))}
    assert not {(app, name) for app, name in named if app in {"supervision", "core", "matters"} and name.split(".")[1:2] and name.split(".")[1] in DOMAIN}


@pytest.mark.parametrize(("app", "source", "expected"), [
    ("supervision", "from duban.ledger.models import Task\n", ["<source>:1 supervision imports duban.ledger.models"]),
    ("supervision", "def f():\n    from duban.ledger import work\n", ["<source>:2 supervision imports duban.ledger.work"]),
    ("core", "import duban.supervision.sweep\n", ["<source>:1 core imports duban.supervision.sweep"]),
    ("core", "import importlib\nimportlib.import_module('duban.ledger.demo')\n", ["<source>:2 core imports duban.ledger.demo"]),
    ("matters", "from duban.notify.services import send\n", ["<source>:1 matters imports duban.notify.services"]),
    ("ledger", "from duban.supervision.views import actions_for_matter\n",
     ["<source>:1 ledger imports duban.supervision.views, an internal module of supervision"]),
    ("ledger", "from duban.supervision import selectors\nfrom duban.matters import lights\n", []),
    ("appeals", "from duban.ledger.services import create_task\n", []),
])
def test_the_checker_catches_a_forbidden_import(app, source, expected):
    """The walk fails on each kind of crossing (so the test above is not green by accident)."""
    assert violations(app, source) == expected
