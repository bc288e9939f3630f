"""Random sequences of task actions by random people (hypothesis.stateful), with the invariants of the
task machine checked after every step:

- the state is always a TaskState, and closed and cancelled are final;
- a refused call changes nothing (the task's row, its family, requests, reports, timeline, audit trail);
- a successful call is a move the transition table allows from the state before it, bumps the version by
  exactly one when it writes the task's row, adds exactly one timeline event and one audit entry
  ("task.<name>") for the task, and leaves a light that a fresh recomputation would not change;
- the light is grey exactly when the task is closed or cancelled;
- the task page offers an action exactly when the service then allows it.

The last property is also checked exhaustively below: ten people, every action, thirteen kinds of task.

Each example builds its own county inside a savepoint that is rolled back afterwards, with the clock
frozen in Asia/Shanghai and moved on by a rule of its own.
"""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from time_machine import travel

from duban.core import audit
from duban.core.choices import Role
from duban.core.errors import Conflict, NotAllowed, ServiceError
from duban.core.models import AuditEntry
from duban.ledger import policies, services
from duban.ledger.choices import FINISHED_STATES, RequestState, TaskState
from duban.ledger.machine import TASK_MACHINE
from duban.ledger.models import Campaign, ExtensionRequest, Front, ReassignRequest, Task
from duban.matters.models import MatterEvent
from tests.conftest import County, make_person
from tests.ledger.conftest import as_actor
from tests.ledger.moves import CALLS, SHANGHAI, at, call, footprint, people, reload  # noqa: F401 — people is a fixture

D = dt.date
ACTORS = ["office", "lead_liaison", "other_liaison", "coop_liaison", "leader", "principal"]
# Calls that leave the task's own row alone (the request or the children carry the change).
NO_ROW_WRITE = {"request_extension", "reject_extension", "reject_reassignment", "decompose"}
AUDIT_ACTION = {
    "edit": "task.update", "approve_extension": "task.approve_extension", "reject_extension": "task.reject_extension",
    "approve_reassignment": "task.reassign", "reject_reassignment": "task.reject_reassignment",
}
MAIN_ROAD = {"register", "sign", "request_completion", "close", "return"}
MACHINE_NAME = {
    "approve_extension": "decide_extension", "reject_extension": "decide_extension",
    "approve_reassignment": "decide_reassignment", "reject_reassignment": "decide_reassignment",
}


