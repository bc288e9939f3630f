"""A project walked from lead to production under frozen time (issue 9, acceptance 1), and what the shared ladder
does with a late procedure and a missing monthly report (acceptance 2)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from duban.core.errors import NotAllowed, ServiceError
from duban.matters.models import MatterEvent
from duban.projects import services
from duban.projects.choices import ProcedureState, ReportState, Stage
from duban.projects.models import InvestmentReport, Procedure, Project
from duban.supervision.choices import ActionKind
from duban.supervision.models import SupervisionAction
from duban.supervision.sweep import sweep
from tests.projects.conftest import CST, as_actor, at

pytestmark = pytest.mark.django_db


def _procedure(project, code):
    return Procedure.objects.get(project=project, procedure_type__code=code)


def _fresh(project):
    return Project.objects.get(pk=project.pk)


def test_a_project_walks_from_lead_to_production(county, handlers, office, new_project):
    with at("2026-03-02"):
        project = new_project()
        assert project.code.startswith("XM2026-") and project.state == Stage.LEAD and project.lead_on == dt.date(2026, 3, 2)
        procedures = list(project.procedures.order_by("sort"))
        assert [p.name for p in procedures] == ["立项/备案", "土地征收", "土地出让", "供地", "规划许可", "环评", "能评", "施工许可"]
        assert {p.state for p in procedures} == {ProcedureState.PENDING} and {p.light for p in procedures} == {"green"}
        assert _procedure(project, "construction_permit").lead_unit == handlers.building
        services.move_stage(office, project, Stage.NEGOTIATING)
    with at("2026-03-16"):
        services.move_stage(office, project, Stage.SIGNED)
        services.move_stage(office, project, Stage.PREPARING)
        # 前期手续 puts the project on the monthly report: March is due on the 25th.
        march = InvestmentReport.objects.get(project=project, year=2026, month=3)
        assert march.state == ReportState.DUE and march.due_date == dt.date(2026, 3, 25) and march.lead_unit == county.units["transport"]
        with pytest.raises(ServiceError) as refused:
            services.move_stage(office, project, Stage.STARTED)
        assert "不能进入“开工”阶段" in refused.value.message and "施工许可（住建局，未启动）" in refused.value.message
        assert _fresh(project).state == Stage.PREPARING  # refused: nothing changed
        permit = _procedure(project, "construction_permit")
        services.start_procedure(as_actor(handlers.building_liaison), permit, workdays=7)
        permit.refresh_from_db()
        assert permit.state == ProcedureState.IN_PROGRESS and permit.due_date == dt.date(2026, 3, 25)  # 7 working days
        assert permit.light == "green"
    with at("2026-03-23"):
        sweep(dt.datetime(2026, 3, 23, 9, tzinfo=CST))
        permit.refresh_from_db()
        assert permit.light == "yellow"
        assert _fresh(project).light == "yellow"
    with at("2026-03-24"):
        services.submit_report(as_actor(county.people["unit_head"]), InvestmentReport.objects.get(pk=march.pk), completed="800.5",
                               image_progress="场地平整完成")
    with at("2026-03-27"):
        sweep(dt.datetime(2026, 3, 27, 9, tzinfo=CST))
        permit.refresh_from_db()
        assert permit.light == "red" and permit.light_reason == "已逾期（完成时限 2026年3月25日）"
        project = _fresh(project)
        # The project follows its worst procedure, and names the unit holding it.
        assert project.light == "red" and project.light_reason == "施工许可（住建局）已逾期（完成时限 2026年3月25日）"
        for p in Procedure.objects.filter(project=project).exclude(procedure_type__code="construction_permit"):
            if p.procedure_type.code in ("energy", "land_expropriation"):
                services.waive_procedure(office, p, reason="已有工业用地，无需征收" if p.procedure_type.code != "energy" else "年综合能耗低于1000吨标准煤")
            else:
                services.start_procedure(office, p, on=dt.date(2026, 3, 2), workdays=10)
                services.finish_procedure(office, Procedure.objects.get(pk=p.pk), approval_no=f"县{p.name}〔2026〕1号")
        with pytest.raises(ServiceError):
            services.move_stage(office, project, Stage.STARTED)
        services.finish_procedure(as_actor(handlers.building_liaison), Procedure.objects.get(pk=permit.pk), approval_no="建施〔2026〕18号")
        project = _fresh(project)
        assert project.light == "green" and project.light_reason == "正常推进"
        services.move_stage(office, project, Stage.STARTED)
    with at("2026-10-12"):
        services.move_stage(office, _fresh(project), Stage.COMPLETED)
    with at("2026-11-30"):
        services.move_stage(office, _fresh(project), Stage.PRODUCING)
    project = _fresh(project)
    assert (project.lead_on, project.negotiating_on, project.signed_on, project.preparing_on, project.started_on,
            project.completed_stage_on, project.producing_on) == (
        dt.date(2026, 3, 2), dt.date(2026, 3, 2), dt.date(2026, 3, 16), dt.date(2026, 3, 16), dt.date(2026, 3, 27),
        dt.date(2026, 10, 12), dt.date(2026, 11, 30))
    assert project.light == "grey" and project.year_completed == Decimal("800.50")
    moves = MatterEvent.objects.filter(kind="projects.project", matter_id=project.pk, event="moved").count()
    assert moves == 6


def test_a_stage_move_is_only_forward_and_only_for_the_office_or_the_unit(county, handlers, office, new_project):
    with at("2026-03-02"):
        project = new_project()
        services.move_stage(office, project, Stage.SIGNED)  # 线索 → 签约 at the fair: a step may be skipped
        with pytest.raises(ServiceError, match="只能向后推进"):
            services.move_stage(office, _fresh(project), Stage.NEGOTIATING)
        with pytest.raises(NotAllowed):
            services.move_stage(as_actor(county.people["township_liaison"]), _fresh(project), Stage.PREPARING)
        with pytest.raises(ServiceError, match="不能晚于今天"):
            services.move_stage(office, _fresh(project), Stage.PREPARING, on=dt.date(2026, 3, 3))
        assert _fresh(project).state == Stage.SIGNED


def test_a_late_procedure_escalates_to_its_unit_and_the_leader(county, handlers, office, new_project):
    with at("2026-03-02"):
        project = new_project()
        permit = _procedure(project, "construction_permit")
        services.start_procedure(office, permit, workdays=7)  # due 2026-03-11
    sweep(dt.datetime(2026, 3, 31, 9, tzinfo=CST))  # 14 working days past the limit
    actions = SupervisionAction.objects.filter(matter_id=permit.pk, matter_type__model="procedure").order_by("issued_on")
    kinds = [a.kind for a in actions]
    assert kinds[:3] == [ActionKind.REMIND, ActionKind.URGE, ActionKind.NOTICE] and ActionKind.INTERVIEW in kinds
    assert {a.target_unit_id for a in actions if a.kind != ActionKind.INTERVIEW} == {handlers.building.pk}
    interview = next(a for a in actions if a.kind == ActionKind.INTERVIEW)
    assert interview.target_person_id == county.people["leader"].pk
    assert _fresh(project).light == "red"
    # The procedure's page lists what the ladder sent, as every matter's page does.
    client = Client()
    client.force_login(handlers.building_liaison)
    page = client.get(f"/projects/procedures/{permit.code}/").content.decode()
    assert page.count('data-kind="') == len(kinds) and 'data-kind="notice"' in page


def test_a_missing_monthly_report_escalates_to_the_project_unit_and_its_leader(county, handlers, office, new_project):
    with at("2026-04-01"):
        project = new_project(name="城区污水管网改造项目", project_type="infrastructure", stage=Stage.STARTED)
        april = InvestmentReport.objects.get(project=project, year=2026, month=4)
        assert april.due_date == dt.date(2026, 4, 27)  # the 25th is a Saturday: the next working day
    sweep(dt.datetime(2026, 5, 15, 9, tzinfo=CST))
    actions = SupervisionAction.objects.filter(matter_id=april.pk, matter_type__model="investmentreport").order_by("issued_on")
    kinds = [a.kind for a in actions]
    assert kinds[:3] == [ActionKind.REMIND, ActionKind.URGE, ActionKind.NOTICE] and ActionKind.INTERVIEW in kinds
    assert {a.target_unit_id for a in actions if a.kind != ActionKind.INTERVIEW} == {county.units["transport"].pk}
    assert next(a for a in actions if a.kind == ActionKind.INTERVIEW).target_person_id == county.people["leader"].pk
    april.refresh_from_db()
    assert april.light == "red" and april.light_reason == "逾期未报（应于 2026年4月27日前报送）"
    project = _fresh(project)
    assert project.light == "red" and project.light_reason == "4月投资月报（县交通运输局）逾期未报（应于 2026年4月27日前报送）"


def test_reports_open_each_month_for_the_projects_that_invest(county, handlers, office, new_project):
    with at("2026-05-06"):
        started = new_project(stage=Stage.STARTED)
        lead = new_project(name="文旅综合体项目", stage=Stage.NEGOTIATING)
    with at("2026-06-01"):
        assert services.open_reports() == 1
        assert services.open_reports() == 0  # again: nothing new
    assert InvestmentReport.objects.filter(project=started, year=2026, month=6, state=ReportState.DUE).exists()
    assert not InvestmentReport.objects.filter(project=lead).exists()


def test_the_worker_opens_the_month_each_morning(county, handlers, office, new_project):
    from duban.core.jobs import get_job

    with at("2026-05-06"):
        started = new_project(stage=Stage.STARTED)
    said = get_job("projects.open_reports").body(dt.datetime(2026, 6, 1, 0, 10, tzinfo=CST))
    assert said == "本月投资月报进入报送期 1 个项目。"
    june = InvestmentReport.objects.get(project=started, year=2026, month=6)
    assert (june.state, june.due_date) == (ReportState.DUE, dt.date(2026, 6, 25))


def test_a_stopped_project_closes_its_parts_and_nothing_is_chased_after(county, handlers, office, new_project):
    with at("2026-04-01"):
        project = new_project(stage=Stage.STARTED)
        permit = _procedure(project, "construction_permit")
        services.start_procedure(office, permit, workdays=5)
        services.stop_project(office, _fresh(project), reason="投资方撤资")
    project = _fresh(project)
    assert (project.state, project.stopped_on, project.stop_reason, project.light) == (
        Stage.STOPPED, dt.date(2026, 4, 1), "投资方撤资", "grey")
    assert set(Procedure.objects.filter(project=project).values_list("state", flat=True)) == {ProcedureState.WAIVED}
    assert list(InvestmentReport.objects.filter(project=project).values_list("state", flat=True)) == [ReportState.EXEMPT]
    sweep(dt.datetime(2026, 5, 15, 9, tzinfo=CST))
    assert not SupervisionAction.objects.filter(matter_type__app_label="projects").exists()


def test_a_planned_month_opens_even_when_an_earlier_month_is_already_reported(county, handlers, office, new_project):
    with at("2026-05-06"):
        project = new_project(stage=Stage.STARTED)
        services.set_month_plans(office, project, 2026, {6: "500"})
        services.submit_report(office, InvestmentReport.objects.get(project=project, month=5), completed="300")
    with at("2026-06-01"):
        assert services.open_reports() == 1
    june = InvestmentReport.objects.get(project=project, year=2026, month=6)
    assert (june.state, june.planned) == (ReportState.DUE, Decimal("500.00"))
