import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from duban.core.actor import Actor
from duban.core.choices import Role, UnitKind
from duban.safety import services
from duban.safety.models import Sector
from tests.conftest import make_person, make_unit

CST = dt.timezone(dt.timedelta(hours=8))


def at(day: str, hour: int = 9):
    return time_machine.travel(dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=CST), tick=False)


def as_actor(user):
    return Actor(user=user)


def photo(name="现场.jpg", *, size=(64, 48), gps=None, color=(200, 40, 40), fmt="JPEG") -> SimpleUploadedFile:
    """A real photo; with `gps` (lat, lon) an EXIF GPS block as a phone writes it."""
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    if gps is not None:
        exif = Image.Exif()
        lat, lon = gps
        gps_ifd = {1: "N" if lat >= 0 else "S", 2: _dms(abs(lat)), 3: "E" if lon >= 0 else "W", 4: _dms(abs(lon))}
        exif[0x8825] = gps_ifd
        exif[0x010F] = "TestPhone"  # Make
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _dms(value: float):
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 2)
    return (float(degrees), float(minutes), float(seconds))


@pytest.fixture
def gas():
    Sector.ensure_defaults()  # a transactional test before this one may have emptied the table
    return Sector.objects.get(code="gas")


@pytest.fixture
def forest():
    Sector.ensure_defaults()
    return Sector.objects.get(code="forest_fire")


@pytest.fixture
def grid_worker(county):
    """A liaison of a village under 城关镇 (a grid worker): the township is found from the unit tree."""
    village = county.units["dongguan"]
    return make_person("dongguan_wangge", village, Role.LIAISON, full_name="韩网格")


@pytest.fixture
def township_head(county):
    return make_person("chengguan_head", county.units["chengguan"], Role.UNIT_HEAD, full_name="蒋镇长")


@pytest.fixture
def other_township(county):
    return make_unit("关庙镇", UnitKind.TOWNSHIP)


@pytest.fixture
def report(county, gas, grid_worker):
    """A general gas hazard in 城关镇, reported by the grid worker with a photo."""

    def _report(**values):
        fields = {"sector": gas, "place": "城关镇南街12号 宏达餐馆后厨", "title": "液化气钢瓶与灶具间距不足，软管老化",
                  "photos": [photo()], **values}
        who = fields.pop("by", grid_worker)
        return services.report_hazard(as_actor(who), **fields)

    return _report


@pytest.fixture
def assign(county):
    def _assign(hazard, *, by=None, **values):
        fields = {"lead_unit": county.units["chengguan"], "measures": "更换软管，钢瓶移出灶间，加装报警器",
                  "due_date": dt.date(2026, 6, 12), "funds": 0.3, **values}
        return services.assign_rectification(as_actor(by or county.people["safety"]), hazard, **fields)

    return _assign
