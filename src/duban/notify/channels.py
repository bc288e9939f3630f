"""The push channels: e-mail (Django's mail backend), WeCom and DingTalk group robots, an SMS gateway.

Each `send_*` makes one attempt for one `Delivery` and answers an `Outcome`; it never raises for a
failure of the other side (refused, timed out, an error code), so the caller can log every attempt.
HTTP goes through the standard library with a timeout of DUBAN_NOTIFY_TIMEOUT seconds; proxies set in
the environment (https_proxy, no_proxy) are honoured, as county intranets often reach the robots that way.

Message formats follow the robots' public documentation:
- WeCom: POST {"msgtype": "markdown", "markdown": {"content": …}} (content ≤ 4096 bytes), answer {"errcode": 0, …};
- DingTalk: POST {"msgtype": "markdown", "markdown": {"title": …, "text": …}}, answer {"errcode": 0, …};
  with a signing secret, `timestamp` (ms) and `sign` = urlencode(base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")))
  are added to the query string.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage

EXCERPT = 300  # characters of an answer kept in the log
# Where a unit's robot may post: the robots' documented webhook addresses, or an intranet gateway
# (DUBAN_ROBOT_GATEWAYS). Anything else would let whoever sets the robot read the county's notices, or make
# the server call any address it can reach.
ROBOT_ENDPOINTS = {
    "wecom": ("qyapi.weixin.qq.com", "/cgi-bin/webhook/send"),
    "dingtalk": ("oapi.dingtalk.com", "/robot/send"),
}
SYSTEM_NAME = "县重点工作督办系统"
WECOM_MAX_BYTES = 4096
DINGTALK_MAX_CHARS = 4000
SMS_MAX_CHARS = 200


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: the HTTP status and an excerpt of the answer, or why it could not be made."""

    ok: bool
    status: int | None = None
    response: str = ""
    error: str = ""
    retry: bool = True  # False when trying again cannot help (no address, channel switched off)

    def as_log(self, at: str, attempt: int) -> dict:
        return {"at": at, "attempt": attempt, "ok": self.ok, "status": self.status, "response": self.response, "error": self.error}


def absolute(url: str) -> str:
    """The link as a user outside the browser can open it: DUBAN_SITE_URL + path, or an http(s) URL as it is."""
    url = (url or "").strip()
    if url.lower().startswith(("http://", "https://")):
        return url
    if url.startswith("/") and not url.startswith("//") and settings.DUBAN_SITE_URL:
        return settings.DUBAN_SITE_URL + url
    return ""


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def webhook_allowed(kind: str, url: str) -> bool:
    """Whether a robot of `kind` may post to `url`: its own https endpoint, or under a configured gateway."""
    try:
        parts = urllib.parse.urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        return False
    if parts.username is not None or parts.password is not None or parts.fragment:
        return False  # "https://qyapi.weixin.qq.com@elsewhere/" names elsewhere
    host, path = ROBOT_ENDPOINTS.get(kind, ("", ""))
    if parts.scheme == "https" and parts.hostname == host and port in (None, 443) and parts.path == path:
        return True
    return any(_under(parts, gateway) for gateway in settings.DUBAN_ROBOT_GATEWAYS)


