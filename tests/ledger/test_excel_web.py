"""The Excel pages: the office uploads a sheet, reads the preview, confirms, and sees what was written; any user
exports the list they are looking at, within their own scope."""

import datetime as dt
import io
import subprocess
import sys
import zipfile
from urllib.parse import quote
from xml.etree import ElementTree

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from duban.core.actor import Actor
from duban.core.excel import archive as excel_archive
from duban.ledger import services
from duban.ledger.excel import staging
from duban.ledger.models import Task
from tests.ledger.test_excel import ROWS, county_sheet, with_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, sheet: io.BytesIO, name="任务分解表.xlsx", **fields):
    data = {"file": SimpleUploadedFile(name, sheet.getvalue(), content_type=XLSX), "campaign": "", **fields}
    return client.post(reverse("ledger:import"), data)


def uploads_on_disk():
    """Uploaded files and the checked plans kept for their preview and confirm."""
    folder = settings.DATA_DIR / "tmp" / "ledger-import"
    return sorted(p for p in folder.iterdir() if p.suffix in {".xlsx", ".plan", ".sheet"}) if folder.exists() else []


def sheet_of(response):
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # uploads waiting for confirmation go under DATA_DIR/tmp


# --- who may import -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["leader", "business", "sysadmin"])
def test_only_the_office_principal_leaders_and_units_may_import(county, campaign, role):
    client = county.client(role)

    assert client.get(reverse("ledger:import")).status_code == 403
    assert upload(client, county_sheet()).status_code == 403
    assert Task.objects.count() == 0 and uploads_on_disk() == []


