"""What a sentence says of each of its numbers: its frame, read by our code, no model.

A label is only as right as the reading of the clause around the number. Financial news and
earnings calls state most numbers in a few formulaic shapes ("X of $A increased $B or C%
compared to $D in P", "rose from A to B", "up C% to A", "closing at A", "A per diluted
share", "expanded B basis points", "guidance of A to B", "a C% share of", "Japan's $4.9
trillion economy"), so a small grammar of those shapes reads, for each number:

- ``head``: the noun phrase the clause states it of, as written and trimmed ("sales to
  commercial customers", "adjusted diluted earnings per share", "Nikkei 225");
- ``subject``: the name it is about (an index, company, country), when one is named;
- ``measure``: the canonical kind of quantity (revenue, EPS, close, tariff ...), or "";
- ``role``: level, change, prior, target, share or multiple ("" when no shape matched);
- ``direction``: up or down, for a change;
- ``period``: the period as written ("year-to-date", "Monday's session", "second quarter");
- ``per_share``; ``whole`` (of what a share is); ``options``: the names the subject could
  be when the sentence leaves it open (the model then chooses among them).

``Frame.label()`` composes a label from a complete frame ("sales decrease, year-over-year",
"Nikkei 225 gain, Monday's session", "adjusted diluted earnings per share, prior year");
an incomplete frame gives None, and the model names the number instead. Deterministic; reads
only the text.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, replace

from newsbrief.text import align
from newsbrief.text.numbers import NumberMatch, find_numbers, worth_a_figure

__all__ = [
    "NOT_NAMES",
    "Frame",
    "compose",
    "frame_of",
    "frames_of",
    "in_period",
    "name_runs",
    "reporting_period",
]

MAX_HEAD_WORDS = 6
REACH_BEFORE, REACH_AFTER = 600, 300  # characters of a long sentence read around a number
NEAR_CHARS = 160  # the words read for a number's measure and period, either side

# Canonical measures and the words that state them, most specific first.
_MEASURES: tuple[tuple[str, str], ...] = (
    ("EPS", r"earnings per (?:diluted |basic )?share|(?:diluted |basic )?eps|per share"),
    ("net income", r"net (?:income|earnings|profits?)"),
    ("net loss", r"net loss(?:es)?"),
    ("pre-tax profit", r"pre-?tax (?:profits?|income|earnings)|profits? before tax"),
    ("operating margin", r"operating (?:profit |income )?margins?"),
    ("gross margin", r"gross (?:profit )?margins?"),
    ("EBITDA margin", r"ebitda margins?"),
    ("operating income", r"operating (?:income|profits?|earnings)|ebit"),
    ("gross profit", r"gross profits?"),
    ("EBITDA", r"ebitda"),
    ("free cash flow", r"free cash flows?"),
    ("cash flow", r"cash flows?|cash from operations|operating activities"),
    ("revenue", r"revenues?|top line|turnover"),
    ("sales", r"sales"),
    ("orders", r"orders|bookings|backlog"),
    ("dividend", r"dividends?"),
    ("buyback", r"buybacks?|repurchases?"),
    ("guidance", r"guidance|outlook|forecast"),
    ("tax rate", r"tax rate"),
    ("expense", r"expenses?|costs?|sg&a|spending|provisions?|charges?|impairments?|write-?downs?"),
    ("margin", r"margins?"),
    ("earnings", r"earnings|profits?|income"),
    (
        "interest rate",
        r"(?:interest|policy|benchmark|deposit|lending|funds|cash) rates?|rates|"
        r"(?:target|policy) range|federal funds",
    ),
    ("yield", r"yields?"),
    ("inflation", r"inflation|consumer prices|consumer price index|cpi"),
    ("GDP", r"gdp|gross domestic product|economy|output"),
    ("unemployment", r"unemployment|jobless"),
    ("stimulus", r"stimulus|package"),
    ("investment", r"investments?"),
    ("tariff", r"tariffs?|duties"),
    ("debt", r"debt|borrowings?|leverage|loans?|notes"),
    ("deficit", r"deficit|surplus"),
    ("capex", r"capital expenditures?|capex"),
    ("cash", r"cash|liquidity"),
    ("assets", r"assets under management|aum|assets"),
    ("ROE", r"return on equity|roe"),
    ("valuation", r"valuation|market (?:cap|value|capitalization)|multiple"),
    ("inflows", r"inflows?|outflows?|flows?"),
    ("price", r"prices?"),
    ("volume", r"volumes?|shipments?|deliveries|units"),
    ("jobs", r"jobs|payrolls|employment|headcount"),
    ("level", r"level|mark|milestone|threshold|line|barrier|high|low"),
)
_MEASURE_RE = [(n, re.compile(rf"(?<![\w-])(?:{w})(?![\w-])", re.I)) for n, w in _MEASURES]

_UP = (
    "rose|rise|rises|rising|risen|up|gain|gains|gained|gaining|grew|grow|grows|growing|growth|"
    "increase|increased|increases|increasing|jump|jumped|jumps|jumping|climb|climbed|climbing|"
    "climbs|surge|surged|surges|surging|soar|soars|soared|soaring|advance|advanced|advances|"
    "advancing|added|adding|higher|improve|improved|improves|improving|improvement|expand|"
    "expanded|expanding|expansion|rebound|rebounded|rally|rallied|rallying|boost|boosted|"
    "lifted|accelerated|spiked|outpacing|beat|up by"
)
_DOWN = (
    "fell|fall|falls|falling|fallen|down|drop|dropped|drops|dropping|decline|declined|declines|"
    "declining|decrease|decreased|decreases|decreasing|slump|slumped|slid|slide|slides|sliding|"
    "plunge|plunged|plunging|tumble|tumbled|sank|sink|lost|lose|losing|shed|lower|cut|cuts|"
    "cutting|reduce|reduced|reducing|reduction|contracted|contraction|shrank|eased|dipped|dip|"
    "retreated|weakened|compressed|narrowed|slowed|deteriorated"
)
_FLAT = "changed|moved|swung|change|swing"
_UP_RE = re.compile(rf"\b(?:{_UP})\b", re.I)
_DOWN_RE = re.compile(rf"\b(?:{_DOWN})\b", re.I)
_MOVE_NOUNS = (
    "gains?|growth|increases?|rises?|jumps?|declines?|decreases?|drops?|falls?|improvements?|"
    "expansion|contraction|reductions?|change|swing|rally|advance|surge|slump|decline|climb"
)
_DET = r"(?:a|an|the|its|their|our|his|her)"
_ADJ = (
    r"(?:a|an|the|about|around|nearly|roughly|approximately|almost|over|some|just|only|more than|"
    r"less than|by|an? impressive|a staggering|impressive|staggering|solid|healthy|modest|strong|"
    r"robust|record|whopping|mere|further|another|sharp|sharply|slight|slightly|a further|"
    r"paltry|fresh|new|all-time|significant|significantly|substantial|substantially|"
    r"as much as|as little as|by as much as|"
    r"year-over-year|year-on-year|sequentially|respectively|an additional|additional)"
)
_ADJ_RE = re.compile(_ADJ, re.I)
_MOVE_VERB_END = re.compile(rf"\b(?:{_UP}|{_DOWN}|{_FLAT})(?:\s+{_ADJ})*\s*$", re.I)
_MOVE_NOUN_END = re.compile(
    rf"\b(?:{_MOVE_NOUNS})(?:\s+(?:of|was|were|is|are|reaching|reached|hit|hitting|"
    rf"came in at|totaled|totaling|amounted to|stood at|in excess of))?(?:\s+{_ADJ})*\s*$",
    re.I,
)
_MOVE_NOUN_AFTER = re.compile(
    rf"^\s*(?:basis[- ]points?\s+|bps?\s+|percentage[- ]points?\s+|percent\s+)?"
    rf"(?P<noun>{_MOVE_NOUNS})\b",
    re.I,
)
_TO_END = re.compile(rf"\b(?:to|at)(?:\s+{_ADJ})*\s*$", re.I)
_TO_ONLY = re.compile(rf"\s*(?:to|at)(?:\s+{_ADJ})*\s*", re.I)
_CLOSE_END = re.compile(
    rf"\b(?:clos(?:ed|es|ing)|close(?=\s+at)|finish(?:ed|es|ing)?|end(?:ed|s|ing)|"
    rf"settl(?:e|ed|es|ing))"
    rf"(?:\s+(?:the\s+)?(?:day|session|week|trading))?\s+(?:at|to|on)(?:\s+{_ADJ})*\s*$",
    re.I,
)
_CLOSE_ANY = re.compile(
    r"\b(?:clos(?:ed|es|ing)|finish(?:ed|es|ing)?|settl(?:e|ed|es|ing)|end(?:ed|s|ing))\b"
    rf"[^;]{{0,48}}?\bat(?:\s+{_ADJ})*\s*$",
    re.I,
)
_TARGET_NOUNS = re.compile(r"\btarget (?:range|rate)\b|\b(?:which|that|who)\b[^,]*", re.I)
_CONNECTIVE_START = re.compile(r"^[\s,]*(?:and|or|up|down|while|with|but)\b", re.I)
_EXPECTED_BEFORE = re.compile(
    rf"\b(?:consensus|forecasts?|estimates?|expectations?|projections?)(?:\s+(?:of|for|at))"
    rf"(?:\s+{_ADJ})*\s*$",
    re.I,
)
_EXPECTED_AFTER = re.compile(
    r"^[\s\w]{0,25}?\b(?:analysts|economists|the market|markets|investors|consensus)\b"
    r"(?:\s+(?:had|have|were))?\s+(?:expected|forecast|estimated|predicted|projected|"
    r"anticipated|polled)",
    re.I,
)
_FROM_END = re.compile(rf"\bfrom(?:\s+{_ADJ})*\s*$", re.I)
_COMPARE_END = re.compile(
    rf"\b(?:compared (?:to|with)|versus|vs\.?|up from|down from|relative to)"
    rf"(?:\s+{_DET})?(?:\s+[\w-]+){{0,4}}?(?:\s+(?:of|at))?(?:\s+{_ADJ})*\s*$",
    re.I,
)
_COMPARE_START = re.compile(r"^\s*(?:as\s+)?(?:compared (?:to|with)|versus|vs\.?|against)\b", re.I)
_SHARE_BEFORE = re.compile(
    rf"\b(?:share|stake|portion|proportion|percentage)\s+of(?:\s+{_ADJ})*\s*$", re.I
)
_SHARE_AFTER = re.compile(
    r"^\s*(?:of\s+(?:(?:our|the|its|their|his|her|total|all)\s+)*(?P<whole>[A-Za-z&' -]{2,40}?)"
    r"(?=\s*(?:[,.;)]|$)|\s+(?:in|for|and|from|to|during|at|on|was|were|is|are|by|with|"
    r"compared|versus|under)\b)|(?:share|stake)\b)",
    re.I,
)
_BY_OBJECT = re.compile(
    rf"\b({_UP}|{_DOWN}|lowered|raised|trimmed)\s+(?:{_DET}\s+)?((?:[\w&'-]+\s+){{1,7}}?)by"
    rf"(?:\s+{_ADJ})*\s*$",
    re.I,
)
_MOVE_OF = re.compile(
    rf"^\s*(?:{_MOVE_NOUNS})\s+(?:in|of)\s+(?:{_DET}\s+)?((?:[\w&'-]+\s*){{1,4}})", re.I
)
# What a gapped clause keeps: an optional phrase of the first ("from September"), the
# conjunction, and the new subject, if any ("and apparel 0.5%", "and another 0.7%").
_GAPPED = re.compile(
    r"[\s,]*(?:[\w' .-]{1,30}?)?[\s,]*"
    r"\b(?:and|or|while|but)\s+(?:(?:another|a further|an additional|further|by)\s+)?"
    r"(?P<np>(?:[\w&.'-]+\s+){0,5}?)(?:(?:about|approximately|roughly|nearly|some|by)\s+)?",
    re.I,
)
_COMPARISON_HEAD = re.compile(
    r"\b(?:analysts?|economists?|estimates?|expectations?|consensus|forecasts?|polls?|"
    r"compares?|compared|last year's|prior year|year-ago|median|average|against)\b",
    re.I,
)
_COMPARATIVE_NOUN = re.compile(r"^\s*(?:higher|lower|more|fewer)(?=\s+[a-z])", re.I)
_COMPARATIVE_AFTER = re.compile(r"^\s*(?:lower|higher)\b(?!\s+(?:than|from))", re.I)
_PER_SHARE_AFTER = re.compile(
    r"^\s*(?:cents?\s+)?(?:a|per)\s+(?:diluted\s+|basic\s+)?share\b", re.I
)
_MULTIPLE_AFTER = re.compile(
    r"^\s*(?:times\s+)?(?P<what>(?:forward|trailing|next year's)?\s*"
    r"(?:earnings|sales|ebitda|book(?: value)?))",
    re.I,
)
_TARGET_RE = re.compile(
    r"\b(?:guidance|guided|guiding|outlook|expects?|expected|expecting|expectations?|"
    r"forecasts?|forecasting|projects?|projected|projecting|projections?|targets?|targeting|"
    r"estimates?|"
    r"targeted|goal|aims?|anticipates?|anticipated|predicts?|predicted|to reach|"
    r"range of|plans? to|sees?|seeing|propos(?:e|ed|es|ing|al))\b",
    re.I,
)
_LEVEL_END = re.compile(
    r"\b(?:of|was|were|is|are|be|been|being|reached|reaching|reach|reaches|hit|hitting|hits|"
    r"totaled|totalled|totaling|totalling|totals|stood at|stands at|came in at|coming in at|"
    r"trading at|traded at|trades at|above|below|under|near|past|through|top|tops|topping|"
    r"exceed|exceeded|exceeding|worth|valued at|priced at|generated|generating|delivered|"
    r"delivering|reported|reporting|posted|posting|recorded|produced|returned|returning|"
    r"paid|paying|spent|invested|representing|represented|represents|including|included|"
    r"achieved|approximately|about|around|roughly|nearly|almost|over|poured|received|"
    r"collected|issued|raised|allocated|committed|pledged|put in|set aside|approved|"
    r"announced|unveiled|requires?|required|holds?|held|owns?|owned|accounted for|"
    r"amounted to|amounting to|equal to|equivalent to|of about|level of|high of|low of|"
    r"brushing against|against|more than|less than|in excess of|as high as|as low as|for|with|"
    r"to|at)"
    rf"(?:\s+{_ADJ})*\s*$",
    re.I,
)
_VERBS = (
    rf"{_UP}|{_DOWN}|{_FLAT}|was|were|is|are|be|been|has|have|had|reached|reaches|reaching|hit|"
    r"hits|hitting|totaled|totalled|totaling|totals|stood|stands|came|comes|closed|closes|"
    r"closing|ended|ends|ending|settled|finished|trading|traded|trades|represented|represents|"
    r"representing|generated|generates|delivered|reported|posted|recorded|produced|returned|"
    r"paid|spent|invested|expects?|expected|sees?|saw|forecasts?|projects?|projected|targets?|"
    r"exceeded|topped|tops|topping|pushed|brushing|struck|set|will|would|could|should|may|"
    r"might|remains?|remained|amounted|accounted|made|makes|marked|marking|achieved|poured|"
    r"received|collected|issued|raised|allocated|committed|pledged|approved|announced|"
    r"unveiled|requires?|required|holds?|held|owns?|agreed|plans?|planned|aims?|"
    r"continued|continues|helped|drove|driven|led|blasting|surpassed|crossed|broke|breaking|"
    r"passed|stayed|kept|left|held|did|does|do|came|grew|expanded|generating|delivering|"
    r"contributed|including|included|includes|reflecting|reflects|reflected|excluding|"
    r"exclude|excludes|excluded|associated|related|driving|threatened|said|says|noted|isn|aren|"
    r"wasn|weren|doesn|didn|won|can|cannot|put|puts|top|watching|guide|guides|trade|earns|"
    r"earned|accounts|accounted|comprises|comprised|dragged|settling|firmed|extended|"
    r"strengthened|weakened|priced|produced|traded|imply|implied|tends|suffer|found|finds|"
    r"struggled|gave|give|got|get|took|take|brought|bring|sent|send|showed|shows|seen|"
    r"introduc(?:e|ed|es|ing)|provid(?:e|ed|es|ing)|reaffirm(?:s|ed|ing)?|reiterat(?:e|ed|es|ing)|"
    r"initiat(?:e|ed|es|ing)|issuing|updat(?:e|ed|es|ing)|narrow(?:s|ed|ing)?"
)
_VERB_RE = re.compile(rf"(?<![\w-])(?:{_VERBS})(?![\w-])", re.I)
_DET_WORDS = frozenset({
    "a", "an", "the", "our", "its", "their", "his", "her", "this", "that", "these", "those",
    "we", "it", "they", "i", "you", "which", "who", "there", "here", "also", "and", "but",
    "while", "even", "still", "so", "then", "meanwhile", "as", "with", "in", "for", "on", "at",
    "by", "from", "to", "of", "into", "during", "after", "before", "since", "amid", "across",
    "not", "just", "only", "now", "both", "all", "total", "overall", "addition", "further",
    "furthermore", "additionally", "moreover", "however", "today", "yesterday", "finally",
    "again", "once", "broader", "same-store", "reported", "said", "note", "noted", "that's",
    "it's", "there's", "here's", "what's", "we're", "we've", "i'm", "they're", "versus", "vs",
    "compared", "respectively", "approximately", "nearly", "about", "around", "roughly",
    "where", "little", "earlier", "later", "because", "when", "if", "whether",
})  # fmt: skip
_PREPS_IN_NP = frozenset({"of", "per", "on", "to", "for", "from", "in", "and", "&", "excluding"})
_STATE_WORDS = frozenset({"unchanged", "steady", "flat", "stable", "intact", "constant"})
_LEAD_DROP = frozenset({
    "a", "an", "the", "our", "its", "their", "his", "her", "this", "that", "these", "those",
    "also", "and", "but", "while", "even", "still", "so", "then", "meanwhile", "as", "with",
    "total", "overall", "both", "all", "of", "in", "for", "on", "at", "by", "to", "from",
})  # fmt: skip

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_QUARTERS = "first|second|third|fourth"
# (kind, said as written, pattern), most specific first: the first that matches is the period.
_PERIOD_PATTERNS: tuple[tuple[str, bool, str], ...] = (
    ("year-to-date", False, r"year-to-date|year to date|ytd|so far this year"),
    (
        "prior year",
        False,
        r"(?:(?:in |for |during )?the same (?:quarter|period|month) (?:of |a )?"
        r"(?:last|a|the prior|the previous) year)|(?:in |for |during )?the (?:prior|previous)"
        r"[- ]year(?: (?:quarter|period))?|a year (?:ago|earlier)|last year|prior year|"
        r"year-ago(?: (?:quarter|period))?",
    ),
    (
        "year-over-year",
        False,
        r"year-over-year|year-on-year|year over year|yoy|y/y|over the prior year|on the year|"
        r"versus the prior year",
    ),
    (
        "sequential",
        False,
        r"sequentially|quarter-over-quarter|quarter-on-quarter|q/q|"
        rf"from (?:the|our) (?:{_QUARTERS}|previous|prior|last) quarter",
    ),
    (
        "quarter",
        True,
        rf"(?:{_QUARTERS})[- ]quarter(?: (?:of )?(?:fiscal )?(?:year )?'?\d{{2,4}})?|"
        r"(?:the|this) quarter|q[1-4](?: (?:fiscal )?'?\d{2,4})?|quarterly|"
        r"quarter[- ]end|(?:the )?end of the quarter",
    ),
    ("half", True, r"(?:first|second)[- ]half(?: of (?:fiscal )?\d{4})?|h[12]"),
    (
        "full year",
        True,
        r"full[- ]year(?: (?:fiscal )?\d{4})?|(?:the )?full year|fiscal (?:year )?'?\d{2,4}|"
        r"fy ?'?\d{2,4}|(?:in|for|by) (?:the end of )?(?:fiscal )?'?(?:20\d\d|\d\d)\b"
        r"(?![%.,]?\d|%)|"
        r"this year|next year|annual(?:ly)?",
    ),
    (
        "month",
        True,
        rf"(?:(?:three|six|nine|twelve|12|3|6) months|year) (?:to|through|ended|ending) "
        rf"(?:the end of )?(?:{_MONTHS})|(?:in|for|from|since|through) (?:{_MONTHS})|"
        r"(?:last|this|the) month|monthly|month-on-month|month-over-month",
    ),
    ("week", True, r"(?:this|last|the) week|weekly"),
    (
        "day",
        True,
        r"(?:monday|tuesday|wednesday|thursday|friday)(?:'s session)?|"
        r"(?:today's |the )session|today|intraday|overnight|on the day|daily",
    ),
    ("decade ago", True, r"a decade ago|ten years ago|\d+ years ago"),
)
_PERIODS: tuple[tuple[str, bool, re.Pattern[str]], ...] = tuple(
    (name, as_written, re.compile(rf"\b(?:{pattern})\b", re.I))
    for name, as_written, pattern in _PERIOD_PATTERNS
)

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
_MARKET_RE = re.compile(
    r"\b(?:index|indices|nikkei|topix|kospi|taiex|hang seng|s&p|dow|nasdaq|ftse|dax|cac|"
    r"stoxx|sensex|nifty|shares|stock|stocks|yen|dollar|euro|yuan|pound|bitcoin|gold|oil|"
    r"brent|wti|crude|treasur\w*|bund|gilt|usd\S*|jpy|eur\S*|benchmark|futures|market|pair|"
    r"currency|bonds?|notes?)\b",
    re.I,
)
_GENERIC = frozenset({
    "", "index", "benchmark", "benchmark index", "gauge", "shares", "stock", "stocks",
    "company", "market", "equities", "figure", "number", "total", "level", "mark", "it",
    "that", "this", "which", "broader index", "the index", "results", "business", "amount",
    "line", "threshold", "milestone", "barrier",
})  # fmt: skip
_PERIOD_ONLY = re.compile(r"(?:the )?(?:quarter|year|period|month|week|session)", re.I)
_PERIOD_TAIL = re.compile(
    r"\s+(?:in|for|during|of)\s+(?:the|this|our)\s+(?:(?:first|second|third|fourth)\s+)?"
    r"(?:quarter|year|period|month|week|session)\b.*$",
    re.I,
)
_RELATIVE_START = re.compile(r"^[\s,]*(?:which|who|whose|that|where|when)\b", re.I)
_UNIT_WORDS = re.compile(
    r"^(?:bpd|b/d|barrels?|tons?|tonnes?|ounces?|units?|people|workers|vehicles|homes|"
    r"contracts|shares|jobs|members|customers|subscribers|stores|employees)\b",
    re.I,
)
_CLAUSE_CUT = re.compile(
    r"[;:\u2013\u2014](?=\s)|,(?=\s)(?!\s+or\b)|"
    r"(?<!much)(?<!little)(?<!many)(?<!high)(?<!low)(?<!well)"  # "as much as 1.6%": one clause
    r"\s(?:while|whereas|but|and then|after|as(?!\s+(?:much|little|many|high|low|well)\b)|"
    r"with|which|although|though|led by|"
    r"driven by|helped by|thanks to|amid)\s|"
    r"\s(?=(?:as\s+)?(?:compared (?:to|with)|versus|vs\.?)\s)"
)


@dataclass(frozen=True)
class Frame:
    """What the article's sentence says of one number (see the module docstring)."""

    number: NumberMatch
    head: str = ""
    subject: str = ""
    measure: str = ""
    role: str = ""
    direction: str = ""
    period: str = ""
    per_share: bool = False
    whole: str = ""
    options: tuple[str, ...] = ()
    said_as: str = ""  # for a target: guidance, forecast, expected or target

    @property
    def what(self) -> str:
        """The thing measured: the head phrase, led by its subject name when the head omits
        it or says only "the index"."""
        head = "" if self.head.lower() in _GENERIC else self.head
        if self.subject and self.subject.lower() not in head.lower():
            head = f"{self.subject} {head}".strip()
        if self.per_share and not re.search(r"share|eps", head, re.I):
            head = f"{head} per share".strip()
        return head

    @property
    def complete(self) -> bool:
        """Whether our code can name the number alone: a role and a named thing (a subject,
        or a head that states a known measure), with no open choice of subject."""
        if not self.role or not self.what:
            return False
        if self.options:
            return False
        return bool(self.subject) or bool(self.measure and self.measure != "level")

    def label(self) -> str | None:
        """The label composed from a complete frame, None otherwise."""
        return compose(self, self.what) if self.complete else None

    def label_with(self, subject: str) -> str:
        """The label with `subject` chosen for it (one of ``options``)."""
        head = "" if self.head.lower() in _GENERIC else self.head
        what = head if subject.lower() in head.lower() else f"{subject} {head}".strip()
        return compose(self, what)


