"""The project ledger's three kinds (project, procedure, monthly report) through the kind kit (tests/kit): every
page that changes the ledger and every procedure and report page as every role of the fixture county, every
refused transition leaving every table as it was, and the procedure and report lists in a fixed number of queries.

Given, on Monday 2 March 2026: a county key project of 县交通运输局 at 线索, followed by 李副县长, its 施工许可 in
hand at 县住建局 (立项/备案 not started, at 县发改局 — the project office's own unit); two projects of the same unit
under construction, one with its March report submitted with a photo, the other's still due.
"""

from types import SimpleNamespace

import pytest

from duban.appeals.models import Appeal
from duban.core.actor import Actor
from duban.core.errors import NotAllowed
from duban.ledger.models import Campaign, Task
from duban.matters.models import MatterEvent
from duban.projects import services
from duban.projects.choices import ProcedureState, Stage
from duban.projects.machine import PROCEDURE_MACHINE, PROJECT_MACHINE, REPORT_MACHINE
from duban.projects.models import InvestmentReport, Procedure, ReportPhoto
from tests import kit
from tests.projects.conftest import as_actor, at
from tests.safety.conftest import photo

pytestmark = pytest.mark.django_db

TABLES = kit.tables_for("projects", extra=(MatterEvent, Appeal, Task))


def reload(matter):
    return type(matter).objects.get(pk=matter.pk)


