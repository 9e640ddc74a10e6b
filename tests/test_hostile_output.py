"""Output injection: article-, model-, server- and file-name-derived text stays inert text.

In Markdown it renders as exactly itself (no link, image, HTML, heading or code span it did
not ask for), in HTML it is autoescaped and never an href/src, and on the terminal no escape
sequence or rich markup gets through. Markdown is checked by rendering it with markdown-it
(CommonMark + GFM tables and strikethrough), as a reader's viewer would.
"""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.console import Console

from newsbrief.cli.main import main
from newsbrief.contract import (
    Brief,
    Evidence,
    KeyFigure,
    Note,
    PolicyImplication,
    Provenance,
    Source,
    Usage,
)
from newsbrief.digest.batch import DigestOptions
from newsbrief.digest.build import build_digest
from newsbrief.digest.contract import (
    ArticleResult,
    CrossImplication,
    Digest,
    DigestStats,
    Discrepancy,
    FigureEntry,
    FigureGroup,
    Story,
    Theme,
)
from newsbrief.model.endpoint import resolve_endpoint
from newsbrief.render import to_html, to_markdown
from newsbrief.render.escape import md_cell, md_code, md_text
from newsbrief.text.numbers import parse_number
from tests.fakes.digests import article, router
from tests.fakes.server import TINY_ARTICLE, Reply, draft_reply, serve

# --- hostile strings -------------------------------------------------------------------------

JS_LINK = "[click me](javascript:alert(1))"
AUTOLINK = "<javascript:alert(2)>"
PIXEL = "![](http://evil.example/pixel.png)"
REF_LINK = "[see here][1] [1]: http://evil.example/ref"
RAW_HTML = '<img src=x onerror="alert(3)">'
ENTITY = "&#106;avascript:alert(4)"
CODE = "`x` and ``y``"
EMPHASIS = "**loud** _quiet_ ~~gone~~"

CLEAR = "\x1b[2J"
TITLE = "\x1b]0;pwned\x07"
OSC8 = "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\"
CSI = "\x9b31m"
TERMINAL = [CLEAR, TITLE, OSC8, CSI, "\x7f", "\r", "\x00"]
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

MARKDOWN_ATTACKS = [JS_LINK, AUTOLINK, PIXEL, REF_LINK, RAW_HTML, ENTITY, CODE, EMPHASIS]
LINE_STARTS = ["# Heading", "- item", "+ item", "1. item", "2) item", "---", "===", "> quote"]
LINE_STARTS += ["```python", "[1]: http://evil.example/def", "Issue ##", "\\[x\\](javascript:1)"]
LINE_STARTS += ["- - -", "-- -", "==", "1.", "3)", "#hashtag", "+"]


def mixed(i: int) -> str:
    """Every Markdown attack, in one line of text."""
    return f"T{i} {JS_LINK} {AUTOLINK} {PIXEL} {REF_LINK} {RAW_HTML} {ENTITY} {CODE} {EMPHASIS}"


# --- rendering Markdown as a viewer would --------------------------------------------------------

MD = MarkdownIt("commonmark").enable("table").enable("strikethrough")
MD.validateLink = lambda url: True  # type: ignore[method-assign]  # as naive renderers do
ACTIVE = {"link_open", "image", "html_inline", "html_block", "s_open"}
FORMAT = {"em_open", "strong_open", "code_inline"}  # ours only, counted in whole documents


def tokens(markdown: str) -> list[Token]:
    out: list[Token] = []

    def walk(items: list[Token]) -> None:
        for t in items:
            out.append(t)
            walk(t.children or [])

    walk(MD.parse(markdown))
    return out


def rendered_text(markdown: str) -> str:
    """What a reader sees: every text and code node, joined."""
    parts = [t.content for t in tokens(markdown) if t.type in {"text", "code_inline"}]
    return " ".join(" ".join(parts).split())


def headings(markdown: str) -> list[tuple[str, str]]:
    toks = MD.parse(markdown)
    return [
        (t.tag, "".join(c.content for c in (toks[i + 1].children or [])))
        for i, t in enumerate(toks)
        if t.type == "heading_open"
    ]