class TaskLife(RuleBasedStateMachine):
    """One task of a fresh county, and the people who may or may not act on it."""

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._clock = travel(dt.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI), tick=False)
        self._now = self._clock.start()
        county = County()
        self.units = county.units
        p = county.people
        self.liaisons = {
            self.units["transport"].pk: make_person("jiaotong_lly", self.units["transport"], Role.LIAISON),
            self.units["ndrc"].pk: p["liaison"],
        }
        self.fixed = {"office": p["supervision"], "coop_liaison": p["township_liaison"], "leader": p["leader"], "principal": p["principal"]}
        campaign = Campaign.objects.create(name="2026年执行力亮剑行动", year=2026)
        front = Front.objects.create(campaign=campaign, number=1, name="项目建设战线", lead_unit=self.units["ndrc"])
        task = services.create_task(
            as_actor(p["supervision"]), campaign, title="完成国道改线工程征地拆迁",
            standard="完成征地补偿协议签订\n完成地上附着物清点\n交付施工用地", leader_in_charge=p["leader"],
            lead_unit=self.units["transport"], responsible_person=p["unit_head"], due_date=dt.date(2026, 6, 30),
            start_date=dt.date(2026, 1, 1), report_cycle="monthly:25", reward_penalty="按期完成加2分，逾期扣3分",
            front=front, cooperating_units=[self.units["chengguan"]],
        )
        self.pk = task.pk
        self.finished_in = None  # the final state, once reached

    def teardown(self):
        self._clock.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- who is who, as the task now stands -----------------------------------------------------------

    def task(self) -> Task:
        return Task.objects.get(pk=self.pk)

    def user(self, key: str, task: Task):
        if key == "lead_liaison":
            return self.liaisons[task.lead_unit_id]
        if key == "other_liaison":
            return next(u for unit, u in self.liaisons.items() if unit != task.lead_unit_id)
        return self.fixed[key]

    def pending_extension(self):
        return ExtensionRequest.objects.filter(task_id=self.pk, state=RequestState.PENDING).first()

    def pending_reassignment(self):
        return ReassignRequest.objects.filter(task_id=self.pk, state=RequestState.PENDING).first()

    # --- one step: offered?, call, and what must then hold ---------------------------------------------

    def step(self, action: str, actor: str, offered: bool, run) -> None:
        task = self.task()
        before = footprint(task)
        own_audit = AuditEntry.objects.filter(object_type="ledger.Task", object_id=str(self.pk))
        audit_before = own_audit.count()
        events_before = MatterEvent.objects.filter(kind="ledger.task", matter_id=self.pk).count()
        try:
            run()
        except Conflict as exc:  # one writer at a time here: a conflict would be a bug
            raise AssertionError(f"{action} by {actor}: unexpected conflict {exc.message}") from exc
        except ServiceError as exc:
            assert exc.message, f"{action} by {actor} refused without saying why"
            assert footprint(task) == before, f"{action} by {actor} was refused ({exc.message}) but changed something"
            assert not offered, f"{action} was offered to {actor} in {task.state} but refused: {exc.message}"
            return
        assert offered, f"{action} was not offered to {actor} in {task.state} but went through"
        after = self.task()
        old, new = before["row"], Task.objects.filter(pk=self.pk).values().get()
        name = MACHINE_NAME.get(action, action)
        assert TASK_MACHINE.allows(name, old["state"], new["state"]), f"{action}: {old['state']} → {new['state']} not in the table"
        assert new["version"] == old["version"] + (0 if action in NO_ROW_WRITE else 1), f"{action}: version {old['version']} → {new['version']}"
        assert MatterEvent.objects.filter(kind="ledger.task", matter_id=self.pk).count() == events_before + 1, f"{action}: not one timeline event"
        assert own_audit.count() == audit_before + 1
        entry = own_audit.order_by("-seq").first()
        assert entry.action == AUDIT_ACTION.get(action, f"task.{action}")
        assert entry.before is not None and entry.after is not None
        if action != "request_extension":  # the only call that leaves the light alone (nothing on the row moved)
            stored = (after.light, after.light_reason, after.schedule, after.progress)
            services.refresh_light(after)
            assert (after.light, after.light_reason, after.schedule, after.progress) == stored, f"{action} left a stale light"

    @rule(data=st.data())
    def act(self, data):
        """Someone tries something: half the time an action the pages offer someone now (so that walks
        get somewhere), otherwise any action by anyone (mostly refusals)."""
        task = self.task()
        offers = {}
        for key in ACTORS:
            for action in services.available_actions(task, self.user(key, task)):
                offers.setdefault(action, []).append(key)
        # Ending the walk or splitting the task (its sub-tasks are never closed here) only by the random branch.
        road = sorted(set(offers) - {"cancel", "decompose"})
        if road and data.draw(st.booleans(), label="pick an offered action"):
            action = data.draw(st.sampled_from(road), label="offered action")
            actor = data.draw(st.sampled_from(offers[action]), label="offered to")
        else:
            action = data.draw(st.sampled_from(sorted(CALLS)), label="action")
            actor = data.draw(st.sampled_from(ACTORS), label="actor")
        user = self.user(actor, task)
        offered = action in services.available_actions(task, user)
        self.step(action, actor, offered, lambda: CALLS[action](as_actor(user), task))

    @rule(data=st.data())
    def along_the_main_road(self, data):
        """The next step of 建账 → 立账 → 签收 → 申请销账 → 销账/退回, by someone it is offered to (if any)."""
        task = self.task()
        road = [(action, key) for key in ACTORS for action in services.available_actions(task, self.user(key, task))
                if action in MAIN_ROAD]
        if road:
            action, actor = data.draw(st.sampled_from(road), label="main road")
            user = self.user(actor, task)
            self.step(action, actor, True, lambda: CALLS[action](as_actor(user), task))

    @precondition(lambda self: self.task().state == TaskState.IN_PROGRESS)
    @rule(percent=st.integers(0, 100))
    def lead_unit_reports(self, percent):
        task = self.task()
        user = self.user("lead_liaison", task)
        offered = "report" in services.available_actions(task, user)
        self.step("report", "lead_liaison", offered,
                  lambda: services.report_progress(as_actor(user), task, percent=percent, text=f"完成 {percent}%"))

    @precondition(lambda self: self.pending_extension() is not None)
    @rule(approve=st.booleans(), actor=st.sampled_from(ACTORS))
    def decide_extension(self, approve, actor):
        task, request = self.task(), self.pending_extension()
        user = self.user(actor, task)
        offered = (
            Task.objects.visible_to(user).filter(pk=task.pk).exists() and policies.decides_extension(task, user)
            and task.state in TASK_MACHINE.transitions["decide_extension"].sources
            and (not approve or request.new_due > task.due_date)  # a clock moved past the request is not "extended"
        )
        self.step("approve_extension" if approve else "reject_extension", actor, offered,
                  lambda: services.decide_extension(as_actor(user), request, approve=approve))

    @precondition(lambda self: self.pending_reassignment() is not None)
    @rule(approve=st.booleans(), actor=st.sampled_from(ACTORS))
    def decide_reassignment(self, approve, actor):
        task, request = self.task(), self.pending_reassignment()
        user = self.user(actor, task)
        offered = policies.is_office(user) and task.state in TASK_MACHINE.transitions["decide_reassignment"].sources
        new_unit = next(u for u in (self.units["transport"], self.units["ndrc"]) if u.pk != task.lead_unit_id)
        self.step("approve_reassignment" if approve else "reject_reassignment", actor, offered,
                  lambda: services.decide_reassignment(as_actor(user), request, approve=approve, new_unit=new_unit))

    @rule(days=st.integers(1, 20))
    def time_passes(self, days):
        self._now.shift(dt.timedelta(days=days))

    # --- what holds after every step ----------------------------------------------------------------

    @invariant()
    def the_state_is_a_task_state_and_final_states_stay(self):
        state = self.task().state
        assert state in TaskState.values
        if self.finished_in is not None:
            assert state == self.finished_in, f"left the final state {self.finished_in} for {state}"
        if state in FINISHED_STATES:
            self.finished_in = state

    @invariant()
    def grey_exactly_when_closed_or_cancelled(self):
        task = self.task()
        assert (task.light == "grey") == (task.state in FINISHED_STATES), (task.state, task.light)

    @invariant()
    def the_audit_chain_verifies(self):
        assert audit.verify().ok


