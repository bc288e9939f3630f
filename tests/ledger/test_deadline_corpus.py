"""完成时限 wordings taken verbatim from published government documents (data/deadline_wordings.csv, each
with its source address) and, apart from them, constructed cases of the kinds issue 13 names
(data/deadline_wordings_constructed.csv): each reads exactly as recorded, or is refused naming the wording
and, where there is one, the likely reading, which is shown and never applied.

The expected column: "due 2025-06-30" (several dates are milestones, comma-separated, the last is due),
"standing", either with " cycle=<code>", or "refused <part of the reason>" with " | <proposed reading>".
"""

import csv
import datetime as dt
from pathlib import Path

import pytest

from duban.ledger.deadlines import DeadlineError, parse_deadline

DATA = Path(__file__).parent / "data"
READINGS = {"date", "rhythm", "standing"}  # categories whose wordings name a date, a rhythm or standing work
TODAY = (3, 4)  # relative wordings ("5个工作日内") count from 4 March of the row's year


def rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


REAL = rows("deadline_wordings.csv")
CONSTRUCTED = rows("deadline_wordings_constructed.csv")


def outcome(text: str, year: int) -> str:
    """What the parser makes of a wording, in the table's compact form."""
    try:
        deadline = parse_deadline(text, year, today=dt.date(year, *TODAY))
    except DeadlineError as refused:
        return f"refused {refused}" + (f" | {refused.proposal}" if refused.proposal else "")
    read = "standing" if deadline.standing else "due " + ",".join(d.isoformat() for d in deadline.milestones)
    return read + (f" cycle={deadline.report_cycle}" if deadline.report_cycle else "")


def reads_as_recorded(row: dict) -> bool:
    got, expected = outcome(row["wording"], int(row["year"])), row["expected"]
    if not expected.startswith("refused "):
        return got == expected
    reason, _, proposal = expected.removeprefix("refused ").partition(" | ")
    message, _, proposed = got.removeprefix("refused ").partition(" | ")
    return (
        got.startswith("refused ") and f"完成时限“{row['wording'].strip()}”" in message and reason in message
        and proposed == proposal and (not proposal or f"是否指“{proposal}”？" in message)
    )


@pytest.mark.django_db  # "5个工作日内" reads the holiday table
@pytest.mark.parametrize("row", REAL, ids=[r["wording"] for r in REAL])
def test_a_real_wording_reads_as_recorded(row):
    assert reads_as_recorded(row), (row["expected"], outcome(row["wording"], int(row["year"])))


@pytest.mark.django_db
def test_at_least_95_percent_of_the_real_dates_and_rhythms_are_read():
    measured = [r for r in REAL if r["category"] in READINGS]
    read = [r for r in measured if not r["expected"].startswith("refused ") and reads_as_recorded(r)]
    assert len(read) / len(measured) >= 0.95, f"{len(read)} of {len(measured)}"


@pytest.mark.parametrize("row", CONSTRUCTED, ids=[r["wording"] for r in CONSTRUCTED])
def test_a_constructed_wording_reads_as_expected(row):
    assert reads_as_recorded(row), (row["expected"], outcome(row["wording"], int(row["year"])))


def test_every_real_wording_names_its_source_once():
    assert len({r["wording"] for r in REAL}) == len(REAL)
    assert not {r["wording"] for r in REAL} & {r["wording"] for r in CONSTRUCTED}
    for row in REAL:
        assert row["source_url"].startswith(("http://", "https://")) and row["title"], row["wording"]
        assert row["category"] in READINGS | {"ambiguous", "status", "none"}, row["wording"]


def test_a_proposal_is_shown_and_never_applied():
    with pytest.raises(DeadlineError) as refused:
        parse_deadline("20251月20日", 2025)
    assert str(refused.value) == (
        "无法识别完成时限“20251月20日”，是否指“2025年1月20日”？如是，请照此改正后重新提交（系统不会自动改动）"
    )
    assert refused.value.proposal == "2025年1月20日"
