"""Personal access tokens: shown once, kept only as a hash, refused (401, in Chinese) once revoked or expired."""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.test import Client

from duban.api import services
from duban.api.models import ApiToken
from duban.core.actor import Actor
from duban.core.errors import NotAllowed, ServiceError
from duban.core.models import AuditEntry
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
NOON = dt.datetime(2026, 6, 1, 12, tzinfo=CST)


def page(county, role="liaison") -> Client:
    return county.client(role)


def test_a_token_is_shown_once_and_stored_only_as_a_hash(county):
    client = page(county)
    response = client.post("/api/tokens/", {"name": "台账同步脚本", "expires_on": ""})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    raw = response.context["new_token"]
    assert raw.startswith("dbn_") and len(raw) > 40
    assert response.content.decode().count(raw) == 2  # the copy box and the curl example
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:12] and token.name == "台账同步脚本" and token.expires_at is None
    assert token.user == county.people["liaison"]
    # nowhere else: not on the page again, not in the audit trail
    again = client.get("/api/tokens/").content.decode()
    assert raw not in again and f"{token.prefix}…" in again
    entry = AuditEntry.objects.get(action="api_token.create")
    assert raw not in str(entry.after) and token.token_hash not in str(entry.after)
    assert entry.after["name"] == "台账同步脚本" and entry.actor == county.people["liaison"]
    # and it works
    me = ApiClient(raw).get("/me")
    assert me.status_code == 200 and me.json()["username"] == "fagai_lly" and me.json()["roles"] == ["liaison"]


def test_the_page_sets_an_end_of_day_expiry_and_refuses_a_past_one(county):
    client = page(county)
    with time_machine.travel(NOON, tick=False):
        client.post("/api/tokens/", {"name": "季度报表", "expires_on": "2026-06-30"})
        past = client.post("/api/tokens/", {"name": "过去", "expires_on": "2026-05-31"})
    token = ApiToken.objects.get()
    assert token.expires_at == dt.datetime(2026, 6, 30, 23, 59, 59, tzinfo=CST)
    assert "有效期不能早于今天。" in past.content.decode() and ApiToken.objects.count() == 1
    blank = page(county).post("/api/tokens/", {"name": "  "})
    assert "这个字段是必填项。" in blank.content.decode() and ApiToken.objects.count() == 1


def test_the_dropdown_links_to_the_token_page(county):
    assert 'href="/api/tokens/"' in page(county).get("/").content.decode()


