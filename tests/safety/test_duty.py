"""Duty rosters (值班值守, SPEC §7, issue 10 acceptance 2): a shift on a critical post that nobody confirms becomes a
matter of the township, in its inbox at once; a non-critical post produces nothing; the job run twice makes
nothing twice; the person on duty confirms in one tap, late confirmation closes the lapse as 补确认.

Given, in 城关镇: a critical lookout (后山瞭望哨) and a grid cell (东关网格) that is not critical; the grid worker
韩网格 on duty at both on Monday 1 June 2026, 08:00–18:00.
"""

import datetime as dt

import pytest

from duban.core.errors import NotAllowed, ServiceError
from duban.core.jobs import get_job
from duban.core.models import AuditEntry
from duban.matters.choices import Light
from duban.matters.models import MatterEvent
from duban.notify.models import Notification
from duban.safety.choices import LapseState, PostKind, ShiftState
from duban.safety.models import DutyLapse, DutyPost, Shift
from duban.safety.services import duty
from tests import kit
from tests.conftest import make_person
from tests.safety.conftest import CST, as_actor, at

pytestmark = pytest.mark.django_db

TABLES = kit.tables_for("safety")


def moment(day: str, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=CST)


@pytest.fixture
def posts(county, township_head):
    town = county.units["chengguan"]
    with at("2026-05-20"):
        lookout = duty.save_post(as_actor(township_head), name="后山瞭望哨", township=town, kind=PostKind.LOOKOUT, critical=True)
        grid = duty.save_post(as_actor(county.people["township_liaison"]), name="东关网格", township=town, kind=PostKind.GRID)
    return lookout, grid


@pytest.fixture
def shifts(county, posts, grid_worker, township_head):
    lookout, grid = posts
    with at("2026-05-20"):
        [on_lookout] = duty.schedule_shifts(as_actor(township_head), lookout, first=dt.date(2026, 6, 1), people=[grid_worker])
        [on_grid] = duty.schedule_shifts(as_actor(township_head), grid, first=dt.date(2026, 6, 1), people=[grid_worker])
    return on_lookout, on_grid


def fresh(shift):
    return Shift.objects.get(pk=shift.pk)


def run_job(day: str, hour: int, minute: int = 0):
    with at(day, hour):
        return get_job("safety.duty_lapses").body(moment(day, hour, minute))


# --- acceptance 2 ----------------------------------------------------------------------------------------

def test_an_unconfirmed_shift_on_a_critical_post_becomes_a_matter_in_the_townships_inbox(county, shifts, township_head):
    on_lookout, on_grid = shifts
    assert run_job("2026-06-01", 8, 25) is None  # within the grace of 30 minutes: nothing yet
    assert not DutyLapse.objects.exists()
    said = run_job("2026-06-01", 8, 30)
    lapse = DutyLapse.objects.get()
    assert said == "值守未确认 1 项，发送消息 2 条"
    assert (lapse.code, lapse.shift, lapse.state, lapse.lead_unit, lapse.due_date, lapse.light) == (
        "ZB2026-00001", on_lookout, LapseState.OPEN, county.units["chengguan"], dt.date(2026, 6, 1), Light.RED)
    assert lapse.title == "城关镇后山瞭望哨6月1日 08:00–18:00 班次未确认到岗（韩网格）"
    # The township's head and its liaison hear of it at once, urgently, with the link to the matter.
    told = Notification.objects.filter(kind="safety.duty_lapse").order_by("recipient_id")
    assert [n.recipient for n in told] == [county.people["township_liaison"], township_head]
    note = told.get(recipient=township_head)
    assert (note.title, note.url, note.urgent) == ("值守未确认：后山瞭望哨 08:00–18:00", f"/safety/duty/lapses/{lapse.code}/", True)
    home = county.client("township_liaison").get("/").content.decode()
    assert lapse.code in home and "值守未确认" in home
    inbox = county.client("township_liaison").get("/inbox/").content.decode()
    assert "值守未确认：后山瞭望哨" in inbox
    # The grid cell is not critical: its shift, as unconfirmed, produces nothing.
    assert not DutyLapse.objects.filter(shift=on_grid).exists()