def shown(text: str) -> str:
    """What md_text promises to show for `text`: one line, controls as U+FFFD."""
    return RAW_CONTROLS.sub("\ufffd", " ".join(text.split()))


# --- md_text, md_cell, md_code ------------------------------------------------------------------


@pytest.mark.parametrize("text", MARKDOWN_ATTACKS + LINE_STARTS)
def test_md_text_renders_as_exactly_the_text(text: str) -> None:
    md = md_text(text)
    types = {t.type for t in tokens(md)}
    assert not types & (ACTIVE | FORMAT | {"heading_open", "hr"}), md
    assert not types & {"bullet_list_open", "ordered_list_open", "blockquote_open", "fence"}, md
    assert rendered_text(md) == text, md


@pytest.mark.parametrize(
    "text", ["3.75%", "-0.3% on the day", "+1.2 points", "1.5x", "=5", "Wow! Rates (again) rose"]
)
def test_md_text_leaves_plain_prose_as_it_is(text: str) -> None:
    assert md_text(text) == text
    assert md_cell(text) == text


def test_reference_links_cannot_pair_up() -> None:
    md = "\n\n".join(md_text(t) for t in ["[x][1] and [y]", "[1]: http://evil.example/", "[y]: /z"])
    assert not {t.type for t in tokens(md)} & ACTIVE, md
    assert rendered_text(md) == "[x][1] and [y] [1]: http://evil.example/ [y]: /z"


@pytest.mark.parametrize("text", MARKDOWN_ATTACKS + LINE_STARTS)
def test_md_text_is_inert_after_a_heading_marker(text: str) -> None:
    md = f"# {md_text(text)}\n"
    assert headings(md) == [("h1", text)], md
    assert not {t.type for t in tokens(md)} & ACTIVE


@pytest.mark.parametrize("text", [*MARKDOWN_ATTACKS, "a | b \\| c", "|---|"])
def test_md_cell_stays_in_its_cell(text: str) -> None:
    table = f"| a | b |\n|---|---|\n| {md_cell(text)} | end |\n"
    cells = [t for t in tokens(table) if t.type == "inline"][2:]
    assert [c.content for c in cells][1:] == ["end"], table
    assert rendered_text(table) == f"a b {text} end", table
    assert not {t.type for t in tokens(table)} & ACTIVE


@pytest.mark.parametrize(
    "text",
    ["a`b", "``", "`leading", "trailing`", "x ``` y", "q[/bold]z.txt", f"{RAW_HTML} {JS_LINK} |"],
)
def test_md_code_shows_any_content_verbatim(text: str) -> None:
    md = f"- A1: title ({md_code(text)}, sha256 0123)\n"
    codes = [t.content for t in tokens(md) if t.type == "code_inline"]
    assert codes == [text], md
    assert rendered_text(md) == f"A1: title ( {text} , sha256 0123)", md
    assert not {t.type for t in tokens(md)} & ACTIVE


@pytest.mark.parametrize("sequence", TERMINAL)
def test_md_text_drops_terminal_controls(sequence: str) -> None:
    for render in (md_text, md_cell, md_code):
        out = render(f"a{sequence}b")
        assert not RAW_CONTROLS.search(out), (render.__name__, out)


# --- a hostile brief and digest ------------------------------------------------------------------

ARTICLE = (
    f"Title {JS_LINK} {CLEAR}\n"
    f"The index {PIXEL} closed at 57,890 {AUTOLINK} on the day.\n"
    f"The bank {RAW_HTML} will hold rates {REF_LINK}.\n"
)


def _figure(text: str, quote: str, number_text: str, label: str) -> KeyFigure:
    start = text.index(quote)
    value, unit = parse_number(number_text)
    return KeyFigure(
        quote=quote,
        start=start,
        end=start + len(quote),
        label=label,
        number_text=number_text,
        value=value,
        unit=unit,
        grounding="exact",
    )


