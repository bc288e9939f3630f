"""The duty rosters through the kind kit (tests/kit): every duty page and the shifts API as every role of the
fixture county, and the duty board in a fixed number of queries whatever the number of posts.

Given, on Monday 1 June 2026 at 10:00: 城关镇 keeps a critical lookout (后山瞭望哨) and a grid cell; the grid worker
韩网格 of 东关村 was on duty at the lookout from 08:00 and did not confirm, so the job made the lapse ZB2026-00001.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client

from duban.safety.choices import PostKind
from duban.safety.models import DutyLapse, DutyPost, Shift
from duban.safety.services import duty
from tests import kit
from tests.conftest import make_person
from tests.safety.conftest import CST, as_actor, at

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=CST)


@pytest.fixture
def objects(county, grid_worker, time_machine):
    town, office = county.units["chengguan"], as_actor(county.people["safety"])
    with at("2026-05-20"):
        lookout = duty.save_post(office, name="后山瞭望哨", township=town, kind=PostKind.LOOKOUT, critical=True)
        grid = duty.save_post(office, name="东关网格", township=town, kind=PostKind.GRID)
        [shift] = duty.schedule_shifts(office, lookout, first=dt.date(2026, 6, 1), people=[grid_worker])
        duty.schedule_shifts(office, grid, first=dt.date(2026, 6, 1), people=[county.people["township_liaison"]])
    duty.raise_lapses(NOW)
    time_machine.move_to(NOW, tick=False)
    return SimpleNamespace(lookout=lookout, grid=grid, shift=shift, lapse=DutyLapse.objects.get())


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_urls(o) -> dict[str, str]:
    return {
        "board": "/safety/duty/",
        "posts": "/safety/duty/posts/",
        "new_post": "/safety/duty/posts/new/",
        "roster": f"/safety/duty/posts/{o.lookout.pk}/",
        "edit": f"/safety/duty/posts/{o.lookout.pk}/edit/",
        "schedule": f"/safety/duty/posts/{o.lookout.pk}/schedule/",
        "cancel": f"/safety/duty/shifts/{o.shift.pk}/cancel/",
        "lapse": f"/safety/duty/lapses/{o.lapse.code}/",
        "unknown": "/safety/duty/lapses/ZB2026-99999/",
    }


# The safety office keeps every post; 城关镇 (town) keeps its own; the principal and the supervision office see them
# all but keep none; a department, a leader in charge of one, the business office see none; admins have no business.
PAGES = kit.Statuses("""
                anon   prin lead sup  bus  saf  head sect lia  town sys  sec  aud
    board       login  200  200  200  200  200  200  200  200  200  403  403  403
    posts       login  200  200  200  200  200  200  200  200  200  403  403  403
    new_post    login  403  403  403  403  200  403  403  403  200  403  403  403
    roster      login  200  404  200  404  200  404  404  404  200  403  403  403
    edit        login  403  404  403  404  200  404  404  404  200  403  403  403
    schedule    login  403  404  403  404  200  404  404  404  200  403  403  403
    cancel      login  403  404  403  404  200  404  404  404  200  403  403  403
    lapse       login  200  404  200  404  200  404  404  404  200  403  403  403
    unknown     login  404  404  404  404  404  404  404  404  404  403  403  403
