"""Each channel against a real HTTP receiver on 127.0.0.1: the payload the robots' and gateway's docs ask for."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from django.core import mail

from duban.notify import channels
from duban.notify.choices import Channel, DeliveryState
from duban.notify.models import Delivery, Notification, UnitChannel
from duban.notify.services import Message, send
from tests.notify.conftest import WORKING, at

TITLE = "督办通知：国道改线工程征地拆迁已逾期 3 个工作日"
BODY = "请于 3 月 13 日前书面回复办理情况。"
URL = "/ledger/tasks/2026-0001/"


@pytest.fixture
def notice(county):
    def _send(committed, unit_key="transport", urgent=False):
        message = Message(recipient=county.people["unit_head"], title=TITLE, body=BODY, url=URL, urgent=urgent,
                          kind="supervision.notice", unit=county.units[unit_key])
        return committed(send, [message])

    return _send


def test_wecom_robot_gets_a_markdown_post(county, receiver, notice, committed, time_machine):
    at(time_machine, WORKING)
    UnitChannel.objects.create(unit=county.units["transport"], kind="wecom", webhook_url=receiver.url("/cgi-bin/webhook/send?key=693a91f6"))
    notice(committed)

    [request] = receiver.requests
    assert (request["method"], request["path"], request["query"]) == ("POST", "/cgi-bin/webhook/send", {"key": "693a91f6"})
    assert request["headers"]["content-type"].startswith("application/json")
    assert request["json"] == {"msgtype": "markdown", "markdown": {"content": (
        f"### {TITLE}\n\n{BODY}\n\n[查看详情](https://duban.example.gov.cn{URL})\n\n> 县重点工作督办系统")}}
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (DeliveryState.SENT, 1, "")
    assert delivery.log[0] | {"at": ""} == {"at": "", "attempt": 1, "ok": True, "status": 200, "response": '{"errcode": 0, "errmsg": "ok"}', "error": ""}


def test_wecom_markdown_is_cut_to_its_4096_byte_limit():
    payload = channels.wecom_payload("标题", "很长的内容" * 2000, "", urgent=True)
    content = payload["markdown"]["content"]
    assert len(content.encode()) <= 4096
    assert content.startswith("### 【紧急】标题\n\n很长的内容")


def test_dingtalk_robot_gets_a_signed_markdown_post(county, receiver, notice, committed, time_machine):
    moment = at(time_machine, WORKING)
    secret = "SEC0123456789abcdef"
    UnitChannel.objects.create(unit=county.units["transport"], kind="dingtalk",
                               webhook_url=receiver.url("/robot/send?access_token=abc"), secret=secret)
    notice(committed, urgent=True)

    [request] = receiver.requests
    assert request["path"] == "/robot/send"
    query = request["query"]
    assert query["access_token"] == "abc"
    assert query["timestamp"] == str(int(moment.timestamp() * 1000))
    expected = base64.b64encode(hmac.new(secret.encode(), f"{query['timestamp']}\n{secret}".encode(), hashlib.sha256).digest()).decode()
    assert query["sign"] == expected  # parse_qs undid the URL encoding
    assert request["json"] == {"msgtype": "markdown", "markdown": {
        "title": f"【紧急】{TITLE}",
        "text": f"### 【紧急】{TITLE}\n\n{BODY}\n\n[查看详情](https://duban.example.gov.cn{URL})\n\n> 县重点工作督办系统",
    }}
    assert Delivery.objects.get().state == DeliveryState.SENT


def test_dingtalk_without_a_secret_posts_to_the_webhook_as_it_is(county, receiver, notice, committed, time_machine):
    at(time_machine, WORKING)
    UnitChannel.objects.create(unit=county.units["transport"], kind="dingtalk", webhook_url=receiver.url("/robot/send?access_token=abc"))
    notice(committed)
    assert receiver.requests[0]["query"] == {"access_token": "abc"}


@pytest.mark.parametrize("answer, error", [
    ((200, {"errcode": 93000, "errmsg": "invalid webhook url"}), "errcode 93000：invalid webhook url"),
    ((500, "upstream down"), "HTTP 500"),
    ((200, "<html>登录页</html>"), "应答不是 JSON，请检查 Webhook 地址是否正确"),
])
def test_a_robot_error_is_a_failed_attempt_with_the_answer_logged(county, receiver, notice, committed, time_machine, settings, answer, error):
    at(time_machine, WORKING)
    settings.DUBAN_NOTIFY_RETRY_DELAYS = []  # no retries: one attempt, then failed
    receiver.default = answer
    UnitChannel.objects.create(unit=county.units["transport"], kind="wecom", webhook_url=receiver.url("/send?key=k"))
    notice(committed)

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (DeliveryState.FAILED, 1, error)
    assert delivery.log[0]["status"] == answer[0]
    assert Notification.objects.filter(recipient=county.people["unit_head"]).count() == 1  # the inbox copy stays


def test_an_unreachable_robot_is_logged_as_such(county, notice, committed, time_machine, settings):
    import socket

    at(time_machine, WORKING)
    settings.DUBAN_NOTIFY_RETRY_DELAYS = []
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.DUBAN_ROBOT_GATEWAYS = [f"http://127.0.0.1:{port}/"]  # the county's relay, down
    UnitChannel.objects.create(unit=county.units["transport"], kind="wecom", webhook_url=f"http://127.0.0.1:{port}/send?key=k")
    notice(committed)
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_error.startswith("无法连接：")
    assert delivery.log[0]["status"] is None


# --- SMS gateway --------------------------------------------------------------------------------------


@pytest.fixture
def sms(county, settings, receiver):
    settings.DUBAN_SMS_URL = receiver.url("/sms/send")
    person = county.people["unit_head"]
    person.phone = "13900000002"
    person.save()
    return settings


def urgent_to(person):
    return [Message(recipient=person, title="紧急：安全隐患整改逾期", body="", url=URL, urgent=True)]


def test_sms_json_template_with_header_and_json_success_check(county, sms, receiver, committed, time_machine):
    at(time_machine, WORKING)
    sms.DUBAN_SMS_HEADERS = {"Content-Type": "application/json", "X-Api-Key": "k-123"}
    sms.DUBAN_SMS_BODY = '{"mobile": "{phone}", "content": "{text}", "sign": "县督查室"}'
    sms.DUBAN_SMS_SUCCESS = "json:result.code=0"
    receiver.default = (200, {"result": {"code": 0, "msg": "提交成功"}})
    committed(send, urgent_to(county.people["unit_head"]))

    [request] = receiver.requests
    assert request["headers"]["x-api-key"] == "k-123"
    assert request["json"] == {"mobile": "13900000002", "content": "【紧急】紧急：安全隐患整改逾期。请登录县重点工作督办系统查看。", "sign": "县督查室"}
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.target, delivery.state) == (Channel.SMS, "13900000002", DeliveryState.SENT)


def test_sms_text_with_quotes_stays_valid_json(county, sms, receiver, committed, time_machine):
    at(time_machine, WORKING)
    committed(send, [Message(recipient=county.people["unit_head"], title='关于"百日攻坚"的\\紧急通知', body="", urgent=True)])
    assert receiver.requests[0]["json"]["text"] == '【紧急】关于"百日攻坚"的\\紧急通知。请登录县重点工作督办系统查看。'


def test_sms_form_post_and_text_success_check(county, sms, receiver, committed, time_machine):
    at(time_machine, WORKING)
    sms.DUBAN_SMS_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
    sms.DUBAN_SMS_BODY = "to={phone}&msg={text}&user=duban"
    sms.DUBAN_SMS_SUCCESS = "OK"
    receiver.default = (200, "OK:1")
    committed(send, urgent_to(county.people["unit_head"]))

    from urllib.parse import parse_qs

    form = {k: v[0] for k, v in parse_qs(receiver.requests[0]["raw"].decode()).items()}
    assert form == {"to": "13900000002", "msg": "【紧急】紧急：安全隐患整改逾期。请登录县重点工作督办系统查看。", "user": "duban"}
    assert Delivery.objects.get().state == DeliveryState.SENT


def test_sms_by_get_with_placeholders_in_the_url(county, sms, receiver, committed, time_machine):
    at(time_machine, WORKING)
    sms.DUBAN_SMS_METHOD = "GET"
    sms.DUBAN_SMS_URL = receiver.url("/sms?phone={phone}&text={text}")
    committed(send, urgent_to(county.people["unit_head"]))
    request = receiver.requests[0]
    assert request["method"] == "GET"
    assert request["query"] == {"phone": "13900000002", "text": "【紧急】紧急：安全隐患整改逾期。请登录县重点工作督办系统查看。"}


def test_sms_answer_that_fails_the_success_check_is_a_failure(county, sms, receiver, committed, time_machine):
    at(time_machine, WORKING)
    sms.DUBAN_NOTIFY_RETRY_DELAYS = []
    sms.DUBAN_SMS_SUCCESS = "json:code=0"
    receiver.default = (200, {"code": 4085, "msg": "余额不足"})
    committed(send, urgent_to(county.people["unit_head"]))
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_error == "短信网关应答表示发送失败（见应答摘录）"
    assert json.loads(delivery.log[0]["response"]) == {"code": 4085, "msg": "余额不足"}


# --- e-mail -------------------------------------------------------------------------------------------


def test_email_refused_by_the_server_is_retried_and_then_failed(county, email_on, committed, time_machine, settings):
    at(time_machine, WORKING)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 2
    person = county.people["unit_head"]
    person.email = "zhou@jiaotong.example.gov.cn"
    person.save()
    committed(send, [Message(recipient=person, title="催办", body="请报送进展。")])

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 4)
    assert delivery.last_error.startswith("邮件服务器拒绝或无法连接：")
    assert [a["ok"] for a in delivery.log] == [False] * 4
    assert Notification.objects.get().title == "催办"


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_links_without_a_site_address_tell_the_reader_to_sign_in(county, email_on, committed, time_machine, settings):
    at(time_machine, WORKING)
    settings.DUBAN_SITE_URL = ""
    person = county.people["unit_head"]
    person.email = "zhou@jiaotong.example.gov.cn"
    person.save()
    committed(send, [Message(recipient=person, title="催办", body="请报送进展。", url=URL)])
    assert mail.outbox[0].body == "请报送进展。\n\n请登录县重点工作督办系统查看。\n\n——县重点工作督办系统（本邮件由系统自动发送，请勿直接回复）"
