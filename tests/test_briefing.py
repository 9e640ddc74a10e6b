"""The morning briefing (issue 20): a lead, source names, marks since the last run, cron
runs that are safe, reader notes for readers, a brief as a page."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import CHROME_FLAGS, find_chromium

from newsbrief.cli.main import main
from newsbrief.contract import Brief, Note, Provenance, Source
from newsbrief.digest.contract import Story
from newsbrief.digest.since import RunRecord, changes, record_of
from newsbrief.render import to_html, to_markdown
from newsbrief.render.brief_page import segments
from newsbrief.render.escape import md_inline, md_text
from tests.fakes.briefing import LATER, STORIES, Site, ledger_site, morning_model, write_morning
from tests.fakes.server import Reply, completion, serve

# An id of ours (a candidate C07, a sentence S03, an article A3) in text a reader sees.
OUR_ID = re.compile(r"\b[ACS]\d{1,3}\b")
LIVE = [s for s in STORIES if s[3]]  # every entry whose page exists


@pytest.fixture
def site() -> Iterator[Site]:
    with ledger_site() as state:
        yield state


def _digest_args(inputs: list[str], cache: Path, base_url: str, *more: str) -> list[str]:
    return [
        "digest", *inputs, "--since", "last-run", "--allow-private", "--base-url", base_url,
        "--api-key", "sk-test", "--cache-dir", str(cache), "--concurrency", "2", *more,
    ]  # fmt: skip


def _visible(page: str) -> str:
    """The text of an HTML page without its tags and attributes (where anchors live)."""
    return re.sub(r"<[^>]*>", " ", page)


# --- cron ------------------------------------------------------------------------------------


def test_a_cron_run_with_nothing_new_exits_0_and_leaves_the_page_untouched(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = write_morning(tmp_path, site, LIVE[:4])
    out = tmp_path / "today.html"
    with serve(morning_model) as fake:
        args = _digest_args(inputs, tmp_path / "cache", fake.base_url, "-o", str(out))
        assert main(args) == 0
        capsys.readouterr()
        page, stamp = out.read_bytes(), out.stat().st_mtime_ns
        assert main(args) == 0
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("newsbrief: nothing new since ")
        assert err[0].endswith(f"left {out} as it was")
        assert out.read_bytes() == page and out.stat().st_mtime_ns == stamp
        assert main([*args, "--force"]) == 0  # --force writes the "nothing new" page
    capsys.readouterr()
    forced = out.read_text()
    assert forced != page.decode() and 'id="since">Nothing new since ' in forced
    assert "0 of 0 articles summarized" in forced


def test_nothing_new_on_stdout_prints_one_line_and_no_digest(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = write_morning(tmp_path, site, LIVE[:2])
    with serve(morning_model) as fake:
        args = _digest_args(inputs, tmp_path / "cache", fake.base_url)
        assert main(args) == 0
        capsys.readouterr()
        assert main(args) == 0
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err.count("\n") == 1 and "nothing new since" in printed.err


def test_a_down_feed_never_overwrites_a_good_page(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "today.html"
    out.write_text("yesterday's good page")
    with serve(morning_model) as fake:
        gone = site.url("/gone.xml")  # 404: the feed is down
        args = _digest_args([gone], tmp_path / "cache", fake.base_url, "-o", str(out))
        assert main(args) == 1
        err = capsys.readouterr().err
        assert "no article could be summarized" in err and f"left {out} as it was" in err
        assert out.read_text() == "yesterday's good page"
        assert main([*args, "--force"]) == 1  # asked for: written, and still an error
    assert "Not summarized" in out.read_text()


# --- marks since the previous digest ---------------------------------------------------------


def _brief(text: str, figures: list[tuple[str, str]]) -> Brief:
    from newsbrief.contract import KeyFigure
    from newsbrief.text.numbers import parse_number

    key = []
    for label, number in figures:
        start = text.index(number)
        value, unit = parse_number(number)
        end = start + len(number)
        figure = KeyFigure(quote=number, start=start, end=end, label=label, number_text=number,
                           value=value, unit=unit, grounding="exact")  # fmt: skip
        key.append(figure)
    return Brief(
        source=Source.from_text(text),
        summary=text,
        key_figures=key,
        provenance=Provenance(
            model="m", endpoint="openai-compatible", mode="json_schema", prompt_version="v"
        ),
    )


def test_stories_and_figures_are_marked_against_the_previous_digest() -> None:
    old = _brief("Brent rose 3.2% to $84.10.", [("Brent gain", "3.2%"), ("Brent", "$84.10")])
    before = record_of("2026-11-18 07:00 UTC", {"A1": old}, {"A1": "HSJ"})
    again = old  # the same article: no mark
    moved = _brief("Brent rose 4.0% to $84.10 later.", [("Brent gain", "4.0%"),
                                                         ("Brent", "$84.10")])  # fmt: skip
    fresh = _brief("Gold fell 0.9% to $2,310.", [("Gold fall", "0.9%")])
    briefs = {"A1": again, "A2": moved, "A3": fresh}
    stories = [
        Story(id="S1", title="Oil", article_ids=["A1", "A2"], sources=["HSJ"], source_count=1,
              single_source=True),
        Story(id="S2", title="Gold", article_ids=["A3"], sources=["HSJ"], source_count=1,
              single_source=True),
    ]  # fmt: skip
    names = {"A1": "HSJ", "A2": "HSJ", "A3": "HSJ"}
    marked = changes(before, stories, briefs, names)
    assert marked.previous_at == "2026-11-18 07:00 UTC"
    assert marked.stories == {"S1": "changed", "S2": "new"}
    assert marked.figures == {"A2-f0": "changed", "A3-f0": "new"}  # $84.10 unchanged
    assert changes(None, stories, briefs, names).anything is False  # a first run marks nothing
    # The same label from another source is that source's news, not a change of HSJ's.
    assert changes(before, stories, briefs, {**names, "A2": "Wire"}).figures["A2-f0"] == "new"
    # A record that is read back is the same record.
    assert RunRecord.model_validate_json(before.model_dump_json()) == before


# --- the morning in a browser ----------------------------------------------------------------

MEASURE = """<!DOCTYPE html><html><body>
<iframe id="f" src="{page}" style="width:{width}px;height:900px;border:0"></iframe>
<script>
document.getElementById('f').onload = function () {{
  var d = document.getElementById('f').contentDocument, e = d.documentElement;
  var r = {{scroll: e.scrollWidth, client: e.clientWidth, height: e.scrollHeight,
           details: d.querySelectorAll('details').length,
           open: d.querySelectorAll('details[open]').length,
           lead: d.querySelectorAll('#lead li').length,
           first: d.querySelector('main, section') ? d.querySelector('section').id : ''}};
  var p = document.createElement('pre'); p.id = 'result'; p.textContent = JSON.stringify(r);
  document.body.appendChild(p);
}};
</script></body></html>"""


def _measure(chromium: str, page: Path, width: int, profile: Path) -> dict[str, Any]:
    """The page in a frame `width` px wide, measured by a script of ours outside it (the
    page's own policy allows no script)."""
    harness = page.with_name(f"measure-{page.stem}-{width}.html")
    harness.write_text(MEASURE.format(page=page.name, width=width), encoding="utf-8")
    dumped = subprocess.run(
        [chromium, *CHROME_FLAGS, f"--user-data-dir={profile}", "--allow-file-access-from-files",
         "--virtual-time-budget=5000", "--dump-dom", harness.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    found = re.search(r'<pre id="result">([^<]*)</pre>', dumped)
    assert found, "the page never loaded in its frame"
    return dict(json.loads(found.group(1)))


def _shoot(chromium: str, page: Path, width: int, profile: Path) -> Path:
    shot = page.with_name(f"{page.stem}-{width}.png")
    subprocess.run(
        [chromium, *CHROME_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},1600",
         f"--screenshot={shot}", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    keep = os.environ.get("NEWSBRIEF_SHOTS")  # a folder to keep the screenshots in
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
    return shot


def test_the_morning_opens_with_a_lead_and_marks_what_is_new(site: Site, tmp_path: Path) -> None:
    chromium = find_chromium()
    profile = tmp_path / "profile"
    cache = tmp_path / "cache"
    inputs = write_morning(tmp_path, site, STORIES, boilerplate=True)
    today, second = tmp_path / "today.html", tmp_path / "second.html"
    with serve(morning_model) as fake:
        assert main(_digest_args(inputs, cache, fake.base_url, "-o", str(today))) == 3  # partial
        write_morning(tmp_path, site, STORIES + LATER, boilerplate=True)
        assert main(_digest_args(inputs, cache, fake.base_url, "-o", str(second))) == 3
        data = tmp_path / "today.json"
        assert main(_digest_args(inputs, tmp_path / "c2", fake.base_url, "-o", str(data))) == 3
    digest = json.loads(data.read_text())
    assert len(digest["articles"]) == 14
    assert len({a["source"] for a in digest["articles"] if a["brief"]}) == 3
    html = today.read_text()
    # The lead comes first, 3 to 6 stories, each linking to the original articles.
    assert html.index('id="lead"') < html.index('id="snapshot"') < html.index('id="stories"')
    lead = html[html.index('id="lead"') : html.index('id="snapshot"')]
    items = lead.split('class="lead-item"')[1:]
    assert 3 <= len(items) <= 6
    for item in items:
        assert "Why it matters" in item and "Key number" in item
        assert re.search(r'href="http://127\.0\.0\.1:\d+/(harbor|tideline|ledger)/', item)
    assert "Harbor Street Journal" in lead and "Ledger Daily" in lead
    snapshot = html[html.index('id="snapshot"') : html.index('id="stories"')]
    assert 1 <= snapshot.count('class="value"') <= 8
    assert "Not summarized" in html and "/ledger/dead" in html  # the failed entry, named
    assert not OUR_ID.search(_visible(html)), OUR_ID.findall(_visible(html))
    # The second run: only the new entry (and the failed one, offered again), marked new.
    later = second.read_text()
    assert "Since " in later and 'class="new"' in later
    assert later.count('class="lead-item"') == 1 and "152.80" in later
    for width in (1280, 420):
        for page in (today, second):
            seen = _measure(chromium, page, width, profile)
            assert seen["scroll"] <= seen["client"], (page.name, width, seen)  # no overflow
            assert seen["details"] >= 2 and seen["open"] == 0  # figures and passages folded
            assert seen["first"] == "lead" and seen["lead"] >= 1
            assert _shoot(chromium, page, width, profile).stat().st_size > 10_000


# --- reader notes ----------------------------------------------------------------------------


def _careless_model(body: dict[str, Any]) -> Reply:
    """morning_model, but naming a candidate the prompt never listed (C99) and citing an
    article the digest does not have (A99): repairs whose log names ids."""
    reply = morning_model(body)
    answer = json.loads(reply.body["choices"][0]["message"]["content"])
    if "key_figures" in answer:
        answer["key_figures"] = ["C99", *answer["key_figures"]]
    for theme in answer.get("themes", [])[:1]:
        theme["article_ids"].append("A99")
    return Reply(body=completion(json.dumps(answer)))


def test_no_reader_note_names_an_id(site: Site, tmp_path: Path) -> None:
    """Repairs (a figure id that names nothing, a citation of an unknown article, dropped
    implications): their log, ids and all, stays in the JSON; readers see sentences."""
    inputs = write_morning(tmp_path, site, LIVE, boilerplate=False)
    out = tmp_path / "d.json"
    with serve(_careless_model) as fake:
        assert main(_digest_args(inputs, tmp_path / "c", fake.base_url, "-o", str(out))) == 0
    from newsbrief.digest.contract import Digest

    digest = Digest.model_validate_json(out.read_text())
    logged = [n.text for a in digest.briefs.values() for n in a.notes if n.kind != "reader"]
    logged += [n.text for n in digest.notes if n.kind != "reader"]
    assert any(OUR_ID.search(t) for t in logged), "the test needs repairs that name ids"
    for page in (_visible(to_html(digest)), to_markdown(digest)):
        assert not OUR_ID.search(page), OUR_ID.findall(page)
        assert "time(s)" not in page and "&amp;" not in page


def test_markdown_for_a_terminal_reads_as_written() -> None:
    assert md_text("S&P 500 rose") == "S&P 500 rose"  # no entity in a terminal
    assert md_text("&amp; &#106;") == "\\&amp; \\&#106;"  # still never an entity
    assert md_inline("# Oil jumps 5%") == "# Oil jumps 5%"  # inside quotes: no escape
    assert md_text("# Oil jumps 5%") == "\\# Oil jumps 5%"  # at a line's start: escaped
    brief = _brief("Brent rose 3.2% to $84.10 at S&P.", [("Brent gain", "3.2%")])
    brief = brief.model_copy(
        update={"notes": [Note(kind="label_repaired", text="labelled 3.2% from C01")]}
    )
    md = to_markdown(brief)
    assert "corrected this brief 1 time:" in md and "0 attempts" in md and "(s)" not in md
    assert "S&P" in md and "&amp;" not in md and "C01" not in md


# --- a brief as a page -----------------------------------------------------------------------

HOSTILE = 'Oil <script>alert(1)</script> & "gas" {{ 7*7 }} {% raw %}'


def _one_brief(body: dict[str, Any]) -> Reply:
    prompt = body["messages"][-1]["content"]
    ids = re.findall(r"\[(C[0-9]+)\]", prompt.split("<<<", 1)[-1])
    sentences = re.findall(r"\[(S[0-9]+)\]", prompt.split("<<<", 1)[-1])
    return Reply(body=completion(json.dumps({
        "key_figures": ids[:3],
        "summary": [{"id": s, "text": ""} for s in sentences[1:3]],
        "policy_implications": [{"statement": "Borrowing costs stay high while the Federal "
                                 "Reserve waits.", "actor": "central bank",
                                 "evidence": [sentences[-1]]}],
    })))  # fmt: skip


def test_a_brief_as_a_page_marks_every_figure_and_evidence_span(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "a.txt"
    article.write_text(
        f"{HOSTILE}\nBrent crude rose 3.2% to $84.10 a barrel on Monday, {HOSTILE}. OPEC+ "
        "extended output cuts of 2.2 million barrels a day into March.\nThe Federal Reserve "
        "is expected to keep interest rates unchanged at 4.5% for now.\n"
    )
    out = tmp_path / "brief.html"
    with serve(_one_brief) as fake:
        assert main(["summarize", str(article), "-o", str(out), "--base-url", fake.base_url,
                     "--api-key", "sk-test", "--no-cache"]) == 0  # fmt: skip
    page = out.read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "{{ 7*7 }}" in page and "{% raw %}" in page  # text, never a template
    hrefs = set(re.findall(r'href="#([^"]+)"', page))
    ids = set(re.findall(r'id="([^"]+)"', page))
    assert hrefs and hrefs <= ids, hrefs - ids
    assert not re.search(r'(?:src|href)="(?!#)', page)  # self-contained
    assert {"f0", "f1", "f2", "e0", "s0-0"} <= ids
    assert page.count('class="label figure"') >= 3 and 'class="label evidence"' in page
    json_out = tmp_path / "brief.json"
    with serve(_one_brief) as fake:
        main(["summarize", str(article), "-o", str(json_out), "--base-url", fake.base_url,
              "--api-key", "sk-test", "--no-cache"])  # fmt: skip
    brief = Brief.model_validate_json(json_out.read_text())
    parts = segments(brief)
    assert "".join(p.text for p in parts) == brief.source.text  # the whole article, in order
    marked = {p.text for p in parts if "figure" in p.kinds}
    assert {f.number_text for f in brief.key_figures} <= marked
    assert page.count('class="label figure"') == len(brief.key_figures)  # each labelled


# --- links to originals are untrusted ----------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "https://",
        "http://exa mple.com/a",
        "http://example.com/\x1b[2J",
        "http://[::1/broken",
        "/tmp/in/a.txt",
        "feed.xml#entry-1",
    ],
)
def test_only_http_addresses_become_links(origin: str) -> None:
    from newsbrief.digest.batch import original_link, source_name
    from newsbrief.digest.contract import ArticleResult

    result = ArticleResult(article_id="A1", origin=origin, error="x")
    assert original_link(result) is None
    assert source_name(result)  # a name still, never the A-code
    assert source_name(result) != "A1"


def test_a_link_to_an_original_cannot_break_out_of_the_page() -> None:
    from newsbrief.digest.batch import original_link
    from newsbrief.digest.contract import ArticleResult
    from newsbrief.render.escape import md_link

    url = 'https://x.example/a"><script>alert(1)</script>(b) c`d'
    assert original_link(ArticleResult(article_id="A1", origin=url, error="x")) is None  # space
    url = 'https://x.example/a"><script>alert(1)</script>(b)c`d[e]'
    result = ArticleResult(article_id="A1", origin=url, error="x", source="Wire")
    assert original_link(result) == url
    md = md_link("Wire [x](javascript:y)", url)
    assert md.startswith("[Wire \\[x\\](javascript:y)](<https://x.example/a")
    destination = md[md.index("(<") + 2 : md.rindex(">)")]
    assert not set(destination) & set('<>"` ()\\') and destination.count("%3C") == 2
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").render(md)
    assert "<script>" not in rendered and rendered.count("<a href=") == 1


def test_digests_written_before_notes_and_marks_still_load() -> None:
    from newsbrief.digest.contract import Digest

    old = {
        "schema_version": "2",
        "headline": "h",
        "articles": [],
        "warnings": ["themes: removed citations ['A2', 'A3']: their briefs say nothing of it"],
        "stats": {"articles": 0, "summarized": 0, "failed": 0, "model_calls": 0, "cached": 0},
        "model": "m",
        "generated_at": "2026-11-18 07:00 UTC",
    }
    digest = Digest.model_validate(old)
    assert digest.notes == [] and digest.changes is None
    page = to_markdown(digest)
    assert "A2" not in page and "corrected the overview 1 time" in page  # counted, not shown
