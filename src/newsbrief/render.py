"""A Brief as Markdown for people; JSON is the pydantic model itself."""

from __future__ import annotations

from .models import Brief


def _md_escape_cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def brief_to_markdown(brief: Brief) -> str:
    lines = [f"# {brief.source.title}", "", brief.summary, ""]
    if brief.key_figures:
        lines += ["## Key figures", "", "| Figure | Value | Quote (offsets) |", "|---|---|---|"]
        for f in brief.key_figures:
            mark = "" if f.grounding == "exact" else " (aligned)"
            lines.append(
                f"| {_md_escape_cell(f.label)} | {_md_escape_cell(f.number_text)} | "
                f'"{_md_escape_cell(f.quote)}" [{f.start}:{f.end}]{mark} |'
            )
        lines.append("")
    if brief.policy_implications:
        lines += ["## Policy implications", ""]
        for p in brief.policy_implications:
            actor = f"**{p.actor}**: " if p.actor else ""
            lines.append(f"- {actor}{p.statement}")
            lines.append(
                f'  > "{" ".join(p.evidence.quote.split())}" [{p.evidence.start}:{p.evidence.end}]'
            )
        lines.append("")
    if brief.warnings:
        lines += ["## Warnings", ""] + [f"- {w}" for w in brief.warnings] + [""]
    pv = brief.provenance
    lines.append(
        f"_{pv.model} ({pv.endpoint}), prompt {pv.prompt_version}, {pv.attempts} attempt(s), "
        f"{pv.usage.total_tokens} tokens, {pv.latency_s:.1f} s_"
    )
    return "\n".join(lines) + "\n"
