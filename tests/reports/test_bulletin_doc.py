"""The 工作通报 read back with python-docx: the week's and the month's numbers equal direct counts of the fixed
data (tests/reports/conftest.py), the overdue list and the red and black lists are there, the number is the
next of the 县督字 series and stays the period's own, and the office's own template is used when uploaded."""

import io
import re

import pytest
from docx import Document
from PIL import Image

from duban.appeals.models import Appeal
from duban.core.actor import Actor
from duban.core.models import AuditEntry
from duban.ledger.choices import OPEN_STATES, TaskState
from duban.ledger.models import Task
from duban.reports import bulletin, bulletin_doc, chart
from duban.reports.models import Bulletin
from duban.safety.choices import HazardState
from duban.safety.models import Hazard
from duban.scoring import scores
from duban.supervision import services as supervision
from duban.supervision.models import NoticeNumber
from tests.scoring.conftest import at

PNG = b"\x89PNG\r\n\x1a\n"


def office(county):
    return Actor(user=county.people["supervision"])


def produce(county, code, *, anew=False, day="2026-11-30"):
    period = bulletin.parse_period(code)
    with at(day):
        issued, data = bulletin_doc.produce(office(county), period, anew=anew)
    return issued, Document(io.BytesIO(data))


def texts(document):
    return [p.text for p in document.paragraphs]


def rows(table):
    return [[c.text for c in row.cells] for row in table.rows]


def in_hand_by_light():
    in_hand = Task.objects.exclude(state=TaskState.DRAFT).filter(state__in=[*OPEN_STATES, TaskState.SUSPENDED])
    return {light: in_hand.filter(light=light).count() for light in ("green", "yellow", "red", "grey")}, in_hand.count()


def summary(document, head):
    return next(t for t in texts(document) if t.startswith(head))


def test_the_week_48_bulletin_holds_the_weeks_numbers(county, week48):
    issued, document = produce(county, "2026-W48")
    paragraphs = texts(document)
    assert paragraphs[0] == "县委县政府督查室工作通报"
    # three notices of November took 1 to 3: the bulletin takes the next number of the same series
    assert issued.number == paragraphs[1] == "县督字〔2026〕4号" and NoticeNumber.objects.get(year=2026).last == 4
    assert paragraphs[2] == "关于2026年第48周（11月23日至11月29日）全县重点工作推进情况的通报"

    lights, total = in_hand_by_light()
    assert total == 4  # A, C, D and F; B and G are closed
    finished = Task.objects.filter(state=TaskState.CLOSED, closed_on__range=("2026-11-23", "2026-11-29")).count()
    assert finished == 1  # G, closed on 25 November (B was closed in week 47)
    overdue = Task.objects.filter(state__in=OPEN_STATES, due_date__lt="2026-11-29").count()
    assert overdue == 1
    behind = Task.objects.filter(state__in=OPEN_STATES, schedule="behind").count()
    assert summary(document, "重点工作：") == (
        f"重点工作：在办任务 {total} 项，其中绿灯 {lights['green']} 项、黄灯 {lights['yellow']} 项、红灯 {lights['red']} 项、"
        f"灰灯 {lights['grey']} 项；逾期未完成 {overdue} 项；本期销账办结 {finished} 项。"
        f"按序时进度，超进度 {Task.objects.filter(state__in=OPEN_STATES, schedule='ahead').count()} 项、"
        f"达进度 {Task.objects.filter(state__in=OPEN_STATES, schedule='on').count()} 项、欠进度 {behind} 项。")
    new = Appeal.objects.counted().filter(accepted_on__range=("2026-11-23", "2026-11-29")).count()
    assert new == 2
    assert summary(document, "企业诉求：") == f"企业诉求：本期受理 {new} 件，办结 0 件；已评价 0 件，满意和基本满意 0 件，满意率 —。"
    found = Hazard.objects.filter(found_on__range=("2026-11-23", "2026-11-29"))
    closed = found.filter(state=HazardState.CLOSED).count()
    assert (found.count(), closed) == (3, 1)  # 南街9号 was found in week 47; 南街3号 was put right on the spot
    assert summary(document, "安全隐患：") == f"安全隐患：本期排查发现 {found.count()} 处，已整改销号 {closed} 处，整改率 33.3%。"
    assert summary(document, "项目投资：") == ("项目投资：11月计划完成投资 800 万元，实际完成 650 万元；2026年度计划投资 12,000 万元，"
                                           "累计完成 650 万元，完成年度计划的 5.4%。")
    assert "截至2026年11月29日，逾期未完成的任务共 1 项，列表如下。" in paragraphs

    overdue_table, lists_table = document.tables[0], document.tables[1]
    a = week48["a"]
    assert rows(overdue_table) == [["序号", "任务编号", "工作任务", "牵头单位", "完成时限", "逾期天数"],
                                   ["1", a.code, "国道改线征地", "县交通运输局", "2026年11月10日", "19"]]

    # a week counts in the month it ends in, and says so
    assert "考核按月进行，本周通报取本周结束日所在月份：按2026年11月考核得分排名（县直部门、乡镇分别排名），尚未公布，以公布结果为准。" in paragraphs
    board = scores.board("2026-11")
    score = {r.unit_name: f"{r.score}" for r in board.rows}
    assert score == {"县发展和改革局": "108.00", "县交通运输局": "88.00", "城关镇": "95.00", "河口镇": "100.00",
                     "县自然资源局": "100.00", "县住房和城乡建设局": "100.00"}  # the last two: the projects' handling units
    assert board.row(county.units["transport"].pk).rank == 4
    assert rows(lists_table) == [["榜单", "类别", "名次", "单位", "得分"],
                                 ["红榜", "县直部门", "1", "县发展和改革局", "108.00"],
                                 ["红榜", "乡镇", "1", "河口镇", "100.00"],
                                 ["黑榜", "县直部门", "4", "县交通运输局", "88.00"],
                                 ["黑榜", "乡镇", "2", "城关镇", "95.00"]]
    assert "县委县政府督查室" in paragraphs and "2026年11月30日" in paragraphs
    record = Bulletin.objects.get()
    assert (record.period, record.number, record.issued_by, str(record.issued_on)) == ("2026-W48", "县督字〔2026〕4号", county.people["supervision"], "2026-11-30")
    assert AuditEntry.objects.filter(action="reports.bulletin.issue").count() == 1


