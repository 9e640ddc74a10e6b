"""Table tests for newsbrief.numbers: deterministic parsing of figures in article text."""

from __future__ import annotations

import itertools

import pytest

from newsbrief.text.numbers import NumberMatch, find_numbers, parse_number

NBSP = "\u00a0"
NNBSP = "\u202f"
THIN = "\u2009"
MINUS = "\u2212"
EN_DASH = "\u2013"

Case = tuple[str, float, str]


def _check(text: str, value: float, unit: str) -> None:
    got_value, got_unit = parse_number(text)
    assert got_value == pytest.approx(value, rel=1e-12, abs=0.0)
    assert got_unit == unit


def _triples(text: str) -> list[tuple[str, float, str]]:
    return [(m.text, m.value, m.unit) for m in find_numbers(text)]


# --- plain numbers and thousands separators -------------------------------------------

PLAIN: list[Case] = [
    ("57890", 57890.0, ""),
    ("57,890", 57890.0, ""),
    ("1,234,567.89", 1234567.89, ""),
    ("1,000", 1000.0, ""),
    ("999", 999.0, ""),
    ("0", 0.0, ""),
    ("57.0", 57.0, ""),
    ("0.75", 0.75, ""),
    (".5", 0.5, ""),
    ("3.14159", 3.14159, ""),
    (f"57{NNBSP}890", 57890.0, ""),
    (f"57{NBSP}890", 57890.0, ""),
    (f"57{THIN}890", 57890.0, ""),
    (f"1{NNBSP}234{NNBSP}567", 1234567.0, ""),
    (f"12{NBSP}345.67", 12345.67, ""),
    ("2024", 2024.0, ""),
    ("  42  ", 42.0, ""),
    ("1,000,000,000", 1e9, ""),
]


@pytest.mark.parametrize(("text", "value", "unit"), PLAIN)
def test_plain_numbers(text: str, value: float, unit: str) -> None:
    _check(text, value, unit)


# A comma is a thousands separator only before exactly 3 digits; otherwise it ends the
# number (no decimal commas). A plain space never groups digits.
COMMA_RULE: list[tuple[str, list[str]]] = [
    ("3, 4 and 5", ["3", "4", "5"]),
    ("1,5", []),  # decimal comma: not read at all, rather than misread
    ("12,34", []),
    ("18.234,56 Euro", []),
    ("1,2345", []),  # digit-comma-digit that is not a thousands group: unread
    ("1,234,56", []),
    ("1,234 567", ["1,234", "567"]),
    ("57 890", ["57", "890"]),
    ("Nov. 5, 2024", ["5", "2024"]),
    ("2,5%", []),
    ("up 1,234.", ["1,234"]),
    (f"1,234{NBSP}567", ["1,234", "567"]),
]


@pytest.mark.parametrize(("text", "expected"), COMMA_RULE)
def test_comma_rule(text: str, expected: list[str]) -> None:
    assert [m.text for m in find_numbers(text)] == expected


# --- signs, ranges and hyphens --------------------------------------------------------

SIGNS: list[Case] = [
    ("-2.3%", -2.3, "%"),
    ("+1.2%", 1.2, "%"),
    (f"{MINUS}2.3%", -2.3, "%"),
    (f"{EN_DASH}2.3%", -2.3, "%"),
    ("-5", -5.0, ""),
    ("+5", 5.0, ""),
    ("-.5%", -0.5, "%"),
    ("-$5 million", -5e6, "USD"),
    ("$-5", -5.0, "USD"),
    (f"{MINUS}€3bn", -3e9, "EUR"),
    ("-25bp", -25.0, "bp"),
    ("-1,234.5", -1234.5, ""),
]


@pytest.mark.parametrize(("text", "value", "unit"), SIGNS)
def test_signs(text: str, value: float, unit: str) -> None:
    _check(text, value, unit)


