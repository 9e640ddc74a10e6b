"""Names a subject may be: capitalised runs, less sentence openers and measure words."""

from __future__ import annotations

import re

from newsbrief.text.frames.frame import measure_of

# Capitalised words that name no subject: sentence openers, measures, months, units.
NOT_NAMES = frozenset({
    "The", "A", "An", "Of", "In", "On", "And", "For", "To", "At", "By", "Its", "It", "This",
    "That", "Year", "YTD", "Index", "Close", "Closing", "Level", "Gain", "Rise", "Fall",
    "Change", "Growth", "Rate", "Total", "Value", "Price", "Stock", "Stocks", "Market",
    "Markets", "Share", "Shares", "Percent", "Daily", "Annual", "Quarterly", "Quarter",
    "Monthly", "Weekly", "Day", "Session", "Monday", "Tuesday", "Wednesday", "Thursday",
    "Friday", "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December", "Q1", "Q2", "Q3", "Q4", "First", "Second",
    "Third", "Fourth", "Full", "Net", "Revenue", "Sales", "Profit", "Earnings", "Income",
    "Billion", "Million", "Trillion", "Points", "Record", "High", "Low", "New", "All-time",
    "Year-to-date", "Intraday", "Trading", "Fiscal", "Guidance", "Outlook", "Expected",
    "Our", "We", "Even", "Also", "But", "While", "With", "As", "So", "Now", "Then", "Still",
    "Breaking", "That's", "It's", "Meanwhile", "However", "Overall", "Turning", "Looking",
    "Regarding", "Adjusted", "Diluted", "Operating", "Gross", "Free", "Cash", "Organic",
    "Just", "Both", "These", "Those", "There", "Here", "He", "She", "They", "I", "You", "If",
    "When", "After", "Before", "Over", "Under", "From", "Since", "Until", "During", "Despite",
    "Investors", "Analysts", "Traders", "Soars", "Surges", "Jumps", "Falls", "Rises", "Tops",
    "Near", "Past", "Hits", "Slides", "Climbs", "Plunges", "Extends", "Prior", "Same",
    "Store", "Same-store", "Reported", "Moving", "Slide", "Approximately", "Yes", "No", "Okay",
    "Thank", "Thanks", "Good", "Great", "Well", "Sure", "Let", "Let's", "What", "How", "Why",
    "ROE", "EPS", "EBITDA", "EBIT", "GDP", "CPI", "SG&A", "AUM", "Return", "Overseas", "Foreign",
    "Domestic", "Global", "Core", "Comparable", "Isn't", "Basic",
    # Openers of a sentence, not names: "Specifically, we issued", "Through September, 71%".
    "Specifically", "Additionally", "Finally", "Similarly", "Importantly", "Notably",
    "Currently", "Recently", "Separately", "Lastly", "Sequentially", "Historically",
    "Ultimately", "Consequently", "Accordingly", "Likewise", "Essentially", "Generally",
    "Typically", "Actually", "Interestingly", "Unfortunately", "Fortunately", "Hopefully",
    "Subsequently", "Previously", "Initially", "Originally", "Combined", "Collectively",
    "Through", "Subsequent", "Today", "Yesterday", "Tomorrow", "Tonight", "Excluding",
    "Including", "Following", "According", "Beginning", "Starting", "Given", "Assuming",
    "Reflecting", "Within", "Across", "Among", "Compared", "Versus", "Relative", "Due",
    "Based", "Along", "Together", "Altogether", "Otherwise", "Instead", "Therefore", "Thus",
    "Perhaps", "Again", "Next", "Last", "Year-over-year", "Further", "Furthermore",
    "Moreover", "Secondly", "Thirdly", "Put", "Taken", "Speaking",
})  # fmt: skip
_NAME_RUN_RE = re.compile(
    r"[A-Z][\w&./-]*(?:'s)?(?:\s+(?:of\s+|&\s+)?(?:[A-Z][\w&./-]*(?:'s)?|\d{2,4}\b(?!\s*%)))*"
)


def name_runs(text: str) -> list[str]:
    """Capitalised runs that may name a subject ("Nikkei 225", "Hang Seng", "S&P 500"), left
    to right; sentence openers and measure words left out, and a possessive's owner apart
    from what it owns ("Japan's Nikkei 225": "Japan", "Nikkei 225")."""
    found: list[str] = []
    for m in _NAME_RUN_RE.finditer(text.replace("\u2019", "'")):
        parts = re.split(r"(?<=')s\s+", m.group(0))
        for part in parts:
            words = [w.rstrip(".,") for w in part.split()]
            words = [w.removesuffix("'s").removesuffix("'") for w in words]
            while words and (words[0] in NOT_NAMES or words[0][0].isdigit()):
                words = words[1:]
            while words and words[-1] in NOT_NAMES | {"of", "&"}:
                words = words[:-1]
            run = " ".join(words)
            if len(words) == 1 and measure_of(run) and measure_of(run) != "level":
                continue  # "Revenues were up": a measure, not a name
            if run and len(run) > 1:
                found.append(run)
    return found