def compose(frame: Frame, what: str) -> str:
    """'<what> <role word>, <period>': the one way a frame becomes a label."""
    role, direction = frame.role, frame.direction
    market = frame.measure in ("", "level", "price", "valuation") and bool(_MARKET_RE.search(what))
    words = what
    if role == "change":
        if frame.number.unit in ("bp", "pp") and "margin" in what.lower():
            move = {"up": "expansion", "down": "contraction"}.get(direction, "change")
        elif market:
            move = {"up": "gain", "down": "fall"}.get(direction, "change")
        else:
            move = {"up": "increase", "down": "decrease"}.get(direction, "change")
        words = f"{what} {move}"
    elif role == "prior":
        return f"{what}, {frame.period or 'earlier value'}"
    elif role == "target":
        move = {"up": "increase", "down": "decrease"}.get(direction, "")
        word = frame.said_as
        if word in ("expected", "proposed"):
            words = f"{' '.join(w for w in (what, move) if w)}, {word}"
        else:
            named = re.search(r"goal|target|guidance|outlook|forecast|plan", what, re.I)
            noun = "" if named else (word or "target")
            words = " ".join(w for w in (what, move, noun) if w)
    elif role == "share":
        words = f"{what} share of {frame.whole}" if frame.whole else f"{what} share"
    elif role == "multiple":
        words = what if re.search(r"multiple|p/e", what, re.I) else f"{what} multiple"
    elif role == "level":
        if frame.measure == "close":
            words = f"{what} close"
        elif (
            market
            and frame.number.unit not in ("", "%", "points")
            and re.search(r"\b(?:shares|stock)$", what, re.I)
        ):
            words = re.sub(r"\b(?:shares|stock)$", "share price", what)  # "$41.50": a price
        elif market and frame.measure in ("", "level"):
            markers = ("level", "mark", "milestone", "threshold", "line", "barrier", "high", "low")
            words = what if what.lower().endswith(markers) else f"{what} level"
    words = " ".join(words.split())
    period = frame.period
    if period and period.lower() not in words.lower():
        return f"{words}, {period}"
    return words


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


