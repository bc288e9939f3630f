"""Supervision tests chase ledger tasks: the ledger's fixtures (a 2026 campaign, tasks made through its services),
the API's token clients, and one task swept into a notice."""

import datetime as dt

import pytest

from duban.core.actor import Actor
from duban.ledger import services as ledger
from duban.supervision.models import SupervisionAction
from duban.supervision.sweep import sweep
from tests.api.conftest import api  # noqa: F401  (fixture)
from tests.ledger.conftest import campaign, make_task  # noqa: F401  (fixtures)
from tests.ledger.moves import SHANGHAI


@pytest.fixture
def noticed(county, make_task, time_machine):
    """A 县交通运输局 task due 30 September 2026, swept on 10 October: reminder, urge and a notice."""
    time_machine.move_to(dt.datetime(2026, 9, 1, 9, tzinfo=SHANGHAI), tick=False)
    task = make_task(due_date=dt.date(2026, 9, 30))
    ledger.sign_task(Actor(user=county.people["unit_head"]), task)
    now = dt.datetime(2026, 10, 10, 9, tzinfo=SHANGHAI)
    time_machine.move_to(now, tick=False)
    sweep(now)
    return SupervisionAction.objects.get(slot="notice")
