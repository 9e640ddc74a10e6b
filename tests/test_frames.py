# ruff: noqa: E501
"""A table of real sentences and the frame a careful financial reader gives each number.

Expectations are written from the sentence alone, not from what `frame_of` returns today.
Sentences are quoted verbatim from the seeds, the ECTSum earnings-call transcripts
(GPL-3.0; each quote kept short) and the story articles under eval/stories/articles.

Each case: (sentence, {number key: expectations}). The key is the number's text as
`find_numbers` reads it; "text#2" is its second occurrence in the sentence. Expectations:
role, direction, measure (exact); subject (in subject or head), head, period, whole
(substrings, case-insensitive); per_share (bool); label_has / label_not (substrings of the
composed label: Frame.label(), or compose(frame, frame.what) when that is None).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from newsbrief.text.frames import SECTION_SENTENCES, Frame, compose, frame_of, frames_of, name_runs
from newsbrief.text.numbers import NumberMatch, find_numbers

# fmt: off
CASES: list[tuple[str, dict[str, dict[str, object]]]] = [
    # ---- seeds -------------------------------------------------------------------------
    ("The Nikkei 225 climbed over 1.5% in Monday's session, closing at a record 57,890.", {
        "1.5%": dict(role="change", direction="up", subject="Nikkei 225", period="monday"),
        "57,890": dict(role="level", subject="Nikkei 225", measure="close"),
    }),
    ("That's a staggering 25% gain year-to-date, far outpacing most global peers.", {
        "25%": dict(role="change", direction="up", period="year-to-date"),
    }),
    ("South Korea's Kospi jumped 1.2%, led by semiconductor giants Samsung and SK Hynix, while Taiwan's tech-heavy Taiex index also posted solid gains.", {
        "1.2%": dict(role="change", direction="up", subject="Kospi", label_not=["taiex"]),
    }),
    ("Even Hong Kong's Hang Seng, which has struggled this year, found some lift, rising 0.8% on strength in mainland tech names.", {
        "0.8%": dict(role="change", direction="up", subject="Hang Seng"),
    }),
    ("The USD/JPY pair pushed above 149.50, nearing the 150 level that has historically triggered verbal intervention from Japanese authorities.", {
        "149.50": dict(role="level", subject="USD/JPY"),
        "150": dict(role="level"),
    }),
    ("Markets hate surprises, and her alignment with Kishida and BOJ Governor Kazuo Ueda suggests a steady hand will guide Japan's $4.9 trillion economy.", {
        "$4.9 trillion": dict(role="level", measure="GDP", subject="Japan"),
    }),
    ("Return on equity (ROE) for the TOPIX index has climbed from a paltry 5% a decade ago to nearly 9% today.", {
        "5%": dict(role="prior", measure="ROE", subject="TOPIX"),
        "9%": dict(role="level", measure="ROE", subject="TOPIX", label_not=["prior", "earlier"]),
    }),
    ("The TOPIX trades at about 15x forward earnings, a discount to the S&P 500's 20x.", {
        "15x": dict(role="multiple", subject="TOPIX"),
        "20x": dict(role="multiple", subject="S&P 500", label_not=["topix"]),
    }),
    ("Overseas investors have poured over $60 billion into Japanese stocks this year.", {
        "$60 billion": dict(role="level", measure="inflows", period="this year"),
    }),
    ("The benchmark index was trading at 50,367.38, up 2.17%, with year-to-date gains reaching an impressive 25.80%.", {
        "50,367.38": dict(role="level"),
        "2.17%": dict(role="change", direction="up"),
        "25.80%": dict(role="change", direction="up", period="year-to-date"),
    }),
    ("Just a week into her job, she\u2019s rolling out a stimulus package expected to top 13.9 trillion yen, roughly $92 billion.", {
        "13.9 trillion yen": dict(role="target", measure="stimulus"),
        "$92 billion": dict(role="target", measure="stimulus"),
    }),
    ("US Treasury Secretary Scott Bessent said Trump\u2019s threat of 100% tariffs on Chinese imports is now \u201cbasically off the table,\u201d while China agreed to buy more soybeans and delay tougher rare-earth export restrictions.", {
        "100%": dict(measure="tariff", label_has=["tariff"]),
    }),
    ("The relief was felt across Asia: Japan\u2019s broader TOPIX index also jumped 1.72% to 3,325.82, hitting its own record high.", {
        "1.72%": dict(role="change", direction="up", subject="TOPIX"),
        "3,325.82": dict(role="level", subject="TOPIX", label_not=["increase", "gain"]),
    }),
    ("The agenda is dominated by two linked topics: Japan\u2019s planned $550 billion investment in the US, and Tokyo\u2019s promise to ramp up defense spending.", {
        "$550 billion": dict(measure="investment", subject="Japan"),
    }),
    ("Japan agreed to put in more than 10% of its GDP to support US priorities in return for lighter tariffs than Trump had originally threatened.", {
        "10%": dict(role="share", whole="gdp", subject="Japan", label_has=["gdp"]),
    }),
    ("Nikkei 225 tops 50,000 for the first time as markets surge ahead of Trump\u2013Takaichi talks on trade, defense and investment.", {
        "50,000": dict(role="level", subject="Nikkei 225"),
    }),
    ("Japan\u2019s stock market hit a landmark milestone on Monday as the Nikkei 225 surged past the psychologically significant 50,000 level for the first time in history.", {
        "50,000": dict(role="level", subject="Nikkei 225", label_not=["gain", "increase"]),
    }),
    ("Breaking: Investors took notice as Japan's Nikkei 225 surged to a fresh all-time high, brushing against the 58,000 level, while broader Asian markets extended a powerful tech-led rally.", {
        "58,000": dict(role="level", subject="Nikkei 225"),
    }),
    ("In the immediate term, traders are watching the 150 yen-per-dollar line like a hawk.", {
        "150 yen": dict(role="level"),
    }),
    # ---- news articles -------------------------------------------------------------------
    ("Japanese stocks tumbled on Friday, with the Nikkei 225 sliding 2.7% to 56,645 as a sharp rebound in the yen removed the currency tailwind that had carried the index to a string of records this month.", {
        "2.7%": dict(role="change", direction="down", subject="Nikkei 225", period="friday"),
        "56,645": dict(role="level", subject="Nikkei 225", label_not=["prior", "decrease", "fall"]),
    }),
    ("The benchmark shed 1,570 points, its biggest one-day drop since late September, a day after closing at an all-time high of 58,215.", {
        "1,570 points": dict(role="change", direction="down"),
        "58,215": dict(measure="close"),
    }),
    ("The Topix fell 1.9%, and decliners outnumbered advancers by roughly five to one on the Tokyo Stock Exchange's Prime market.", {
        "1.9%": dict(role="change", direction="down", subject="Topix"),
    }),
    ("The trigger came overnight, when the dollar dropped from around 151.20 yen to as low as 147.80 in less than an hour during thin New York trading.", {
        "151.20 yen": dict(role="prior", subject="dollar"),
        "147.80": dict(role="level", subject="dollar", label_not=["prior", "earlier"]),
    }),
    ("Toyota Motor lost 4.1%, Subaru fell 5.0% and Panasonic Holdings dropped 3.6%.", {
        "4.1%": dict(role="change", direction="down", subject="Toyota"),
        "5.0%": dict(role="change", direction="down", subject="Subaru", label_not=["toyota"]),
        "3.6%": dict(role="change", direction="down", subject="Panasonic", label_not=["subaru"]),
    }),
    ("Banks held up better, with Mitsubishi UFJ Financial Group down just 0.4%.", {
        "0.4%": dict(role="change", direction="down", subject="Mitsubishi UFJ"),
    }),
    ("Despite setting a record on Thursday, the Nikkei finished the week 0.6% lower, its first weekly loss in four weeks.", {
        "0.6%": dict(role="change", direction="down", subject="Nikkei", period="week"),
    }),
    ("Britain's unemployment rate rose to 5.2% in the three months to September, its highest since mid-2021, official figures showed on Tuesday, adding to signs that the labour market is loosening as businesses absorb higher payroll costs.", {
        "5.2%": dict(role="level", measure="unemployment", subject="Britain", period="three months to september", label_not=["increase"]),
    }),
    ("The rate was up from 5.0% in the three months to August, the Office for National Statistics said.", {
        "5.0%": dict(role="prior", period="august"),
    }),
    ("Economists had expected 5.1%.", {
        "5.1%": dict(role="target"),
    }),
    ("The number of employees on company payrolls fell by 32,000 in October, according to early tax data, the fifth decline in six months.", {
        "32,000": dict(role="change", direction="down", measure="jobs", period="october"),
    }),
    ("Regular pay growth, excluding bonuses, slowed to 4.1% from 4.4%, the weakest since 2022.", {
        "4.1%": dict(role="level", head="pay growth", label_not=["earlier", "prior"]),
        "4.4%": dict(role="prior", head="pay growth"),
    }),
    ("In the private sector, which the Bank of England watches closely, regular pay rose 3.8%.", {
        "3.8%": dict(role="change", direction="up", head="regular pay"),
    }),
    ("Vacancies fell by 14,000 to 702,000, below pre-pandemic levels.", {
        "14,000": dict(role="change", direction="down", head="vacancies"),
        "702,000": dict(role="level", head="vacancies", label_not=["decrease"]),
    }),
    ("U.S. tariffs on most Japanese imports remain at 15%.", {
        "15%": dict(role="level", measure="tariff"),
    }),
    ("The biggest of the three, an $18 billion small modular reactor complex in Tennessee, is intended to supply power to data centers and a uranium enrichment facility.", {
        "$18 billion": dict(head="reactor"),
    }),
    ("The Federal Reserve ended its run of rate cuts on Wednesday, holding its policy range at 3.50%-3.75%.", {
        "3.50%": dict(role="level", measure="interest rate"),
        "3.75%": dict(role="level", measure="interest rate"),
    }),
    ("With consumer prices up 3.1% over the past year and the core measure at 3.0%, officials no longer feel they can look past the numbers.", {
        "3.1%": dict(role="change", direction="up", measure="inflation", period="past year"),
        "3.0%": dict(role="level", measure="inflation"),
    }),
    ("The consumer price index increased 0.4% from September and 3.1% from a year earlier, the Bureau of Labor Statistics said.", {
        "0.4%": dict(role="change", direction="up", measure="inflation", period="september"),
        "3.1%": dict(role="change", direction="up", measure="inflation", period="year earlier"),
    }),
    ("Economists surveyed by Meridian had forecast a 0.3% monthly gain and an annual rate of 2.9%, matching September's pace.", {
        "0.3%": dict(role="target", direction="up"),
        "2.9%": dict(role="target"),
    }),
    ("Excluding food and energy, core prices rose 0.3% on the month and 3.0% on the year, up from 2.9%.", {
        "0.3%": dict(role="change", direction="up", period="month", head="core prices"),
        "3.0%": dict(role="change", direction="up", period="year", head="core prices"),
        "2.9%": dict(role="prior", head="core prices"),
    }),
    ("Gasoline prices jumped 2.2%, while airline fares rose 1.8%.", {
        "2.2%": dict(role="change", direction="up", head="gasoline"),
        "1.8%": dict(role="change", direction="up", head="airline fares"),
    }),
    ("Household furnishings rose 0.6% and apparel 0.5%, while new vehicle prices were flat.", {
        "0.6%": dict(role="change", direction="up", head="household furnishings"),
        "0.5%": dict(role="change", direction="up", head="apparel"),
    }),
    ("Brent last traded at $64.54 a barrel on Friday.", {
        "$64.54": dict(role="level", subject="Brent", measure="price", period="friday"),
    }),
    ("The Commission said imports of the cells from China reached 18.6 billion euros in 2025, about 62% of the EU market.", {
        "18.6 billion euros": dict(role="level", head="imports", period="2025"),
        "62%": dict(role="share", whole="eu market"),
    }),
    ("Hengrui Power, the largest exporter, will face the lowest rate of 9.8% because it cooperated fully with the investigation.", {
        "9.8%": dict(role="level", measure="tariff", subject="Hengrui"),
    }),
    ("Zhenlan Energy was assigned 21.3%, while companies that did not cooperate will pay 27.4%.", {
        "21.3%": dict(role="level", measure="tariff", subject="Zhenlan"),
        "27.4%": dict(role="level", measure="tariff", label_not=["zhenlan"]),
    }),
    ("The duties come on top of the existing 1.3% import tariff.", {
        "1.3%": dict(role="level", measure="tariff"),
    }),
    ("In its monthly oil market report, the Organization of the Petroleum Exporting Countries said world demand would rise by 1.06 million barrels per day next year, down from its previous estimate of 1.28 million bpd.", {
        "1.06 million": dict(role="target", head="demand", label_not=["earlier", "prior"]),
        "1.28 million": dict(role="prior", head="demand"),
    }),
    ("It also lowered its 2026 growth estimate to 1.21 million bpd from 1.30 million.", {
        "1.21 million": dict(role="target", label_not=["earlier", "prior"]),
        "1.30 million": dict(role="prior"),
    }),
    ("Crude production from the 22 OPEC+ countries rose by 310,000 bpd in October to an average of 43.2 million bpd, according to secondary sources cited in the report, led by Saudi Arabia and the United Arab Emirates.", {
        "310,000": dict(role="change", direction="up", head="production", period="october"),
        "43.2 million": dict(role="level", head="production", label_not=["increase"]),
    }),
    ("Brent crude futures fell $1.17, or 1.8%, to $63.10 a barrel, while U.S. West Texas Intermediate fell 1.9% to $59.30.", {
        "$1.17": dict(role="change", direction="down", subject="Brent"),
        "1.8%": dict(role="change", direction="down", subject="Brent"),
        "$63.10": dict(role="level", subject="Brent", label_not=["decrease", "fall"]),
        "1.9%": dict(role="change", direction="down", subject="West Texas Intermediate", label_not=["brent"]),
        "$59.30": dict(role="level", subject="West Texas Intermediate", label_not=["brent"]),
    }),
    ("That would compare with $3.1 billion in the three months to October and around $3.35 billion expected by analysts.", {
        "$3.1 billion": dict(role="prior", period="three months to october"),
        "$3.35 billion": dict(role="target"),
    }),
    ("Keltra, which earns about 45% of its revenue from automotive customers, said orders from European manufacturers were down by more than 20% from a year earlier.", {
        "45%": dict(role="share", subject="Keltra", whole="revenue"),
        "20%": dict(role="change", direction="down", measure="orders", period="year earlier"),
    }),
    ("European light-vehicle production is on course to fall about 3% this year, according to industry estimates, the third annual decline in four years, as carmakers contend with weak demand, Chinese competition and the cost of the shift to electric vehicles.", {
        "3%": dict(direction="down", head="production", period="this year"),
    }),
    ("WASHINGTON -- The Federal Reserve left its benchmark interest rate unchanged on Wednesday, keeping the federal funds target range at 3.50% to 3.75%, as officials weighed a renewed pickup in inflation against signs of a cooling labor market.", {
        "3.50%": dict(role="level", measure="interest rate", label_not=["inflation"]),
        "3.75%": dict(role="level", measure="interest rate", label_not=["inflation"]),
    }),
    ("The jobless rate was 4.6% in October.", {
        "4.6%": dict(role="level", measure="unemployment", period="october"),
    }),
    ("The decision came a day after government data showed consumer prices rose 3.1% in the 12 months through October, up from 2.9% in September.", {
        "3.1%": dict(role="change", direction="up", measure="inflation", period="12 months"),
        "2.9%": dict(role="prior", measure="inflation", period="september"),
    }),
    ("The Fed has lowered rates by a total of 1.75 percentage points since September 2024.", {
        "1.75 percentage points": dict(role="change", direction="down", measure="interest rate", subject="Fed"),
    }),
    ("Stocks extended losses after the announcement, with the S&P 500 down 0.5% shortly afterwards.", {
        "0.5%": dict(role="change", direction="down", subject="S&P 500"),
    }),
    ("Christine Lagarde declined on Thursday to say whether the European Central Bank's latest rate cut would be its last, telling reporters that the Governing Council was \"not on a pre-set path\" after it lowered the deposit rate to 1.75%.", {
        "1.75%": dict(role="level", measure="interest rate", head="deposit rate", label_not=["decrease"]),
    }),
    ("Money markets priced about a 45% chance of another cut by March, up from 30% before the meeting.", {
        "45%": dict(role="level", head="chance"),
        "30%": dict(role="prior", head="chance"),
    }),
    ("The euro extended its decline to $1.1395, and bank stocks in the Euro Stoxx index fell 1.8%.", {
        "$1.1395": dict(role="level", subject="euro", label_not=["decrease", "fall"]),
        "1.8%": dict(role="change", direction="down", head="bank stocks"),
    }),
    ("Benchmark three-month copper on the London Metal Exchange rose as much as 3.1% to $11,480 a metric ton, its highest since July, before trading at $11,395 by midday in London.", {
        "3.1%": dict(role="change", direction="up", head="copper"),
        "$11,480": dict(role="level", head="copper"),
        "$11,395": dict(role="level", head="copper", label_not=["increase"]),
    }),
    ("Comex copper futures gained 2.8%.", {
        "2.8%": dict(role="change", direction="up", head="copper"),
    }),
    ("Cerro Alto produced about 310,000 tons of copper last year, roughly 1.3% of global mine supply.", {
        "310,000": dict(role="level", subject="Cerro Alto", period="last year"),
        "1.3%": dict(role="share", whole="global mine supply"),
    }),
    ("OPEC+ members produced 43.2 million barrels per day in October, up 310,000 bpd from September, the report released on Wednesday showed.", {
        "43.2 million": dict(role="level", subject="OPEC", period="october"),
        "310,000": dict(role="change", direction="up", subject="OPEC", period="september"),
    }),
    ("Saudi output rose 120,000 bpd to 10.1 million bpd.", {
        "120,000": dict(role="change", direction="up", subject="Saudi"),
        "10.1 million": dict(role="level", subject="Saudi", label_not=["increase"]),
    }),
    ("At the same time, the secretariat cut its estimate of 2027 demand growth by 220,000 bpd to 1.06 million bpd, its largest single downgrade to a next-year forecast since 2022.", {
        "220,000": dict(role="change", direction="down", head="demand"),
        "1.06 million": dict(role="target", head="demand", label_not=["decrease", "prior"]),
    }),
    ("Brent settled down 1.9% at $63.05 a barrel, its lowest close in three weeks.", {
        "1.9%": dict(role="change", direction="down", subject="Brent"),
        "$63.05": dict(role="level", measure="close", subject="Brent"),
    }),
    ("The pound dropped 0.6% to $1.2980, breaking below $1.30 for the first time since August.", {
        "0.6%": dict(role="change", direction="down", subject="pound"),
        "$1.2980": dict(role="level", subject="pound", label_not=["decrease", "fall"]),
        "$1.30": dict(role="level", subject="pound"),
    }),
    ("Gross domestic product fell 0.1% in the three months to September compared with the previous quarter, according to the Office for National Statistics, confounding economists' expectations of 0.1% growth.", {
        "0.1%": dict(role="change", direction="down", measure="GDP", period="three months to september"),
        "0.1%#2": dict(role="target", direction="up", measure="GDP"),
    }),
    ("Money markets priced a roughly 70% chance that the BoE would lower Bank Rate from 3.50% to 3.25% at its December 17 meeting, up from about 50% on Wednesday.", {
        "70%": dict(role="level", head="chance"),
        "3.50%": dict(role="prior", measure="interest rate"),
        "3.25%": dict(role="target", measure="interest rate", label_not=["prior", "earlier"]),
        "50%": dict(role="prior", head="chance", period="wednesday"),
    }),
    ("Two-year gilt yields fell 7 basis points to 3.41%.", {
        "7 basis points": dict(role="change", direction="down", measure="yield", head="gilt"),
        "3.41%": dict(role="level", measure="yield", head="gilt", label_not=["decrease"]),
    }),
    ("The single currency traded at $1.1485 by mid-afternoon in London, up from $1.1445 before her speech.", {
        "$1.1485": dict(role="level", head="single currency", label_not=["prior", "earlier"]),
        "$1.1445": dict(role="prior", head="single currency"),
    }),
    ("Euro-area bond yields rose across the curve, with the two-year German yield up 5 basis points.", {
        "5 basis points": dict(role="change", direction="up", measure="yield", subject="German"),
    }),
    ("Halverton Bank lowered its forecast for the global surplus in the first half of next year to 1.4 million barrels per day from 1.9 million, and raised its average Brent forecast for 2027 by $3 to $66.", {
        "1.4 million": dict(role="target", measure="deficit", label_not=["prior", "earlier"]),
        "1.9 million": dict(role="prior", measure="deficit"),
        "$3": dict(role="change", direction="up", subject="Brent"),
        "$66": dict(role="target", subject="Brent", label_not=["surplus"]),
    }),
    ("Brent traded near $65.80 a barrel in the London afternoon, having touched $66.15 earlier in the day.", {
        "$65.80": dict(role="level", subject="Brent"),
        "$66.15": dict(role="level", subject="Brent"),
    }),
    ("She said the euro area's unemployment rate of 6.2% was close to a record low.", {
        "6.2%": dict(role="level", measure="unemployment", subject="euro area"),
    }),
    ("Money-market pricing for a cut by March fell to around 25% after the speech, from about 45% earlier in the week.", {
        "25%": dict(role="level", label_not=["decrease", "prior"]),
        "45%": dict(role="prior"),
    }),
    ("The euro rose 0.3% to $1.1480.", {
        "0.3%": dict(role="change", direction="up", subject="euro"),
        "$1.1480": dict(role="level", subject="euro", label_not=["increase", "gain"]),
    }),
    ("Germany's two-year yield climbed 5 basis points to 1.86%.", {
        "5 basis points": dict(role="change", direction="up", measure="yield", subject="Germany"),
        "1.86%": dict(role="level", measure="yield", subject="Germany"),
    }),
    ("The jobless rate dropped to 4.1% from 4.4% in September, the Australian Bureau of Statistics said, against forecasts of 4.3%.", {
        "4.1%": dict(role="level", measure="unemployment", label_not=["prior", "earlier", "decrease"]),
        "4.4%": dict(role="prior", measure="unemployment", period="september"),
        "4.3%": dict(role="target", measure="unemployment"),
    }),
    ("Employment rose by 48,200, more than double the 20,000 gain economists had expected, driven by full-time jobs.", {
        "48,200": dict(role="change", direction="up", measure="jobs"),
        "20,000": dict(role="target", measure="jobs"),
    }),
    ("The Aussie rose 0.8% to $0.6720, its strongest level in six weeks, and three-year government bond yields climbed 9 basis points to 3.52%.", {
        "0.8%": dict(role="change", direction="up", subject="Aussie"),
        "$0.6720": dict(role="level", subject="Aussie"),
        "9 basis points": dict(role="change", direction="up", measure="yield", label_not=["aussie"]),
        "3.52%": dict(role="level", measure="yield", label_not=["aussie"]),
    }),
    ("The RBA held its cash rate at 3.35% earlier this month and said it would need to see further easing in the labour market before cutting again.", {
        "3.35%": dict(role="level", measure="interest rate", subject="RBA"),
    }),
    ("Markets now see less than a 20% chance of a December cut, down from about 45% before the data.", {
        "20%": dict(role="level", head="chance"),
        "45%": dict(role="prior", head="chance"),
    }),
    ("TOKYO -- Japan's big exporters did the heavy lifting on Monday as the Nikkei 225 closed at a record 57,890, in the first trading session since Sanae Takaichi secured the leadership of the Liberal Democratic Party over the weekend.", {
        "57,890": dict(role="level", measure="close", subject="Nikkei 225", period="monday"),
    }),
    ("The benchmark gained 900 points, or 1.6%, with Toyota Motor up 3.2%, Sony Group up 2.7% and Fast Retailing adding 2.4%.", {
        "900 points": dict(role="change", direction="up", label_not=["toyota"]),
        "1.6%": dict(role="change", direction="up", label_not=["toyota"]),
        "3.2%": dict(role="change", direction="up", subject="Toyota"),
        "2.7%": dict(role="change", direction="up", subject="Sony", label_not=["toyota"]),
        "2.4%": dict(role="change", direction="up", subject="Fast Retailing", label_not=["sony"]),
    }),
    ("The broader Topix rose 1.1%, and 171 of the Nikkei's 225 members finished higher.", {
        "1.1%": dict(role="change", direction="up", subject="Topix"),
    }),
    ("The dollar traded at 149.62 yen in late Tokyo trade, up from 148.90 on Friday.", {
        "149.62 yen": dict(role="level", subject="dollar", label_not=["prior", "earlier"]),
        "148.90": dict(role="prior", subject="dollar", period="friday"),
    }),
    ("Seoul's Kospi climbed 1.2% on gains in Samsung Electronics and SK Hynix, and Hong Kong's Hang Seng rose 0.8%.", {
        "1.2%": dict(role="change", direction="up", subject="Kospi", label_not=["samsung"]),
        "0.8%": dict(role="change", direction="up", subject="Hang Seng", label_not=["kospi"]),
    }),
    ("Overseas investors have been heavy buyers of Japanese shares this year, with net purchases of more than $60 billion, which leaves the market exposed if that flow reverses.", {
        "$60 billion": dict(role="level", measure="inflows", period="this year"),
    }),
    ("Outbound shipments rose 4.1% from a year earlier in dollar terms, compared with a 2.5% increase forecast by economists and a 3.3% gain in September.", {
        "4.1%": dict(role="change", direction="up", head="shipments", period="year earlier"),
        "2.5%": dict(role="target", direction="up"),
        "3.3%": dict(role="prior", period="september"),
    }),
    ("Imports fell 1.2%, leaving a trade surplus of $92.4 billion.", {
        "1.2%": dict(role="change", direction="down", head="imports"),
        "$92.4 billion": dict(role="level", measure="deficit", head="surplus"),
    }),
    ("Exports to the U.S. dropped 18% year on year, the eighth consecutive month of double-digit declines, while shipments to ASEAN countries rose 11% and those to Africa jumped 24%.", {
        "18%": dict(role="change", direction="down", head="exports", period="year on year"),
        "11%": dict(role="change", direction="up", subject="ASEAN"),
        "24%": dict(role="change", direction="up", subject="Africa"),
    }),
    ("The yuan was little changed at 7.09 per dollar after the data, and the CSI 300 index of mainland stocks edged up 0.3%.", {
        "7.09": dict(role="level", subject="yuan"),
        "0.3%": dict(role="change", direction="up", subject="CSI 300"),
    }),
    ("Tokyo Electron slid 5.8% and Advantest fell 6.4%, together accounting for about a third of the Nikkei 225's decline.", {
        "5.8%": dict(role="change", direction="down", subject="Tokyo Electron"),
        "6.4%": dict(role="change", direction="down", subject="Advantest"),
    }),
    ("The index closed at 56,645, down 2.7% and well off Thursday's record close.", {
        "56,645": dict(role="level", measure="close"),
        "2.7%": dict(role="change", direction="down"),
    }),
    ("The yen strengthened to 147.80 per dollar at one point, from 151.20 late on Thursday, a move of more than 2% that several dealers said bore the hallmarks of official buying.", {
        "147.80": dict(role="level", subject="yen", label_not=["prior", "earlier"]),
        "151.20": dict(role="prior", subject="yen"),
        "2%": dict(role="change", direction="up", subject="yen"),
    }),
    ("Elsewhere in Asia, South Korea's Kospi fell 1.4% and Taiwan's Taiex lost 1.1%.", {
        "1.4%": dict(role="change", direction="down", subject="Kospi"),
        "1.1%": dict(role="change", direction="down", subject="Taiex", label_not=["kospi"]),
    }),
    ("Revenue for the fiscal third quarter fell 6% from a year earlier to $3.1 billion, short of the $3.3 billion analysts had expected.", {
        "6%": dict(role="change", direction="down", measure="revenue", period="year earlier"),
        "$3.1 billion": dict(role="level", measure="revenue", period="third quarter", label_not=["decrease"]),
        "$3.3 billion": dict(role="target", measure="revenue"),
    }),
    ("Adjusted earnings were 41 cents a share, down from 68 cents a year earlier and below the consensus of 52 cents.", {
        "41": dict(role="level", measure="EPS", per_share=True),
        "68": dict(role="prior", measure="EPS", period="year earlier"),
        "52": dict(role="target", measure="EPS"),
    }),
    ("The Austin, Texas-based maker of microcontrollers and power-management chips projected current-quarter revenue of $2.8 billion to $3.0 billion, compared with estimates of about $3.35 billion.", {
        "$2.8 billion": dict(role="target", measure="revenue"),
        "$3.0 billion": dict(role="target", measure="revenue"),
        "$3.35 billion": dict(role="target", measure="revenue"),
    }),
    ("The job cuts, mostly in manufacturing and administrative roles, will result in restructuring charges of $150 million to $180 million, the company said.", {
        "$150 million": dict(role="target", head="restructuring charges"),
        "$180 million": dict(role="target", head="restructuring charges"),
    }),
    ("Headline consumer prices rose 3.1% in the year to October, the government said, accelerating from 2.9% a month earlier.", {
        "3.1%": dict(role="change", direction="up", measure="inflation", period="year to october"),
        "2.9%": dict(role="prior", measure="inflation", period="month earlier"),
    }),
    ("The S&P 500 fell 0.9% to 7,095 and the Russell 2000 index of smaller companies slid 1.8%.", {
        "0.9%": dict(role="change", direction="down", subject="S&P 500"),
        "7,095": dict(role="level", subject="S&P 500", label_not=["russell"]),
        "1.8%": dict(role="change", direction="down", subject="Russell 2000"),
    }),
    ("In futures markets, the probability of a December rate cut fell to about 46% from 55% on Monday.", {
        "46%": dict(role="level", head="probability", label_not=["prior", "decrease"]),
        "55%": dict(role="prior", head="probability", period="monday"),
    }),
    ("GDP declined 0.1% quarter on quarter, the Office for National Statistics said in its first estimate, after growth of 0.3% in the second quarter.", {
        "0.1%": dict(role="change", direction="down", measure="GDP", period="quarter on quarter"),
        "0.3%": dict(role="prior", measure="GDP", period="second quarter"),
    }),
    ("Industrial production fell 0.6% over the quarter, dragged down by a 1.4% drop in manufacturing, while construction output declined 0.4%.", {
        "0.6%": dict(role="change", direction="down", head="industrial production"),
        "1.4%": dict(role="change", direction="down", head="manufacturing"),
        "0.4%": dict(role="change", direction="down", head="construction"),
    }),
    ("The services sector, which accounts for about 80% of the economy, was flat.", {
        "80%": dict(role="share", head="services", whole="economy"),
    }),
    ("Monthly figures showed GDP falling 0.3% in September after a 0.1% rise in August.", {
        "0.3%": dict(role="change", direction="down", measure="GDP", period="september"),
        "0.1%": dict(role="prior", measure="GDP", period="august"),
    }),
    ("The Stoxx 600 autos index lost 1.2%, with mass-market brands among the biggest decliners.", {
        "1.2%": dict(role="change", direction="down", subject="Stoxx 600"),
    }),
    ("The investigation covers imports worth about $4.3 billion in 2025 and is expected to last 12 months, with a possible six-month extension.", {
        "$4.3 billion": dict(role="level", head="imports", period="2025"),
    }),
    ("Arvane Semiconductor shares climbed 9.2% to $318.40 in morning trading on Thursday, adding roughly $48 billion to the company's market value, as analysts rushed to raise their price targets after the chipmaker's quarterly results.", {
        "9.2%": dict(role="change", direction="up", subject="Arvane"),
        "$318.40": dict(role="level", subject="Arvane", label_not=["target"]),
        "$48 billion": dict(role="change", direction="up", measure="valuation"),
    }),
    ("At least 14 brokerages raised their targets, according to a Capital Desk tally, lifting the median to $365 from $330.", {
        "$365": dict(role="target", label_not=["prior", "earlier"]),
        "$330": dict(role="prior"),
    }),
    ("The company reported on Wednesday evening that third-quarter revenue rose 38% to $14.2 billion and adjusted earnings reached $2.14 per share, both ahead of estimates.", {
        "38%": dict(role="change", direction="up", measure="revenue", period="third-quarter"),
        "$14.2 billion": dict(role="level", measure="revenue", label_not=["increase"]),
        "$2.14": dict(role="level", measure="EPS", per_share=True),
    }),
    ("It also unveiled a $12 billion stock repurchase plan.", {
        "$12 billion": dict(measure="buyback"),
    }),
    ("Keltra Micro, which issued a weak forecast the same evening, dropped 13%, underscoring the gap between suppliers exposed to AI and those tied to cars and factories.", {
        "13%": dict(role="change", direction="down", subject="Keltra Micro", label_not=["forecast"]),
    }),
    ("Japan and the United States on Thursday announced the first three projects to be financed under Tokyo's $550 billion investment commitment, with a combined value of $42 billion, ending months of uncertainty over how the money would be deployed.", {
        "$550 billion": dict(measure="investment"),
        "$42 billion": dict(role="level", head="combined value"),
    }),
    ("A further $14 billion will go to a copper smelter and refinery in Arizona, and $10 billion to a plant in Texas producing specialty gases used in semiconductor manufacturing.", {
        "$14 billion": dict(label_has=["copper smelter"]),
        "$10 billion": dict(label_has=["plant"], label_not=["copper"]),
    }),
    ("IHI Corp gained 4.8%, Mitsubishi Heavy Industries rose 3.1% and Sumitomo Metal Mining added 2.7%.", {
        "4.8%": dict(role="change", direction="up", subject="IHI"),
        "3.1%": dict(role="change", direction="up", subject="Mitsubishi Heavy"),
        "2.7%": dict(role="change", direction="up", subject="Sumitomo Metal Mining"),
    }),
    ("Under the framework agreed last year, cash flows from the projects will be split equally until Japan recovers its investment, after which 90% will go to the United States.", {
        "90%": dict(role="share", label_has=["cash flow"]),
    }),
    ("The yen slid to its weakest level against the dollar since February on Thursday after the Bank of Japan kept its short-term policy rate at 0.75%, disappointing traders who had hoped for a signal that a hike was coming in December or January.", {
        "0.75%": dict(role="level", measure="interest rate", subject="Bank of Japan"),
    }),
    ("The dollar rose as high as 151.24 yen, from 150.10 just before the announcement, before settling around 151.05.", {
        "151.24 yen": dict(role="level", subject="dollar"),
        "150.10": dict(role="prior", subject="dollar"),
        "151.05": dict(role="level", subject="dollar", label_not=["prior", "earlier"]),
    }),
    ("The euro gained 0.6% against the Japanese currency to 172.40.", {
        "0.6%": dict(role="change", direction="up", subject="euro"),
        "172.40": dict(role="level", subject="euro"),
    }),
    ("Two members proposed raising the rate to 1.0%, arguing that inflation had stayed above the 2% target for more than four years.", {
        "1.0%": dict(role="target", measure="interest rate"),
        "2%": dict(role="target", measure="inflation"),
    }),
    ("Two-year Japanese government bond yields fell 4 basis points to 0.93%, reflecting reduced expectations of near-term tightening.", {
        "4 basis points": dict(role="change", direction="down", measure="yield"),
        "0.93%": dict(role="level", measure="yield", label_not=["expect", "target"]),
    }),
    ("Overnight index swaps priced about a 30% chance of a hike at the December meeting, down from 55% earlier in the week.", {
        "30%": dict(role="level", head="chance"),
        "55%": dict(role="prior", head="chance"),
    }),
    ("The Nikkei finished up 0.8% at 58,215, above the previous closing high set on Monday.", {
        "0.8%": dict(role="change", direction="up", subject="Nikkei"),
        "58,215": dict(role="level", measure="close", subject="Nikkei", label_not=["prior"]),
    }),
    ("Mazda Motor climbed 3.4%, Toyota Motor rose 2.9% and Honda Motor gained 2.1%.", {
        "3.4%": dict(role="change", direction="up", subject="Mazda"),
        "2.9%": dict(role="change", direction="up", subject="Toyota"),
        "2.1%": dict(role="change", direction="up", subject="Honda"),
    }),
    ("Mitsubishi UFJ Financial Group fell 2.3% and Sumitomo Mitsui Financial Group slipped 1.9% as the prospect of wider lending margins from higher rates receded.", {
        "2.3%": dict(role="change", direction="down", subject="Mitsubishi UFJ"),
        "1.9%": dict(role="change", direction="down", subject="Sumitomo Mitsui", label_not=["margin"]),
    }),
    ("The central bank's decision to hold its benchmark at 0.75% pushed the dollar above 151 yen for the first time in nine months.", {
        "0.75%": dict(role="level", measure="interest rate", label_not=["dollar"]),
        "151 yen": dict(role="level", subject="dollar"),
    }),
    ("Marsh was one of two governors who dissented on Wednesday when the Federal Open Market Committee voted 10-2 to keep the federal funds rate in a range of 3.50% to 3.75%.", {
        "3.50%": dict(role="level", measure="interest rate"),
        "3.75%": dict(role="level", measure="interest rate"),
    }),
    ("The majority cited a pickup in consumer price inflation to 3.1% in October.", {
        "3.1%": dict(role="level", measure="inflation", period="october"),
    }),
    ("Fed funds futures continued to imply about a 35% probability of a December cut, and the two-year Treasury yield was little changed at 3.60%.", {
        "35%": dict(role="level", head="probability"),
        "3.60%": dict(role="level", measure="yield", subject="Treasury"),
    }),
    ("Arvane will pay $84 a share, a 31% premium to Lumetra's closing price on Thursday.", {
        "$84": dict(role="level", per_share=True, label_not=["close"]),
        "31%": dict(label_has=["premium"]),
    }),
    ("Lumetra, based in San Jose, generated revenue of $1.1 billion in its latest fiscal year, most of it from co-packaged optics and high-speed transceivers.", {
        "$1.1 billion": dict(role="level", measure="revenue", subject="Lumetra"),
    }),
    ("Lumetra shares jumped 27% to $81.20 in New York.", {
        "27%": dict(role="change", direction="up", subject="Lumetra"),
        "$81.20": dict(role="level", subject="Lumetra"),
    }),
    ("Arvane fell 1.9%.", {
        "1.9%": dict(role="change", direction="down", subject="Arvane"),
    }),
    ("Oil prices rose more than 2% on Monday, with Brent crude climbing back above $65 a barrel, after Saudi Arabia, Russia and six other producers said they would stop adding barrels to the market in the first three months of next year.", {
        "2%": dict(role="change", direction="up", measure="price", period="monday"),
        "$65": dict(role="level", subject="Brent"),
    }),
    ("Brent futures for January delivery gained $1.36, or 2.1%, to $65.90 a barrel by 0900 GMT.", {
        "$1.36": dict(role="change", direction="up", subject="Brent"),
        "2.1%": dict(role="change", direction="up", subject="Brent"),
        "$65.90": dict(role="level", subject="Brent", label_not=["increase", "gain"]),
    }),
    ("West Texas Intermediate rose $1.38, or 2.3%, to $62.05.", {
        "$1.38": dict(role="change", direction="up", subject="West Texas Intermediate"),
        "2.3%": dict(role="change", direction="up", subject="West Texas Intermediate"),
        "$62.05": dict(role="level", subject="West Texas Intermediate"),
    }),
    ("Time spreads also firmed, with the premium of the front-month Brent contract over the six-month contract widening to $1.10 from 70 cents on Friday.", {
        "$1.10": dict(role="level", head="premium", label_not=["prior", "earlier"]),
        "70": dict(role="prior", head="premium", period="friday"),
    }),
    ("The two-year yield, which is most sensitive to expectations for monetary policy, rose 6 basis points to 3.62% by the close of New York trading, while the 10-year yield added 3 basis points to 4.18%.", {
        "6 basis points": dict(role="change", direction="up", measure="yield", head="two-year"),
        "3.62%": dict(role="level", measure="yield", head="two-year", label_not=["close", "expect"]),
        "3 basis points": dict(role="change", direction="up", measure="yield", head="10-year"),
        "4.18%": dict(role="level", measure="yield", head="10-year"),
    }),
    ("The ICE dollar index gained 0.4% to 100.85.", {
        "0.4%": dict(role="change", direction="up", subject="ICE"),
        "100.85": dict(role="level", subject="ICE"),
    }),
    ("The greenback rose 0.5% against the yen to 150.20 and 0.3% against the euro.", {
        "0.5%": dict(role="change", direction="up", head="greenback"),
        "150.20": dict(role="level", head="greenback"),
        "0.3%": dict(role="change", direction="up", head="greenback"),
    }),
    ("Gold, which tends to suffer when yields and the dollar rise, fell 1.2% to $4,538 an ounce.", {
        "1.2%": dict(role="change", direction="down", subject="Gold", label_not=["dollar", "yield"]),
        "$4,538": dict(role="level", subject="Gold", label_not=["dollar", "yield"]),
    }),
    ("Spot gold rose as much as 1.6% to $4,618.70 before easing to $4,612.40 by early afternoon in New York, up 1.4% on the day.", {
        "1.6%": dict(role="change", direction="up", head="gold"),
        "$4,618.70": dict(role="level", head="gold"),
        "$4,612.40": dict(role="level", head="gold", label_not=["increase"]),
        "1.4%": dict(role="change", direction="up", head="gold", period="day"),
    }),
    ("Silver gained 2.2% to $54.80 an ounce, while platinum rose 1.1%.", {
        "2.2%": dict(role="change", direction="up", subject="Silver"),
        "$54.80": dict(role="level", subject="Silver"),
        "1.1%": dict(role="change", direction="up", subject="platinum", label_not=["silver"]),
    }),
    ("Holdings in gold-backed ETFs rose by 28 tonnes in October, a fifth straight monthly increase.", {
        "28": dict(role="change", direction="up", head="holdings", period="october"),
    }),
    ("The Schatz yield fell 6 basis points on Thursday after the ECB trimmed its deposit rate by 25 basis points to 1.75%, and was down a further 2 basis points in early trade on Friday.", {
        "6 basis points": dict(role="change", direction="down", measure="yield", subject="Schatz", period="thursday"),
        "25 basis points": dict(role="change", direction="down", measure="interest rate", subject="ECB"),
        "1.75%": dict(role="level", measure="interest rate", subject="ECB"),
        "2 basis points": dict(role="change", direction="down", measure="yield", subject="Schatz", period="friday"),
    }),
    ("Italian ten-year yields dropped to 3.12%, narrowing the spread over Bunds to 63 basis points, the tightest since 2010.", {
        "3.12%": dict(role="level", measure="yield", subject="Italian", label_not=["decrease"]),
        "63 basis points": dict(role="level", head="spread", label_not=["decrease", "contraction"]),
    }),
    ("The Euro Stoxx Banks index fell 1.8% on Thursday and another 0.7% on Friday morning, led by lenders most exposed to floating-rate loans, including the largest banks in Spain and Italy.", {
        "1.8%": dict(role="change", direction="down", subject="Euro Stoxx Banks", period="thursday"),
        "0.7%": dict(role="change", direction="down", subject="Euro Stoxx Banks", period="friday"),
    }),
    ("Revenue rose 38% from a year earlier to $14.2 billion in the quarter ended October 31, compared with analysts' average estimate of $13.6 billion.", {
        "38%": dict(role="change", direction="up", measure="revenue", period="year earlier"),
        "$14.2 billion": dict(role="level", measure="revenue", label_not=["prior", "estimate"]),
        "$13.6 billion": dict(role="target", measure="revenue"),
    }),
    ("Adjusted earnings were $2.14 a share, against expectations of $1.97.", {
        "$2.14": dict(role="level", measure="EPS", per_share=True),
        "$1.97": dict(role="target", measure="EPS"),
    }),
    ("Data-center revenue, now close to 70% of the total, climbed 61% to $9.8 billion.", {
        "70%": dict(role="share", head="data-center"),
        "61%": dict(role="change", direction="up", measure="revenue", head="data-center"),
        "$9.8 billion": dict(role="level", measure="revenue", head="data-center"),
    }),
    ("For the current quarter, Arvane forecast revenue of $15.4 billion to $15.9 billion, above the $14.8 billion analysts had expected.", {
        "$15.4 billion": dict(role="target", measure="revenue", subject="Arvane"),
        "$15.9 billion": dict(role="target", measure="revenue", subject="Arvane"),
        "$14.8 billion": dict(role="target", measure="revenue"),
    }),
    ("It expects an adjusted gross margin of about 58.5%, compared with 58.3% in the third quarter.", {
        "58.5%": dict(role="target", measure="gross margin"),
        "58.3%": dict(role="prior", measure="gross margin", period="third quarter"),
    }),
    ("The shares rose 7.5% in extended trading after closing the regular session at $291.60.", {
        "7.5%": dict(role="change", direction="up"),
        "$291.60": dict(role="level", measure="close"),
    }),
    ("The Santa Clara-based chipmaker projected fourth-quarter revenue of $15.4 billion to $15.9 billion, implying growth of as much as 41%, after reporting sales of $14.2 billion for the three months through October.", {
        "$15.4 billion": dict(role="target", measure="revenue"),
        "$15.9 billion": dict(role="target", measure="revenue"),
        "41%": dict(direction="up"),
        "$14.2 billion": dict(role="level", measure="sales", period="three months through october"),
    }),
    ("Arvane's stock had fallen 11% from its October peak before the report.", {
        "11%": dict(role="change", direction="down", subject="Arvane"),
    }),
    ("Core consumer prices rose 2.8% in September from a year earlier, extending a run of more than four years above the 2% target.", {
        "2.8%": dict(role="change", direction="up", measure="inflation", period="september"),
        "2%": dict(role="target", measure="inflation"),
    }),
    ("Economists at Kurogane Research now expect a hike in January rather than December, and see the policy rate reaching 1.25% by the end of 2027.", {
        "1.25%": dict(role="target", measure="interest rate"),
    }),
    ("The dissenters, both appointed to the Board of Governors in the past 18 months, argued that tariffs were lifting prices only temporarily and that unemployment, at 4.6%, was drifting higher.", {
        "4.6%": dict(role="level", measure="unemployment", label_not=["tariff"]),
    }),
    ("Fed funds futures put the odds at about 38%, down from 55% on Monday, according to CME data.", {
        "38%": dict(role="level", head="odds"),
        "55%": dict(role="prior", head="odds", period="monday"),
    }),
    ("The S&P 500 closed 0.7% lower at 7,046, and the Nasdaq Composite fell 1.1%.", {
        "0.7%": dict(role="change", direction="down", subject="S&P 500"),
        "7,046": dict(role="level", measure="close", subject="S&P 500"),
        "1.1%": dict(role="change", direction="down", subject="Nasdaq", label_not=["s&p"]),
    }),
    ("FRANKFURT -- The European Central Bank cut its key interest rate by a quarter of a percentage point on Thursday, taking the deposit facility rate to 1.75%, as inflation in the euro area slipped further below its 2% target and growth stalled.", {
        "1.75%": dict(role="level", measure="interest rate", label_not=["inflation"]),
        "2%": dict(role="target", measure="inflation"),
    }),
    ("The main refinancing rate falls to 1.90% and the marginal lending facility rate to 2.15%, effective November 18.", {
        "1.90%": dict(role="level", measure="interest rate", head="main refinancing rate"),
        "2.15%": dict(role="level", measure="interest rate", head="marginal lending"),
    }),
    ("Consumer prices in the euro area rose 1.7% in October, according to Eurostat's flash estimate, and economic output grew just 0.1% in the third quarter.", {
        "1.7%": dict(role="change", direction="up", measure="inflation", period="october"),
        "0.1%": dict(role="change", direction="up", measure="GDP", period="third quarter"),
    }),
    ("The euro fell about 0.5% to $1.1410 after the announcement, while the yield on Germany's two-year Schatz dropped 6 basis points.", {
        "0.5%": dict(role="change", direction="down", subject="euro"),
        "$1.1410": dict(role="level", subject="euro"),
        "6 basis points": dict(role="change", direction="down", measure="yield", subject="Schatz"),
    }),
    # ---- earnings calls (ECTSum) ---------------------------------------------------------
    ("Total revenue was approximately $1.5 billion, representing a 7.5% decline versus last year, which exceeded our expectation and reflects continued sequential improvement.", {
        "$1.5 billion": dict(role="level", measure="revenue", label_not=["expect", "target"]),
        "7.5%": dict(role="change", direction="down", measure="revenue", period="last year"),
    }),
    ("GAAP continuing earnings per share grew to a $1.10 per share or $1.01 per share on an adjusted basis.", {
        "$1.10": dict(role="level", measure="EPS"),
        "$1.01": dict(role="level", measure="EPS"),
    }),
    ("Adjusted EBITDA margins expanded more than 400 basis points to 8.3% compared to last year.", {
        "400 basis points": dict(role="change", direction="up", measure="EBITDA margin", label_has=["expansion"]),
        "8.3%": dict(role="level", measure="EBITDA margin", label_not=["prior", "last year"]),
    }),
    ("For fiscal 2021, we are introducing full year guidance of earnings per diluted share of $2.85 to $3.10 or $3.00 to $3.25 on an adjusted basis.", {
        "$2.85": dict(role="target", measure="EPS"),
        "$3.10": dict(role="target", measure="EPS"),
        "$3.00": dict(role="target", measure="EPS"),
        "$3.25": dict(role="target", measure="EPS"),
    }),
    ("Our outlook for adjusted EBITDA margins is 6.6% to 7%, which compares to 6% last year.", {
        "6.6%": dict(role="target", measure="EBITDA margin"),
        "7%": dict(role="target", measure="EBITDA margin"),
        "6%": dict(role="prior", measure="EBITDA margin", period="last year"),
    }),
    ("Revenue for the quarter was $1.5 billion, a decrease of 7.5% compared to last year.", {
        "$1.5 billion": dict(role="level", measure="revenue", label_not=["prior", "last year"]),
        "7.5%": dict(role="change", direction="down", measure="revenue", period="last year"),
    }),
    ("On a GAAP basis, our income from continuing operations was $74.6 million or $1.10 per diluted share compared to $27.9 million or $0.41 last year.", {
        "$74.6 million": dict(role="level", head="income from continuing operations", label_not=["prior"]),
        "$1.10": dict(role="level", measure="EPS", per_share=True),
        "$27.9 million": dict(role="prior", head="income from continuing operations", period="last year"),
        "$0.41": dict(role="prior", measure="EPS", period="last year"),
    }),
    ("On an adjusted basis, income from continuing operations for the quarter increased to $68.3 million or $1.01 per diluted share compared to $26.2 million or $0.39 last year.", {
        "$68.3 million": dict(role="level", head="income from continuing operations", label_not=["prior", "increase"]),
        "$1.01": dict(role="level", measure="EPS", per_share=True),
        "$26.2 million": dict(role="prior", period="last year"),
        "$0.39": dict(role="prior", measure="EPS", period="last year"),
    }),
    ("During the quarter, we generated adjusted EBITDA of approximately $124 million for a margin rate of 8.3% compared to $68.8 million or 4.3% last year.", {
        "$124 million": dict(role="level", measure="EBITDA"),
        "8.3%": dict(role="level", measure="EBITDA margin"),
        "$68.8 million": dict(role="prior", measure="EBITDA", period="last year"),
        "4.3%": dict(role="prior", measure="EBITDA margin", period="last year"),
    }),
    ("B&I revenue was $809.4 million, which was down just $11.5 million or 1.4% versus last year.", {
        "$809.4 million": dict(role="level", measure="revenue", subject="B&I"),
        "$11.5 million": dict(role="change", direction="down", measure="revenue", subject="B&I"),
        "1.4%": dict(role="change", direction="down", measure="revenue", period="last year"),
    }),
    ("Operating profit for the quarter reflected this more favorable mix of business resulting an $85.7 million or a margin of 10.6% compared to last year's $38.2 million and 4.7% respectively.", {
        "$85.7 million": dict(role="level", measure="operating income"),
        "10.6%": dict(role="level", measure="operating margin"),
        "$38.2 million": dict(role="prior", measure="operating income", period="last year"),
        "4.7%": dict(role="prior", measure="operating margin", period="last year"),
    }),
    ("The segment reported revenue of $249.2 million, an increase of 6.5% versus last year with an operating profit of $26.9 million or a margin rate of 10.8%.", {
        "$249.2 million": dict(role="level", measure="revenue"),
        "6.5%": dict(role="change", direction="up", measure="revenue", period="last year"),
        "$26.9 million": dict(role="level", measure="operating income"),
        "10.8%": dict(role="level", measure="operating margin"),
    }),
    ("Our Education segment grew revenues of $209.4 million with operating profit of $21.5 million or 10.2% margin.", {
        "$209.4 million": dict(role="level", measure="revenue", subject="Education"),
        "$21.5 million": dict(role="level", measure="operating income", subject="Education"),
        "10.2%": dict(role="level", measure="operating margin"),
    }),
    ("Aviation reported revenue of approximately $143 million with operating profit of $3.2 million.", {
        "$143 million": dict(role="level", measure="revenue", subject="Aviation"),
        "$3.2 million": dict(role="level", measure="operating income", subject="Aviation"),
    }),
    ("Finally, Technical Solutions reported revenue of $113 million versus $142 million last year.", {
        "$113 million": dict(role="level", measure="revenue", subject="Technical Solutions", label_not=["prior", "last year"]),
        "$142 million": dict(role="prior", measure="revenue", subject="Technical Solutions", period="last year"),
    }),
    ("Operating profit was $6 million or 5.3% on a margin basis.", {
        "$6 million": dict(role="level", measure="operating income"),
        "5.3%": dict(role="level", measure="operating margin"),
    }),
    ("We generated more than $45 million in cash flow from operations and free cash flow of approximately $39 million for the quarter.", {
        "$45 million": dict(role="level", measure="cash flow"),
        "$39 million": dict(role="level", measure="free cash flow"),
    }),
    ("Our strong performance enabled us to end this quarter with total debt including standby letters of credit of $851 million and a bank adjusted leverage ratio of 1.8 times.", {
        "$851 million": dict(role="level", measure="debt"),
        "1.8": dict(role="multiple", label_has=["leverage"]),
    }),
    ("Additionally, we ended the quarter with cash and cash equivalents of $378 million.", {
        "$378 million": dict(role="level", measure="cash", label_not=["close"]),
    }),
    ("We anticipate this could increase to 25% by Labor Day and grow to 50% plus through calendar year-end.", {
        "25%": dict(role="target"),
        "50%": dict(role="target"),
    }),
    ("Ongoing earnings per share were $1.40, reflecting nearly 45% growth compared to last year and sales increased more than 22% on an organic basis.", {
        "$1.40": dict(role="level", measure="EPS"),
        "45%": dict(role="change", direction="up", measure="EPS", period="last year"),
        "22%": dict(role="change", direction="up", measure="sales"),
    }),
    ("Excluding COVID testing-related sales, which totaled $1.9 billion in the quarter, organic sales increased 12% versus last year.", {
        "$1.9 billion": dict(role="level", measure="sales", head="covid testing"),
        "12%": dict(role="change", direction="up", measure="sales", head="organic sales", period="last year"),
    }),
    ("As a result of our strong performance and outlook, today, we increased our full year adjusted earnings per share guidance range now at $5 to $5.10, which reflects nearly 40% growth compared to last year.", {
        "$5": dict(role="target", measure="EPS", label_not=["increase"]),
        "$5.10": dict(role="target", measure="EPS", label_not=["increase"]),
        "40%": dict(direction="up", measure="EPS"),
    }),
    ("And I'll start with Nutrition, where sales increased 9% compared to last year.", {
        "9%": dict(role="change", direction="up", measure="sales", subject="Nutrition", period="last year"),
    }),
    ("And lastly, I'll cover Medical Devices, where sales grew 13% in the quarter compared to last year and more than 16% compared to pre-pandemic sales in the third quarter of 2019.", {
        "13%": dict(role="change", direction="up", measure="sales", subject="Medical Devices", period="last year"),
        "16%": dict(role="change", direction="up", measure="sales", subject="Medical Devices", period="2019"),
    }),
    ("Excluding COVID testing-related sales, organic sales growth was 12.1% versus last year and 11.7% compared to the third quarter of 2019.", {
        "12.1%": dict(role="change", direction="up", measure="sales", period="last year"),
        "11.7%": dict(role="change", direction="up", measure="sales", period="2019"),
    }),
    ("Foreign exchange had a favorable year-over-year impact of 1% on third quarter sales, resulting in total reported sales growth of 23.4% in the quarter.", {
        "1%": dict(label_has=["exchange"]),
        "23.4%": dict(role="change", direction="up", measure="sales", label_not=["exchange"]),
    }),
    ("Regarding other aspects of the P&L for the quarter, the adjusted gross margin ratio was 58.8% of sales, adjusted R&D investment was 6% of sales and adjusted SG&A expense was 25% of sales.", {
        "58.8%": dict(measure="gross margin"),
        "6%": dict(role="share", head="r&d", whole="sales"),
        "25%": dict(role="share", measure="expense", head="sg&a", whole="sales"),
    }),
    ("Our third quarter adjusted tax rate was 15.5%, which reflects an adjustment to align our year-to-date tax rate with our revised full year effective tax rate forecast of 15%.", {
        "15.5%": dict(role="level", measure="tax rate", period="third quarter", label_not=["forecast"]),
        "15%": dict(role="target", measure="tax rate"),
    }),
    ("We forecast $1 billion to $1.4 billion of COVID testing-related sales and forecast organic sales growth, excluding COVID testing-related sales, in the low double-digits versus last year.", {
        "$1 billion": dict(role="target", measure="sales"),
        "$1.4 billion": dict(role="target", measure="sales"),
    }),
    ("We delivered a 14.8% segment adjusted operating margin in the fourth quarter and 13.8% for the full year.", {
        "14.8%": dict(role="level", measure="operating margin", period="fourth quarter"),
        "13.8%": dict(role="level", measure="operating margin", period="full year"),
    }),
    ("To put this performance in context, our margin in the fourth quarter is more than 600 basis points higher than in fiscal 2018.", {
        "600 basis points": dict(role="change", direction="up", measure="margin"),
    }),
    ("Full-year adjusted EBITDA was $830 million and adjusted earnings per share was $2.82, which marked an 11% and 31% increase respectively.", {
        "$830 million": dict(role="level", measure="EBITDA", period="full-year"),
        "$2.82": dict(role="level", measure="EPS"),
        "11%": dict(role="change", direction="up", measure="EBITDA"),
        "31%": dict(role="change", direction="up", measure="EPS"),
    }),
    ("We have repurchased more than $1 billion of stock since last September, or 13% of the Company.", {
        "$1 billion": dict(role="level", measure="buyback"),
        "13%": dict(role="share", whole="company"),
    }),
    ("Our contracted backlog, which is a key indicator of revenue growth increased by 18% and included 4% growth in design business.", {
        "18%": dict(role="change", direction="up", measure="orders", head="backlog", label_not=["revenue"]),
        "4%": dict(role="change", direction="up", head="design"),
    }),
    ("We've initiated adjusted EBITDA and adjusted earnings per share guidance of between $880 million and $920 million and between $3.20 and $3.40.", {
        "$880 million": dict(role="target", measure="EBITDA"),
        "$920 million": dict(role="target", measure="EBITDA"),
        "$3.20": dict(role="target", measure="EPS"),
        "$3.40": dict(role="target", measure="EPS"),
    }),
    ("The fourth quarter adjusted operating margin was 19.8%, a 290 basis point increase from the prior year to a new all-time high and reflects strong execution.", {
        "19.8%": dict(role="level", measure="operating margin", period="fourth quarter"),
        "290 basis point": dict(role="change", direction="up", measure="operating margin", period="prior year"),
    }),
    ("Our adjusted operating margin in the third quarter was 7.4%, an 80 basis point improvement from the prior year.", {
        "7.4%": dict(role="level", measure="operating margin", period="third quarter"),
        "80 basis point": dict(role="change", direction="up", measure="operating margin", period="prior year"),
    }),
    ("Fourth quarter free cash flow of $299 million contributed to full year free cash flow of $583 million.", {
        "$299 million": dict(role="level", measure="free cash flow", period="fourth quarter"),
        "$583 million": dict(role="level", measure="free cash flow", period="full year"),
    }),
    ("To that point, we expect free cash flow of between $450 million and $650 million in fiscal 2022.", {
        "$450 million": dict(role="target", measure="free cash flow", period="2022"),
        "$650 million": dict(role="target", measure="free cash flow", period="2022"),
    }),
    ("Based on our strong performance to date and the returns we expect on our investments, we are raising our long-term adjusted earnings per share guidance to at least $4.75 in fiscal 2024.", {
        "$4.75": dict(role="target", measure="EPS", period="2024"),
    }),
    ("In the Americas, NSR increased by 7% in the fourth quarter, including growth in both design and construction management businesses.", {
        "7%": dict(role="change", direction="up", head="nsr", subject="Americas", period="fourth quarter"),
    }),
    ("I should note that our awarded backlog was reduced by $1.3 billion as a result of this client only advancing the first phase of this project at this time.", {
        "$1.3 billion": dict(role="change", direction="down", measure="orders"),
    }),
    ("Adjusted segment operating profit was $1 billion, up 18% versus the third quarter of 2020 and our 8th consecutive quarter of year-over-year OP growth.", {
        "$1 billion": dict(role="level", measure="operating income"),
        "18%": dict(role="change", direction="up", measure="operating income", period="third quarter of 2020"),
    }),
    ("Our trailing fourth quarter adjusted EBITDA was about $4.6 billion, almost a $1 billion more than a year ago.", {
        "$4.6 billion": dict(role="level", measure="EBITDA"),
        "$1 billion": dict(role="change", direction="up", measure="EBITDA", period="year ago"),
    }),
    ("Our balance sheet remains solid with a net debt to total capital ratio of about 26% and available liquidity of about $11.5 billion.", {
        "26%": dict(label_has=["debt"]),
        "$11.5 billion": dict(role="level", measure="cash", label_not=["debt"]),
    }),
    ("In the corporate lines, unallocated corporate costs of $230 million were driven primarily by higher IT offerings and project-related costs and transverse cost into the centralized centers of excellence in supply chain and operation.", {
        "$230 million": dict(role="level", measure="expense", head="unallocated corporate costs"),
    }),
    ("Turning to our financial results for the second quarter on slide 17; adjusted earnings per share was up 24% to $0.31, primarily reflecting execution on our growth plan, demand recovery at our U.S. Utilities and parent interest savings.", {
        "24%": dict(role="change", direction="up", measure="EPS"),
        "$0.31": dict(role="level", measure="EPS", label_not=["increase"]),
    }),
    ("Turning to slide 18, adjusted pre-tax contribution or PTC was $303 million for the quarter, an increase of $65 million versus the second quarter of 2020.", {
        "$303 million": dict(role="level", head="pre-tax contribution"),
        "$65 million": dict(role="change", direction="up", head="pre-tax contribution", period="second quarter of 2020"),
    }),
    ("We remain on track to achieve 7% to 9% average annual growth in adjusted earnings per share and parent-free cash flow through 2025.", {
        "7%": dict(role="target", direction="up", measure="EPS"),
        "9%": dict(role="target", direction="up", measure="EPS"),
    }),
    ("For Q2 on a weather-normalized basis demand at AES Ohio is up 9% and demand at AES Indiana is up 4%.", {
        "9%": dict(role="change", direction="up", subject="AES Ohio", head="demand"),
        "4%": dict(role="change", direction="up", subject="AES Indiana", head="demand", label_not=["ohio"]),
    }),
    ("As you'll see on Slide 3, AFG reported core net operating earnings of $2.71 per share, an impressive 96% increase year-over-year.", {
        "$2.71": dict(role="level", measure="EPS", per_share=True, subject="AFG"),
        "96%": dict(role="change", direction="up", period="year-over-year"),
    }),
    ("Book value per share excluding unrealized gains related to fixed maturities was $59.70 at September 30, 2021 compared to $63.61 per share.", {
        "$59.70": dict(role="level", head="book value per share"),
        "$63.61": dict(role="prior", head="book value per share"),
    }),
    ("Gross and net written premiums for the third quarter of 2021 were up 19% and 16% respectively when compared to the third quarter of last year.", {
        "19%": dict(role="change", direction="up", head="premiums", period="third quarter"),
        "16%": dict(role="change", direction="up", head="premiums", period="third quarter"),
    }),
    ("Property and Transportation Group reported an underwriting profit of $45 million in the third quarter of '21 compared to $47 million in the third quarter of 2020.", {
        "$45 million": dict(role="level", measure="earnings", subject="Property and Transportation", label_not=["prior", "2020"]),
        "$47 million": dict(role="prior", measure="earnings", subject="Property and Transportation", period="2020"),
    }),
    ("The Specialty Casualty Group reported an underwriting profit of $110 million in the 2021 third quarter compared to $53 million last year.", {
        "$110 million": dict(role="level", measure="earnings", subject="Specialty Casualty"),
        "$53 million": dict(role="prior", measure="earnings", subject="Specialty Casualty", period="last year"),
    }),
    ("The third quarter 2021 combined ratio improved 3.1 points from the 92.1% reported in the comparable prior year period and included 2 points of catastrophe losses and 5.4 points of favorable prior year reserve development.", {
        "3.1 points": dict(role="change", head="combined ratio"),
        "92.1%": dict(role="prior", head="combined ratio", period="prior year"),
    }),
    ("Average renewal pricing across our entire Property and Casualty group was up approximately 11% for the quarter.", {
        "11%": dict(role="change", direction="up", head="renewal pricing"),
    }),
    ("For the third quarter adjusted earnings per share increased 19.8% to $1.39 with no significant impact from FX in the quarter.", {
        "19.8%": dict(role="change", direction="up", measure="EPS", period="third quarter"),
        "$1.39": dict(role="level", measure="EPS", label_not=["increase"]),
    }),
    ("Japan's total benefit ratio came in at 71.3% for the quarter, up 130 basis points year-over-year and the third sector benefit ratio was 61.7%, up 170 basis points year-over-year.", {
        "71.3%": dict(role="level", head="benefit ratio", subject="Japan", label_not=["third sector"]),
        "130 basis points": dict(role="change", direction="up", head="benefit ratio", period="year-over-year", label_not=["third sector"]),
        "61.7%": dict(role="level", head="third sector benefit ratio"),
        "170 basis points": dict(role="change", direction="up", head="third sector benefit ratio", period="year-over-year"),
    }),
    ("Total earned premium for the quarter declined 3.3%, reflecting mainly first sector policies pay up impacts while earned premium put a third sector product was down 1.7%.", {
        "3.3%": dict(role="change", direction="down", head="earned premium"),
        "1.7%": dict(role="change", direction="down", head="third sector"),
    }),
    ("The effects of COVID-19 continued to noticeably impact our results in this segment as well, largely due to the reduced face-to-face activity, third quarter sales were down 35.7%.", {
        "35.7%": dict(role="change", direction="down", measure="sales", period="third quarter"),
    }),
    ("With that, turning to the quarter, our sales decreased 28% year-over-year from $561 million to $404 million, and our adjusted diluted earnings per share from continuing operations decreased 52% from $0.64 per share to $0.31 per share.", {
        "28%": dict(role="change", direction="down", measure="sales", period="year-over-year"),
        "$561 million": dict(role="prior", measure="sales"),
        "$404 million": dict(role="level", measure="sales", label_not=["prior", "earlier"]),
        "52%": dict(role="change", direction="down", measure="EPS", head="adjusted diluted earnings per share"),
        "$0.64": dict(role="prior", measure="EPS"),
        "$0.31": dict(role="level", measure="EPS", label_not=["prior", "earlier"]),
    }),
    ("Our sales to commercial customers decreased 48%, and our sales to government and defense customers increased 13%.", {
        "48%": dict(role="change", direction="down", measure="sales", head="sales to commercial customers"),
        "13%": dict(role="change", direction="up", measure="sales", head="sales to government", label_not=["commercial"]),
    }),
    ("You are now starting to see the results of these actions in our adjusted operating margins, which improved meaningfully from 2.5% to 4% sequentially on stable revenue.", {
        "2.5%": dict(role="prior", measure="operating margin"),
        "4%": dict(role="level", measure="operating margin", period="sequential", label_not=["prior", "revenue"]),
    }),
    ("Our sales in the quarter of $403.6 million were down 28% or $157.3 million year-over-year, driven by the impacts of the pandemic on commercial passenger flying activity.", {
        "$403.6 million": dict(role="level", measure="sales"),
        "28%": dict(role="change", direction="down", measure="sales", period="year-over-year"),
        "$157.3 million": dict(role="change", direction="down", measure="sales", period="year-over-year"),
    }),
    ("Sequentially, Aviation Services sales were up 5.9% or $21.4 million, while sales in Expeditionary Services were down 50% or $18.6 million.", {
        "5.9%": dict(role="change", direction="up", measure="sales", subject="Aviation Services", period="sequential"),
        "$21.4 million": dict(role="change", direction="up", measure="sales", subject="Aviation Services"),
        "50%": dict(role="change", direction="down", measure="sales", subject="Expeditionary Services"),
        "$18.6 million": dict(role="change", direction="down", measure="sales", subject="Expeditionary Services"),
    }),
    ("Gross profit margin in the quarter increased to 17.2% from 15.3% in the prior year quarter, driven by the CARES Act payroll support.", {
        "17.2%": dict(role="level", measure="gross margin", label_not=["prior", "increase"]),
        "15.3%": dict(role="prior", measure="gross margin", period="prior year"),
    }),
    ("On an adjusted basis, SG&A was $38 million or 9.4% of sales, down $13 million from the prior year quarter, reflecting the reduction of our overhead cost structure.", {
        "$38 million": dict(role="level", measure="expense", head="sg&a"),
        "9.4%": dict(role="share", whole="sales"),
        "$13 million": dict(role="change", direction="down", measure="expense", period="prior year"),
    }),
    ("Our net debt at quarter end was $112.1 million, down $37 million from $149.3 million at the end of Q1.", {
        "$112.1 million": dict(role="level", measure="debt", label_not=["prior"]),
        "$37 million": dict(role="change", direction="down", measure="debt"),
        "$149.3 million": dict(role="prior", measure="debt", period="q1"),
    }),
    ("As a result, the year-over-year organic sales decline of 13.4% in the quarter improved notably from the 18.4% decline last quarter.", {
        "13.4%": dict(role="change", direction="down", measure="sales"),
        "18.4%": dict(role="prior", measure="sales", period="last quarter"),
    }),
    ("Sales in our Service Center segment declined 14.9% year-over-year or 14.4% on organic basis.", {
        "14.9%": dict(role="change", direction="down", measure="sales", subject="Service Center", period="year-over-year"),
        "14.4%": dict(role="change", direction="down", measure="sales", subject="Service Center"),
    }),
    ("That said, on a sequential basis, gross margins improved 13 basis points or 17 basis points when excluding LIFO expense, and we're slightly ahead of our expectations.", {
        "13 basis points": dict(role="change", direction="up", measure="gross margin", period="sequential"),
        "17 basis points": dict(role="change", direction="up", measure="gross margin", label_not=["expect"]),
    }),
    ("We reported net income of $34.8 million or $0.89 per share, down from adjusted net income of $39.9 million or $1.02 per share in the prior year quarter.", {
        "$34.8 million": dict(role="level", measure="net income", label_not=["prior"]),
        "$0.89": dict(role="level", measure="EPS", per_share=True),
        "$39.9 million": dict(role="prior", measure="net income", period="prior year"),
        "$1.02": dict(role="prior", measure="EPS", period="prior year"),
    }),
    ("During the first quarter, cash generated from operating activities was $81.8 million while free cash flow was $78.2 million or approximately 225% of net income.", {
        "$81.8 million": dict(role="level", measure="cash flow", period="first quarter"),
        "$78.2 million": dict(role="level", measure="free cash flow"),
        "225%": dict(role="share", whole="net income", head="free cash flow"),
    }),
    ("Our net debt is down nearly 30% over the prior year, and net leverage stood at 2.1 times adjusted EBITDA at quarter end, below the prior year quarter level of 2.3 times and the prior year level of 2.6 times.", {
        "30%": dict(role="change", direction="down", measure="debt", period="prior year"),
        "2.1": dict(role="multiple", head="leverage"),
        "2.3": dict(role="prior", head="leverage", period="prior year"),
        "2.6": dict(role="prior", head="leverage", period="prior year"),
    }),
    ("These financial results were firmly within our 2021 earnings guidance range of $3 to $3.30 per share.", {
        "$3": dict(role="target", measure="EPS", period="2021"),
        "$3.30": dict(role="target", measure="EPS", period="2021"),
    }),
    ("Today ALLETE reported 2021 earnings of $3.23 per share or net income of $169.2 million.", {
        "$3.23": dict(role="level", measure="EPS", subject="ALLETE", period="2021"),
        "$169.2 million": dict(role="level", measure="net income", subject="ALLETE"),
    }),
    ("Overall, ALLETE's consolidated results for the fourth quarter exceeded our expectations with earnings at $1.18 per share, compared to $0.90 per share for the same quarter in 2020.", {
        "$1.18": dict(role="level", measure="EPS", period="fourth quarter", label_not=["expect", "target"]),
        "$0.90": dict(role="prior", measure="EPS", period="2020"),
    }),
    ("ALLETE Clean Energy recorded fourth quarter 2021 net income of $14.6 million, compared to $13.1 million in 2020.", {
        "$14.6 million": dict(role="level", measure="net income", subject="ALLETE Clean Energy"),
        "$13.1 million": dict(role="prior", measure="net income", subject="ALLETE Clean Energy", period="2020"),
    }),
    ("We're committed to ALLETE's long-term five-year objective of achieving consolidated average annual earnings per share growth within a range of 5% to 7%, and I'm confident in our ability to achieve this for our investors.", {
        "5%": dict(role="target", direction="up", measure="EPS"),
        "7%": dict(role="target", direction="up", measure="EPS"),
    }),
    ("Today, we reported all-time record quarter results with adjusted earnings per share from continuing operations of $2.79, an increase of 207% compared to last year.", {
        "$2.79": dict(role="level", measure="EPS"),
        "207%": dict(role="change", direction="up", measure="EPS", period="last year"),
    }),
    ("AutoNation same-store new vehicle units were up 22% year-over-year and up 12% compared to 2019.", {
        "22%": dict(role="change", direction="up", measure="volume", subject="AutoNation", period="year-over-year"),
        "12%": dict(role="change", direction="up", measure="volume", subject="AutoNation", period="2019"),
    }),
    ("Today we reported adjusted net income from continuing operations of $234 million or $2.79 per share versus $82 million or $0.91 per share during the first quarter of 2020.", {
        "$234 million": dict(role="level", measure="net income", label_not=["prior", "2020"]),
        "$2.79": dict(role="level", measure="EPS", per_share=True),
        "$82 million": dict(role="prior", measure="net income", period="first quarter of 2020"),
        "$0.91": dict(role="prior", measure="EPS", period="first quarter of 2020"),
    }),
    ("Our first quarter same-store revenue increased $1.3 billion or 27% compared to the prior year due to strong growth in new, used and customer financial services.", {
        "$1.3 billion": dict(role="change", direction="up", measure="revenue", period="prior year"),
        "27%": dict(role="change", direction="up", measure="revenue", period="prior year"),
    }),
    ("During the quarter we bought back 3.8 million shares or 5% of our shares outstanding.", {
        "3.8 million": dict(role="level", measure="buyback"),
        "5%": dict(role="share", whole="shares outstanding"),
    }),
    ("As measured against gross profit, overhead decreased 590 basis points, compensation decreased 320 basis points and advertising decreased 210 basis points.", {
        "590 basis points": dict(role="change", direction="down", head="overhead"),
        "320 basis points": dict(role="change", direction="down", head="compensation"),
        "210 basis points": dict(role="change", direction="down", head="advertising"),
    }),
    ("Based on current business conditions, we project SG&A as a percentage of gross profit to be at or below 65% for the full year 2021.", {
        "65%": dict(role="target", head="sg&a", period="2021"),
    }),
    ("The Company closed the third quarter with record sales of $2,323 million and record GAAP and adjusted diluted earnings per share of $1.12 and $1.09 respectively.", {
        "$2,323 million": dict(role="level", measure="sales", period="third quarter", label_not=["close"]),
        "$1.12": dict(role="level", measure="EPS", label_not=["close"]),
        "$1.09": dict(role="level", measure="EPS", label_not=["close"]),
    }),
    ("Sales were up 11% in US dollars and up 10% in local currencies compared to the third quarter of 2019.", {
        "11%": dict(role="change", direction="up", measure="sales"),
        "10%": dict(role="change", direction="up", measure="sales", period="third quarter of 2019"),
    }),
    ("Our cable business, which comprised 4% of our sales, was up 2% in US dollars and 5% in local currencies compared to the third quarter of last year.", {
        "4%": dict(role="share", head="cable", whole="sales"),
        "2%": dict(role="change", direction="up", head="cable"),
        "5%": dict(role="change", direction="up", head="cable", period="third quarter"),
    }),
    ("Operating margins were 20.5%, which was up a very strong 250 basis points sequentially and up 80 basis points compared to the third quarter of 2019.", {
        "20.5%": dict(role="level", measure="operating margin"),
        "250 basis points": dict(role="change", direction="up", measure="operating margin", period="sequential"),
        "80 basis points": dict(role="change", direction="up", measure="operating margin", period="2019"),
    }),
    ("In the cable segment, margins were 10.7%, which increased from 10.2% in the third quarter of 2019 and 9.4% in the second quarter of 2020.", {
        "10.7%": dict(role="level", measure="margin", head="cable", label_not=["prior", "2019"]),
        "10.2%": dict(role="prior", measure="margin", period="third quarter of 2019"),
        "9.4%": dict(role="prior", measure="margin", period="second quarter of 2020"),
    }),
    ("Interest expense for the quarter was $28 million, which was down from $30 million in the third quarter of last year.", {
        "$28 million": dict(role="level", measure="expense", head="interest expense"),
        "$30 million": dict(role="prior", measure="expense", period="third quarter"),
    }),
    ("On a GAAP basis, diluted earnings per share increased by 22% to $1.12 in the third quarter of 2020 compared to $0.92 in the third quarter of 2019.", {
        "22%": dict(role="change", direction="up", measure="EPS"),
        "$1.12": dict(role="level", measure="EPS", period="third quarter of 2020", label_not=["prior", "2019"]),
        "$0.92": dict(role="prior", measure="EPS", period="third quarter of 2019"),
    }),
    ("Adjusted diluted earnings per share increased by 15% to $1.09 in the third quarter of 2020 from $0.95 in the third quarter of 2019.", {
        "15%": dict(role="change", direction="up", measure="EPS", head="adjusted diluted earnings per share"),
        "$1.09": dict(role="level", measure="EPS", period="third quarter of 2020", label_not=["prior", "2019"]),
        "$0.95": dict(role="prior", measure="EPS", period="third quarter of 2019"),
    }),
    ("Orders for the quarter were $2,275 million, which was up 9% compared to the third quarter of 2019 and up 15% sequentially, resulting in a book-to-bill of 0.98 to 1.", {
        "$2,275 million": dict(role="level", measure="orders"),
        "9%": dict(role="change", direction="up", measure="orders", period="third quarter of 2019"),
        "15%": dict(role="change", direction="up", measure="orders", period="sequential"),
    }),
    ("On a year-to-year basis, we grew sales in most of our key end markets, most notably Energy, up 60%; and Defense, up 22%.", {
        "60%": dict(role="change", direction="up", subject="Energy"),
        "22%": dict(role="change", direction="up", subject="Defense", label_not=["energy"]),
    }),
    ("As a result of our profitable jet engine growth and increased asset utilization, HPMC EBITDA margins increased by 220 basis points compared to the first quarter and nearly 300 basis points versus the second quarter of 2020.", {
        "220 basis points": dict(role="change", direction="up", measure="EBITDA margin", subject="HPMC", period="first quarter"),
        "300 basis points": dict(role="change", direction="up", measure="EBITDA margin", subject="HPMC", period="second quarter of 2020"),
    }),
    ("However, we saw gross profit margin of 43.4% expand 170 basis points and reported operating profit margin expand 180 basis points against the prior year.", {
        "43.4%": dict(role="level", measure="gross margin"),
        "170 basis points": dict(role="change", direction="up", measure="gross margin"),
        "180 basis points": dict(role="change", direction="up", measure="operating margin", period="prior year"),
    }),
    ("Diluted earnings per share of $1.74 increased $0.30 or 20.8% over the prior year and adjusted diluted earnings per share of $2.12 increased $0.28 or 15.2% over the prior year.", {
        "$1.74": dict(role="level", measure="EPS"),
        "$0.30": dict(role="change", direction="up", measure="EPS", period="prior year"),
        "20.8%": dict(role="change", direction="up", measure="EPS", period="prior year"),
        "$2.12": dict(role="level", measure="EPS", head="adjusted"),
        "$0.28": dict(role="change", direction="up", measure="EPS", head="adjusted", period="prior year"),
        "15.2%": dict(role="change", direction="up", measure="EPS", head="adjusted", period="prior year"),
    }),
    ("The effective tax rate for the second quarter of fiscal 2021 was 23.5% compared with 23.4% in the prior year quarter.", {
        "23.5%": dict(role="level", measure="tax rate", period="second quarter", label_not=["prior"]),
        "23.4%": dict(role="prior", measure="tax rate", period="prior year"),
    }),
    ("We invested $21 million or 1.4% of net sales in capital expenditures during the first half of fiscal 2021 and currently expect to invest approximately 1.5% of net sales in capital expenditures in the full year of fiscal 2021.", {
        "$21 million": dict(role="level", measure="capex", period="first half"),
        "1.4%": dict(role="share", measure="capex", whole="net sales"),
        "1.5%": dict(role="target", measure="capex", period="full year"),
    }),
    ("Adjusted operating profit margin was 14% of net sales for the second quarter of fiscal 2021, an increase of 170 basis points over the prior year.", {
        "14%": dict(measure="operating margin", period="second quarter"),
        "170 basis points": dict(role="change", direction="up", measure="operating margin", period="prior year"),
    }),
    ("Adjusted book value per share including foreign currency translation gains and losses grew 17.4% and the adjusted ROE excluding foreign currency impact was a strong 16.8%, a material spread to our cost of capital.", {
        "17.4%": dict(role="change", direction="up", head="book value per share"),
        "16.8%": dict(role="level", measure="ROE"),
    }),
    ("Acquisitions contributed 1.1% growth, partially offset by an unfavorable foreign currency impact of 0.4%.", {
        "1.1%": dict(role="change", direction="up", head="acquisitions"),
        "0.4%": dict(label_has=["currency"]),
    }),
]
# fmt: on

_EXACT = ("role", "direction", "measure")


def _match(sentence: str, key: str, numbers: list[NumberMatch]) -> NumberMatch:
    text, _, nth = key.partition("#")
    found = [n for n in numbers if n.text == text]
    index = int(nth) - 1 if nth else 0
    assert len(found) > index, f"{key!r} is not a number find_numbers reads in {sentence!r}"
    return found[index]


def _label(frame: Frame) -> str:
    return frame.label() or compose(frame, frame.what)


# Ways of writing the same period: a frame may say any one of a group for any other.
_SAME_PERIOD = (
    ("year-over-year", "year-on-year", "year on year", "year earlier", "year ago", "last year",
     "prior year", "previous year"),
    ("sequential", "quarter on quarter", "quarter-on-quarter", "last quarter", "prior quarter",
     "previous quarter"),
)  # fmt: skip


def _has_period(got: str, want: str) -> bool:
    got, want = got.lower(), want.lower()
    if want in got:
        return True
    return any(want in group and any(w in got for w in group) for group in _SAME_PERIOD)


def _problems(frame: Frame, want: dict[str, object]) -> list[str]:
    bad: list[str] = []
    for field in _EXACT:
        if field in want and getattr(frame, field) != want[field]:
            bad.append(f"{field}={getattr(frame, field)!r}, want {want[field]!r}")
    if "period" in want and not _has_period(frame.period, str(want["period"])):
        bad.append(f"period={frame.period!r}, want it to say {want['period']!r}")
    for field in ("head", "whole"):
        if field in want and str(want[field]).lower() not in getattr(frame, field).lower():
            bad.append(f"{field}={getattr(frame, field)!r}, want it to contain {want[field]!r}")
    if "subject" in want:
        named = f"{frame.subject} | {frame.head}".lower()
        if str(want["subject"]).lower() not in named:
            bad.append(f"subject={frame.subject!r} head={frame.head!r}, want {want['subject']!r}")
    if "per_share" in want and frame.per_share != want["per_share"]:
        bad.append(f"per_share={frame.per_share}, want {want['per_share']}")
    label = _label(frame).lower()
    for part in want.get("label_has", ()):  # type: ignore[union-attr]
        if part.lower() not in label:
            bad.append(f"label {label!r} lacks {part!r}")
    for part in want.get("label_not", ()):  # type: ignore[union-attr]
        if part.lower() in label:
            bad.append(f"label {label!r} has {part!r}")
    return bad


def _case_id(case: tuple[str, dict[str, dict[str, object]]]) -> str:
    return case[0][:48]


# The share of the table's numbers the reader gets wholly right (every expectation met),
# measured when the table was written (0.51) and after the reader was improved against it
# (0.648, 384 of 593; 0.651, 386, after openers stopped naming subjects in session 6; 0.673,
# 406, after gapped clauses, "N% higher revenues", comparisons, opening scopes, "as much as",
# estimates as targets and money poured into something as inflows, session 8).
# A floor, so a change that reads worse fails; raise it as the reader improves.
READ_RIGHT_FLOOR = 0.69


def _read(sentence: str, key: str, want: dict[str, object], numbers: list[NumberMatch]) -> str:
    frame = frame_of(sentence, _match(sentence, key, numbers), numbers)
    bad = _problems(frame, want)
    if not bad:
        return ""
    return (
        f"{sentence[:70]!r} {key!r}: " + "; ".join(bad) + f" (head={frame.head!r} "
        f"subject={frame.subject!r} measure={frame.measure!r} role={frame.role!r} "
        f"period={frame.period!r} label={_label(frame)!r})"
    )


def test_the_reader_gets_most_of_the_table_right() -> None:
    failures = []
    total = 0
    for sentence, expected in CASES:
        numbers = find_numbers(sentence)
        for key, want in expected.items():
            total += 1
            failure = _read(sentence, key, want, numbers)
            if failure:
                failures.append(failure)
    right = 1 - len(failures) / total
    assert total >= 500
    assert right >= READ_RIGHT_FLOOR, f"{right:.3f} of {total} right; misread:\n" + "\n".join(
        failures
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "The Nikkei 225 climbed over 1.5% in Monday's session, closing at a record 57,890.",
        "The benchmark index was trading at 50,367.38, up 2.17%, with year-to-date gains "
        "reaching an impressive 25.80%.",
        "The relief was felt across Asia: Japan\u2019s broader TOPIX index also jumped 1.72% to "
        "3,325.82, hitting its own record high.",
        "With that, turning to the quarter, our sales decreased 28% year-over-year from "
        "$561 million to $404 million, and our adjusted diluted earnings per share from "
        "continuing operations decreased 52% from $0.64 per share to $0.31 per share.",
    ],
)
def test_the_issue_s_multi_number_sentences_are_read_right(sentence: str) -> None:
    """The shapes the issue names: every number of these reads as the table says."""
    (want,) = [expected for s, expected in CASES if s == sentence] or [None]
    assert want is not None, "the sentence must be in the table"
    numbers = find_numbers(sentence)
    failures = [f for key, w in want.items() if (f := _read(sentence, key, w, numbers))]
    assert not failures, "\n".join(failures)


def test_table_is_large_and_mostly_multi_number() -> None:
    assert len(CASES) >= 160
    assert sum(len(numbers) >= 2 for _, numbers in CASES) >= 60
    assert len({sentence for sentence, _ in CASES}) == len(CASES)


def test_frames_need_no_model_stack() -> None:
    code = (
        "import sys\n"
        "from newsbrief.text import frames\n"
        "got = frames.frames_of('The Topix fell 1.9% to 3,325.82 on Monday.')\n"
        "assert len(got) == 2, got\n"
        "print(sorted(m for m in ('openai', 'instructor') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", done.stdout
    assert [f.number.text for f in frames_of("The Topix fell 1.9% to 3,325.82 on Monday.")] == [
        "1.9%",
        "3,325.82",
    ]


def test_incomplete_frame_has_no_label() -> None:
    sentence = "The eight countries will meet again on December 6."
    (number,) = find_numbers(sentence)
    assert Frame(number=number).label() is None  # no role, nothing named
    frame = frame_of(sentence, number)
    assert not frame.complete
    assert frame.label() is None


def test_one_name_in_the_sentence_before_is_the_subject_two_are_options() -> None:
    """ "The benchmark index" names nothing: with one index named just before, our code takes
    it; with two, the model chooses between them (Frame.options), never free text."""
    one = (
        "Japan\u2019s stock market hit a landmark milestone on Monday as the Nikkei 225 surged "
        "past the psychologically significant 50,000 level for the first time in history.\n\n"
        "The benchmark index was trading at 50,367.38, up 2.17%, with year-to-date gains "
        "reaching an impressive 25.80%."
    )
    numbers = find_numbers(one)
    (level,) = [n for n in numbers if n.text == "50,367.38"]
    frame = frame_of(one, level, numbers)
    assert frame.role == "level" and frame.subject == "Nikkei 225" and not frame.options
    assert frame.label() == "Nikkei 225 level"
    two = (
        "The Topix and the Nikkei 225 both rallied.\nThe benchmark index was trading at 50,367.38."
    )
    numbers = find_numbers(two)
    frame = frame_of(two, numbers[-1], numbers)
    assert frame.options == ("Nikkei 225", "Topix") and frame.label() is None
    assert frame.label_with("Topix") == "Topix level"


def test_a_run_on_line_is_read_near_each_number_only() -> None:
    """A table or transcript line with no sentence end: each number is read within a fixed
    reach (REACH_BEFORE characters), so its frame neither borrows words from far away nor
    costs more the longer the line is."""
    from newsbrief.text.frames import REACH_BEFORE

    filler = " | ".join(f"item {i} at 1{i}.5%" for i in range(200))
    line = "In the fourth quarter sales rose 3% | " + filler + " | margin was 4.25%"
    assert len(line) > 3 * REACH_BEFORE
    numbers = find_numbers(line)
    first, last = numbers[0], numbers[-1]
    assert frame_of(line, first, numbers).period == "fourth quarter"
    far = frame_of(line, last, numbers)
    assert far.period == "" and far.measure == "margin"  # the opening words are out of reach


@pytest.mark.parametrize(
    ("sentence", "key", "subject", "head", "period", "label"),
    [
        # a sentence's opener names nothing: the frame is incomplete (a follow-up question)
        ("Specifically, we issued $850 million of 1.6% senior notes due 2030.",
         "$850 million", "", None, None, None),
        ("Subsequent to September 30, we raised an additional $39 million.",
         "$39 million", "", None, None, None),
        # "at quarter end" is when, not what: the net debt it is
        ("Our net debt at quarter end was $112.1 million, down $37 million.",
         "$112.1 million", None, "net debt", "quarter end", "net debt, quarter end"),
        # "turning to the quarter" frames the sentence's numbers
        ("With that, turning to the quarter, our sales were $404 million.",
         "$404 million", None, "sales", "the quarter", "sales, the quarter"),
    ],
)  # fmt: skip
def test_openers_and_time_phrases_are_not_what_a_number_measures(
    sentence: str, key: str, subject: str | None, head: str | None, period: str | None,
    label: str | None,
) -> None:  # fmt: skip
    numbers = find_numbers(sentence)
    frame = frame_of(sentence, _match(sentence, key, numbers), numbers)
    if subject is not None:
        assert frame.subject == subject
    if head is not None:
        assert frame.head == head
    if period is not None:
        assert frame.period.lower() == period
    assert frame.label() == label


def _frames(sentence: str) -> dict[str, Frame]:
    numbers = find_numbers(sentence)
    return {n.text: frame_of(sentence, n, numbers) for n in numbers}


def test_a_gapped_clause_keeps_the_verb_and_takes_its_own_subject() -> None:
    """ "A rose 0.6% and B 0.5%": B's number is a rise of B, not A's level."""
    got = _frames("Household furnishings rose 0.6% and apparel 0.5%, while airfares fell 2%.")
    assert (got["0.5%"].role, got["0.5%"].direction, got["0.5%"].head) == (
        "change",
        "up",
        "apparel",
    )
    got = _frames("Mitsubishi UFJ fell 2.3% and Sumitomo Mitsui Financial Group 1.9%.")
    assert got["1.9%"].subject == "Sumitomo Mitsui Financial Group"
    assert got["1.9%"].direction == "down"
    # the first clause's period stays with it; the second number's own period wins
    got = _frames("The Euro Stoxx Banks index fell 1.8% on Thursday and another 0.7% on Friday.")
    assert got["0.7%"].period == "Friday" and got["0.7%"].role == "change"
    got = _frames("Core prices rose 0.3% on the month and 3.0% on the year.")
    assert got["3.0%"].period != "the month"
    # "and the core measure at 3.0%": a level, not a gapped rise
    got = _frames("With consumer prices up 3.1% over the past year and the core measure at 3.0%.")
    assert got["3.0%"].role == "level"


def test_a_level_reached_by_a_rise_is_the_risen_thing() -> None:
    got = _frames("Revenue rose 5% to $3 billion and net income 7% to $300 million.")
    assert got["7%"].measure == "net income" and got["7%"].role == "change"
    assert got["$300 million"].measure == "net income" and got["$300 million"].role == "level"
    assert got["$3 billion"].measure == "revenue"


def test_what_a_comparative_qualifies_is_what_changed() -> None:
    got = _frames("The Nutrition business delivered 17% higher revenues and 20% higher profits.")
    assert got["17%"].measure == "revenue" and got["17%"].direction == "up"
    assert got["20%"].head == "profits" and got["20%"].subject == "Nutrition"


def test_an_expected_or_earlier_value_measures_what_it_is_compared_with() -> None:
    got = _frames(
        "Revenue fell 6% to $3.1 billion, short of the $3.3 billion analysts had expected."
    )
    assert (got["$3.3 billion"].role, got["$3.3 billion"].measure) == ("target", "revenue")
    got = _frames("Adjusted earnings were $2.14 a share, against expectations of $1.97.")
    assert got["$1.97"].measure == "EPS"
    # compared in its own unit: the expected 4% fall is revenue's, like the 6%
    got = _frames("Revenue fell 6% to $3.1 billion, against expectations of a 4% fall.")
    assert (got["4%"].measure, got["4%"].role) == ("revenue", "target")
    # with no earlier number in its unit there is nothing to borrow
    got = _frames("Unemployment was 4.4%, against expectations of 250,000 jobs.")
    assert got["250,000"].measure != "unemployment"


def test_an_opening_scope_names_the_segment() -> None:
    got = _frames("In the cable segment, margins were 10.7%, up from 10.2%.")
    assert got["10.7%"].subject == "cable"
    got = _frames("In Ag Services, operating profit was $50 million, down 10% from the prior year.")
    assert got["$50 million"].subject == "Ag Services" and got["10%"].subject == "Ag Services"
    got = _frames("In the quarter, operating profit was $50 million.")
    assert got["$50 million"].subject == ""
    got = _frames("On a year-to-year basis, operating profit was $50 million.")
    assert got["$50 million"].subject == ""


def test_a_transcript_section_names_the_subject_of_the_next_sentences() -> None:
    text = (
        "Turning to Aflac Japan. Total earned premium for the quarter declined 3.3%. "
        "Net investment income rose 5% to $800 million."
    )
    got = _frames(text)
    assert got["5%"].subject == "Aflac Japan" and got["$800 million"].subject == "Aflac Japan"
    # the whole company is nobody's section; a slide is no business
    got = _frames("Now to our Nutrition segment. Total company revenue rose 8%.")
    assert got["8%"].subject == ""
    got = _frames("Turning to slide 9. Revenue rose 3%.")
    assert got["3%"].subject == ""
    # a section ends after SECTION_SENTENCES sentences
    filler = " ".join(["We made progress."] * SECTION_SENTENCES)
    got = _frames(f"Turning to Aflac Japan. {filler} Revenue rose 3%.")
    assert got["3%"].subject == ""


def test_a_capitalised_measure_is_not_a_name() -> None:
    assert name_runs("Revenues were up") == []
    assert name_runs("Profits at Toyota") == ["Toyota"]


def test_an_earnings_report_s_quarter_is_its_figures_period() -> None:
    from newsbrief.text.article import ArticleText
    from newsbrief.text.frames import reporting_period

    text = (
        "Thank you for joining our second quarter fiscal 2021 results call. "
        "Sales were $404 million and net income was $12 million. "
        "For the full year, we expect sales of $1.6 billion."
    )
    assert reporting_period(text) == "second quarter"
    article = ArticleText(text)
    got = {n.text: article.frame(n) for n in article.numbers}
    assert got["$404 million"].label() == "Sales, second quarter"
    assert got["$12 million"].period == "second quarter"
    assert got["$1.6 billion"].period.lower() == "the full year"  # its own period stands
    # an earnings season or a news article is no report of one quarter
    assert reporting_period("After a strong Q2 earnings season for mega-caps, stocks rose.") == ""
    assert (
        reporting_period("We had an excellent third quarter with record sales.") == "third quarter"
    )


def test_a_level_does_not_take_the_period_it_is_compared_with() -> None:
    got = _frames("Revenue rose 38% from a year earlier to $14.2 billion.")
    assert got["$14.2 billion"].period == "" and got["38%"].period == "year-over-year"
    got = _frames("Last year's revenue was $10.3 billion.")
    assert got["$10.3 billion"].role == "level"


def test_a_currency_s_level_and_its_extremes() -> None:
    got = _frames("The dollar rose as high as 151.24 yen before settling around 151.05.")
    assert got["151.24 yen"].label() == "dollar high"
    assert got["151.05"].label() == "dollar level"
    got = _frames("Sterling fell 0.4% to $1.2980.")
    assert (got["0.4%"].label(), got["$1.2980"].label()) == ("Sterling fall", "Sterling level")
    # the euro zone is no currency
    got = _frames("Euro zone inflation rose to 2.1%.")
    assert got["2.1%"].measure == "inflation"


def test_a_range_s_second_number_is_read_as_its_first() -> None:
    got = _frames("The Fed held its policy range at 3.50%-3.75% on Wednesday.")
    assert got["3.75%"].role == got["3.50%"].role == "level"
    assert got["3.75%"].measure == "interest rate"