def test_anonymous_users_are_sent_to_sign_in(county, campaign, client):
    response = client.get(reverse("ledger:import"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- upload → preview → confirm → done -----------------------------------------------------------------


def test_upload_preview_confirm_done(county, campaign):
    office = county.client("supervision")
    assert office.get(reverse("ledger:import")).status_code == 200

    response = upload(office, county_sheet(), register="on")
    assert response.status_code == 302
    preview_url = response["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    assert [p.suffix for p in uploads_on_disk()] == [".plan", ".sheet"]

    preview = office.get(preview_url)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'data-testid="create-count">6<' in html
    assert "推进国道改线工程征地拆迁" in html and "县交通运输局" in html
    assert "以下任务五明确不全，将保持建账（草稿）" in html
    assert Task.objects.count() == 0  # a preview writes nothing
    fingerprint = office.session["ledger_imports"][token]["fingerprint"]

    done = office.post(reverse("ledger:import_confirm", args=[token]), {"fingerprint": fingerprint})
    assert done.status_code == 302 and done["Location"] == reverse("ledger:import_done")
    assert Task.objects.count() == 6 and Task.objects.filter(state="assigned").count() == 4
    assert uploads_on_disk() == []  # the file goes once it is imported
    assert token not in office.session.get("ledger_imports", {})

    page = office.get(done["Location"]).content.decode()
    assert "新建 6 项，修改 0 项，立账交办 4 项" in page
    assert reverse("ledger:task_detail", args=["2026-0001"]) in page
    events = Task.objects.get(code="2026-0001").events.values_list("person_name", flat=True)
    assert all(name.startswith("赵督查") for name in events)  # written as the signed-in user, not the system


def test_a_deadline_slip_is_shown_with_its_likely_reading_and_nothing_is_imported(county, campaign):
    office = county.client("supervision")
    preview_url = upload(office, county_sheet(with_cell(ROWS, 2, 7, "20261月20日")))["Location"]

    html = office.get(preview_url).content.decode()

    assert 'data-testid="error-table"' in html and 'data-testid="confirm"' not in html
    assert "无法识别完成时限“20261月20日”，是否指“2026年1月20日”？" in html and "完成时限（H）" in html
    assert Task.objects.count() == 0  # the proposal is not applied: the sheet must be corrected


def test_a_sheet_with_an_unknown_unit_shows_the_error_table_and_cannot_be_confirmed(county, campaign):
    office = county.client("principal")
    preview_url = upload(office, county_sheet(with_cell(ROWS, 1, 4, "县交通局")))["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]

    html = office.get(preview_url).content.decode()

    assert 'data-testid="error-table"' in html and 'data-testid="confirm"' not in html
    assert "找不到单位“县交通局”。请核对单位名称，或请系统管理员先添加该单位。" in html
    assert "牵头单位（E）" in html and 'data-row="7"' in html
    response = office.post(reverse("ledger:import_confirm", args=[token]), {"fingerprint": ""})
    assert response.status_code == 422
    assert Task.objects.count() == 0


def test_a_change_after_the_preview_is_shown_again_before_anything_is_written(county, campaign, make_task):
    task = make_task(title="已有任务")
    office = county.client("supervision")
    wb = openpyxl.Workbook()
    wb.active.append(["任务编号", "工作任务", "牵头单位", "完成时限"])
    wb.active.append([task.code, "已有任务（改名）", "县交通运输局", "2026年12月底前"])
    data = io.BytesIO()
    wb.save(data)
    preview_url = upload(office, data)["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    assert "已有任务（改名）" in office.get(preview_url).content.decode()
    fingerprint = office.session["ledger_imports"][token]["fingerprint"]
    services.update_task(Actor(user=county.people["supervision"]), task, standard="别人刚刚改了标准")

    response = office.post(reverse("ledger:import_confirm", args=[token]), {"fingerprint": fingerprint})

    assert response.status_code == 409
    assert "预览之后系统中的任务有了变化" in response.content.decode()
    task.refresh_from_db()
    assert task.title == "已有任务"
    fresh = office.session["ledger_imports"][token]["fingerprint"]
    assert office.post(reverse("ledger:import_confirm", args=[token]), {"fingerprint": fresh}).status_code == 302
    task.refresh_from_db()
    assert (task.title, task.standard) == ("已有任务（改名）", "别人刚刚改了标准")


def test_another_sessions_upload_cannot_be_seen_or_confirmed(county, campaign):
    office = county.client("supervision")
    token = upload(office, county_sheet())["Location"].rstrip("/").rsplit("/", 1)[-1]
    other = county.client("principal")

    assert other.get(reverse("ledger:import_preview", args=[token])).status_code == 404
    assert other.post(reverse("ledger:import_confirm", args=[token]), {"fingerprint": "x"}).status_code == 404
    assert office.get(reverse("ledger:import_preview", args=["secret_key"])).status_code == 404
    assert office.get("/ledger/import/..%2F..%2Fsecret_key/").status_code == 404
    assert Task.objects.count() == 0


def test_cancel_deletes_the_upload(county, campaign):
    office = county.client("supervision")
    token = upload(office, county_sheet())["Location"].rstrip("/").rsplit("/", 1)[-1]

    response = office.post(reverse("ledger:import_cancel", args=[token]))

    assert response.status_code == 302 and uploads_on_disk() == []
    assert office.get(reverse("ledger:import_preview", args=[token])).status_code == 404


def test_the_file_is_read_once_and_confirm_writes_the_plan_checked_then(county, campaign, monkeypatch):
    opened = []
    real = excel_archive.load_workbook
    monkeypatch.setattr(excel_archive, "load_workbook", lambda *a, **kw: opened.append(1) or real(*a, **kw))
    office = county.client("supervision")

    preview_url = upload(office, county_sheet(), register="on")["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    assert [p.suffix for p in uploads_on_disk()] == [".plan", ".sheet"]  # the upload itself is gone once read
    assert 'data-testid="create-count">6<' in office.get(preview_url).content.decode()
    assert 'data-testid="create-count">6<' in office.get(preview_url).content.decode()
    fingerprint = office.session["ledger_imports"][token]["fingerprint"]
    done = office.post(reverse("ledger:import_confirm", args=[token]), {"fingerprint": fingerprint})

    assert done.status_code == 302 and Task.objects.count() == 6
    assert len(opened) == 1  # one read for the upload, two previews and the confirm


def test_a_plan_file_not_signed_by_the_server_is_not_loaded(county, campaign):
    office = county.client("supervision")
    preview_url = upload(office, county_sheet())["Location"]
    (plan,) = [p for p in uploads_on_disk() if p.suffix == ".plan"]
    plan.write_bytes(b"0" * 64 + b"\n" + plan.read_bytes().partition(b"\n")[2])

    assert office.get(preview_url).status_code == 404


LOCK_HOLDER = """
import fcntl, sys
lock = open(sys.argv[1], "a")
fcntl.flock(lock, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


def test_a_second_sheet_while_the_first_is_still_being_read_is_refused_politely(county, campaign):
    office = county.client("supervision")
    lock = staging.folder() / f"reading-{county.people['supervision'].pk}.lock"
    # Another worker process reading this user's first sheet holds the lock.
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(lock)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"

        response = upload(office, county_sheet())
        other = upload(county.client("principal"), county_sheet())  # the lock is this user's, not everyone's
    finally:
        holder.communicate("")

    assert response.status_code == 429
    assert "您上一份表格还在读取中，请稍候再试。" in response.content.decode()
    assert other.status_code == 302
    assert len(uploads_on_disk()) == 2 and "ledger_imports" not in office.session  # the principal's plan and sheet
    assert upload(office, county_sheet()).status_code == 302  # and once it is done, the next one is read


@pytest.mark.parametrize(("name", "content", "message"), [
    ("分解表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "这是旧版 .xls 文件"),
    ("分解表.xlsx", b"%PDF-1.4 not a sheet", "不是 .xlsx 文件"),
])
def test_a_file_that_is_not_an_xlsx_is_refused_at_upload(county, campaign, name, content, message):
    office = county.client("supervision")

    response = office.post(reverse("ledger:import"), {"file": SimpleUploadedFile(name, content), "campaign": ""})

    assert response.status_code == 200 and message in response.content.decode()
    assert uploads_on_disk() == []


def test_the_blank_template_has_the_import_header(county, campaign):
    response = county.client("supervision").get(reverse("ledger:import_template"))

    ws = sheet_of(response)
    assert [c.value for c in ws[3]][:4] == ["序号", "任务编号", "工作任务", "具体措施及标准"] and ws.max_row == 3


# --- export ----------------------------------------------------------------------------------------------


@pytest.fixture
def ledger(county, campaign, make_task):
    units = county.units
    return {
        "transport_red": make_task(title="交通局逾期任务", due_date=dt.date(2026, 3, 31), deadline_text="3月底前"),
        "transport": make_task(title="交通局在办任务"),
        "ndrc": make_task(title="发改局任务", lead_unit=units["ndrc"]),
        "ndrc_coop": make_task(title="城关镇牵头发改局配合", lead_unit=units["chengguan"], cooperating_units=[units["ndrc"]]),
        "draft": make_task(register=False, title="发改局的草稿", lead_unit=units["ndrc"]),
    }


def test_a_liaison_exports_only_its_units_tasks(county, ledger):
    response = county.client("liaison").get(reverse("ledger:export"))

    ws = sheet_of(response)
    assert sorted(r[2] for r in ws.iter_rows(min_row=4, values_only=True)) == ["发改局任务", "城关镇牵头发改局配合"]


def test_the_office_exports_everything_including_drafts(county, ledger):
    ws = sheet_of(county.client("supervision").get(reverse("ledger:export")))
    assert ws.max_row == 3 + 5


def test_export_honours_the_list_filters(county, ledger):
    office = county.client("supervision")
    unit = county.units["transport"].pk

    ws = sheet_of(office.get(reverse("ledger:export"), {"unit": unit, "light": "red"}))

    assert [r[2] for r in ws.iter_rows(min_row=4, values_only=True)] == ["交通局逾期任务"]
    assert ws["A1"].value.startswith("2026年执行力亮剑行动重点工作任务台账（导出时间：")
    assert "责任单位：县交通运输局；亮灯：红灯" in ws["A2"].value


def test_export_is_a_download_with_a_chinese_file_name(county, ledger):
    response = county.client("supervision").get(reverse("ledger:export"))

    stamp = dt.date.today().strftime("%Y%m%d")
    name = f"2026年执行力亮剑行动重点工作任务台账-{stamp}.xlsx"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"


def test_bad_filters_go_back_to_the_list_with_a_message(county, ledger):
    response = county.client("supervision").get(reverse("ledger:export"), {"light": "purple"})

    assert response.status_code == 302 and response["Location"].startswith(reverse("ledger:task_list"))


def test_admins_cannot_export_the_ledger(county, ledger):
    assert county.client("sysadmin").get(reverse("ledger:export")).status_code == 403


def test_the_export_is_a_well_formed_workbook(county, ledger):
    """Every part parses as XML and is declared, as Excel and WPS require (openpyxl is more forgiving)."""
    response = county.client("supervision").get(reverse("ledger:export"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))

    for name in archive.namelist():
        ElementTree.fromstring(archive.read(name))
    types = archive.read("[Content_Types].xml").decode()
    for part in ("/xl/workbook.xml", "/xl/worksheets/sheet1.xml", "/xl/styles.xml"):
        assert f'PartName="{part}"' in types
    sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert '<pane xSplit="2" ySplit="3" topLeftCell="C4" activePane="bottomRight" state="frozen"/>' in sheet
    assert '<mergeCell ref="A1:O1"/>' in sheet and '<autoFilter ref="A3:O8"/>' in sheet
