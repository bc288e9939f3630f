"""The import pages every office's sheet shares (`duban.core.excel.upload.SheetImport`), on the hazard ledger's:
a second sheet while the first is still being read waits (429), and a cancelled upload is gone."""

from django.contrib.messages import get_messages

from duban.safety.models import Hazard
from duban.safety.views.excel import IMPORT
from tests.safety.conftest import at
from tests.safety.test_excel import county_sheet, upload


def test_a_sheet_uploaded_while_the_users_last_one_is_still_being_read_waits(county, gas):
    client = county.client("safety")
    with at("2026-03-25"), IMPORT.store.reading(county.people["safety"]):
        busy = upload(client, county_sheet())
    assert busy.status_code == 429
    assert "您上一份表格还在读取中，请稍候再试。" in busy.content.decode()
    with at("2026-03-25"):
        staged = upload(client, county_sheet())  # the lock released: read at once
    assert staged.status_code == 302 and staged["Location"].startswith("/safety/hazards/import/")


def test_a_cancelled_upload_is_forgotten_and_writes_nothing(county, gas):
    client = county.client("safety")
    with at("2026-03-25"):
        staged = upload(client, county_sheet())
        cancelled = client.post(staged["Location"] + "cancel/")
        assert cancelled.status_code == 302 and cancelled["Location"] == "/safety/hazards/import/"
        assert [str(m) for m in get_messages(cancelled.wsgi_request)] == ["已取消导入。"]
        assert client.get(staged["Location"]).status_code == 404
        assert client.post(staged["Location"] + "confirm/").status_code == 404
    assert Hazard.objects.count() == 0