def _under(parts: urllib.parse.SplitResult, gateway: str) -> bool:
    try:
        base = urllib.parse.urlsplit(gateway.strip())
        default = {"http": 80, "https": 443}
        same_port = (parts.port or default.get(parts.scheme)) == (base.port or default.get(base.scheme))
    except ValueError:
        return False
    prefix = base.path if base.path.endswith("/") else base.path + "/"
    return (parts.scheme == base.scheme and parts.hostname == base.hostname and same_port
            and (parts.path + "/").startswith(prefix))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A webhook or gateway that answers with a redirect is an error, not a hop to wherever it points."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _http(method: str, url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int | None, str, str]:
    """One HTTP request, redirects not followed: (status, answer text, error); status None when no answer came."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    timeout = settings.DUBAN_NOTIFY_TIMEOUT
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, response.read(65536).decode("utf-8", "replace"), ""
    except urllib.error.HTTPError as exc:
        body = exc.read(65536).decode("utf-8", "replace") if exc.fp else ""
        return exc.code, body, f"HTTP {exc.code}"
    except TimeoutError:
        return None, "", f"连接超时（{timeout} 秒内没有应答）"
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            return None, "", f"连接超时（{timeout} 秒内没有应答）"
        return None, "", f"无法连接：{reason}"
    except (OSError, ValueError) as exc:  # a malformed address, a reset connection
        return None, "", f"无法连接：{exc}"


def _post_json(url: str, payload: dict) -> tuple[int | None, str, str]:
    data = json.dumps(payload, ensure_ascii=False).encode()
    return _http("POST", url, data, {"Content-Type": "application/json; charset=utf-8"})


def _errcode_outcome(status: int | None, text: str, error: str) -> Outcome:
    """WeCom and DingTalk answer HTTP 200 with {"errcode": 0} on success and a non-zero code otherwise."""
    if status is None:
        return Outcome(False, None, "", error)
    excerpt = _excerpt(text)
    if not 200 <= status < 300:
        return Outcome(False, status, excerpt, error or f"HTTP {status}")
    try:
        answer = json.loads(text)
    except json.JSONDecodeError:
        return Outcome(False, status, excerpt, "应答不是 JSON，请检查 Webhook 地址是否正确")
    code = answer.get("errcode") if isinstance(answer, dict) else None
    if code == 0:
        return Outcome(True, status, excerpt)
    message = answer.get("errmsg", "") if isinstance(answer, dict) else ""
    return Outcome(False, status, excerpt, f"errcode {code}：{message}"[:200])


# --- robots ------------------------------------------------------------------------------------------


def robot_markdown(title: str, body: str, url: str, urgent: bool) -> str:
    """A robot post: the title as a heading, the text, a link, and the system's name (a DingTalk keyword)."""
    heading = f"### {'【紧急】' if urgent else ''}{title}"
    parts = [heading]
    if body:
        parts.append(body)
    link = absolute(url)
    if link:
        parts.append(f"[查看详情]({link})")
    parts.append(f"> {SYSTEM_NAME}")
    return "\n\n".join(parts)


def _cut_bytes(text: str, limit: int) -> str:
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode("utf-8", "ignore") + "…"


def wecom_payload(title: str, body: str, url: str, urgent: bool) -> dict:
    return {"msgtype": "markdown", "markdown": {"content": _cut_bytes(robot_markdown(title, body, url, urgent), WECOM_MAX_BYTES)}}


