"""排查 against the safety office's checklists (issue 10): each failed item becomes a hazard in one step, the
history of a place, who keeps the checklist, who sees an inspection."""

import datetime as dt

import pytest
from django.test import Client

from duban.core.choices import Role
from duban.core.errors import NotAllowed, ServiceError
from duban.core.models import AuditEntry
from duban.safety import services
from duban.safety.models import ChecklistItem, Hazard, Inspection, InspectionResult, Outcome
from duban.safety.services import Answer
from tests.conftest import make_person
from tests.safety.conftest import as_actor, at, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def checklist(county, gas):
    office = as_actor(county.people["safety"])
    return [services.add_checklist_item(office, sector=gas, text=text)
            for text in ("液化气钢瓶存放符合要求", "连接软管无老化、无破损", "安装可燃气体报警器", "配备灭火器材")]


def counts():
    return (Inspection.objects.count(), InspectionResult.objects.count(), Hazard.objects.count(), AuditEntry.objects.count())


def inspect(who, sector, items, outcomes, place="城关镇南街12号 宏达餐馆后厨", **more):
    answers = [Answer(item, outcome, note="软管开裂" if outcome == Outcome.FAIL else "") for item, outcome in zip(items, outcomes, strict=True)]
    return services.record_inspection(as_actor(who), sector=sector, place=place, answers=answers, **more)


def test_each_failed_item_becomes_a_hazard_of_that_place_in_the_same_step(county, gas, checklist, grid_worker):
    with at("2026-06-05"):
        inspection = inspect(grid_worker, gas, checklist, [Outcome.PASS, Outcome.FAIL, Outcome.FAIL, Outcome.NA])
    made = list(Hazard.objects.order_by("id"))
    assert [h.title for h in made] == ["连接软管无老化、无破损：软管开裂", "安装可燃气体报警器：软管开裂"]
    assert {(h.place, h.sector, h.township, h.found_on, h.found_by) for h in made} == {
        ("城关镇南街12号 宏达餐馆后厨", gas, county.units["chengguan"], dt.date(2026, 6, 5), grid_worker)}
    results = list(inspection.results.order_by("id").values_list("item_text", "outcome", "hazard"))
    assert results == [("液化气钢瓶存放符合要求", "pass", None), ("连接软管无老化、无破损", "fail", made[0].pk),
                       ("安装可燃气体报警器", "fail", made[1].pk), ("配备灭火器材", "na", None)]
    assert inspection.township == county.units["chengguan"] and inspection.inspector_name == "韩网格"
    assert AuditEntry.objects.filter(action="inspection.record").count() == 1
    assert AuditEntry.objects.filter(action="hazard.report").count() == 2


def test_a_failed_item_may_stay_a_note_and_a_photo_goes_with_its_hazard(county, gas, checklist, grid_worker):
    answers = [Answer(checklist[0], Outcome.FAIL, note="钢瓶放在灶台下", photos=(photo(),)),
               Answer(checklist[1], Outcome.FAIL, note="轻微老化，已告知更换", hazard=False),
               *(Answer(item, Outcome.PASS) for item in checklist[2:])]
    with at("2026-06-05"):
        services.record_inspection(as_actor(grid_worker), sector=gas, place="东街3号", answers=answers)
    hazard = Hazard.objects.get()
    assert hazard.title == "液化气钢瓶存放符合要求：钢瓶放在灶台下" and hazard.photos.count() == 1


@pytest.mark.parametrize("case, message", [
    ("unanswered", "还有 1 项没有填写检查结果"),
    ("fail_without_note", "不合格，请写明存在的问题"),
    ("other_sector", "不在“燃气”当前的检查表中"),
    ("future", "检查日期不能晚于今天"),
    ("no_place", "请填写检查部位"),
])
def test_a_refused_inspection_stores_nothing(county, gas, forest, checklist, grid_worker, case, message):
    other = services.add_checklist_item(as_actor(county.people["safety"]), sector=forest, text="瞭望设施完好")
    answers = [Answer(item, Outcome.PASS) for item in checklist]
    place, day = "东街3号", None
    if case == "unanswered":
        answers = answers[:-1]
    elif case == "fail_without_note":
        answers[0] = Answer(checklist[0], Outcome.FAIL)
    elif case == "other_sector":
        answers.append(Answer(other, Outcome.PASS))
    elif case == "future":
        day = dt.date(2026, 6, 6)
    elif case == "no_place":
        place = "  "
    before = counts()
    with at("2026-06-05"), pytest.raises(ServiceError, match=message):
        services.record_inspection(as_actor(grid_worker), sector=gas, place=place, answers=answers, inspected_on=day)
    assert counts() == before


def test_only_the_safety_office_keeps_the_checklist_and_a_retired_line_is_no_longer_asked(county, gas, checklist):
    with pytest.raises(NotAllowed, match="排查检查表由县安委办维护"):
        services.add_checklist_item(as_actor(county.people["township_liaison"]), sector=gas, text="通风良好")
    with pytest.raises(ServiceError, match="已有"):
        services.add_checklist_item(as_actor(county.people["safety"]), sector=gas, text="配备灭火器材")
    services.set_checklist_item_active(as_actor(county.people["safety"]), checklist[3], active=False)
    answers = [Answer(item, Outcome.PASS) for item in checklist[:3]]
    with at("2026-06-05"):
        services.record_inspection(as_actor(county.people["safety"]), sector=gas, place="东街3号", answers=answers)
    assert ChecklistItem.objects.filter(active=True).count() == 3


