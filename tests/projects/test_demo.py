"""`duban demo`'s key projects: 40 projects at every stage, their procedures in every state handled by the units that
handle them, a year of monthly reports, problems raised as appeals and tasks — and red projects whose reason names
the late procedure and its unit. One load for the class (as tests/core/test_demo.py), rolled back afterwards."""

import sqlite3
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from duban.core import demo
from duban.matters.models import MatterEvent
from duban.projects.choices import ProcedureState, ReportState, Stage
from duban.projects.demo import HANDLERS, OVERDUE, PROJECTS, ProjectsDemo
from duban.projects.models import InvestmentReport, Procedure, ProcedureType, Project, ProjectProblem
from tests.test_cli_fresh import run_duban

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="class")
def loaded(django_db_setup, django_db_blocker):
    """One `duban demo` (every app's story) for the whole class; the value is what the command printed."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = StringIO()
            call_command("demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.usefixtures("loaded")
class TestTheDemoProjects:
    def test_every_stage_is_there_with_the_office_login_printed(self, loaded):
        assert ProjectsDemo in demo._stories
        projects = Project.objects.all()
        assert projects.count() == len(PROJECTS) == 40
        assert set(projects.values_list("state", flat=True)) == set(Stage.values)
        assert projects.filter(state=Stage.STOPPED).count() == 2 and projects.exclude(stop_reason="").count() == 2
        assert set(projects.values_list("level", flat=True)) == {"province", "city", "county", "none"}
        assert all(p.leader_in_charge.roles & {"leader", "principal"} for p in projects.select_related("leader_in_charge"))
        assert "重点项目：40 个" in loaded
        assert "fagai_lly" in loaded and "fagai_head" in loaded  # the project office's logins are printed
        client = Client()
        response = client.post(reverse("login"), {"username": "fagai_lly", "password": demo.DEFAULT_PASSWORD})
        assert response.status_code == 302
        assert client.get("/").status_code == 200

    def test_red_projects_name_the_late_procedure_and_its_unit(self):
        today = timezone.localdate()
        late = Procedure.objects.filter(state=ProcedureState.IN_PROGRESS, due_date__lt=today).select_related("project", "lead_unit")
        assert late.count() >= 3
        named = [p for p in late if p.project.light == "red" and p.project.light_reason.startswith(f"{p.name}（{p.lead_unit.short_name}）已逾期")]
        assert len(named) >= 3
        assert {p.lead_unit.short_name for p in named} >= {"自然资源局", "生态环境分局"}
        # The handling units are the procedure types' usual ones, and each step was taken by that unit's liaison.
        short = {code: short_name for code, _name, short_name, _title in demo.DEPARTMENTS}
        assert dict(ProcedureType.objects.values_list("code", "default_unit__short_name")) == {c: short[u] for c, u in HANDLERS.items()}
        for event in MatterEvent.objects.filter(kind="projects.procedure", event__in=["started", "done"]).select_related("person"):
            assert event.person.unit_id == event.unit_id
        assert set(Procedure.objects.values_list("state", flat=True)) == set(ProcedureState.values)
        assert MatterEvent.objects.filter(kind="projects.procedure", event="extended").count() == 1
        assert Project.objects.filter(light="yellow").exists()

    def test_a_year_of_monthly_reports_the_current_month_due_and_two_overdue(self):
        today = timezone.localdate()
        reports = InvestmentReport.objects.all()
        continuing = Project.objects.get(name="年产10万吨新型建材项目")
        months = list(reports.filter(project=continuing, state=ReportState.SUBMITTED).values_list("month", flat=True))
        assert months == list(range(1, today.month))
        assert reports.get(project=continuing, month=today.month).state == ReportState.DUE
        total = sum(reports.filter(project=continuing, year=today.year, state=ReportState.SUBMITTED).values_list("completed", flat=True))
        continuing.refresh_from_db()
        assert continuing.year_completed == total and continuing.cumulative == continuing.cumulative_before + total
        overdue = reports.filter(state=ReportState.DUE, due_date__lt=today)
        assert sorted(overdue.values_list("project__name", flat=True)) == sorted(OVERDUE)
        pipes = Project.objects.get(name="县城污水管网改造提升工程")
        assert pipes.light == "red" and "投资月报（住建局）逾期未报" in pipes.light_reason
        submitted = MatterEvent.objects.filter(kind="projects.report", event="submitted").select_related("person")
        assert submitted.count() > 40 and any("逾期报送" in e.text for e in submitted)
        assert all(e.person.unit_id == e.unit_id for e in submitted)  # the responsible unit's own liaison
        assert MatterEvent.objects.filter(kind="projects.report", event="imported").count() > 100

    def test_problems_became_appeals_and_tasks(self):
        problems = ProjectProblem.objects.select_related("appeal", "task")
        assert problems.filter(appeal__isnull=False).count() == 3 and problems.filter(task__isnull=False).count() == 2
        taken = problems.get(project__name="年产3GW光伏组件项目").appeal
        assert taken.channel == "project" and taken.lead_unit.short_name == "自然资源局"
        assert all(p.task.source == "project" for p in problems.filter(task__isnull=False))


def test_demo_on_a_fresh_data_dir_loads_the_projects(tmp_path):
    done = run_duban(tmp_path, "demo")

    assert done.returncode == 0, done.stderr
    assert "重点项目：40 个" in done.stdout and "fagai_lly" in done.stdout
    with sqlite3.connect(tmp_path / "duban.sqlite3") as db:
        stages = {row[0] for row in db.execute("select state from projects_project")}
        red = db.execute("select count(*) from projects_project where light = 'red'").fetchone()[0]
    assert stages == set(Stage.values) and red >= 3
