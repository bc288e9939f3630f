"""The inbox pages, the header's unread count, the group-robot settings and the delivery log."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban.core.models import AuditEntry
from duban.notify.choices import DeliveryState
from duban.notify.models import Delivery, Notification, UnitChannel
from duban.notify.services import Message, send
from tests.notify.conftest import EVENING, WORKING, at

UNREAD_BADGE = re.compile(r'data-testid="inbox-unread">([^<]+)<')


def unread_badge(response) -> str | None:
    found = UNREAD_BADGE.search(response.content.decode())
    return found.group(1) if found else None


def inbox_ids(response) -> list[int]:
    return [int(x) for x in re.findall(r'data-id="(\d+)" data-read', response.content.decode())]


def to(person, title, **kw):
    return Message(recipient=person, title=title, body=kw.pop("body", "正文"), **kw)


# --- the inbox ---------------------------------------------------------------------------------------


def test_a_person_sees_only_their_own_messages_and_cannot_open_anothers(county):
    liaison, head = county.people["liaison"], county.people["unit_head"]
    send([to(liaison, "给郑联络的催办"), to(head, "给周局长的督办通知")])
    mine = Notification.objects.get(recipient=liaison)
    theirs = Notification.objects.get(recipient=head)

    client = county.client("liaison")
    page = client.get("/inbox/")
    assert inbox_ids(page) == [mine.pk]
    assert "给周局长的督办通知" not in page.content.decode()
    assert client.get(f"/inbox/{theirs.pk}/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    # not even the supervision office or the principal leader reads someone else's inbox
    assert county.client("supervision").get(f"/inbox/{theirs.pk}/").status_code == 404
    assert county.client("principal").get(f"/inbox/{theirs.pk}/").status_code == 404


def test_the_header_counts_unread_messages_and_opening_one_marks_it_read(county):
    liaison = county.people["liaison"]
    send([to(liaison, "催办一", url="/ledger/tasks/2026-0001/"), to(liaison, "催办二")])
    client = county.client("liaison")
    assert unread_badge(client.get("/")) == "2"

    first = Notification.objects.get(title="催办一")
    detail = client.get(f"/inbox/{first.pk}/")
    html = detail.content.decode()
    assert "催办一" in html and 'href="/ledger/tasks/2026-0001/" data-testid="open-matter"' in html
    assert unread_badge(detail) == "1"  # the page that opened it already counts it read
    assert Notification.objects.get(pk=first.pk).read_at is not None

    response = client.post("/inbox/read-all/", follow=True)
    assert "已将 1 条消息标为已读。" in response.content.decode()
    assert unread_badge(response) is None
    assert not Notification.objects.unread().exists()


def test_the_count_shows_99_plus_and_nobody_elses_messages(county):
    send([to(county.people["liaison"], f"提醒 {i}") for i in range(120)])
    assert unread_badge(county.client("liaison").get("/inbox/")) == "99+"
    assert unread_badge(county.client("unit_head").get("/inbox/")) is None


def test_the_unread_filter_and_paging(county, time_machine):
    liaison = county.people["liaison"]
    at(time_machine, WORKING)
    send([to(liaison, f"提醒 {i}") for i in range(35)])
    Notification.objects.filter(title="提醒 0").update(read_at="2026-03-11T10:00:00+08:00")
    client = county.client("liaison")

    first = client.get("/inbox/")
    ids = list(Notification.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    assert inbox_ids(first) == ids[:30]
    older = re.search(r'href="\?cursor=([^"]+)" data-testid="older"', first.content.decode()).group(1)
    assert inbox_ids(client.get("/inbox/", {"cursor": older})) == ids[30:]
    assert len(inbox_ids(client.get("/inbox/", {"unread": "1", "cursor": ""}))) == 30
    unread_page = client.get("/inbox/", {"unread": "1"})
    assert Notification.objects.get(title="提醒 0").pk not in inbox_ids(unread_page)
    assert "未读 34" in unread_page.content.decode()

    broken = client.get("/inbox/", {"cursor": "garbage"})
    assert broken.status_code == 200 and "翻页参数无效" in broken.content.decode()


def test_the_inbox_runs_a_fixed_number_of_queries(county, django_assert_num_queries):
    liaison = county.people["liaison"]
    client = county.client("liaison")
    send([to(liaison, f"提醒 {i}") for i in range(2)])
    client.get("/inbox/")
    with CaptureQueriesContext(connection) as few:
        client.get("/inbox/")
    send([to(liaison, f"提醒 {i}", urgent=True) for i in range(60)])
    with django_assert_num_queries(len(few)):
        assert len(inbox_ids(client.get("/inbox/"))) == 30
    # session, user, roles and unit (nav), unread count, the page's rows, the session write (savepoint, update, release)
    assert len(few) == 9, [q["sql"][:80] for q in few.captured_queries]


def test_a_dangerous_link_is_not_rendered(county):
    send([to(county.people["liaison"], "可疑链接", url="javascript:alert(1)")])
    note = Notification.objects.get()
    html = county.client("liaison").get(f"/inbox/{note.pk}/").content.decode()
    assert "javascript:" not in html and 'data-testid="open-matter"' not in html


def test_text_is_escaped(county):
    send([to(county.people["liaison"], "<script>alert(1)</script>", body="<b>粗</b>")])
    note = Notification.objects.get()
    client = county.client("liaison")
    for url in ("/inbox/", f"/inbox/{note.pk}/"):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_signing_in_is_required(client):
    response = client.get("/inbox/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- group robots ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role, status", [
    ("supervision", 200), ("unit_head", 200),
    ("sysadmin", 403), ("principal", 403), ("leader", 403), ("liaison", 403), ("secadmin", 403), ("auditadmin", 403),
])
@pytest.mark.parametrize("url", ["/inbox/channels/", "/inbox/channels/new/"])
def test_who_may_open_the_robot_pages(county, role, status, url):
    response = county.client(role).get(url)
    assert response.status_code == status
    if status == 403:
        assert "督查室或单位一把手" in response.content.decode()


@pytest.mark.parametrize("role, status", [
    ("supervision", 200), ("sysadmin", 200),
    ("unit_head", 403), ("principal", 403), ("leader", 403), ("liaison", 403), ("secadmin", 403), ("auditadmin", 403),
])
def test_who_may_open_the_delivery_log(county, role, status):
    response = county.client(role).get("/inbox/deliveries/")
    assert response.status_code == status
    if status == 403:
        assert "督查室或系统管理员" in response.content.decode()


def test_the_office_sets_up_a_units_wecom_robot_and_the_change_is_audited_without_the_key(county):
    client = county.client("supervision")
    transport = county.units["transport"]
    webhook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
    response = client.post("/inbox/channels/new/", {"unit": transport.pk, "kind": "wecom", "webhook_url": webhook, "enabled": "on"})
    robot = UnitChannel.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/inbox/channels/{robot.pk}/"
    assert (robot.unit, robot.kind, robot.webhook_url, robot.secret, robot.enabled) == (transport, "wecom", webhook, "", True)

    entry = AuditEntry.objects.get(action="notify.channel.create")
    assert (entry.actor, entry.object_type, entry.object_id) == (county.people["supervision"], "notify.UnitChannel", str(robot.pk))
    assert entry.after["webhook_url"] == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a…"
    assert "0ec2sifa5aaa" not in str(entry.after)

    listing = client.get("/inbox/channels/").content.decode()
    assert "县交通运输局" in listing and "key=693a…" in listing and "0ec2sifa5aaa" not in listing

    client.post(f"/inbox/channels/{robot.pk}/", {"unit": transport.pk, "kind": "wecom", "webhook_url": webhook})  # unticks 启用
    update = AuditEntry.objects.get(action="notify.channel.update")
    assert (update.before["enabled"], update.after["enabled"]) == (True, False)
    assert UnitChannel.objects.get().enabled is False


def test_a_dingtalk_secret_is_kept_when_left_blank_and_never_shown(county):
    client = county.client("supervision")
    ndrc = county.units["ndrc"]
    url = "https://oapi.dingtalk.com/robot/send?access_token=abcdef123456"
    client.post("/inbox/channels/new/", {"unit": ndrc.pk, "kind": "dingtalk", "webhook_url": url, "secret": "SECabc123", "enabled": "on"})
    robot = UnitChannel.objects.get()
    assert robot.secret == "SECabc123"
    form = client.get(f"/inbox/channels/{robot.pk}/").content.decode()
    assert "SECabc123" not in form

    client.post(f"/inbox/channels/{robot.pk}/", {"unit": ndrc.pk, "kind": "dingtalk", "webhook_url": url, "secret": "", "enabled": "on"})
    assert UnitChannel.objects.get().secret == "SECabc123"
    assert not AuditEntry.objects.filter(action="notify.channel.update").exists()  # nothing changed, nothing audited
    client.post(f"/inbox/channels/{robot.pk}/", {"unit": ndrc.pk, "kind": "dingtalk", "webhook_url": url, "clear_secret": "on", "enabled": "on"})
    assert UnitChannel.objects.get().secret == ""
    entry = AuditEntry.objects.get(action="notify.channel.update")
    assert (entry.before["secret"], entry.after["secret"]) == ("已设置", "未设置")
    assert "SECabc123" not in str(entry.before)


@pytest.mark.parametrize("data, field, message", [
    ({"kind": "wecom", "webhook_url": "qyapi.weixin.qq.com/send?key=1"}, "webhook_url", "Webhook 地址应以 https:// 或 http:// 开头"),
    ({"kind": "wecom", "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1", "secret": "SEC1"}, "secret", "企业微信群机器人没有加签密钥"),
    ({"kind": "wecom", "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=2"}, "kind", "县交通运输局已配置企业微信群机器人，请直接修改那一条。"),
    ({"kind": "", "webhook_url": ""}, "kind", "请选择机器人类型。"),
])
def test_bad_robot_settings_are_refused_with_what_to_do(county, data, field, message):
    transport = county.units["transport"]
    UnitChannel.objects.create(unit=transport, kind="wecom", webhook_url="https://qyapi.weixin.qq.com/send?key=old")
    response = county.client("supervision").post("/inbox/channels/new/", {"unit": transport.pk, "enabled": "on", **data})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="error-{field}"' in html and message in html
    assert UnitChannel.objects.count() == 1
    assert not AuditEntry.objects.filter(action__startswith="notify.channel").exists()


def test_the_test_button_posts_to_the_robot_at_once_even_in_the_evening(county, receiver, committed, time_machine):
    at(time_machine, EVENING)
    robot = UnitChannel.objects.create(unit=county.units["transport"], kind="dingtalk", webhook_url=receiver.url("/robot/send?access_token=t"))
    client = county.client("supervision")
    response = committed(client.post, f"/inbox/channels/{robot.pk}/test/")
    assert response.status_code == 302 and response["Location"] == f"/inbox/deliveries/?robot={robot.pk}"

    [request] = receiver.requests
    assert request["json"]["msgtype"] == "markdown"
    assert request["json"]["markdown"]["title"] == "测试消息"
    assert "县交通运输局的群机器人配置正确" in request["json"]["markdown"]["text"]
    delivery = Delivery.objects.get()
    assert (delivery.unit_channel, delivery.state) == (robot, DeliveryState.SENT)
    assert AuditEntry.objects.filter(action="notify.channel.test", object_id=str(robot.pk)).count() == 1

    log = client.get(response["Location"]).content.decode()
    assert f'data-id="{delivery.pk}" data-state="sent"' in log and "测试消息" in log


def test_a_switched_off_robot_cannot_be_tested(county, receiver):
    robot = UnitChannel.objects.create(unit=county.units["transport"], kind="wecom", webhook_url=receiver.url("/send?key=k"), enabled=False)
    response = county.client("supervision").post(f"/inbox/channels/{robot.pk}/test/", follow=True)
    assert "该群机器人已停用，请先勾选“启用”并保存，再发送测试消息。" in response.content.decode()
    assert not Delivery.objects.exists()


# --- the delivery log ------------------------------------------------------------------------------


def test_the_system_admin_sees_states_and_errors_but_not_the_messages_text(county, email_on, time_machine, settings):
    at(time_machine, WORKING)
    settings.DUBAN_NOTIFY_RETRY_DELAYS = []
    person = county.people["liaison"]
    person.email = "zheng@fagai.example.gov.cn"
    person.save()
    send([to(person, "关于某企业诉求的督办")])
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.FAILED, attempts=1, last_error="邮件服务器拒绝或无法连接：timed out")

    admin = county.client("sysadmin").get("/inbox/deliveries/").content.decode()
    assert "zheng@fagai.example.gov.cn" in admin and "邮件服务器拒绝或无法连接：timed out" in admin
    assert "关于某企业诉求的督办" not in admin and "业务内容不向系统管理员显示" in admin
    office = county.client("supervision").get("/inbox/deliveries/").content.decode()
    assert "关于某企业诉求的督办" in office


def test_the_delivery_log_filters_and_runs_a_fixed_number_of_queries(county, email_on, time_machine, django_assert_num_queries):
    at(time_machine, EVENING)
    person = county.people["liaison"]
    person.email = "zheng@fagai.example.gov.cn"
    person.save()
    send([to(person, "晚间提醒")])
    client = county.client("supervision")
    client.get("/inbox/deliveries/")
    with CaptureQueriesContext(connection) as few:
        client.get("/inbox/deliveries/", {"state": "held"})
    send([to(person, f"晚间提醒 {i}") for i in range(70)])
    with django_assert_num_queries(len(few)):
        page = client.get("/inbox/deliveries/", {"state": "held"}).content.decode()
    assert page.count('data-state="held"') == 50
    assert 'data-state="held"' not in client.get("/inbox/deliveries/", {"state": "sent"}).content.decode()
