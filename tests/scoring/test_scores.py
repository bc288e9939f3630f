"""Scores of the fixed November (tests/scoring/conftest.py) equal the hand computation, under two versions."""

from decimal import Decimal

from duban.scoring import collect, scores
from duban.scoring.models import ScoreEvent
from duban.scoring.periods import parse
from tests.scoring.conftest import at

NOVEMBER = parse("2026-11")


def by_outcome(row):
    return [(p.occurred_on, p.outcome, p.ruleset, p.rule_points, p.counted) for p in row.points]


def test_november_equals_the_hand_computation_under_both_versions(county, november):
    with at("2026-12-01"):
        assert collect.collect(NOVEMBER) == 11
        board = scores.compute(NOVEMBER)
    transport, ndrc = board.row(county.units["transport"].pk), board.row(county.units["ndrc"].pk)
    assert by_outcome(transport) == [
        ("2026-11-04", "returned_verification", 1, "-1.00", "-1.00"),
        ("2026-11-05", "late_sign", 1, "-1.00", "-1.00"),
        ("2026-11-11", "overdue_task", 1, "-3.00", "-3.00"),
        ("2026-11-11", "notice_received", 1, "-2.00", "-2.00"),
        ("2026-11-12", "notice_received", 1, "-2.00", "-1.00"),  # 第1版's cap of 3 reached
        ("2026-11-14", "unanswered_notice", 1, "-2.00", "-2.00"),
        ("2026-11-17", "notice_received", 2, "-2.00", "-2.00"),  # 第2版: its own rule, its own cap
    ]
    assert transport.score == Decimal("88.00")
    assert transport.points[4].note == "已达本期上限3.00分"
    assert by_outcome(ndrc) == [
        ("2026-11-18", "early_completion", 2, "1.00", "1.00"),
        ("2026-11-18", "quality_excellent", 2, "2.00", "2.00"),
        ("2026-11-20", "praise", 2, "3.00", "3.00"),
    ]
    assert ndrc.score == Decimal("106.00")
    assert [(r.unit_name, r.score, r.rank) for r in board.category("department")] == [
        ("县发展和改革局", Decimal("106.00"), 1), ("县交通运输局", Decimal("88.00"), 2)]
    assert [(r.unit_name, r.score, r.rank) for r in board.category("township")] == [
        ("河口镇", Decimal("100.00"), 1), ("城关镇", Decimal("95.00"), 2)]
    # Offices, leadership and sub-units are not ranked: only the four ranked units have rows.
    assert len(board.rows) == 4


def test_every_point_shows_its_event_and_matter(county, november):
    with at("2026-12-01"):
        collect.collect(NOVEMBER)
        board = scores.compute(NOVEMBER)
    a, c = november["a"], november["c"]
    points = {p.outcome + p.occurred_on: p for p in board.row(county.units["transport"].pk).points}
    late_sign = ScoreEvent.objects.get(pk=points["late_sign2026-11-05"].event_id)
    assert late_sign.matter_event.event == "signed" and late_sign.matter_event.matter_id == a.pk
    assert points["late_sign2026-11-05"].url == f"/ledger/tasks/{a.code}/"
    assert points["late_sign2026-11-05"].text == f"{a.code}：11月02日送达，应于11月03日前签收，11月05日签收"
    returned = ScoreEvent.objects.get(pk=points["returned_verification2026-11-04"].event_id)
    assert returned.matter_event.event == "returned" and returned.source_code == c.code
    assert returned.unit == county.units["transport_office"]  # the section's outcome, counted for its unit
    notice = ScoreEvent.objects.get(pk=points["notice_received2026-11-11"].event_id)
    assert notice.action == november["n1"] and notice.source_kind == "ledger.task" and notice.source_id == a.pk
    assert points["notice_received2026-11-11"].action_url == f"/supervision/actions/{november['n1'].pk}/"
    unanswered = ScoreEvent.objects.get(pk=points["unanswered_notice2026-11-14"].event_id)
    assert unanswered.action == november["n1"]
    overdue = points["overdue_task2026-11-11"]
    assert overdue.source_code == a.code and overdue.url == f"/ledger/tasks/{a.code}/"
    assert "完成时限2026年11月10日，逾期未完成" in overdue.text


def test_collecting_again_adds_nothing_and_computing_again_gives_the_same(county, november):
    with at("2026-12-01"):
        collect.collect(NOVEMBER)
        first = scores.compute(NOVEMBER)
        assert collect.collect(NOVEMBER) == 0
        again = scores.compute(NOVEMBER)
    assert [(r.unit_id, r.score, r.rank, by_outcome(r)) for r in first.rows] == [(r.unit_id, r.score, r.rank, by_outcome(r)) for r in again.rows]


def test_the_year_counts_december_under_the_second_version(county, november):
    with at("2026-12-04"):
        collect.collect(parse("2026"))
        year = scores.compute("2026")
    ndrc = year.row(county.units["ndrc"].pk)
    assert ndrc.points[-1].outcome == "overdue_task" and ndrc.points[-1].occurred_on == "2026-12-02"
    assert ndrc.points[-1].counted == "-5.00"
    assert ndrc.score == Decimal("101.00")
    assert year.row(county.units["transport"].pk).score == Decimal("88.00")


def test_an_outcome_before_any_version_scores_nothing_and_says_so(county, rules):
    from duban.scoring.models import RuleSet

    RuleSet.objects.filter(number=1).update(valid_from="2026-11-10")
    with at("2026-11-05"):
        from duban.scoring import services
        from tests.scoring.conftest import actor

        services.give_praise(actor(county.people["principal"]), unit=county.units["ndrc"], text="汛期值守到位")
        collect.collect(NOVEMBER)
        row = scores.compute(NOVEMBER).row(county.units["ndrc"].pk)
    assert row.score == Decimal("100.00")
    assert (row.points[0].ruleset, row.points[0].counted, row.points[0].note) == (None, "0.00", "本期适用的考核细则未设此项，不计分")
