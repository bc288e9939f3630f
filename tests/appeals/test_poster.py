"""The appeal poster's QR codes: an SVG for the page, a PNG for the printer, both of the form's address."""

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from duban.appeals import poster

URL = "https://duban.example.gov.cn/appeal/"
SVG = "{http://www.w3.org/2000/svg}"


def modules_in(png: bytes, scale: int) -> list[list[bool]]:
    """The dark and light modules of a QR code PNG, read at each module's centre."""
    image = Image.open(io.BytesIO(png)).convert("L")
    size = image.width // scale
    return [[image.getpixel((x * scale + scale // 2, y * scale + scale // 2)) < 128 for x in range(size)] for y in range(size)]


def test_the_svg_is_an_svg_with_one_path_of_the_code():
    svg = poster.qr_svg(URL)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("class") == "appeal-qr"
    size = poster.qr_code(URL).symbol_size(scale=1, border=poster.BORDER)[0]
    assert root.get("viewBox") == f"0 0 {size * 8} {size * 8}"
    paths = root.findall(f"{SVG}path")
    assert len(paths) == 1 and paths[0].get("d").startswith("M")
    assert root.find(f"{SVG}title").text == URL


def test_the_address_is_escaped_in_the_svg():
    root = ET.fromstring(poster.qr_svg(URL + '?from=<poster>&"x"'))
    assert root.find(f"{SVG}title").text == URL + '?from=<poster>&"x"'


@pytest.mark.parametrize("scale", [1, 4, 10])
def test_the_png_is_the_code_of_the_address(scale):
    png = poster.qr_png(URL, scale)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    expected = poster.qr_code(URL)
    side = expected.symbol_size(scale=scale, border=poster.BORDER)[0]
    assert image.size == (side, side)
    # No QR decoder here (zbar is a system library): the PNG's modules are those segno encoded for the address,
    # and encoding the address afresh gives the same symbol, another address a different one.
    drawn = modules_in(png, scale)
    border = poster.BORDER
    assert [row[border:-border] for row in drawn[border:-border]] == [[bool(m) for m in row] for row in expected.matrix]
    assert all(not dark for row in drawn[:border] + drawn[-border:] for dark in row)  # the quiet zone is light
    assert expected == poster.qr_code(URL) and expected != poster.qr_code(URL + "track/")
    assert expected.mode == "byte" and expected.error == "Q"


def test_the_poster_context_has_absolute_addresses_from_the_site_url(settings, rf):
    settings.DUBAN_SITE_URL = "https://duban.example.gov.cn"
    context = poster.poster_context("/appeal/", track_url="/appeal/track/", office="县营商办", request=rf.get("/", HTTP_HOST="evil.example"))
    assert context["intake_url"] == URL and context["track_url"] == URL + "track/"
    assert context["office"] == "县营商办" and context["title"] == "企业诉求直通车"
    assert ET.fromstring(str(context["intake_qr_svg"])).find(f"{SVG}title").text == URL
    assert hasattr(context["intake_qr_svg"], "__html__")  # safe to put in a template as it is
    assert len(context["steps"]) == 3


def test_without_a_site_url_the_request_gives_the_address(settings, rf):
    settings.DUBAN_SITE_URL = ""
    settings.ALLOWED_HOSTS = ["duban.example.gov.cn"]
    context = poster.poster_context("/appeal/", request=rf.get("/", HTTP_HOST="duban.example.gov.cn", secure=True))
    assert context["intake_url"] == URL and context["track_url"] is None and context["track_qr_svg"] is None
    with pytest.raises(ValueError):
        poster.poster_context("/appeal/")
