"""Sign-in and account security as MLPS 2.0 level 3 evaluators check it (SPEC §9): lockout after five
wrong passwords, password rules, Argon2, the idle timeout, the 90-day change, and 三员分立."""

import datetime as dt
import importlib
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from duban.core import services
from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.errors import NotAllowed, ServiceError
from duban.core.models import AuditEntry, RoleGrant, User
from tests.conftest import PASSWORD, SYSTEM, make_person

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9AM = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
WRONG = "Wrong-pass-2026"


def sign_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def page(response) -> str:
    return response.content.decode()


def signed_in_as(client):
    """The user id the client's session is signed in as, or None."""
    return client.session.get("_auth_user_id")


def failures_logged(username):
    return list(
        AuditEntry.objects.filter(action="auth.login_failed", object_repr=username).order_by("seq").values_list("outcome", "message")
    )


# --- lockout: five wrong passwords lock the account for 30 minutes ---------------------------------


def test_five_wrong_passwords_lock_the_account_for_30_minutes_even_against_the_right_one(county):
    liaison = county.people["liaison"]
    client = Client()
    with time_machine.travel(MONDAY_9AM, tick=False) as clock:
        for attempt in range(1, 5):
            response = sign_in(client, liaison.username, WRONG)
            assert response.status_code == 200
            assert "登录名或密码不正确" in page(response)
            assert f"再输错 {5 - attempt} 次，账号将锁定 30 分钟" in page(response)

        fifth = sign_in(client, liaison.username, WRONG)
        assert fifth.status_code == 429
        assert "登录名或密码不正确" in page(fifth)
        assert "锁定" in page(fifth) and "30 分钟" in page(fifth)

        sixth = sign_in(client, liaison.username, PASSWORD)  # the right password, too late
        assert sixth.status_code == 429
        assert "锁定" in page(sixth) and "30 分钟" in page(sixth)
        assert "请 30 分钟后再试" in page(sixth)
        assert "密码不正确" not in page(sixth)
        assert signed_in_as(client) is None

        clock.shift(dt.timedelta(minutes=29))
        response = sign_in(client, liaison.username, PASSWORD)
        assert response.status_code == 429 and "请 1 分钟后再试" in page(response)
        assert signed_in_as(client) is None

        clock.shift(dt.timedelta(minutes=2))  # 31 minutes after the fifth failure
        response = sign_in(client, liaison.username, PASSWORD)
        assert response.status_code == 302 and response["Location"] == reverse("home")
        assert signed_in_as(client) == str(liaison.pk)

    assert failures_logged(liaison.username) == [
        ("failure", "密码错误"),
        ("failure", "密码错误"),
        ("failure", "密码错误"),
        ("failure", "密码错误"),
        ("failure", "密码错误，已连续 5 次，账号锁定 30 分钟"),
        ("failure", "账号已锁定，拒绝登录"),
        ("failure", "账号已锁定，拒绝登录"),
    ]
    logins = AuditEntry.objects.filter(action="auth.login")
    assert [(e.actor_id, e.outcome) for e in logins] == [(liaison.pk, "success")]
    assert all(e.object_id == str(liaison.pk) for e in AuditEntry.objects.filter(action="auth.login_failed"))


def test_a_successful_sign_in_clears_earlier_failures(county):
    liaison = county.people["liaison"]
    client = Client()
    for _ in range(4):
        sign_in(client, liaison.username, WRONG)
    assert sign_in(client, liaison.username, PASSWORD).status_code == 302
    client.post(reverse("logout"))

    for _ in range(4):
        response = sign_in(client, liaison.username, WRONG)
    assert response.status_code == 200  # four more: not five in a row
    assert sign_in(client, liaison.username, PASSWORD).status_code == 302


