"""NEWSBRIEF_* settings: a bad value is one line naming the variable (exit 1), never a
traceback, and never breaks an unrelated pytest session; flags accept what their variables
accept; --help lists the variables; NEWSBRIEF_PRICES feeds the cost estimate."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from support import ROOT, run_cli

from newsbrief import build_digest, settings
from newsbrief.contract import Usage
from newsbrief.digest.batch import DigestOptions
from newsbrief.digest.pricing import PRICES_PER_MTOK, estimate_cost
from newsbrief.errors import ConfigError
from newsbrief.model.endpoint import Endpoint, resolve_endpoint
from tests.fakes.digests import article, router
from tests.fakes.server import TINY_DRAFT, draft_reply, serve

pytest_plugins = ["pytester"]

SEED = str(ROOT / "seeds" / "000_8fdb093730accb2d.txt")
PROGRESS = "newsbrief: summarizing "


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No NEWSBRIEF_* setting of the developer's leaks into a child process."""
    for name in list(os.environ):
        if (name.startswith("NEWSBRIEF_") or name == "OPENAI_API_KEY") and (
            name != "NEWSBRIEF_CACHE_DIR"  # conftest's per-test cache: never the user's own
        ):
            monkeypatch.delenv(name)


# (variable, bad value, input): NEWSBRIEF_FETCH_TIMEOUT is read only when a URL is fetched
# (settings are parsed when used), so its input is a loopback URL that is never contacted.
BAD_VALUES = [
    ("NEWSBRIEF_MAX_BYTES", "2MB", SEED),
    ("NEWSBRIEF_MODE", "bogus", SEED),
    ("NEWSBRIEF_CONTEXT", "abc", SEED),
    ("NEWSBRIEF_TIMEOUT", "x", SEED),
    ("NEWSBRIEF_FETCH_TIMEOUT", "soon", "{url}/article.txt"),
]


@pytest.mark.parametrize(("name", "value", "source"), BAD_VALUES, ids=[b[0] for b in BAD_VALUES])
@pytest.mark.usefixtures("clean_env")
def test_bad_variable_is_one_line_exit_1(name: str, value: str, source: str) -> None:
    with serve([draft_reply(TINY_DRAFT)]) as fake:
        root_url = fake.base_url.removesuffix("/v1")
        done = run_cli(
            ["summarize", source.format(url=root_url)],
            env={name: value, "NEWSBRIEF_BASE_URL": fake.base_url},
            timeout=120,
        )
        assert fake.count == 0, "a bad setting must stop the run before any request"
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    # The only other line allowed is the progress notice printed before the work starts.
    lines = [line for line in done.stderr.splitlines() if not line.startswith(PROGRESS)]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("newsbrief: error: ")
    assert name in lines[0] and repr(value) in lines[0]
    assert sum(name in line for line in done.stderr.splitlines()) == 1


TRIVIAL_SUITE = """
import newsbrief

def test_trivial():
    assert newsbrief.__version__
"""


@pytest.mark.parametrize(
    "bad",
    [
        {"NEWSBRIEF_MAX_BYTES": "2MB"},
        {name: value for name, value, _ in BAD_VALUES} | {"NEWSBRIEF_PRICES": "/nonexistent"},
    ],
    ids=["max-bytes", "every-bad-value"],
)
@pytest.mark.usefixtures("clean_env")
def test_pytest_still_loads_with_a_bad_variable(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, bad: dict[str, str]
) -> None:
    """Our pytest11 plugin loads into every session: a bad setting must not break them."""
    for name, value in bad.items():
        monkeypatch.setenv(name, value)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_trivial=TRIVIAL_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=300)
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["plugins:*newsbrief*"])  # our plugin did load


