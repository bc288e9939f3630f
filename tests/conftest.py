"""Shared test kit: a small county with one fixture user for every role of SPEC §1.

The tree (ids vary; names are fixed):

    县委县政府 (leadership)           ← principal 书记, leader 副县长 (charges 县交通运输局)
    县委督查室 (office)               ← supervision
    县营商办 (office)                 ← business
    县安委办 (office)                 ← safety
    县交通运输局 (department)         ← unit head
        办公室 (section)              ← liaison of the section
    县发展和改革局 (department)       ← liaison
    城关镇 (township)
        东关村 (village)
    县信息中心 (office)               ← sysadmin, secadmin, auditadmin
"""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client

from duban.core import calendar
from duban.core.actor import Actor
from duban.core.choices import Role, UnitCategory, UnitKind
from duban.core.models import LeaderCharge, RoleGrant, Unit, User
from duban.core.services import place_in_tree

PASSWORD = "Duban-test-2026"
SYSTEM = Actor.system("tests")


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Argon2 costs ~50 ms a hash by design; tests that are not about hashing use a cheap one.
    # tests/core/test_accounts.py checks that production settings store Argon2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def _jobs_run_at_once():
    # Background jobs run at once, in the test's thread, on an in-memory queue (never the data dir's
    # jobs.sqlite3); delayed ones (a retry's countdown) wait in that queue, emptied after each test.
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.storage.flush_all()


@pytest.fixture(autouse=True)
def _own_audit_head_log(settings, tmp_path):
    # Each test keeps its audit chain heads in a log of its own, never the data dir's (a head kept by one
    # test's chain would not be in the next test's chain).
    settings.DUBAN_AUDIT_HEAD_LOG = tmp_path / "audit-heads.log"


@contextmanager
def behind_the_apps_back():
    """A raw cursor as someone holding the database would use it to tamper with the audit trail.

    On PostgreSQL the trail's guard trigger is switched off first, as the table's owner can; the hash chain
    and the kept heads are what must then notice the change.
    """
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE core_auditentry DISABLE TRIGGER audit_entry_immutable")
        yield cur
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE core_auditentry ENABLE TRIGGER audit_entry_immutable")


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar.invalidate()
    yield
    calendar.invalidate()


def make_unit(name, kind, parent=None, category=UnitCategory.UNRANKED):
    unit = Unit.objects.create(name=name, kind=kind, category=category, parent=parent)
    place_in_tree(unit)
    return unit


def make_person(username, unit, *roles, full_name=None, title=""):
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=full_name or username, unit=unit, title=title)
    for role in roles:
        RoleGrant.objects.create(user=user, role=role)
    return user


class County:
    """The fixture county: units by short key, people by role key."""

    def __init__(self):
        u = {}
        u["leadership"] = make_unit("县委县政府", UnitKind.LEADERSHIP)
        u["supervision"] = make_unit("县委督查室", UnitKind.OFFICE)
        u["business"] = make_unit("县营商办", UnitKind.OFFICE)
        u["safety"] = make_unit("县安委办", UnitKind.OFFICE)
        u["transport"] = make_unit("县交通运输局", UnitKind.DEPARTMENT, category=UnitCategory.DEPARTMENT)
        u["transport_office"] = make_unit("县交通运输局办公室", UnitKind.SECTION, parent=u["transport"])
        u["ndrc"] = make_unit("县发展和改革局", UnitKind.DEPARTMENT, category=UnitCategory.DEPARTMENT)
        u["chengguan"] = make_unit("城关镇", UnitKind.TOWNSHIP, category=UnitCategory.TOWNSHIP)
        u["dongguan"] = make_unit("东关村", UnitKind.VILLAGE, parent=u["chengguan"])
        u["it"] = make_unit("县信息中心", UnitKind.OFFICE)
        self.units = u
        p = {}
        p["principal"] = make_person("shuji", u["leadership"], Role.PRINCIPAL, full_name="王书记", title="县委书记")
        p["leader"] = make_person("fuxianzhang", u["leadership"], Role.LEADER, full_name="李副县长", title="副县长")
        p["supervision"] = make_person("ducha", u["supervision"], Role.SUPERVISION, full_name="赵督查")
        p["business"] = make_person("yingshang", u["business"], Role.BUSINESS, full_name="钱营商")
        p["safety"] = make_person("anwei", u["safety"], Role.SAFETY, full_name="孙安委")
        p["unit_head"] = make_person("jiaotong_head", u["transport"], Role.UNIT_HEAD, full_name="周局长", title="局长")
        p["section_liaison"] = make_person("jiaotong_ban", u["transport_office"], Role.LIAISON, full_name="吴办事")
        p["liaison"] = make_person("fagai_lly", u["ndrc"], Role.LIAISON, full_name="郑联络")
        p["township_liaison"] = make_person("chengguan_lly", u["chengguan"], Role.LIAISON, full_name="冯联络")
        p["sysadmin"] = make_person("sysadmin", u["it"], Role.SYSADMIN, full_name="陈系统")
        p["secadmin"] = make_person("secadmin", u["it"], Role.SECADMIN, full_name="褚安全")
        p["auditadmin"] = make_person("auditadmin", u["it"], Role.AUDITADMIN, full_name="卫审计")
        self.people = p
        LeaderCharge.objects.create(leader=p["leader"], unit=u["transport"])

    def client(self, role_key: str) -> Client:
        client = Client()
        client.force_login(self.people[role_key])
        return client


@pytest.fixture
def county(db):
    return County()


# Which units each role sees in the directory (SPEC §1, widened for the roles that keep or use it).
ALL_UNITS = {"leadership", "supervision", "business", "safety", "transport", "transport_office", "ndrc", "chengguan", "dongguan", "it"}
DIRECTORY_SCOPE = {
    "principal": ALL_UNITS,
    "supervision": ALL_UNITS,
    "business": ALL_UNITS,
    "safety": ALL_UNITS,
    "sysadmin": ALL_UNITS,
    "secadmin": ALL_UNITS,
    "leader": {"leadership", "transport", "transport_office"},
    "unit_head": {"transport", "transport_office"},
    "section_liaison": {"transport_office"},
    "liaison": {"ndrc"},
    "township_liaison": {"chengguan"},
    "auditadmin": set(),
}


# One Chromium per test session, shared by tests/e2e and any other directory that drives the browser.
from tests.browser import browser, page, sign_in  # noqa: E402,F401