@pytest.mark.django_db
def test_random_walks_keep_the_task_machine_honest():
    run_state_machine_as_test(TaskLife, settings=settings(
        max_examples=50, stateful_step_count=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]))
    assert audit.verify().ok


# --- the same property, exhaustively: every actor, every action, in every state a task can be in ------


EVERYONE = ["supervision", "principal", "leader", "other_leader", "unit_head", "lead_liaison", "section_liaison",
            "other_liaison", "coop_liaison", "business"]


class _Rollback(Exception):
    pass


def _succeeds(action: str, user, task: Task) -> bool:
    """Whether the call goes through (then undone); a refusal must be about state or permission."""
    try:
        with transaction.atomic():
            call(action, user, Task.objects.get(pk=task.pk))
            raise _Rollback
    except _Rollback:
        return True
    except Conflict:
        raise
    except ServiceError:
        return False


def _task_in(state: str, people, make_task, county) -> Task:
    office, liaison, principal = as_actor(people["supervision"]), as_actor(people["lead_liaison"]), as_actor(people["principal"])
    chengguan = county.units["chengguan"]
    if state == "standing":
        task = make_task(standing=True, due_date=None, cooperating_units=[chengguan])
        services.sign_task(liaison, task)
        return reload(task)
    task = make_task(register=state not in {"draft", "draft_cancelled"}, cooperating_units=[chengguan])
    steps = {
        "draft": [],
        "draft_cancelled": [lambda t: services.cancel_task(principal, t, reason="重复")],
        "assigned": [],
        "in_progress": ["sign"],
        "paused": ["sign", lambda t: services.pause_clock(office, t, reason="等待")],
        "extension_pending": ["sign", lambda t: services.request_extension(liaison, t, new_due=D(2027, 3, 31), reason="等待")],
        "reassign_pending": ["sign", lambda t: services.request_reassignment(liaison, t, reason="不是我们的")],
        "parent_with_open_children": ["sign", lambda t: services.decompose_task(office, t, [{"lead_unit": t.lead_unit}])],
        "completion_requested": ["sign", lambda t: services.request_completion(liaison, t, summary="完成", no_evidence_reason="已现场核验")],
        "suspended": ["sign", lambda t: services.suspend_task(principal, t, reason="暂缓")],
        "closed": ["sign", lambda t: services.request_completion(liaison, t, summary="完成", no_evidence_reason="已现场核验"),
                   lambda t: services.close_task(office, t, checklist=[True, True, True], grade="good")],
        "cancelled": ["sign", lambda t: services.cancel_task(principal, t, reason="撤销")],
    }[state]
    for step in steps:
        if step == "sign":
            services.sign_task(liaison, reload(task))
        else:
            step(reload(task))
    return reload(task)


@pytest.mark.parametrize("state", [
    "draft", "draft_cancelled", "assigned", "in_progress", "paused", "extension_pending", "reassign_pending",
    "parent_with_open_children", "standing", "completion_requested", "suspended", "closed", "cancelled",
])
@pytest.mark.django_db
def test_every_actor_is_offered_exactly_the_actions_the_services_then_allow(state, county, people, make_task, time_machine):
    at(time_machine, "2026-06-01 09:00")
    task = _task_in(state, people, make_task, county)
    for key in EVERYONE:
        user = people[key]
        offered = services.available_actions(task, user)
        allowed = [action for action in CALLS if _succeeds(action, user, task)]
        assert sorted(offered) == sorted(allowed), f"{state} / {key}"


@pytest.mark.django_db
def test_deciding_requests_is_for_the_leader_in_charge_and_the_office(people, make_task, time_machine):
    at(time_machine, "2026-06-01 09:00")
    task = make_task()
    liaison = as_actor(people["lead_liaison"])
    services.sign_task(liaison, task)
    extension = services.request_extension(liaison, reload(task), new_due=D(2027, 3, 31), reason="等待")
    reassignment = services.request_reassignment(liaison, reload(task), reason="不是我们的", suggested_unit=people["liaison"].unit)

    def may(decide, request, key):
        try:
            with transaction.atomic():
                decide(as_actor(people[key]), request, approve=True)
                raise _Rollback
        except _Rollback:
            return True
        except NotAllowed:
            return False

    assert {k for k in EVERYONE if may(services.decide_extension, extension, k)} == {"leader", "principal"}
    assert {k for k in EVERYONE if may(services.decide_reassignment, reassignment, k)} == {"supervision"}
