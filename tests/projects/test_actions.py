"""The pages that change the project ledger, through HTTP: each form as the role that may take it (the change is
made) and as one that may not (refused: the transition's "why not" is shown and nothing changed).

Given, on Monday 2 March 2026: the project office (县发改局 联络员) and a county key project of 县交通运输局 (its
head 周局长), followed by 李副县长, with the procedures of an industrial project, each with its usual unit."""

import datetime as dt
from decimal import Decimal

import pytest

from duban.core.models import Attachment
from duban.ledger.models import Campaign
from duban.projects import services
from duban.projects.choices import ProcedureState, ReportState, Stage
from duban.projects.models import InvestmentReport, Procedure, ProcedureType, Project, ProjectProblem, ReportPhoto
from tests import kit
from tests.projects.conftest import as_actor, at
from tests.safety.conftest import photo

pytestmark = pytest.mark.django_db

TABLES = kit.tables_for("projects")


def fresh(matter):
    return type(matter).objects.get(pk=matter.pk)


def _procedure(project, code):
    return Procedure.objects.get(project=project, procedure_type__code=code)


def post(client, url, data):
    return client.post(url, data)


def refused_page(response, text, status=403):
    body = response.content.decode()
    assert response.status_code == status, body[:2000]
    assert 'data-testid="refusal"' in body and text in body, body[:4000]
    return body


@pytest.fixture
def project(new_project):
    with at("2026-03-02"):
        return new_project()


# --- 录入项目 ---------------------------------------------------------------------------------------------

ENTERED = {"name": "年产5万吨铝型材项目", "investor": "某某铝业有限公司", "investor_credit_code": "91610000MA6T00000B",
           "contact_name": "刘总", "contact_phone": "13800002222", "industry": "materials", "project_type": "industrial",
           "level": "city", "location": "县工业园区", "content": "建设厂房3万平方米及挤压生产线6条", "total_investment": "35000",
           "annual_plan": "8000", "stage": "signed", "stage_on": "2026-02-20"}


def test_the_office_enters_a_project_with_its_procedures(county, handlers):
    client = county.client("liaison")
    with at("2026-03-02"):
        done = post(client, "/projects/new/", {**ENTERED, "lead_unit": county.units["transport"].pk,
                                               "leader_in_charge": county.people["leader"].pk, "township": county.units["chengguan"].pk})
    project = Project.objects.get(name="年产5万吨铝型材项目")
    assert done.status_code == 302 and done["Location"] == f"/projects/{project.code}/"
    assert (project.state, project.signed_on, project.level, project.total_investment, project.annual_plan) == (
        Stage.SIGNED, dt.date(2026, 2, 20), "city", Decimal("35000.00"), Decimal("8000.00"))
    assert (project.lead_unit, project.leader_in_charge, project.township) == (
        county.units["transport"], county.people["leader"], county.units["chengguan"])
    assert project.procedures.count() == 8


def test_a_unit_may_not_enter_a_project_and_a_wrong_date_is_said_on_its_field(county, handlers):
    values = {**ENTERED, "lead_unit": county.units["transport"].pk}
    with at("2026-03-02"):
        head = county.client("unit_head")
        assert head.get("/projects/new/").status_code == 403
        assert post(head, "/projects/new/", values).status_code == 403
        late = post(county.client("liaison"), "/projects/new/", {**values, "stage_on": "2026-03-09"})
    assert late.status_code == 200 and 'data-testid="error-stage_on"' in late.content.decode()
    assert "阶段日期不能晚于今天。" in late.content.decode()
    assert not Project.objects.exists()


# --- the project's actions ----------------------------------------------------------------------------------


def test_the_office_edits_a_project_and_its_unit_is_told_why_not(county, project):
    url = f"/projects/{project.code}/edit/"
    head = county.client("unit_head")
    with at("2026-03-03"):
        refused_page(head.get(url), "只有县重点项目办可以办理。")
        before = fresh(project)
        refused_page(post(head, url, {"version": project.version, "name": "改名", "industry": "materials", "project_type": "industrial",
                                      "level": "county", "total_investment": "1", "lead_unit": county.units["transport"].pk}),
                     "您无权对项目 %s 修改项目" % project.code)
        assert fresh(project).name == before.name and fresh(project).version == before.version
        form = county.client("liaison").get(url).content.decode()
        assert 'value="年产10万吨新型建材项目"' in form and f'name="version" value="{project.version}"' in form
        done = post(county.client("liaison"), url, {
            "version": project.version, "name": "年产12万吨新型建材项目", "investor": project.investor, "industry": "materials",
            "project_type": "industrial", "level": "province", "total_investment": "60000", "annual_plan": "15000",
            "lead_unit": county.units["transport"].pk, "leader_in_charge": county.people["leader"].pk})
    assert done.status_code == 302
    edited = fresh(project)
    assert (edited.name, edited.level, edited.total_investment, edited.version) == ("年产12万吨新型建材项目", "province", Decimal("60000.00"),
                                                                                   project.version + 1)
    assert _procedure(edited, "construction_permit").title == "年产12万吨新型建材项目 施工许可"


