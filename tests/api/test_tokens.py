"""Personal access tokens: shown once, kept only as a hash, refused (401, in Chinese) once revoked or expired,
and never outliving what guards the owner's sign-in (password, lock, account)."""

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
from tests.conftest import PASSWORD

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
    assert token.prefix == raw[:12] and token.name == "台账同步脚本"
    assert token.expires_at == token.created_at + dt.timedelta(days=90)  # left empty: the longest life, never none
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
        with django_assert_num_queries(2):  # the token (with its person, unit and lock state) and the roles: no write
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


# --- a token never outlives the password, the lock or the account it was made under --------------------


DAY = dt.timedelta(days=1)


def a_working_token(person, at=NOON):
    with time_machine.travel(at, tick=False):
        _, raw = services.create_token(Actor(user=person), name="脚本")
        assert ApiClient(raw).get("/me").status_code == 200
    return raw


def refused_at(raw, at):
    with time_machine.travel(at, tick=False):
        response = ApiClient(raw).get("/me")
    assert response.status_code == 401
    return response.json()["detail"]


def test_changing_ones_own_password_ends_every_token_made_before(county):
    from duban.core import services as accounts

    person = county.people["liaison"]
    raw = a_working_token(person)
    with time_machine.travel(NOON + DAY, tick=False):
        accounts.change_own_password(Actor(user=person), PASSWORD, "Another-pass-2026")

    assert refused_at(raw, NOON + 2 * DAY) == ("令牌所属账号的密码在创建该令牌之后已修改或重置，令牌随之失效，"
                                                "请在“我的访问令牌”页面另建一个。")
    assert ApiToken.objects.get().status(NOON + 2 * DAY) == "password"
    assert ApiToken.objects.filter(user=person).usable(NOON + 2 * DAY).count() == 0
    fresh = a_working_token(person, NOON + 2 * DAY)  # a token made under the new password works
    assert fresh != raw


def test_the_password_page_says_tokens_end_and_ends_them(county):
    person = county.people["liaison"]
    raw = a_working_token(person)
    client = county.client("liaison")
    assert "已有的访问令牌全部失效" in client.get("/password/").content.decode()
    with time_machine.travel(NOON + DAY, tick=False):
        done = client.post("/password/", {"old_password": PASSWORD, "new_password1": "Another-pass-2026",
                                          "new_password2": "Another-pass-2026"}, follow=True)
    assert "访问令牌已全部失效" in done.content.decode()
    assert "密码在创建该令牌之后已修改或重置" in refused_at(raw, NOON + DAY + dt.timedelta(minutes=1))


def test_an_admins_password_reset_ends_the_persons_tokens(county):
    from duban.core import services as accounts

    person = county.people["liaison"]
    raw = a_working_token(person)
    with time_machine.travel(NOON + DAY, tick=False):
        accounts.reset_password(Actor(user=county.people["sysadmin"]), person, "Temporary-pass-2026")

    assert "密码在创建该令牌之后已修改或重置" in refused_at(raw, NOON + DAY + dt.timedelta(minutes=1))
    page_text = county.client("sysadmin").get(f"/manage/people/{person.pk}/").content.decode()
    assert "已有的访问令牌全部失效" in page_text


def test_an_expired_password_stops_the_token_too(county, settings):
    from duban.core import services as accounts

    person = county.people["liaison"]
    with time_machine.travel(NOON - 80 * DAY, tick=False):
        accounts.change_own_password(Actor(user=person), PASSWORD, "Another-pass-2026")
    raw = a_working_token(person)

    assert refused_at(raw, NOON + 11 * DAY) == "令牌所属账号的密码已过期或须修改，请先在网页上修改密码，再另建访问令牌。"


def test_a_locked_account_s_token_gets_401_on_the_next_request(county):
    person = county.people["liaison"]
    raw = a_working_token(person)
    with time_machine.travel(NOON + dt.timedelta(minutes=5), tick=False):
        for _ in range(5):
            Client().post("/login/", {"username": person.username, "password": "Wrong-pass-2026"})
    assert refused_at(raw, NOON + dt.timedelta(minutes=6)) == (
        "令牌所属账号因多次输错密码已被锁定，锁定期间访问令牌不能使用；解锁后即恢复。")
    # the lock lapses after 30 minutes, and so does the refusal
    with time_machine.travel(NOON + dt.timedelta(minutes=40), tick=False):
        assert ApiClient(raw).get("/me").status_code == 200