def measure_of(phrase: str) -> str:
    """The canonical measure a phrase states ("adjusted diluted earnings per share": EPS)."""
    found = _measure_in(phrase)
    return found[0] if found else ""


def _measure_in(phrase: str, last: bool = False) -> tuple[str, str] | None:
    """(canonical measure, the words stating it): the most specific measure the phrase
    states, or with `last` the one stated nearest its end."""
    hits = [(name, m) for name, pattern in _MEASURE_RE if (m := pattern.search(phrase))]
    if not hits:
        return None
    if last:
        best = max(hits, key=lambda h: (h[1].end(), h[1].end() - h[1].start()))
        return best[0], best[1].group(0)
    return hits[0][0], hits[0][1].group(0)


def _direction(words: str) -> str:
    """up or down, as the first move word of `words` says; "" when none does."""
    down, up = _DOWN_RE.search(words), _UP_RE.search(words)
    if down and (not up or down.start() <= up.start()):
        return "down"
    return "up" if up else ""


def _period(text: str) -> str:
    return _period_named(text)[1]


def _period_named(text: str) -> tuple[str, str]:
    """(kind, as the label says it) of the first period the text names, or ("", "")."""
    for name, as_written, pattern in _PERIODS:
        m = pattern.search(text)
        if m:
            if not as_written:
                return name, name
            said = " ".join(m.group(0).split())
            return name, re.sub(r"^(?:in|for|during|on|by)\s+", "", said, flags=re.I)
    return "", ""


