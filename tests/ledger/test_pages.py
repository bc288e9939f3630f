"""The ledger list and the task page through HTTP: each role sees exactly its scope and only its actions."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from duban.ledger import services
from duban.ledger.choices import TaskState
from duban.ledger.models import Task
from tests.ledger.conftest import as_actor

pytestmark = pytest.mark.django_db

CODE = re.compile(r'<tr data-code="([^"]+)"')


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return CODE.findall(response.content.decode())


def links(response, testid: str) -> dict[str, str]:
    """The light-count links: light value → href."""
    html = response.content.decode()
    block = html.split(f'data-testid="{testid}"', 1)[1].split("</div>", 1)[0]
    return {m[1]: m[0].replace("&amp;", "&") for m in re.findall(r'href="([^"]*)" data-light-count="([^"]+)"', block)}


def query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


@pytest.fixture
def scoped_tasks(county, campaign, make_task):
    """Seven tasks placed so that every role's scope differs (see each role's expected letters below)."""
    u, p = county.units, county.people
    principal = p["principal"]
    tasks = {
        "A": make_task(title="A 交通局任务", lead_unit=u["transport"], leader_in_charge=principal, front=None),
        "B": make_task(title="B 交通局办公室任务", lead_unit=u["transport_office"], leader_in_charge=principal, front=None),
        "C": make_task(title="C 发改局任务", lead_unit=u["ndrc"], leader_in_charge=principal, front=None),
        "D": make_task(title="D 城关镇任务发改配合", lead_unit=u["chengguan"], leader_in_charge=principal, front=None, cooperating_units=[u["ndrc"]]),
        "E": make_task(title="E 城关镇任务副县长牵头", lead_unit=u["chengguan"], leader_in_charge=p["leader"], front=None),
        "F": make_task(title="F 发改局战线任务", lead_unit=u["ndrc"], leader_in_charge=principal),
        "G": make_task(register=False, title="G 草稿", lead_unit=u["transport"], leader_in_charge=principal, front=None),
    }
    return tasks


LIST_SCOPE = {
    "principal": "ABCDEFG",
    "supervision": "ABCDEFG",
    "leader": "ABEF",  # charge (交通局 and its section), own task, the front it leads
    "unit_head": "AB",  # own unit and its sub-unit
    "section_liaison": "B",
    "liaison": "CDF",  # own unit, and D where it cooperates
    "township_liaison": "DE",
}


@pytest.mark.parametrize("role", sorted(LIST_SCOPE))
def test_each_role_sees_exactly_its_scope_in_the_list(county, scoped_tasks, role):
    seen = codes(county.client(role).get("/ledger/"))
    expected = {scoped_tasks[letter].code for letter in LIST_SCOPE[role]}
    assert set(seen) == expected and len(seen) == len(expected)


@pytest.mark.parametrize("role", ["business", "safety", "sysadmin", "secadmin", "auditadmin"])
def test_roles_without_ledger_business_are_turned_away(county, scoped_tasks, role):
    client = county.client(role)
    assert client.get("/ledger/").status_code == 403
    assert client.get(f"/ledger/tasks/{scoped_tasks['A'].code}/").status_code == 403
    assert "台账" not in client.get("/").content.decode()


def test_the_nav_offers_the_ledger_to_business_roles(county):
    assert '<a class="nav-link" href="/ledger/">台账</a>' in county.client("liaison").get("/").content.decode()


@pytest.mark.parametrize("role", sorted(LIST_SCOPE))
def test_task_page_is_404_outside_the_scope(county, scoped_tasks, role):
    client = county.client(role)
    for letter, task in scoped_tasks.items():
        status = client.get(f"/ledger/tasks/{task.code}/").status_code
        assert status == (200 if letter in LIST_SCOPE[role] else 404), (role, letter)


def test_anonymous_users_are_sent_to_sign_in(client, scoped_tasks):
    response = client.get("/ledger/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- filters, sort, keyset pages ------------------------------------------------------------------


def test_filters_narrow_the_list(county, scoped_tasks):
    office = county.client("supervision")
    t = scoped_tasks
    Task.objects.filter(pk=t["C"].pk).update(due_date=dt.date(2026, 6, 30), due_sort=dt.date(2026, 6, 30))
    assert set(codes(office.get("/ledger/", {"unit": county.units["ndrc"].pk}))) == {t["C"].code, t["D"].code, t["F"].code}
    assert set(codes(office.get("/ledger/", {"state": "draft"}))) == {t["G"].code}
    assert set(codes(office.get("/ledger/", {"state": "open"}))) == {t[x].code for x in "ABCDEF"}
    assert set(codes(office.get("/ledger/", {"q": "城关镇"}))) == {t["D"].code, t["E"].code}
    assert set(codes(office.get("/ledger/", {"q": t["B"].code}))) == {t["B"].code}
    assert set(codes(office.get("/ledger/", {"leader": county.people["leader"].pk}))) == {t["E"].code}
    assert set(codes(office.get("/ledger/", {"front": t["F"].front_id}))) == {t["F"].code}
    assert set(codes(office.get("/ledger/", {"due_before": "2026-07-01"}))) == {t["C"].code}
    assert set(codes(office.get("/ledger/", {"due_after": "2026-07-01", "unit": county.units["ndrc"].pk}))) == {t["D"].code, t["F"].code}
    assert len(codes(office.get("/ledger/", {"campaign": t["A"].campaign_id}))) == 7


def test_a_liaison_filtering_by_another_unit_still_sees_only_its_scope(county, scoped_tasks):
    seen = codes(county.client("liaison").get("/ledger/", {"unit": county.units["transport"].pk}))
    assert seen == []


def test_a_bad_filter_value_is_explained_not_a_crash(county, scoped_tasks):
    response = county.client("supervision").get("/ledger/", {"due_before": "明年"})
    assert response.status_code == 200
    assert 'data-testid="filter-errors"' in response.content.decode()


def test_sort_orders_rows(county, scoped_tasks):
    office = county.client("supervision")
    for letter, day in zip("ABCDEFG", [5, 3, 7, 1, 6, 2, 4], strict=True):
        due = dt.date(2026, 12, day)
        Task.objects.filter(pk=scoped_tasks[letter].pk).update(due_date=due, due_sort=due)
    by_due = ["D", "F", "B", "G", "A", "E", "C"]
    assert codes(office.get("/ledger/", {"sort": "due"})) == [scoped_tasks[x].code for x in by_due]
    assert codes(office.get("/ledger/", {"sort": "-due"})) == [scoped_tasks[x].code for x in reversed(by_due)]
    assert codes(office.get("/ledger/", {"sort": "code"})) == sorted(t.code for t in scoped_tasks.values())
    assert codes(office.get("/ledger/", {"sort": "nonsense"})) == [scoped_tasks[x].code for x in by_due]


def bulk_tasks(county, campaign, n, *, unit="ndrc", start=1, **fields):
    """`n` in-progress tasks written straight to the table (the list is about reading, not services)."""
    tasks = [
        Task(
            campaign=campaign, front=campaign.fronts.first(), code=f"2026-{start + i:04d}", state=TaskState.IN_PROGRESS,
            title=f"批量任务{start + i}", lead_unit=county.units[unit], leader_in_charge=county.people["leader"],
            responsible_person=county.people["liaison"], due_date=dt.date(2026, 12, 1) + dt.timedelta(days=i % 25),
            due_sort=dt.date(2026, 12, 1) + dt.timedelta(days=i % 25), light=["green", "yellow", "red"][i % 3], **fields,
        )
        for i in range(n)
    ]
    Task.objects.bulk_create(tasks)
    return list(Task.objects.order_by("due_sort", "id"))


def href(response, testid):
    match = re.search(rf'data-testid="{testid}" href="([^"]*)"', response.content.decode())
    return match[1].replace("&amp;", "&") if match else None


def test_keyset_pages_go_forward_and_back_keeping_the_filters(county, campaign):
    everything = bulk_tasks(county, campaign, 60)
    bulk_tasks(county, campaign, 5, unit="transport", start=100)  # filtered out below
    office = county.client("supervision")
    first = office.get("/ledger/", {"unit": county.units["ndrc"].pk, "state": "open"})
    ndrc = [t.code for t in everything if t.lead_unit_id == county.units["ndrc"].pk]
    assert codes(first) == ndrc[:50]
    assert href(first, "prev-page") == "#"
    next_href = href(first, "next-page")
    assert query(next_href)["unit"] == [str(county.units["ndrc"].pk)] and query(next_href)["state"] == ["open"]
    second = office.get("/ledger/" + next_href)
    assert codes(second) == ndrc[50:60]
    assert href(second, "next-page") == "#"
    back = office.get("/ledger/" + href(second, "prev-page"))
    assert codes(back) == ndrc[:50]


def test_keyset_paging_by_descending_due_date(county, campaign):
    everything = bulk_tasks(county, campaign, 55)
    office = county.client("supervision")
    first = office.get("/ledger/", {"sort": "-due"})
    expected = [t.code for t in sorted(everything, key=lambda t: (t.due_sort, t.id), reverse=True)]
    assert codes(first) == expected[:50]
    assert codes(office.get("/ledger/" + href(first, "next-page"))) == expected[50:]


def test_a_broken_cursor_starts_again_from_the_first_page(county, campaign):
    bulk_tasks(county, campaign, 3)
    response = county.client("supervision").get("/ledger/", {"cursor": "garbage!"})
    assert len(codes(response)) == 3
    assert "翻页参数无效" in response.content.decode()


# --- counts by light ------------------------------------------------------------------------------


def test_light_counts_ignore_the_light_filter_and_link_to_their_lists(county, campaign):
    bulk_tasks(county, campaign, 9)  # 3 green, 3 yellow, 3 red (ndrc)
    bulk_tasks(county, campaign, 2, unit="transport", start=50)  # green and yellow, filtered out by unit
    office = county.client("supervision")
    response = office.get("/ledger/", {"unit": county.units["ndrc"].pk, "light": "red", "q": "批量"})
    assert len(codes(response)) == 3
    html = response.content.decode()
    counts = dict(re.findall(r'data-light-count="(\w+)">.*?<strong>(\d+)</strong>', html, re.S))
    assert counts == {"all": "9", "green": "3", "yellow": "3", "red": "3", "grey": "0"}
    yellow = links(response, "light-counts")["yellow"]
    assert query(yellow) == {"unit": [str(county.units["ndrc"].pk)], "light": ["yellow"], "q": ["批量"]}
    followed = office.get("/ledger/" + yellow)
    assert {Task.objects.get(code=c).light for c in codes(followed)} == {"yellow"} and len(codes(followed)) == 3
    assert query(links(response, "light-counts")["all"]) == {"unit": [str(county.units["ndrc"].pk)], "q": ["批量"]}


LIGHT_COUNT_CASES = {
    "everything": ("supervision", {}),
    "state only (counted per light from the light index)": ("supervision", {"state": "open"}),
    "states and a light": ("supervision", {"state": ["assigned", "in_progress"], "light": "red"}),
    "unit (one GROUP BY)": ("supervision", {"unit": "ndrc", "state": "open"}),
    "text": ("supervision", {"q": "批量任务1"}),
    "a liaison's scope": ("liaison", {"state": "open"}),
}


@pytest.mark.parametrize("case", sorted(LIGHT_COUNT_CASES))
def test_light_counts_are_one_query_and_exact_whatever_the_filter(county, campaign, case):
    """selectors.light_counts picks its query's shape by the filter; either way one query, exact numbers."""
    role, params = LIGHT_COUNT_CASES[case]
    bulk_tasks(county, campaign, 9)  # ndrc: 3 green, 3 yellow, 3 red
    bulk_tasks(county, campaign, 5, unit="transport", start=50)
    bulk_tasks(county, campaign, 4, start=80)
    Task.objects.filter(code__in=["2026-0080", "2026-0081"]).update(state=TaskState.CLOSED, light="grey")
    Task.objects.filter(code="2026-0050").update(state=TaskState.ASSIGNED)
    if "unit" in params:
        params = {**params, "unit": county.units[params["unit"]].pk}
    with CaptureQueriesContext(connection) as ctx:
        response = county.client(role).get("/ledger/", params)
    counted = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"] and "light" in q["sql"]]
    assert len(counted) == 1, counted
    html = response.content.decode()
    shown = {k: int(v) for k, v in re.findall(r'data-light-count="(\w+)">.*?<strong>(\d+)</strong>', html, re.S)}
    expected = Task.objects.visible_to(county.people[role])
    if "unit" in params:
        unit = params["unit"]
        expected = expected.filter(Q(lead_unit_id=unit) | Q(cooperating_units__id=unit)).distinct()
    states = params.get("state", [])
    states = [states] if isinstance(states, str) else states
    if states:
        expected = expected.filter(state__in=["assigned", "in_progress", "completion_requested"] if states == ["open"] else states)
    if "q" in params:
        expected = expected.filter(title__contains=params["q"])
    direct = {light: expected.filter(light=light).count() for light in ["green", "yellow", "red", "grey"]}
    assert shown == {"all": sum(direct.values()), **direct}
    assert sum(direct.values()) > 0