""")


@kit.each_role
def test_every_duty_page_as_every_role(county, objects, role):
    kit.check_pages(PAGES, page_urls(objects), county, role)


def test_the_board_shows_each_role_exactly_its_posts_and_the_person_on_duty_their_own(county, objects, grid_worker):
    def board(client):
        return client.get("/safety/duty/").content.decode()

    for key in ("safety", "principal", "township_liaison"):
        page = board(county.client(key))
        assert "后山瞭望哨" in page and "东关网格" in page and 'data-red="1"' in page and "ZB2026-00001" in page, key
    for key in ("liaison", "unit_head", "business", "leader"):
        page = board(county.client(key))
        assert "后山瞭望哨" not in page and 'data-testid="no-posts"' in page, key
    page = board(client_of(grid_worker))
    # The grid worker sees the post they are on duty at, with their confirm button; not the grid cell.
    assert "后山瞭望哨" in page and "东关网格" not in page and 'data-testid="confirm-shift"' in page


def test_the_duty_board_runs_a_fixed_number_of_queries(county, objects, grid_worker):
    town, office = county.units["chengguan"], as_actor(county.people["safety"])

    def grow():
        with at("2026-05-21"):
            for n in range(30):
                post = duty.save_post(office, name=f"第{n}号检查站", township=town, kind=PostKind.CHECKPOINT, critical=n % 2 == 0)
                duty.schedule_shifts(office, post, first=dt.date(2026, 6, 1), people=[grid_worker], second_people=[county.people["township_liaison"]])

    for key in ("safety", "township_liaison"):
        assert kit.assert_fixed_queries(county.client(key), "/safety/duty/", grow if key == "safety" else lambda: None) <= 12


def test_the_roster_and_the_post_list_run_a_fixed_number_of_queries(county, objects, grid_worker):
    office = as_actor(county.people["safety"])

    def grow():
        with at("2026-05-21"):
            duty.schedule_shifts(office, objects.lookout, first=dt.date(2026, 6, 2), last=dt.date(2026, 6, 25), people=[grid_worker])

    assert kit.assert_fixed_queries(county.client("township_liaison"), f"/safety/duty/posts/{objects.lookout.pk}/", grow) <= 12


def test_the_home_page_offers_the_person_on_duty_the_one_tap_hand_over(county, objects, grid_worker):
    with at("2026-06-02", 7):
        client = client_of(grid_worker)
        duty.schedule_shifts(as_actor(county.people["safety"]), objects.grid, first=dt.date(2026, 6, 2), people=[grid_worker])
        page = client.get("/").content.decode()
        assert "我的值班" in page and "城关镇东关网格 08:00–18:00" in page and 'data-testid="work-action"' in page
        shift = Shift.objects.get(post=objects.grid, date=dt.date(2026, 6, 2))
        done = client.post(f"/safety/duty/shifts/{shift.pk}/confirm/", {"next": "/"})
        assert done.status_code == 302 and done["Location"] == "/"
        assert Shift.objects.get(pk=shift.pk).state == "confirmed"
        assert 'data-testid="work-action"' not in client.get("/").content.decode()
        assert client.get(f"/safety/duty/shifts/{shift.pk}/confirm/").status_code == 405
        # Another person's shift: refused, nothing changed.
        other = county.client("township_liaison")
        before = Shift.objects.get(pk=objects.shift.pk).state
        refused = other.post(f"/safety/duty/shifts/{objects.shift.pk}/confirm/", {"next": "/"}, follow=True)
        assert "只有本班值班人员可以确认到岗" in refused.content.decode()
        assert Shift.objects.get(pk=objects.shift.pk).state == before


# --- the API: the same scope, the same service -----------------------------------------------------------

API = kit.Statuses("""
                anon  prin lead sup  bus  saf  head sect lia  town sys  sec  aud
    list        401   200  200  200  200  200  200  200  200  200  200  200  200
