"""The wording of a deadline (完成时限原文) stays true when the date moves: an approved extension, a
resumed clock, the office's edit of the date, a sub-task with a date of its own. The new wording is the
exact date ("2027年3月31日前") unless the caller words it; the old wording stays in the audit trail."""

import datetime as dt

import pytest

from duban.core.models import AuditEntry
from duban.ledger import services
from duban.ledger.deadlines import parse_deadline
from duban.ledger.models import Task
from tests.ledger.conftest import as_actor
from tests.ledger.moves import at, people, reload  # noqa: F401 — people is a fixture

pytestmark = pytest.mark.django_db

D = dt.date
OLD = "2026年11月底前"


def entry(task: Task, action: str) -> AuditEntry:
    return AuditEntry.objects.filter(object_id=str(task.pk), action=action).order_by("-seq").first()


@pytest.fixture
def signed(people, make_task, time_machine):
    at(time_machine, "2026-06-01 09:00")
    task = make_task(due_date=D(2026, 11, 30), deadline_text=OLD)
    services.sign_task(as_actor(people["lead_liaison"]), task)
    return reload(task)


def test_the_exact_wording_reads_back_as_the_same_date():
    for day in (D(2027, 3, 31), D(2026, 10, 8), D(2026, 1, 1)):
        assert parse_deadline(services.deadline_wording(day), day.year).due_date == day
    assert services.deadline_wording(D(2027, 3, 31)) == "2027年3月31日前"


def test_an_approved_extension_rewords_the_deadline_and_a_refused_one_does_not(people, signed):
    liaison, leader = as_actor(people["lead_liaison"]), as_actor(people["leader"])
    refused = services.request_extension(liaison, signed, new_due=D(2027, 1, 29), reason="等待批复")
    services.decide_extension(leader, refused, approve=False)
    assert reload(signed).deadline_text == OLD
    request = services.request_extension(liaison, reload(signed), new_due=D(2027, 3, 31), reason="等待批复")
    services.decide_extension(leader, request, approve=True)
    task = reload(signed)
    assert (task.due_date, task.deadline_text) == (D(2027, 3, 31), "2027年3月31日前")
    approved = entry(task, "task.approve_extension")
    assert (approved.before["deadline_text"], approved.after["deadline_text"]) == (OLD, "2027年3月31日前")


def test_a_resumed_clock_rewords_the_deadline_it_moved(people, signed, time_machine):
    office = as_actor(people["supervision"])
    services.pause_clock(office, signed, reason="等待省厅批复")
    services.resume_clock(office, reload(signed))  # the same day: nothing stood still, nothing moves
    assert (reload(signed).due_date, reload(signed).deadline_text) == (D(2026, 11, 30), OLD)
    services.pause_clock(office, reload(signed), reason="等待省厅批复")
    at(time_machine, "2026-06-08 09:00")
    services.resume_clock(office, reload(signed))  # five working days
    task = reload(signed)
    assert (task.due_date, task.deadline_text) == (D(2026, 12, 7), "2026年12月7日前")
    resumed = entry(task, "task.resume_clock")
    assert (resumed.before["deadline_text"], resumed.after["deadline_text"]) == (OLD, "2026年12月7日前")


def test_reopening_a_suspended_task_rewords_the_deadline_its_clock_moved(people, signed, time_machine):
    principal = as_actor(people["principal"])
    services.suspend_task(principal, signed, reason="规划调整")
    at(time_machine, "2026-06-08 09:00")
    services.reopen_task(principal, reload(signed))
    assert (reload(signed).due_date, reload(signed).deadline_text) == (D(2026, 12, 7), "2026年12月7日前")
    assert entry(signed, "task.reopen").before["deadline_text"] == OLD


def test_the_offices_edit_of_the_date_rewords_it_unless_it_words_the_date_itself(people, signed):
    office = as_actor(people["supervision"])
    services.update_task(office, signed, due_date=D(2026, 11, 20), deadline_text=OLD)  # the form sends the old wording back
    task = reload(signed)
    assert (task.due_date, task.deadline_text) == (D(2026, 11, 20), "2026年11月20日前")
    assert entry(task, "task.update").before["deadline_text"] == OLD
    services.update_task(office, task, due_date=D(2026, 10, 31), deadline_text="10月底前")
    assert reload(task).deadline_text == "10月底前"
    services.update_task(office, reload(task), title="国道改线工程征地拆迁及管线迁改")  # the date stays: so does its wording
    assert reload(task).deadline_text == "10月底前"


def test_a_sub_task_with_its_own_date_gets_the_wording_of_that_date(county, people, signed):
    office = as_actor(people["supervision"])
    same, own, worded = services.decompose_task(office, signed, [
        {"lead_unit": county.units["transport"]},
        {"lead_unit": county.units["ndrc"], "due_date": D(2026, 10, 30)},
        {"lead_unit": county.units["chengguan"], "due_date": D(2026, 9, 30), "deadline_text": "第三季度"},
    ])
    assert [(t.due_date, t.deadline_text) for t in (reload(same), reload(own), reload(worded))] == [
        (D(2026, 11, 30), OLD), (D(2026, 10, 30), "2026年10月30日前"), (D(2026, 9, 30), "第三季度")]