@pytest.fixture
def objects(county, handlers, office, new_project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with at("2026-03-02"):
        project = new_project()
        permit = Procedure.objects.get(project=project, procedure_type__code="construction_permit")
        services.start_procedure(as_actor(handlers.building_liaison), permit, workdays=7)
        building = new_project(name="县城综合客运枢纽项目", project_type="infrastructure", stage=Stage.STARTED)
        roads = new_project(name="农村公路提质改造项目", project_type="infrastructure", stage=Stage.STARTED)
        submitted = InvestmentReport.objects.get(project=building)
        services.submit_report(as_actor(county.people["unit_head"]), submitted, completed="1200", image_progress="站房主体封顶",
                               photos=[photo()])
    return SimpleNamespace(
        project=reload(project), permit=reload(permit), pending=Procedure.objects.get(project=project, procedure_type__code="approval"),
        submitted=reload(submitted), due=InvestmentReport.objects.get(project=roads),
        photo=ReportPhoto.objects.get(report=submitted), handlers=handlers)


# --- 1. every URL × every role ------------------------------------------------------------------------


def page_urls(o) -> dict[str, str]:
    p = o.project.code
    return {
        "list": "/projects/",
        "mine": "/projects/mine/",
        "detail": f"/projects/{p}/",
        "no_project": "/projects/XM2026-9999/",
        "pipeline": "/projects/pipeline/",
        "investment": "/projects/investment/",
        "batches": "/projects/batches/",
        "export": "/projects/export/",
        "import": "/projects/import/",
        "new": "/projects/new/",
        "edit": f"/projects/{p}/edit/",
        "move": f"/projects/{p}/move/",
        "stop": f"/projects/{p}/stop/",
        "problem": f"/projects/{p}/raise-problem/",
        "add_procedure": f"/projects/{p}/add-procedure/",
        "month_plans": f"/projects/{p}/month-plans/",
        "no_action": f"/projects/{p}/demolish/",
        "procedures": "/projects/procedures/",
        "permit": f"/projects/procedures/{o.permit.code}/",
        "start": f"/projects/procedures/{o.pending.code}/start/",
        "finish": f"/projects/procedures/{o.permit.code}/finish/",
        "waive": f"/projects/procedures/{o.permit.code}/waive/",
        "extend": f"/projects/procedures/{o.permit.code}/extend/",
        "no_procedure": "/projects/procedures/XM2026-9999-01/",
        "reports": "/projects/reports/",
        "submitted": f"/projects/reports/{o.submitted.code}/",
        "due": f"/projects/reports/{o.due.code}/",
        "submit": f"/projects/reports/{o.due.code}/submit/",
        "correct": f"/projects/reports/{o.submitted.code}/correct/",
        "photo": f"/attachments/{o.photo.attachment_id}/",
        "no_report": "/projects/reports/XM2026-9999-202603/",
    }


# The project office (县发改局 联络员) and the supervision office see and do everything the office does; the
# project's unit (交通运输局's head) moves it, handles its procedures and reports its months; its leader in charge
# and the principal leader see it and raise its problems; the section of 交通运输局, 城关镇, the business and safety
# offices have no part in it (not found); the admins have no business here.
PAGES = kit.Statuses("""
                  anon   prin lead sup  bus  saf  head sect lia  town sys  sec  aud
    list          login  200  200  200  200  200  200  200  200  200  403  403  403
    mine          login  200  200  200  200  200  200  200  200  200  403  403  403
    detail        login  200  200  200  404  404  200  404  200  404  403  403  403
    no_project    login  404  404  404  404  404  404  404  404  404  403  403  403
    pipeline      login  200  200  200  200  200  200  200  200  200  403  403  403
    investment    login  200  200  200  200  200  200  200  200  200  403  403  403
    batches       login  200  200  200  200  200  200  200  200  200  403  403  403
    export        login  200  200  200  200  200  200  200  200  200  403  403  403
    import        login  403  403  200  403  403  403  403  200  403  403  403  403
    new           login  200  403  200  403  403  403  403  200  403  403  403  403
    edit          login  403  403  200  404  404  403  404  200  404  403  403  403
    move          login  403  403  200  404  404  200  404  200  404  403  403  403
    stop          login  403  403  200  404  404  403  404  200  404  403  403  403
    problem       login  200  200  200  404  404  200  404  200  404  403  403  403
    add_procedure login  403  403  200  404  404  403  404  200  404  403  403  403
    month_plans   login  403  403  200  404  404  200  404  200  404  403  403  403
    no_action     login  404  404  404  404  404  404  404  404  404  403  403  403
    procedures    login  200  200  200  200  200  200  200  200  200  403  403  403
    permit        login  200  200  200  404  404  200  404  200  404  403  403  403
    start         login  403  403  200  404  404  200  404  200  404  403  403  403
    finish        login  403  403  200  404  404  200  404  200  404  403  403  403
    waive         login  403  403  200  404  404  403  404  200  404  403  403  403
    extend        login  403  403  200  404  404  403  404  200  404  403  403  403
    no_procedure  login  404  404  404  404  404  404  404  404  404  403  403  403
    reports       login  200  200  200  200  200  200  200  200  200  403  403  403
    submitted     login  200  200  200  404  404  200  404  200  404  403  403  403
    due           login  200  200  200  404  404  200  404  200  404  403  403  403
    submit        login  403  403  200  404  404  200  404  200  404  403  403  403
    correct       login  403  403  200  404  404  200  404  200  404  403  403  403
    photo         login  200  200  200  404  404  200  404  200  404  404  404  404
    no_report     login  404  404  404  404  404  404  404  404  404  403  403  403
""")


@kit.each_role
def test_every_page_as_every_role(county, objects, role):
    with at("2026-03-03"):
        kit.check_pages(PAGES, page_urls(objects), county, role)


def test_the_lists_show_each_role_exactly_its_procedures_and_reports(county, objects):
    def procedures(role):
        return set(Procedure.objects.visible_to(county.people[role]).values_list("project__name", flat=True))

    def reports(role):
        return set(InvestmentReport.objects.visible_to(county.people[role]).values_list("code", flat=True))

    everything = {objects.project.name, objects.submitted.project.name, objects.due.project.name}
    assert procedures("liaison") == procedures("principal") == procedures("unit_head") == procedures("leader") == everything
    assert procedures("township_liaison") == procedures("section_liaison") == procedures("business") == set()
    assert reports("unit_head") == reports("leader") == {objects.submitted.code, objects.due.code}
    assert reports("township_liaison") == set()
    with at("2026-03-03"):
        page = county.client("township_liaison").get("/projects/procedures/").content.decode()
    assert 'data-testid="procedure-row"' not in page


# --- 2. refused = nothing changed --------------------------------------------------------------------


def _calls(o):
    campaign = Campaign.objects.get_or_create(name="2026年项目攻坚行动", defaults={"year": 2026})[0]
    return {
        ("project", "edit"): (o.project, lambda a, m: services.edit_project(a, m, name="改名项目")),
        ("project", "move"): (o.project, lambda a, m: services.move_stage(a, m, Stage.NEGOTIATING)),
        ("project", "stop"): (o.project, lambda a, m: services.stop_project(a, m, reason="投资方撤回")),
        ("project", "raise_problem"): (o.project, lambda a, m: services.raise_problem(a, m, title="用电未接入", route="task", campaign=campaign)),
        ("procedure", "start"): (o.pending, lambda a, m: services.start_procedure(a, m, workdays=5)),
        ("procedure", "finish"): (o.permit, lambda a, m: services.finish_procedure(a, m, approval_no="建施〔2026〕1号")),
        ("procedure", "waive"): (o.permit, lambda a, m: services.waive_procedure(a, m, reason="不需要")),
        ("procedure", "extend"): (o.permit, lambda a, m: services.extend_procedure(a, m, due_date=o.permit.due_date.replace(month=5),
                                                                                   reason="公示期")),
        ("report", "submit"): (o.due, lambda a, m: services.submit_report(a, m, completed="10", photos=[photo()])),
        ("report", "correct"): (o.submitted, lambda a, m: services.correct_report(a, m, completed="10", reason="更正")),
    }


MACHINES = {"project": PROJECT_MACHINE, "procedure": PROCEDURE_MACHINE, "report": REPORT_MACHINE}
# Who may take each move, of the fixture county's people (the project office is 县发改局's liaison).
ALLOWED = {
    ("project", "edit"): {"liaison", "supervision"},
    ("project", "move"): {"liaison", "supervision", "unit_head"},
    ("project", "stop"): {"liaison", "supervision"},
    ("project", "raise_problem"): {"liaison", "supervision", "unit_head", "leader", "principal"},
    ("procedure", "start"): {"liaison", "supervision", "unit_head"},
    ("procedure", "finish"): {"liaison", "supervision", "unit_head"},
    ("procedure", "waive"): {"liaison", "supervision"},
    ("procedure", "extend"): {"liaison", "supervision"},
    ("report", "submit"): {"liaison", "supervision", "unit_head"},
    ("report", "correct"): {"liaison", "supervision", "unit_head"},
}


@pytest.mark.parametrize("kind_name", sorted(ALLOWED), ids=lambda k: f"{k[0]}.{k[1]}")
def test_every_transition_refused_for_every_role_that_may_not_take_it_changes_nothing(county, objects, kind_name):
    kind, name = kind_name
    matter, call = _calls(objects)[kind_name]
    transition = MACHINES[kind].transitions[name]
    allowed = {key for key, person in county.people.items() if transition.permits(matter, person)}
    assert allowed == ALLOWED[kind_name]
    with at("2026-03-04"):
        for key in sorted(set(county.people) - allowed):
            with kit.refused(TABLES, matter, NotAllowed):
                call(Actor(user=county.people[key]), reload(matter))


def test_a_refused_procedure_leaves_its_project_where_it_was(county, objects):
    # 住建局 handles the 施工许可, not the 立项/备案 (县发改局): it may not start that one.
    with at("2026-03-04"), kit.refused(TABLES, objects.pending, NotAllowed):
        services.start_procedure(as_actor(objects.handlers.building_liaison), reload(objects.pending), workdays=5)
    assert reload(objects.pending).state == ProcedureState.PENDING and reload(objects.project).version == objects.project.version


# --- 3. the lists in a fixed number of queries ----------------------------------------------------------


def test_the_procedure_list_runs_a_fixed_number_of_queries(county, objects, new_project):
    def grow():
        with at("2026-03-03"):
            for n in range(6):
                project = new_project(name=f"产业园标准化厂房{n}期项目")
                services.start_procedure(as_actor(county.people["liaison"]), project.procedures.get(procedure_type__code="planning"),
                                         workdays=10)

    with at("2026-03-03"):
        queries = kit.assert_fixed_queries(county.client("liaison"), "/projects/procedures/?state=open", grow)
    assert queries <= 13  # the session, the user and its roles, the office, rows, light counts, notices, the filter bar's choices, the session saved


def test_the_report_list_runs_a_fixed_number_of_queries(county, objects, new_project):
    def grow():
        with at("2026-03-03"):
            for n in range(12):
                new_project(name=f"城区道路改造{n}标段", project_type="infrastructure", stage=Stage.STARTED)

    with at("2026-03-03"):
        queries = kit.assert_fixed_queries(county.client("unit_head"), "/projects/reports/", grow)
    assert queries <= 13  # the session, the user and its roles, the office, rows, light counts, notices, the filter bar's choices, the session saved