def test_a_stage_move_is_refused_while_a_procedure_is_open_naming_it_and_its_unit(county, handlers, project, office):
    url = f"/projects/{project.code}/move/"
    unit = county.client("unit_head")  # the project's unit may move it
    with at("2026-03-03"):
        moved = post(unit, url, {"version": project.version, "stage": "preparing", "note": "签约后进入前期"})
        assert moved.status_code == 302
        project = fresh(project)
        assert (project.state, project.preparing_on) == (Stage.PREPARING, dt.date(2026, 3, 3))
        before = kit.footprint(TABLES, project)
        refused = post(unit, url, {"version": project.version, "stage": "started"})
        body = refused.content.decode()
        assert refused.status_code == 200 and 'data-testid="error-stage"' in body
        assert "不能进入“开工”阶段" in body and "施工许可（住建局，未启动）" in body and "土地征收（自然资源局，未启动）" in body
        kit.assert_unchanged(before, kit.footprint(TABLES, project), "a refused move")
    # The leader in charge follows the project but does not move it: told why.
    refused_page(county.client("leader").get(url), "只有县重点项目办或项目责任单位的联络员、一把手可以推进项目阶段。")
    assert fresh(project).state == Stage.PREPARING


def test_a_move_from_an_old_page_is_refused_as_a_conflict(county, project):
    url = f"/projects/{project.code}/move/"
    with at("2026-03-03"):
        services.move_stage(as_actor(county.people["liaison"]), fresh(project), Stage.NEGOTIATING)
        stale = post(county.client("liaison"), url, {"version": project.version, "stage": "signed"})
    assert stale.status_code == 409 and "刚被他人修改过" in stale.content.decode()
    assert fresh(project).state == Stage.NEGOTIATING


def test_the_office_stops_a_project_and_the_unit_may_not(county, project):
    url = f"/projects/{project.code}/stop/"
    with at("2026-03-05"):
        refused_page(post(county.client("unit_head"), url, {"version": project.version, "reason": "投资方撤回"}), "只有县重点项目办可以办理。")
        assert fresh(project).state == Stage.LEAD
        empty = post(county.client("liaison"), url, {"version": project.version, "reason": ""})
        assert empty.status_code == 200 and 'data-testid="error-reason"' in empty.content.decode()
        done = post(county.client("liaison"), url, {"version": project.version, "reason": "投资方撤回"})
    assert done.status_code == 302
    stopped = fresh(project)
    assert (stopped.state, stopped.stop_reason, stopped.stopped_on) == (Stage.STOPPED, "投资方撤回", dt.date(2026, 3, 5))
    assert not Procedure.objects.filter(project=project, state__in=[ProcedureState.PENDING, ProcedureState.IN_PROGRESS]).exists()
    # A stopped project is moved no more: the page says what is allowed now.
    body = county.client("liaison").get(f"/projects/{project.code}/move/")
    assert body.status_code == 200 and "不能推进阶段" in body.content.decode()


def test_a_problem_becomes_an_appeal_with_the_project_contact_by_default(county, project):
    url = f"/projects/{project.code}/raise-problem/"
    head = county.client("unit_head")
    with at("2026-03-04"):
        form = head.get(url).content.decode()
        assert 'value="张经理"' in form and 'value="13900001111"' in form
        done = post(head, url, {"version": project.version, "title": "施工用电未接入", "detail": "需新建10千伏线路", "route": "appeal",
                                "category": "utilities", "contact_name": "张经理", "contact_phone": "13900001111"})
    assert done.status_code == 302
    problem = ProjectProblem.objects.get(project=project)
    assert problem.appeal is not None and problem.task is None and problem.appeal.category == "utilities"
    assert "施工用电未接入" in problem.appeal.description and problem.appeal.phone == "13900001111"


