"""The bulletin's fixed data: the scoring tests' November 2026 (tests/scoring/conftest.py), plus a task closed
and two appeals accepted in week 2026-W48 (23 to 29 November), and list rules: top 1 red, bottom 1 black."""

import datetime as dt

import pytest

from duban.appeals import services as appeals
from duban.ledger import services as ledger
from duban.projects import services as projects
from duban.projects.choices import Stage
from duban.projects.models import InvestmentReport
from duban.scoring import services as scoring
from tests.appeals.conftest import credit_code
from tests.projects.conftest import _project_office, handlers, new_project, office  # noqa: F401  (fixtures)
from tests.safety.conftest import gas, grid_worker, photo, report  # noqa: F401  (fixtures)
from tests.scoring.conftest import actor, at, november, rules  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"  # an uploaded template lives under MEDIA_ROOT/templates
    return tmp_path / "media"


@pytest.fixture
def week48(county, november, report, new_project, office):
    """November as in the scoring tests, and in week 48: task G (县发展和改革局) closed on 25 November, two appeals
    accepted and three hazards found on 24 November (one put right on the spot); the office's list rules: the
    first of each category red, the last black."""
    u, p = county.units, county.people
    office = actor(p["supervision"])
    campaign = november["a"].campaign
    with at("2026-11-23"):
        g = ledger.create_task(office, campaign, title="重点项目用地报批", standard="完成", lead_unit=u["ndrc"], due_date=dt.date(2026, 12, 20),
                               start_date=dt.date(2026, 1, 1), deadline_text="2026年12月20日前", leader_in_charge=p["leader"],
                               responsible_name="责任人", reward_penalty="按考核细则")
        ledger.register_task(office, g)
        g.refresh_from_db()
        ledger.sign_task(actor(p["liaison"]), g)
        g.refresh_from_db()
        ledger.request_completion(actor(p["liaison"]), g, summary="用地已批复", no_evidence_reason="批复在系统内")
    with at("2026-11-24"):
        desk = actor(p["business"])
        for serial, name in ((1, "某某新材料有限公司"), (2, "某某食品有限公司")):
            appeal = appeals.submit_appeal(actor(None), enterprise_name=name, credit_code=credit_code(serial), contact_name="马经理",
                                           phone="13900001111", category="utilities", description="车间用电增容申请两个月未安排勘察。").appeal
            appeals.accept_appeal(desk, appeal)
        report(place="南街1号")
        report(place="南街2号")
        report(place="南街3号", on_the_spot=True, result="当场更换软管", after_photos=[photo()])
    with at("2026-11-16"):
        report(place="南街9号")  # week 47
    with at("2026-11-25"):
        g.refresh_from_db()
        ledger.close_task(office, g, checklist=[True], grade="good")
    with at("2026-11-10"):  # a project planned at 12,000 (万元) for 2026, 800 of them in November, 650 done
        project = new_project(stage=Stage.STARTED, with_procedures=False)
        projects.set_month_plans(office, project, 2026, {11: "800"})
    with at("2026-11-26"):
        projects.open_reports(dt.date(2026, 11, 26))
        projects.submit_report(office, InvestmentReport.objects.get(project=project, month=11), completed="650")
    with at("2026-11-20"):
        scoring.save_list_rule(office, colour="red", basis="top", count=1)
        scoring.save_list_rule(office, colour="black", basis="bottom", count=1)
    return {**november, "g": g}
