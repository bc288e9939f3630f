"""send(): the inbox copy always, the pushes by channel, at once in working hours and held outside them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from huey import signals
from huey.contrib.djhuey import HUEY

from duban.notify import tasks
from duban.notify.choices import Channel, DeliveryState
from duban.notify.models import Delivery, Notification, UnitChannel
from duban.notify.services import Message, send
from tests.notify.conftest import EVENING, SATURDAY, WORKING, at


@pytest.fixture
def people(county):
    p = county.people
    p["liaison"].email = "zheng@fagai.example.gov.cn"
    p["liaison"].phone = "13800000001"
    p["liaison"].save()
    return p


def urge(person, *, urgent=False, unit=None, title="催办：完成国道改线工程征地拆迁"):
    return Message(recipient=person, title=title, body="该任务已到期，请尽快报送进展。", url="/ledger/tasks/2026-0001/",
                   urgent=urgent, kind="supervision.urge", unit=unit)


def test_in_working_hours_the_inbox_copy_and_the_email_go_out(county, people, email_on, committed, time_machine):
    at(time_machine, WORKING)
    assert committed(send, [urge(people["liaison"])]) == 1

    note = Notification.objects.get()
    assert (note.recipient, note.title, note.url, note.urgent, note.kind, note.read_at) == (
        people["liaison"], "催办：完成国道改线工程征地拆迁", "/ledger/tasks/2026-0001/", False, "supervision.urge", None)
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.target, delivery.state, delivery.attempts, delivery.notification) == (
        Channel.EMAIL, "zheng@fagai.example.gov.cn", DeliveryState.SENT, 1, note)
    [email] = mail.outbox
    assert email.to == ["zheng@fagai.example.gov.cn"]
    assert email.subject == "【督办】催办：完成国道改线工程征地拆迁"
    assert "该任务已到期，请尽快报送进展。" in email.body
    assert "https://duban.example.gov.cn/ledger/tasks/2026-0001/" in email.body


def test_without_an_address_or_configured_channel_only_the_inbox_copy_is_written(county, committed, time_machine):
    at(time_machine, WORKING)
    assert committed(send, [urge(county.people["unit_head"])]) == 1  # no e-mail address, e-mail off
    assert Notification.objects.filter(recipient=county.people["unit_head"]).count() == 1
    assert not Delivery.objects.exists()


def test_outside_working_hours_a_normal_message_is_held_and_an_urgent_one_pushed(county, people, email_on, committed, time_machine):
    at(time_machine, EVENING)
    committed(send, [urge(people["liaison"], title="提醒：三天后到期"), urge(people["liaison"], urgent=True, title="紧急督办")])

    assert Notification.objects.count() == 2  # both in the inbox at once
    held = Delivery.objects.get(title="提醒：三天后到期")
    pushed = Delivery.objects.get(title="紧急督办")
    assert (held.state, held.attempts, held.next_attempt_at) == (DeliveryState.HELD, 0, None)
    assert (pushed.state, pushed.attempts) == (DeliveryState.SENT, 1)
    assert [m.subject for m in mail.outbox] == ["【督办·紧急】紧急督办"]


def test_a_weekend_morning_is_outside_working_hours(county, people, email_on, committed, time_machine):
    at(time_machine, SATURDAY)
    committed(send, [urge(people["liaison"])])
    assert Delivery.objects.get().state == DeliveryState.HELD
    assert mail.outbox == []


def test_sms_goes_to_urgent_messages_only_unless_configured_otherwise(county, people, settings, receiver, committed, time_machine):
    at(time_machine, WORKING)
    settings.DUBAN_SMS_URL = receiver.url("/sms")
    committed(send, [urge(people["liaison"]), urge(people["liaison"], urgent=True, title="紧急")])
    assert list(Delivery.objects.values_list("channel", "title", "state")) == [(Channel.SMS, "紧急", DeliveryState.SENT)]

    settings.DUBAN_SMS_URGENT_ONLY = False
    committed(send, [urge(people["liaison"], title="普通")])
    assert Delivery.objects.filter(channel=Channel.SMS, title="普通", state=DeliveryState.SENT).count() == 1
    assert len(receiver.requests) == 2


def test_a_units_robots_get_one_post_per_distinct_message(county, people, receiver, committed, time_machine):
    at(time_machine, WORKING)
    transport = county.units["transport"]
    UnitChannel.objects.create(unit=transport, kind="wecom", webhook_url=receiver.url("/cgi-bin/webhook/send?key=k1"))
    UnitChannel.objects.create(unit=transport, kind="dingtalk", webhook_url=receiver.url("/robot/send?access_token=t1"), enabled=False)
    # The same notice to the unit head and the section liaison: two inbox copies, one post in the group.
    messages = [urge(county.people["unit_head"], unit=transport), urge(county.people["section_liaison"], unit=transport)]
    assert committed(send, messages) == 2

    assert Notification.objects.count() == 2
    post = Delivery.objects.get()
    assert (post.channel, post.target, post.state, post.notification) == (Channel.WECOM, "县交通运输局 · 企业微信群机器人", DeliveryState.SENT, None)
    assert [r["path"] for r in receiver.requests] == ["/cgi-bin/webhook/send"]


def test_an_inactive_person_keeps_the_inbox_copy_but_gets_no_push(county, people, email_on, committed, time_machine):
    at(time_machine, WORKING)
    people["liaison"].is_active = False
    people["liaison"].save()
    committed(send, [urge(people["liaison"])])
    assert Notification.objects.count() == 1
    assert not Delivery.objects.exists()


def test_nothing_is_written_when_the_callers_transaction_rolls_back(county, people, email_on, time_machine):
    from django.db import transaction

    at(time_machine, WORKING)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            send([urge(people["liaison"])])
            raise RuntimeError("the change that caused the message failed")
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_an_empty_send_writes_nothing(county):
    assert send([]) == 0
    assert send(iter(())) == 0


def test_thousands_of_messages_are_bulk_written_and_queued_in_a_few_jobs(county, people, email_on, committed, time_machine):
    """The sweep's shape: many messages in one call cost a handful of queries and a handful of jobs."""
    at(time_machine, WORKING)
    executed = []

    def count_jobs(signal, task, *args):
        if isinstance(task, tasks.deliver_job.task_class):
            executed.append(len(task.args[0]))

    HUEY.signal(signals.SIGNAL_EXECUTING)(count_jobs)
    try:
        n = tasks.ENQUEUE_BATCH + 100
        batch = [urge(people["liaison"], title=f"催办 {i}") for i in range(n)]
        with CaptureQueriesContext(connection) as queries:
            assert send(batch) == n
        # The calendar and the robots read, then 1,000-row INSERTs (SQLite) or a sequence read and a COPY
        # per table (PostgreSQL): never a query per message.
        assert len(queries.captured_queries) <= 6, [q["sql"][:80] for q in queries.captured_queries]
        assert Notification.objects.count() == n
        assert Delivery.objects.filter(state=DeliveryState.PENDING).count() == n

        committed(lambda: None)  # nothing queued yet: the jobs were queued with the caller's commit
        with_commit = [urge(people["liaison"], title=f"再催 {i}") for i in range(n)]
        committed(send, with_commit)
    finally:
        HUEY.disconnect_signal(count_jobs)
    assert executed == [tasks.ENQUEUE_BATCH, 100]
    assert Delivery.objects.filter(title__startswith="再催", state=DeliveryState.SENT).count() == n
    assert len(mail.outbox) == n


def test_several_messages_for_one_robot_at_once_are_one_post_listing_them(county, receiver, committed, time_machine):
    at(time_machine, WORKING)
    transport = county.units["transport"]
    UnitChannel.objects.create(unit=transport, kind="wecom", webhook_url=receiver.url("/send?key=k"))
    head = county.people["unit_head"]
    committed(send, [
        urge(head, unit=transport, title="催办：国道改线"),
        urge(head, unit=transport, title="督办通知：农村公路", urgent=True),
        urge(head, unit=transport, title="提醒：客运站改造"),
    ])
    post = Delivery.objects.get()
    assert (post.title, post.urgent, post.state) == ("3 条督办消息", True, DeliveryState.SENT)
    link = "https://duban.example.gov.cn/ledger/tasks/2026-0001/"
    assert receiver.requests[0]["json"]["markdown"]["content"] == "\n\n".join([
        "### 【紧急】3 条督办消息",
        f"共 3 条，其中紧急 1 条：\n1. [催办：国道改线]({link})\n2. [【紧急】督办通知：农村公路]({link})\n3. [提醒：客运站改造]({link})",
        "> 县重点工作督办系统",
    ])
