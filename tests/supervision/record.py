"""The `record` fixture's rows by tag, the filters that pick them (shared by the page's and the API's tests),
and a way to grow the record for query counts."""

import base64
import json

from duban.supervision.models import SupervisionAction

# A hand-edited cursor: well-formed, but its 督办日期 is no date.
NO_DATE_CURSOR = base64.urlsafe_b64encode(json.dumps(["after", ["not-a-date", 5]]).encode()).decode().rstrip("=")
EVERYTHING = ["village_notice", "ndrc_notice", "office_urge", "notice", "urge", "remind"]

# (filters, the rows they keep, newest first): the page and the API answer the same for each.
CASES = [
    ({}, EVERYTHING),
    ({"kind": "notice"}, ["village_notice", "ndrc_notice", "notice"]),
    ({"status": "open"}, ["village_notice", "notice"]),
    ({"status": "late"}, ["notice"]),
    ({"status": "replied"}, ["ndrc_notice"]),
    ({"unit": "transport"}, ["office_urge", "notice", "urge", "remind"]),
    ({"unit": "transport_office"}, ["office_urge"]),
    ({"unit": "chengguan"}, ["village_notice"]),
    ({"automatic": "true"}, ["notice", "urge", "remind"]),
    ({"automatic": "false"}, ["village_notice", "ndrc_notice", "office_urge"]),
    ({"issued_after": "2026-10-10", "issued_before": "2026-10-12"}, ["ndrc_notice", "office_urge", "notice"]),
    ({"issued_before": "2026-09-30"}, ["urge", "remind"]),
    ({"q": "县督字〔2026〕2号"}, ["ndrc_notice"]),
    ({"q": "标准化厂房"}, ["ndrc_notice"]),
    ({"q": "2026-0001"}, ["notice", "urge", "remind"]),
    ({"kind": "notice", "unit": "transport", "status": "late"}, ["notice"]),
]


def more_urges(noticed, office, n):
    """n more 催办 on the noticed task, in bulk: the query-count tests count rows, not how they came."""
    SupervisionAction.objects.bulk_create([
        SupervisionAction(kind="urge", matter_type=noticed.matter_type, matter_id=noticed.matter_id, matter_code=noticed.matter_code,
                          matter_title=noticed.matter_title, text="催办", issued_on=noticed.issued_on,
                          target_unit=noticed.target_unit, issued_by=office)
        for _ in range(n)])
