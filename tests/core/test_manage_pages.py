"""The three admins' pages (三员分立), through HTTP: each admin reaches only their own pages and does their work there.

System admin keeps units, accounts, leaders' charges and the holiday table; security admin grants and
revokes roles; audit admin reads and verifies the audit trail. Every change is checked in the database
and in the audit trail; every refusal shows its reason and changes nothing.
"""

import datetime as dt
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from duban.core import audit, services
from duban.core.choices import CalendarDayKind, Role, UnitCategory, UnitKind
from duban.core.models import AuditEntry, CalendarDay, LeaderCharge, RoleGrant, Unit, User
from tests.conftest import DIRECTORY_SCOPE, PASSWORD, SYSTEM, behind_the_apps_back

pytestmark = pytest.mark.django_db

ALL_ROLES = sorted(DIRECTORY_SCOPE)
NEW_PASSWORD = "Xinmima-2026!"


def entries_since(seq: int, *, include_auth: bool = False) -> list[AuditEntry]:
    """Audit entries written after `seq`, oldest first; sign-ins left out unless asked for."""
    rows = AuditEntry.objects.filter(seq__gt=seq).order_by("seq")
    if not include_auth:
        rows = rows.exclude(action__startswith="auth.")
    return list(rows)


def last_seq() -> int:
    return audit.current_head()[0]


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def shown(response, attr: str) -> list[int]:
    return [int(x) for x in re.findall(rf'data-{attr}="(\d+)"', response.content.decode())]


@pytest.fixture
def history(county):
    """One service change before anyone signs in, so the trail has an entry #1 to open."""
    return services.create_unit(SYSTEM, name="县统计局", kind=UnitKind.DEPARTMENT, category=UnitCategory.DEPARTMENT)


# --- who may open which page --------------------------------------------------------------------

PAGES = [
    ("sysadmin", "manage_unit_list", None),
    ("sysadmin", "manage_unit_create", None),
    ("sysadmin", "manage_unit_edit", lambda c: [c.units["transport"].pk]),
    ("sysadmin", "manage_person_list", None),
    ("sysadmin", "manage_person_create", None),
    ("sysadmin", "manage_person_edit", lambda c: [c.people["liaison"].pk]),
    ("sysadmin", "manage_charge_list", None),
    ("sysadmin", "manage_holiday_list", None),
    ("secadmin", "manage_role_list", None),
    ("secadmin", "manage_role_person", lambda c: [c.people["liaison"].pk]),
    ("auditadmin", "manage_audit_list", None),
    ("auditadmin", "manage_audit_detail", lambda c: [1]),
]
REQUIRED_LABEL = {"sysadmin": "系统管理员", "secadmin": "安全管理员", "auditadmin": "审计管理员"}


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("owner", "url_name", "args"), PAGES, ids=[p[1] for p in PAGES])
def test_each_admin_page_opens_for_its_role_only(county, history, role, owner, url_name, args):
    url = reverse(url_name, args=args(county) if args else None)
    response = county.client(role).get(url)
    if role == owner:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert f"您没有权限访问此页面（需要{REQUIRED_LABEL[owner]}角色）" in page_text(response)
        assert 'data-testid="forbidden"' in page_text(response)


@pytest.mark.parametrize(("owner", "url_name", "args"), PAGES, ids=[p[1] for p in PAGES])
def test_anonymous_is_sent_to_sign_in(client, county, history, owner, url_name, args):
    url = reverse(url_name, args=args(county) if args else None)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def _post_cases(county):
    day = CalendarDay.objects.create(date=dt.date(2027, 2, 6), kind=CalendarDayKind.HOLIDAY, name="春节")
    charge = LeaderCharge.objects.get(leader=county.people["leader"])
    unit_data = {"name": "越权单位", "kind": UnitKind.DEPARTMENT, "category": UnitCategory.UNRANKED, "sort_order": 0, "is_active": "on"}
    person = county.people["liaison"].pk
    return {
        "manage_unit_create": ("sysadmin", [], unit_data),
        "manage_unit_edit": ("sysadmin", [county.units["ndrc"].pk], unit_data),
        "manage_person_create": ("sysadmin", [], {"username": "yuequan", "full_name": "越权", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}),
        "manage_person_edit": ("sysadmin", [person], {"full_name": "越权", "is_active": "on"}),
        "manage_person_reset_password": ("sysadmin", [person], {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}),
        "manage_person_unlock": ("sysadmin", [person], {}),
        "manage_charge_list": ("sysadmin", [], {"leader": county.people["leader"].pk, "unit": county.units["ndrc"].pk}),
        "manage_charge_remove": ("sysadmin", [charge.pk], {}),
        "manage_holiday_list": ("sysadmin", [], {"date": "2027-10-01", "kind": CalendarDayKind.HOLIDAY, "name": "国庆节"}),
        "manage_holiday_delete": ("sysadmin", [day.pk], {}),
        "manage_role_grant": ("secadmin", [person], {"role": Role.SUPERVISION}),
        "manage_role_revoke": ("secadmin", [person], {"role": Role.LIAISON}),
        "manage_audit_verify": ("auditadmin", [], {"saved_head": ""}),
    }


POST_URLS = sorted(["manage_unit_create", "manage_unit_edit", "manage_person_create", "manage_person_edit",
                    "manage_person_reset_password", "manage_person_unlock", "manage_charge_list", "manage_charge_remove",
                    "manage_holiday_list", "manage_holiday_delete", "manage_role_grant", "manage_role_revoke", "manage_audit_verify"])