def test_the_token_page_needs_a_signed_in_user(client, county):
    response = client.get("/api/tokens/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_revoked_token_is_refused(county):
    token, raw = services.create_token(Actor(user=county.people["liaison"]), name="脚本")
    assert ApiClient(raw).get("/tasks").status_code == 200
    response = page(county).post(f"/api/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = ApiClient(raw).get("/tasks")
    assert refused.status_code == 401
    assert refused.json() == {"detail": "该访问令牌已撤销，请在“我的访问令牌”页面另建一个。", "field": None}
    assert AuditEntry.objects.filter(action="api_token.revoke", object_id=str(token.pk)).count() == 1
    with pytest.raises(ServiceError, match="已经撤销"):
        services.revoke_token(Actor(user=county.people["liaison"]), token)


def test_nobody_revokes_someone_elses_token(county):
    token, raw = services.create_token(Actor(user=county.people["liaison"]), name="脚本")
    assert page(county, "supervision").post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    with pytest.raises(NotAllowed):
        services.revoke_token(Actor(user=county.people["supervision"]), token)
    token.refresh_from_db()
    assert token.revoked_at is None and ApiClient(raw).get("/tasks").status_code == 200


def test_an_expired_token_is_refused(county):
    with time_machine.travel(NOON, tick=False):
        _, raw = services.create_token(Actor(user=county.people["liaison"]), name="脚本",
                                       expires_at=dt.datetime(2026, 6, 2, 0, 0, tzinfo=CST))
        assert ApiClient(raw).get("/tasks").status_code == 200
    with time_machine.travel(dt.datetime(2026, 6, 2, 0, 0, tzinfo=CST), tick=False):
        refused = ApiClient(raw).get("/tasks")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "该访问令牌已于 2026-06-02 00:00 过期，请在“我的访问令牌”页面另建一个。"
    assert refused["WWW-Authenticate"] == 'Bearer realm="duban"'


def test_a_deactivated_person_s_token_is_refused(county):
    person = county.people["liaison"]
    _, raw = services.create_token(Actor(user=person), name="脚本")
    person.is_active = False
    person.save(update_fields=["is_active"])
    refused = ApiClient(raw).get("/tasks")
    assert refused.status_code == 401 and refused.json()["detail"] == "令牌所属账号已停用，访问令牌不能再使用。"


@pytest.mark.parametrize("header", ["Bearer dbn_wrong", "Bearer nonsense", "Token abc", ""])
def test_a_wrong_or_missing_token_is_refused_in_chinese(county, header):
    response = Client().get("/api/v1/tasks", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    detail = response.json()["detail"]
    assert detail in {"访问令牌无效，请检查 Authorization 请求头（格式：Bearer dbn_…）。",
                      "请先登录，或在请求头中提供访问令牌：Authorization: Bearer <令牌>。"}


def test_last_used_is_written_at_most_once_a_minute(county, django_assert_num_queries):
    with time_machine.travel(NOON, tick=False):
        token, raw = services.create_token(Actor(user=county.people["liaison"]), name="脚本")
    client = ApiClient(raw)
    assert token.last_used_at is None
    with time_machine.travel(NOON, tick=False):
        client.get("/me")
    token.refresh_from_db()
    assert token.last_used_at == NOON
    with time_machine.travel(NOON + dt.timedelta(seconds=59), tick=False):
        with django_assert_num_queries(2):  # the token (with its person and unit) and the roles: no write
            client.get("/me")
    token.refresh_from_db()
    assert token.last_used_at == NOON
    with time_machine.travel(NOON + dt.timedelta(seconds=61), tick=False):
        client.get("/me")
    token.refresh_from_db()
    assert token.last_used_at == NOON + dt.timedelta(seconds=61)


def test_the_browser_session_must_send_the_csrf_token_for_changes(county, make_task):
    task = make_task()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(county.people["unit_head"])
    assert browser.get("/api/v1/tasks").status_code == 200  # reading needs no CSRF token
    refused = browser.post(f"/api/v1/tasks/{task.code}/transitions/sign", {"version": task.version}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["detail"].startswith("CSRF 校验失败")
    task.refresh_from_db()
    assert task.state == "assigned"
    browser.get("/api/tokens/")  # any page sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    done = browser.post(f"/api/v1/tasks/{task.code}/transitions/sign", {"version": task.version},
                        content_type="application/json", headers={"X-CSRFToken": csrf})
    assert done.status_code == 200 and done.json()["state"] == "in_progress"


def test_a_bearer_token_needs_no_csrf_token(county, make_task):
    task = make_task()
    _, raw = services.create_token(Actor(user=county.people["unit_head"]), name="脚本")
    client = ApiClient(raw)
    client.client = Client(enforce_csrf_checks=True)
    assert client.post(f"/tasks/{task.code}/transitions/sign", {"version": task.version}).status_code == 200


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditadmin"])
def test_admins_get_no_business_data(county, make_task, role):
    task = make_task()
    _, raw = services.create_token(Actor(user=county.people[role]), name="巡检")
    client = ApiClient(raw)
    assert client.get("/tasks").json() == {"items": [], "next": None, "prev": None}
    assert client.get(f"/tasks/{task.code}").status_code == 404


def test_a_token_needs_a_name_and_a_future_expiry(county):
    actor = Actor(user=county.people["liaison"])
    with pytest.raises(ServiceError, match="请填写令牌用途"):
        services.create_token(actor, name=" ")
    with time_machine.travel(NOON, tick=False):
        with pytest.raises(ServiceError, match="有效期应晚于现在"):
            services.create_token(actor, name="x", expires_at=NOON)
    assert ApiToken.objects.count() == 0