def test_a_problem_becomes_a_key_work_task_on_an_active_campaign(county, project):
    campaign = Campaign.objects.create(name="2026年项目攻坚行动", year=2026)
    url = f"/projects/{project.code}/raise-problem/"
    office = county.client("supervision")  # a task is opened by whoever opens key-work tasks (县督查室)
    with at("2026-03-04"):
        missing = post(office, url, {"version": project.version, "title": "征地补偿未到位", "route": "task"})
        assert missing.status_code == 200 and "转重点工作任务须选择一个进行中的专项行动。" in missing.content.decode()
        assert not ProjectProblem.objects.exists()
        done = post(office, url, {"version": project.version, "title": "征地补偿未到位", "route": "task", "campaign": campaign.pk,
                                  "lead_unit": county.units["chengguan"].pk, "due_date": "2026-04-30"})
    assert done.status_code == 302
    task = ProjectProblem.objects.get(project=project).task
    assert (task.campaign, task.lead_unit, task.due_date) == (campaign, county.units["chengguan"], dt.date(2026, 4, 30))


def test_a_problem_from_someone_without_a_part_in_the_project_is_refused(county, handlers, project):
    land = handlers_client(handlers.land_liaison)  # sees the project (it handles its land) but has no part in it
    with at("2026-03-04"):
        refused_page(post(land, f"/projects/{project.code}/raise-problem/",
                          {"version": project.version, "title": "x", "route": "appeal"}),
                     "项目责任单位、包抓领导或县重点项目办可以提出项目问题。")
    assert not ProjectProblem.objects.exists() and fresh(project).version == project.version


def test_the_office_adds_a_procedure_the_template_does_not_list(county, handlers, project):
    kind = ProcedureType.objects.create(code="soil", name="水土保持方案", workdays=15, sort=90, default_unit=handlers.land)
    url = f"/projects/{project.code}/add-procedure/"
    with at("2026-03-04"):
        refused_page(county.client("unit_head").get(url), "只有县重点项目办可以增加项目手续")
        form = county.client("liaison").get(url).content.decode()
        assert "水土保持方案" in form and ">施工许可<" not in form  # listed already
        done = post(county.client("liaison"), url, {"procedure_type": kind.pk, "workdays": "12"})
    assert done.status_code == 302
    added = Procedure.objects.get(project=project, procedure_type=kind)
    assert (added.state, added.workdays, added.lead_unit) == (ProcedureState.PENDING, 12, handlers.land)


def test_the_project_unit_enters_the_months_planned_investment(county, project):
    url = f"/projects/{project.code}/month-plans/"
    with at("2026-03-04"):
        refused_page(county.client("leader").get(url), "只有县重点项目办或项目责任单位可以填报月度计划投资。")
        done = post(county.client("unit_head"), url, {"year": "2026", "plan_4": "1000", "plan_5": "1500.5"})
        assert done.status_code == 302
        again = county.client("unit_head").get(url).content.decode()
    plans = dict(InvestmentReport.objects.filter(project=project).values_list("month", "planned"))
    assert plans == {m: None for m in range(1, 13)} | {4: Decimal("1000.00"), 5: Decimal("1500.50")}
    assert 'name="plan_5" value="1500.50"' in again


# --- procedures ------------------------------------------------------------------------------------------


def test_a_procedure_is_started_and_finished_by_its_unit(county, handlers, project):
    permit = _procedure(project, "construction_permit")
    with at("2026-03-04"):
        building = handlers_client(handlers.building_liaison)
        assert building.get(f"/projects/procedures/{permit.code}/start/").status_code == 200
        started = post(building, f"/projects/procedures/{permit.code}/start/",
                       {"version": permit.version, "lead_unit": handlers.building.pk, "on": "2026-03-03", "workdays": "7"})
        assert started.status_code == 302
        permit = fresh(permit)
        assert (permit.state, permit.start_date, permit.due_date) == (ProcedureState.IN_PROGRESS, dt.date(2026, 3, 3), dt.date(2026, 3, 12))
        page = building.get(f"/projects/procedures/{permit.code}/").content.decode()
        assert "2026-03-12 前办结" in page and "还剩 6 个工作日" in page and "县住房和城乡建设局" in page
        assert f'/projects/procedures/{permit.code}/finish/' in page and f'/projects/procedures/{permit.code}/waive/' not in page
    with at("2026-03-10"):
        building = handlers_client(handlers.building_liaison)  # signed in again: a session idle for days has ended
        done = post(building, f"/projects/procedures/{permit.code}/finish/", {"version": permit.version, "approval_no": "建施〔2026〕18号"})
        assert done.status_code == 302 and done["Location"] == f"/projects/procedures/{permit.code}/"
        page = county.client("unit_head").get(f"/projects/procedures/{permit.code}/").content.decode()  # the project's unit sees it
    permit = fresh(permit)
    assert (permit.state, permit.approval_no, permit.completed_on) == (ProcedureState.DONE, "建施〔2026〕18号", dt.date(2026, 3, 10))
    assert "建施〔2026〕18号" in page and "已办结" in page


