"""`duban demo`: an empty database becomes a county with a login for every role and a year of key work.

Loading the demo takes seconds (months of history written through the services), so the tests that only
read it share one load per class: `TestTheLoadedDemo` loads it once inside a transaction that is rolled
back when the class is done, and each test runs in a savepoint inside it, as usual.
"""

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from duban.core import audit, demo
from duban.core.choices import ADMIN_ROLES, Role, UnitKind
from duban.core.models import AuditEntry, CalendarDay, LeaderCharge, RoleGrant, Unit, User
from duban.ledger.choices import EventKind, RequestState, TaskState
from duban.ledger.demo import REQUEST_ID
from duban.ledger.models import Campaign, CompletionRequest, ExtensionRequest, ProgressReport, ReassignRequest, Task
from duban.matters.choices import Light
from duban.matters.models import MatterEvent

pytestmark = pytest.mark.django_db


def run_demo(*args) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def row_counts() -> dict[str, int]:
    models = (Unit, User, RoleGrant, LeaderCharge, CalendarDay, AuditEntry, Campaign, Task, ProgressReport)
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture(scope="class")
def loaded(django_db_setup, django_db_blocker):
    """One `duban demo` for the whole class, rolled back afterwards; the value is what the command printed."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield run_demo()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.usefixtures("loaded")
class TestTheLoadedDemo:
    # --- the county -----------------------------------------------------------------------------

    def test_an_empty_database_gets_a_county_with_every_role_and_the_logins_printed(self, loaded):
        assert Unit.objects.count() >= 40
        for role in Role:
            assert User.objects.filter(role_grants__role=role, is_active=True).exists(), role
        assert "Duban@2026" in loaded and "http://127.0.0.1:8000/" in loaded
        for heading in ("角色", "登录名", "姓名", "单位"):
            assert heading in loaded
        for role in Role:
            assert str(Role(role).label) in loaded.split("登录名", 1)[1], role

    def test_every_department_and_township_has_one_head_one_liaison_and_one_deputy_in_charge(self):
        units = Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.TOWNSHIP])
        assert units.filter(kind=UnitKind.DEPARTMENT).count() == 25
        assert units.filter(kind=UnitKind.TOWNSHIP).count() == 12
        heads = Counter(User.objects.filter(role_grants__role=Role.UNIT_HEAD).values_list("unit_id", flat=True))
        liaisons = Counter(User.objects.filter(role_grants__role=Role.LIAISON).values_list("unit_id", flat=True))
        charged = Counter(LeaderCharge.objects.filter(leader__role_grants__role=Role.LEADER).values_list("unit_id", flat=True))
        for unit in units:
            assert (heads[unit.pk], liaisons[unit.pk], charged[unit.pk]) == (1, 1, 1), unit.name
        deputies = User.objects.filter(role_grants__role=Role.LEADER)
        assert 5 <= deputies.count() <= 7
        assert User.objects.filter(role_grants__role=Role.PRINCIPAL).count() == 2

    def test_the_three_admins_are_three_accounts_with_one_role_each(self):
        admins = User.objects.filter(role_grants__role__in=ADMIN_ROLES)
        assert admins.count() == 3
        for admin in admins:
            assert len(admin.roles) == 1

    def test_people_have_distinct_names_phones_and_a_usable_unexpired_password(self):
        people = list(User.objects.all())
        assert len({p.full_name for p in people}) == len(people)
        assert len({p.phone for p in people}) == len(people)
        assert all(p.phone.startswith("1380000") and p.unit_id and p.title for p in people)
        # The accounts were opened months ago in the demo's history, but their passwords' age starts today.
        assert all(timezone.now() - p.password_changed_at < dt.timedelta(minutes=10) for p in people)
        assert not any(p.must_change_password for p in people)
        client = Client()
        assert sign_in(client, "fagai_lly", demo.DEFAULT_PASSWORD).status_code == 302
        assert client.get(reverse("home")).status_code == 200

    def test_if_empty_on_a_loaded_database_changes_nothing_and_prints_the_logins_again(self):
        before = row_counts()
        out = run_demo("--if-empty")
        assert row_counts() == before
        assert "未装入演示县" in out and "shuji" in out and demo.DEFAULT_PASSWORD in out

    def test_a_second_run_without_if_empty_refuses_and_changes_nothing(self):
        before = row_counts()
        with pytest.raises(CommandError, match="只能装入空数据库"):
            run_demo()
        assert row_counts() == before

    # --- the key-work campaign ------------------------------------------------------------------

    def test_the_campaign_has_eight_fronts_each_with_leaders_a_lead_unit_and_members(self, loaded):
        campaign = Campaign.objects.get()
        assert campaign.name == f"{campaign.year}年执行力亮剑行动"
        fronts = list(campaign.fronts.order_by("number"))
        assert [f.number for f in fronts] == list(range(1, 9))
        assert {"招商引资战线", "项目建设战线", "优化营商环境战线", "土地手续办理战线", "安全稳定战线"} <= {f.name for f in fronts}
        for front in fronts:
            assert front.lead_unit_id and front.description, front.name
            leaders = list(front.lead_leaders.all())
            assert leaders and all(Role.LEADER in leader.roles for leader in leaders), front.name
            assert front.member_units.count() >= 5, front.name
            assert front.tasks.count() >= 12, front.name
        assert f"{campaign.name}：8 条战线" in loaded

    def test_about_150_tasks_in_every_state_and_every_light(self):
        tasks = Task.objects.all()
        assert 140 <= tasks.count() <= 170
        states = Counter(tasks.values_list("state", flat=True))
        lights = Counter(tasks.values_list("light", flat=True))
        assert set(states) == set(TaskState.values), states
        assert set(lights) == set(Light.values), lights
        assert states[TaskState.IN_PROGRESS] > states[TaskState.CLOSED] > states[TaskState.COMPLETION_REQUESTED] > 0
        # Red is the overdue: every red task has passed its due date (or a sub-task of it has).
        today = timezone.localdate()
        for task in tasks.filter(light=Light.RED):
            assert task.due_date < today or task.children.filter(light=Light.RED).exists(), task.code
        assert tasks.filter(light=Light.RED, due_date__lt=today, parent__isnull=True).count() >= 5
        assert tasks.filter(light=Light.GREY).count() == states[TaskState.CLOSED] + states[TaskState.CANCELLED]

    def test_every_registered_task_has_the_five_clarities_and_the_county_words(self):
        for task in Task.objects.exclude(state=TaskState.DRAFT):
            assert task.missing_clarities() == [], task.code
            assert 2 <= len(task.standard_items) <= 4, task.code
            assert task.deadline_text, task.code
        titles = " ".join(Task.objects.values_list("title", flat=True))
        for words in ("签约", "开工", "征地拆迁", "用地", "审批", "企业诉求", "森林防火", "燃气"):
            assert words in titles, words
        assert {"年底前", "长期坚持", "第三季度"} <= set(Task.objects.values_list("deadline_text", flat=True))
        assert Task.objects.filter(report_cycle="monthly:25").count() > 100

    def test_working_tasks_have_a_history_of_monthly_progress_reports_in_the_past(self):
        today = timezone.localdate()
        reports = ProgressReport.objects.all()
        assert reports.count() >= 800
        assert reports.filter(reported_on__gte=today).count() == 0
        assert (today - min(reports.values_list("reported_on", flat=True))).days > 180
        opened_at_launch = Task.objects.filter(state=TaskState.IN_PROGRESS, parent__isnull=True, start_date__lt=today - dt.timedelta(days=180))
        assert opened_at_launch.count() >= 40
        for task in opened_at_launch:
            history = list(task.reports.order_by("created_at").values_list("percent", "unit_id", "text"))
            assert len(history) >= 3, task.code
            own = [p for p, unit, _text in history if unit == task.lead_unit_id]
            if not task.return_count:  # a unit's percent only grows, unless the office sent its completion back
                assert own == sorted(own), task.code
            assert task.progress == own[-1] or task.children.exists(), task.code
        assert reports.exclude(problems="").count() > reports.count() // 3

    def test_side_paths_returns_extensions_reassignments_pauses_and_townships(self):
        assert CompletionRequest.objects.filter(state=RequestState.REJECTED).count() >= 5  # returned with reasons
        assert Task.objects.filter(return_count__gte=1, state=TaskState.CLOSED).exists()
        assert Task.objects.filter(return_count__gte=1, state=TaskState.IN_PROGRESS).exists()
        extensions = Counter(ExtensionRequest.objects.values_list("state", flat=True))
        assert extensions[RequestState.PENDING] >= 2 and extensions[RequestState.APPROVED] >= 2 and extensions[RequestState.REJECTED] >= 1
        for request in ExtensionRequest.objects.filter(state=RequestState.APPROVED):
            assert request.task.due_date == request.new_due > request.old_due
        reassignments = Counter(ReassignRequest.objects.values_list("state", flat=True))
        assert set(reassignments) == set(RequestState.values)
        moved = ReassignRequest.objects.get(state=RequestState.APPROVED)
        assert moved.task.lead_unit == moved.new_unit != moved.unit
        assert Task.objects.filter(state=TaskState.IN_PROGRESS, paused_since__isnull=False).exists()
        assert MatterEvent.objects.filter(event=EventKind.RESUMED).exists()
        children = Task.objects.filter(parent__isnull=False)
        assert children.count() >= 20
        assert set(children.values_list("lead_unit__kind", flat=True)) == {UnitKind.TOWNSHIP}
        split_and_closed = Task.objects.filter(state=TaskState.CLOSED, children__isnull=False).distinct()
        assert split_and_closed.exists()
        assert not split_and_closed.first().children.exclude(state=TaskState.CLOSED).exists()

    def test_each_step_was_taken_by_the_person_whose_job_it_is(self):
        tasks = MatterEvent.objects.filter(kind="ledger.task")  # a hazard is closed and returned by the safety office
        for event in tasks.filter(event__in=[EventKind.SIGNED, EventKind.PROGRESS]).select_related("person")[:300]:
            assert Role.LIAISON in event.person.roles or Role.UNIT_HEAD in event.person.roles, event.person_name
        for kind in (EventKind.CLOSED, EventKind.RETURNED, EventKind.REGISTERED):
            assert {Role.SUPERVISION} == {r for e in tasks.filter(event=kind) for r in e.person.roles}, kind
        for event in tasks.filter(event=EventKind.EXTENSION_APPROVED).select_related("person"):
            assert event.person_id == Task.objects.get(pk=event.matter_id).leader_in_charge_id
        assert {r for e in tasks.filter(event__in=[EventKind.SUSPENDED, EventKind.CANCELLED]) for r in e.person.roles} == {Role.PRINCIPAL}

    def test_a_liaison_sees_her_own_units_tasks_and_no_drafts(self):
        liaison = User.objects.get(username="fagai_lly")
        visible = Task.objects.visible_to(liaison)
        assert visible.exists()
        for task in visible:
            assert task.state != TaskState.DRAFT
            assert task.lead_unit_id == liaison.unit_id or task.cooperating_units.filter(pk=liaison.unit_id).exists()

    # --- the audit trail ----------------------------------------------------------------------------

    def test_the_audit_trail_verifies_is_in_time_order_and_names_who_did_what(self):
        assert audit.verify().ok
        entries = AuditEntry.objects.order_by("seq")
        times = list(entries.values_list("at", flat=True))
        assert times == sorted(times) and times[-1] <= timezone.now()
        assert (times[-1] - times[0]).days > 180  # the history lies months back
        county = entries.filter(action__in=["unit.create", "person.create", "role.grant", "charge.add", "calendar.set"])
        assert set(county.values_list("actor_name", flat=True)) == {"duban demo"}
        assert entries.filter(action="unit.create").count() == Unit.objects.count()
        assert entries.filter(action="person.create").count() == User.objects.count()
        assert entries.filter(action="role.grant").count() == RoleGrant.objects.count()
        assert entries.filter(action="charge.add").count() == LeaderCharge.objects.count()
        assert entries.filter(action="calendar.set").count() == 1
        ledger = entries.filter(action__startswith="task.")
        assert ledger.count() >= Task.objects.count() + ProgressReport.objects.count()
        assert set(ledger.values_list("request_id", flat=True)) == {REQUEST_ID}  # marked as generated by the demo
        assert ledger.exclude(actor=None).count() == ledger.count()
        assert entries.filter(action__in=["campaign.create", "front.create"]).count() == 9
        # Each task's timeline matches the audit trail's times: nothing was back-dated after the fact.
        task = Task.objects.filter(state=TaskState.CLOSED, return_count=1).first()
        assert list(task.events.values_list("at", flat=True)) == list(
            ledger.filter(object_id=str(task.pk), object_type="ledger.Task").exclude(action="task.decompose").values_list("at", flat=True)
        )

    def test_the_hazard_ledger_interleaves_with_the_campaign_in_every_state_with_photos(self):
        from duban.matters.models import MatterEvent
        from duban.safety.choices import HazardState
        from duban.safety.models import Hazard, HazardPhoto

        hazards = Hazard.objects.all()
        assert set(hazards.values_list("state", flat=True)) == set(HazardState.values)
        assert hazards.filter(level="major").exists() and hazards.filter(rectified_on_spot=True).exists()
        assert hazards.filter(recurrence_of__isnull=False).exists() and hazards.filter(return_count__gt=0).exists()
        assert HazardPhoto.objects.filter(stage="after").exists() and HazardPhoto.objects.filter(stage="before").count() >= hazards.count()
        # Found over the months, not all on the day of loading: the hazard timeline lies among the campaign's.
        found = sorted(MatterEvent.objects.filter(kind="safety.hazard", event="reported").values_list("at", flat=True))
        assert (found[-1] - found[0]).days > 90
        entries = AuditEntry.objects.filter(action__startswith="hazard.")
        assert set(entries.values_list("request_id", flat=True)) == {REQUEST_ID}

    def test_inspections_against_the_checklists_turn_failed_lines_into_hazards(self):
        from duban.safety.models import ChecklistItem, Inspection, InspectionResult

        assert ChecklistItem.objects.values("sector").distinct().count() == 4
        inspections = Inspection.objects.all()
        assert inspections.count() == 5 and inspections.values("place_key").distinct().count() == 4  # one place twice
        failed = InspectionResult.objects.filter(outcome="fail")
        assert failed.count() == 3 and not failed.filter(hazard__isnull=True).exists()
        assert {r.hazard.found_on for r in failed} == {r.inspection.inspected_on for r in failed}


    def test_the_fire_season_roster_has_critical_posts_confirmed_shifts_and_one_open_lapse(self):
        from duban.safety.models import DutyLapse, DutyPost, Shift

        posts = DutyPost.objects.all()
        assert set(posts.filter(critical=True).values_list("kind", flat=True)) == {"lookout", "checkpoint"}
        assert set(posts.filter(critical=False).values_list("kind", flat=True)) == {"grid"}
        assert set(posts.filter(critical=True).values_list("township__name", flat=True)) == {"青山乡", "白水镇", "高岭乡"}
        today = timezone.localdate()
        shifts = Shift.objects.all()
        assert shifts.count() == posts.count() * 5 and shifts.filter(date=today).count() == posts.count()
        past = shifts.filter(date__lt=today)
        assert past.filter(state="confirmed").count() == past.count() - 2  # a critical lapse and a grid cell nobody confirmed
        lapses = DutyLapse.objects.all()
        assert sorted(lapses.values_list("post__name", "state")) == [("松树岭瞭望哨", "open"), ("白水入山检查站", "confirmed_late")]
        assert not lapses.filter(post__critical=False).exists()
        home = Client()
        home.force_login(User.objects.get(username="gaoling_head"))
        assert "值守未确认" in home.get("/").content.decode()


# --- loads of their own ------------------------------------------------------------------------------


def test_a_database_with_its_own_units_is_left_alone():
    Unit.objects.create(name="县某局", kind=UnitKind.DEPARTMENT, path="/1/")
    before = row_counts()
    out = run_demo("--if-empty")
    assert row_counts() == before
    assert "没有演示县的账号" in out
    with pytest.raises(CommandError, match="只能装入空数据库"):
        run_demo()


def test_a_weak_password_is_refused_before_anything_is_written():
    with pytest.raises(CommandError, match="密码规则"):
        run_demo("--password", "duban2026")
    assert row_counts() == dict.fromkeys(row_counts(), 0)


def test_a_chosen_password_works_and_is_not_printed_as_the_default_later():
    demo.load("Xian-Demo-77", stories=False)  # the county is enough to check the password (the stories take seconds)
    assert sign_in(Client(), "shuji", "Xian-Demo-77").status_code == 302
    out = run_demo("--if-empty")
    assert "Xian-Demo-77" not in out and "装入演示县时设定的密码" in out
    assert "Xian-Demo-77" in run_demo("--if-empty", "--password", "Xian-Demo-77")


def test_the_charge_table_puts_every_department_and_township_under_exactly_one_deputy():
    charged = Counter(code for _login, _title, codes in demo.DEPUTIES for code in codes)
    expected = {code for code, *_ in demo.DEPARTMENTS} | {code for code, _ in demo.TOWNSHIPS}
    assert expected <= set(charged)
    assert all(charged[code] == 1 for code in expected)