_CONNECT_END = re.compile(
    rf"\s+(?:of|at|to|was|were|is|are|totaled|totaling|totalled|reached|came in at|stood at|"
    rf"amounted to|equal to)(?:\s+{_ADJ})*\s*$",
    re.I,
)
_AUX = frozenset({
    "was", "were", "is", "are", "be", "been", "being", "has", "have", "had", "will", "would",
    "could", "should", "may", "might", "to", "also", "still", "just", "now", "further",
    "already", "then", "reportedly", "currently", "again",
})  # fmt: skip


def _predicate_head(zone: str) -> str:
    """The noun phrase before the verb that governs what follows: "a stimulus package
    expected to top" gives "stimulus package"; "The benchmark index was trading at" gives
    "benchmark index"; no verb gives ""."""
    verbs = list(_VERB_RE.finditer(zone))
    if not verbs:
        return ""
    # "we reported adjusted net income ... of": the object before "of" is the head.
    tail = _CONNECT_END.sub("", zone[verbs[-1].end() :])
    if tail.strip() and tail != zone[verbs[-1].end() :]:
        found = _noun_phrase_before(tail)
        if found and found.lower() not in _GENERIC:
            return found
    start = verbs[-1].start()
    # Back over auxiliaries, "to" and chained verbs ("expected to top", "have poured").
    while True:
        m = re.search(r"([\w']+)\s*$", zone[:start])
        if not m:
            break
        word = m.group(1).lower()
        if word in _AUX or (_VERB_RE.fullmatch(word) and word not in ("growth", "gains")):
            start = m.start()
            continue
        break
    return _noun_phrase_before(zone[:start])


_OPENER_RE = re.compile(
    r"^[\s,]*(?:for|in|during|on|(?:turning|looking|moving|coming)(?: back)? to|looking at)\b",
    re.I,
)
_AT_TIME_END = re.compile(
    r"\s+(?:at|as of|by)\s+(?:the\s+)?(?:end\s+of\s+(?:the\s+)?)?"
    rf"(?:(?:{_QUARTERS})\s+)?(?:quarter|year|period|month|q[1-4])(?:[- ]end)?\s*$",
    re.I,
)


