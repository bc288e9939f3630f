import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from duban.core.actor import Actor
from duban.core.choices import Role, UnitCategory, UnitKind
from duban.projects import services
from duban.projects.choices import ProjectType, Stage
from duban.projects.models import ProcedureType
from tests.conftest import make_person, make_unit

CST = dt.timezone(dt.timedelta(hours=8))


def at(day: str, hour: int = 9):
    return time_machine.travel(dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=CST), tick=False)


def as_actor(user):
    return Actor(user=user)


@pytest.fixture(autouse=True)
def _project_office(settings):
    # The fixture county's development and reform bureau (its liaison fagai_lly) keeps the project ledger.
    settings.DUBAN_PROJECTS_OFFICE_UNIT = "县发展和改革局"


class Handlers:
    """The units that handle procedures, with their liaisons, set as the procedures' usual handlers."""

    def __init__(self, county):
        self.land = make_unit("县自然资源局", UnitKind.DEPARTMENT, category=UnitCategory.DEPARTMENT)
        self.land.short_name = "自然资源局"
        self.land.save()
        self.building = make_unit("县住房和城乡建设局", UnitKind.DEPARTMENT, category=UnitCategory.DEPARTMENT)
        self.building.short_name = "住建局"
        self.building.save()
        self.land_liaison = make_person("ziran_lly", self.land, Role.LIAISON, full_name="自然资源联络员")
        self.building_liaison = make_person("zhujian_lly", self.building, Role.LIAISON, full_name="住建联络员")
        ProcedureType.ensure_defaults()  # a transactional test before this one may have emptied the table
        handled = {"approval": county.units["ndrc"], "energy": county.units["ndrc"], "land_expropriation": self.land,
                   "land_transfer": self.land, "land_supply": self.land, "planning": self.land, "eia": self.land,
                   "construction_permit": self.building}
        for code, unit in handled.items():
            ProcedureType.objects.filter(code=code).update(default_unit=unit)


@pytest.fixture
def handlers(county):
    return Handlers(county)


@pytest.fixture
def office(county):
    return as_actor(county.people["liaison"])  # 县发改局 联络员: the project office


@pytest.fixture
def new_project(county, handlers, office):
    def make(**values):
        fields = dict(name="年产10万吨新型建材项目", investor="某某新材料有限公司", industry="materials",
                      project_type=ProjectType.INDUSTRIAL, level="county", total_investment=Decimal("52000"),
                      annual_plan=Decimal("12000"), lead_unit=county.units["transport"], leader_in_charge=county.people["leader"],
                      contact_name="张经理", contact_phone="13900001111")
        fields.update(values)
        return services.create_project(office, **fields)
    return make


__all__ = ["Stage", "at", "as_actor"]
