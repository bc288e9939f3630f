"""The kind test kit: what every kind of matter (task, supervision action, appeal, hazard …) must pass.

A new kind plugs in with one test module, `tests/<app>/test_kit.py` (see tests/ledger/test_kit.py):

    from tests import kit

    PAGES = kit.Statuses('''                      # 1. every URL × every role of tests.conftest.County
                    anon   prin lead sup  bus  saf  head sect lia  town sys  sec  aud
        list        login  200  200  200  403  403  200  200  200  200  403  403  403
        detail      login  200  200  200  403  403  200  404  404  404  403  403  403
    ''')

    def page_urls(objects):                        # the grid's rows, built from the kind's fixture objects
        return {"list": "/appeals/", "detail": f"/appeals/{objects.appeal.code}/"}

    @kit.each_role
    def test_every_page_answers_as_the_grid_says(county, objects, role):
        kit.check_pages(PAGES, page_urls(objects), county, role)   # kit.check_api: the same with a bearer token

    TABLES = kit.tables_for("appeals")             # 2. every model of the app + audit trail + attachments

    def test_a_refused_move_changes_nothing(county, appeal):
        with kit.refused(TABLES, appeal, NotAllowed):
            services.accept(Actor(user=county.people["liaison"]), appeal)

    def test_the_list_runs_a_fixed_number_of_queries(county, objects):   # 3. no query per row
        kit.assert_fixed_queries(county.client("business"), "/appeals/", grow=lambda: make_appeals(60))

tests/kit/test_kit.py proves that each check fails when it should.
"""

from tests.kit.footprint import assert_unchanged, differences, footprint, refused, tables_for
from tests.kit.queries import assert_fixed_queries, count_queries
from tests.kit.urls import ANONYMOUS, LOGIN, ROLES, ApiClient, Statuses, api_client, api_get, check, check_api, check_pages, each_role, page_client

__all__ = [
    "ANONYMOUS", "LOGIN", "ROLES", "ApiClient", "Statuses", "api_client", "api_get", "assert_fixed_queries", "assert_unchanged", "check", "check_api",
    "check_pages", "count_queries", "differences", "each_role", "footprint", "page_client", "refused", "tables_for",
]