def test_the_job_run_twice_makes_nothing_twice(county, shifts):
    run_job("2026-06-01", 9)
    assert run_job("2026-06-01", 9, 5) is None
    assert run_job("2026-06-01", 12) is None
    assert DutyLapse.objects.count() == 1
    assert Notification.objects.filter(kind="safety.duty_lapse").count() == 2
    assert MatterEvent.objects.filter(kind="safety.duty_lapse").count() == 1


def test_a_confirmation_arriving_late_closes_the_lapse_as_confirmed_late(county, shifts, grid_worker):
    on_lookout, _grid = shifts
    run_job("2026-06-01", 9)
    with at("2026-06-01", 10):
        duty.confirm_handover(as_actor(grid_worker), fresh(on_lookout), note="山上信号差，到岗后补确认")
    lapse = DutyLapse.objects.get()
    shift = fresh(on_lookout)
    assert (shift.state, shift.confirmed_by, shift.confirmed_at) == (ShiftState.CONFIRMED, grid_worker, moment("2026-06-01", 10))
    assert (lapse.state, lapse.closed_by, lapse.reason, lapse.light) == (LapseState.CONFIRMED_LATE, grid_worker, "10:00 补确认到岗", Light.GREY)
    assert list(MatterEvent.objects.filter(kind="safety.duty_lapse").values_list("event", flat=True).order_by("id")) == ["raised", "confirmed_late"]
    assert run_job("2026-06-01", 10, 5) is None


def test_the_township_closes_a_lapse_with_what_happened(county, shifts, township_head, grid_worker):
    run_job("2026-06-01", 9)
    lapse = DutyLapse.objects.get()
    with at("2026-06-01", 9):
        with pytest.raises(NotAllowed, match="不在您的职责范围内"):
            duty.close_lapse(as_actor(county.people["liaison"]), lapse, reason="不知道")
        with pytest.raises(ServiceError, match="请填写关闭说明"):
            duty.close_lapse(as_actor(township_head), DutyLapse.objects.get(), reason=" ")
        duty.close_lapse(as_actor(township_head), DutyLapse.objects.get(), reason="临时调整，由李四顶岗")
    lapse = DutyLapse.objects.get()
    assert (lapse.state, lapse.reason, lapse.closed_by) == (LapseState.CLOSED, "临时调整，由李四顶岗", township_head)


def test_a_confirmed_or_cancelled_shift_produces_nothing(county, shifts, grid_worker, township_head):
    on_lookout, _grid = shifts
    with at("2026-06-01", 7):
        duty.confirm_handover(as_actor(grid_worker), fresh(on_lookout))
    assert run_job("2026-06-01", 9) is None
    with at("2026-05-25"):
        [tomorrow] = duty.schedule_shifts(as_actor(township_head), on_lookout.post, first=dt.date(2026, 6, 2), people=[grid_worker])
        duty.cancel_shift(as_actor(township_head), tomorrow, reason="人员调整")
    assert run_job("2026-06-02", 12) is None
    assert not DutyLapse.objects.exists()


# --- confirming: who, when; refused means nothing changed ----------------------------------------------------

def test_the_person_on_duty_confirms_in_one_tap_within_the_window(county, shifts, grid_worker):
    on_lookout, _grid = shifts
    with at("2026-06-01", 7):  # an hour before the start
        duty.confirm_handover(as_actor(grid_worker), fresh(on_lookout))
    shift = fresh(on_lookout)
    assert (shift.state, shift.confirmed_at, shift.note) == (ShiftState.CONFIRMED, moment("2026-06-01", 7), "")
    assert AuditEntry.objects.filter(action="duty.shift.confirm", object_id=str(shift.pk)).count() == 1


