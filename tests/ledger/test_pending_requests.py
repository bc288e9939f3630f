"""One pending request of each kind per task, kept by the database: a second completion, extension or
reassignment request while one waits is refused in the user's words and changes nothing — also when two
arrive at the same moment on two connections."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from duban.core import audit
from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.ledger import services
from duban.ledger.choices import RequestState
from duban.ledger.models import CompletionRequest, ExtensionRequest, ReassignRequest, Task
from tests.conftest import make_person
from tests.ledger.conftest import as_actor
from tests.ledger.moves import refused, reload
from tests.ledger.test_concurrency import connections_that_wait, race  # noqa: F401 — a fixture

D = dt.date


@pytest.fixture
def signed(county, make_task):
    task = make_task()
    services.sign_task(as_actor(county.people["unit_head"]), task)
    return reload(task)


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "values"), [
    (CompletionRequest, {"summary": "完成"}),
    (ExtensionRequest, {"old_due": D(2026, 12, 31), "new_due": D(2027, 3, 31), "reason": "等待批复"}),
    (ReassignRequest, {"reason": "不是我们的"}),
])
def test_the_database_holds_one_pending_request_of_a_kind_per_task(model, values, county, signed):
    if model is ReassignRequest:
        values = {**values, "unit": signed.lead_unit}
    model.objects.create(task=signed, **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(task=signed, **values)
    # Decided requests are history: as many as there were.
    model.objects.create(task=signed, state=RequestState.REJECTED, **values)
    model.objects.create(task=signed, state=RequestState.APPROVED, **values)
    assert model.objects.filter(task=signed).count() == 3


@pytest.mark.django_db
def test_a_second_pending_completion_request_is_refused_in_words(county, signed):
    # Left waiting from before (a task put back to 承办中 by hand, say): the unit may not stack another.
    CompletionRequest.objects.create(task=signed, summary="上次的申请")
    with refused(signed, ServiceError, "已有一份销账申请在等待审核，请等审核后再申请。"):
        services.request_completion(as_actor(county.people["unit_head"]), signed, summary="再次申请", no_evidence_reason="已现场核验")


@pytest.mark.django_db
def test_a_second_extension_and_reassignment_request_are_refused_in_words(county, signed):
    head = as_actor(county.people["unit_head"])
    services.request_extension(head, signed, new_due=D(2027, 3, 31), reason="等待批复")
    services.request_reassignment(head, reload(signed), reason="不是我们的")
    task = reload(signed)
    with refused(task, ServiceError, "已有一份延期申请在等待审批，请等审批后再申请。"):
        services.request_extension(head, task, new_due=D(2027, 6, 30), reason="再申请")
    with refused(task, ServiceError, "已有一份调整申请在等待处理。"):
        services.request_reassignment(head, task, reason="再申请")


@pytest.mark.django_db(transaction=True)
def test_two_extension_requests_at_once_make_exactly_one(connections_that_wait, county, make_task):  # noqa: F811
    liaison = make_person("jiaotong_lly", county.units["transport"], Role.LIAISON, full_name="陈联络")
    task = make_task()
    services.sign_task(as_actor(liaison), task)
    copies = [Task.objects.get(pk=task.pk), Task.objects.get(pk=task.pk)]
    results = race(
        lambda: services.request_extension(as_actor(liaison), copies[0], new_due=D(2027, 3, 31), reason="甲"),
        lambda: services.request_extension(as_actor(county.people["unit_head"]), copies[1], new_due=D(2027, 6, 30), reason="乙"),
    )
    assert sorted(type(r).__name__ for r in results) == ["ExtensionRequest", "ServiceError"], results
    refusal = next(r for r in results if isinstance(r, ServiceError))
    assert refusal.message == "已有一份延期申请在等待审批，请等审批后再申请。"
    assert ExtensionRequest.objects.filter(task=task, state=RequestState.PENDING).count() == 1
    assert task.events.filter(event="extension_requested").count() == 1
    assert audit.verify().ok