_COMPARED_PERIOD = re.compile(
    r"\b(?:from|than|compared (?:to|with)|versus|vs\.?|over)\s+(?:the\s+)?"
    r"(?:a year (?:ago|earlier)|(?:the )?(?:prior|previous|same)[- ](?:year|period|quarter)|"
    r"last year|year-ago)",
    re.I,
)
_QUALIFIER_END = re.compile(
    r"(?:\s+of)?\s+(?:more|less|fewer|greater|higher|lower)\s+than\s*$|\s+of\s+"
    r"(?:about|nearly|over|around|roughly|approximately|almost|some|up to)\s*$",
    re.I,
)
# Money poured into something: what the number measures is a flow, whoever poured it.
_FLOW_INTO = re.compile(
    r"\b(?:poured|pumped|plowed|ploughed|funnell?ed|put)\b(?:\s+\w+){0,3}\s*$", re.I
)


def _noun_phrase_before(text: str) -> str:
    """The noun phrase ending text, scanning back over its words until a determiner,
    pronoun or verb ("our sales to government customers" gives "sales to government
    customers"); prepositions inside it are kept ("earnings per share")."""
    text = _AT_TIME_END.sub("", text)  # "net debt at quarter end": the debt
    text = _QUALIFIER_END.sub("", text)  # "net purchases of more than": the purchases
    words = re.findall(r"[\w&'./()$%-]+", text.replace("\u2019", "'"))
    kept: list[str] = []
    while words and (words[-1].lower() in _AUX or _ADJ_RE.fullmatch(words[-1].lower())):
        words = words[:-1]
    for i in range(len(words) - 1, -1, -1):
        w = words[i]
        low = w.lower()
        if _VERB_RE.fullmatch(low) and not (kept and low in ("growth", "gains")):
            break
        if low in _DET_WORDS and low not in _PREPS_IN_NP:
            # A determiner inside a prepositional phrase ("return on equity for the TOPIX")
            if i > 0 and words[i - 1].lower() in _PREPS_IN_NP and kept:
                kept.append(w)
                continue
            break
        kept.append(w)
        if len(kept) > 12:
            break
    kept.reverse()
    while kept and kept[-1].lower() in _STATE_WORDS:
        kept = kept[:-1]  # "left its deposit rate unchanged at": the rate, not "unchanged"
    while kept and kept[0].lower() in _LEAD_DROP | _PREPS_IN_NP:
        kept = kept[1:]
    while kept and kept[-1].lower() in _PREPS_IN_NP | _LEAD_DROP:
        kept = kept[:-1]
    return " ".join(kept)


def _trim_head(head: str) -> tuple[str, str]:
    """(head, tail): a head over MAX_HEAD_WORDS cut at its first preposition after two
    words; the tail may still name the subject ("ROE for the TOPIX index")."""
    words = head.split()
    if len(words) <= MAX_HEAD_WORDS:
        return head, ""
    for i in range(2, len(words)):
        if words[i].lower() in ("from", "for", "in", "at", "during", "excluding", "on", "of", "to"):
            if words[i].lower() in ("of", "to", "on") and i < 3:
                continue
            return " ".join(words[:i]), " ".join(words[i:])
    return " ".join(words[:MAX_HEAD_WORDS]), " ".join(words[MAX_HEAD_WORDS:])


def _clauses(text: str, s0: int, s1: int) -> list[tuple[int, int]]:
    cuts = [s0]
    for m in _CLAUSE_CUT.finditer(text, s0, s1):
        cuts.append(m.end() if m.group(0).strip() else m.start())
    cuts.append(s1)
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _clause_head(clause: str) -> str:
    """The noun phrase a clause speaks of: the words before its first verb (or, with no
    verb before a number, nothing: "up 2.17%" borrows its sentence's subject)."""
    first_number = next((m for m in find_numbers(clause) if worth_a_figure(m)), None)
    stop = first_number.start if first_number else len(clause)
    return _predicate_head(clause[:stop])


_QUARTER_REPORTED = re.compile(
    rf"\b(?:({_QUARTERS})[- ]quarter|q([1-4]))"
    r"(?:\s+(?:of\s+)?(?:fiscal\s+)?(?:year\s+)?'?\d{2,4})?"
    r"(?:\s+(?:fiscal|financial|operating))?\s+(?:earnings|results|conference call|call)\b"
    r"(?!\s+season)"
    rf"|\b(?:had|delivered|reported|posted)\s+an?\s+(?:\w+\s+){{0,2}}?({_QUARTERS})[- ]quarter\b",
    re.I,
)
_ORDINALS = ("first", "second", "third", "fourth")
OPENING_CHARS = 4000  # where an earnings report says which quarter it reports
# What an earnings report states of its quarter unless a sentence says another period.
REPORTED_MEASURES = frozenset({
    "revenue", "sales", "EPS", "net income", "net loss", "operating income", "operating margin",
    "gross margin", "gross profit", "EBITDA", "EBITDA margin", "pre-tax profit", "cash flow",
    "free cash flow", "orders", "earnings", "margin",
})  # fmt: skip


def reporting_period(text: str) -> str:
    """The quarter an earnings report is about ("third quarter"): the first its opening
    names as its results or call ("our second quarter fiscal 2021 results"); "" for an
    article that names none."""
    m = _QUARTER_REPORTED.search(text[:OPENING_CHARS])
    if m is None:
        return ""
    named = m.group(1) or m.group(3)
    return f"{named.lower() if named else _ORDINALS[int(m.group(2)) - 1]} quarter"


def in_period(frame: Frame, period: str) -> Frame:
    """The frame with the report's period when its sentence names none: "sales were $404
    million" in a second-quarter call are the quarter's sales."""
    if (
        not period
        or frame.period
        or frame.role not in ("level", "change")
        or frame.measure not in REPORTED_MEASURES
    ):
        return frame
    return replace(frame, period=period)


def frames_of(text: str, numbers: list[NumberMatch] | None = None) -> list[Frame]:
    """A frame for each number of text, in find_numbers' order."""
    found = find_numbers(text) if numbers is None else numbers
    return [frame_of(text, n, found) for n in found]


def _possessive_owner(before: str) -> str:
    """ "Japan's $4.9 trillion": Japan; "the S&P 500's 20x": S&P 500."""
    m = re.search(r"([A-Z][\w&./-]*(?:\s+(?:[A-Z][\w&./-]*|\d{2,4}))*)['\u2019]s\s*$", before)
    return m.group(1) if m and m.group(1) not in NOT_NAMES else ""


def _attributive(after: str) -> str:
    """The noun phrase a number qualifies directly ("$4.9 trillion economy", "the 58,000
    level", "100% tariffs on Chinese imports"), or ""."""
    m = re.match(
        r"^\s+((?:[a-z][\w-]*|[A-Z][\w&-]*)(?:\s+(?:[a-z][\w-]*|[A-Z][\w&-]*)){0,4})", after
    )
    if not m:
        return ""
    words = m.group(1).split()
    if _VERB_RE.fullmatch(words[0].lower()) or words[0].lower() in _DET_WORDS | {
        "or",
        "than",
        "per",
        "times",
        "a",
        "in",
        "year-over-year",
        "year-on-year",
        "yoy",
        "sequentially",
        "higher",
        "lower",
        "more",
        "less",
        "of",
        "versus",
        "compared",
    }:
        return ""
    kept: list[str] = []
    for w in words:
        low = w.lower()
        if _VERB_RE.fullmatch(low) or low in (
            "and",
            "or",
            "that",
            "which",
            "while",
            "than",
            "as",
            "by",
            "year-over-year",
            "year-on-year",
            "yoy",
            "sequentially",
        ):
            break
        stops = ("in", "on", "for", "to", "into", "from", "of", "at", "during", "ahead")
        if low in stops and (low not in ("on", "in", "into", "of") or not kept):
            break
        kept.append(w)
    while kept and kept[-1].lower() in _PREPS_IN_NP | {"into"}:
        kept.pop()
    return " ".join(kept[:5])


