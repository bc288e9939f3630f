"""The address in the audit trail is the connection's, unless a proxy named in DUBAN_TRUSTED_PROXIES forwarded it.

Served directly by `duban serve` (the one-machine setup), anyone can send `X-Forwarded-For`; believing it
would let a caller write any address into the trail, failed sign-ins included.
"""

import ipaddress

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from duban.core.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

FORGED = "203.0.113.66"


def sign_in(username, password, **extra):
    return Client().post(reverse("login"), {"username": username, "password": password}, **extra)


def test_served_directly_a_forwarded_for_header_is_ignored_for_sign_ins_and_failures(county, settings):
    settings.DUBAN_TRUSTED_PROXIES = []
    direct = {"REMOTE_ADDR": "10.8.8.8", "HTTP_X_FORWARDED_FOR": FORGED}

    sign_in("fagai_lly", "Wrong-pass-2026", **direct)
    sign_in("fagai_lly", PASSWORD, **direct)

    assert list(AuditEntry.objects.order_by("seq").values_list("action", "ip")) == [
        ("auth.login_failed", "10.8.8.8"), ("auth.login", "10.8.8.8"),
    ]
    assert AccessAttempt.objects.filter(ip_address=FORGED).count() == 0


def test_a_change_made_directly_records_the_connection_not_the_header(county, settings):
    settings.DUBAN_TRUSTED_PROXIES = []
    client = county.client("liaison")

    client.post("/api/tokens/", {"name": "脚本", "expires_on": ""}, REMOTE_ADDR="10.8.8.9", HTTP_X_FORWARDED_FOR=FORGED)

    assert AuditEntry.objects.get(action="api_token.create").ip == "10.8.8.9"


def test_behind_a_trusted_proxy_the_client_is_the_last_hop_the_proxies_did_not_add(county, settings):
    settings.DUBAN_TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.0.0/24")]
    # The client sent a forged first hop; the outer proxy (10.0.0.7) appended the real client, the inner
    # one (127.0.0.1) connected to duban.
    via = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": f"{FORGED}, 172.16.5.20, 10.0.0.7"}

    sign_in("fagai_lly", "Wrong-pass-2026", **via)

    assert AuditEntry.objects.get(action="auth.login_failed").ip == "172.16.5.20"
    assert AccessAttempt.objects.get().ip_address == "172.16.5.20"


def test_a_proxy_that_is_not_named_is_not_believed(county, settings):
    settings.DUBAN_TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.1/32")]

    sign_in("fagai_lly", "Wrong-pass-2026", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=FORGED)

    assert AuditEntry.objects.get(action="auth.login_failed").ip == "10.0.0.2"


def test_a_garbled_header_from_a_trusted_proxy_falls_back_to_the_proxy(county, settings):
    settings.DUBAN_TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]

    sign_in("fagai_lly", "Wrong-pass-2026", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="<script>, unknown")

    assert AuditEntry.objects.get(action="auth.login_failed").ip == "127.0.0.1"
