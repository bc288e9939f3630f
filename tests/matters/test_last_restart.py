"""A matter keeps the moment of its latest restart event (`Matter.last_restart_at`), the one the 中梗阻 idle
count reads instead of probing the timeline (issue 14). Given tasks, a hazard and an appeal moved through
their services, the column is always the latest of the kind's `Obstruction.restart_events` on the timeline:
set by the runner with the event's own moment, left alone by every other move, set by the ledger's bulk
registration, and refilled from the timeline by `refresh_restarts` and by the migrations that added it.
"""

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Max

from duban.appeals.kind import APPEAL_KIND
from duban.appeals.models import Appeal
from duban.ledger import services
from duban.ledger.kind import TASK_KIND
from duban.ledger.models import Task
from duban.matters import obstruction
from duban.matters.models import MatterEvent
from duban.safety.kind import HAZARD_KIND
from duban.safety.models import Hazard
from tests.appeals.conftest import as_actor as appeal_actor
from tests.appeals.conftest import desk, dispatched, fresh, submit  # noqa: F401 — fixtures
from tests.ledger.conftest import as_actor, campaign, make_task  # noqa: F401 — fixtures
from tests.ledger.moves import at, reload
from tests.safety.conftest import assign, gas, grid_worker, report  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db


def timeline_restarts(kind) -> dict[int, dt.datetime]:
    """matter id → the latest of its restart events, read from the timeline."""
    return dict(obstruction.events(kind, kind.obstruction.restart_events).order_by().values("matter_id")
                .annotate(last=Max("at")).values_list("matter_id", "last"))


def kept(kind) -> dict[int, dt.datetime]:
    """matter id → last_restart_at, for the matters that have one."""
    return dict(kind.model.objects.filter(last_restart_at__isnull=False).values_list("pk", "last_restart_at"))


def test_a_task_keeps_the_moment_of_its_latest_restart_and_nothing_else_moves_it(county, make_task, time_machine):
    office, head = as_actor(county.people["supervision"]), as_actor(county.people["unit_head"])
    at(time_machine, "2026-03-02 09:00")
    draft = make_task(register=False, title="草稿")
    assert reload(draft).last_restart_at is None  # 建账 is not a restart

    task = make_task()
    registered = at(time_machine, "2026-03-02 09:00")
    assert reload(task).last_restart_at == registered  # 立账交办
    assert kept(TASK_KIND) == timeline_restarts(TASK_KIND)

    at(time_machine, "2026-03-03 10:00")
    services.sign_task(head, reload(task))
    services.report_progress(head, reload(task), percent=90, text="基本完成")
    at(time_machine, "2026-03-04 10:00")
    services.request_completion(head, reload(task), summary="已完成", no_evidence_reason="已现场核验")
    assert reload(task).last_restart_at == registered  # signing, reporting and asking to close restart nothing

    returned = at(time_machine, "2026-03-05 11:00")
    services.return_task(office, reload(task), reason="缺少验收材料")
    assert reload(task).last_restart_at == returned  # 退回

    at(time_machine, "2026-03-06 09:00")
    services.pause_clock(office, reload(task), reason="等待省厅批复")
    assert reload(task).last_restart_at == returned  # 挂起 stops the clock, restarts nothing
    resumed = at(time_machine, "2026-03-10 09:00")
    services.resume_clock(office, reload(task))
    assert reload(task).last_restart_at == resumed  # 恢复计时

    at(time_machine, "2026-03-11 09:00")
    services.request_reassignment(head, reload(task), reason="属于发改局职责", suggested_unit=county.units["ndrc"])
    services.decide_reassignment(office, reload(task).reassign_requests.get(), approve=False, note="仍由交通局办理")
    assert reload(task).last_restart_at == resumed  # asked and refused: still its unit's
    services.request_reassignment(head, reload(task), reason="属于发改局职责", suggested_unit=county.units["ndrc"])
    moved = at(time_machine, "2026-03-12 09:00")
    services.decide_reassignment(office, reload(task).reassign_requests.get(state="pending"), approve=True)
    assert reload(task).last_restart_at == moved  # 调整到本单位

    principal = as_actor(county.people["principal"])
    at(time_machine, "2026-03-13 09:00")
    services.suspend_task(principal, reload(task), reason="上级政策调整")
    reopened = at(time_machine, "2026-03-16 09:00")
    services.reopen_task(principal, reload(task))
    assert reload(task).last_restart_at == reopened  # 恢复办理

    assert kept(TASK_KIND) == timeline_restarts(TASK_KIND)
    event = MatterEvent.objects.of(task).filter(event="reopened").get()
    assert event.at == reload(task).last_restart_at  # the event's own moment, to the microsecond


