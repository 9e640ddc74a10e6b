"""The words and shapes the frame reader knows: measures, moves, verbs, determiners."""

from __future__ import annotations

import re

MAX_HEAD_WORDS = 6
REACH_BEFORE, REACH_AFTER = 600, 300  # characters of a long sentence read around a number
NEAR_CHARS = 160  # the words read for a number's measure and period, either side

# Canonical measures and the words that state them, most specific first.
MEASURES: tuple[tuple[str, str], ...] = (
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
    (
        "exchange rate",
        r"exchange rates?|dollar|yen|euro(?![- ](?:zone|area|region))|pound|sterling|yuan|"
        r"greenback|aussie|loonie|franc|rupee|usd/jpy|eur/usd|gbp/usd",
    ),
    ("price", r"prices?"),
    ("volume", r"volumes?|shipments?|deliveries|units"),
    ("jobs", r"jobs|payrolls|employment|headcount"),
    ("level", r"level|mark|milestone|threshold|line|barrier|high|low"),
)
MEASURE_RE = [(n, re.compile(rf"(?<![\w-])(?:{w})(?![\w-])", re.I)) for n, w in MEASURES]
UP = (
    "rose|rise|rises|rising|risen|up|gain|gains|gained|gaining|grew|grow|grows|growing|growth|"
    "increase|increased|increases|increasing|jump|jumped|jumps|jumping|climb|climbed|climbing|"
    "climbs|surge|surged|surges|surging|soar|soars|soared|soaring|advance|advanced|advances|"
    "advancing|added|adding|higher|improve|improved|improves|improving|improvement|expand|"
    "expanded|expanding|expansion|rebound|rebounded|rally|rallied|rallying|boost|boosted|"
    "lifted|accelerated|spiked|outpacing|beat|up by"
)
DOWN = (
    "fell|fall|falls|falling|fallen|down|drop|dropped|drops|dropping|decline|declined|declines|"
    "declining|decrease|decreased|decreases|decreasing|slump|slumped|slid|slide|slides|sliding|"
    "plunge|plunged|plunging|tumble|tumbled|sank|sink|lost|lose|losing|shed|lower|cut|cuts|"
    "cutting|reduce|reduced|reducing|reduction|contracted|contraction|shrank|eased|dipped|dip|"
    "retreated|weakened|compressed|narrowed|slowed|deteriorated"
)
FLAT = "changed|moved|swung|change|swing"
UP_RE = re.compile(rf"\b(?:{UP})\b", re.I)
DOWN_RE = re.compile(rf"\b(?:{DOWN})\b", re.I)
MOVE_NOUNS = (
    "gains?|growth|increases?|rises?|jumps?|declines?|decreases?|drops?|falls?|improvements?|"
    "expansion|contraction|reductions?|change|swing|rally|advance|surge|slump|decline|climb"
)
DET = r"(?:a|an|the|its|their|our|his|her)"
ADJ = (
    r"(?:a|an|the|about|around|nearly|roughly|approximately|almost|over|some|just|only|more than|"
    r"less than|by|an? impressive|a staggering|impressive|staggering|solid|healthy|modest|strong|"
    r"robust|record|whopping|mere|further|another|sharp|sharply|slight|slightly|a further|"
    r"paltry|fresh|new|all-time|significant|significantly|substantial|substantially|"
    r"as much as|as little as|by as much as|"
    r"year-over-year|year-on-year|sequentially|respectively|an additional|additional)"
)
ADJ_RE = re.compile(ADJ, re.I)
MOVE_VERB_END = re.compile(rf"\b(?:{UP}|{DOWN}|{FLAT})(?:\s+{ADJ})*\s*$", re.I)
MOVE_NOUN_END = re.compile(
    rf"\b(?:{MOVE_NOUNS})(?:\s+(?:of|was|were|is|are|reaching|reached|hit|hitting|"
    rf"came in at|totaled|totaling|amounted to|stood at|in excess of))?(?:\s+{ADJ})*\s*$",
    re.I,
)
MOVE_NOUN_AFTER = re.compile(
    rf"^\s*(?:basis[- ]points?\s+|bps?\s+|percentage[- ]points?\s+|percent\s+)?"
    rf"(?P<noun>{MOVE_NOUNS})\b",
    re.I,
)
TO_END = re.compile(rf"\b(?:to|at)(?:\s+{ADJ})*\s*$", re.I)
TO_ONLY = re.compile(rf"\s*(?:to|at)(?:\s+{ADJ})*\s*", re.I)
CLOSE_END = re.compile(
    rf"\b(?:clos(?:ed|es|ing)|close(?=\s+at)|finish(?:ed|es|ing)?|end(?:ed|s|ing)|"
    rf"settl(?:e|ed|es|ing))"
    rf"(?:\s+(?:the\s+)?(?:day|session|week|trading))?\s+(?:at|to|on)(?:\s+{ADJ})*\s*$",
    re.I,
)
CLOSE_ANY = re.compile(
    r"\b(?:clos(?:ed|es|ing)|finish(?:ed|es|ing)?|settl(?:e|ed|es|ing)|end(?:ed|s|ing))\b"
    rf"[^;]{{0,48}}?\bat(?:\s+{ADJ})*\s*$",
    re.I,
)
TARGET_NOUNS = re.compile(r"\btarget (?:range|rate)\b|\b(?:which|that|who)\b[^,]*", re.I)
CONNECTIVE_START = re.compile(r"^[\s,]*(?:and|or|up|down|while|with|but)\b", re.I)
EXPECTED_BEFORE = re.compile(
    rf"\b(?:consensus|forecasts?|estimates?|expectations?|projections?)(?:\s+(?:of|for|at))"
    rf"(?:\s+{ADJ})*\s*$",
    re.I,
)
EXPECTED_AFTER = re.compile(
    r"^[\s\w]{0,25}?\b(?:analysts|economists|the market|markets|investors|consensus)\b"
    r"(?:\s+(?:had|have|were))?\s+(?:expected|forecast|estimated|predicted|projected|"
    r"anticipated|polled)",
    re.I,
)
FROM_END = re.compile(rf"\bfrom(?:\s+{ADJ})*\s*$", re.I)
COMPARE_END = re.compile(
    rf"\b(?:compared (?:to|with)|versus|vs\.?|up from|down from|relative to)"
    rf"(?:\s+{DET})?(?:\s+[\w-]+){{0,4}}?(?:\s+(?:of|at))?(?:\s+{ADJ})*\s*$",
    re.I,
)
COMPARE_START = re.compile(r"^\s*(?:as\s+)?(?:compared (?:to|with)|versus|vs\.?|against)\b", re.I)
SHARE_BEFORE = re.compile(
    rf"\b(?:share|stake|portion|proportion|percentage)\s+of(?:\s+{ADJ})*\s*$", re.I
)
SHARE_AFTER = re.compile(
    r"^\s*(?:of\s+(?:(?:our|the|its|their|his|her|total|all)\s+)*(?P<whole>[A-Za-z&' -]{2,40}?)"
    r"(?=\s*(?:[,.;)]|$)|\s+(?:in|for|and|from|to|during|at|on|was|were|is|are|by|with|"
    r"compared|versus|under)\b)|(?:share|stake)\b)",
    re.I,
)
BY_OBJECT = re.compile(
    rf"\b({UP}|{DOWN}|lowered|raised|trimmed)\s+(?:{DET}\s+)?((?:[\w&'-]+\s+){{1,7}}?)by"
    rf"(?:\s+{ADJ})*\s*$",
    re.I,
)
MOVE_OF = re.compile(
    rf"^\s*(?:{MOVE_NOUNS})\s+(?:in|of)\s+(?:{DET}\s+)?((?:[\w&'-]+\s*){{1,4}})", re.I
)