def handlers_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_only_the_office_waives_or_extends_a_procedure(county, handlers, project):
    permit = _procedure(project, "construction_permit")
    building = handlers_client(handlers.building_liaison)
    office = county.client("liaison")
    with at("2026-03-04"):
        services.start_procedure(as_actor(handlers.building_liaison), permit, workdays=7)
        permit = fresh(permit)
        refused_page(post(building, f"/projects/procedures/{permit.code}/extend/",
                          {"version": permit.version, "due_date": "2026-04-30", "reason": "公示期"}),
                     "只有县重点项目办可以调整手续办理时限。")
        refused_page(building.get(f"/projects/procedures/{permit.code}/waive/"), "只有县重点项目办可以确认手续无需办理。")
        assert fresh(permit).due_date == dt.date(2026, 3, 13)
        extended = post(office, f"/projects/procedures/{permit.code}/extend/", {"version": permit.version, "due_date": "2026-04-30",
                                                                                 "reason": "规划公示期30天"})
        assert extended.status_code == 302 and fresh(permit).due_date == dt.date(2026, 4, 30)
        energy = _procedure(project, "energy")
        waived = post(office, f"/projects/procedures/{energy.code}/waive/", {"version": energy.version, "reason": "年综合能耗低于1000吨标准煤"})
    assert waived.status_code == 302
    assert (fresh(energy).state, fresh(energy).note) == (ProcedureState.WAIVED, "年综合能耗低于1000吨标准煤")


def test_a_unit_lands_on_the_procedures_it_handles_late_first(county, handlers, new_project):
    with at("2026-03-02"):
        first, second = new_project(), new_project(name="城区供热管网项目", project_type="infrastructure")
        for project, days in ((first, 20), (second, 3)):
            services.start_procedure(as_actor(handlers.land_liaison), _procedure(project, "planning"), workdays=days)
    with at("2026-03-09"):
        page = handlers_client(handlers.land_liaison).get("/projects/procedures/").content.decode()
    assert "本单位办理的手续" in page
    rows = page.split('data-testid="procedure-row"')[1:]
    assert len(rows) == 9  # 自然资源局's procedures of the two projects (5 + 4), none of the others'
    assert "城区供热管网项目" in rows[0] and "规划许可" in rows[0] and "年产10万吨新型建材项目" in rows[1]  # the late one first


# --- monthly reports --------------------------------------------------------------------------------------


