"""Outcomes from the appeals desk, the hazard ledger and the project ledger."""

import datetime as dt
from decimal import Decimal

from duban.appeals import services as appeals
from duban.appeals.models import Appeal
from duban.core.actor import Actor
from duban.safety import services as safety
from duban.scoring import collect, scores
from duban.scoring.models import ScoreEvent
from duban.scoring.periods import parse
from tests.appeals.conftest import credit_code
from tests.projects.conftest import handlers  # noqa: F401  the units that handle procedures
from tests.safety.conftest import assign, gas, grid_worker, photo, report  # noqa: F401  fixtures of the hazard ledger
from tests.scoring.conftest import actor, at


def test_an_appeal_sent_back_then_rated_unsatisfied_and_a_repeat(county, rules):
    desk = actor(county.people["business"])
    u = county.units

    def submit():
        return appeals.submit_appeal(Actor.system("企业（网上）"),
                                     enterprise_name="某某新材料有限公司", credit_code=credit_code(1), contact_name="马经理",
                                     phone="13900001111", category="utilities",
                                     description="厂区新建车间用电增容申请已提交两个月，至今未安排勘察。").appeal

    with at("2026-11-02"):
        appeal = submit()
        appeals.accept_appeal(desk, appeal)
        appeals.dispatch_appeal(desk, Appeal.objects.get(pk=appeal.pk), lead_unit=u["ndrc"])
    with at("2026-11-03"):
        appeals.send_back_appeal(actor(county.people["liaison"]), Appeal.objects.get(pk=appeal.pk), reason="用电增容属供电公司和城关镇协调")
        appeals.dispatch_appeal(desk, Appeal.objects.get(pk=appeal.pk), lead_unit=u["chengguan"])
    with at("2026-11-05"):  # dispatched on the 3rd: to be signed for by the 4th
        appeals.sign_appeal(actor(county.people["township_liaison"]), Appeal.objects.get(pk=appeal.pk))
        appeals.reply_appeal(actor(county.people["township_liaison"]), Appeal.objects.get(pk=appeal.pk),
                             public_text="已协调供电公司本月内勘察", outcome="partly")
    with at("2026-11-06"):
        appeals.rate_appeal(desk, Appeal.objects.get(pk=appeal.pk), rating="unsatisfied", comment="仍未安排勘察")
    with at("2026-11-09"):  # 重办, answered again, satisfied: closed by 城关镇
        appeals.reply_appeal(actor(county.people["township_liaison"]), Appeal.objects.get(pk=appeal.pk),
                             public_text="供电公司已完成勘察并排期施工", outcome="resolved")
        appeals.rate_appeal(desk, Appeal.objects.get(pk=appeal.pk), rating="satisfied")
    with at("2026-11-16"):  # the same enterprise, the same category, within 90 days: a repeat against 城关镇
        repeat = submit()
    with at("2026-12-01"):
        collect.collect(parse("2026-11"))
    assert repeat.repeat_of_id == appeal.pk
    found = list(ScoreEvent.objects.order_by("occurred_on", "id").values_list("unit__name", "outcome", "occurred_on", "source_code"))
    assert found == [
        ("县发展和改革局", "send_back", dt.date(2026, 11, 3), appeal.code),
        ("城关镇", "late_sign", dt.date(2026, 11, 5), appeal.code),
        ("城关镇", "unsatisfied_appeal", dt.date(2026, 11, 6), appeal.code),
        ("城关镇", "repeat_appeal", dt.date(2026, 11, 16), repeat.code),
    ]
    # No rule for send-backs and unsatisfied appeals in these versions: they are shown, and score nothing.
    with at("2026-12-01"):
        row = scores.compute("2026-11").row(u["chengguan"].pk)
    assert row.score == Decimal("99.00")  # 第1版 超时签收 -1
    assert row.points[1].url == f"/appeals/{appeal.code}/"


def test_a_recurring_hazard_counts_against_the_unit_that_struck_it_off(county, rules, report, assign):  # noqa: F811
    with at("2026-09-01"):
        first = report(place="城关镇 南街12号，宏达餐馆后厨")
        assign(first, due_date=dt.date(2026, 9, 20))
        first.refresh_from_db()
        safety.request_verification(actor(county.people["township_liaison"]), first, result="已整改", photos=[photo()])
        first.refresh_from_db()
        safety.verify_hazard(actor(county.people["safety"]), first)
    with at("2026-11-10"):
        again = report()
    with at("2026-12-01"):
        collect.collect(parse("2026-11"))
    event = ScoreEvent.objects.get(outcome="hazard_recurrence")
    assert (event.unit, event.occurred_on, event.source_id) == (county.units["chengguan"], dt.date(2026, 11, 10), again.pk)
    assert event.text.endswith(f"{first.code} 销号后复发")


def test_a_project_procedure_past_its_limit_counts_against_the_unit_handling_it(county, rules, handlers, settings):
    from duban.projects import services as projects
    from duban.projects.models import Procedure

    settings.DUBAN_PROJECTS_OFFICE_UNIT = "县发展和改革局"
    office = actor(county.people["liaison"])  # 县发改局: the project office
    assert collect.LATE_KINDS["projects.procedure"] == "late_procedure"
    with at("2026-11-02"):
        project = projects.create_project(office, name="年产10万吨新型建材项目", lead_unit=county.units["transport"],
                                          project_type="industrial")
        permit = Procedure.objects.get(project=project, procedure_type__code="construction_permit")
        projects.start_procedure(office, permit, workdays=5)  # limit 2026-11-09, never finished
        done = Procedure.objects.get(project=project, procedure_type__code="planning")
        projects.start_procedure(office, done, workdays=5)
        projects.finish_procedure(office, Procedure.objects.get(pk=done.pk))  # on time: nothing counted
    with at("2026-12-01"):
        assert collect.collect(parse("2026-11")) == 1
    event = ScoreEvent.objects.get()
    assert (event.outcome, event.unit, event.occurred_on, event.source_code) == (
        "late_procedure", handlers.building, dt.date(2026, 11, 10), permit.code)


def test_an_interview_proposal_counts_for_the_unit_it_is_addressed_to(county, november):
    from duban.supervision import services as supervision

    with at("2026-11-23"):
        action = supervision.issue_action(actor(county.people["supervision"]), november["a"], kind="interview", text="建议约谈分管领导")
    with at("2026-12-01"):
        collect.collect(parse("2026-11"))
    event = ScoreEvent.objects.get(outcome="interview")
    assert (event.unit, event.occurred_on, event.action, event.source_code) == (
        county.units["transport"], dt.date(2026, 11, 23), action, november["a"].code)
    with at("2026-12-01"):
        point = scores.compute("2026-11").row(county.units["transport"].pk).points[-1]
    assert (point.outcome, point.ruleset, point.counted) == ("interview", 2, "0.00")  # 第2版 has no rule for it


def test_a_task_paused_before_its_due_date_is_not_overdue(county, november):
    from duban.ledger import services as ledger

    with at("2026-11-30"):
        d = november["d"]
        d.refresh_from_db()
        ledger.pause_clock(actor(county.people["supervision"]), d, reason="等待省级批复")
    with at("2026-12-04"):
        collect.collect(parse("2026-12"))
    assert not ScoreEvent.objects.filter(outcome="overdue_task", source_id=november["d"].pk).exists()
