"""The supervision pages: the list in each role's scope, the action page with its reply, the notice as Word,
issuing by hand from the task page, and the ladder editor."""

import datetime as dt
import io

import docx
import pytest
from django.urls import reverse

from duban.supervision.choices import ActionState
from duban.supervision.models import SupervisionAction
from duban.supervision.selectors import ladders_by_kind

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "rows"), [("supervision", 3), ("principal", 3), ("leader", 3), ("unit_head", 3), ("liaison", 0)])
def test_each_role_sees_the_actions_in_its_scope(county, noticed, role, rows):
    response = county.client(role).get(reverse("supervision:action_list"))
    assert response.status_code == 200
    assert response.content.decode().count('data-kind="') == rows
    detail = county.client(role).get(reverse("supervision:action_detail", args=[noticed.pk]))
    assert detail.status_code == (200 if rows else 404)
    assert county.client(role).get(reverse("supervision:action_notice", args=[noticed.pk])).status_code == (200 if rows else 404)


def test_the_action_list_runs_a_fixed_number_of_queries(county, noticed, django_assert_num_queries, time_machine):
    client = county.client("supervision")
    client.get(reverse("supervision:action_list"))
    with django_assert_num_queries(10) as few:  # session, user, roles, count, page, unread; the nav
        client.get(reverse("supervision:action_list"))
    for _n in range(10):
        SupervisionAction.objects.create(kind="urge", matter_type=noticed.matter_type, matter_id=noticed.matter_id,
                                         matter_code=noticed.matter_code, matter_title="x", text="催办", issued_on=dt.date(2026, 10, 9),
                                         target_unit=noticed.target_unit, issued_by=county.people["supervision"])
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("supervision:action_list"))


def test_the_unit_replies_on_the_page_and_the_notice_downloads_as_word(county, noticed):
    head = county.client("unit_head")
    page = head.get(reverse("supervision:action_detail", args=[noticed.pk])).content.decode()
    assert 'data-testid="reply-form"' in page and "县督字〔2026〕1号" in page

    refused = head.post(reverse("supervision:action_detail", args=[noticed.pk]), {"text": "在办"})
    assert refused.status_code == 422 and "不少于 10 个字" in refused.content.decode()
    assert county.client("leader").post(reverse("supervision:action_detail", args=[noticed.pk]), {"text": "领导代为回复一下这件事情"}).status_code == 403
    done = head.post(reverse("supervision:action_detail", args=[noticed.pk]), {"text": "征地协议已签订九成，剩余三户月底前完成。"}, follow=True)
    assert "征地协议已签订九成" in done.content.decode()
    assert SupervisionAction.objects.get(pk=noticed.pk).state == ActionState.REPLIED

    word = county.client("supervision").get(reverse("supervision:action_notice", args=[noticed.pk]))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    assert "县督字〔2026〕1号" in text and "完成国道改线工程征地拆迁" in text and "2026年10月13日" in text and "县交通运输局" in text


def test_the_office_issues_from_the_task_page(county, noticed):
    office = county.client("supervision")
    code = noticed.matter_code
    page = office.get(reverse("ledger:task_detail", args=[code])).content.decode()
    assert 'data-testid="issue-form"' in page and "督办通知单" in page
    assert 'data-testid="issue-form"' not in county.client("unit_head").get(reverse("ledger:task_detail", args=[code])).content.decode()

    response = office.post(reverse("supervision:issue", args=["ledger.task", code]), {"kind": "urge", "text": "县委常委会点名，请本周内完成。", "reply_days": 0})
    assert response.status_code == 302
    action = SupervisionAction.objects.get(automatic=False)
    assert (action.kind, action.issued_by, action.target_unit.name) == ("urge", county.people["supervision"], "县交通运输局")
    assert county.client("unit_head").post(reverse("supervision:issue", args=["ledger.task", code]), {"kind": "urge", "text": "x"}).status_code == 403


def test_the_office_edits_the_ladder(county, campaign):
    office = county.client("supervision")
    assert office.get(reverse("supervision:ladder")).status_code == 200
    assert county.client("leader").get(reverse("supervision:ladder")).status_code == 403
    data = {"kind": "ledger.task", "major": "normal"}
    for i, (kind, offset, reply, target) in enumerate([("remind", -5, 0, "unit"), ("urge", 0, 0, "unit"), ("notice", 2, 3, "unit"),
                                                       ("interview", 8, 0, "leader"), ("accountability", 15, 0, "principal")]):
        data.update({f"normal-{i}-kind": kind, f"normal-{i}-enabled": "on", f"normal-{i}-offset": offset,
                     f"normal-{i}-reply_days": reply, f"normal-{i}-target": target})
    assert office.post(reverse("supervision:ladder"), data).status_code == 302
    assert [(s.kind, s.offset, s.reply_days) for s in ladders_by_kind("ledger.task")[False]] == [
        ("remind", -5, 0), ("urge", 0, 0), ("notice", 2, 3), ("interview", 8, 0), ("accountability", 15, 0)]
    data["normal-2-offset"] = 30  # a notice after the interview: refused
    refused = office.post(reverse("supervision:ladder"), data)
    assert refused.status_code == 422 and "逐级加严" in refused.content.decode()


@pytest.mark.parametrize("role", ["principal", "leader", "supervision", "unit_head", "liaison"])
def test_every_link_in_the_nav_opens_for_its_role(county, campaign, role):
    import re

    client = county.client(role)
    html = client.get(reverse("home")).content.decode()
    nav = html[html.index("<nav"):html.index("</nav>")]
    links = [h for h in re.findall(r'class="(?:nav-link|dropdown-item)[^"]*" href="(/[^"#]*)"', nav) if not h.startswith("/logout")]
    assert reverse("supervision:action_list") in links
    for href in links:
        assert client.get(href).status_code == 200, href


def test_the_ledger_list_keeps_an_analytics_filter_and_shows_it(county, noticed):
    unit = county.units["transport"]
    page = county.client("supervision").get(reverse("ledger:task_list") + f"?lead_unit={unit.pk}&idle=5").content.decode()
    assert 'data-testid="carried-filters"' in page and "县交通运输局" in page
    assert f'<input type="hidden" name="lead_unit" value="{unit.pk}">' in page and '<input type="hidden" name="idle" value="5">' in page


def test_the_api_lists_in_scope_and_takes_a_reply(county, noticed, django_assert_max_num_queries):
    head, liaison = county.client("unit_head"), county.client("liaison")
    listed = head.get("/api/v1/supervision/actions?status=open").json()
    assert [(a["kind"], a["number"]) for a in listed["items"]] == [("notice", "县督字〔2026〕1号")]
    assert liaison.get("/api/v1/supervision/actions").json()["items"] == []
    assert liaison.get(f"/api/v1/supervision/actions/{noticed.pk}").status_code == 404
    assert head.get("/api/v1/supervision/actions?status=bogus").status_code == 422

    short = head.post(f"/api/v1/supervision/actions/{noticed.pk}/reply", {"text": "在办"}, content_type="application/json")
    assert short.status_code == 400 and "不少于 10 个字" in short.json()["detail"]
    done = head.post(f"/api/v1/supervision/actions/{noticed.pk}/reply", {"text": "征地协议已签订九成，剩余三户月底前完成。"},
                     content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "replied"
    again = head.post(f"/api/v1/supervision/actions/{noticed.pk}/reply", {"text": "征地协议已签订九成，剩余三户月底前完成。"},
                      content_type="application/json")
    assert again.status_code == 400
