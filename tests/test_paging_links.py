"""Every keyset-paged list's next-page link works: the {% querystring %} tag writes its own '?', and a template
that wrote `href="?{% querystring … %}"` sent '??cursor=…', which Django reads as a parameter named '?cursor' —
the link went back to the first page. Each list is rendered with more rows than a (shrunk) page and its link
followed."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from duban.appeals.views import pages as appeal_pages
from duban.core.actor import Actor
from duban.ledger.views import lists as ledger_lists
from duban.notify import services as notify
from duban.notify import views as notify_views
from duban.projects import services as projects
from duban.projects.views import projects as project_views
from duban.safety import services as safety
from duban.safety import views as hazard_views
from duban.safety.models import Outcome
from duban.safety.services import Answer
from duban.safety.views import inspections as inspection_views
from duban.supervision import services as supervision
from duban.supervision.views import actions as action_views
from tests.appeals.conftest import submit  # noqa: F401  (fixture)
from tests.ledger.conftest import campaign, make_task  # noqa: F401  (fixtures)
from tests.safety.conftest import gas, grid_worker, report  # noqa: F401  (fixtures)

NEXT = re.compile(r'<a [^>]*href="([^"]*)"[^>]*>(?:下一页|更早)</a>')


def follow_next(client, url: str, rows: re.Pattern) -> None:
    """Page one of `url` has a next link without '??'; following it answers 200 with rows of page two, not page one again."""
    first = client.get(url)
    assert first.status_code == 200
    html = first.content.decode()
    links = [href.replace("&amp;", "&") for href in NEXT.findall(html) if href != "#"]
    assert links, f"{url}: no next-page link"
    href = links[0]
    assert "??" not in href and href.count("?") == 1, href
    assert "cursor" in parse_qs(urlsplit(href).query), href
    second = client.get(urljoin(url, href))
    assert second.status_code == 200
    page_two = second.content.decode()
    assert "翻页参数无效" not in page_two
    one, two = set(rows.findall(html)), set(rows.findall(page_two))
    assert one and two and not one & two, (one, two)


def test_ledger(county, make_task, monkeypatch):
    monkeypatch.setattr(ledger_lists, "PAGE_SIZE", 2)
    for n in range(3):
        make_task(title=f"国道改线第{n + 1}标段征地")
    follow_next(county.client("supervision"), "/ledger/?lead_unit=" + str(county.units["transport"].pk), re.compile(r'<tr data-code="([^"]+)"'))


def test_action_list(county, make_task, monkeypatch):
    monkeypatch.setattr(action_views, "PAGE_SIZE", 2)
    office = Actor(user=county.people["supervision"])
    task = make_task()
    for n in range(3):
        supervision.issue_action(office, task, kind="urge", text=f"请加快进度（第{n + 1}次）。")
    follow_next(county.client("supervision"), "/supervision/actions/?kind=urge", re.compile(r'href="(/supervision/actions/\d+/)"'))


def test_appeals(county, submit, monkeypatch):
    monkeypatch.setattr(appeal_pages, "PAGE_SIZE", 2)
    for n in range(3):
        submit(description=f"厂区新建车间用电增容申请已提交两个月，至今未安排勘察（第{n + 1}件）。")
    follow_next(county.client("business"), "/appeals/list/", re.compile(r'href="(/appeals/[^"]*SQ\d{4}-\d+/)"'))


def test_hazards(county, report, monkeypatch):
    monkeypatch.setattr(hazard_views, "PAGE_SIZE", 2)
    for n in range(3):
        report(title=f"液化气钢瓶与灶具间距不足（第{n + 1}处）")
    follow_next(county.client("safety"), "/safety/hazards/?state=found", re.compile(r'href="(/safety/hazards/YH[^"/]+/)"'))


def test_inspections(county, gas, grid_worker, monkeypatch):
    monkeypatch.setattr(inspection_views, "PAGE_SIZE", 2)
    office = Actor(user=county.people["safety"])
    item = safety.add_checklist_item(office, sector=gas, text="配备灭火器材")
    for n in range(3):
        safety.record_inspection(Actor(user=grid_worker), sector=gas, place=f"城关镇南街{n + 1}号", answers=[Answer(item, Outcome.PASS)])
    follow_next(county.client("safety"), "/safety/inspections/", re.compile(r'href="(/safety/inspections/\d+/)"'))


def test_projects(county, settings, monkeypatch):
    settings.DUBAN_PROJECTS_OFFICE_UNIT = "县发展和改革局"
    monkeypatch.setattr(project_views, "PAGE_SIZE", 2)
    office = Actor(user=county.people["liaison"])
    for n in range(3):
        projects.create_project(office, name=f"年产10万吨新型建材项目（{n + 1}期）", investor="某某新材料有限公司", industry="materials",
                                project_type="industrial", level="county", total_investment=Decimal("52000"), annual_plan=Decimal("12000"),
                                lead_unit=county.units["transport"], leader_in_charge=county.people["leader"], contact_name="张经理",
                                contact_phone="13900001111")
    follow_next(county.client("supervision"), "/projects/", re.compile(r'href="(/projects/[^"/]*\d[^"/]*/)"'))


def test_inbox(county, monkeypatch):
    monkeypatch.setattr(notify_views, "INBOX_PAGE", 2)
    person = county.people["liaison"]
    notify.send([notify.Message(recipient=person, title=f"督办提醒第{n + 1}条", body="请按时报送进展。", url=f"/ledger/tasks/2026-000{n + 1}/")
                 for n in range(3)])
    follow_next(county.client("liaison"), "/inbox/", re.compile(r"督办提醒第(\d)条"))


pytestmark = pytest.mark.django_db
