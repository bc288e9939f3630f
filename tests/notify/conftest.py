"""Notification fixtures: settings for quick retries, a real HTTP receiver on 127.0.0.1, and clocks.

The receiver stands in for a WeCom/DingTalk robot or an SMS gateway: it records every request (method,
path, query, headers, body) and answers from a script of (status, body) pairs, then with its default.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")
OK = (200, {"errcode": 0, "errmsg": "ok"})

# A working Wednesday and the evening after it, a Saturday, and the next working morning (2026 calendar).
WORKING = "2026-03-11 10:00"
EVENING = "2026-03-11 20:00"
SATURDAY = "2026-03-14 09:00"
NEXT_MORNING = "2026-03-12 08:35"


def at(time_machine, text: str) -> dt.datetime:
    """Freeze the clock at a Shanghai wall-clock time such as "2026-03-11 10:00"."""
    moment = dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)
    time_machine.move_to(moment, tick=False)
    return moment


class Receiver:
    """A small HTTP server in a thread that records requests and answers from a script."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[tuple[int, object]] = []
        self.default = OK
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                receiver.requests.append({
                    "method": self.command, "path": parts.path, "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                    "headers": {k.lower(): v for k, v in self.headers.items()}, "raw": raw, "json": body,
                })
                status, answer = receiver.script.pop(0) if receiver.script else receiver.default
                data = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def answer(self, *answers: tuple[int, object]) -> None:
        self.script.extend(answers)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    """The stand-in robot; registered as an intranet gateway (DUBAN_ROBOT_GATEWAYS), as a county's relay would be."""
    r = Receiver()
    settings.DUBAN_ROBOT_GATEWAYS = [*getattr(settings, "DUBAN_ROBOT_GATEWAYS", []), r.url("/")]
    yield r
    r.close()


@pytest.fixture(autouse=True)
def notify_settings(settings, monkeypatch):
    """Retries without waiting, links to a known site, e-mail and SMS off unless a test turns them on."""
    settings.DUBAN_NOTIFY_RETRY_DELAYS = [0, 0, 0]
    settings.DUBAN_SITE_URL = "https://duban.example.gov.cn"
    settings.DUBAN_EMAIL_HOST = ""
    settings.DUBAN_SMS_URL = ""
    settings.DUBAN_SMS_URGENT_ONLY = True
    settings.DUBAN_NOTIFY_TIMEOUT = 2
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)  # the receiver is on 127.0.0.1, never behind a proxy
    return settings


@pytest.fixture
def email_on(settings):
    settings.DUBAN_EMAIL_HOST = "smtp.example.gov.cn"  # Django's test runner delivers into mail.outbox
    return settings


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a call, then what it queued for after commit: the jobs, which run at once in tests."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
