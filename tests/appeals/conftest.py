import datetime as dt

import pytest
import time_machine

from duban.appeals import creditcode, services
from duban.appeals.choices import Category
from duban.core.actor import Actor

CST = dt.timezone(dt.timedelta(hours=8))


def at(day: str, hour: int = 9):
    return time_machine.travel(dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=CST), tick=False)


def as_actor(user):
    return Actor(user=user)


def credit_code(serial: int = 1) -> str:
    """A valid unified social credit code, computed: 91 (企业, 工商) + 640000 + a nine-character body + the check."""
    return creditcode.make(f"91640000{serial:09d}")


def fresh(appeal):
    appeal.refresh_from_db()
    return appeal


@pytest.fixture
def submit(county):
    """An enterprise's appeal from the public form (no account)."""

    def make(**values):
        fields = {"enterprise_name": "某某新材料有限公司", "credit_code": credit_code(), "contact_name": "马经理", "phone": "13900001111",
                  "category": Category.UTILITIES, "description": "厂区新建车间用电增容申请已提交两个月，至今未安排勘察。"}
        fields.update(values)
        return services.submit_appeal(Actor.system("企业（网上）"), **fields)

    return make


@pytest.fixture
def desk(county):
    return as_actor(county.people["business"])


@pytest.fixture
def dispatched(county, submit, desk):
    """An appeal accepted and dispatched to 县发展和改革局."""

    def make(**values):
        appeal = submit(**values).appeal
        services.accept_appeal(desk, appeal)
        services.dispatch_appeal(desk, fresh(appeal), lead_unit=county.units["ndrc"])
        return fresh(appeal)

    return make