# Ranges and hyphenated words never produce negatives: both ends are reported.
HYPHENS: list[tuple[str, list[Case]]] = [
    ("2-3%", [("2", 2.0, ""), ("3%", 3.0, "%")]),
    (f"2{EN_DASH}3%", [("2", 2.0, ""), ("3%", 3.0, "%")]),
    (f"2 {EN_DASH} 3%", [("2", 2.0, ""), ("3%", 3.0, "%")]),
    (f"2 {EN_DASH}3%", [("2", 2.0, ""), ("3%", 3.0, "%")]),
    ("2 -3", [("2", 2.0, ""), ("3", 3.0, "")]),
    ("2020-2021", [("2020", 2020.0, ""), ("2021", 2021.0, "")]),
    ("Covid-19", [("19", 19.0, "")]),
    ("COVID-19 cases", [("19", 19.0, "")]),
    ("5-year bond", [("5", 5.0, "")]),
    ("1-for-10 split", [("1", 1.0, ""), ("10", 10.0, "")]),
    (f"5{MINUS}3", [("5", 5.0, ""), ("3", 3.0, "")]),
    (f"fell {EN_DASH}2.3% today", [(f"{EN_DASH}2.3%", -2.3, "%")]),
    ("from -1% to +2%", [("-1%", -1.0, "%"), ("+2%", 2.0, "%")]),
    ("$5-$6 billion", [("$5", 5.0, "USD"), ("$6 billion", 6e9, "USD")]),
]


@pytest.mark.parametrize(("text", "expected"), HYPHENS)
def test_ranges_and_hyphens(text: str, expected: list[Case]) -> None:
    assert _triples(text) == expected


# --- percent and percentage points ----------------------------------------------------

PERCENT: list[Case] = [
    ("1.5%", 1.5, "%"),
    ("25.80%", 25.80, "%"),
    ("5 %", 5.0, "%"),
    (f"5{NNBSP}%", 5.0, "%"),
    ("5 percent", 5.0, "%"),
    ("5 Percent", 5.0, "%"),
    ("5 per cent", 5.0, "%"),
    ("5pct", 5.0, "%"),
    ("5 pct", 5.0, "%"),
    ("5-percent", 5.0, "%"),
    ("100%", 100.0, "%"),
    ("0.25%", 0.25, "%"),
    ("2pp", 2.0, "pp"),
    ("2 pp", 2.0, "pp"),
    ("1.5 ppt", 1.5, "pp"),
    ("1.5ppts", 1.5, "pp"),
    ("2 percentage points", 2.0, "pp"),
    ("1 percentage point", 1.0, "pp"),
    ("3-percentage-point", 3.0, "pp"),
    ("-0.4 percentage point", -0.4, "pp"),
]


@pytest.mark.parametrize(("text", "value", "unit"), PERCENT)
def test_percent_and_percentage_points(text: str, value: float, unit: str) -> None:
    _check(text, value, unit)


# --- currencies -----------------------------------------------------------------------

CURRENCIES: list[Case] = [
    ("$5", 5.0, "USD"),
    ("US$5", 5.0, "USD"),
    ("US$ 5", 5.0, "USD"),
    ("€5", 5.0, "EUR"),
    ("£5", 5.0, "GBP"),
    ("¥500", 500.0, "JPY"),
    ("₩1,000", 1000.0, "KRW"),
    ("₹10", 10.0, "INR"),
    ("HK$3.2", 3.2, "HKD"),
    ("A$3.5", 3.5, "AUD"),
    ("C$2", 2.0, "CAD"),
    ("S$1.5", 1.5, "SGD"),
    ("NZ$4", 4.0, "NZD"),
    ("R$5", 5.0, "BRL"),
    ("Rs 500", 500.0, "INR"),
    ("Rs.500", 500.0, "INR"),
    ("USD 5 million", 5e6, "USD"),
    ("USD5m", 5e6, "USD"),
    ("5 million USD", 5e6, "USD"),
    ("EUR 3bn", 3e9, "EUR"),
    ("5 EUR", 5.0, "EUR"),
    ("CHF 12", 12.0, "CHF"),
    ("RMB 3 billion", 3e9, "CNY"),
    ("13.9 trillion yen", 1.39e13, "JPY"),
    ("5 dollars", 5.0, "USD"),
    ("1 dollar", 1.0, "USD"),
    ("5 million U.S. dollars", 5e6, "USD"),
    ("5 million US dollars", 5e6, "USD"),
    ("5 euros", 5.0, "EUR"),
    ("5 euro", 5.0, "EUR"),
    ("5 pounds", 5.0, "GBP"),
    ("5 pounds sterling", 5.0, "GBP"),
    ("3 billion yuan", 3e9, "CNY"),
    ("3 billion renminbi", 3e9, "CNY"),
    ("3 trillion won", 3e12, "KRW"),
    ("500 crore rupees", 5e9, "INR"),
    ("5 Swiss francs", 5.0, "CHF"),
    ("5 Australian dollars", 5.0, "AUD"),
    ("5 Canadian dollars", 5.0, "CAD"),
    ("5 Hong Kong dollars", 5.0, "HKD"),
    ("5€", 5.0, "EUR"),
    ("5 €", 5.0, "EUR"),
    ("5 YEN", 5.0, "JPY"),
]