def test_the_monthly_bulletin_counts_the_whole_month(county, week48):
    issued, document = produce(county, "2026-11", day="2026-12-02")
    assert texts(document)[2] == "关于2026年11月全县重点工作推进情况的通报"
    assert "（数据截至2026年11月30日）" in texts(document)[4]
    head = summary(document, "重点工作：")
    assert "本期销账办结 2 项" in head  # B on 18 November and G on 25 November
    assert summary(document, "安全隐患：") == "安全隐患：本期排查发现 4 处，已整改销号 1 处，整改率 25.0%。"
    assert "逾期未完成 1 项" in head  # A; D is due on 1 December
    assert rows(document.tables[0])[1][-1] == "20"  # A: 10 to 30 November
    assert "考核按月进行" not in "".join(texts(document))
    assert "按2026年11月考核得分排名（县直部门、乡镇分别排名），尚未公布，以公布结果为准。" in texts(document)


def test_the_same_period_keeps_its_number_until_issued_anew(county, week48):
    first, _doc = produce(county, "2026-W48")
    again, document = produce(county, "2026-W48", day="2026-12-01")
    assert again.pk == first.pk and texts(document)[1] == "县督字〔2026〕4号"
    anew, document = produce(county, "2026-W48", anew=True, day="2026-12-01")
    assert anew.number == texts(document)[1] == "县督字〔2026〕5号"
    assert list(Bulletin.objects.values_list("number", flat=True)) == ["县督字〔2026〕5号", "县督字〔2026〕4号"]
    with at("2026-12-01"):  # the notices go on counting after the bulletins
        notice = supervision.issue_action(office(county), week48["a"], kind="notice", text="逾期未完成，限期办结", reply_days=2)
    assert notice.number == "县督字〔2026〕6号"
    month, _doc = produce(county, "2026-11", day="2026-12-01")
    assert month.number == "县督字〔2026〕7号"


def test_an_issued_bulletin_is_downloaded_as_it_was_issued(county, week48):
    """An official document keeps its text once it has a number: a task closed since does not change it."""
    first, document = produce(county, "2026-W48")
    kept = bulletin_doc.produce(office(county), bulletin.parse_period("2026-W48"))[1]
    assert kept == bytes(Bulletin.objects.get(pk=first.pk).document)
    Task.objects.filter(pk=week48["a"].pk).update(state=TaskState.CLOSED, light="grey")
    again, document_again = produce(county, "2026-W48", day="2026-12-01")
    assert again.pk == first.pk and texts(document_again) == texts(document)
    anew, document_anew = produce(county, "2026-W48", anew=True, day="2026-12-01")
    assert texts(document_anew) != texts(document)


