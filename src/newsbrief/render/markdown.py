"""Briefs and digests as Markdown for people; JSON is the pydantic model itself.

Everything article- or model-derived is escaped (see escape.py): it renders as the plain text
it is, never as HTML, a link, an image or a heading, table cells cannot break out of their
table, and no control character reaches a terminal.
"""

from __future__ import annotations

from newsbrief.contract import Brief
from newsbrief.digest.contract import Digest
from newsbrief.render.escape import md_cell, md_text
from newsbrief.render.notes import plural
from newsbrief.render.page import brief_corrections, brief_notes, context, env


def brief_to_markdown(brief: Brief) -> str:
    lines = [f"# {md_text(brief.source.title)}", "", md_text(brief.summary), ""]
    if brief.key_figures:
        lines += ["## Key figures", "", "| Figure | Value | Quote (offsets) |", "|---|---|---|"]
        for f in brief.key_figures:
            mark = "" if f.grounding == "exact" else " (aligned)"
            lines.append(
                f"| {md_cell(f.label)} | {md_cell(f.number_text)} | "
                f'"{md_cell(f.quote)}" [{f.start}:{f.end}]{mark} |'
            )
        lines.append("")
    if brief.policy_implications:
        lines += ["## Policy implications", ""]
        for p in brief.policy_implications:
            actor = f"**{md_text(p.actor)}**: " if p.actor else ""
            lines.append(f"- {actor}{md_text(p.statement)}")
            lines.append(f'  > "{md_text(p.evidence.quote)}" [{p.evidence.start}:{p.evidence.end}]')
        lines.append("")
    notes, fixed = brief_notes(brief), brief_corrections(brief)
    if notes:
        lines += ["## Notes", ""] + [f"- {md_text(w)}" for w in notes] + [""]
    if fixed:
        lines += [f"_{fixed}_", ""]
    pv = brief.provenance
    lines.append(
        f"_{md_text(pv.model)} ({md_text(pv.endpoint)}), prompt {md_text(pv.prompt_version)}, "
        f"{plural(pv.attempts, 'attempt')}, "
        f"{pv.usage.total_tokens} tokens, {pv.latency_s:.1f} s_"
    )
    return "\n".join(lines) + "\n"


def digest_to_markdown(digest: Digest) -> str:
    return env.get_template("digest.md.j2").render(**context(digest)).strip() + "\n"
