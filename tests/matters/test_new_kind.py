"""A kind of matter defined only here — an errand (跑腿事项) with two states — plugs into the kernel through the
registry alone: the runner takes its transitions, the sweep chases it on the default ladder, its light is
stored, and the 中梗阻 analytics show it, with no line of supervision/ or matters/ naming it.

This is the pattern appeals, project procedures and hazards follow: a model on `matters.models.Matter`, a
state machine with who-may beside each move, a `MatterKind`, and its obstruction columns.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.db import connection, models

from duban.core.actor import Actor
from duban.core.errors import NotAllowed
from duban.core.models import AuditEntry
from duban.core.scope import ScopedQuerySet, unit_scope, works_for
from duban.matters import clock, registry
from duban.matters import services as kernel
from duban.matters.choices import Light
from duban.matters.machine import StateMachine, Transition
from duban.matters.models import Matter, MatterEvent, MatterQuerySet
from duban.notify.models import Notification
from duban.supervision.choices import ActionKind
from duban.supervision.models import SupervisionAction
from duban.supervision.sweep import sweep
from tests.ledger.moves import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)  # the errand's table is made and dropped by the test


def moment(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=9, tzinfo=SHANGHAI)


class ErrandState(models.TextChoices):
    OPEN = "open", "办理中"
    DONE = "done", "已办结"


@pytest.fixture
def errands():
    """The errand model, its table and its kind; all taken out again afterwards."""

    class ErrandQuerySet(MatterQuerySet, ScopedQuerySet):
        def visible_to(self, user):
            return unit_scope(user).filter(self, "lead_unit_id")

    class Errand(Matter):
        state = models.CharField(max_length=24, choices=ErrandState.choices, default=ErrandState.OPEN)
        code = models.CharField(max_length=24, unique=True)
        title = models.CharField(max_length=200)
        objects = ErrandQuerySet.as_manager()

        class Meta:
            app_label = "matters"
            db_table = "test_errand"
            managed = False  # not in migrations, not in backups

    machine = StateMachine(ErrandState, [
        Transition("finish", "办结", {ErrandState.OPEN}, ErrandState.DONE, event="finished",
                   may=lambda errand, user: works_for(user, errand.lead_unit_id), refusal="只有承办单位的联络员或负责人可以办结。"),
    ])
    kind = registry.register(registry.MatterKind(
        key="tests.errand", label="跑腿事项", model=Errand, noun="该事项", machine=machine,
        chased_states=(ErrandState.OPEN,), open_states=(ErrandState.OPEN,), finished_states=(ErrandState.DONE,),
        url=lambda code: f"/errands/{code}/", audit_prefix="errand", audited=("state", "version", "due_date"),
        obstruction=registry.Obstruction(columns=("in_hand", "dwell", "idle"), idle_states=(ErrandState.OPEN,),
                                         arrival_events=("created",)),
    ))
    with connection.schema_editor() as editor:
        editor.create_model(Errand)
    try:
        yield kind
    finally:
        registry.unregister(kind.key)
        with connection.schema_editor() as editor:
            editor.delete_model(Errand)
        del apps.all_models["matters"]["errand"]
        apps.clear_cache()


def open_errand(kind, county, code: str, due: dt.date):
    errand = kind.model.objects.create(code=code, title=f"代办营业执照变更 {code}", lead_unit=county.units["transport"],
                                       leader_in_charge=county.people["leader"], start_date=dt.date(2026, 9, 1), due_date=due)
    kernel.created(Actor.system("tests"), errand, text="登记")
    return errand


def test_a_kind_defined_in_a_test_is_run_chased_lit_and_analysed(county, errands, time_machine):
    time_machine.move_to(moment("2026-09-01"), tick=False)
    late = open_errand(errands, county, "E-1", dt.date(2026, 9, 30))
    other = open_errand(errands, county, "E-2", dt.date(2026, 12, 31))
    assert (late.light, MatterEvent.objects.filter(kind="tests.errand").count()) == (Light.GREEN, 2)

    # The sweep chases it on the default ladder: 提醒, 催办, then the notice three working days after the due
    # date (the National Day holiday counts for nothing), in the engine's own words for a kind that has none.
    time_machine.move_to(moment("2026-10-10"), tick=False)
    result = sweep(moment("2026-10-10"))
    assert (result.actions, result.notices) == (3, 1)
    fired = SupervisionAction.objects.filter(matter_id=late.pk, matter_type__model="errand").order_by("id")
    assert [(a.kind, str(a.issued_on), a.target_unit.name) for a in fired] == [
        (ActionKind.REMIND, "2026-09-24", "县交通运输局"), (ActionKind.URGE, "2026-09-30", "县交通运输局"),
        (ActionKind.NOTICE, "2026-10-10", "县交通运输局")]
    assert fired[1].text == "跑腿事项“代办营业执照变更 E-1”（编号 E-1）完成时限为2026年9月30日，已到期，当前进度 0%。请立即办结；未能办结的，请说明原因和下步打算。"
    assert "申请销账" not in " ".join(a.text for a in fired)  # the ledger's words stay the ledger's
    assert set(Notification.objects.filter(kind="supervision.notice").values_list("url", flat=True)) == {"/errands/E-1/"}
    late.refresh_from_db()
    assert (late.light, late.light_reason, late.under_notice) == (Light.RED, "已逾期（完成时限 2026年9月30日）", True)
    assert clock.shown_reason(late, dt.date(2026, 10, 10)) == "已逾期 3 个工作日（完成时限 2026年9月30日）"
    assert sweep(moment("2026-10-10")).writes == 0  # again at the same time: nothing

    # The runner takes its transition: who may is the kind's own declaration, refused means nothing changed.
    outsider = Actor(user=county.people["liaison"])  # 县发展和改革局: not the errand's unit
    footprint = (MatterEvent.objects.count(), AuditEntry.objects.count(), list(errands.model.objects.values_list("state", "version")))
    with pytest.raises(NotAllowed, match="事项 E-2 不在您的职责范围内"):
        kernel.perform(outsider, other, "finish", changes={"state": ErrandState.DONE})
    assert footprint == (MatterEvent.objects.count(), AuditEntry.objects.count(), list(errands.model.objects.values_list("state", "version")))
    done = kernel.perform(Actor(user=county.people["unit_head"]), other, "finish", changes={"state": ErrandState.DONE}, text="已办结")
    other.refresh_from_db()
    assert (other.state, other.version, other.light, done.event.event, done.event.unit_id) == (
        ErrandState.DONE, 2, Light.GREY, "finished", county.units["transport"].pk)
    assert AuditEntry.objects.filter(action="errand.finish", object_id=str(other.pk)).count() == 1

    # 中梗阻: the errands have a tab of their own with the columns the kind declares.
    page = county.client("supervision").get("/supervision/obstruction/", {"matter": "tests.errand", "idle": 5})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-matter="tests.errand"' in html and 'data-matter="ledger.task"' in html
    row = re.search(rf'<tr data-unit="{county.units["transport"].pk}">(.*?)</tr>', html, re.S)[1]
    assert re.findall(r'data-figure="(\w+)"[^>]*>([^<]*)<', row) == [("in_hand", "1"), ("dwell", "24"), ("idle", "1")]
    assert "退回整改" not in html.split('data-testid="obstruction-table"', 1)[1].split("</thead>", 1)[0]
