"""建账 in bulk (services.create_tasks, what an Excel import writes): the same rows, links, timeline events,
audit entries, lights and codes as create_task + register_task one task at a time, and all or nothing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from duban.core import audit
from duban.core.actor import Actor
from duban.core.errors import NotAllowed, ServiceError
from duban.core.models import AuditEntry, AuditHead
from duban.ledger import importing, services
from duban.ledger.choices import TaskState
from duban.ledger.models import Campaign, Task
from duban.matters.models import MatterEvent
from tests.ledger.conftest import as_actor
from tests.ledger.test_excel import county_sheet, plan_for

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 15, 9, tzinfo=SHANGHAI), tick=False)


def rows_for(county, campaign):
    """Five rows of an import: complete ones (on track, due in two days, overdue, standing with a report
    cycle) and one without a standard, which stays a draft; cooperating units repeated and including the lead."""
    u, p = county.units, county.people
    common = dict(leader_in_charge=p["leader"], responsible_person=p["unit_head"], start_date=D(2026, 1, 1),
                  reward_penalty="按期完成加2分", front=campaign.fronts.first(), standard="完成方案\n通过验收")
    return [
        dict(common, title="完成国道改线工程征地拆迁", lead_unit=u["transport"], due_date=D(2026, 12, 31), deadline_text="2026年12月底前",
             seq="1", cooperating_units=[u["ndrc"], u["chengguan"], u["ndrc"]]),
        dict(common, title="审批时限压减至30个工作日", lead_unit=u["ndrc"], due_date=D(2026, 6, 17), deadline_text="6月17日前",
             seq="2", cooperating_units=[u["business"]], source="document", source_ref="县政办发〔2026〕3号"),
        dict(common, title="县城交通秩序综合整治", lead_unit=u["chengguan"], due_date=D(2026, 5, 29), deadline_text="5月底前", seq="3"),
        dict(common, title="企业诉求直通车常态化运行", lead_unit=u["business"], standing=True, due_date=D(2026, 12, 31),
             deadline_text="长期坚持", report_cycle="monthly:25", responsible_person=None, responsible_name="钱营商", seq="4"),
        dict(common, title="重点项目进展月报", lead_unit=u["ndrc"], standard="", due_date=D(2026, 9, 30), deadline_text="第三季度", seq="5",
             cooperating_units=[u["transport"], u["ndrc"]]),
    ]


def one_at_a_time(actor, campaign, rows, *, register):
    """What the import wrote before create_tasks: create_task, then register_task when the five are complete."""
    tasks = []
    for row in rows:
        row = dict(row)
        task = services.create_task(actor, campaign, cooperating_units=row.pop("cooperating_units", ()), **row)
        if register and not task.missing_clarities():
            services.register_task(actor, task)
        tasks.append(task)
    return tasks


def observable(task: Task) -> dict:
    """Everything stored for a task, except its id and code (and columns derived from the code)."""
    task = Task.objects.get(pk=task.pk)
    derived = set(Task.DERIVED) if hasattr(Task, "DERIVED") else {"due_sort"}
    values = {f.attname: getattr(task, f.attname) for f in Task._meta.concrete_fields
              if f.attname not in {"id", "code"} | derived}
    values["cooperating"] = sorted(task.cooperating_units.values_list("pk", flat=True))
    values["events"] = list(task.events.order_by("at", "id").values_list("event", "text", "data", "person_id", "person_name", "at", "unit_id"))
    entries = AuditEntry.objects.filter(object_type="ledger.Task", object_id=str(task.pk)).order_by("seq")
    values["audit"] = [
        (e.action, e.actor_id, e.actor_name, e.object_repr.replace(task.code, "CODE"), e.before, e.after, e.outcome,
         e.message, e.ip, e.request_id, e.at)
        for e in entries
    ]
    return values


def derived_as_saved(task: Task) -> None:
    """The derived columns of a bulk-created row are what save() would have written (due_sort, search text …)."""
    row = Task.objects.get(pk=task.pk)
    stored = {c: getattr(row, c) for c in getattr(Task, "DERIVED", {"due_sort": None})}
    row.save()
    row.refresh_from_db()
    assert {c: getattr(row, c) for c in stored} == stored


def counts():
    through = Task.cooperating_units.through
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    return (Task.objects.count(), MatterEvent.objects.count(), AuditEntry.objects.count(), through.objects.count(), head)


# --- the same as one at a time ------------------------------------------------------------------------------


@pytest.mark.parametrize("register", [True, False])
def test_create_tasks_leaves_exactly_what_create_task_and_register_task_leave(county, campaign, frozen, register):
    office = as_actor(county.people["supervision"])
    rows = rows_for(county, campaign)
    singly = one_at_a_time(office, campaign, rows, register=register)
    head_before_bulk = audit.current_head()[0]
    bulk = services.create_tasks(office, campaign, rows, register=register)

    assert [t.code for t in singly] == ["2026-0001", "2026-0002", "2026-0003", "2026-0004", "2026-0005"]
    assert [t.code for t in bulk] == ["2026-0006", "2026-0007", "2026-0008", "2026-0009", "2026-0010"]
    for one, many in zip(singly, bulk, strict=True):
        assert observable(many) == observable(one)
        derived_as_saved(many)
    states = [Task.objects.get(pk=t.pk).state for t in bulk]
    if register:
        assert states == [TaskState.ASSIGNED] * 4 + [TaskState.DRAFT]
    else:
        assert states == [TaskState.DRAFT] * 5
    if register:  # judged on the clock (a draft is not on it yet): on track, due in 2 working days, overdue
        assert [Task.objects.get(pk=t.pk).light for t in bulk] == ["green", "yellow", "red", "green", "green"]
    # The bulk entries follow the chain in row order: each task's create (then register) entry, no gaps.
    entries = list(AuditEntry.objects.filter(seq__gt=head_before_bulk).order_by("seq").values_list("seq", "action", "object_id"))
    expected = []
    for task, state in zip(bulk, states, strict=True):
        expected.append(("task.create", str(task.pk)))
        if state == TaskState.ASSIGNED:
            expected.append(("task.register", str(task.pk)))
    assert [(a, o) for _s, a, o in entries] == expected
    assert [s for s, _a, _o in entries] == list(range(head_before_bulk + 1, head_before_bulk + 1 + len(expected)))
    assert audit.verify().ok


def test_a_bulk_created_task_goes_on_like_any_other(county, campaign, frozen):
    office = as_actor(county.people["supervision"])
    task, draft = services.create_tasks(office, campaign, rows_for(county, campaign)[:1] + rows_for(county, campaign)[4:], register=True)
    services.update_task(office, Task.objects.get(pk=task.pk), expected_version=2, title="改过的名称")
    services.update_task(office, Task.objects.get(pk=draft.pk), expected_version=1, standard="补上标准")
    services.register_task(office, Task.objects.get(pk=draft.pk))
    assert Task.objects.get(pk=draft.pk).state == TaskState.ASSIGNED
    assert Task.objects.values_list("title", "version").get(pk=task.pk) == ("改过的名称", 3)
    assert audit.verify().ok


# --- codes -------------------------------------------------------------------------------------------------


def test_codes_continue_after_existing_tasks_and_their_sub_tasks(county, campaign, make_task):
    office = as_actor(county.people["supervision"])
    older = Campaign.objects.create(name="2025年专项行动", year=2025)
    services.create_task(office, older, title="去年的任务")
    make_task()
    second = make_task()
    services.decompose_task(office, second, [{"lead_unit": county.units["transport"]}, {"lead_unit": county.units["ndrc"]}])
    assert sorted(Task.objects.values_list("code", flat=True)) == ["2025-0001", "2026-0001", "2026-0002", "2026-0002-1", "2026-0002-2"]

    bulk = services.create_tasks(office, campaign, [{"title": f"任务{i}"} for i in range(3)])
    assert [t.code for t in bulk] == ["2026-0003", "2026-0004", "2026-0005"]
    assert services.create_task(office, campaign, title="再建一项").code == "2026-0006"
    assert services.create_task(office, older, title="去年的第二项").code == "2025-0002"


def test_codes_go_on_past_9999_where_text_order_is_not_number_order(county, campaign):
    office = as_actor(county.people["supervision"])
    Task.objects.bulk_create([Task(campaign=campaign, code=code, title=code) for code in
                              ["2026-9998", "2026-9999", "2026-9999-1", "2026-10000", "2026-10000-1", "2026-10001", "2026-10002"]])
    assert services._next_code(campaign) == "2026-10003"
    assert [t.code for t in services.create_tasks(office, campaign, [{"title": "甲"}, {"title": "乙"}])] == ["2026-10003", "2026-10004"]
    assert services.create_task(office, campaign, title="丙").code == "2026-10005"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan; PostgreSQL's is checked by hand (an index-only scan backward)")
def test_the_next_code_is_one_seek_on_the_code_index_not_a_scan_and_sort(county, campaign):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        services._next_code(campaign)
    lookup = next(q["sql"] for q in queries if "ORDER BY" in q["sql"] and "ledger_task" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + lookup)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "SEARCH ledger_task USING COVERING INDEX" in plan and "(code>? AND code<?)" in plan, plan
    assert "TEMP B-TREE" not in plan and "SCAN" not in plan, plan


# --- all or nothing ----------------------------------------------------------------------------------------


def test_a_refused_last_row_writes_nothing_and_names_the_row(county, campaign, make_task):
    office = as_actor(county.people["supervision"])
    make_task()
    before = counts()
    rows = rows_for(county, campaign) + [{"title": "报送周期写错的任务", "report_cycle": "想起来就报"}]
    with pytest.raises(ServiceError) as refused:
        services.create_tasks(office, campaign, rows, register=True)
    assert refused.value.index == len(rows) - 1
    assert counts() == before
    with pytest.raises(ServiceError) as refused:
        services.create_tasks(office, campaign, [{"title": "有名称"}, {"title": "  "}])
    assert refused.value.index == 1 and refused.value.message == "请填写工作任务（干什么）。"
    assert counts() == before


def test_only_those_who_may_create_tasks_create_them_in_bulk(county, campaign):
    before = counts()
    with pytest.raises(NotAllowed, match="只有县督查室或主要领导可以建账"):
        services.create_tasks(as_actor(county.people["liaison"]), campaign, [{"title": "联络员建的任务"}])
    assert counts() == before
    assert services.create_tasks(as_actor(county.people["principal"]), campaign, [], register=True) == []


def test_an_import_refused_in_its_last_batch_writes_nothing(county, campaign, monkeypatch):
    monkeypatch.setattr(importing, "CREATE_BATCH", 2)  # six new tasks: three batches, the last one refused
    plan = plan_for(county_sheet(), register=True)
    assert plan.ok and len(plan.creates) == 6
    plan.creates[-1].values["report_cycle"] = "想起来就报"  # a value only the service refuses
    before = counts()
    with pytest.raises(importing.ImportFailed) as failure:
        importing.apply_plan(plan, Actor.system("tests"))
    assert failure.value.problem.row == plan.creates[-1].row
    assert "本次导入未写入任何数据" in str(failure.value)
    assert counts() == before  # no task, event or audit entry, the audit head where it was


def test_an_import_writes_in_batches_what_the_plan_says(county, campaign, monkeypatch):
    monkeypatch.setattr(importing, "CREATE_BATCH", 4)
    plan = plan_for(county_sheet(), register=True)
    seen = []
    result = importing.apply_plan(plan, Actor.system("tests"), progress=lambda *args: seen.append(args))
    assert result.created == [f"2026-{n:04d}" for n in range(1, 7)]
    assert sorted(result.registered) == sorted(Task.objects.filter(state=TaskState.ASSIGNED).values_list("code", flat=True))
    assert len(result.registered) == len(plan.registering) and len(result.drafts) == len(plan.staying_drafts)
    assert seen[-1] == ("写入", 6, 6)
    assert MatterEvent.objects.filter(event="created").count() == 6
    assert MatterEvent.objects.filter(event="registered").count() == len(result.registered)
    assert AuditEntry.objects.filter(action="task.create").count() == 6
    assert AuditEntry.objects.filter(action="task.register").count() == len(result.registered)
    assert AuditEntry.objects.order_by("-seq").first().action == "ledger.import"
    assert audit.verify().ok