""")


@kit.each_role
def test_every_shift_api_url_as_every_role(county, objects, role):
    kit.check_api(API, {"list": "/api/v1/shifts"}, county, role)


def test_the_api_lists_each_role_its_shifts_and_filters_through_the_one_filterset(county, objects, grid_worker):
    def ids(key, **params):
        return [item["id"] for item in kit.api_client(county, key).get("/api/v1/shifts", params).json()["items"]]

    grid_shift = Shift.objects.get(post=objects.grid).pk
    assert ids("safety") == ids("principal") == ids("township_liaison") == sorted([objects.shift.pk, grid_shift])
    assert ids("liaison") == ids("unit_head") == ids("sysadmin") == []
    assert ids("safety", post=objects.lookout.pk) == [objects.shift.pk]
    assert ids("safety", state="confirmed") == []
    assert ids("safety", date="2026-06-02") == []
    listed = kit.api_client(county, "safety").get("/api/v1/shifts", {"township": county.units["chengguan"].pk}).json()["items"]
    assert [(i["post"]["name"], i["hours"], i["lapse"], i["critical"]) for i in listed] == [
        ("后山瞭望哨", "08:00–18:00", "ZB2026-00001", True), ("东关网格", "08:00–18:00", None, False)]


def test_the_api_confirms_through_the_service_and_refuses_as_it_does(county, objects, grid_worker):
    partner = make_person("dongguan_huling", county.units["dongguan"], full_name="护林员老杨")
    with at("2026-05-22"):
        [later] = duty.schedule_shifts(as_actor(county.people["safety"]), objects.grid, first=dt.date(2026, 6, 3), people=[partner])
    mine = kit.api_client(county, "township_liaison")
    refused = mine.post(f"/api/v1/shifts/{objects.shift.pk}/confirm", {})
    assert refused.status_code == 403 and "只有本班值班人员可以确认到岗" in refused.json()["detail"]
    hidden = kit.api_client(county, "liaison").post(f"/api/v1/shifts/{objects.shift.pk}/confirm", {})
    assert hidden.status_code == 404
    grid_shift = Shift.objects.get(post=objects.grid, date=dt.date(2026, 6, 1))
    done = mine.post(f"/api/v1/shifts/{grid_shift.pk}/confirm", {"note": "已到岗"})
    assert done.status_code == 200 and done.json()["state"] == "confirmed"
    assert mine.post(f"/api/v1/shifts/{grid_shift.pk}/confirm", {"bogus": 1}).status_code == 422
    assert Shift.objects.get(pk=later.pk).state == "scheduled"


def test_the_township_sets_up_a_post_schedules_cancels_and_closes_a_lapse_through_the_pages(county, objects, grid_worker):
    client = county.client("township_liaison")
    town = county.units["chengguan"]
    made = client.post("/safety/duty/posts/new/", {"name": "南关检查站", "township": town.pk, "kind": "checkpoint", "critical": "on",
                                                   "active": "on", "note": ""})
    assert made.status_code == 302
    post = DutyPost.objects.get(name="南关检查站")
    assert (post.township, post.critical, post.kind) == (town, True, "checkpoint")
    other = client.post("/safety/duty/posts/new/", {"name": "关庙检查站", "township": county.units["transport"].pk, "kind": "checkpoint"})
    assert other.status_code == 200 and not DutyPost.objects.filter(name="关庙检查站").exists()
    schedule = client.get(f"/safety/duty/posts/{post.pk}/schedule/").content.decode()
    assert "韩网格" in schedule and "冯联络" in schedule  # the people of the township and its villages
    done = client.post(f"/safety/duty/posts/{post.pk}/schedule/", {
        "first": "2026-06-02", "last": "2026-06-04", "start_time": "20:00", "end_time": "08:00",
        "person_1": grid_worker.pk, "person_2": county.people["township_liaison"].pk})
    assert done.status_code == 302
    shifts = list(Shift.objects.filter(post=post).order_by("date"))
    assert [(s.date.day, s.person.full_name, s.hours) for s in shifts] == [
        (2, "韩网格", "20:00–次日08:00"), (3, "冯联络", "20:00–次日08:00"), (4, "韩网格", "20:00–次日08:00")]
    again = client.post(f"/safety/duty/posts/{post.pk}/schedule/", {
        "first": "2026-06-04", "start_time": "20:00", "end_time": "08:00", "person_1": grid_worker.pk})
    assert again.status_code == 200 and "已有 20:00 开始的班次" in again.content.decode()
    cancelled = client.post(f"/safety/duty/shifts/{shifts[2].pk}/cancel/", {"reason": "人员调整"})
    assert cancelled.status_code == 302 and Shift.objects.get(pk=shifts[2].pk).state == "cancelled"
    roster = client.get(f"/safety/duty/posts/{post.pk}/").content.decode()
    assert roster.count('data-testid="roster-row"') == 3 and "人员调整" in roster
    # The lapse of the morning: the township says what happened.
    page = client.get(f"/safety/duty/lapses/{objects.lapse.code}/").content.decode()
    assert 'data-testid="close-lapse"' in page
    closed = client.post(f"/safety/duty/lapses/{objects.lapse.code}/", {"reason": "人员已到岗，山上无信号"})
    assert closed.status_code == 302
    assert DutyLapse.objects.get(pk=objects.lapse.pk).state == "closed"
    assert county.client("principal").post(f"/safety/duty/lapses/{objects.lapse.code}/", {"reason": "x"}).status_code == 403


def test_the_home_page_lists_the_townships_lapses_in_a_fixed_number_of_queries(county, objects, grid_worker):
    town, office = county.units["chengguan"], as_actor(county.people["safety"])

    def grow():
        with at("2026-05-21"):
            for n in range(20):
                post = duty.save_post(office, name=f"第{n}号瞭望哨", township=town, kind=PostKind.LOOKOUT, critical=True)
                duty.schedule_shifts(office, post, first=dt.date(2026, 6, 1), people=[county.people["township_liaison"]])
        duty.raise_lapses(NOW)

    # each kind of work its count and its page (the home page pages every section, issue 14); the appeals desk's
    # two sources of a unit (待签收, 待答复: a count and a page each) are 4 of them; the project ledger's two (项目手续,
    # 投资月报待报送) 4 more, and whether the person is of the project office 1
    assert kit.assert_fixed_queries(county.client("township_liaison"), "/", grow) == 34
    assert DutyLapse.objects.count() == 21
