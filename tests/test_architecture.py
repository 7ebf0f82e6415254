"""The rooms, checked from the code: no import cycles (also none hidden in a function body), bot/
reaches handlers/ only through the composition root, the pure libraries stay pure, and the
platform SDKs stay in handlers/ (and the wiring in bot/app.py).

Imports are read with ``ast`` from every module of the four packages, wherever they stand in
the file (module level, function bodies, ``TYPE_CHECKING`` blocks): a cycle closed inside a
function is still a cycle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "knowledge", "matching")
COMPOSITION_ROOT = "bot.app"
SDKS = ("linebot", "slack_bolt", "slack_sdk")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts and "versions" in path.parts:
                continue  # Alembic scripts are loaded by Alembic, not imported
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every module ``name`` imports: project modules resolved to the deepest one that exists
    (``from bot.staff import faq`` -> bot.staff.faq), others by their top-level name."""
    out: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # A submodule if it is one (``from bot.staff import faq``), else a name of ``base``.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES and "." in target:
                target = target.rpartition(".")[0]
            if target in MODULES:
                if target != name:
                    out.add(target)
            elif target:
                out.add(target.split(".")[0])
    return out


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v] & MODULES.keys():
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return found


def test_the_import_reader_sees_imports_in_function_bodies():
    """The checks below are only as good as the reader: it must see a lazy import."""
    assert "handlers.line.webhook" in GRAPH["bot.app"]  # imported inside create_app
    assert "bot.engine.router" in GRAPH["bot.engine"]


#: Cycles known and left alone, each with why (none today).
KNOWN_CYCLES: list[list[str]] = []


def test_no_import_cycles():
    assert [c for c in _cycles() if c not in KNOWN_CYCLES] == []


def test_bot_reaches_handlers_only_through_the_composition_root():
    crossing = {
        name: sorted(t for t in targets if t == "handlers" or t.startswith("handlers."))
        for name, targets in GRAPH.items()
        if name.startswith("bot") and name != COMPOSITION_ROOT
    }
    assert {name: t for name, t in crossing.items() if t} == {}


def test_handlers_never_import_the_composition_root():
    assert [
        name for name, targets in GRAPH.items() if name.startswith("handlers") and COMPOSITION_ROOT in targets
    ] == []


def test_knowledge_and_matching_import_nothing_of_bot_or_handlers():
    for name, targets in GRAPH.items():
        if name.split(".")[0] in ("knowledge", "matching"):
            assert not {t.split(".")[0] for t in targets} & {"bot", "handlers"}, name


def test_platform_sdks_only_in_handlers_and_the_wiring():
    users = {name for name, targets in GRAPH.items() if {t.split(".")[0] for t in targets} & set(SDKS)}
    assert {u for u in users if not u.startswith("handlers.") and u != COMPOSITION_ROOT} == set()


def test_bot_staff_and_messaging_load_no_platform_sdk_and_no_handlers():
    """What the imports promise, at run time: the staff side and the durable path load without
    slack_bolt, slack_sdk, linebot or handlers/."""
    modules = [m for m in MODULES if m.startswith(("bot.staff", "bot.messaging", "bot.engine"))]
    code = (
        f"import sys, importlib; [importlib.import_module(m) for m in {modules!r}]; "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {{'slack_bolt', 'slack_sdk', 'linebot', 'handlers'}}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