@pytest.mark.parametrize(("who", "day", "hour", "minute", "refusal"), [
    ("other", "2026-06-01", 9, 0, "该班次的值班人员是韩网格，只有本班值班人员可以确认到岗。"),
    ("worker", "2026-05-31", 9, 0, "该班次是6月1日的班，请在值班当天确认到岗。"),
    ("worker", "2026-06-01", 6, 59, "该班次08:00开始，07:00起才能确认到岗。"),
    ("worker", "2026-06-01", 18, 1, "该班次已于6月1日18:00结束，不能再确认到岗；如有情况请告知乡镇说明。"),
    ("worker", "2026-06-02", 9, 0, "该班次已于6月1日18:00结束，不能再确认到岗；如有情况请告知乡镇说明。"),
])
def test_a_confirmation_refused_changes_nothing(county, shifts, grid_worker, who, day, hour, minute, refusal):
    on_lookout, _grid = shifts
    person = grid_worker if who == "worker" else county.people["township_liaison"]
    import time_machine

    with time_machine.travel(moment(day, hour, minute), tick=False):
        with kit.refused(TABLES, on_lookout, ServiceError) as caught:
            duty.confirm_handover(as_actor(person), fresh(on_lookout))
    assert str(caught.value) == refusal


def test_the_second_person_may_confirm_and_a_night_shift_until_the_next_morning(county, posts, grid_worker, township_head):
    lookout, _grid = posts
    partner = make_person("dongguan_huling", county.units["dongguan"], full_name="护林员老杨")
    with at("2026-05-20"):
        [night] = duty.schedule_shifts(as_actor(township_head), lookout, first=dt.date(2026, 6, 1), people=[grid_worker],
                                       second_people=[partner], start_time=dt.time(20), end_time=dt.time(8))
    assert night.hours == "20:00–次日08:00"
    with at("2026-06-02", 7):
        duty.confirm_handover(as_actor(partner), fresh(night))
    assert fresh(night).confirmed_by == partner


# --- posts and rosters ----------------------------------------------------------------------------------------

def test_a_whole_roster_in_one_go_rotates_the_people(county, posts, grid_worker, township_head):
    lookout, _grid = posts
    partner = make_person("dongguan_huling", county.units["dongguan"], full_name="护林员老杨")
    with at("2026-05-20"):
        made = duty.schedule_shifts(as_actor(county.people["safety"]), lookout, first=dt.date(2026, 6, 1), last=dt.date(2026, 6, 5),
                                    people=[grid_worker, partner])
        assert [(s.date.day, s.person.full_name) for s in made] == [(1, "韩网格"), (2, "护林员老杨"), (3, "韩网格"), (4, "护林员老杨"), (5, "韩网格")]
        with pytest.raises(ServiceError, match="后山瞭望哨在6月3日、6月4日已有 08:00 开始的班次"):
            duty.schedule_shifts(as_actor(township_head), lookout, first=dt.date(2026, 6, 3), last=dt.date(2026, 6, 4), people=[partner])
        with pytest.raises(ServiceError, match="不能给已经过去的日期排班"):
            duty.schedule_shifts(as_actor(township_head), lookout, first=dt.date(2026, 5, 19), people=[partner])
    assert AuditEntry.objects.filter(action="duty.shift.schedule").count() == 5


def test_only_the_township_and_the_safety_office_keep_posts_and_set_critical(county, posts, other_township):
    lookout, _grid = posts
    for key in ("liaison", "unit_head", "business", "leader", "supervision"):
        with kit.refused(TABLES, lookout, NotAllowed):
            duty.save_post(as_actor(county.people[key]), lookout, name="后山瞭望哨", township=lookout.township, critical=False)
    with kit.refused(TABLES, lookout, NotAllowed):
        duty.save_post(as_actor(county.people["township_liaison"]), name="关庙检查站", township=other_township, critical=True)
    duty.save_post(as_actor(county.people["safety"]), lookout, name="后山瞭望哨", township=lookout.township, critical=False)
    assert DutyPost.objects.get(pk=lookout.pk).critical is False
    assert AuditEntry.objects.filter(action="duty.post.update").count() == 1
