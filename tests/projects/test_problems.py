"""A problem raised on a project becomes an enterprise appeal or a key-work task and stays linked (issue 9's problem list)."""

import datetime as dt

import pytest

from duban.appeals.choices import AppealState, Channel
from duban.core.errors import NotAllowed, ServiceError
from duban.ledger.choices import TaskSource, TaskState
from duban.ledger.models import Campaign
from duban.matters.models import MatterEvent
from duban.projects import services
from duban.projects.models import ProjectProblem
from tests.projects.conftest import as_actor, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return Campaign.objects.create(name="2026年项目建设攻坚行动", year=2026)


def test_a_problem_becomes_an_appeal_for_the_business_office_to_dispatch(county, handlers, office, new_project):
    with at("2026-03-02"):
        project = new_project()
        problem = services.raise_problem(as_actor(county.people["leader"]), project, title="施工用电未接入",
                                         detail="10千伏专线审批未批复", category="utilities")
    appeal = problem.appeal
    assert (problem.route, problem.task, appeal.state, appeal.channel, appeal.category) == (
        "appeal", None, AppealState.SUBMITTED, Channel.PROJECT, "utilities")
    assert appeal.enterprise_name == "某某新材料有限公司" and appeal.phone == "13900001111"
    assert f"{project.name}（{project.code}）：施工用电未接入" in appeal.description
    event = MatterEvent.objects.filter(kind="projects.project", matter_id=project.pk, event="problem").get()
    assert event.text == f"提出问题：施工用电未接入（转企业诉求 {appeal.code}）"
    assert list(ProjectProblem.objects.visible_to(county.people["leader"])) == [problem]
    assert list(ProjectProblem.objects.visible_to(county.people["township_liaison"])) == []


def test_a_problem_becomes_a_draft_task_only_for_those_who_build_ledgers(county, handlers, office, new_project, campaign):
    with at("2026-03-02"):
        project = new_project()
        with pytest.raises(ServiceError, match="转重点工作任务由县督查室或主要领导办理"):
            services.raise_problem(office, project, title="用地指标不足", route="task", campaign=campaign)
        assert not ProjectProblem.objects.exists()
        problem = services.raise_problem(as_actor(county.people["supervision"]), project, title="用地指标不足", route="task",
                                         campaign=campaign, lead_unit=handlers.land, due_date=dt.date(2026, 4, 30))
    task = problem.task
    assert (task.state, task.lead_unit, task.source, task.source_ref, task.due_date) == (
        TaskState.DRAFT, handlers.land, TaskSource.PROJECT, f"重点项目 {project.code}", dt.date(2026, 4, 30))


def test_someone_with_no_part_in_the_project_cannot_raise_a_problem(county, handlers, office, new_project):
    with at("2026-03-02"):
        project = new_project()
        with pytest.raises(NotAllowed):
            services.raise_problem(as_actor(county.people["township_liaison"]), project, title="道路未通")
    assert not ProjectProblem.objects.exists()
