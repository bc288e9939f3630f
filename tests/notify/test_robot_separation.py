"""A unit's robot receives the full text of its notices: only the office (or that unit's head) sets it, only to
the robots' own addresses or a registered intranet gateway, and the office sees every change.

The hole this closes: the system admin could add a robot with any URL and so read every notice of a unit,
bypassing 三员分立 that the delivery log itself keeps; the test button made the server call any address.
"""

from __future__ import annotations

import pytest

from duban.core.actor import Actor
from duban.core.errors import NotAllowed, ServiceError
from duban.core.models import AuditEntry
from duban.notify import services
from duban.notify.models import Delivery, Notification, UnitChannel
from duban.notify.services import Message, send
from tests.notify.conftest import WORKING, at

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=abcdef123456"


def form(unit, url, kind="wecom"):
    return {"unit": unit.pk, "kind": kind, "webhook_url": url, "enabled": "on"}


def test_the_system_admin_can_no_longer_point_a_units_robot_at_his_own_address(county, receiver, committed, time_machine):
    at(time_machine, WORKING)
    transport = county.units["transport"]
    client = county.client("sysadmin")

    assert client.get("/inbox/channels/new/").status_code == 403
    assert client.post("/inbox/channels/new/", form(transport, receiver.url("/robot/send?key=mine"))).status_code == 403
    with pytest.raises(NotAllowed, match="只有督查室、单位一把手可以配置单位的群机器人"):
        services.save_channel(Actor(user=county.people["sysadmin"]), None, unit=transport, kind="wecom", webhook_url=WECOM)

    committed(send, [Message(recipient=county.people["unit_head"], title="关于国道改线的督办通知", body="全文", unit=transport)])
    assert not UnitChannel.objects.exists() and receiver.requests == [] and not Delivery.objects.exists()


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/",            # the server's own neighbourhood
    "http://127.0.0.1:8000/manage/",
    "https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=1",
    "https://qyapi.weixin.qq.com@evil.example/cgi-bin/webhook/send?key=1",
    "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1",  # not https
    "https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=1",
    "https://qyapi.weixin.qq.com/cgi-bin/other?key=1",
    DINGTALK,                                               # a DingTalk address for a WeCom robot
])
def test_only_the_robots_own_addresses_are_accepted(county, url):
    response = county.client("supervision").post("/inbox/channels/new/", form(county.units["transport"], url))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="error-webhook_url"' in html and "企业微信群机器人的 Webhook 地址应为 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?…" in html
    assert not UnitChannel.objects.exists()


def test_an_intranet_gateway_named_in_the_settings_is_accepted(county, settings):
    settings.DUBAN_ROBOT_GATEWAYS = ["http://10.0.0.9:8080/robot/"]
    office = Actor(user=county.people["supervision"])
    robot = services.save_channel(office, None, unit=county.units["ndrc"], kind="dingtalk",
                                  webhook_url="http://10.0.0.9:8080/robot/dingtalk?access_token=t")
    assert robot.webhook_url.startswith("http://10.0.0.9:8080/robot/")
    for outside in ("http://10.0.0.9:8080/robotx", "http://10.0.0.9:9090/robot/x", "https://10.0.0.9:8080/robot/x"):
        with pytest.raises(ServiceError, match="或本县内网网关 http://10.0.0.9:8080/robot/ 下的地址"):
            services.save_channel(office, robot, unit=county.units["ndrc"], kind="dingtalk", webhook_url=outside)


def test_the_test_button_never_calls_an_address_outside_the_list(county, receiver, committed, settings, time_machine):
    at(time_machine, WORKING)
    robot = UnitChannel.objects.create(unit=county.units["transport"], kind="wecom", webhook_url=receiver.url("/send?key=k"))
    settings.DUBAN_ROBOT_GATEWAYS = []  # the gateway was struck off after the robot was set
    response = committed(county.client("supervision").post, f"/inbox/channels/{robot.pk}/test/", follow=True)
    assert "Webhook 地址不在允许的范围内" in response.content.decode()
    assert receiver.requests == [] and not Delivery.objects.exists()
    # and a robot row set before the rules is not posted to by the ordinary sending either
    committed(send, [Message(recipient=county.people["unit_head"], title="督办", body="全文", unit=county.units["transport"])])
    delivery = Delivery.objects.get()
    assert receiver.requests == [] and delivery.state == "failed" and "DUBAN_ROBOT_GATEWAYS" in delivery.last_error


def test_a_unit_head_sets_his_own_units_robot_and_the_office_hears_of_it(county, committed):
    head = county.client("unit_head")
    transport, ndrc = county.units["transport"], county.units["ndrc"]

    page = head.get("/inbox/channels/new/").content.decode()
    assert "县交通运输局" in page and "县交通运输局办公室" in page and "县发展和改革局" not in page
    refused = head.post("/inbox/channels/new/", form(ndrc, WECOM))
    assert refused.status_code == 200 and "所选单位不存在、已停用或不归您配置" in refused.content.decode()

    response = committed(head.post, "/inbox/channels/new/", form(transport, WECOM))

    robot = UnitChannel.objects.get()
    assert response.status_code == 302 and robot.updated_by == county.people["unit_head"]
    entry = AuditEntry.objects.get(action="notify.channel.create")
    assert entry.actor == county.people["unit_head"] and entry.after["unit"] == "县交通运输局"
    [note] = Notification.objects.filter(kind="notify.channel")
    assert note.recipient == county.people["supervision"]
    assert note.title == "周局长（jiaotong_head）新增了县交通运输局 · 企业微信群机器人" and "key=693a…" in note.body
    listing = county.client("supervision").get("/inbox/channels/").content.decode()
    assert "周局长" in listing  # who set it, beside the robot
    # the office's own changes are audited, not announced to itself
    committed(services.save_channel, Actor(user=county.people["supervision"]), robot, unit=transport, kind="wecom",
              webhook_url=WECOM, enabled=False)
    assert Notification.objects.filter(kind="notify.channel").count() == 1
    assert UnitChannel.objects.get().updated_by == county.people["supervision"]


def test_a_unit_head_neither_sees_nor_changes_another_units_robot(county):
    other = UnitChannel.objects.create(unit=county.units["ndrc"], kind="wecom", webhook_url=WECOM)
    head = county.client("unit_head")
    assert "县发展和改革局" not in head.get("/inbox/channels/").content.decode()
    assert head.get(f"/inbox/channels/{other.pk}/").status_code == 404
    assert head.post(f"/inbox/channels/{other.pk}/test/").status_code == 404
    with pytest.raises(NotAllowed):
        services.save_channel(Actor(user=county.people["unit_head"]), other, unit=county.units["transport"], kind="wecom",
                              webhook_url=WECOM)
    assert UnitChannel.objects.get().unit == county.units["ndrc"] and not Delivery.objects.exists()
