"""`duban demo`: an empty database becomes a county with a login for every role, written through the services."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from duban.core import audit, demo
from duban.core.choices import ADMIN_ROLES, Role, UnitKind
from duban.core.models import AuditEntry, CalendarDay, LeaderCharge, RoleGrant, Unit, User

pytestmark = pytest.mark.django_db


def run_demo(*args) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Unit, User, RoleGrant, LeaderCharge, CalendarDay, AuditEntry)}


@pytest.fixture
def loaded():
    return run_demo()


def test_an_empty_database_gets_a_county_with_every_role_and_the_logins_printed(loaded):
    assert Unit.objects.count() >= 40
    for role in Role:
        assert User.objects.filter(role_grants__role=role, is_active=True).exists(), role
    assert "Duban@2026" in loaded and "http://127.0.0.1:8000/" in loaded
    for heading in ("角色", "登录名", "姓名", "单位"):
        assert heading in loaded
    for role in Role:
        assert str(Role(role).label) in loaded.split("登录名", 1)[1], role


def test_every_department_and_township_has_one_head_one_liaison_and_one_deputy_in_charge(loaded):
    units = Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.TOWNSHIP])
    assert units.filter(kind=UnitKind.DEPARTMENT).count() == 25
    assert units.filter(kind=UnitKind.TOWNSHIP).count() == 12
    heads = Counter(User.objects.filter(role_grants__role=Role.UNIT_HEAD).values_list("unit_id", flat=True))
    liaisons = Counter(User.objects.filter(role_grants__role=Role.LIAISON).values_list("unit_id", flat=True))
    charged = Counter(LeaderCharge.objects.filter(leader__role_grants__role=Role.LEADER).values_list("unit_id", flat=True))
    for unit in units:
        assert (heads[unit.pk], liaisons[unit.pk], charged[unit.pk]) == (1, 1, 1), unit.name
    deputies = User.objects.filter(role_grants__role=Role.LEADER)
    assert 5 <= deputies.count() <= 7
    assert User.objects.filter(role_grants__role=Role.PRINCIPAL).count() == 2


def test_the_three_admins_are_three_accounts_with_one_role_each(loaded):
    admins = User.objects.filter(role_grants__role__in=ADMIN_ROLES)
    assert admins.count() == 3
    for admin in admins:
        assert len(admin.roles) == 1


def test_people_have_distinct_names_phones_and_a_usable_unexpired_password(loaded):
    people = list(User.objects.all())
    assert len({p.full_name for p in people}) == len(people)
    assert len({p.phone for p in people}) == len(people)
    assert all(p.phone.startswith("1380000") and p.unit_id and p.title for p in people)
    assert all(p.password_changed_at is not None and not p.must_change_password for p in people)
    client = Client()
    assert sign_in(client, "fagai_lly", demo.DEFAULT_PASSWORD).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_the_audit_trail_records_the_load_as_the_demo_job_and_verifies(loaded):
    assert audit.verify().ok
    entries = AuditEntry.objects.all()
    assert set(entries.values_list("actor_name", flat=True)) == {"duban demo"}
    assert entries.filter(action="unit.create").count() == Unit.objects.count()
    assert entries.filter(action="person.create").count() == User.objects.count()
    assert entries.filter(action="role.grant").count() == RoleGrant.objects.count()
    assert entries.filter(action="charge.add").count() == LeaderCharge.objects.count()
    assert entries.filter(action="calendar.set").count() == 1


def test_if_empty_on_a_loaded_database_changes_nothing_and_prints_the_logins_again(loaded):
    before = row_counts()
    out = run_demo("--if-empty")
    assert row_counts() == before
    assert "未装入演示县" in out and "shuji" in out and demo.DEFAULT_PASSWORD in out


def test_a_second_run_without_if_empty_refuses_and_changes_nothing(loaded):
    before = row_counts()
    with pytest.raises(CommandError, match="只能装入空数据库"):
        run_demo()
    assert row_counts() == before


def test_a_database_with_its_own_units_is_left_alone():
    Unit.objects.create(name="县某局", kind=UnitKind.DEPARTMENT, path="/1/")
    before = row_counts()
    out = run_demo("--if-empty")
    assert row_counts() == before
    assert "没有演示县的账号" in out
    with pytest.raises(CommandError, match="只能装入空数据库"):
        run_demo()


def test_a_weak_password_is_refused_before_anything_is_written():
    with pytest.raises(CommandError, match="密码规则"):
        run_demo("--password", "duban2026")
    assert row_counts() == dict.fromkeys(row_counts(), 0)


def test_a_chosen_password_works_and_is_not_printed_as_the_default_later():
    run_demo("--password", "Xian-Demo-77")
    assert sign_in(Client(), "shuji", "Xian-Demo-77").status_code == 302
    out = run_demo("--if-empty")
    assert "Xian-Demo-77" not in out and "装入演示县时设定的密码" in out
    assert "Xian-Demo-77" in run_demo("--if-empty", "--password", "Xian-Demo-77")


def test_the_charge_table_puts_every_department_and_township_under_exactly_one_deputy():
    charged = Counter(code for _login, _title, codes in demo.DEPUTIES for code in codes)
    expected = {code for code, *_ in demo.DEPARTMENTS} | {code for code, _ in demo.TOWNSHIPS}
    assert expected <= set(charged)
    assert all(charged[code] == 1 for code in expected)