@pytest.mark.parametrize("url_name", POST_URLS)
def test_a_post_from_any_other_role_is_refused_and_changes_nothing(county, url_name):
    owner, args, data = _post_cases(county)[url_name]
    counts = (Unit.objects.count(), User.objects.count(), RoleGrant.objects.count(), LeaderCharge.objects.count(), CalendarDay.objects.count())
    for role in ALL_ROLES:
        if role == owner:
            continue
        before = last_seq()
        response = county.client(role).post(reverse(url_name, args=args), data)
        assert response.status_code == 403, role
        assert entries_since(before) == [], role
    assert (Unit.objects.count(), User.objects.count(), RoleGrant.objects.count(), LeaderCharge.objects.count(), CalendarDay.objects.count()) == counts
    assert Unit.objects.get(pk=county.units["ndrc"].pk).name == "县发展和改革局"
    assert county.people["liaison"].check_password(PASSWORD)


def test_an_anonymous_post_is_sent_to_sign_in_and_changes_nothing(client, county):
    response = client.post(reverse("manage_role_grant", args=[county.people["liaison"].pk]), {"role": Role.SECADMIN})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert county.people["liaison"].roles == {Role.LIAISON}


@pytest.mark.parametrize(("role", "target"), [("sysadmin", "manage_unit_list"), ("secadmin", "manage_role_list"), ("auditadmin", "manage_audit_list")])
def test_manage_home_sends_each_admin_to_their_first_page(county, role, target):
    response = county.client(role).get(reverse("manage_index"))
    assert response.status_code == 302 and response["Location"] == reverse(target)


def test_manage_home_refuses_a_business_role(county):
    response = county.client("principal").get(reverse("manage_index"))
    assert response.status_code == 403
    assert "您没有权限访问此页面（需要系统管理员或安全管理员或审计管理员角色）" in page_text(response)


NAV_LINKS = {
    "sysadmin": {"nav-manage-units", "nav-manage-people", "nav-manage-charges", "nav-manage-holidays"},
    "secadmin": {"nav-manage-roles"},
    "auditadmin": {"nav-manage-audit"},
}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_nav_shows_each_admin_only_their_own_links(county, role):
    html = county.client(role).get(reverse("home")).content.decode()
    assert set(re.findall(r'data-testid="(nav-manage-[a-z]+)"', html)) == NAV_LINKS.get(role, set())


# --- system admin: units -------------------------------------------------------------------------


def unit_form(**overrides):
    data = {"name": "", "short_name": "", "kind": UnitKind.DEPARTMENT, "category": UnitCategory.UNRANKED, "parent": "", "sort_order": "0", "is_active": "on"}
    data.update({k: v for k, v in overrides.items() if v is not None})
    if overrides.get("is_active") is False:
        del data["is_active"]
    return data


def test_the_unit_tree_lists_every_unit_with_inactive_ones_marked_and_siblings_by_sort_order(county):
    services.update_unit(SYSTEM, county.units["dongguan"], is_active=False)
    services.update_unit(SYSTEM, county.units["ndrc"], sort_order=1)
    response = county.client("sysadmin").get(reverse("manage_unit_list"))
    u = county.units
    # Siblings by sort order, then in the order entered: 发改局 (sort order 1) moves after the other top units.
    tree = ["leadership", "supervision", "business", "safety", "transport", "transport_office", "chengguan", "dongguan", "it", "ndrc"]
    assert shown(response, "unit-id") == [u[k].pk for k in tree]
    html = response.content.decode()
    assert re.findall(r'data-unit-id="(\d+)" class="text-muted" data-inactive="1"', html) == [str(u["dongguan"].pk)]
    assert "共 10 个，其中停用 1 个" in page_text(response)


def test_the_system_admin_creates_a_unit_under_a_parent(county):
    before = last_seq()
    client = county.client("sysadmin")
    parent = county.units["chengguan"]
    response = client.post(reverse("manage_unit_create"), unit_form(name="西关村", short_name="西关", kind=UnitKind.VILLAGE, parent=parent.pk, sort_order="3"))
    assert response.status_code == 302 and response["Location"] == reverse("manage_unit_list")
    unit = Unit.objects.get(name="西关村")
    assert (unit.short_name, unit.kind, unit.category, unit.parent_id, unit.sort_order, unit.is_active) == ("西关", "village", "unranked", parent.pk, 3, True)
    assert (unit.path, unit.depth) == (f"{parent.path}{unit.pk}/", 1)
    [entry] = entries_since(before)
    assert (entry.action, entry.object_id, entry.actor_id, entry.after["name"]) == ("unit.create", str(unit.pk), county.people["sysadmin"].pk, "西关村")
    assert "已新增单位“西关村”。" in page_text(client.get(response["Location"]))


def test_a_unit_name_already_taken_is_refused_on_the_name_field(county):
    before, count = last_seq(), Unit.objects.count()
    response = county.client("sysadmin").post(reverse("manage_unit_create"), unit_form(name="城关镇", kind=UnitKind.TOWNSHIP))
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["已有名为“城关镇”的单位，请换一个名称或编辑已有单位。"]}
    assert 'data-testid="error-name"' in response.content.decode()
    assert Unit.objects.count() == count and entries_since(before) == []