def test_the_history_of_a_place_and_who_sees_an_inspection(county, gas, checklist, grid_worker, other_township):
    with at("2026-05-05"):
        first = inspect(grid_worker, gas, checklist, [Outcome.PASS] * 4, place="城关镇南街12号")
    with at("2026-06-05"):
        second = inspect(grid_worker, gas, checklist, [Outcome.FAIL, Outcome.PASS, Outcome.PASS, Outcome.PASS], place="城关镇 南街12号。")
        elsewhere = inspect(county.people["safety"], gas, checklist, [Outcome.PASS] * 4, place="关庙街1号", township=other_township)
    office = county.client("safety")
    page = office.get(f"/safety/inspections/{second.pk}/").content.decode()
    assert f'href="/safety/inspections/{first.pk}/"' in page  # the same place, written differently
    assert f'href="/safety/hazards/{Hazard.objects.get().code}/"' in page
    township = Client()
    township.force_login(make_person("chengguan_head2", county.units["chengguan"], Role.UNIT_HEAD))
    listed = township.get("/safety/inspections/").content.decode()
    assert f"/safety/inspections/{second.pk}/" in listed and f"/safety/inspections/{elsewhere.pk}/" not in listed
    assert township.get(f"/safety/inspections/{elsewhere.pk}/").status_code == 404
    assert county.client("sysadmin").get("/safety/inspections/").status_code == 403


def test_the_inspection_page_records_one_from_a_phone(county, gas, checklist, grid_worker):
    client = Client()
    client.force_login(grid_worker)
    with at("2026-06-05"):
        form = client.get("/safety/inspections/new/", {"sector": gas.pk}).content.decode()
    assert all(item.text in form for item in checklist)
    assert 'type="date" name="inspected_on" value="2026-06-05"' in form  # a date input takes ISO dates only
    data = {"sector": gas.pk, "place": "东街5号 小吃店", "inspected_on": "2026-06-05"}
    for item in checklist:
        data[f"outcome_{item.pk}"] = "pass"
    data[f"outcome_{checklist[2].pk}"] = "fail"
    data[f"note_{checklist[2].pk}"] = "未安装报警器"
    data[f"hazard_{checklist[2].pk}"] = "on"
    with at("2026-06-05"):
        response = client.post(f"/safety/inspections/new/?sector={gas.pk}", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Hazard.objects.get().title == "安装可燃气体报警器：未安装报警器"
    assert response["Location"] == f"/safety/inspections/{Inspection.objects.get().pk}/"


def test_the_inspection_list_costs_the_same_queries_for_3_and_30(county, gas, checklist, grid_worker, django_assert_num_queries):
    office = county.client("safety")
    with at("2026-06-05"):
        for n in range(3):
            inspect(grid_worker, gas, checklist, [Outcome.PASS] * 4, place=f"东街{n}号")
    office.get("/safety/inspections/")  # the session and the menu's first reads
    # session, user, roles, the page of inspections (sector, township and failed count joined), unread messages,
    # the user's unit, the filter's sectors and townships, the session's save (3 with its savepoint)
    with django_assert_num_queries(QUERIES):
        office.get("/safety/inspections/")
    with at("2026-06-05"):
        for n in range(27):
            inspect(grid_worker, gas, checklist, [Outcome.PASS] * 4, place=f"西街{n}号")
    with django_assert_num_queries(QUERIES):
        assert office.get("/safety/inspections/").content.decode().count('data-testid="inspection-row"') == 30


QUERIES = 11


def test_the_api_lists_and_shows_inspections_within_scope(county, gas, checklist, grid_worker, other_township):
    from duban.api import services as token_services
    from tests.api.conftest import ApiClient

    with at("2026-06-05"):
        mine = inspect(grid_worker, gas, checklist, [Outcome.FAIL, Outcome.PASS, Outcome.PASS, Outcome.NA])
        elsewhere = inspect(county.people["safety"], gas, checklist, [Outcome.PASS] * 4, place="关庙街1号", township=other_township)

    def api(user):
        return ApiClient(token_services.create_token(as_actor(user), name="测试")[1])

    office, township = api(county.people["safety"]), api(county.people["township_liaison"])
    assert [i["id"] for i in office.get("/inspections").json()["items"]] == [elsewhere.pk, mine.pk]
    assert [i["id"] for i in office.get("/inspections", {"township": other_township.pk}).json()["items"]] == [elsewhere.pk]
    assert [(i["id"], i["failed"]) for i in township.get("/inspections").json()["items"]] == [(mine.pk, 1)]
    detail = township.get(f"/inspections/{mine.pk}").json()
    assert [(r["item"], r["outcome"], r["hazard"]) for r in detail["results"]] == [
        ("液化气钢瓶存放符合要求", "fail", Hazard.objects.get().code), ("连接软管无老化、无破损", "pass", None),
        ("安装可燃气体报警器", "pass", None), ("配备灭火器材", "na", None)]
    assert township.get(f"/inspections/{elsewhere.pk}").status_code == 404