def test_a_sheet_registered_in_bulk_keeps_its_registration(county, campaign, time_machine):
    registered = at(time_machine, "2026-03-02 09:00")
    rows = [dict(title=f"批量任务{n}", standard="完成", leader_in_charge=county.people["leader"], lead_unit=county.units["transport"],
                 responsible_person=county.people["unit_head"], due_date=dt.date(2026, 12, 31), deadline_text="2026年12月底前",
                 reward_penalty="按期完成加2分") for n in range(3)]
    rows.append({**rows[0], "title": "缺时限", "due_date": None, "deadline_text": ""})  # stays a draft
    tasks = services.create_tasks(as_actor(county.people["supervision"]), campaign, rows, register=True)
    assert [reload(t).last_restart_at for t in tasks] == [registered, registered, registered, None]
    assert kept(TASK_KIND) == timeline_restarts(TASK_KIND)
    # The timeline still reads 建账 before 立账交办.
    assert list(MatterEvent.objects.of(tasks[0]).values_list("event", flat=True)) == ["created", "registered"]


def test_a_hazard_and_an_appeal_keep_their_own_kinds_restarts(county, report, assign, dispatched, desk, time_machine):  # noqa: F811
    at(time_machine, "2026-06-01 09:00")
    hazard = report()
    assert hazard.last_restart_at is None  # 发现 is not a restart
    assigned = at(time_machine, "2026-06-02 09:00")
    assign(hazard)
    hazard.refresh_from_db()
    assert hazard.last_restart_at == assigned  # 交办整改
    assert kept(HAZARD_KIND) == timeline_restarts(HAZARD_KIND)

    sent = at(time_machine, "2026-06-03 09:00")
    appeal = dispatched()
    assert appeal.last_restart_at == sent  # 派单
    signed = at(time_machine, "2026-06-04 09:00")
    from duban.appeals import services as appeal_services

    appeal_services.sign_appeal(appeal_actor(county.people["liaison"]), appeal)
    assert fresh(appeal).last_restart_at == signed  # 签收
    assert kept(APPEAL_KIND) == timeline_restarts(APPEAL_KIND)


@pytest.mark.parametrize(("app", "migration", "kind"), [
    ("ledger", "0012_last_restart_at", TASK_KIND),
])
def test_refresh_and_the_migration_fill_the_column_from_the_timeline(county, make_task, time_machine, app, migration, kind):
    office = as_actor(county.people["supervision"])
    at(time_machine, "2026-03-02 09:00")
    make_task(register=False)
    first = make_task()
    at(time_machine, "2026-03-05 09:00")
    second = make_task()
    services.pause_clock(office, reload(second), reason="等待批复")
    at(time_machine, "2026-03-09 09:00")
    services.resume_clock(office, reload(second))
    assert len(kept(kind)) == 2 and reload(first).last_restart_at != reload(second).last_restart_at
    expected = kept(kind)

    Task.objects.update(last_restart_at=None)
    assert obstruction.refresh_restarts(kind) == Task.objects.count()
    assert kept(kind) == expected

    Task.objects.update(last_restart_at=None)
    module = importlib.import_module(f"duban.{app}.migrations.{migration}")
    module.fill(apps, SimpleNamespace(connection=connection))
    assert kept(kind) == expected


@pytest.mark.parametrize(("app", "migration", "kind", "model"), [
    ("safety", "0008_last_restart_at", HAZARD_KIND, Hazard),
    ("appeals", "0003_last_restart_at", APPEAL_KIND, Appeal),
])
def test_the_other_kinds_migrations_fill_it_too(county, report, assign, dispatched, time_machine, app, migration, kind, model):  # noqa: F811
    at(time_machine, "2026-06-01 09:00")
    report()
    assign(Hazard.objects.get())
    at(time_machine, "2026-06-02 09:00")
    dispatched()
    expected = kept(kind)
    assert len(expected) == 1
    model.objects.update(last_restart_at=None)
    importlib.import_module(f"duban.{app}.migrations.{migration}").fill(apps, SimpleNamespace(connection=connection))
    assert kept(kind) == expected