def frame_of(text: str, n: NumberMatch, numbers: list[NumberMatch] | None = None) -> Frame:
    """The frame of number n, a match of find_numbers on text.

    Args:
        text: the whole article (or chunk); n's offsets index it.
        n: the number to read.
        numbers: find_numbers(text), when the caller has it (saves re-parsing).
    """
    s0, s1 = align.sentence_bounds(text, n.start)
    # A "sentence" past these reaches is a table or a run-on transcript line: only the words
    # near the number are read, so a frame costs the same wherever it sits (linear overall).
    s0, s1 = max(min(s0, n.start), n.start - REACH_BEFORE), min(max(s1, n.end), n.end + REACH_AFTER)
    all_numbers = numbers if numbers is not None else find_numbers(text)
    # The sentence's numbers by bisection: linear in the sentence, not in the article.
    lo = bisect.bisect_left(all_numbers, s0, key=lambda m: m.start)
    hi = bisect.bisect_right(all_numbers, s1, key=lambda m: m.start)
    in_sentence = [m for m in all_numbers[lo:hi] if m.end <= s1 and worth_a_figure(m)]
    clauses = _clauses(text, s0, s1)
    k = next(i for i, (a, b) in enumerate(clauses) if a <= n.start < b or b >= n.end)
    c0, c1 = clauses[k]
    before_numbers = [m for m in in_sentence if m.end <= n.start and m.start >= c0]
    after_numbers = [m for m in in_sentence if m.start >= n.end and m.end <= c1]
    w0 = before_numbers[-1].end if before_numbers else c0
    w1 = after_numbers[0].start if after_numbers else c1
    nb = text[w0 : n.start].replace("\u2019", "'")
    na = text[n.end : w1].replace("\u2019", "'")
    clause_before = text[c0 : n.start]

    # The role, from the words right around the number.
    role, direction, whole, measure_hint = "", "", "", ""
    per_share = bool(_PER_SHARE_AFTER.match(na)) or bool(
        re.search(r"\bper (?:diluted |basic )?share\b", nb, re.I)
    )
    attributive = _attributive(na)
    move_after = _MOVE_NOUN_AFTER.match(na)
    by_object = _BY_OBJECT.search(nb)
    if n.unit == "x" or re.match(r"^\s*times\b", na, re.I):
        role = "multiple"
    elif (
        _FROM_END.search(nb)
        or _COMPARE_END.search(nb)
        or (_COMPARE_START.match(text[c0:c1]) and not before_numbers)
    ):
        role = "prior"
    elif n.unit == "%" and (_SHARE_BEFORE.search(nb) or _SHARE_AFTER.match(na)):
        role = "share"
        m = _SHARE_AFTER.match(na)
        whole = _noun_phrase_before(m.group("whole")) if m and m.group("whole") else ""
    elif (move_after or _COMPARATIVE_AFTER.match(na)) and not re.search(r"\b(?:to|at)\s*$", nb):
        role = "change"
        direction = _direction(move_after.group("noun") if move_after else na[:12])
    elif _MOVE_NOUN_END.search(nb):
        role = "change"
        noun = _MOVE_NOUN_END.search(nb)
        assert noun is not None
        direction = _direction(noun.group(0))
    elif _CLOSE_END.search(nb) or (before_numbers and _CLOSE_ANY.search(clause_before)):
        role, measure_hint = "level", "close"  # "finished up 0.8% at 58,215"
    elif (to_end := _TO_END.search(nb)) and (
        _MOVE_VERB_END.search(nb[: to_end.start()]) or before_numbers
    ):
        role = "level"  # "rose to 5,100", "jumped 1.72% to 3,325.82"
    elif _MOVE_VERB_END.search(nb):
        role = "change"
        verb = _MOVE_VERB_END.search(nb)
        assert verb is not None
        direction = _direction(verb.group(0))
    elif n.unit in ("bp", "pp"):
        role = "change"
    elif _LEVEL_END.search(nb) or attributive or not nb.strip():
        role = "level"
    if by_object and role in ("", "level", "change", "prior"):
        # "reduced our receivables financing program by nearly $7 million"
        role = "change"
        direction = _direction(by_object.group(1))
    gapped: Frame | None = None  # "A rose 0.6% and B 0.5%": the verb gapped from B's clause
    gapped_np = ""
    if (
        before_numbers
        and re.fullmatch(r"[\s,]*(?:or|and)?[\s,]*(?:about|approximately|roughly)?\s*", nb)
        and role in ("", "level")
    ):
        prev = frame_of(text, before_numbers[-1], all_numbers)
        role, direction = prev.role or role, prev.direction
    elif (
        before_numbers
        and role in ("", "level")
        and not _TO_END.search(nb)
        and (gap := _GAPPED.fullmatch(nb))
    ):
        prev = frame_of(text, before_numbers[-1], all_numbers)
        if prev.role == "level" and len(before_numbers) > 1:
            prev = frame_of(text, before_numbers[-2], all_numbers)  # "rose 5% to $3 billion and"
        if prev.role == "change" and not _VERB_RE.search(gap.group("np")):
            role, direction, gapped, gapped_np = "change", prev.direction, prev, gap.group("np")
    if role == "change" and n.text.lstrip()[:1] in "-\u2212":
        direction = "down"
    if role == "change" and not direction:
        direction = _direction(nb)

    # What the number is said of.
    owner = _possessive_owner(nb)
    head, tail = "", ""
    marker = ""
    when = next((m for _, _, m in (t for t in _PERIODS) if m.search(attributive)), None)
    if attributive and when is not None:
        attributive = attributive[: when.search(attributive).start()].strip()  # type: ignore[union-attr]
        attributive = re.sub(r"(?:\s+(?:on|in|of|for|a|an|the))+$", "", attributive)
    if attributive and _UNIT_WORDS.match(attributive):
        attributive = ""  # "43.2 million barrels per day": a unit, not what is measured
    if attributive and role in ("level", "share", "") and not per_share:
        head = attributive
        if re.fullmatch(r"(?:level|mark|line|barrier|threshold|milestone)s?", head, re.I):
            marker, head = head.lower(), ""  # "the 58,000 level": the level of the clause's subject
    if by_object:
        head = _noun_phrase_before(by_object.group(2))
    comparative = _COMPARATIVE_NOUN.match(na)
    if role == "change" and comparative and not head:
        head = _attributive(na[comparative.end() :])  # "17% higher revenues": revenues
    if not head and before_numbers and role == "level" and _TO_ONLY.fullmatch(nb):
        moved = frame_of(text, before_numbers[-1], all_numbers)  # "net income 7% to $300m"
        if moved.role == "change" and re.search(r"[A-Za-z]{3}", moved.head):
            head, owner = moved.head, owner or moved.subject
    if gapped is not None and not head:
        np = _noun_phrase_before(gapped_np)
        head = np if np and not _period_named(np)[1] else gapped.head
        if head == gapped.head and not owner:
            owner = gapped.subject
    moved_what = _MOVE_OF.match(na)
    if not head and role == "change" and moved_what:
        head = _noun_phrase_before(moved_what.group(1))  # "a 15% jump in loan-loss provisions"
    if not head and before_numbers:
        # "unrestricted cash of $110 million and availability of $390 million"
        local = re.sub(r"^[\s,;]*(?:and|or|while|but|with|plus)?\s*", "", nb)
        local = re.sub(
            r"\s+(?:of|at|was|were|is|are|totaled|totaling|reached)(?:\s+" + _ADJ + r")*\s*$",
            " was ",
            local,
            flags=re.I,
        )
        found = _predicate_head(local) if local.strip() else ""
        if found and found.lower() not in _GENERIC and not _PERIOD_ONLY.fullmatch(found):
            head = found
    if not head:
        zone = text[c0 : before_numbers[0].start] if before_numbers else clause_before
        head = _predicate_head(zone) if zone.strip() else ""
        move_end = _MOVE_NOUN_END.search(zone)
        if role == "change" and move_end and not head:
            head = _noun_phrase_before(zone[: move_end.start()])
        if not head and zone.strip() and not _VERB_RE.search(zone):
            head = _noun_phrase_before(re.sub(r"\b(?:of|at)\s*$", "", zone.rstrip()))
    if not head:
        # "generated $28 million from operating activities": the measure follows
        m_after = re.match(r"^\s+(?:in|of|from)\s+((?:[\w&-]+\s*){1,5})", na)
        if m_after and measure_of(m_after.group(1)):
            head = _noun_phrase_before(m_after.group(1))
    head = _PERIOD_TAIL.sub("", head).strip()
    if head and _period_named(head)[1].lower() == head.lower():
        head = ""  # "year-to-date gains": the period is no subject
    head, tail = _trim_head(head)
    head = re.sub(rf"\s*\b(?:{_MOVE_NOUNS})$", "", head, flags=re.I) if role == "change" else head
    names = name_runs(owner) if owner else name_runs(head) or name_runs(tail)
    subject = names[-1] if names else ""
    if not subject and head and measure_of(head):
        # "Aviation reported revenue of $143 million": revenue is Aviation's
        subject = (
            _agent(text[c0 : n.start])
            or _antecedent(text, clauses[:k], s0, c0)
            # "Aviation reported revenue of $143 million with operating profit of $3.2
            # million": a clause with no verb of its own is the sentence's agent's
            or (
                _agent(text[s0 : clauses[0][1]])
                if k > 0 and not _VERB_RE.search(text[c0 : n.start])
                else ""
            )
        )
    options: tuple[str, ...] = ()
    generic = head.lower() in _GENERIC or head.lower().startswith(("that", "it "))
    if not subject and (generic or not measure_of(head)):
        inherited = _inherit(text, clauses[:k], c0, s0)
        if inherited:
            if isinstance(inherited, tuple):
                # The sentence before names the subject only of "the index", "it", "that":
                # a head of its own ("Overseas investors") is not another sentence's.
                options = inherited if generic or not head else ()
                if len(options) == 1:
                    subject, options = options[0], ()
            else:
                head = inherited if generic else head or inherited
                names = name_runs(head)
                subject = names[-1] if names else ""
    if not subject and head and k > 0 and not owner and not options:
        subject = _scope(text[clauses[0][0] : clauses[0][1]])  # "In the cable segment, ..."
    if not subject and not options and measure_of(head) and not _WHOLE_COMPANY.search(head):
        subject = _section(text, s0)  # "Turning to Aflac Japan. ... Revenue rose 3%"
    if generic and subject and head.lower() in _GENERIC and head.lower() not in ("level", "mark"):
        head = ""
    if marker and not head.lower().endswith(marker):
        head = f"{head} {marker}".strip()
    measure = measure_hint or measure_of(head)
    if not measure and _FLOW_INTO.search(nb) and re.match(r"^\s+into\b", na) and head:
        head, measure = f"inflows from {head}", "inflows"  # "investors poured $60 billion into"
    if not measure and role != "multiple":
        # "the Fed held its target range at 3.50%": the clause states the measure
        near = clause_before[-NEAR_CHARS:]
        stated = _measure_in(_TARGET_NOUNS.sub(lambda m: m.group(0).split()[-1], near), last=True)
        if stated and stated[0] != "level":
            measure = stated[0]
            if head.lower() in _GENERIC or not head:
                head = stated[1]
    if role == "multiple":
        mm = _MULTIPLE_AFTER.match(na)
        if mm and mm.group("what").strip().lower() not in head.lower():
            head = f"{head} {mm.group('what').strip()}".strip()
        measure = "valuation"
    if per_share and measure not in ("dividend", "buyback", "price", "cash flow", "free cash flow"):
        measure = "EPS"  # per-share earnings, however the head words them

    # The period: the number's own words first, then its clause, then an opening "For the
    # quarter," that frames the whole sentence.
    period = ""
    if gapped is not None:  # its own words, else the first clause's unless said before "and"
        said_before = bool(gapped.period) and gapped.period.lower() in nb.lower()
        period = _period(f"{gapped_np} {na[:NEAR_CHARS]}") or ("" if said_before else gapped.period)
    else:
        period = _period(nb[-NEAR_CHARS:] + " " + na[:NEAR_CHARS]) or _period(
            text[max(c0, n.start - NEAR_CHARS) : min(c1, n.end + NEAR_CHARS)]
        )
    for a, b in clauses[:k] if not period else ():
        opener = text[a:b]  # "For the quarter, ...", "With that, turning to the quarter, ..."
        if _OPENER_RE.match(opener) and not find_numbers(opener):
            period = _period(opener)
            if period:
                break
    if role == "prior" and period not in ("prior year", "year-over-year", "sequential"):
        kind, later = _period_named(text[n.end : s1][:90])
        if kind in ("prior year", "decade ago"):
            period = later
        elif _period_named(period)[0] not in ("quarter", "full year", "half", "decade ago"):
            period = ""
    if not period and role == "change":
        later_kind, _ = _period_named(text[n.end : s1][:120])
        if later_kind in ("prior year", "year-over-year", "sequential"):
            period = {"prior year": "year-over-year"}.get(later_kind, later_kind)
    if not period and k > 0 and role in ("change", "level", "target"):
        main_kind, main = _period_named(text[clauses[0][0] : clauses[0][1]])
        if main_kind in ("day", "month", "week", "quarter", "half", "full year"):
            period = main  # "Stocks tumbled on Friday, with the Topix down 2.7%"
    kind = _period_named(period)[0] if period else ""
    if role == "level" and (
        kind in ("year-over-year", "sequential")
        or (kind == "prior year" and _COMPARED_PERIOD.search(text[s0:s1]))
    ):
        period = ""  # "rose 38% from a year earlier to $14.2 billion": the comparison's
    elif role == "prior" and kind == "year-over-year":
        period = "prior year"
    elif role == "prior" and kind == "sequential":
        period = "previous quarter"
    elif role == "change" and kind == "prior year":
        period = "year-over-year"
    # A target: said so in the number's own clause, or in the sentence's main clause when
    # this clause only continues it ("We expect revenue of $X, up 5%"); an expected value
    # named right at the number ("consensus of 52 cents", "$3.3 billion analysts expected").
    governing = _TARGET_NOUNS.sub("", clause_before)
    own = text[c0 : n.start]
    if (
        k > 0
        and _CONNECTIVE_START.match(own)
        and not _VERB_RE.search(_CONNECTIVE_START.sub("", own))
    ):
        governing = _TARGET_NOUNS.sub("", text[s0 : n.start])
    expected_here = bool(_EXPECTED_BEFORE.search(nb) or _EXPECTED_AFTER.match(na))
    if (
        role in ("level", "change", "")
        and _TARGET_RE.search(governing)
        and not re.search(
            r"\b(?:was|were|reported|posted|generated|delivered|achieved|came in)\b",
            clause_before,
            re.I,
        )
        and not by_object
    ) or (expected_here and role in ("level", "change", "prior", "")):
        role = "target"
    base = (
        _compared_with(text, n, in_sentence, all_numbers) if role in ("prior", "target") else None
    )
    if (
        base is not None
        and not measure_of(head)
        and (not head or head.lower() in _GENERIC or _COMPARISON_HEAD.search(head))
    ):
        # "$3.1 billion, short of the $3.3 billion analysts had expected": what the
        # sentence compares it with is what it measures
        head, subject, measure = base.head, subject or base.subject, base.measure
        per_share = per_share or base.per_share
    elif base is not None and base.per_share and not per_share and measure in ("", "earnings"):
        per_share, measure = True, base.measure  # "41 cents a share, down from 68 cents"
    if role == "target" and measure in ("", "guidance") and not per_share:
        # "guidance of earnings per share of $3.10", "forecast $1 billion of sales": what
        # the outlook is of
        of_what = _target_measure(text, n, c0)
        if of_what:
            measure = of_what[0]
            outlook = _OUTLOOK_WORDS.search(head) if measure_of(head) == "guidance" else None
            if outlook is not None:
                head = f"{of_what[1]} {outlook.group(0)}"  # "EPS guidance"
            elif not measure_of(head):
                head = of_what[1]
    said_as = ""
    if role == "target":
        said = (governing + " " + nb + " " + na[:40]).lower()
        said_as = (
            "guidance" if re.search(r"guid|outlook", said)
            else "forecast" if re.search(r"forecast|project|estimat|predict", said)
            else "expected" if re.search(r"expect|anticipat|\bsees?\b", said)
            else "proposed" if re.search(r"propos", said)
            else "target"
        )  # fmt: skip
    if owner and role == "multiple":
        head = owner
    return Frame(
        number=n, head=head, subject=subject, measure=measure, role=role, direction=direction,
        period=period, per_share=per_share, whole=whole, options=options, said_as=said_as,
    )  # fmt: skip


