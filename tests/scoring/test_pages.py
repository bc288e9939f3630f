"""The pages: the office sees every unit and its trace, a unit only its own points and contests from them."""

from duban.scoring import collect
from duban.scoring.models import Contest, Publication, Rule, ScoreEvent
from duban.scoring.periods import parse
from tests.scoring.conftest import at


def test_the_office_sees_every_unit_with_its_trace_and_publishes(county, november):
    with at("2026-12-03"):
        office = county.client("supervision")
        assert office.post("/scoring/refresh/", {"period": "2026-11"}).status_code == 302
        page = office.get("/scoring/?period=2026-11")
        html = page.content.decode()
        assert page.status_code == 200
        for name, score in [("县交通运输局", "88.00"), ("县发展和改革局", "106.00"), ("城关镇", "95.00"), ("河口镇", "100.00")]:
            assert name in html and score in html
        assert f'href="/ledger/tasks/{november["a"].code}/"' in html  # a point links to its matter
        assert "已达本期上限3.00分" in html
        assert office.post("/scoring/publish/", {"period": "2026-11"}).status_code == 302
        assert Publication.objects.filter(period="2026-11").exists()
        assert "已公布" in office.get("/scoring/?period=2026-11").content.decode()


def test_a_unit_sees_only_its_own_points_and_contests_one(county, november):
    with at("2026-12-01"):
        collect.collect(parse("2026-11"))
        liaison = county.client("liaison")  # 县发展和改革局
        board = liaison.get("/scoring/?period=2026-11").content.decode()
        assert "县发展和改革局" in board and "106.00" in board
        assert "县交通运输局" not in board and "城关镇" not in board
        mine = liaison.get("/scoring/mine/?period=2026-11").content.decode()
        assert "106.00" in mine and "县交通运输局" not in mine
        head = county.client("unit_head")  # 县交通运输局
        point = ScoreEvent.objects.get(outcome="overdue_task", unit=county.units["transport"])
        assert f'data-testid="contest-{point.pk}"' in head.get("/scoring/mine/?period=2026-11").content.decode()
        # Another unit's point is not there to contest.
        assert liaison.post(f"/scoring/points/{point.pk}/contest/", {"reason": "不是本单位"}).status_code == 404
        assert head.post(f"/scoring/points/{point.pk}/contest/", {"reason": "已获延期批准", "period": "2026-11"}).status_code == 302
    contest = Contest.objects.get()
    assert contest.score_event == point and contest.raised_by == county.people["unit_head"]
    with at("2026-12-02"):
        office = county.client("supervision")
        assert "已获延期批准" in office.get("/scoring/contests/").content.decode()
        assert county.client("unit_head").get("/scoring/contests/").status_code == 403
        office.post(f"/scoring/contests/{contest.pk}/rule/", {"decision": "removed", "note": "延期批复属实"})
        html = office.get("/scoring/?period=2026-11").content.decode()
    assert "91.00" in html and "延期批复属实" in html and "申诉成立，已撤销该分" in html


def test_the_rules_page_refuses_an_activity_code(county, rules):
    office = county.client("supervision")
    with at("2026-10-21"):
        assert office.get("/scoring/rules/").status_code == 200
        office.post(f"/scoring/rules/versions/{rules[0].pk}/rules/", {"outcome": "login", "points": "-1"})
        office.post(f"/scoring/rules/versions/{rules[0].pk}/rules/", {"outcome": "praise", "points": "5", "cap": "10"})
        assert county.client("liaison").get("/scoring/rules/").status_code == 403
    assert not Rule.objects.filter(outcome="login").exists()
    assert str(rules[0].rules.get(outcome="praise").points) == "5.00"


def test_a_principal_leader_praises_a_unit_on_the_page(county, rules):
    with at("2026-11-20"):
        page = county.client("principal").get("/scoring/?period=2026-11").content.decode()
        assert 'data-testid="praise-form"' in page
        assert county.client("principal").post("/scoring/praise/", {"unit": county.units["ndrc"].pk, "text": "项目手续办理快",
                                                                     "given_on": "2026-11-20"}).status_code == 302
        assert county.client("supervision").post("/scoring/praise/", {"unit": county.units["ndrc"].pk, "text": "好"}).status_code == 403
        collect.collect(parse("2026-11"))
        page = county.client("supervision").get("/scoring/?period=2026-11").content.decode()
    assert "王书记表扬：项目手续办理快" in page and "103.00" in page


def test_the_hourly_job_collects_this_month_and_last_but_not_a_published_one(county, november):
    import datetime as dt

    from duban.core.jobs import get_job
    from duban.scoring import services
    from duban.scoring.models import ScoreEvent
    from tests.scoring.conftest import CST, actor

    with at("2026-12-03"):
        services.publish(actor(county.people["supervision"]), "2026-11")
    ScoreEvent.objects.filter(outcome="praise").delete()  # as if November's praise had never been collected
    with at("2026-12-03"):
        assert get_job("scoring.collect").body(dt.datetime(2026, 12, 3, 10, tzinfo=CST)) == "新增考核事件 1 条"  # December's overdue task
    assert not ScoreEvent.objects.filter(outcome="praise").exists()


def test_the_table_and_a_units_points_take_as_many_queries_for_more_points(county, november):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from duban.scoring import services
    from tests.scoring.conftest import actor

    def counts():
        with at("2026-12-01"):
            collect.collect(parse("2026-11"))
            office, head = county.client("supervision"), county.client("unit_head")
            office.get("/scoring/?period=2026-11")
            head.get("/scoring/mine/?period=2026-11")  # sessions and users warmed
            with CaptureQueriesContext(connection) as table:
                assert office.get("/scoring/?period=2026-11").status_code == 200
            with CaptureQueriesContext(connection) as mine:
                assert head.get("/scoring/mine/?period=2026-11").status_code == 200
        return len(table), len(mine)

    before = counts()
    with at("2026-11-25"):
        for unit in ("transport", "ndrc", "chengguan", "hekou"):
            services.give_praise(actor(county.people["principal"]), unit=county.units[unit], text="表扬")
    assert counts() == before