def test_the_lock_is_on_the_account_not_on_the_shared_office_address(county):
    # A township office signs in from one NAT address: one person's typos must not lock out the others.
    office = {"REMOTE_ADDR": "10.20.30.40"}
    for _ in range(5):
        sign_in(Client(), "chengguan_lly", WRONG, **office)
    assert sign_in(Client(), "chengguan_lly", PASSWORD, **office).status_code == 429
    assert sign_in(Client(), "chengguan_lly", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 429
    colleague = Client()
    assert sign_in(colleague, "fagai_lly", PASSWORD, **office).status_code == 302
    assert signed_in_as(colleague) == str(county.people["liaison"].pk)


def test_an_unknown_login_name_is_logged_and_answered_like_a_wrong_password(county):
    response = sign_in(Client(), "nobody", WRONG)
    assert response.status_code == 200 and "登录名或密码不正确" in page(response)
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert (entry.outcome, entry.message, entry.object_id, entry.actor_id) == ("failure", "登录名不存在", "", None)


def test_sign_in_and_sign_out_are_in_the_audit_trail(county):
    leader = county.people["leader"]
    client = Client()
    assert sign_in(client, leader.username, PASSWORD, REMOTE_ADDR="10.1.2.3").status_code == 302
    assert client.get(reverse("home")).status_code == 200

    response = client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert signed_in_as(client) is None
    entries = list(AuditEntry.objects.order_by("seq").values_list("action", "actor_id", "outcome", "ip"))
    assert entries == [("auth.login", leader.pk, "success", "10.1.2.3"), ("auth.logout", leader.pk, "success", "10.1.2.3")]


# --- password rules --------------------------------------------------------------------------------


def test_a_short_password_is_refused_naming_the_length_rule(county):
    with pytest.raises(ServiceError) as refused:
        services.create_person(SYSTEM, username="xiaoli", full_name="小李", unit=county.units["ndrc"], password="Ab1-xy")
    assert "8 个字符" in refused.value.message
    assert refused.value.message.startswith("密码不符合要求")
    assert not User.objects.filter(username="xiaoli").exists()
    assert not AuditEntry.objects.filter(action="person.create").exists()


def test_a_password_of_two_character_classes_is_refused_naming_the_class_rule(county):
    with pytest.raises(ServiceError) as refused:
        services.create_person(SYSTEM, username="xiaoli", full_name="小李", password="qingshuiheliu2026")
    assert "至少 3 类" in refused.value.message
    assert not User.objects.filter(username="xiaoli").exists()


def test_a_good_password_is_accepted_and_dated(county):
    with time_machine.travel(MONDAY_9AM, tick=False):
        person = services.create_person(SYSTEM, username="xiaoli", full_name="小李", password="Qingshui-2026")
    person.refresh_from_db()
    assert person.check_password("Qingshui-2026")
    assert person.password_changed_at == MONDAY_9AM
    assert person.must_change_password is False


def test_an_admin_reset_to_a_weak_password_is_refused_and_changes_nothing(county):
    liaison = county.people["liaison"]
    with pytest.raises(ServiceError) as refused:
        services.reset_password(Actor(user=county.people["sysadmin"]), liaison, "12345678")
    assert "至少 3 类" in refused.value.message
    liaison.refresh_from_db()
    assert liaison.check_password(PASSWORD) and not liaison.must_change_password
    assert not AuditEntry.objects.filter(action="person.reset_password").exists()


def test_changing_ones_own_password_to_a_weak_one_is_refused(county):
    liaison = county.people["liaison"]
    with pytest.raises(ServiceError) as refused:
        services.change_own_password(Actor(user=liaison), PASSWORD, "Ab-1")
    assert "8 个字符" in refused.value.message
    with pytest.raises(ServiceError) as refused:
        services.change_own_password(Actor(user=liaison), PASSWORD, "ABCDEFGH1234")
    assert "至少 3 类" in refused.value.message
    liaison.refresh_from_db()
    assert liaison.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="person.change_password").exists()


def test_the_password_page_shows_the_broken_rule(county):
    client = county.client("liaison")
    response = client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": "qingshui2026", "new_password2": "qingshui2026"})
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors == ["密码不符合要求：密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类。"]
    assert f'<div class="alert alert-danger">{errors[0]}</div>' in page(response)

    response = client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": "Ab1-x", "new_password2": "Ab1-x"})
    assert response.status_code == 200
    assert "8 个字符" in response.context["form"].non_field_errors()[0]
    county.people["liaison"].refresh_from_db()
    assert county.people["liaison"].check_password(PASSWORD)


def test_the_password_page_accepts_a_good_password(county):
    client = county.client("liaison")
    response = client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": "Fagai-new-2026", "new_password2": "Fagai-new-2026"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    county.people["liaison"].refresh_from_db()
    assert county.people["liaison"].check_password("Fagai-new-2026")
    assert client.get(reverse("home")).status_code == 200  # still signed in with the new hash