@pytest.mark.parametrize(("text", "value", "unit"), CURRENCIES)
def test_currencies(text: str, value: float, unit: str) -> None:
    _check(text, value, unit)


# Conservative on ambiguous currency words / codes: leave them out of the expression.
CURRENCY_EDGES: list[tuple[str, list[Case]]] = [
    ("5 francs", [("5", 5.0, "")]),  # could be CFA or other francs: only "Swiss francs"
    ("usd 5", [("5", 5.0, "")]),  # codes are upper case only
    ("5 usd", [("5", 5.0, "")]),
    ("USDA 5", [("5", 5.0, "")]),
    ("try 5 times", [("5", 5.0, "")]),
    ("$5 billion dollars", [("$5 billion", 5e9, "USD")]),  # prefix wins, no second suffix
    ("$5.2 trillion yen", [("$5.2 trillion", 5.2e12, "USD")]),
    ("won 5 games", [("5", 5.0, "")]),
    ("X$5", [("5", 5.0, "")]),  # unknown symbol glued on the left
]


@pytest.mark.parametrize(("text", "expected"), CURRENCY_EDGES)
def test_currency_edges(text: str, expected: list[Case]) -> None:
    assert _triples(text) == expected


# --- scale words ----------------------------------------------------------------------

SCALES: list[Case] = [
    ("$4.9 trillion", 4.9e12, "USD"),
    ("$1.2T", 1.2e12, "USD"),
    ("5 tn", 5e12, ""),
    ("5trn", 5e12, ""),
    ("5 billion", 5e9, ""),
    ("5 BILLION", 5e9, ""),
    ("3.5bn", 3.5e9, ""),
    ("$3b", 3e9, "USD"),
    ("$3B", 3e9, "USD"),
    ("5 Million", 5e6, ""),
    ("5 mn", 5e6, ""),
    ("5 mln", 5e6, ""),
    ("$5m", 5e6, "USD"),
    ("$5M", 5e6, "USD"),
    ("£5.5m", 5.5e6, "GBP"),
    ("5m euros", 5e6, "EUR"),
    ("5 thousand", 5e3, ""),
    ("5k", 5e3, ""),
    ("$50K", 5e4, "USD"),
    ("Rs 500 crore", 5e9, "INR"),
    ("₹10 lakh", 1e6, "INR"),
    ("$5-billion", 5e9, "USD"),
    (f"5{NBSP}million", 5e6, ""),
    ("1,234.5 million", 1.2345e9, ""),
    ("€.5bn", 5e8, "EUR"),
]


@pytest.mark.parametrize(("text", "value", "unit"), SCALES)
def test_scales(text: str, value: float, unit: str) -> None:
    _check(text, value, unit)


# Single-letter scales only attach to money; otherwise the glued letter blocks the number.
SCALE_EDGES: list[tuple[str, list[Case]]] = [
    ("100m sprint", []),
    ("5M", []),
    ("5 m", [("5", 5.0, "")]),
    ("5.5 T", [("5.5", 5.5, "")]),
    ("5t", []),
    ("5 millionaires", [("5", 5.0, "")]),
    ("5bnx", []),
]


@pytest.mark.parametrize(("text", "expected"), SCALE_EDGES)
def test_scale_edges(text: str, expected: list[Case]) -> None:
    assert _triples(text) == expected


# --- multiples, basis points, index points --------------------------------------------

UNITS: list[Case] = [
    ("15x", 15.0, "x"),
    ("15X", 15.0, "x"),
    ("1.5x", 1.5, "x"),
    ("15\u00d7", 15.0, "x"),
    ("25bp", 25.0, "bp"),
    ("25bps", 25.0, "bp"),
    ("25 bps", 25.0, "bp"),
    ("25 basis points", 25.0, "bp"),
    ("1 basis point", 1.0, "bp"),
    ("25 basis-point", 25.0, "bp"),
    ("25-basis-point", 25.0, "bp"),
    ("500 points", 500.0, "points"),
    ("1 point", 1.0, "points"),
    ("500 pts", 500.0, "points"),
    ("312.5-point", 312.5, "points"),
    ("1,234.56 points", 1234.56, "points"),
]


