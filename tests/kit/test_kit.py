"""The kit fails when it should: a grid that does not match what the app answers, a refused call that wrote
something, a list that runs a query per row. (tests/ledger/test_kit.py also proves a wrong ledger grid fails.)"""

import pytest
from django.apps import apps

from duban.core import audit
from duban.core.actor import Actor
from duban.core.choices import UnitKind
from duban.core.errors import NotAllowed, ServiceError
from duban.core.models import Attachment, AuditEntry, Unit
from duban.matters.models import MatterEvent
from tests import kit
from tests.conftest import make_unit

pytestmark = pytest.mark.django_db

HOME = kit.Statuses("""
             anon  prin lead sup  bus  saf  head sect lia  town sys  sec  aud
    home     login 200  200  200  200  200  200  200  200  200  200  200  200
    inbox    login 200  200  200  200  200  200  200  200  200  200  200  200
""")
URLS = {"home": "/", "inbox": "/inbox/"}


@kit.each_role
def test_every_role_opens_the_home_page_and_the_inbox(county, role):
    kit.check_pages(HOME, URLS, county, role)


def test_a_wrong_grid_fails_naming_each_url_role_expected_and_actual_status(county):
    wrong = HOME.replace("home", "principal", 403).replace("inbox", "principal", 404)
    with pytest.raises(AssertionError) as failed:
        kit.check_pages(wrong, URLS, county, "principal")
    assert str(failed.value) == (
        "2 of 2 URLs answered principal otherwise than the grid says:\n"
        "  GET / (home) as principal (王书记): expected 403, got 200\n"
        "  GET /inbox/ (inbox) as principal (王书记): expected 404, got 200"
    )


def test_login_means_the_sign_in_page_that_comes_back_to_the_url(county):
    wrong = HOME.replace("home", "principal", kit.LOGIN)
    with pytest.raises(AssertionError, match=r"GET / \(home\) as principal \(王书记\): expected login, got 200$"):
        kit.check_pages(wrong, URLS, county, "principal")
    with pytest.raises(AssertionError, match=r"GET / \(home\) as anonymous: expected 200, got 302 → /login/\?next=/$"):
        kit.check_pages(HOME.replace("home", "anonymous", 200), URLS, county, "anonymous")


def test_the_api_is_checked_with_a_bearer_token_and_without_one(county):
    me = kit.Statuses("""
             anon  prin lead sup  bus  saf  head sect lia  town sys  sec  aud
        me   401   200  200  200  200  200  200  200  200  200  200  200  200
    """)
    kit.check_api(me, {"me": "/api/v1/me"}, county, "anonymous")
    kit.check_api(me, {"me": "/api/v1/me"}, county, "liaison")
    assert kit.api_get(county, "liaison")("/api/v1/me").json()["username"] == "fagai_lly"
    with pytest.raises(AssertionError, match=r"GET /api/v1/me \(me\) as liaison \(郑联络, bearer token\): expected 401, got 200$"):
        kit.check_api(me.replace("me", "liaison", 401), {"me": "/api/v1/me"}, county, "liaison")


def test_a_grid_and_its_urls_must_name_the_same_rows(county):
    with pytest.raises(AssertionError, match=r"only in the grid \['inbox'\], only in the URLs \['people'\]"):
        kit.check_pages(HOME, {"home": "/", "people": "/people/"}, county, "principal")


@pytest.mark.parametrize(("grid", "error"), [
    ("anon prin\n x login", "row 'x' has 1 cells for 2 roles"),
    ("anon prin\n x login 201", "row 'x': cell '201' is neither `login` nor one of"),
    ("anon boss\n x login 200", "unknown role columns ['boss']"),
    ("anon prin\n x login 200\n x login 200", "row 'x' twice"),
])
def test_a_grid_that_does_not_parse_says_why(grid, error):
    with pytest.raises(ValueError) as failed:
        kit.Statuses(grid)
    assert str(failed.value).startswith(error)


# --- footprint -----------------------------------------------------------------------------------------

def test_a_kinds_tables_are_every_model_of_its_app_with_the_audit_trail_attachments_and_events():
    tables = kit.tables_for("supervision", extra=[Unit, AuditEntry])
    models = list(apps.get_app_config("supervision").get_models(include_auto_created=True))
    assert tables == [*models, AuditEntry, Attachment, MatterEvent, Unit]
    ledger = {m._meta.label for m in kit.tables_for("ledger")}
    assert {"ledger.Task", "ledger.Task_cooperating_units", "core.AuditEntry", "core.Attachment", "matters.MatterEvent"} <= ledger


def test_refused_fails_naming_the_table_a_refused_call_wrote_to(county):
    unit = county.units["ndrc"]
    with pytest.raises(AssertionError) as failed:
        with kit.refused([Unit, AuditEntry], unit, ServiceError, "不行。"):
            audit.record(Actor.system("tests"), "unit.touch", unit, message="写了不该写的")
            Unit.objects.filter(pk=unit.pk).update(name="县发改局")
            raise ServiceError("不行。")
    message = str(failed.value)
    assert message.startswith("refused with “不行。” but: changed what it should have left alone:\n")
    assert "core.AuditEntry: 1 row(s) added" in message
    assert f"core.Unit: row {unit.pk}: name '县发展和改革局' → '县发改局'" in message
    assert "the matter's row: name '县发展和改革局' → '县发改局'" in message


def test_refused_fails_when_the_call_goes_through_or_says_something_else(county):
    unit = county.units["ndrc"]
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        with kit.refused([Unit], unit, NotAllowed):
            pass
    with pytest.raises(AssertionError, match="expected: 无权。\nactual:   不行。"):
        with kit.refused([Unit], unit, ServiceError, "无权。"):
            raise ServiceError("不行。")
    with kit.refused([Unit], unit, NotAllowed, "无权。") as caught:
        raise NotAllowed("无权。")
    assert caught.value.message == "无权。"


# --- fixed queries -------------------------------------------------------------------------------------

def more_units(n=20):
    parent = make_unit("示范乡", UnitKind.TOWNSHIP)
    for i in range(n):
        make_unit(f"示范村{i + 1}", UnitKind.VILLAGE, parent=parent)


@pytest.mark.urls("tests.kit.urls_for_tests")
def test_a_list_with_a_query_per_row_fails_and_shows_the_queries(county, client):
    with pytest.raises(AssertionError) as failed:
        kit.assert_fixed_queries(client, "/n-plus-one/", more_units)
    message = str(failed.value)
    assert message.startswith("GET /n-plus-one/ ran 3 queries, and 23 once grow() had added rows:\n--- before (3):\n")
    assert message.count('FROM "core_unit"') == 3 + 23  # the list, then one parent per unit under another


@pytest.mark.urls("tests.kit.urls_for_tests")
def test_a_list_in_fixed_queries_passes_and_a_grow_that_shows_nothing_fails(county, client):
    assert kit.assert_fixed_queries(client, "/fixed/", more_units) == 1
    with pytest.raises(AssertionError, match="GET /fixed/: grow\\(\\) added nothing this page shows"):
        kit.assert_fixed_queries(client, "/fixed/", lambda: None)
