"""A morning of three real-looking feeds (two Atom files with full text, one RSS feed of
teasers served on 127.0.0.1 with one dead link), publisher boilerplate on every article,
and a fake model that answers any brief or synthesis request from its ids."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from tests.fakes.digests import DIGEST_MARKER
from tests.fakes.server import Reply, completion

FOOTER = {
    "Harbor Street Journal": "Harbor Street Journal is published by Harbor Media Group. All "
    "rights reserved. Prices are indicative and delayed. Read more at the Markets desk, and "
    "sign up for the Morning Bell newsletter for the day's top stories before the open.",
    "Tideline Wire": "Reporting by the Tideline Wire markets team; editing by the Asia desk. "
    "Tideline Wire is an independent news agency. This report is for information only and "
    "is not investment advice. Related stories: commodities, currencies, rates.",
    "Ledger Daily": "Ledger Daily | Markets | Subscribe for unlimited access. Copyright "
    "Ledger Daily. Our standards: the Ledger Daily Trust Principles.",
}

# (feed, key, title, text): twelve stories, the Fed decision reported by two outlets.
STORIES: list[tuple[str, str, str, str]] = [
    ("Harbor Street Journal", "fed", "Fed holds rates at 4.5% and signals two cuts",
     "The Federal Reserve kept its benchmark interest rate at 4.5% on Wednesday and "
     "signalled two cuts next year. Chair Powell said inflation of 2.9% was still above "
     "the 2% target. Treasury yields fell 8 basis points after the decision, and the "
     "central bank said it would slow the runoff of its balance sheet."),
    ("Harbor Street Journal", "oil", "Oil jumps as OPEC+ extends output cuts",
     "Brent crude rose 3.2% to $84.10 a barrel after OPEC+ agreed to extend output cuts of "
     "2.2 million barrels a day into March. Saudi Arabia's energy ministry said the "
     "policy would stay in place until inventories fall. Analysts at S&P Global said the "
     "market would stay tight through the first quarter."),
    ("Harbor Street Journal", "nikkei", "Nikkei closes at record 41,250",
     "Japan's Nikkei 225 index closed at a record 41,250 on Thursday, up 1.8% on the day. "
     "Exporters led the gains as the yen weakened past 151.20 per dollar. Toyota shares "
     "rose 2.4% and chipmakers added 3.1% on strong orders."),
    ("Harbor Street Journal", "gold", "Gold slips from its peak",
     "Gold fell 0.9% to $2,310 an ounce as the dollar firmed. Holdings of bullion-backed "
     "funds dropped 4.2 tonnes in the week, the third weekly outflow. Silver lost 1.4% to "
     "$27.60."),
    ("Tideline Wire", "fed-wire", "Federal Reserve leaves rates unchanged at 4.5%",
     "The Federal Reserve left interest rates unchanged at 4.5% on Wednesday, as "
     "expected, and its officials projected two rate cuts next year. Powell said "
     "inflation at 2.9% remained too high. Two-year Treasury yields dropped 8 basis points "
     "and the central bank will slow its balance-sheet runoff."),
    ("Tideline Wire", "china", "China's exports rise 7.6% in October",
     "China's exports rose 7.6% in October from a year earlier, beating forecasts of 5.1%. "
     "Imports fell 2.3%, leaving a trade surplus of $96 billion. The commerce ministry "
     "said new tariffs on steel would take effect in January."),
    ("Tideline Wire", "ecb", "ECB cuts its deposit rate to 3.25%",
     "The European Central Bank cut its deposit rate by 25 basis points to 3.25% on "
     "Thursday. President Lagarde said euro zone inflation of 2.2% was close to target "
     "and that monetary policy would remain data dependent. The euro fell 0.6% to $1.0850."),
    ("Tideline Wire", "copper", "Copper hits a two-month high",
     "Copper rose 2.1% to $9,840 a tonne on the London Metal Exchange, a two-month high, "
     "as warehouse stocks fell 12% in a week. Chinese smelters said output would drop 5% "
     "in December."),
    ("Ledger Daily", "uk", "UK inflation eases to 2.3%",
     "UK consumer price inflation eased to 2.3% in October from 2.6% in September, the "
     "Office for National Statistics said. The Bank of England is expected to hold its "
     "policy rate at 5% next week, and the Treasury said fiscal rules were unchanged."),
    ("Ledger Daily", "jobs", "US payrolls beat forecasts with 254,000 jobs",
     "US employers added 254,000 jobs in September, far above forecasts of 150,000. The "
     "unemployment rate fell to 4.1% and average hourly earnings rose 4.0% from a year "
     "earlier."),
    ("Ledger Daily", "bitcoin", "Bitcoin tops $70,000",
     "Bitcoin rose 5.3% to $70,400, its highest since June, as inflows into spot funds "
     "reached $1.2 billion in a week. Ether gained 4.1% to $2,650."),
    ("Ledger Daily", "dead", "Retail sales report", ""),  # its page is gone: a failed entry
    ("Ledger Daily", "tariffs", "EU weighs tariffs on electric cars",
     "The European Commission proposed tariffs of up to 35% on electric cars imported from "
     "China. The government in Berlin said the policy risked a trade war, while carmakers "
     "warned prices could rise 10%."),
]  # fmt: skip

LATER: list[tuple[str, str, str, str]] = [
    ("Tideline Wire", "yen", "Yen slides to 152.80 per dollar",
     "The yen weakened to 152.80 per dollar, its lowest in three months, and Japan's "
     "finance ministry said it was watching markets with a sense of urgency. The Nikkei 225 "
     "index closed at 41,600, up 0.8%."),
]  # fmt: skip


RELATED = (
    "Related coverage: how the morning's markets opened; what economists expect from the "
    "next data releases; the week ahead in central banking; our guide to reading earnings "
    "season; and the latest from the commodities, currencies and rates desks."
)
DISCLAIMER = (
    "This article was produced for professional investors and is provided for general "
    "information only. Past performance is not a guide to future returns, and the value of "
    "investments can fall as well as rise. Market data are supplied by third parties and "
    "may be delayed by at least fifteen minutes. Nothing in this article is a "
    "recommendation to buy or sell any security, and readers should take independent "
    "advice before making any investment decision. Corrections and clarifications are "
    "published on the standards page, and readers can contact the newsroom with tips."
)


def full_text(feed: str, text: str, boilerplate: bool = True) -> str:
    """The article as its publisher's page says it: with footer, related links and
    disclaimer (boilerplate), or alone."""
    if not boilerplate:
        return text
    return f"{text}\n\n{FOOTER[feed]}\n\n{RELATED}\n\n{DISCLAIMER}"


def _slug(feed: str) -> str:
    return feed.split()[0].lower()


def atom(feed: str, items: list[tuple[str, str, str, str]], day: str, base: str) -> bytes:
    """An Atom feed of teasers linking to the publisher's pages."""
    entries = "".join(
        f"<entry><id>urn:{key}</id><title>{escape(title)}</title><updated>{day}</updated>"
        f'<link href="{base}/{_slug(feed)}/{key}"/><summary>A short teaser.</summary></entry>'
        for f, key, title, text in items
        if f == feed
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{feed}</title><id>urn:{feed}</id><updated>{day}</updated>{entries}</feed>"
    ).encode()