@pytest.mark.parametrize(("text", "value", "unit"), UNITS)
def test_multiples_and_points(text: str, value: float, unit: str) -> None:
    _check(text, value, unit)


# "times" is not a multiple (often a count); "x" must be attached.
MULTIPLE_EDGES: list[tuple[str, list[Case]]] = [
    ("3 times", [("3", 3.0, "")]),
    ("5 x 4", [("5", 5.0, ""), ("4", 4.0, "")]),
    ("15xyz", []),
]


@pytest.mark.parametrize(("text", "expected"), MULTIPLE_EDGES)
def test_multiple_edges(text: str, expected: list[Case]) -> None:
    assert _triples(text) == expected


# --- things that are not figures ------------------------------------------------------

NOT_FIGURES: list[tuple[str, list[str]]] = [
    ("1st", []),
    ("2nd", []),
    ("3rd quarter", []),
    ("the 21st century", []),
    ("Q3", []),
    ("3Q", []),
    ("3Q24", []),
    ("FY2024", []),
    ("H1", []),
    ("1H24", []),
    ("SK2", []),
    ("COVID19", []),
    ("G7", []),
    ("5G", []),
    ("10am", []),
    ("2020s", []),
    ("1.2.3", []),
    ("v2.5", []),
    ("1e5", []),
    ("five", []),
    ("S&P 500", ["500"]),
    ("Nasdaq 100 index", ["100"]),
    ("401(k)", ["401"]),
    ("10-K", ["10"]),
    ("(5)", ["5"]),
]


@pytest.mark.parametrize(("text", "expected"), NOT_FIGURES)
def test_not_figures(text: str, expected: list[str]) -> None:
    assert [m.text for m in find_numbers(text)] == expected


# --- exact float values (scale applied with Decimal arithmetic) -----------------------

EXACT: list[tuple[str, float]] = [
    ("$4.9 trillion", 4.9e12),
    ("$4.35 trillion", 4.35e12),
    ("8.2 million", 8.2e6),
    ("8.2bn", 8.2e9),
    ("13.9 trillion yen", 1.39e13),
    ("0.1 billion", 1e8),
    ("1.1 million", 1.1e6),
    ("$2.3bn", 2.3e9),
    ("0.07 trillion", 7e10),
    ("57,890", 57890.0),
]


@pytest.mark.parametrize(("text", "value"), EXACT)
def test_values_are_exact(text: str, value: float) -> None:
    # Strict equality: in floats 4.35 * 1e12 == 4349999999999.9995 and 8.2 * 1e6 != 8.2e6.
    assert parse_number(text)[0] == value


# --- find_numbers on real text --------------------------------------------------------

PARAGRAPH = (
    "Toyota said net profit rose 25.80% to 4.9 trillion yen in FY2024, while sales hit "
    "$310.5 billion. The Nikkei fell 312.5 points (-0.8%) in Q3; the BOJ raised rates by "
    "25 basis points, its 1st hike since 2007. Shares trade at 15x earnings, down "
    "2.3 percentage points, and 57,890 jobs (about 1,5% of staff) were cut in 2020-2021."
)
PARAGRAPH_EXPECTED: list[Case] = [
    ("25.80%", 25.80, "%"),
    ("4.9 trillion yen", 4.9e12, "JPY"),
    ("$310.5 billion", 3.105e11, "USD"),
    ("312.5 points", 312.5, "points"),
    ("-0.8%", -0.8, "%"),
    ("25 basis points", 25.0, "bp"),
    ("2007", 2007.0, ""),
    ("15x", 15.0, "x"),
    ("2.3 percentage points", 2.3, "pp"),
    ("57,890", 57890.0, ""),
    ("2020", 2020.0, ""),
    ("2021", 2021.0, ""),
]