def test_the_export_button_carries_the_filters(county, campaign):
    bulk_tasks(county, campaign, 60)
    office = county.client("supervision")
    first = office.get("/ledger/", {"state": "open", "q": "批量"})
    second = office.get("/ledger/" + href(first, "next-page"))
    assert "cursor" in query(href(first, "next-page"))
    export = re.search(r'href="([^"]*)" data-testid="export"', second.content.decode())[1].replace("&amp;", "&")
    assert export.startswith("/ledger/export/?")
    assert query(export) == {"state": ["open"], "q": ["批量"]}  # the page cursor is not a filter


def select_options(response, name) -> dict[str, str]:
    html = response.content.decode()
    block = html.split(f'<select name="{name}"', 1)[1].split("</select>", 1)[0]
    return {value: label for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', block)}


def test_the_filter_options_follow_an_admins_changes_at_once(county, campaign):
    """The selects are read on every request (no cache to go stale when the system admin edits units)."""
    from duban.core import services as core_services
    from duban.core.choices import Role, UnitKind

    office = county.client("supervision")
    before = select_options(office.get("/ledger/"), "unit")
    assert before[str(county.units["ndrc"].pk)] == county.units["ndrc"].name
    admin = as_actor(county.people["sysadmin"])
    core_services.update_unit(admin, county.units["ndrc"], name="县发展改革局")
    added = core_services.create_unit(admin, name="县数据局", kind=UnitKind.DEPARTMENT)
    core_services.update_unit(admin, county.units["dongguan"], is_active=False)
    core_services.grant_role(as_actor(county.people["secadmin"]), county.people["unit_head"], Role.LEADER)
    response = office.get("/ledger/")
    after = select_options(response, "unit")
    assert after[str(county.units["ndrc"].pk)] == "县发展改革局"
    assert after[str(added.pk)] == "县数据局"
    assert str(county.units["dongguan"].pk) not in after
    assert str(county.people["unit_head"].pk) in select_options(response, "leader")
    assert select_options(response, "front")[str(campaign.fronts.first().pk)].startswith(f"{campaign.year} · ")


# --- a fixed number of queries ----------------------------------------------------------------------

# session read, user, roles, (a unit head's sub-tree), light counts, the page's ids, its rows with their names,
# my unit (nav), the inbox's unread count (header), the campaign, front, unit and leader choices of the filter
# form, and the session write of the idle timeout (savepoint, update, release).
LIST_QUERIES = {"supervision": 15, "liaison": 15, "unit_head": 16}


@pytest.mark.parametrize("role", sorted(LIST_QUERIES))
def test_the_list_runs_a_fixed_number_of_queries_whatever_the_rows(county, campaign, django_assert_num_queries, role):
    unit = {"supervision": "ndrc", "liaison": "ndrc", "unit_head": "transport"}[role]
    bulk_tasks(county, campaign, 3, unit=unit)
    client = county.client(role)
    params = {"state": "open", "sort": "-due"}
    with django_assert_num_queries(LIST_QUERIES[role]):
        assert len(codes(client.get("/ledger/", params))) == 3
    bulk_tasks(county, campaign, 57, unit=unit, start=10)
    with django_assert_num_queries(LIST_QUERIES[role]):
        assert len(codes(client.get("/ledger/", params))) == 50


def test_filtered_list_query_count_does_not_grow_either(county, campaign, django_assert_num_queries):
    bulk_tasks(county, campaign, 3)
    client = county.client("supervision")
    params = {"unit": county.units["ndrc"].pk, "campaign": campaign.pk, "light": ["red", "yellow"], "q": "批量"}
    # + one lookup each for the chosen unit and campaign
    with django_assert_num_queries(17):
        client.get("/ledger/", params)
    bulk_tasks(county, campaign, 60, start=10)
    with django_assert_num_queries(17):
        client.get("/ledger/", params)


# --- the task page --------------------------------------------------------------------------------

ACTION = re.compile(r'data-action="(\w+)"')


def actions(response) -> set[str]:
    assert response.status_code == 200
    return set(ACTION.findall(response.content.decode()))


@pytest.fixture
def in_progress(county, make_task):
    task = make_task()
    services.sign_task(as_actor(county.people["unit_head"]), task)
    return Task.objects.get(pk=task.pk)


PAGE_ACTIONS = {
    "supervision": {"edit", "decompose", "pause"},
    "principal": {"edit", "decompose", "pause", "suspend", "cancel"},
    "leader": {"pause"},
    "unit_head": {"report", "request_completion", "request_extension", "request_reassignment"},
}


@pytest.mark.parametrize("role", sorted(PAGE_ACTIONS))
def test_task_page_offers_exactly_the_actions_of_the_role(county, in_progress, role):
    assert actions(county.client(role).get(f"/ledger/tasks/{in_progress.code}/")) == PAGE_ACTIONS[role]


def test_the_lead_units_section_liaison_cannot_see_a_task_of_the_department(county, in_progress):
    assert county.client("section_liaison").get(f"/ledger/tasks/{in_progress.code}/").status_code == 404


def test_a_cooperating_unit_may_report_but_not_request_completion(county, make_task):
    task = make_task(cooperating_units=[county.units["ndrc"]])
    services.sign_task(as_actor(county.people["unit_head"]), task)
    assert actions(county.client("liaison").get(f"/ledger/tasks/{task.code}/")) == {"report"}


def test_actions_follow_the_state(county, make_task):
    draft = make_task(register=False)
    assert actions(county.client("supervision").get(f"/ledger/tasks/{draft.code}/")) == {"edit", "register", "decompose"}
    assert actions(county.client("principal").get(f"/ledger/tasks/{draft.code}/")) == {"edit", "register", "decompose", "cancel"}
    assigned = make_task()
    assert actions(county.client("unit_head").get(f"/ledger/tasks/{assigned.code}/")) == {"sign", "request_extension", "request_reassignment"}


def test_pending_requests_show_their_decide_buttons_to_the_deciders_only(county, in_progress):
    head = as_actor(county.people["unit_head"])
    services.request_extension(head, in_progress, new_due=dt.date(2027, 3, 31), reason="征地手续未批")
    services.request_reassignment(head, Task.objects.get(pk=in_progress.pk), reason="应由自然资源局牵头")
    url = f"/ledger/tasks/{in_progress.code}/"
    assert "decide_extension" in actions(county.client("leader").get(url))
    assert "decide_extension" in actions(county.client("principal").get(url))
    assert "decide_reassignment" not in actions(county.client("leader").get(url))
    office = actions(county.client("supervision").get(url))
    assert "decide_reassignment" in office and "decide_extension" not in office
    assert not {"decide_extension", "decide_reassignment"} & actions(county.client("unit_head").get(url))


def test_task_page_shows_the_five_clarities_and_the_timeline(county, campaign, make_task):
    task = make_task(
        cooperating_units=[county.units["ndrc"], county.units["chengguan"]], assigning_leader=county.people["principal"],
        report_cycle="monthly:25", source="instruction", source_ref="县委书记批示第3号",
    )
    head = as_actor(county.people["unit_head"])
    services.sign_task(head, task)
    services.report_progress(head, Task.objects.get(pk=task.pk), percent=30, text="完成补偿协议 60 户", problems="个别户诉求高", next_steps="逐户走访")
    services.pause_clock(as_actor(county.people["supervision"]), Task.objects.get(pk=task.pk), reason="等待省厅用地批复")
    html = county.client("unit_head").get(f"/ledger/tasks/{task.code}/").content.decode()
    for text in [
        "完成国道改线工程征地拆迁", "<li>完成征地补偿协议签订</li>", "<li>完成地上附着物清点</li>", "<li>交付施工用地</li>",
        "王书记", "李副县长", "县交通运输局", "县发展和改革局、城关镇", "周局长", "2026年12月31日", "2026年12月底前",
        "每月25日前", "挂起计时", "等待省厅用地批复", "按期完成加2分，逾期扣3分", "领导批示：县委书记批示第3号",
        "完成补偿协议 60 户", "个别户诉求高", "逐户走访", "30%",
    ]:
        assert text in html, text
    timeline = html.split('data-testid="timeline"', 1)[1]
    kinds = re.findall(r'data-kind="(\w+)"', timeline)
    assert kinds == ["paused", "progress", "signed", "registered", "created"]  # newest first


def test_a_parent_lists_its_sub_tasks_with_their_lights(county, make_task, time_machine):
    parent = make_task()
    services.decompose_task(as_actor(county.people["supervision"]), parent, [{"lead_unit": county.units["ndrc"]}, {"lead_unit": county.units["chengguan"]}])
    Task.objects.filter(code=f"{parent.code}-2").update(light="red", light_reason="已逾期（完成时限 2026年6月30日）")
    time_machine.move_to(dt.datetime(2026, 7, 3, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)  # a Friday
    html = county.client("supervision").get(f"/ledger/tasks/{parent.code}/").content.decode()
    children = html.split('data-testid="children"', 1)[1].split("</table>", 1)[0]
    assert f"{parent.code}-1" in children and f"{parent.code}-2" in children
    # Its dot's title counts the working days late as of the day the page is shown: 1, 2 and 3 July.
    assert 'data-light="red"' in children and 'title="红灯：已逾期 3 个工作日（完成时限 2026年6月30日）"' in children
    # the ndrc liaison sees its own sub-task, not the other unit's
    liaison_html = county.client("liaison").get(f"/ledger/tasks/{parent.code}-1/").content.decode()
    assert f"{parent.code}-1" in liaison_html


def test_the_task_page_runs_a_fixed_number_of_queries(county, in_progress, django_assert_num_queries):
    head = as_actor(county.people["unit_head"])
    client = county.client("unit_head")
    url = f"/ledger/tasks/{in_progress.code}/"
    services.report_progress(head, in_progress, percent=5, text="开始")  # with no report at all, the files query is skipped
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(8):
        services.report_progress(head, Task.objects.get(pk=in_progress.pk), percent=10 + n, text=f"第{n}次")
    with django_assert_num_queries(len(few)):
        client.get(url)