@pytest.fixture
def march(county, new_project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with at("2026-03-02"):
        project = new_project(stage=Stage.STARTED)
    return InvestmentReport.objects.get(project=project, year=2026, month=3)


def test_the_unit_submits_its_report_with_a_real_photo(county, march):
    url = f"/projects/reports/{march.code}/submit/"
    with at("2026-03-20"):
        head = county.client("unit_head")
        form = head.get(url).content.decode()
        assert 'enctype="multipart/form-data"' in form and 'multiple' in form
        done = post(head, url, {"version": march.version, "completed": "800.5", "image_progress": "场地平整完成，桩基施工过半",
                                "photos": [photo("工地.jpg"), photo("桩基.png", fmt="PNG")]})
        assert done.status_code == 302
        report = fresh(march)
        photos = list(ReportPhoto.objects.filter(report=report))
        page = head.get(f"/projects/reports/{report.code}/").content.decode()
        download = head.get(f"/attachments/{photos[0].attachment_id}/")
        stranger = county.client("township_liaison").get(f"/attachments/{photos[0].attachment_id}/")
    assert (report.state, report.completed, report.year_to_date, report.cumulative) == (
        ReportState.SUBMITTED, Decimal("800.50"), Decimal("800.50"), Decimal("800.50"))
    assert [(p.width, p.height) for p in photos] == [(64, 48), (64, 48)]
    assert "场地平整完成，桩基施工过半" in page and page.count('data-testid="photo"') == 2 and "6.7%" in page  # 800.5 / 12000
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert stranger.status_code == 404  # the scoped download: 城关镇 does not see the report


def test_a_fake_photo_is_refused_by_its_content_and_nothing_is_kept(county, march):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("现场.jpg", b"%PDF-1.4 not a photo at all", content_type="image/jpeg")
    with at("2026-03-20"):
        head = county.client("unit_head")
        before = kit.footprint(TABLES, march)
        refused = post(head, f"/projects/reports/{march.code}/submit/",
                       {"version": march.version, "completed": "800", "photos": [fake]})
    body = refused.content.decode()
    assert refused.status_code == 200 and 'data-testid="error-photos"' in body and "“现场.jpg”不是可识别的照片" in body
    kit.assert_unchanged(before, kit.footprint(TABLES, march), "a fake photo")
    assert fresh(march).state == ReportState.DUE and not Attachment.objects.exists()


def test_a_report_is_corrected_with_a_reason_and_a_stranger_may_not(county, march):
    with at("2026-03-20"):
        services.submit_report(as_actor(county.people["unit_head"]), fresh(march), completed="800")
        report = fresh(march)
        url = f"/projects/reports/{report.code}/correct/"
        refused_page(post(county.client("leader"), url, {"version": report.version, "completed": "900", "reason": "统计口径调整"}),
                     "只有项目责任单位的联络员或一把手可以更正投资月报。")
        assert fresh(report).completed == Decimal("800.00")
        no_reason = post(county.client("unit_head"), url, {"version": report.version, "completed": "900"})
        assert no_reason.status_code == 200 and 'data-testid="error-reason"' in no_reason.content.decode()
        done = post(county.client("unit_head"), url, {"version": report.version, "completed": "900", "reason": "统计口径调整"})
    assert done.status_code == 302
    assert (fresh(report).completed, fresh(report).cumulative, fresh(report.project).year_completed) == (
        Decimal("900.00"), Decimal("900.00"), Decimal("900.00"))


def test_the_report_list_puts_the_due_ones_first(county, new_project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with at("2026-03-02"):
        done = new_project(name="甲项目", stage=Stage.STARTED)
        due = new_project(name="乙项目", stage=Stage.STARTED)
        services.submit_report(as_actor(county.people["unit_head"]), InvestmentReport.objects.get(project=done), completed="10")
        page = county.client("unit_head").get("/projects/reports/").content.decode()
    rows = page.split('data-testid="report-row"')[1:]
    assert len(rows) == 2 and "乙项目" in rows[0] and "待报送" in rows[0] and "甲项目" in rows[1]
    assert due.code in page


# --- 今日待办 ---------------------------------------------------------------------------------------------


def test_the_home_page_lists_a_units_procedures_near_their_limit_its_due_reports_and_the_offices_red_projects(
        county, handlers, new_project, settings, tmp_path):
    from duban.supervision.sweep import sweep
    from tests.projects.conftest import CST

    settings.MEDIA_ROOT = tmp_path
    with at("2026-03-02"):
        project = new_project(stage=Stage.STARTED)  # March's report due on the 25th, at 交通运输局
        permit, planning = _procedure(project, "construction_permit"), _procedure(project, "planning")
        services.start_procedure(as_actor(handlers.building_liaison), permit, workdays=7)  # due 11 March
        services.start_procedure(as_actor(handlers.land_liaison), planning, workdays=30)  # due in April: not yet
    sweep(dt.datetime(2026, 3, 13, 9, tzinfo=CST))
    with at("2026-03-13"):
        building = handlers_client(handlers.building_liaison).get("/").content.decode()
        land = handlers_client(handlers.land_liaison).get("/").content.decode()
        unit = county.client("unit_head").get("/").content.decode()
        office = county.client("liaison").get("/").content.decode()
    assert 'data-kind="项目手续逾期"' in building and permit.code in building
    assert permit.code not in land and planning.code not in land
    report = InvestmentReport.objects.get(project=project)
    assert 'data-kind="报送投资月报"' in unit and report.code in unit
    assert "红灯项目 1 个" in office and "/projects/?light=red&amp;stage=open" in office