PARAGRAPH_2 = (
    f"Samsung invested ₩1.2 trillion (US$900m) while HK$3.2bn flowed out; "
    f"EUR 3bn of bonds and 5 million USD in loans. Inflation:{NBSP}{MINUS}0.4%, "
    f"GDP +1.2 per cent, jobless 4.1{NNBSP}%."
)
PARAGRAPH_2_EXPECTED: list[Case] = [
    ("₩1.2 trillion", 1.2e12, "KRW"),
    ("US$900m", 9e8, "USD"),
    ("HK$3.2bn", 3.2e9, "HKD"),
    ("EUR 3bn", 3e9, "EUR"),
    ("5 million USD", 5e6, "USD"),
    (f"{MINUS}0.4%", -0.4, "%"),
    ("+1.2 per cent", 1.2, "%"),
    (f"4.1{NNBSP}%", 4.1, "%"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [(PARAGRAPH, PARAGRAPH_EXPECTED), (PARAGRAPH_2, PARAGRAPH_2_EXPECTED)],
    ids=["toyota", "mixed-currencies"],
)
def test_find_numbers_paragraph(text: str, expected: list[Case]) -> None:
    matches = find_numbers(text)
    assert [(m.text, m.unit) for m in matches] == [(t, u) for t, _, u in expected]
    for match, (_, value, _) in zip(matches, expected, strict=True):
        assert match.value == pytest.approx(value, rel=1e-12, abs=0.0)
        assert text[match.start : match.end] == match.text
    starts = [m.start for m in matches]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in itertools.pairwise(matches))


def test_find_numbers_offsets_and_dataclass() -> None:
    text = "Revenue: $4.9 trillion."
    [m] = find_numbers(text)
    assert m == NumberMatch(start=9, end=22, text="$4.9 trillion", value=4.9e12, unit="USD")
    with pytest.raises(AttributeError):
        m.value = 1.0  # type: ignore[misc]


def test_find_numbers_empty_and_no_numbers() -> None:
    assert find_numbers("") == []
    assert find_numbers("no figures here, just words.") == []


def test_find_numbers_multiline_does_not_join_lines() -> None:
    assert _triples("5\nmillion") == [("5", 5.0, "")]


# --- parse_number rejects anything that is not exactly one number expression ----------

REJECTED = [
    "",
    "   ",
    "about 5",
    "five",
    "5% and 6%",
    "5,",
    "$",
    "%",
    "1st",
    "Q3",
    "5 apples",
    "~5",
    "5-6",
    "rose 5%",
]


@pytest.mark.parametrize("text", REJECTED)
def test_parse_number_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not exactly one number expression"):
        parse_number(text)


def test_parse_number_error_mentions_what_was_found() -> None:
    with pytest.raises(ValueError, match=r"'5%', '6%'"):
        parse_number("5% and 6%")


@pytest.mark.parametrize(
    "text",
    ["It paid $ 500, 000 in fines.", "a fine of 500, 000 dollars", "Sales rose to 1, 250 units."],
)
def test_a_thousands_group_split_by_a_tokenizer_is_not_read_as_two_numbers(text: str) -> None:
    # "$ 500, 000" is 500,000: reading it as 500 (and 0) would be a wrong value
    assert [n.text for n in find_numbers(text)] == []


def test_a_comma_and_space_between_separate_numbers_still_reads_both() -> None:
    assert [n.text for n in find_numbers("in 2019, 100 people")] == ["2019", "100"]
    assert [n.text for n in find_numbers("rose 5%, 300 jobs were added")] == ["5%", "300"]


def test_overlong_digit_runs_are_found_in_one_pass() -> None:
    # With a digit allowed as its own separator the pattern backtracked exponentially: a
    # 200-digit run never finished. Each run is found once, whole.
    from newsbrief.text.numbers import overlong_numbers

    for digits in (41, 60, 200):
        run = "1" + "0" * digits
        assert overlong_numbers(f"turnover of {run} yen, and 12,345 more") == [run]
    assert overlong_numbers("1,000,000,000 and 3.14") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a target range of 3.50%-3.75% on Wednesday", [("3.50%", 3.5, "%"), ("3.75%", 3.75, "%")]),
        (f"growth of 5%{EN_DASH}6% next year", [("5%", 5.0, "%"), ("6%", 6.0, "%")]),
        ("the 2024-2025 season", [("2024", 2024.0, ""), ("2025", 2025.0, "")]),
        ("a ratio of 3x-4x", [("3x", 3.0, "x"), ("4x", 4.0, "x")]),
        ("it moved -3.2% on the day", [("-3.2%", -3.2, "%")]),
        ("from 5% to -2%", [("5%", 5.0, "%"), ("-2%", -2.0, "%")]),
    ],
)
def test_a_dash_between_two_numbers_is_a_range_not_a_minus(text: str, expected: list[Case]) -> None:
    # "3.50%-3.75%" is a range: reading -3.75% would invert the upper bound's sign
    assert _triples(text) == expected
