"""The OpenAPI schema, fuzzed (schemathesis): whatever a supervision-office token sends, never a 500."""

import datetime as dt

import pytest

from duban.api import services as token_services
from duban.core.actor import Actor
from duban.ledger import services
from tests.api.conftest import as_actor

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, settings  # noqa: E402  (after the skip: hypothesis comes with it)

pytestmark = pytest.mark.django_db


def _load_schema():
    from duban.wsgi import application

    # Served by the app in-process (WSGI); the schema view reads no table, so it loads at collection time.
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


schema = _load_schema()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Served through the real WSGI handler, each request would close the database connection at its end (as
    in production); that would drop the test's open transaction on PostgreSQL. Django's test client does this too."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(county, make_task):
    """Tasks in several states with pending requests, so that fuzzed calls reach the services, not only 404s."""
    head = as_actor(county.people["unit_head"])
    draft = make_task(register=False)
    assigned = make_task()
    working = make_task()
    services.sign_task(head, working)
    services.request_extension(head, working, new_due=dt.date(2027, 6, 30), reason="征地延后")
    services.request_reassignment(head, working, reason="不归我局")
    asking = make_task()
    services.sign_task(head, asking)
    services.report_progress(head, asking, percent=80, text="基本完成")
    services.request_completion(head, asking, summary="全部完成", no_evidence_reason="已现场核验")
    _, token = token_services.create_token(Actor(user=county.people["supervision"]), name="模糊测试")
    return {
        "token": token,
        "codes": [draft.code, assigned.code, working.code, asking.code],
        "request_ids": [working.extension_requests.get().pk, working.reassign_requests.get().pk],
    }


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, world):
    # Half the calls aim at real records (chosen by the generated value, so runs repeat); the rest stay random.
    params = case.path_parameters or {}
    if "code" in params and len(str(params["code"])) % 2 == 0:
        params["code"] = world["codes"][len(str(params["code"])) % len(world["codes"])]
    if "request_id" in params and len(str(params["request_id"])) % 2 == 0:
        params["request_id"] = world["request_ids"][len(str(params["request_id"])) // 2 % 2]
    response = case.call(headers={"Authorization": f"Bearer {world['token']}"})
    assert response.status_code < 500, f"{case.method} {case.formatted_path} → {response.status_code}\n{response.text[:2000]}"
    if response.status_code != 405:  # a method the path does not have: Django's plain answer
        assert response.headers["content-type"][0].startswith("application/json"), response.headers