def test_the_system_admin_moves_a_unit_and_its_subtree_under_another_parent(county):
    transport, office, ndrc = county.units["transport"], county.units["transport_office"], county.units["ndrc"]
    before = last_seq()
    response = county.client("sysadmin").post(
        reverse("manage_unit_edit", args=[transport.pk]),
        unit_form(name="县交通运输局", short_name="交通局", kind=UnitKind.DEPARTMENT, category=UnitCategory.DEPARTMENT, parent=ndrc.pk),
    )
    assert response.status_code == 302
    transport.refresh_from_db()
    office.refresh_from_db()
    assert (transport.parent_id, transport.path, transport.depth, transport.short_name) == (ndrc.pk, f"/{ndrc.pk}/{transport.pk}/", 1, "交通局")
    assert (office.path, office.depth) == (f"/{ndrc.pk}/{transport.pk}/{office.pk}/", 2)
    [entry] = entries_since(before)
    assert entry.action == "unit.update"
    assert (entry.before["parent_id"], entry.after["parent_id"]) == (None, ndrc.pk)


def test_moving_a_unit_under_its_own_subtree_is_refused_on_the_parent_field(county):
    transport, office = county.units["transport"], county.units["transport_office"]
    before = last_seq()
    response = county.client("sysadmin").post(
        reverse("manage_unit_edit", args=[transport.pk]),
        unit_form(name="县交通运输局", kind=UnitKind.DEPARTMENT, category=UnitCategory.DEPARTMENT, parent=office.pk),
    )
    assert response.status_code == 200
    message = "不能把“县交通运输局”移到它自己或它的下级单位“县交通运输局办公室”之下，请另选上级单位。"
    assert response.context["form"].errors == {"parent": [message]}
    assert message in page_text(response)
    transport.refresh_from_db()
    assert (transport.parent_id, transport.path) == (None, f"/{transport.pk}/")
    assert entries_since(before) == []


def test_deactivating_a_unit_with_active_people_is_refused_on_the_active_field(county):
    transport = county.units["transport"]
    before = last_seq()
    response = county.client("sysadmin").post(
        reverse("manage_unit_edit", args=[transport.pk]),
        unit_form(name="县交通运输局", kind=UnitKind.DEPARTMENT, category=UnitCategory.DEPARTMENT, is_active=False),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"is_active": ["“县交通运输局”还有在用的下级单位或人员，请先调整它们再停用本单位。"]}
    transport.refresh_from_db()
    assert transport.is_active is True and entries_since(before) == []


def test_an_empty_unit_is_deactivated_and_stays_in_the_tree(county):
    village = county.units["dongguan"]
    client = county.client("sysadmin")
    response = client.post(reverse("manage_unit_edit", args=[village.pk]), unit_form(name="东关村", kind=UnitKind.VILLAGE, parent=county.units["chengguan"].pk, is_active=False))
    assert response.status_code == 302
    village.refresh_from_db()
    assert village.is_active is False
    assert [e.action for e in entries_since(0)] == ["unit.update"]
    assert village.pk in shown(client.get(reverse("manage_unit_list")), "unit-id")


# --- system admin: people and accounts -------------------------------------------------------------


def test_the_account_list_runs_the_same_queries_for_12_and_72_people(county, django_assert_max_num_queries, django_assert_num_queries):
    _lock(county.people["liaison"].username)
    client = county.client("sysadmin")
    url = reverse("manage_person_list")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        response = client.get(url)
    assert response.context["page"].paginator.count == 12
    for i in range(60):
        User.objects.create_user(username=f"extra{i}", full_name=f"人员{i}", unit=county.units["ndrc"])
        _lock(f"extra{i}") if i % 7 == 0 else None
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.count == 72
    assert len(response.context["page"].object_list) == 50


def test_the_account_list_finds_by_name_unit_or_login_and_shows_inactive_ones(county):
    services.update_person(SYSTEM, county.people["township_liaison"], is_active=False)
    client = county.client("sysadmin")
    assert shown(client.get(reverse("manage_person_list"), {"q": "交通"}), "person-id") == [county.people["unit_head"].pk, county.people["section_liaison"].pk]
    assert shown(client.get(reverse("manage_person_list"), {"q": "CHENGGUAN"}), "person-id") == [county.people["township_liaison"].pk]
    assert shown(client.get(reverse("manage_person_list"), {"status": "inactive"}), "person-id") == [county.people["township_liaison"].pk]
    everyone = shown(client.get(reverse("manage_person_list")), "person-id")
    assert sorted(everyone) == sorted(p.pk for p in county.people.values())