# What a gapped clause keeps: an optional phrase of the first ("from September"), the
# conjunction, and the new subject, if any ("and apparel 0.5%", "and another 0.7%").
GAPPED = re.compile(
    r"[\s,]*(?:[\w' .-]{1,30}?)?[\s,]*"
    r"\b(?:and|or|while|but)\s+(?:(?:another|a further|an additional|further|by)\s+)?"
    r"(?P<np>(?:[\w&.'-]+\s+){0,5}?)(?:(?:about|approximately|roughly|nearly|some|by)\s+)?",
    re.I,
)
COMPARISON_HEAD = re.compile(
    r"\b(?:analysts?|economists?|estimates?|expectations?|consensus|forecasts?|polls?|"
    r"compares?|compared|last year's|prior year|year-ago|median|average|against)\b",
    re.I,
)
COMPARATIVE_NOUN = re.compile(r"^\s*(?:higher|lower|more|fewer)(?=\s+[a-z])", re.I)
COMPARATIVE_AFTER = re.compile(r"^\s*(?:lower|higher)\b(?!\s+(?:than|from))", re.I)
PER_SHARE_AFTER = re.compile(r"^\s*(?:cents?\s+)?(?:a|per)\s+(?:diluted\s+|basic\s+)?share\b", re.I)
MULTIPLE_AFTER = re.compile(
    r"^\s*(?:times\s+)?(?P<what>(?:forward|trailing|next year's)?\s*"
    r"(?:earnings|sales|ebitda|book(?: value)?))",
    re.I,
)
TARGET_RE = re.compile(
    r"\b(?:guidance|guided|guiding|outlook|expects?|expected|expecting|expectations?|"
    r"forecasts?|forecasting|projects?|projected|projecting|projections?|targets?|targeting|"
    r"estimates?|"
    r"targeted|goal|aims?|anticipates?|anticipated|predicts?|predicted|to reach|"
    r"range of|plans? to|sees?|seeing|propos(?:e|ed|es|ing|al))\b",
    re.I,
)
LEVEL_END = re.compile(
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
    rf"(?:\s+{ADJ})*\s*$",
    re.I,
)
VERBS = (
    rf"{UP}|{DOWN}|{FLAT}|was|were|is|are|be|been|has|have|had|reached|reaches|reaching|hit|"
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
VERB_RE = re.compile(rf"(?<![\w-])(?:{VERBS})(?![\w-])", re.I)
DET_WORDS = frozenset({
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
PREPS_IN_NP = frozenset({"of", "per", "on", "to", "for", "from", "in", "and", "&", "excluding"})
STATE_WORDS = frozenset({"unchanged", "steady", "flat", "stable", "intact", "constant"})
LEAD_DROP = frozenset({
    "a", "an", "the", "our", "its", "their", "his", "her", "this", "that", "these", "those",
    "also", "and", "but", "while", "even", "still", "so", "then", "meanwhile", "as", "with",
    "total", "overall", "both", "all", "of", "in", "for", "on", "at", "by", "to", "from",
})  # fmt: skip
MARKET_RE = re.compile(
    r"\b(?:index|indices|nikkei|topix|kospi|taiex|hang seng|s&p|dow|nasdaq|ftse|dax|cac|"
    r"stoxx|sensex|nifty|shares|stock|stocks|yen|dollar|euro|yuan|pound|bitcoin|gold|oil|"
    r"brent|wti|crude|treasur\w*|bund|gilt|usd\S*|jpy|eur\S*|benchmark|futures|market|pair|"
    r"currency|bonds?|notes?)\b",
    re.I,
)
GENERIC = frozenset({
    "", "index", "benchmark", "benchmark index", "gauge", "shares", "stock", "stocks",
    "company", "market", "equities", "figure", "number", "total", "level", "mark", "it",
    "that", "this", "which", "broader index", "the index", "results", "business", "amount",
    "line", "threshold", "milestone", "barrier",
})  # fmt: skip
PERIOD_ONLY = re.compile(r"(?:the )?(?:quarter|year|period|month|week|session)", re.I)
PERIOD_TAIL = re.compile(
    r"\s+(?:in|for|during|of)\s+(?:the|this|our)\s+(?:(?:first|second|third|fourth)\s+)?"
    r"(?:quarter|year|period|month|week|session)\b.*$",
    re.I,
)
RELATIVE_START = re.compile(r"^[\s,]*(?:which|who|whose|that|where|when)\b", re.I)
UNIT_WORDS = re.compile(
    r"^(?:bpd|b/d|barrels?|tons?|tonnes?|ounces?|units?|people|workers|vehicles|homes|"
    r"contracts|shares|jobs|members|customers|subscribers|stores|employees)\b",
    re.I,
)
CLAUSE_CUT = re.compile(
    r"[;:\u2013\u2014](?=\s)|,(?=\s)(?!\s+or\b)|"
    r"(?<!much)(?<!little)(?<!many)(?<!high)(?<!low)(?<!well)"  # "as much as 1.6%": one clause
    r"\s(?:while|whereas|but|and then|after|as(?!\s+(?:much|little|many|high|low|well)\b)|"
    r"with|which|although|though|led by|"
    r"driven by|helped by|thanks to|amid)\s|"
    r"\s(?=(?:as\s+)?(?:compared (?:to|with)|versus|vs\.?)\s)"
)