def hostile_brief(title: str = f"# {mixed(0)} {TITLE}") -> Brief:
    text = ARTICLE
    quote = f"closed at 57,890 {AUTOLINK}"
    evidence = f"will hold rates {REF_LINK}"
    start = text.index(evidence)
    return Brief(
        source=Source.from_text(text, title=title),
        summary=f"- {mixed(1)} {OSC8}",
        key_figures=[_figure(text, quote, "57,890", f"{mixed(2)} | {CSI}")],
        policy_implications=[
            PolicyImplication(
                statement=f"1. {mixed(3)}",
                actor=f"{EMPHASIS} {CLEAR}",
                evidence=Evidence(quote=evidence, start=start, end=start + len(evidence)),
            )
        ],
        warnings=[f"{mixed(4)} {TITLE}"],
        notes=[Note(kind="reader", text=f"{mixed(4)} {TITLE}")],
        provenance=Provenance(
            model=f"{JS_LINK}{TITLE}",
            endpoint="openai-compatible",
            mode="json_schema",
            prompt_version="v1",
            usage=Usage(total_tokens=15),
            attempts=1,
        ),
    )


BACKTICK_FILE = "/tmp/in/report`s [x](javascript:alert(5)) q[/bold]z.txt"
SOURCE = f"{mixed(15)} {TITLE}"  # a feed's name, as a hostile feed may write it
FAILED_FILE = f"/tmp/in/``{CLEAR}bad``.txt"


def hostile_digest() -> Digest:
    brief = hostile_brief(title=f'<img src=x onerror="alert(9)"> {mixed(5)}')
    figure = brief.key_figures[0]
    return Digest(
        headline=f"# {mixed(6)} {TITLE}",
        themes=[Theme(title=mixed(7), summary=f"{mixed(8)} {OSC8}", article_ids=["A1"])],
        implications=[
            CrossImplication(statement=f"- {mixed(9)}", actor=JS_LINK, article_ids=["A1"])
        ],
        discrepancies=[Discrepancy(description=f"{mixed(10)} {CSI}", article_ids=["A1", "A2"])],
        figure_groups=[
            FigureGroup(
                key="k",
                label=f"{mixed(11)} {CLEAR}",
                unit="",
                entries=[FigureEntry(**figure.model_dump(), article_id="A1", index=0)],
                conflicting=True,
            )
        ],
        stories=[
            Story(
                id="S1",
                title=f"{mixed(14)} {CLEAR}",
                article_ids=["A1"],
                sources=[SOURCE],
                source_count=1,
                single_source=True,
            )
        ],
        articles=[
            ArticleResult(article_id="A1", origin=BACKTICK_FILE, brief=brief, source=SOURCE),
            ArticleResult(article_id="A2", origin=FAILED_FILE, error=f"{mixed(12)} {TITLE}"),
        ],
        warnings=[f"{mixed(13)} {OSC8}"],
        notes=[Note(kind="reader", text=f"{mixed(13)} {OSC8}")],
        stats=DigestStats(articles=2, summarized=1, failed=1, model_calls=2, cached=0),
        model=f"{PIXEL} {CSI}",
        generated_at="2025-01-01T00:00:00Z",
    )


