"""考核得分 as .xlsx: the workbook read back holds the board's numbers and its red and black lists."""

import io

import openpyxl

from duban.core.actor import Actor
from duban.scoring import collect, services
from duban.scoring.periods import parse
from duban.scoring.scores import board
from tests.scoring.conftest import at


def sheet_rows(sheet):
    return [tuple(c for c in row) for row in sheet.iter_rows(values_only=True)]


def test_the_board_and_its_lists_to_xlsx(county, november):
    office = Actor(user=county.people["supervision"])
    with at("2026-12-03"):
        collect.collect(parse("2026-11"))
        services.save_list_rule(office, colour="red", basis="top", count=1)
        services.save_list_rule(office, colour="black", basis="outcome", outcome="accountability")
        page = county.client("supervision").get("/scoring/?period=2026-11").content.decode()
        response = county.client("supervision").get("/scoring/export/?period=2026-11")
    assert 'href="/scoring/export/?period=2026-11"' in page
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = sheet_rows(book["考核得分"])
    assert rows[0][0].startswith("2026年11月考核得分")
    scored = {r[1]: (r[0], r[2], r[3]) for r in rows if isinstance(r[0], int)}
    expected = board("2026-11")
    assert scored == {r.unit_name: (r.rank, float(r.score), len(r.points)) for r in expected.rows}
    assert scored["县交通运输局"][1] == 88.0 and scored["县发展和改革局"][:2] == (1, 106.0) and scored["城关镇"][1] == 95.0
    # Each category's block in the board's order.
    assert [r[0] for r in rows if r[0] in ("县直部门", "乡镇")] == ["县直部门", "乡镇"]
    lists = sheet_rows(book["红黑榜"])
    assert lists[0] == ("分类", "榜单", "单位")
    assert set(lists[1:]) == {("县直部门", "红榜", "县发展和改革局"), ("乡镇", "红榜", "河口镇"), ("乡镇", "黑榜", "城关镇")}


def test_a_unit_exports_only_its_own_row_and_no_lists(county, november):
    with at("2026-12-03"):
        collect.collect(parse("2026-11"))
        response = county.client("liaison").get("/scoring/export/?period=2026-11")  # 县发展和改革局
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = sheet_rows(book["考核得分"])
    assert [(r[1], r[2]) for r in rows if isinstance(r[0], int)] == [("县发展和改革局", 106.0)]
    assert book.sheetnames == ["考核得分"]