_RANGE_END = (
    r"(?:\s*(?:to|-|\u2013|and|or)\s*[$\u20ac\u00a3\u00a5]?[\d.,]+\s*(?:%|[mb]illion|trillion)?)?"
)
_OUTLOOK_WORDS = re.compile(r"\b(?:guidance|outlook|forecasts?|range)\b", re.I)


def _target_measure(text: str, n: NumberMatch, since: int) -> tuple[str, str] | None:
    """(measure, words) an outlook states, other than "guidance": after the number ("$1
    billion to $1.4 billion of sales"), else the last one stated before it."""
    m = re.match(_RANGE_END + r"\s+of\s+([^,.;]{1,60})", text[n.end : n.end + 120])
    if m:
        found = _measure_in(m.group(1))
        if found and found[0] not in ("guidance", "level"):
            return found[0], _noun_phrase_before(
                m.group(1)[: m.group(1).lower().find(found[1].lower()) + len(found[1])]
            ) or found[1]
    before = _OUTLOOK_WORDS.sub(" ", text[since : n.start])
    found = _measure_in(before, last=True)
    if found and found[0] not in ("guidance", "level"):
        return found[0], found[1]
    return None


def _compared_with(
    text: str, n: NumberMatch, in_sentence: list[NumberMatch], numbers: list[NumberMatch]
) -> Frame | None:
    """The frame of the nearest earlier number of the sentence, in n's unit, that states a
    measure: what a prior or expected value is compared with."""
    earlier = [m for m in in_sentence if m.end <= n.start and m.unit == n.unit]
    for m in reversed(earlier[-2:]):
        base = frame_of(text, m, numbers)
        if base.measure and base.role not in ("share", "multiple") and base.head:
            return base
    return None