def rss(feed: str, items: list[tuple[str, str, str, str]], base: str) -> bytes:
    """An RSS 2.0 feed of teasers linking to the publisher's pages."""
    body = "".join(
        f"<item><title>{escape(title)}</title><link>{base}/{_slug(feed)}/{key}</link>"
        f"<guid>{key}</guid><pubDate>Thu, 19 Nov 2026 06:30:00 +0000</pubDate>"
        "<description>A short teaser.</description></item>"
        for f, key, title, _ in items
        if f == feed
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{feed}</title>{body}'
        "</channel></rss>"
    ).encode()


@dataclass
class Site:
    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@contextmanager
def ledger_site() -> Iterator[Site]:
    """The publishers' pages and Ledger Daily's RSS feed (the "dead" page missing)."""
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path not in state.pages:
                self.send_response(404)
                self.end_headers()
                return
            kind, body = state.pages[self.path]
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = int(server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def write_morning(
    folder: Path, site: Site, items: list[tuple[str, str, str, str]], boilerplate: bool = True
) -> list[str]:
    """The three feeds of a morning: two Atom files and Ledger Daily's RSS URL, every entry
    a teaser whose page the site serves (the "dead" one excepted)."""
    day = "2026-11-19T06:30:00Z"
    for feed, key, title, text in items:
        if text:
            page = f"<html><head><title>{escape(title)}</title></head><body><article><h1>"
            page += f"{escape(title)}</h1>"
            paragraphs = full_text(feed, text, boilerplate).split("\n\n")
            page += "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
            body = (page + "</article></body></html>").encode()
            site.pages[f"/{_slug(feed)}/{key}"] = ("text/html", body)
    inputs = []
    for feed, name in (("Harbor Street Journal", "harbor.xml"), ("Tideline Wire", "wire.xml")):
        path = folder / name
        path.write_bytes(atom(feed, items, day, site.url("")))
        inputs.append(str(path))
    site.pages["/feed"] = ("application/rss+xml", rss("Ledger Daily", items, site.url("")))
    inputs.append(site.url("/feed"))
    return inputs


_POLICY = re.compile(r"central bank|rate|ministry|tariff|policy|government|Treasury", re.I)


def any_brief(prompt: str) -> dict[str, Any]:
    """What a good model answers for any marked article: its first four listed numbers,
    its first two sentences, and an implication resting on its first policy sentence."""
    article = prompt.split("<<<", 1)[-1]
    ids = list(dict.fromkeys(re.findall(r"\[(C[0-9]+)\]", article)))
    sentences = re.findall(r"\[(S[0-9]+)\] ([^\[]*)", article)
    policy = next(((sid, said) for sid, said in sentences if _POLICY.search(said)), None)
    return {
        "key_figures": ids[:4],
        "summary": [{"id": sid, "text": ""} for sid, _ in sentences[1:3]],
        "policy_implications": [
            {
                "statement": "Investors should watch this: "
                + " ".join(policy[1].split()[:8]).rstrip(",.;")
                + ".",
                "actor": "policymakers",
                "evidence": [policy[0]],
            }
        ]
        if policy
        else [],
    }


def any_synthesis(prompt: str) -> dict[str, Any]:
    """A headline, one theme per brief (its own summary), an implication per policy brief."""
    blocks = re.findall(r"^\[(A[0-9]+)\] (.*)\nSummary: (.*)\nFigures: .*\nPolicy: (.*)$", prompt,
                        flags=re.M)  # fmt: skip
    return {
        "headline": "Central banks, oil and Asian stocks set the morning",
        "themes": [
            {"title": title[:40], "summary": summary, "article_ids": [aid]}
            for aid, title, summary, _ in blocks[:6]
        ],
        "implications": [
            {"statement": policy, "actor": "", "article_ids": [aid]}
            for aid, _, _, policy in blocks
            if policy != "none"
        ][:4],
        "discrepancies": [],
    }


def morning_model(body: dict[str, Any]) -> Reply:
    messages = body.get("messages", [])
    if DIGEST_MARKER in messages[0]["content"]:
        return Reply(body=completion(json.dumps(any_synthesis(messages[0]["content"]))))
    return Reply(body=completion(json.dumps(any_brief(messages[-1]["content"]))))