@pytest.mark.parametrize(
    "flag",
    [["--concurrency", "0"], ["--rpm", "-1"], ["--timeout", "0"], ["--tpm", "1.5"]],
    ids=lambda f: " ".join(f),
)
def test_bad_flag_is_a_usage_error(flag: list[str]) -> None:
    done = run_cli(["digest", *flag, "x.txt"], timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"argument {flag[0]}" in done.stderr


@pytest.mark.parametrize("command", [[], ["digest"]], ids=["newsbrief", "digest"])
def test_help_lists_every_environment_variable(command: list[str]) -> None:
    done = run_cli([*command, "--help"], timeout=120)
    assert done.returncode == 0, done.stderr
    missing = [v.name for v in settings.ALL if v.name not in done.stdout]
    assert missing == [], f"`newsbrief {' '.join(command)} --help` does not list {missing}"
    assert "environment variables:" in done.stdout


# --- NEWSBRIEF_PRICES ----------------------------------------------------------------------

REMOTE = Endpoint(model="house-model", base_url="http://127.0.0.1:9/v1")
USAGE = Usage(prompt_tokens=2_000_000, completion_tokens=500_000, total_tokens=2_500_000)


def price_file(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "prices.json"
    path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.usefixtures("clean_env")
def test_price_file_changes_the_estimate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert estimate_cost(REMOTE, USAGE) == 0.0  # an unknown model has no price
    mini = Endpoint(model="gpt-4o-mini", base_url="http://127.0.0.1:9/v1")
    built_in = estimate_cost(mini, USAGE)
    in_price, out_price = PRICES_PER_MTOK["gpt-4o-mini"]
    assert built_in == pytest.approx(2 * in_price + 0.5 * out_price)

    path = price_file(tmp_path, json.dumps({"house-model": [1.0, 4.0], "gpt-4o-mini": [10, 20]}))
    monkeypatch.setenv("NEWSBRIEF_PRICES", str(path))
    assert estimate_cost(REMOTE, USAGE) == pytest.approx(2 * 1.0 + 0.5 * 4.0)
    assert estimate_cost(mini, USAGE) == pytest.approx(2 * 10 + 0.5 * 20)
    # Models the file does not name keep their built-in price.
    other = Endpoint(model="gpt-4o", base_url="http://127.0.0.1:9/v1")
    gpt4o_in, gpt4o_out = PRICES_PER_MTOK["gpt-4o"]
    assert estimate_cost(other, USAGE) == pytest.approx(2 * gpt4o_in + 0.5 * gpt4o_out)


@pytest.mark.usefixtures("clean_env")
def test_overrides_win_over_the_price_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = price_file(tmp_path, json.dumps({"house-model": [1.0, 4.0]}))
    monkeypatch.setenv("NEWSBRIEF_PRICES", str(path))
    cost = estimate_cost(REMOTE, USAGE, {"house-model": (3.0, 8.0)})
    assert cost == pytest.approx(2 * 3.0 + 0.5 * 8.0)


@pytest.mark.parametrize(
    "content",
    [
        None,  # no file at all
        "{not json",
        "[1, 2]",
        '{"house-model": 3}',
        '{"house-model": ["cheap", 1]}',
        '{"house-model": [1]}',
        '{"house-model": [-1, 1]}',
    ],
    ids=["missing", "not-json", "list", "scalar", "text", "short", "negative"],
)
@pytest.mark.usefixtures("clean_env")
def test_unusable_price_file_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | None
) -> None:
    path = tmp_path / "prices.json" if content is None else price_file(tmp_path, content)
    monkeypatch.setenv("NEWSBRIEF_PRICES", str(path))
    with pytest.raises(ConfigError, match="NEWSBRIEF_PRICES") as caught:
        estimate_cost(REMOTE, USAGE)
    assert "\n" not in str(caught.value)


@pytest.mark.usefixtures("clean_env")
def test_embedded_model_costs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = price_file(tmp_path, json.dumps({"qwen": [5.0, 5.0], "gpt-4o-mini": [5.0, 5.0]}))
    monkeypatch.setenv("NEWSBRIEF_PRICES", str(path))
    for model in ("qwen", "gpt-4o-mini"):
        local = Endpoint(model=model, base_url=None, embedded=True)
        assert estimate_cost(local, USAGE) == 0.0
        assert estimate_cost(local, USAGE, {model: (9.0, 9.0)}) == 0.0


@pytest.mark.usefixtures("clean_env")
def test_price_file_reaches_the_digest_cost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = []
    for i in (1, 2):
        paths.append(tmp_path / f"{i}.txt")
        paths[-1].write_text(article(i), encoding="utf-8")
    # A million dollars per million tokens: one dollar per token, easy to count.
    path = price_file(tmp_path, json.dumps({"house-model": [1e6, 2e6]}))
    monkeypatch.setenv("NEWSBRIEF_PRICES", str(path))
    with serve(router()) as fake:
        endpoint = resolve_endpoint(model="house-model", base_url=fake.base_url)
        digest = build_digest(paths, endpoint=endpoint)
        cheaper = build_digest(
            paths, endpoint=endpoint, options=DigestOptions(prices={"house-model": (0.5e6, 1e6)})
        )
    usage = digest.stats.usage
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert digest.stats.cost_usd == pytest.approx(
        usage.prompt_tokens * 1 + usage.completion_tokens * 2
    )
    assert cheaper.stats.cost_usd == pytest.approx(digest.stats.cost_usd / 2)
