"""The daily digest: on working mornings, one e-mail per person with unread messages, one post per robot
for what was held overnight; once a day across all runs."""

from __future__ import annotations

import pytest
from django.core import mail

from duban.notify import digest, tasks
from duban.notify.choices import Channel, DeliveryState
from duban.notify.models import Delivery, DigestRun, Notification, UnitChannel
from duban.notify.services import Message, mark_read, send
from tests.notify.conftest import EVENING, NEXT_MORNING, SATURDAY, WORKING, at


@pytest.fixture
def people(county, email_on):
    p = county.people
    for key, address in (("unit_head", "zhou@jiaotong.example.gov.cn"), ("liaison", "zheng@fagai.example.gov.cn")):
        p[key].email = address
        p[key].save()
    return p


@pytest.fixture
def robot(county, receiver):
    return UnitChannel.objects.create(unit=county.units["transport"], kind="wecom", webhook_url=receiver.url("/send?key=k"))


def msg(person, title, *, urgent=False, unit=None, url="/ledger/tasks/2026-0001/"):
    return Message(recipient=person, title=title, body="正文", url=url, urgent=urgent, unit=unit)


def test_held_messages_go_out_in_the_next_working_mornings_digest(county, people, robot, receiver, committed, time_machine):
    transport = county.units["transport"]
    at(time_machine, WORKING)
    committed(send, [msg(people["unit_head"], "上午的提醒", unit=transport)])  # pushed at once, left unread
    at(time_machine, EVENING)
    committed(send, [
        msg(people["unit_head"], "晚间催办：国道改线", unit=transport),
        msg(people["unit_head"], "晚间紧急督办", urgent=True, unit=transport),
        msg(people["liaison"], "晚间提醒：报送进展", url=""),
    ])
    assert len(mail.outbox) == 2 and len(receiver.requests) == 2  # the morning's and the urgent one
    held = set(Delivery.objects.filter(state=DeliveryState.HELD).values_list("channel", "title"))
    assert held == {(Channel.EMAIL, "晚间催办：国道改线"), (Channel.WECOM, "晚间催办：国道改线"), (Channel.EMAIL, "晚间提醒：报送进展")}
    mail.outbox.clear()
    receiver.requests.clear()

    morning = at(time_machine, NEXT_MORNING)
    run = committed(digest.send_digests, morning)

    assert (run.day.isoformat(), run.people, run.robots) == ("2026-03-12", 2, 1)
    assert not Delivery.objects.filter(state=DeliveryState.HELD).exists()
    assert Delivery.objects.filter(state=DeliveryState.MERGED).count() == 3
    by_person = {m.to[0]: m for m in mail.outbox}
    zhou = by_person["zhou@jiaotong.example.gov.cn"]
    assert zhou.subject == "【督办】每日消息汇总：您有 3 条未读消息"
    ids = list(Notification.objects.filter(recipient=people["unit_head"]).order_by("-urgent", "-created_at", "-id").values_list("pk", flat=True))
    site = "https://duban.example.gov.cn"
    assert zhou.body.split("\n\n")[0] == "\n".join([
        "周局长，您好！",
        "您在县重点工作督办系统中有 3 条未读消息，其中紧急 1 条：",
        f"1. 【紧急】晚间紧急督办（3月11日 20:00）\n   {site}/inbox/{ids[0]}/",
        f"2. 晚间催办：国道改线（3月11日 20:00）\n   {site}/inbox/{ids[1]}/",
        f"3. 上午的提醒（3月11日 10:00）\n   {site}/inbox/{ids[2]}/",
    ])
    assert f"查看：{site}/inbox/?unread=1" in zhou.body
    assert by_person["zheng@fagai.example.gov.cn"].subject == "【督办】每日消息汇总：您有 1 条未读消息"

    [post] = receiver.requests
    assert post["json"]["markdown"]["content"] == (
        "### 督办消息汇总（3月12日）\n\n以下 1 条消息在非工作时间产生，现汇总推送：\n"
        f"1. [晚间催办：国道改线]({site}/ledger/tasks/2026-0001/)\n\n> 县重点工作督办系统")
    assert Delivery.objects.filter(digest_on=run.day, state=DeliveryState.SENT).count() == 3


def test_the_digest_goes_out_once_a_day(county, people, committed, time_machine):
    at(time_machine, EVENING)
    committed(send, [msg(people["liaison"], "晚间提醒")])
    morning = at(time_machine, NEXT_MORNING)
    assert committed(digest.send_digests, morning) is not None
    assert committed(digest.send_digests, morning) is None  # a second node, or the next 5-minute run
    assert DigestRun.objects.count() == 1
    assert len(mail.outbox) == 1


def test_read_messages_are_not_in_the_digest_and_nobody_with_nothing_unread_gets_one(county, people, committed, time_machine):
    at(time_machine, EVENING)
    committed(send, [msg(people["liaison"], "晚间提醒")])
    mark_read(people["liaison"], Notification.objects.get())
    run = committed(digest.send_digests, at(time_machine, NEXT_MORNING))
    assert (run.people, run.robots) == (0, 0)
    assert mail.outbox == []
    assert Delivery.objects.get().state == DeliveryState.MERGED


@pytest.mark.parametrize("when", [EVENING, SATURDAY, "2026-03-12 08:29"])
def test_no_digest_outside_working_hours(county, people, committed, time_machine, when):
    at(time_machine, "2026-03-11 19:00")
    committed(send, [msg(people["liaison"], "晚间提醒")])
    assert committed(digest.send_digests, at(time_machine, when)) is None
    assert not DigestRun.objects.exists()
    assert Delivery.objects.get().state == DeliveryState.HELD


def test_a_long_unread_list_is_cut_and_counted(county, people, committed, time_machine):
    at(time_machine, EVENING)
    committed(send, [msg(people["liaison"], f"提醒 {i}") for i in range(digest.LISTED + 5)])
    committed(digest.send_digests, at(time_machine, NEXT_MORNING))
    [email] = mail.outbox
    assert email.subject == f"【督办】每日消息汇总：您有 {digest.LISTED + 5} 条未读消息"
    assert f"{digest.LISTED}. 提醒" in email.body and f"{digest.LISTED + 1}. " not in email.body
    assert "……另有 5 条未列出。" in email.body


def test_a_held_sms_becomes_one_short_sms_in_the_morning(county, people, settings, receiver, committed, time_machine):
    settings.DUBAN_SMS_URL = receiver.url("/sms")
    settings.DUBAN_SMS_URGENT_ONLY = False
    settings.DUBAN_EMAIL_HOST = ""
    people["liaison"].phone = "13800000001"
    people["liaison"].save()
    at(time_machine, EVENING)
    committed(send, [msg(people["liaison"], "提醒一"), msg(people["liaison"], "提醒二")])
    assert receiver.requests == []
    # The periodic job as the scheduler runs it: its slot claimed, then the digest.
    assert committed(tasks.digest_job.call_local, slot=at(time_machine, NEXT_MORNING).isoformat()) is True
    [request] = receiver.requests
    assert request["json"] == {"phone": "13800000001", "text": "【督办】您有 2 条未读消息，请登录县重点工作督办系统查看。"}