def test_the_system_admin_opens_an_account_with_an_initial_password(county):
    before = last_seq()
    client = county.client("sysadmin")
    response = client.post(reverse("manage_person_create"), {
        "username": "tongji_lly", "full_name": "何联络", "unit": county.units["ndrc"].pk, "title": "科员",
        "phone": "13800000001", "email": "he@example.gov.cn", "password": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    person = User.objects.get(username="tongji_lly")
    assert response.status_code == 302 and response["Location"] == reverse("manage_person_edit", args=[person.pk])
    assert (person.full_name, person.unit_id, person.title, person.phone, person.email, person.is_active) == (
        "何联络", county.units["ndrc"].pk, "科员", "13800000001", "he@example.gov.cn", True)
    assert person.check_password(NEW_PASSWORD)
    assert person.roles == frozenset()
    [entry] = entries_since(before)
    assert (entry.action, entry.object_id, entry.after["username"]) == ("person.create", str(person.pk), "tongji_lly")
    assert "password" not in entry.after
    assert "已为何联络开通账号“tongji_lly”。" in page_text(client.get(response["Location"]))


def test_a_weak_initial_password_is_refused_on_the_password_field(county):
    before = last_seq()
    response = county.client("sysadmin").post(reverse("manage_person_create"), {
        "username": "ruomima", "full_name": "弱密码", "password": "abcdefgh", "password2": "abcdefgh",
    })
    assert response.status_code == 200
    [message] = response.context["form"].errors["password"]
    assert message.startswith("密码不符合要求：")
    assert not User.objects.filter(username="ruomima").exists() and entries_since(before) == []


def test_a_login_name_already_taken_is_refused_on_the_username_field(county):
    response = county.client("sysadmin").post(reverse("manage_person_create"), {
        "username": "shuji", "full_name": "重名", "password": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    assert response.context["form"].errors == {"username": ["登录名“shuji”已被使用，请换一个。"]}
    assert User.objects.filter(username="shuji").count() == 1


def test_mismatched_passwords_are_refused_before_the_service(county):
    response = county.client("sysadmin").post(reverse("manage_person_create"), {
        "username": "buyizhi", "full_name": "不一致", "password": NEW_PASSWORD, "password2": NEW_PASSWORD + "x",
    })
    assert response.context["form"].errors == {"password2": ["两次输入的密码不一致。"]}
    assert not User.objects.filter(username="buyizhi").exists()


def test_the_system_admin_edits_a_person(county):
    person = county.people["liaison"]
    before = last_seq()
    response = county.client("sysadmin").post(reverse("manage_person_edit", args=[person.pk]), {
        "full_name": "郑小联", "unit": county.units["chengguan"].pk, "title": "副主任", "phone": "0931-1234567", "email": "", "is_active": "on",
    })
    assert response.status_code == 302 and response["Location"] == reverse("manage_person_edit", args=[person.pk])
    person.refresh_from_db()
    assert (person.full_name, person.unit_id, person.title, person.phone, person.is_active) == ("郑小联", county.units["chengguan"].pk, "副主任", "0931-1234567", True)
    [entry] = entries_since(before)
    assert entry.action == "person.update"
    assert (entry.before["full_name"], entry.after["full_name"]) == ("郑联络", "郑小联")
    assert (entry.before["unit_id"], entry.after["unit_id"]) == (county.units["ndrc"].pk, county.units["chengguan"].pk)


def test_the_system_admin_cannot_deactivate_their_own_account(county):
    me = county.people["sysadmin"]
    response = county.client("sysadmin").post(reverse("manage_person_edit", args=[me.pk]), {"full_name": "陈系统", "unit": county.units["it"].pk})
    assert response.status_code == 200
    assert response.context["edit_form"].errors == {"is_active": ["不能停用自己正在使用的账号。"]}
    me.refresh_from_db()
    assert me.is_active is True


def test_the_system_admin_resets_a_password_that_must_be_changed_at_next_sign_in(county):
    person = county.people["liaison"]
    before = last_seq()
    client = county.client("sysadmin")
    response = client.post(reverse("manage_person_reset_password", args=[person.pk]), {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("manage_person_edit", args=[person.pk])
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD) and person.must_change_password is True
    [entry] = entries_since(before)
    assert (entry.action, entry.object_id, entry.message) == ("person.reset_password", str(person.pk), "密码已重置，下次登录须修改；此前的访问令牌随之失效")
    assert "已为郑联络设置临时密码，本人下次登录时须修改；其已有的访问令牌全部失效。" in page_text(client.get(response["Location"]))
    # The person signs in with it and is sent to change it first.
    signed_in = Client()
    assert signed_in.post(reverse("login"), {"username": person.username, "password": NEW_PASSWORD}).status_code == 302
    assert signed_in.get(reverse("home"))["Location"] == reverse("password_change")


def test_a_weak_temporary_password_is_refused_and_the_old_one_still_works(county):
    person = county.people["liaison"]
    response = county.client("sysadmin").post(reverse("manage_person_reset_password", args=[person.pk]), {"password": "12345678", "password2": "12345678"})
    assert response.status_code == 200
    [message] = response.context["reset_form"].errors["password"]
    assert message.startswith("密码不符合要求：") and message in page_text(response)
    person.refresh_from_db()
    assert person.check_password(PASSWORD) and person.must_change_password is False


def _lock(username, failures=5, at=None):
    attempt = AccessAttempt.objects.create(
        username=username, ip_address="10.0.0.9", user_agent="test", http_accept="*/*", path_info="/login/",
        get_data="", post_data="", failures_since_start=failures,
    )
    if at is not None:  # attempt_time is auto_now_add
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=at)
    return attempt


def _fail_sign_in(client, username, times):
    for _ in range(times):
        client.post(reverse("login"), {"username": username, "password": "wrong-password"})


def test_an_account_locked_by_failed_sign_ins_is_shown_and_unlocked(county):
    person = county.people["liaison"]
    browser = Client()
    _fail_sign_in(browser, person.username, 5)
    assert browser.post(reverse("login"), {"username": person.username, "password": PASSWORD}).status_code == 429
    admin = county.client("sysadmin")
    listing = admin.get(reverse("manage_person_list"))
    assert re.findall(r'data-person-id="(\d+)" data-locked="1"', listing.content.decode()) == [str(person.pk)]
    assert shown(admin.get(reverse("manage_person_list"), {"status": "locked"}), "person-id") == [person.pk]
    # axes counts the refused attempts made during the lock as well.
    failures = sum(AccessAttempt.objects.filter(username=person.username).values_list("failures_since_start", flat=True))
    assert failures >= 5
    page = admin.get(reverse("manage_person_edit", args=[person.pk]))
    assert f"已锁定：连续输错密码 {failures} 次（上限 5 次）。" in page_text(page)

    before = last_seq()
    response = admin.post(reverse("manage_person_unlock", args=[person.pk]), {"next": reverse("manage_person_list") + "?status=locked"})
    assert response.status_code == 302 and response["Location"] == reverse("manage_person_list") + "?status=locked"
    assert not AccessAttempt.objects.filter(username=person.username).exists()
    [entry] = entries_since(before)
    assert (entry.action, entry.object_id, entry.actor_id) == ("person.unlock", str(person.pk), county.people["sysadmin"].pk)
    assert (entry.before, entry.after) == ({"locked": True, "failures": failures}, {"locked": False, "failures": 0})
    assert "已解锁郑联络的账号（fagai_lly），可以重新登录。" in page_text(admin.get(response["Location"]))
    assert browser.post(reverse("login"), {"username": person.username, "password": PASSWORD}).status_code == 302


def test_failures_older_than_the_cool_off_do_not_count_as_locked(county):
    person = county.people["liaison"]
    _lock(person.username, at=timezone.now() - dt.timedelta(minutes=31))
    client = county.client("sysadmin")
    assert shown(client.get(reverse("manage_person_list"), {"status": "locked"}), "person-id") == []
    assert "未锁定，没有输错密码的记录。" in page_text(client.get(reverse("manage_person_edit", args=[person.pk])))


def test_a_redirect_after_unlock_never_leaves_the_site(county):
    person = county.people["liaison"]
    _lock(person.username)
    response = county.client("sysadmin").post(reverse("manage_person_unlock", args=[person.pk]), {"next": "https://evil.example.com/"})
    assert response["Location"] == reverse("manage_person_edit", args=[person.pk])


def test_unlocking_an_account_that_is_not_locked_is_refused_with_a_message(county):
    person = county.people["liaison"]
    before = last_seq()
    client = county.client("sysadmin")
    response = client.post(reverse("manage_person_unlock", args=[person.pk]), follow=True)
    assert "郑联络的账号没有被锁定，也没有输错密码的记录，无需解锁。" in page_text(response)
    assert entries_since(before) == []


# --- system admin: leaders' charges -----------------------------------------------------------------


def test_the_charge_page_lists_leaders_with_their_units(county):
    response = county.client("sysadmin").get(reverse("manage_charge_list"))
    assert shown(response, "leader-id") == [county.people["principal"].pk, county.people["leader"].pk]
    row = re.search(rf'data-leader-id="{county.people["leader"].pk}".*?</tr>', response.content.decode(), re.S).group(0)
    assert "县交通运输局" in row


def test_the_system_admin_puts_a_unit_in_a_leaders_charge_and_removes_it(county):
    leader, ndrc = county.people["leader"], county.units["ndrc"]
    client = county.client("sysadmin")
    before = last_seq()
    response = client.post(reverse("manage_charge_list"), {"leader": leader.pk, "unit": ndrc.pk})
    assert response.status_code == 302 and response["Location"] == reverse("manage_charge_list")
    charge = LeaderCharge.objects.get(leader=leader, unit=ndrc)
    [entry] = entries_since(before)
    assert (entry.action, entry.after) == ("charge.add", {"leader_id": leader.pk, "unit_id": ndrc.pk})
    assert "已设置：李副县长分管县发展和改革局。" in page_text(client.get(response["Location"]))

    before = last_seq()
    response = client.post(reverse("manage_charge_remove", args=[charge.pk]))
    assert response.status_code == 302
    assert list(LeaderCharge.objects.filter(leader=leader).values_list("unit__name", flat=True)) == ["县交通运输局"]
    [entry] = entries_since(before)
    assert (entry.action, entry.before) == ("charge.remove", {"leader_id": leader.pk, "unit_id": ndrc.pk})


def test_a_charge_already_held_is_refused_on_the_unit_field(county):
    before = last_seq()
    response = county.client("sysadmin").post(reverse("manage_charge_list"), {"leader": county.people["leader"].pk, "unit": county.units["transport"].pk})
    assert response.status_code == 200
    assert response.context["form"].errors == {"unit": ["李副县长已分管县交通运输局。"]}
    assert LeaderCharge.objects.count() == 1 and entries_since(before) == []


def test_only_county_leaders_can_be_given_a_charge(county):
    response = county.client("sysadmin").post(reverse("manage_charge_list"), {"leader": county.people["liaison"].pk, "unit": county.units["ndrc"].pk})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["leader"]
    assert LeaderCharge.objects.count() == 1


# --- system admin: holiday table --------------------------------------------------------------------


def test_the_holiday_page_explains_the_fallback_for_years_without_data(county):
    from duban.core.manage_views.holidays import package_years

    first, last = package_years()
    response = county.client("sysadmin").get(reverse("manage_holiday_list"), {"year": last + 1})
    text = page_text(response)
    assert f"含 {first}—{last} 年国务院办公厅公布的安排" in text
    assert "一律按周一至周五上班、周六周日休息计算" in text
    assert "请在每年冬季国务院办公厅发布下一年放假安排后" in text
    assert f"{last + 1} 年公共日历没有数据" in text


def test_the_system_admin_enters_changes_and_deletes_a_holiday(county):
    client = county.client("sysadmin")
    before = last_seq()
    response = client.post(reverse("manage_holiday_list"), {"date": "2027-02-06", "kind": CalendarDayKind.HOLIDAY, "name": "春节"})
    assert response.status_code == 302 and response["Location"] == reverse("manage_holiday_list") + "?year=2027"
    day = CalendarDay.objects.get()
    assert (day.date, day.kind, day.name) == (dt.date(2027, 2, 6), "holiday", "春节")
    [entry] = entries_since(before)
    assert (entry.action, entry.before, entry.after) == ("calendar.set", None, {"id": day.pk, "date": "2027-02-06", "kind": "holiday", "name": "春节"})
    page = client.get(response["Location"])
    assert shown(page, "day-id") == [day.pk] and "已保存：2027-02-06 放假 春节" in page_text(page)

    before = last_seq()
    client.post(reverse("manage_holiday_list"), {"date": "2027-02-06", "kind": CalendarDayKind.WORKDAY, "name": "春节调休"})
    day.refresh_from_db()
    assert (CalendarDay.objects.count(), day.kind, day.name) == (1, "workday", "春节调休")
    [entry] = entries_since(before)
    assert (entry.action, entry.before["kind"], entry.after["kind"]) == ("calendar.set", "holiday", "workday")

    before = last_seq()
    response = client.post(reverse("manage_holiday_delete", args=[day.pk]))
    assert response["Location"] == reverse("manage_holiday_list") + "?year=2027"
    assert CalendarDay.objects.count() == 0
    [entry] = entries_since(before)
    assert (entry.action, entry.before["date"]) == ("calendar.delete", "2027-02-06")


def test_the_holiday_page_lists_only_the_chosen_year(county):
    services.set_calendar_day(SYSTEM, dt.date(2027, 1, 1), CalendarDayKind.HOLIDAY, "元旦")
    services.set_calendar_day(SYSTEM, dt.date(2028, 1, 1), CalendarDayKind.HOLIDAY, "元旦")
    response = county.client("sysadmin").get(reverse("manage_holiday_list"), {"year": "2028"})
    assert shown(response, "day-id") == [CalendarDay.objects.get(date=dt.date(2028, 1, 1)).pk]
    assert {2027, 2028} <= set(response.context["years"])


def test_a_holiday_without_a_date_is_refused(county):
    response = county.client("sysadmin").post(reverse("manage_holiday_list"), {"date": "", "kind": CalendarDayKind.HOLIDAY})
    assert response.status_code == 200 and list(response.context["form"].errors) == ["date"]
    assert CalendarDay.objects.count() == 0


# --- security admin: roles --------------------------------------------------------------------------


def test_the_role_list_runs_the_same_queries_for_12_and_72_people(county, django_assert_max_num_queries, django_assert_num_queries):
    client = county.client("secadmin")
    url = reverse("manage_role_list")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        response = client.get(url)
    assert response.context["page"].paginator.count == 12
    for i in range(60):
        user = User.objects.create_user(username=f"extra{i}", full_name=f"人员{i}", unit=county.units["ndrc"])
        RoleGrant.objects.create(user=user, role=Role.LIAISON)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.count == 72


def test_the_role_list_finds_by_name_and_filters_by_role(county):
    User.objects.create_user(username="xinren", full_name="新人", unit=county.units["ndrc"])
    client = county.client("secadmin")
    assert shown(client.get(reverse("manage_role_list"), {"role": Role.LIAISON}), "person-id") == [
        county.people[k].pk for k in ("section_liaison", "liaison", "township_liaison")]
    assert shown(client.get(reverse("manage_role_list"), {"role": "none"}), "person-id") == [User.objects.get(username="xinren").pk]
    assert shown(client.get(reverse("manage_role_list"), {"q": "副县长"}), "person-id") == [county.people["leader"].pk]
    text = page_text(client.get(reverse("manage_role_list"), {"q": "shuji"}))
    assert "王书记" in text and "主要领导" in text


def test_the_security_admin_grants_a_role(county):
    person = User.objects.create_user(username="xinren", full_name="新人", unit=county.units["ndrc"])
    client = county.client("secadmin")
    before = last_seq()
    response = client.post(reverse("manage_role_grant", args=[person.pk]), {"role": Role.LIAISON})
    assert response.status_code == 302 and response["Location"] == reverse("manage_role_person", args=[person.pk])
    assert set(RoleGrant.objects.filter(user=person).values_list("role", flat=True)) == {"liaison"}
    [entry] = entries_since(before)
    assert (entry.action, entry.object_id, entry.actor_id) == ("role.grant", str(person.pk), county.people["secadmin"].pk)
    assert (entry.before, entry.after) == ({"roles": []}, {"roles": ["liaison"]})
    page = client.get(response["Location"])
    assert "已授予新人“联络员”角色。" in page_text(page)
    assert re.findall(r'data-role="([a-z_]+)"', page.content.decode()) == ["liaison"]


def test_an_admin_role_for_someone_with_a_business_role_is_refused_with_the_separation_rule(county):
    person = county.people["leader"]
    before = last_seq()
    response = county.client("secadmin").post(reverse("manage_role_grant", args=[person.pk]), {"role": Role.AUDITADMIN})
    assert response.status_code == 200
    message = ("三员分立：李副县长已担任分管领导，不能再授予审计管理员。"
               "系统管理员、安全管理员、审计管理员须由不同账号担任，且不兼任业务角色；请为其另开账号。")
    assert response.context["grant_form"].errors == {"role": [message]}
    assert message in page_text(response)
    assert set(RoleGrant.objects.filter(user=person).values_list("role", flat=True)) == {"leader"}
    assert entries_since(before) == []


def test_a_second_admin_role_for_an_admin_is_refused(county):
    person = county.people["sysadmin"]
    response = county.client("secadmin").post(reverse("manage_role_grant", args=[person.pk]), {"role": Role.SECADMIN})
    assert response.context["grant_form"].errors["role"][0].startswith("三员分立：陈系统已担任系统管理员，不能再授予安全管理员。")
    assert set(RoleGrant.objects.filter(user=person).values_list("role", flat=True)) == {"sysadmin"}


def test_the_security_admin_revokes_a_role(county):
    person = county.people["liaison"]
    before = last_seq()
    response = county.client("secadmin").post(reverse("manage_role_revoke", args=[person.pk]), {"role": Role.LIAISON})
    assert response.status_code == 302 and response["Location"] == reverse("manage_role_person", args=[person.pk])
    assert not RoleGrant.objects.filter(user=person).exists()
    [entry] = entries_since(before)
    assert (entry.action, entry.before, entry.after) == ("role.revoke", {"roles": ["liaison"]}, {"roles": []})


def test_the_security_admin_cannot_revoke_their_own_role(county):
    me = county.people["secadmin"]
    before = last_seq()
    response = county.client("secadmin").post(reverse("manage_role_revoke", args=[me.pk]), {"role": Role.SECADMIN})
    assert response.status_code == 200
    assert response.context["revoke_error"] == "不能撤销自己的安全管理员角色，请由另一位安全管理员操作。"
    assert 'data-testid="revoke-error"' in response.content.decode()
    assert RoleGrant.objects.filter(user=me, role=Role.SECADMIN).exists() and entries_since(before) == []


def test_the_grant_form_offers_only_roles_not_yet_held(county):
    response = county.client("secadmin").get(reverse("manage_role_person", args=[county.people["leader"].pk]))
    offered = [value for value, _ in response.context["grant_form"].fields["role"].choices if value]
    assert offered == [r for r in Role.values if r != "leader"]


# --- audit admin: the trail ------------------------------------------------------------------------


def make_entries(n):
    """n service changes, each one audit entry."""
    start = Unit.objects.filter(name__startswith="测试单位").count()
    for i in range(start, start + n):
        services.create_unit(SYSTEM, name=f"测试单位{i:03d}", kind=UnitKind.DEPARTMENT)


def test_the_trail_pages_newest_first_by_seq_without_offset(county):
    make_entries(120)
    client = county.client("auditadmin")  # its sign-in is entry 121
    url = reverse("manage_audit_list")
    first = client.get(url)
    assert shown(first, "seq") == list(range(121, 71, -1))
    assert first.context["has_older"] is True and first.context["has_newer"] is False
    older_link = re.search(r'href="\?before=(\d+)" data-testid="older"', first.content.decode())
    assert older_link.group(1) == "72"
    with CaptureQueriesContext(connection) as ctx:
        second = client.get(url, {"before": 72})
    assert shown(second, "seq") == list(range(71, 21, -1))
    trail_sql = [q["sql"] for q in ctx.captured_queries if "core_auditentry" in q["sql"] and "ORDER BY" in q["sql"]]
    assert len(trail_sql) == 1 and "OFFSET" not in trail_sql[0].upper()
    third = client.get(url, {"before": 22})
    assert shown(third, "seq") == list(range(21, 0, -1))
    assert third.context["has_older"] is False and 'data-testid="older"' not in third.content.decode()
    back = client.get(url, {"after": 71})
    assert shown(back, "seq") == list(range(121, 71, -1))


def test_the_trail_list_runs_the_same_queries_for_a_short_and_a_long_trail(county, django_assert_max_num_queries, django_assert_num_queries):
    make_entries(3)
    client = county.client("auditadmin")
    url = reverse("manage_audit_list")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    make_entries(80)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 50


def test_the_trail_filters_by_action_actor_object_outcome_and_date(county):
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        unit = services.create_unit(SYSTEM, name="县统计局", kind=UnitKind.DEPARTMENT)  # seq 1
    with time_machine.travel(dt.datetime(2026, 3, 3, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        sec = county.client("secadmin")  # auth.login, seq 2
        sec.post(reverse("manage_role_grant", args=[county.people["liaison"].pk]), {"role": Role.SUPERVISION})  # seq 3
        sec.post(reverse("manage_role_revoke", args=[county.people["liaison"].pk]), {"role": Role.SUPERVISION})  # seq 4
    with time_machine.travel(dt.datetime(2026, 3, 4, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        Client().post(reverse("login"), {"username": "shuji", "password": "wrong-password"})  # seq 5, failure
    client = county.client("auditadmin")  # seq 6 (today)

    def seqs(**params):
        return shown(client.get(reverse("manage_audit_list"), params), "seq")

    assert seqs(action="role.") == [4, 3]
    assert seqs(action="role.grant") == [3]
    assert seqs(actor="褚安全") == [4, 3, 2]
    assert seqs(object_type="core.Unit") == [1]
    assert seqs(object_type="core.User", object_id=str(county.people["liaison"].pk)) == [4, 3]
    assert seqs(object_id=str(unit.pk), object_type="core.Unit") == [1]
    assert seqs(outcome="failure") == [5]
    assert seqs(date_from="2026-03-03", date_to="2026-03-03") == [4, 3, 2]
    assert seqs(date_from="2026-03-04", date_to="2026-03-04") == [5]
    assert seqs(date_to="2026-03-02") == [1]
    assert seqs(action="role.", before=4) == [3]
    response = client.get(reverse("manage_audit_list"), {"date_from": "2026-03-04", "date_to": "2026-03-03"})
    assert response.context["form"].errors == {"date_to": ["截止日期不能早于起始日期。"]}


def test_an_entry_shows_before_and_after_side_by_side_with_the_changed_keys_marked(county):
    unit = services.create_unit(SYSTEM, name="县统计局", kind=UnitKind.DEPARTMENT)
    services.update_unit(SYSTEM, unit, short_name="统计局", sort_order=2)
    entry = AuditEntry.objects.get(action="unit.update")
    response = county.client("auditadmin").get(reverse("manage_audit_detail", args=[entry.seq]))
    html = response.content.decode()
    assert re.findall(r'data-key="([a-z_]+)" class="table-warning" data-changed="1"', html) == ["short_name", "sort_key", "sort_order"]  # the derived tree key moves with sort_order
    rows = {r["key"]: r for r in response.context["rows"]}
    assert (rows["short_name"]["label"], rows["short_name"]["before"], rows["short_name"]["after"]) == ("简称", "", "统计局")
    assert (rows["sort_order"]["before"], rows["sort_order"]["after"], rows["name"]["changed"]) == ("0", "2", False)
    assert set(rows) == set(entry.before) | set(entry.after)
    assert response.context["prev_seq"] == entry.seq - 1


def test_a_creation_entry_shows_only_the_after_side_and_marks_nothing(county):
    services.create_unit(SYSTEM, name="县统计局", kind=UnitKind.DEPARTMENT)
    response = county.client("auditadmin").get(reverse("manage_audit_detail", args=[1]))
    assert [r["changed"] for r in response.context["rows"]] == [False] * len(response.context["rows"])
    assert all(r["before"] is None for r in response.context["rows"])


def test_the_trail_is_read_only(county):
    services.create_unit(SYSTEM, name="县统计局", kind=UnitKind.DEPARTMENT)
    entry = AuditEntry.objects.get(seq=1)
    client = county.client("auditadmin")
    assert client.post(reverse("manage_audit_detail", args=[1]), {"object_repr": "forged"}).status_code == 405
    assert client.post(reverse("manage_audit_list"), {"seq": 1}).status_code == 405
    assert AuditEntry.objects.get(seq=1).hash == entry.hash
    assert audit.verify().ok


def test_the_chain_head_is_shown_for_copying(county):
    make_entries(2)
    response = county.client("auditadmin").get(reverse("manage_audit_list"))
    head = audit.format_head(*audit.current_head())
    assert head.startswith("3:") and len(head) == 2 + 64
    assert f'data-testid="chain-head" data-head="{head}">{head}</div>' in response.content.decode()
    assert "请把链头（“序号:哈希值”）抄存到系统之外" in page_text(response)


def test_verify_now_reports_an_intact_chain_and_records_the_check(county):
    make_entries(3)
    client = county.client("auditadmin")  # seq 4
    saved = audit.format_head(*audit.current_head())
    response = client.post(reverse("manage_audit_verify"), {"saved_head": saved})
    assert response.status_code == 302 and response["Location"] == reverse("manage_audit_list")
    page = client.get(response["Location"])
    assert f"审计链完整：共 4 条，链头 #4 {saved.split(':')[1]}" in page_text(page)
    [entry] = entries_since(4)
    assert (entry.action, entry.outcome, entry.actor_id) == ("audit.verify", "success", county.people["auditadmin"].pk)
    assert entry.after == {"ok": True, "checked": 4, "head": saved, "saved_head": saved, "bad_seq": None}


def test_verify_now_shows_an_entry_changed_behind_the_applications_back(county):
    make_entries(4)
    client = county.client("auditadmin")
    with behind_the_apps_back() as cur:
        cur.execute("UPDATE core_auditentry SET object_repr = 'forged' WHERE seq = 2")
    response = client.post(reverse("manage_audit_verify"), {"saved_head": ""}, follow=True)
    text = page_text(response)
    assert "审计链被破坏：第 2 条记录（unit.create）的内容被改动过" in text
    assert re.search(r'alert-danger[^"]*" role="alert"> 审计链被破坏：第 2 条记录（unit.create）的内容被改动过', text)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.outcome, entry.after["bad_seq"]) == ("audit.verify", "failure", 2)


def test_a_saved_head_that_is_no_longer_in_the_chain_is_reported(county):
    make_entries(3)
    client = county.client("auditadmin")
    saved = audit.format_head(*audit.current_head())
    with behind_the_apps_back() as cur:
        cur.execute("DELETE FROM core_auditentry WHERE seq >= 3")
        cur.execute("UPDATE core_audithead SET seq = 2, hash = (SELECT hash FROM core_auditentry WHERE seq = 2)")
    response = client.post(reverse("manage_audit_verify"), {"saved_head": saved}, follow=True)
    assert f"审计链被破坏：保存的链头 {saved.split(':')[1][:16]}… 不在第 4 条，链被截短或从该处起被改写" in page_text(response)


def test_a_malformed_saved_head_is_refused_on_its_field(county):
    client = county.client("auditadmin")
    before = last_seq()
    response = client.post(reverse("manage_audit_verify"), {"saved_head": "abc:123"})
    assert response.status_code == 200
    assert response.context["verify_form"].errors == {
        "saved_head": ["保存的链头格式不对：应为“序号:哈希值”（如 1234:3fa2…，哈希值为 64 位十六进制），或只填哈希值。"]}
    assert entries_since(before) == []


def test_every_manage_page_sits_behind_an_admin_role():
    from duban.core import manage_urls

    guarded = {p.name: p.callback.required_roles for p in manage_urls.urlpatterns if p.name != "manage_index"}
    assert guarded == {
        **{name: {"sysadmin"} for name in ("manage_unit_list", "manage_unit_create", "manage_unit_edit", "manage_person_list",
                                            "manage_person_create", "manage_person_edit", "manage_person_reset_password",
                                            "manage_person_unlock", "manage_charge_list", "manage_charge_remove",
                                            "manage_holiday_list", "manage_holiday_delete", "manage_job_list", "manage_job_run_now")},
        **{name: {"secadmin"} for name in ("manage_role_list", "manage_role_person", "manage_role_grant", "manage_role_revoke")},
        **{name: {"auditadmin"} for name in ("manage_audit_list", "manage_audit_verify", "manage_audit_detail")},
    }
