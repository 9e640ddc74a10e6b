"""The pytest plugin against users who share cassettes and name tests at length
(testing/recording.py), and a plugin that must cost nothing to load (plugin.py). Code
that reaches for the network in ways a socket patch cannot see: test_guard.py.

Each scenario runs a throwaway user suite (plugin_suite.py) in a real pytest (pytester), as
test_plugin.py does: in-process where speed matters, in a subprocess where the process
itself is under test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from plugin_suite import MODEL, Suite

from newsbrief import summarize
from newsbrief.testing.cassettes import make_vcr
from tests.fakes.server import TINY_ARTICLE, TINY_DRAFT, draft_reply, serve

pytest_plugins = ["pytester"]

HEAVY = (
    "newsbrief.model",
    "newsbrief.digest",
    "newsbrief.brief",
    "newsbrief.render",
    "openai",
    "instructor",
    "vcr",
    "httpx2",
    "yaml",
)


@pytest.fixture(scope="module", autouse=True)
def _warm_imports(tmp_path_factory: pytest.TempPathFactory) -> None:
    """As in test_plugin.py: pytester restores sys.modules after each in-process run, so
    what the first model call imports lazily (instructor's providers among it) is imported
    once out here, where it stays."""
    cassette = tmp_path_factory.mktemp("warm") / "warm.yaml"
    with serve([draft_reply(TINY_DRAFT)]) as fake, make_vcr("all").use_cassette(str(cassette)):
        summarize(TINY_ARTICLE, base_url=fake.base_url, api_key="not-needed", model=MODEL)


def interactions(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text())["interactions"])


# --- (1) tests sharing one cassette ------------------------------------------------------------

SHARED = """
@pytest.mark.newsbrief_cassette("shared")
def test_first(newsbrief_endpoint):
    brief = newsbrief.summarize(TEXT, endpoint=newsbrief_endpoint)
    assert [f.number_text for f in brief.key_figures] == FIGURES


@pytest.mark.newsbrief_cassette("shared")
def test_second(newsbrief_endpoint):
    brief = newsbrief.summarize(TEXT + "Bonds were flat.\\n", endpoint=newsbrief_endpoint)
    assert [f.number_text for f in brief.key_figures] == FIGURES
"""


def test_tests_sharing_a_cassette_record_together_with_once(suite: Suite) -> None:
    suite.write("test_shared", SHARED)

    result, fake = suite.record("--newsbrief-record=once")

    result.assert_outcomes(passed=2)  # not "stale" for the second test
    assert len(fake.requests) == 2
    (cassette,) = suite.cassettes("test_shared")
    assert cassette.name == "shared.yaml"
    assert len(interactions(cassette)) == 2
    suite.run().assert_outcomes(passed=2)  # replay, no server


def test_rerecording_a_shared_cassette_with_all_keeps_every_test(suite: Suite) -> None:
    suite.write("test_shared", SHARED)
    suite.record("--newsbrief-record=once")[0].assert_outcomes(passed=2)
    (cassette,) = suite.cassettes("test_shared")
    data = yaml.safe_load(cassette.read_text())
    stale = json.loads(json.dumps(data["interactions"][0]))
    stale["request"]["body"] = stale["request"]["body"].replace("Markets", "Bourses")
    data["interactions"].append(stale)  # an old recording no test sends any more
    cassette.write_text(yaml.safe_dump(data))

    result, fake = suite.record("--newsbrief-record=all")

    result.assert_outcomes(passed=2)
    assert len(fake.requests) == 2  # both went to the server
    bodies = [i["request"]["body"] for i in interactions(cassette)]
    assert len(bodies) == 2  # both kept (not only the last test's), the stale one gone
    assert not any("Bourses" in b for b in bodies)
    suite.run().assert_outcomes(passed=2)


# --- (2) long names ----------------------------------------------------------------------------

LONG = """
LONG = ["nikkei " + "x" * 300 + " one", "nikkei " + "x" * 300 + " two", "日経平均" * 40]


@pytest.mark.parametrize("label", LONG, ids=LONG)  # pytest would shorten ids it made
def test_param(newsbrief_endpoint, label):
    brief = newsbrief.summarize(TEXT, endpoint=newsbrief_endpoint)
    assert [f.number_text for f in brief.key_figures] == FIGURES


@pytest.mark.newsbrief_cassette("y" * 400)
def test_marker(newsbrief_endpoint):
    brief = newsbrief.summarize(TEXT, endpoint=newsbrief_endpoint)
    assert [f.number_text for f in brief.key_figures] == FIGURES
"""


def test_long_test_ids_get_short_distinct_cassette_names(suite: Suite) -> None:
    suite.write("test_long", LONG)

    result, _ = suite.record("--newsbrief-record=once")

    result.assert_outcomes(passed=4)  # no "File name too long"
    names = [p.name for p in suite.cassettes("test_long")]
    assert len(names) == 4  # the two x ids differ only at their ends: still two files
    assert all(len(name.encode()) <= 120 for name in names), names  # bytes, not characters
    suite.run().assert_outcomes(passed=4)


# --- the user's paths in cassette metadata ----------------------------------------------------

MODEL_PATH = """
def test_brief(newsbrief_endpoint):
    brief = newsbrief.summarize(TEXT, endpoint=newsbrief_endpoint)
    assert [f.number_text for f in brief.key_figures] == FIGURES
"""


def test_a_model_given_as_a_path_is_recorded_as_its_basename(suite: Suite) -> None:
    suite.write("test_model", MODEL_PATH)
    model = "/home/alice/models/my-model.Q4_K_M.gguf"

    suite.record("--newsbrief-record=once", model=model)[0].assert_outcomes(passed=1)

    (cassette,) = suite.cassettes("test_model")
    raw = cassette.read_text()
    assert "/home/alice" not in raw and "alice" not in raw
    metadata = yaml.safe_load(raw)["metadata"]["newsbrief_endpoint"]
    assert metadata["model"] == "my-model.Q4_K_M.gguf"
    suite.run().assert_outcomes(passed=1)


# --- (3) nothing leaves the process during replay ----------------------------------------------


# --- (3) the plugin is cheap to load ----------------------------------------------------------


def test_importing_the_plugin_loads_none_of_the_model_stack() -> None:
    code = (
        "import json, sys\n"
        "import newsbrief.testing.plugin\n"
        f"heavy = {HEAVY!r}\n"
        "print(json.dumps(sorted(m for m in sys.modules"
        " if any(m == h or m.startswith(h + '.') for h in heavy))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(done.stdout) == []


def test_a_session_that_never_uses_the_plugin_loads_none_of_the_model_stack(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_plain=f"""
        import sys

        def test_nothing_heavy(request):
            assert request.config.pluginmanager.has_plugin("newsbrief")  # it did load
            heavy = {HEAVY!r}
            loaded = [m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy)]
            assert loaded == []
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=1)