@pytest.mark.parametrize("code, message", [
    ("2026-48", "周次格式应为“2026-W48”"), ("W48", "周次格式应为“2026-W48”"), ("2026-W54", "2026年没有第54周"),
])
def test_a_bad_week_is_refused_in_chinese(code, message):
    with pytest.raises(Exception) as refused:
        bulletin.parse_week(code)
    assert message in str(refused.value)


@pytest.mark.parametrize("code", ["2026-13", "2026/11", "11-2026", "2026"])
def test_a_bad_month_is_refused_in_chinese(code):
    with pytest.raises(Exception) as refused:
        bulletin.parse_month(code)
    assert "月份格式应为“2026-11”" in str(refused.value)


def test_the_week_is_monday_to_sunday():
    week = bulletin.parse_week("2026-w1")
    assert (week.code, str(week.start), str(week.end), week.scoring_period.code) == ("2026-W01", "2025-12-29", "2026-01-04", "2026-01")


# --- the chart -------------------------------------------------------------------------------------------


def images(document) -> list[bytes]:
    return [rel.target_part.blob for rel in document.part.rels.values() if "image" in rel.reltype]


def test_the_chart_is_a_real_png_of_the_tasks_by_light_per_campaign(county, week48):
    _issued, document = produce(county, "2026-W48")
    [png] = images(document)
    assert png[:8] == PNG
    picture = Image.open(io.BytesIO(png))
    picture.verify()
    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG" and picture.width > 600 and picture.height > 150
    lights, _total = in_hand_by_light()
    campaign = week48["a"].campaign.name
    assert png == chart.lights_chart([(campaign, lights)], **bulletin_doc.chart_texts())  # the same figures, drawn the same way
    # and it is drawn in colour: the bars of the lights present (green and red here) are in the picture
    colours = {c for _n, c in picture.convert("RGB").getcolors(maxcolors=1 << 20)}
    assert (0x2E, 0x9D, 0x57) in colours and (0xD9, 0x30, 0x2C) in colours


def ink(image) -> int:
    return sum(1 for v in image.getdata() if v < 128)


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
def test_the_charts_chinese_is_drawn_in_glyphs_not_boxes():
    font = chart.cjk_font()
    assert font.path.endswith("NotoSansCJK-Regular.ttc")  # the packaged font, not whatever the machine has
    texts_drawn = [*bulletin_doc.chart_texts()["labels"].values(), bulletin_doc.chart_texts()["title"], bulletin_doc.chart_texts()["axis"],
                   "2026年执行力亮剑行动"]
    assert font.missing("".join(texts_drawn)) == []
    notdef = chart.text_image("\U000f0000")  # a private-use character: the face has no glyph, FreeType draws .notdef
    boxes = [list(chart.text_image(ch).getdata()) for ch in "\U000f0001\U000f0002"]
    assert boxes[0] == boxes[1] == list(notdef.getdata())  # every missing glyph is the same box
    glyphs = {ch: list(chart.text_image(ch).getdata()) for ch in "红黄绿灯任务"}
    assert all(pixels != boxes[0] for pixels in glyphs.values())
    assert len({tuple(p) for p in glyphs.values()}) == len(glyphs)  # six characters, six different pictures
    # 灯 has more strokes than 一: more ink, which a box would not show
    assert ink(chart.text_image("灯")) > ink(chart.text_image("一")) * 3


def test_the_chart_refuses_text_its_font_cannot_draw():
    with pytest.raises(chart.ChartFontError, match="图表字体缺少以下字符的字形"):
        chart.lights_chart([("行动\U000f0000", {"green": 1})], **bulletin_doc.chart_texts())


# --- the template ----------------------------------------------------------------------------------------


def test_the_default_template_is_laid_out_like_the_notice():
    from duban.reports.bulletin_template import default_template_bytes

    document = Document(io.BytesIO(default_template_bytes()))
    styles = [p.style.name for p in document.paragraphs[:4]]
    assert styles == ["版头", "发文字号", "公文标题", "主送机关"]
    head = document.styles["版头"]
    assert str(head.font.color.rgb) == "FF0000"
    assert re.search(r'w:eastAsia="方正小标宋简体"', head.element.xml)
    assert re.search(r'w:eastAsia="仿宋_GB2312"', document.styles["公文正文"].element.xml)
    names = bulletin_doc.template_names(document)
    assert names == set(bulletin_doc.PLACEHOLDERS)
