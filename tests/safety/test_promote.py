"""转为重点工作任务: a hazard whose rectification needs the county goes onto a key-work ledger as a draft task,
linked both ways; only those who build ledgers may, once, while it is being rectified."""

import datetime as dt

import pytest

from duban.core.errors import NotAllowed, ServiceError
from duban.core.models import AuditEntry
from duban.ledger.choices import TaskSource, TaskState
from duban.ledger.models import Campaign, Task
from duban.matters.models import MatterEvent
from duban.safety import services
from duban.safety.choices import HazardState
from duban.safety.models import Hazard
from tests.safety.conftest import as_actor, at

pytestmark = pytest.mark.django_db


def fresh(hazard):
    return Hazard.objects.get(pk=hazard.pk)


@pytest.fixture
def campaign():
    return Campaign.objects.create(name="2026年执行力亮剑行动", year=2026)


@pytest.fixture
def rectifying(report, assign):
    with at("2026-06-01"):
        hazard = report(place="S211线K35+200 弯道", title="临崖路段无防护栏")
        assign(hazard, measures="增设波形护栏120米，设置警示标志", due_date=dt.date(2026, 9, 30))
    return fresh(hazard)


def test_the_office_makes_a_draft_task_from_a_hazard_and_both_link_to_each_other(county, campaign, rectifying):
    with at("2026-06-03"):
        services.promote_hazard(as_actor(county.people["supervision"]), rectifying, campaign=campaign)
    hazard = fresh(rectifying)
    task = hazard.promoted_task
    assert (task.campaign, task.state, task.lead_unit, task.due_date, task.source, task.source_ref) == (
        campaign, TaskState.DRAFT, county.units["chengguan"], dt.date(2026, 9, 30), TaskSource.HAZARD, f"安全隐患 {hazard.code}")
    assert task.title == "整改一般隐患：S211线K35+200 弯道 临崖路段无防护栏" and task.standard == "增设波形护栏120米，设置警示标志"
    assert hazard.state == HazardState.RECTIFYING  # the hazard keeps its own loop
    promoted = MatterEvent.objects.get(kind="safety.hazard", matter_id=hazard.pk, event="promoted")
    assert promoted.text == f"转为重点工作任务 {task.code}（2026年执行力亮剑行动）"
    assert AuditEntry.objects.filter(action="hazard.promote", object_id=str(hazard.pk)).count() == 1
    page = county.client("supervision").get(f"/safety/hazards/{hazard.code}/").content.decode()
    assert f'href="/ledger/tasks/{task.code}/"' in page


def test_only_those_who_build_ledgers_promote_and_only_once(county, campaign, rectifying):
    before = (Task.objects.count(), MatterEvent.objects.count(), AuditEntry.objects.count())
    with pytest.raises(NotAllowed, match="只有县督查室或主要领导可以把隐患转为重点工作任务"):
        services.promote_hazard(as_actor(county.people["safety"]), rectifying, campaign=campaign)
    assert (Task.objects.count(), MatterEvent.objects.count(), AuditEntry.objects.count()) == before
    assert fresh(rectifying).promoted_task is None
    services.promote_hazard(as_actor(county.people["principal"]), rectifying, campaign=campaign)
    with pytest.raises(ServiceError, match="已转为重点工作任务"):
        services.promote_hazard(as_actor(county.people["principal"]), fresh(rectifying), campaign=campaign)
    assert Task.objects.count() == before[0] + 1


def test_a_hazard_not_on_the_clock_or_a_closed_campaign_is_refused(county, campaign, report, rectifying):
    with at("2026-06-01"):
        found = report(place="南街9号")
    office = as_actor(county.people["supervision"])
    with pytest.raises(ServiceError, match="不能转为重点工作任务"):
        services.promote_hazard(office, found, campaign=campaign)
    campaign.is_active = False
    campaign.save()
    with pytest.raises(ServiceError, match="请选择一个进行中的专项行动"):
        services.promote_hazard(office, rectifying, campaign=campaign)
    assert Task.objects.count() == 0 and fresh(rectifying).promoted_task is None


def test_the_page_offers_it_to_the_office_and_takes_the_campaign(county, campaign, rectifying):
    office = county.client("supervision")
    url = f"/safety/hazards/{rectifying.code}/promote/"
    assert "转为重点工作任务" in office.get(f"/safety/hazards/{rectifying.code}/").content.decode()
    assert "/promote/" not in county.client("safety").get(f"/safety/hazards/{rectifying.code}/").content.decode()
    assert county.client("safety").post(url, {"version": rectifying.version, "campaign": campaign.pk}).status_code == 403
    response = office.post(url, {"version": rectifying.version, "campaign": campaign.pk})
    assert response.status_code == 302
    assert fresh(rectifying).promoted_task.campaign == campaign
