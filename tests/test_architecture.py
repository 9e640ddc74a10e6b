"""The package's shape: a cheap, side-effect-free `import newsbrief`, layers that keep the
model stack out of text analysis and input, import-linter's contracts, a public API that
resolves.

Import checks run in a fresh interpreter: this test process has long since loaded everything.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import grimp
import pytest

import newsbrief

ROOT = Path(__file__).resolve().parents[1]
MODEL_STACK = ("openai", "instructor")


def run_python(code: str) -> dict[str, object]:
    """Run `code` in a fresh interpreter; it prints one JSON object as its last line."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_import_newsbrief_loads_only_the_package_and_changes_no_global_state() -> None:
    state = run_python(
        """
        import json, logging, os, sys, warnings

        def snapshot():
            root = logging.getLogger()
            return {
                "handlers": [repr(h) for h in root.handlers],
                "root_level": root.level,
                "loggers": sorted(logging.root.manager.loggerDict),
                "filters": [repr(f) for f in warnings.filters],
                "excepthook": repr(sys.excepthook),
                "environ": sorted(os.environ.items()),
            }

        before = snapshot()
        import newsbrief
        after = snapshot()
        print(json.dumps({
            "ours": sorted(m for m in sys.modules if m.split(".")[0] == "newsbrief"),
            "stack": sorted(m for m in ("openai", "instructor", "httpx2", "tenacity")
                            if m in sys.modules),
            "factory_is_default": logging.getLogRecordFactory() is logging.LogRecord,
            "unchanged": [k for k in before if before[k] == after[k]],
            "changed": [k for k in before if before[k] != after[k]],
        }))
        """
    )
    assert state["ours"] == ["newsbrief"]
    assert state["stack"] == []
    assert state["factory_is_default"] is True
    assert state["changed"] == []


@pytest.mark.parametrize(
    "module",
    [
        "newsbrief.text.align",
        "newsbrief.text.article",
        "newsbrief.brief.grounding",
        "newsbrief.ingest.read",
    ],
)
def test_text_grounding_and_input_do_not_load_the_model_stack(module: str) -> None:
    state = run_python(
        f"""
        import json, sys
        import {module}
        print(json.dumps({{"loaded": sorted(m for m in {MODEL_STACK!r} if m in sys.modules)}}))
        """
    )
    assert state["loaded"] == [], f"importing {module} loaded {state['loaded']}"


def test_import_linter_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.exists(), "import-linter is in the dev extra: pip install -e .[dev]"
    done = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_every_public_name_resolves() -> None:
    assert len(set(newsbrief.__all__)) == len(newsbrief.__all__)
    for name in newsbrief.__all__:
        assert getattr(newsbrief, name) is not None, name
        assert name in dir(newsbrief)


def _modules_of_public_names() -> dict[str, list[str]]:
    by_module: dict[str, list[str]] = {}
    for name in newsbrief.__all__:
        by_module.setdefault(newsbrief._WHERE[name], []).append(name)
    return by_module


@pytest.mark.parametrize("module", sorted(_modules_of_public_names()))
def test_public_names_resolve_first_in_a_fresh_interpreter(module: str) -> None:
    """A lazy attribute touched first (no other module loaded yet) must not hit a cycle."""
    names = _modules_of_public_names()[module]
    state = run_python(
        f"""
        import json, newsbrief
        got = {{n: getattr(newsbrief, n).__name__ for n in {names!r}}}
        print(json.dumps(got))
        """
    )
    assert sorted(state) == sorted(names)


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        newsbrief.nonexistent  # noqa: B018


def test_only_model_asks_whether_an_endpoint_is_the_embedded_model() -> None:
    """Everything an endpoint kind decides (retries, concurrency, timeouts, batch files,
    price, progress words, the prefix warm-up) is its profile's (model/profile.py). The
    import of model.embedded is import-linter's to refuse; reading `.embedded` is this test's.
    """
    package = ROOT / "src" / "newsbrief"
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.is_relative_to(package / "model"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "embedded":
                found.append(f"{path.relative_to(package)}:{node.lineno}")
    assert found == []
    probe = ast.parse("endpoint.embedded")  # the walk sees what it looks for
    assert any(isinstance(n, ast.Attribute) and n.attr == "embedded" for n in ast.walk(probe))


def test_no_module_imports_one_that_imports_it_back() -> None:
    """No import circle, however long (model.pool and model.client were one: the client is
    now built by model.connect, which knows neither)."""
    graph = grimp.build_graph("newsbrief", exclude_type_checking_imports=True)
    circles = [
        (importer, imported)
        for importer in sorted(graph.modules)
        for imported in graph.find_modules_directly_imported_by(importer)
        if graph.find_shortest_chain(importer=imported, imported=importer)
    ]
    assert circles == []
    assert graph.find_modules_directly_imported_by("newsbrief.model.pool") >= {
        "newsbrief.model.connect"
    }