_SCOPE = re.compile(
    r"^\s*(?:and\s+)?(?:in|for|at|within|across)\s+(?:the\s+|our\s+|its\s+)?"
    r"(?P<np>[A-Za-z][\w&' .-]{1,48}?)"
    r"(?:\s+(?P<kind>segments?|business(?:es)?|divisions?|units?|regions?|operations))?"
    r"\s*,?\s*$",
    re.I,
)


_SECTION_INTRO = re.compile(
    r"\b(?i:turning|moving(?: on)?|move|turn|switching|shifting|starting|start|now)\s+"
    r"(?i:to|with)\s+(?i:the\s+|our\s+|its\s+)?(?P<np>[A-Z][\w&'.-]*(?:\s+[A-Z&][\w&'.-]*){0,4})"
    r"(?:\s+(?:segment|business|division|unit|group|operations|region))?\s*[.,;:]",
)
_WHOLE_COMPANY = re.compile(r"\b(?:total|consolidated|company|overall|group|corporate)\b", re.I)
SECTION_SENTENCES = 5  # sentences a "Turning to X." intro names the subject of


def _section(text: str, s0: int) -> str:
    """The business a transcript's last "Turning to X." / "Moving to X," put the talk in,
    when it came at most SECTION_SENTENCES sentences before s0; else ""."""
    window = text[max(0, s0 - 200 * SECTION_SENTENCES) : s0]
    found = list(_SECTION_INTRO.finditer(window))
    if not found:
        return ""
    last = found[-1]
    if len(re.findall(r"[.!?](?:\s|$)", window[last.end() :])) >= SECTION_SENTENCES:
        return ""
    names = [r for r in name_runs(last.group("np")) if not re.match(r"(?i)slide|page", r)]
    return names[-1] if names else ""


_NOT_SCOPE = re.compile(
    r"\b(?:basis|addition|summary|short|particular|contrast|total|general|fact|terms|light|"
    r"line)\b",
    re.I,
)


def _scope(opener: str) -> str:
    """The business or region an opening "In the cable segment," / "In the Americas,"
    puts the sentence in, or ""."""
    m = _SCOPE.match(opener)
    if m is None or find_numbers(opener) or _period_named(opener)[0]:
        return ""
    np = m.group("np").strip()
    if _VERB_RE.search(np) or _NOT_SCOPE.search(np):
        return ""
    names = name_runs(np)
    if names:
        return names[-1]
    return np if m.group("kind") else ""


def _agent(clause: str) -> str:
    """The name doing the clause's first verb ("Aviation reported revenue of ..."), or ""."""
    m = _VERB_RE.search(clause)
    if m is None:
        return ""
    names = name_runs(_noun_phrase_before(clause[: m.start()]))
    return names[-1] if names else ""


def _antecedent(text: str, earlier: list[tuple[int, int]], s0: int, c0: int) -> str:
    """The name a "where"/"which" clause refers back to ("I'll cover Medical Devices, where
    sales grew 13%"), or ""."""
    relative = bool(earlier) and bool(_RELATIVE_START.match(text[c0 : c0 + 12]))
    if not relative and not re.search(r"\b(?:where|which)\s*$", text[s0:c0], re.I):
        return ""
    names = name_runs(text[earlier[-1][0] : earlier[-1][1]]) if earlier else []
    return names[-1] if names else ""


def _inherit(
    text: str, earlier: list[tuple[int, int]], c0: int, s0: int
) -> str | tuple[str, ...] | None:
    """The head an earlier clause of the sentence states ("The benchmark index was trading
    at A, up B%": B% is the index's), else the names of the sentence before that may be the
    subject (options)."""
    if earlier and re.search(r"(?:,\s*|\b)(?:which|who)\s*$", text[s0:c0], re.I):
        antecedent = _noun_phrase_before(text[earlier[-1][0] : earlier[-1][1]].rstrip(" ,"))
        if antecedent:
            return _trim_head(antecedent)[0]
    for a, b in reversed(earlier):
        clause = text[a:b]
        if _RELATIVE_START.match(clause):
            continue  # "Gold, which tends to suffer when yields rise, fell 1.2%": Gold's
        head = _clause_head(clause + " 0")
        if not head and a == s0 and not _VERB_RE.search(clause) and not find_numbers(clause):
            head = _noun_phrase_before(clause.rstrip(" ,"))
        head, _ = _trim_head(head)
        if head and head.lower() not in _GENERIC:
            return head
    names = name_runs(text[s0:c0])
    if names:
        return names[-1]
    if s0 > 0:
        p0 = align.sentence_bounds(text, max(0, s0 - 2))[0]
        prev = [r for r in name_runs(text[p0:s0]) if _MARKET_RE.search(r) or " " in r]
        if prev:
            return tuple(dict.fromkeys(reversed(prev)))[:3]
    return None