def test_a_disabled_account_s_token_gets_401_on_the_next_request(county):
    from duban.core import services as accounts

    person = county.people["liaison"]
    raw = a_working_token(person)
    with time_machine.travel(NOON + dt.timedelta(minutes=1), tick=False):
        accounts.update_person(Actor(user=county.people["sysadmin"]), person, is_active=False)
    assert refused_at(raw, NOON + dt.timedelta(minutes=2)) == "令牌所属账号已停用，访问令牌不能再使用。"


def test_no_token_lives_longer_than_the_cap(county, settings):
    actor = Actor(user=county.people["liaison"])
    with time_machine.travel(NOON, tick=False):
        with pytest.raises(ServiceError, match="最长有效 90 天，请选择 2026-08-30 或更早的日期"):
            services.create_token(actor, name="长期", expires_at=NOON + 91 * DAY)
        refused = page(county).post("/api/tokens/", {"name": "长期", "expires_on": "2026-08-31"})
        assert "访问令牌最长有效 90 天，请选择 2026-08-29 或更早的日期。" in refused.content.decode()
        assert ApiToken.objects.count() == 0
        _, raw = services.create_token(actor, name="最长")
    assert ApiToken.objects.get().expires_at == NOON + 90 * DAY
    with time_machine.travel(NOON + 90 * DAY - dt.timedelta(seconds=1), tick=False):
        assert ApiClient(raw).get("/me").status_code == 200
    assert "过期" in refused_at(raw, NOON + 90 * DAY)


def test_a_token_made_without_expiry_before_the_cap_ends_at_the_cap(county, settings):
    _, raw = services.create_token(Actor(user=county.people["liaison"]), name="老令牌")
    token = ApiToken.objects.get()
    ApiToken.objects.filter(pk=token.pk).update(created_at=NOON, expires_at=None)  # as tokens were made before
    settings.DUBAN_API_TOKEN_MAX_DAYS = 30
    with time_machine.travel(NOON + 29 * DAY, tick=False):
        assert ApiClient(raw).get("/me").status_code == 200
    assert refused_at(raw, NOON + 30 * DAY) == "该访问令牌已于 2026-07-01 12:00 过期，请在“我的访问令牌”页面另建一个。"


# --- the security admin sees a person's tokens and revokes them all ----------------------------------------


def test_the_security_admin_lists_a_persons_tokens_and_revokes_them_all(county):
    person = county.people["liaison"]
    first = a_working_token(person)
    second = a_working_token(person, NOON + dt.timedelta(minutes=1))
    other = a_working_token(county.people["unit_head"])
    secadmin = county.client("secadmin")
    assert f'href="/api/tokens/person/{person.pk}/"' in secadmin.get(f"/manage/roles/{person.pk}/").content.decode()

    listing = secadmin.get(f"/api/tokens/person/{person.pk}/")

    text = listing.content.decode()
    assert listing.status_code == 200 and text.count("dbn_") == 2 and "撤销全部令牌（2 个）" in text
    assert first not in text and second not in text  # prefixes only
    with time_machine.travel(NOON + DAY, tick=False):
        done = secadmin.post(f"/api/tokens/person/{person.pk}/revoke-all/", follow=True)
    assert "已撤销郑联络的全部 2 个访问令牌" in done.content.decode()
    assert "已撤销" in done.content.decode() and "撤销全部令牌" not in done.content.decode()
    assert "撤销" in refused_at(first, NOON + DAY) and "撤销" in refused_at(second, NOON + DAY)
    with time_machine.travel(NOON + DAY, tick=False):
        assert ApiClient(other).get("/me").status_code == 200
    entries = AuditEntry.objects.filter(action="api_token.revoke").order_by("seq")
    assert [(e.actor, e.after["revoked_at"] is not None) for e in entries] == [(county.people["secadmin"], True)] * 2
    assert entries[0].message == "撤销郑联络的全部访问令牌（共 2 个）"


@pytest.mark.parametrize("role", ["sysadmin", "auditadmin", "supervision", "liaison"])
def test_only_the_security_admin_sees_or_revokes_someone_elses_tokens(county, role):
    person = county.people["unit_head"]
    raw = a_working_token(person)
    client = county.client(role)
    assert client.get(f"/api/tokens/person/{person.pk}/").status_code == 403
    assert client.post(f"/api/tokens/person/{person.pk}/revoke-all/").status_code == 403
    with pytest.raises(NotAllowed):
        services.revoke_all_tokens(Actor(user=county.people[role]), person)
    assert ApiToken.objects.get().revoked_at is None
    with time_machine.travel(NOON, tick=False):
        assert ApiClient(raw).get("/me").status_code == 200
