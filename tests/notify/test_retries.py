"""Retries: each attempt logged on the delivery, retried after its delay, failed for good after the last one."""

from __future__ import annotations

import datetime as dt

import pytest

from duban.notify import delivery as deliveries
from duban.notify.choices import DeliveryState
from duban.notify.models import Delivery, Notification, UnitChannel
from duban.notify.services import Message, send
from tests.notify.conftest import OK, WORKING, at

BUSY = (200, {"errcode": 45009, "errmsg": "api freq out of limit"})


@pytest.fixture
def robot(county, receiver):
    return UnitChannel.objects.create(unit=county.units["transport"], kind="wecom", webhook_url=receiver.url("/send?key=k"))


def notice(county):
    return [Message(recipient=county.people["unit_head"], title="督办通知", body="请书面回复。", url="/ledger/tasks/2026-0001/",
                    unit=county.units["transport"])]


def test_a_robot_that_fails_twice_then_answers_shows_three_attempts(county, robot, receiver, committed, time_machine):
    at(time_machine, WORKING)
    receiver.answer(BUSY, (502, "Bad Gateway"), OK)
    committed(send, notice(county))

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (DeliveryState.SENT, 3, "")
    assert [(a["attempt"], a["ok"], a["status"], a["error"]) for a in delivery.log] == [
        (1, False, 200, "errcode 45009：api freq out of limit"),
        (2, False, 502, "HTTP 502"),
        (3, True, 200, ""),
    ]
    assert len(receiver.requests) == 3
    assert receiver.requests[0]["json"] == receiver.requests[2]["json"]  # the same post each time
    assert Notification.objects.filter(recipient=county.people["unit_head"], title="督办通知").count() == 1

    page = county.client("supervision").get("/inbox/deliveries/").content.decode()
    assert f'data-id="{delivery.pk}" data-state="sent"' in page
    assert "errcode 45009：api freq out of limit" in page and "HTTP 502" in page
    assert page.count('<li data-ok="0">') == 2 and page.count('<li data-ok="1">') == 1


def test_a_robot_that_never_answers_well_ends_failed_and_the_inbox_copy_stays(county, robot, receiver, committed, time_machine):
    at(time_machine, WORKING)
    receiver.default = (500, "down")
    committed(send, notice(county))

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at, delivery.last_error) == (DeliveryState.FAILED, 4, None, "HTTP 500")
    assert len(delivery.log) == 4 == len(receiver.requests)
    assert Notification.objects.filter(recipient=county.people["unit_head"]).count() == 1

    page = county.client("supervision").get("/inbox/deliveries/", {"state": "failed"}).content.decode()
    assert f'data-id="{delivery.pk}" data-state="failed"' in page
    assert "发送失败" in page


def test_retries_wait_their_delay_and_the_periodic_job_picks_them_up(county, robot, receiver, committed, time_machine, settings):
    start = at(time_machine, WORKING)
    settings.DUBAN_NOTIFY_RETRY_DELAYS = [60, 300]
    receiver.default = (500, "down")
    committed(send, notice(county))

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == (DeliveryState.PENDING, 1, start + dt.timedelta(seconds=60))
    assert deliveries.deliver_due(start + dt.timedelta(seconds=59)) == {}  # not yet due: nothing is attempted
    assert len(receiver.requests) == 1

    time_machine.move_to(start + dt.timedelta(seconds=60), tick=False)
    assert deliveries.deliver_due() == {300: [delivery.pk]}
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == (DeliveryState.PENDING, 2, start + dt.timedelta(seconds=360))

    time_machine.move_to(start + dt.timedelta(seconds=360), tick=False)
    receiver.default = OK
    assert deliveries.deliver_due() == {}
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.sent_at) == (DeliveryState.SENT, 3, start + dt.timedelta(seconds=360))


def test_a_delivery_is_attempted_once_even_if_two_workers_hold_it(county, robot, receiver, time_machine):
    at(time_machine, WORKING)
    send(notice(county))  # not committed: no job ran; two workers now race for the row
    delivery = Delivery.objects.get()
    stale = Delivery.objects.get(pk=delivery.pk)

    assert deliveries.deliver([delivery.pk]) == {}
    assert deliveries._claim(stale) is False  # the second worker read the row before the first claimed it
    assert deliveries.deliver([delivery.pk]) == {}  # and a late job finds nothing due
    assert len(receiver.requests) == 1
    assert Delivery.objects.get().attempts == 1


def test_a_robot_switched_off_before_its_post_went_out_is_not_retried(county, robot, receiver, time_machine):
    at(time_machine, WORKING)
    send(notice(county))
    UnitChannel.objects.filter(pk=robot.pk).update(enabled=False)
    deliveries.deliver(Delivery.objects.values_list("pk", flat=True))
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (DeliveryState.FAILED, 1, "该群机器人已停用或删除，不再发送")
    assert receiver.requests == []