def dingtalk_payload(title: str, body: str, url: str, urgent: bool) -> dict:
    text = robot_markdown(title, body, url, urgent)
    if len(text) > DINGTALK_MAX_CHARS:
        text = text[: DINGTALK_MAX_CHARS - 1] + "…"
    return {"msgtype": "markdown", "markdown": {"title": (("【紧急】" if urgent else "") + title)[:100], "text": text}}


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """The webhook with DingTalk's `timestamp` and `sign` for a robot whose security setting is 加签."""
    if not secret:
        return url
    timestamp = str(timestamp_ms if timestamp_ms is not None else round(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


NOT_ALLOWED = "Webhook 地址不是企业微信/钉钉机器人的地址，也不在允许的内网网关（DUBAN_ROBOT_GATEWAYS）之下，不再发送"


def send_wecom(delivery) -> Outcome:
    channel = delivery.unit_channel
    if channel is None or not channel.enabled:
        return Outcome(False, error="该群机器人已停用或删除，不再发送", retry=False)
    if not webhook_allowed(channel.kind, channel.webhook_url):
        return Outcome(False, error=NOT_ALLOWED, retry=False)
    return _errcode_outcome(*_post_json(channel.webhook_url, wecom_payload(delivery.title, delivery.body, delivery.url, delivery.urgent)))


def send_dingtalk(delivery) -> Outcome:
    channel = delivery.unit_channel
    if channel is None or not channel.enabled:
        return Outcome(False, error="该群机器人已停用或删除，不再发送", retry=False)
    if not webhook_allowed(channel.kind, channel.webhook_url):
        return Outcome(False, error=NOT_ALLOWED, retry=False)
    url = dingtalk_signed_url(channel.webhook_url, channel.secret)
    return _errcode_outcome(*_post_json(url, dingtalk_payload(delivery.title, delivery.body, delivery.url, delivery.urgent)))


# --- e-mail --------------------------------------------------------------------------------------------


def email_message(delivery) -> EmailMessage:
    subject = f"【督办{'·紧急' if delivery.urgent else ''}】{delivery.title}"
    lines = [delivery.body] if delivery.body else []
    link = absolute(delivery.url)
    lines.append(f"查看：{link}" if link else "请登录县重点工作督办系统查看。")
    lines.append(f"——{SYSTEM_NAME}（本邮件由系统自动发送，请勿直接回复）")
    return EmailMessage(subject=subject[:200].replace("\n", " "), body="\n\n".join(lines), to=[delivery.target])


def send_email(delivery, connection) -> Outcome:
    """Hand the message to the configured mail server; a refusal or timeout is a failed attempt."""
    if not settings.DUBAN_EMAIL_HOST:
        return Outcome(False, error="未配置邮件服务器（DUBAN_EMAIL_HOST），不再发送", retry=False)
    try:
        sent = connection.send_messages([email_message(delivery)])
    except Exception as exc:  # smtplib and socket errors: the log needs the reason, whatever its class
        return Outcome(False, error=f"邮件服务器拒绝或无法连接：{exc}"[:200])
    if not sent:
        return Outcome(False, error="邮件服务器没有接收这封邮件")
    return Outcome(True, response="已交给邮件服务器")


# --- SMS gateway -------------------------------------------------------------------------------------


def sms_text(delivery) -> str:
    """Short, without the body: an SMS says what and where to look, the system holds the rest."""
    if delivery.digest_on:
        text = delivery.title
    else:
        text = f"{'【紧急】' if delivery.urgent else ''}{delivery.title}。请登录{SYSTEM_NAME}查看。"
    return text if len(text) <= SMS_MAX_CHARS else text[: SMS_MAX_CHARS - 1] + "…"


def _fill(template: str, phone: str, text: str, escape) -> str:
    return template.replace("{phone}", escape(phone)).replace("{text}", escape(text))


def _json_escape(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


def sms_request(phone: str, text: str) -> tuple[str, str, bytes | None, dict]:
    """The gateway request for one SMS: (method, url, body, headers), placeholders escaped where they land."""
    method = settings.DUBAN_SMS_METHOD
    headers = dict(settings.DUBAN_SMS_HEADERS)
    url = _fill(settings.DUBAN_SMS_URL, phone, text, lambda v: urllib.parse.quote(v, safe=""))
    if method == "GET":
        return method, url, None, headers
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if not content_type:
        template = settings.DUBAN_SMS_BODY.strip()
        content_type = "application/json; charset=utf-8" if template.startswith(("{", "[")) else "text/plain; charset=utf-8"
        headers["Content-Type"] = content_type
    if "json" in content_type.lower():
        escape = _json_escape
    elif "x-www-form-urlencoded" in content_type.lower():
        escape = lambda v: urllib.parse.quote_plus(v)  # noqa: E731
    else:
        escape = str
    return method, url, _fill(settings.DUBAN_SMS_BODY, phone, text, escape).encode(), headers


def sms_succeeded(status: int, text: str) -> bool:
    """DUBAN_SMS_SUCCESS: empty = a 2xx answer; json:FIELD=VALUE (dotted path); else text the answer contains."""
    if not 200 <= status < 300:
        return False
    rule = settings.DUBAN_SMS_SUCCESS
    if not rule:
        return True
    if rule.startswith("json:"):
        path, _, expected = rule[5:].partition("=")
        try:
            value = json.loads(text)
            for key in path.strip().split("."):
                value = value[int(key)] if isinstance(value, list) else value[key]
        except (json.JSONDecodeError, KeyError, IndexError, TypeError, ValueError):
            return False
        if isinstance(value, bool):
            value = "true" if value else "false"
        return str(value) == expected.strip()
    return rule in text


def send_sms(delivery) -> Outcome:
    if not settings.DUBAN_SMS_URL:
        return Outcome(False, error="未配置短信网关（DUBAN_SMS_URL），不再发送", retry=False)
    method, url, data, headers = sms_request(delivery.target, sms_text(delivery))
    status, text, error = _http(method, url, data, headers)
    if status is None:
        return Outcome(False, None, "", error)
    excerpt = _excerpt(text)
    if sms_succeeded(status, text):
        return Outcome(True, status, excerpt)
    return Outcome(False, status, excerpt, error or "短信网关应答表示发送失败（见应答摘录）")