def strings_in(value: Any) -> list[str]:
    """Every string in a model dump (what the renderers could print)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def assert_inert_markdown(md: str, expected_headings: list[tuple[str, str]]) -> None:
    assert not RAW_CONTROLS.search(md.replace("\n", "")), "a control character reached Markdown"
    types = [t.type for t in tokens(md)]
    assert not set(types) & ACTIVE, sorted(set(types) & ACTIVE)
    assert "hr" not in types and "fence" not in types and "code_block" not in types
    assert headings(md) == expected_headings


def test_brief_markdown_is_inert() -> None:
    brief = hostile_brief()
    md = to_markdown(brief)
    assert_inert_markdown(
        md,
        [
            ("h1", shown(brief.source.title)),
            ("h2", "Key figures"),
            ("h2", "Policy implications"),
            ("h2", "Notes"),  # a reader note: not one of our repairs
        ],
    )
    text = rendered_text(md)
    for s in [brief.summary, brief.key_figures[0].label, brief.key_figures[0].quote]:
        assert shown(s) in text, s
    for s in [brief.policy_implications[0].statement, brief.warnings[0]]:
        assert shown(s) in text, s
    assert shown(brief.provenance.model) in text
    types = [t.type for t in tokens(md)]
    assert types.count("code_inline") == 0
    assert types.count("strong_open") == 1  # our **actor**
    assert types.count("em_open") == 1  # our _provenance_
    assert types.count("bullet_list_open") == 2  # implications, warnings


def test_digest_markdown_is_inert() -> None:
    digest = hostile_digest()
    md = to_markdown(digest)
    brief = digest.briefs["A1"]
    assert_inert_markdown(
        md,
        [
            ("h1", shown(digest.headline)),
            ("h2", "What matters"),
            ("h2", "Market snapshot"),
            ("h2", "All stories"),
            ("h2", "Themes"),
            ("h2", "Policy implications"),
            ("h2", "Discrepancies between sources"),
            ("h2", "Same figure, different sources"),
            ("h2", "Key figures"),
            ("h2", "Articles"),
            ("h3", shown(brief.source.title)),
            ("h2", "Not summarized"),
            ("h2", "Notes"),
            ("h2", "Sources"),
        ],
    )
    text = rendered_text(md)
    planted = [JS_LINK, PIXEL, CLEAR, TITLE, OSC8, CSI, "/tmp/in/"]
    hostile = [s for s in strings_in(digest.model_dump()) if any(p in s for p in planted)]
    assert len(hostile) > 20
    for s in hostile:
        if s not in {brief.source.text, brief.provenance.model}:  # not in a digest's Markdown
            assert shown(s) in text, s
    codes = [t.content for t in tokens(md) if t.type == "code_inline"]
    assert codes == [shown(FAILED_FILE), shown(BACKTICK_FILE), shown(FAILED_FILE)]
    types = [t.type for t in tokens(md)]
    assert types.count("em_open") == 3  # our _stats_, _byline_ and _tokens_ lines
    # our **key number** in the lead, **theme**, **figure group**, **actor** (digest's and
    # brief's), **number**
    assert types.count("strong_open") == 6


def test_digest_markdown_table_keeps_three_columns() -> None:
    md = to_markdown(hostile_digest())
    rows = [t for t in tokens(md) if t.type == "tr_open"]
    cells = [t for t in tokens(md) if t.type in {"th_open", "td_open"}]
    # the snapshot and the key figures: a header and one row each, three columns
    assert len(rows) == 4 and len(cells) == 12


# --- HTML ----------------------------------------------------------------------------------------


class Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(name, value or "") for name, value in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_digest_html_is_inert() -> None:
    digest = hostile_digest()
    html = to_html(digest)
    dom = Dom()
    dom.feed(html)
    assert not {"script", "img", "iframe", "object", "embed", "link"} & set(dom.tags)
    names = {name for name, _ in dom.attrs}
    assert not {n for n in names if n.startswith("on")}, names
    assert "src" not in names
    hrefs = [v for n, v in dom.attrs if n == "href"]
    assert hrefs and all(re.fullmatch(r"#[A-Za-z0-9-]+", h) for h in hrefs), hrefs
    assert not any("javascript" in v or "evil" in v for _, v in dom.attrs)
    text = "".join(dom.text)
    assert JS_LINK in text and '<img src=x onerror="alert(9)">' in text  # shown as text
    assert not RAW_CONTROLS.search(html.replace("\n", "")), "a control character reached HTML"
    assert "&lt;img src=x onerror=&#34;alert(9)&#34;&gt;" in html


def test_digest_json_escapes_c0_controls() -> None:
    # JSON escapes C0 controls itself; DEL and C1 (U+007F-U+009F) it leaves raw.
    dumped = hostile_digest().model_dump_json(indent=2)
    assert not re.search("[\x00-\x1f]", dumped.replace("\n", ""))
    assert json.loads(dumped)["headline"] == hostile_digest().headline


# --- the terminal --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "visible"),
    [
        (CLEAR, "\\x1b[2J"),
        (TITLE, "\\x1b]0;pwned\\x07"),
        (OSC8, "\\x1b]8;;http://evil.example\\x1b\\click\\x1b]8;;\\x1b\\"),
        (CSI, "\\x9b31m"),
        ("a\x7fb\x00c\rd\x85e", "a\\x7fb\\x00c\\x0dd\\x85e"),
        ("line one\nline\ttwo é ☃ —", "line one\nline\ttwo é ☃ —"),
    ],
)
def test_safe_for_terminal(raw: str, visible: str) -> None:
    from newsbrief.cli.terminal import safe_for_terminal

    assert safe_for_terminal(raw) == visible
    assert not RAW_CONTROLS.search(safe_for_terminal(raw).replace("\n", ""))


def test_terminal_and_markdown_agree_on_controls() -> None:
    from newsbrief.cli import terminal
    from newsbrief.render import escape

    assert terminal.CONTROL_CHARS.pattern == escape.CONTROL_CHARS.pattern
    every = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    caught = {c for c in every if terminal.CONTROL_CHARS.fullmatch(c)}
    expected = {chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]} - {"\n", "\t"}
    assert caught == expected


def no_raw_controls(output: str) -> None:
    assert not RAW_CONTROLS.search(output.replace("\n", "")), repr(output)


def test_summarize_prints_no_escape_sequences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"a{TITLE}.txt"
    # $60 billion (C03) is a figure our code cannot name alone: the answer's label names it.
    buyers = "Overseas investors were heavy buyers, with net purchases of more than $60 billion.\n"
    path.write_text(TINY_ARTICLE + buyers)
    draft = {
        "key_figures": [
            {"id": "C01", "label": f"Nikkei {TITLE} close {PIXEL}"},
            {"id": "C02", "label": f"Nikkei gain {OSC8}"},
            {"id": "C03", "label": f"foreign inflows {TITLE} {PIXEL}"},
        ],
        "summary": [f"The Nikkei rallied {CLEAR}.", f"{JS_LINK} {OSC8}"],
        "policy_implications": [
            {
                "statement": f"The Nikkei closed higher {EMPHASIS} on the day.",
                "actor": f"central bank {CSI}",
                "evidence": ["S02"],
            }
        ],
    }
    with serve([draft_reply(draft)]) as fake:
        code = main(["summarize", str(path), "--base-url", fake.base_url])
        assert fake.count == 1  # both labels pass their checks: nothing re-asked
    out, err = capsys.readouterr()
    assert code == 0, err
    no_raw_controls(out)
    no_raw_controls(err)
    assert "\\x1b]0;pwned\\x07" in err  # the file name, made visible
    assert not {t.type for t in tokens(out)} & ACTIVE
    text = rendered_text(out)
    assert f"foreign inflows \ufffd]0;pwned\ufffd {PIXEL}" in text
    # The implication and its actor, kept and inert (its statement states no number).
    assert f"The Nikkei closed higher {EMPHASIS} on the day." in text and "\ufffd31m" in text


def test_error_lines_print_no_escape_sequences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / f"gone{CLEAR}{CSI}.txt"
    assert main(["summarize", str(missing), "--base-url", "http://127.0.0.1:9/v1"]) == 1
    err = capsys.readouterr().err
    no_raw_controls(err)
    assert err.startswith("newsbrief: error: ") and "gone\\x1b[2J\\x9b31m.txt" in err

    path = tmp_path / "a.txt"
    path.write_text(TINY_ARTICLE)
    refusal = {"error": {"message": f"refused {OSC8} {TITLE} {CLEAR}"}}
    with serve([Reply(status=400, body=refusal)]) as fake:
        assert main(["summarize", str(path), "--base-url", fake.base_url]) == 1
    err = capsys.readouterr().err
    no_raw_controls(err)
    assert "refused \\x1b]8;;http://evil.example\\x1b\\click" in err
    assert err.strip().splitlines()[-1].startswith("newsbrief: error: ")


def test_digest_progress_and_output_print_no_escape_sequences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / f"in{TITLE}"
    (folder / "q[").mkdir(parents=True)
    good = folder / f"q[/bold]z{CLEAR}.txt"
    good.write_text(article(1))
    bad = folder / f"r{CSI}.txt"
    bad.write_text(article(2).replace("Market report", "REFUSE report"))
    with serve(router(fail_if="REFUSE")) as fake:
        argv = ["digest", str(good), str(bad), "--base-url", fake.base_url, "--no-cache"]
        code = main(argv)
    out, err = capsys.readouterr()
    assert code == 3, err
    no_raw_controls(out)
    no_raw_controls(err)
    assert "q[/bold]z\\x1b[2J.txt" in err and "r\\x9b31m.txt" in err
    codes = [t.content for t in tokens(out) if t.type == "code_inline"]
    assert any(c.endswith("q[/bold]z\ufffd[2J.txt") for c in codes), codes


def test_cassettes_check_prints_no_escape_sequences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / f"evil{TITLE}{CLEAR}.yaml").write_text("interactions: [[[\n")
    assert main(["cassettes", "check", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    no_raw_controls(out)
    no_raw_controls(err)
    assert "evil\\x1b]0;pwned\\x07\\x1b[2J.yaml" in out


# --- rich markup ---------------------------------------------------------------------------------


def tty() -> tuple[Console, io.StringIO]:
    screen = io.StringIO()
    return Console(file=screen, force_terminal=True, width=120), screen


def test_progress_bar_shows_markup_like_names_as_text() -> None:
    from newsbrief.cli.progress import Reporter

    cases = {
        "q[/bold]z.txt": "q[/bold]z.txt",
        f"t{TITLE}[red]x.txt": "t\\x1b]0;pwned\\x07[red]x.txt",
        "[link=http://evil]u[/link]": "[link=http://evil]u[/link]",
    }
    for origin, visible in cases.items():
        console, screen = tty()
        reporter = Reporter(console)
        reporter.start(1)
        reporter.done(ArticleResult(article_id="A1", origin=origin, error="[/]"))
        reporter.close()  # shows the last description once more
        output = screen.getvalue()
        assert f"A1 failed {visible}" in output
        assert "\x1b]" not in output and "\x07" not in output  # no title, no OSC 8 link


def test_plain_progress_lines_show_names_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    from newsbrief.cli.progress import Reporter

    reporter = Reporter(Console(file=io.StringIO(), force_terminal=False))
    reporter.start(1)
    reporter.done(ArticleResult(article_id="A1", origin=f"a{OSC8}.txt", error=f"no {CLEAR}"))
    reporter.close()
    err = capsys.readouterr().err
    no_raw_controls(err)
    assert "a\\x1b]8;;http://evil.example" in err and "no \\x1b[2J" in err


def test_summarize_status_spinner_takes_markup_like_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # main()'s Console believes it is a terminal
    (tmp_path / "q[").mkdir()
    path = tmp_path / "q[/bold]z.txt"  # a folder `q[` and a file `bold]z.txt`
    path.write_text(TINY_ARTICLE)
    draft = {
        "key_figures": [
            {"id": "C01", "label": "Nikkei close"},
            {"id": "C02", "label": "Nikkei daily gain"},
        ],
        "summary": ["The Nikkei rallied."],
        "policy_implications": [],
    }
    with serve([draft_reply(draft)]) as fake:
        code = main(["summarize", str(path), "--base-url", fake.base_url, "--model", "[/x]"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "MarkupError" not in err and "internal error" not in err
    assert "\\[/x\\]" in out  # the model name, in the provenance line, escaped
    assert "[/x]" in rendered_text(out)


def test_digest_runs_with_a_markup_like_model_name(tmp_path: Path) -> None:
    (tmp_path / "q[").mkdir()
    (tmp_path / "q[/bold]z.txt").write_text(article(1))
    with serve(router()) as fake:
        digest = build_digest(
            [tmp_path / "q[/bold]z.txt"],
            endpoint=resolve_endpoint(model="[/x]", base_url=fake.base_url),
            options=DigestOptions(use_cache=False),
        )
    md = to_markdown(digest)
    assert "[/x]" in rendered_text(md)
    assert not {t.type for t in tokens(md)} & ACTIVE