def test_production_settings_store_argon2_hashes(county, settings):
    production = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"]).PASSWORD_HASHERS  # as the settings file has it
    assert production[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = production  # undo the tests' fast hasher

    person = services.create_person(SYSTEM, username="xiaoli", full_name="小李", password="Qingshui-2026")

    stored = User.objects.get(pk=person.pk).password
    assert stored.startswith("argon2$argon2id$")
    client = Client()
    assert sign_in(client, "xiaoli", "Qingshui-2026").status_code == 302


# --- idle timeout -----------------------------------------------------------------------------------


def test_a_session_ends_after_30_idle_minutes_and_each_request_restarts_the_clock(county):
    client = Client()
    with time_machine.travel(MONDAY_9AM, tick=False) as clock:
        assert sign_in(client, "ducha", PASSWORD).status_code == 302
        session_key = client.session.session_key
        assert Session.objects.get(session_key=session_key).expire_date == MONDAY_9AM + dt.timedelta(minutes=30)

        clock.shift(dt.timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200
        assert Session.objects.get(session_key=session_key).expire_date == MONDAY_9AM + dt.timedelta(minutes=59)

        clock.shift(dt.timedelta(minutes=29))  # 58 minutes after signing in, 29 after the last request
        assert client.get(reverse("home")).status_code == 200

        clock.shift(dt.timedelta(minutes=31))
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={reverse('home')}"
        assert client.get(reverse("people_list")).status_code == 302


# --- password age and admin resets --------------------------------------------------------------------


def test_a_password_91_days_old_must_be_changed_before_anything_else(county):
    liaison = county.people["liaison"]
    User.objects.filter(pk=liaison.pk).update(password_changed_at=MONDAY_9AM)
    with time_machine.travel(MONDAY_9AM + dt.timedelta(days=89), tick=False):
        assert county.client("liaison").get(reverse("home")).status_code == 200

    with time_machine.travel(MONDAY_9AM + dt.timedelta(days=91), tick=False):
        client = county.client("liaison")
        for name in ("home", "people_list", "unit_list"):
            response = client.get(reverse(name))
            assert response.status_code == 302 and response["Location"] == reverse("password_change"), name
        response = client.get(reverse("password_change"))
        assert response.status_code == 200 and 'data-testid="password-expired"' in page(response)

        response = client.post(
            reverse("password_change"), {"old_password": PASSWORD, "new_password1": "Fagai-new-2026", "new_password2": "Fagai-new-2026"}
        )
        assert response.status_code == 302 and response["Location"] == reverse("home")
        assert client.get(reverse("home")).status_code == 200
        assert client.get(reverse("people_list")).status_code == 200
        liaison.refresh_from_db()
        assert liaison.password_changed_at == MONDAY_9AM + dt.timedelta(days=91)
        assert AuditEntry.objects.filter(action="person.change_password", actor=liaison).count() == 1


def test_an_expired_password_still_lets_one_sign_out(county):
    User.objects.filter(pk=county.people["liaison"].pk).update(password_changed_at=MONDAY_9AM)
    with time_machine.travel(MONDAY_9AM + dt.timedelta(days=91), tick=False):
        client = Client()
        assert sign_in(client, "fagai_lly", PASSWORD).status_code == 302
        assert client.get(reverse("home"))["Location"] == reverse("password_change")
        response = client.post(reverse("logout"))
        assert response.status_code == 302 and response["Location"] == reverse("login")
        assert signed_in_as(client) is None
    assert AuditEntry.objects.filter(action="auth.logout", actor=county.people["liaison"]).count() == 1


def test_a_password_reset_by_the_admin_must_be_changed_at_next_sign_in(county):
    liaison = county.people["liaison"]
    services.reset_password(Actor(user=county.people["sysadmin"]), liaison, "Linshi-2026")
    client = Client()
    assert sign_in(client, "fagai_lly", PASSWORD).status_code == 200  # the old password is gone
    assert sign_in(client, "fagai_lly", "Linshi-2026").status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("password_change")

    response = client.post(
        reverse("password_change"), {"old_password": "Linshi-2026", "new_password1": "Fagai-new-2026", "new_password2": "Fagai-new-2026"}
    )

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    liaison.refresh_from_db()
    assert liaison.must_change_password is False and liaison.check_password("Fagai-new-2026")


# --- 三员分立: separation of the three admin roles ---------------------------------------------------


@pytest.mark.parametrize(("held", "asked"), [
    (Role.SYSADMIN, Role.SECADMIN),
    (Role.SECADMIN, Role.AUDITADMIN),
    (Role.AUDITADMIN, Role.SYSADMIN),
    (Role.SYSADMIN, Role.LIAISON),
    (Role.LIAISON, Role.SYSADMIN),
    (Role.AUDITADMIN, Role.PRINCIPAL),
    (Role.SUPERVISION, Role.AUDITADMIN),
])
def test_an_admin_role_is_never_combined_with_another_role(county, held, asked):
    person = make_person("xinren", county.units["it"], held, full_name="新人")
    grants_before = list(RoleGrant.objects.order_by("user_id", "role").values_list("user_id", "role"))
    audit_before = AuditEntry.objects.count()

    with pytest.raises(ServiceError) as refused:
        services.grant_role(Actor(user=county.people["secadmin"]), person, asked)

    assert "三员分立" in refused.value.message
    assert list(RoleGrant.objects.order_by("user_id", "role").values_list("user_id", "role")) == grants_before
    assert AuditEntry.objects.count() == audit_before
    assert User.objects.get(pk=person.pk).roles == frozenset({held})


def test_two_business_roles_may_be_combined(county):
    person = county.people["supervision"]
    services.grant_role(Actor(user=county.people["secadmin"]), person, Role.BUSINESS)
    assert User.objects.get(pk=person.pk).roles == frozenset({Role.SUPERVISION, Role.BUSINESS})
    entry = AuditEntry.objects.get(action="role.grant")
    assert (entry.actor_id, entry.before, entry.after) == (
        county.people["secadmin"].pk, {"roles": ["supervision"]}, {"roles": ["business", "supervision"]},
    )


@pytest.mark.parametrize("granter", ["sysadmin", "auditadmin", "principal"])
def test_only_the_security_admin_grants_roles(county, granter):
    person = county.people["liaison"]
    with pytest.raises(NotAllowed) as refused:
        services.grant_role(Actor(user=county.people[granter]), person, Role.UNIT_HEAD)
    assert refused.value.message == "只有安全管理员可以授予角色。"
    assert User.objects.get(pk=person.pk).roles == frozenset({Role.LIAISON})
    assert not AuditEntry.objects.exists()


def test_the_system_admin_cannot_hand_out_roles_by_opening_an_account(county):
    # Opening accounts is the system admin's; granting roles is the security admin's alone.
    with pytest.raises(NotAllowed):
        services.create_person(
            Actor(user=county.people["sysadmin"]), username="xinren", full_name="新人", password="Xinren-2026!", roles=(Role.SECADMIN,),
        )
    assert not User.objects.filter(username="xinren").exists()
    assert not AuditEntry.objects.exists()


def test_an_account_opened_with_clashing_roles_is_not_opened_at_all(county):
    with pytest.raises(ServiceError, match="三员分立"):
        services.create_person(SYSTEM, username="xinren", full_name="新人", password="Xinren-2026!", roles=(Role.SYSADMIN, Role.LIAISON))
    assert not User.objects.filter(username="xinren").exists()
    assert not RoleGrant.objects.filter(user__username="xinren").exists()
    assert not AuditEntry.objects.exists()


def test_an_account_opened_by_the_system_admin_must_change_its_initial_password(county):
    from duban.core import services
    from duban.core.actor import Actor

    person = services.create_person(
        Actor(user=county.people["sysadmin"]), username="xinren", full_name="新人", password="Chushi-2026x"
    )
    assert person.must_change_password is True
    client = Client()
    client.force_login(person)
    response = client.get(reverse("people_list"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")


def test_an_expired_password_gets_a_json_403_from_the_api_and_a_redirect_from_the_token_page(county):
    User.objects.filter(pk=county.people["liaison"].pk).update(password_changed_at=MONDAY_9AM)
    with time_machine.travel(MONDAY_9AM + dt.timedelta(days=91), tick=False):
        client = county.client("liaison")
        for method, path in (("get", "/api/v1/tasks"), ("post", "/api/v1/tasks/2026-0001/transitions/sign")):
            response = getattr(client, method)(path)
            assert response.status_code == 403, path
            assert response["Content-Type"] == "application/json"
            assert response.json() == {"detail": "密码已过期或已被重置，请先在网页上修改密码。"}
        response = client.get("/api/tokens/")  # a page of the site: changes the password first, like the others
        assert response.status_code == 302 and response["Location"] == reverse("password_change")
