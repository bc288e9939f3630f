"""The hazard loop (SPEC §7): found → rectifying → awaiting verification → struck off, or returned; on the spot;
the plan a major hazard needs; recurrence within 180 days; photos checked and cleaned; the stricter ladder."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from PIL import Image

from duban.core.choices import Role
from duban.core.errors import NotAllowed, ServiceError
from duban.core.models import Attachment, AuditEntry
from duban.matters import clock
from duban.matters.choices import Light
from duban.matters.models import MatterEvent
from duban.safety import services
from duban.safety.choices import HazardLevel, HazardState
from duban.safety.models import Hazard, HazardPhoto
from duban.supervision.choices import ActionKind
from duban.supervision.models import SupervisionAction
from duban.supervision.sweep import sweep
from tests.conftest import make_person
from tests.safety.conftest import CST, as_actor, at, photo

pytestmark = pytest.mark.django_db

FUNDS = Decimal("0.30")


def fresh(hazard):
    return Hazard.objects.get(pk=hazard.pk)


def events(hazard):
    return list(MatterEvent.objects.filter(kind="safety.hazard", matter_id=hazard.pk).order_by("at", "id").values_list("event", flat=True))


def test_a_hazard_walks_from_found_to_struck_off(county, report, assign, grid_worker):
    with at("2026-06-01"):
        hazard = report()
        assert (hazard.code, hazard.state, hazard.township, hazard.found_by_name) == ("YH2026-000001", HazardState.FOUND, county.units["chengguan"], "韩网格")
        assert (hazard.light, hazard.light_reason) == (Light.GREEN, "待交办整改")
    with at("2026-06-02"):
        assign(fresh(hazard), funds=FUNDS)
        hazard = fresh(hazard)
        assert (hazard.state, hazard.lead_unit, hazard.due_date, hazard.funds) == (HazardState.RECTIFYING, county.units["chengguan"], dt.date(2026, 6, 12), FUNDS)
    liaison = county.people["township_liaison"]  # 城关镇's liaison: the rectifying unit
    with at("2026-06-10"):
        services.request_verification(as_actor(liaison), hazard, result="已更换软管并加装报警器", photos=[photo("整改后.jpg", color=(40, 200, 40))])
        hazard = fresh(hazard)
        assert hazard.state == HazardState.AWAITING and hazard.completed_on == dt.date(2026, 6, 10)
    with at("2026-06-11"):
        services.verify_hazard(as_actor(county.people["safety"]), hazard, note="现场复核合格")
    hazard = fresh(hazard)
    assert (hazard.state, hazard.closed_on, hazard.verified_by, hazard.closed_by_unit, hazard.light) == (
        HazardState.CLOSED, dt.date(2026, 6, 11), county.people["safety"], county.units["chengguan"], Light.GREY)
    assert events(hazard) == ["reported", "assigned", "verification_requested", "closed"]
    assert list(AuditEntry.objects.filter(object_id=str(hazard.pk), action__startswith="hazard.").values_list("action", flat=True).order_by("id")) == [
        "hazard.report", "hazard.assign", "hazard.request_verification", "hazard.verify"]
    assert [p.stage for p in HazardPhoto.objects.filter(hazard=hazard)] == ["after", "before"]


def test_a_verification_returned_goes_back_to_the_unit_with_its_reason(county, report, assign):
    with at("2026-06-01"):
        hazard = report()
        assign(fresh(hazard))
        hazard = fresh(hazard)
        services.request_verification(as_actor(county.people["township_liaison"]), hazard, result="已整改", photos=[photo()])
        services.return_hazard(as_actor(county.people["safety"]), fresh(hazard), reason="报警器未通电")
    hazard = fresh(hazard)
    assert (hazard.state, hazard.return_count, hazard.completed_on) == (HazardState.RECTIFYING, 1, None)
    assert MatterEvent.objects.filter(kind="safety.hazard", matter_id=hazard.pk, event="returned").get().text == "验收退回：报警器未通电"
    with pytest.raises(ServiceError, match="请填写退回理由"):
        services.request_verification(as_actor(county.people["township_liaison"]), hazard, result="已通电", photos=[photo()])
        services.return_hazard(as_actor(county.people["safety"]), fresh(hazard), reason="  ")


def test_a_hazard_fixed_on_the_spot_is_struck_off_at_once_and_still_counted(county, report):
    with at("2026-06-03"):
        hazard = report(on_the_spot=True, result="当场关闭阀门，更换软管", after_photos=[photo("整改后.jpg")])
    assert (hazard.state, hazard.rectified_on_spot, hazard.closed_on, hazard.light) == (HazardState.CLOSED, True, dt.date(2026, 6, 3), Light.GREY)
    assert events(hazard) == ["reported", "on_the_spot"]
    assert Hazard.objects.count() == 1
    with pytest.raises(ServiceError, match="当场整改须上传整改后的照片"):
        report(on_the_spot=True, result="已整改")
    with pytest.raises(ServiceError, match="重大隐患须制定整改方案"):
        report(on_the_spot=True, result="已整改", level=HazardLevel.MAJOR, after_photos=[photo()])
    assert Hazard.objects.count() == 1  # the refused reports left nothing


def test_a_major_hazard_needs_its_plan_and_the_county_to_list_it(county, report, assign, township_head):
    with at("2026-06-01"):
        hazard = report(level=HazardLevel.MAJOR, title="加油站储罐区防雷接地失效")
        with pytest.raises(NotAllowed, match="重大隐患由县安委办挂牌督办"):
            assign(hazard, by=township_head)
        with pytest.raises(ServiceError, match="重大隐患须先制定整改方案，请补全：整改目标、整改负责人、应急预案"):
            assign(fresh(hazard))
        assign(fresh(hazard), plan_goal="6月底前恢复防雷接地", plan_person="周站长", plan_contingency="停止卸油作业，配备灭火器材")
    hazard = fresh(hazard)
    assert hazard.state == HazardState.RECTIFYING and hazard.missing_plan() == []


def test_a_township_puts_its_own_general_hazard_on_the_clock_but_not_another_townships(county, report, assign, township_head, other_township):
    with at("2026-06-01"):
        mine = report()
        elsewhere = report(township=other_township)
        outsider = make_person("guanmiao_head", other_township, Role.UNIT_HEAD)
        assign(mine, by=township_head)
        with pytest.raises(NotAllowed, match="不在您的职责范围内"):
            assign(fresh(mine), by=outsider)
        with pytest.raises(NotAllowed):
            assign(elsewhere, by=township_head)
    assert fresh(mine).state == HazardState.RECTIFYING and fresh(elsewhere).state == HazardState.FOUND


def test_a_hazard_back_at_the_same_place_within_180_days_is_a_recurrence_against_the_unit_that_closed_it(county, report, assign):
    with at("2026-01-05"):
        first = report(place="城关镇 南街12号，宏达餐馆后厨")
        assign(fresh(first), due_date=dt.date(2026, 1, 20))
        services.request_verification(as_actor(county.people["township_liaison"]), fresh(first), result="已整改", photos=[photo()])
        services.verify_hazard(as_actor(county.people["safety"]), fresh(first))
    with at("2026-07-03"):  # 179 days after it was struck off
        again = report()
    with at("2026-07-04"):
        third = report(place="城关镇北街3号")  # another place: no recurrence
    assert again.recurrence_of == first and fresh(first).closed_by_unit == county.units["chengguan"]
    assert "销号后 180 天内复发" in MatterEvent.objects.get(kind="safety.hazard", matter_id=again.pk, event="reported").text
    assert third.recurrence_of is None
    with at("2026-07-10"):  # 186 days after: no longer a recurrence
        assert services.recurrence_for(first.sector, first.place, dt.date(2026, 7, 10)) is None


def test_a_major_hazard_is_chased_on_the_stricter_ladder(county, report, assign):
    with at("2026-09-21"):
        general = report()
        major = report(level=HazardLevel.MAJOR, place="某某加油站储罐区", title="防雷接地失效")
        plan = {"plan_goal": "恢复防雷接地", "plan_person": "周站长", "plan_contingency": "停止卸油作业"}
        assign(fresh(general), due_date=dt.date(2026, 9, 30))
        assign(fresh(major), due_date=dt.date(2026, 9, 30), **plan)
    # Across the Mid-Autumn (9月25日) and National Day (10月1日—7日) holidays, counted in working days: the major
    # hazard is reminded 5 working days ahead and has its notice 1 working day after the deadline (10月8日); the
    # general one is reminded 3 ahead and its notice would come 3 after (10月10日, a make-up working Saturday).
    moment = dt.datetime(2026, 10, 9, 9, tzinfo=CST)
    with at("2026-10-09"):
        sweep(moment)
    fired = lambda h: list(SupervisionAction.objects.filter(matter_id=h.pk, matter_type__model="hazard").order_by("id").values_list("kind", "issued_on"))  # noqa: E731
    assert fired(major) == [(ActionKind.REMIND, dt.date(2026, 9, 22)), (ActionKind.URGE, dt.date(2026, 9, 30)), (ActionKind.NOTICE, dt.date(2026, 10, 8))]
    assert fired(general) == [(ActionKind.REMIND, dt.date(2026, 9, 24)), (ActionKind.URGE, dt.date(2026, 9, 30))]
    notice = SupervisionAction.objects.get(matter_id=major.pk, kind=ActionKind.NOTICE)
    urge = SupervisionAction.objects.get(matter_id=major.pk, kind=ActionKind.URGE)
    assert notice.target_unit == county.units["chengguan"] and "请立即完成整改并申请验收" in urge.text
    assert fresh(major).light == Light.RED


def test_the_sweep_lights_a_hazard_left_unassigned_yellow_and_leaves_the_rest_alone(county, report, assign):
    with at("2026-06-01"):
        waiting = report()
        assigned = report(place="东街菜市场", title="灭火器过期")
        assign(fresh(assigned), due_date=dt.date(2026, 6, 30))
    with at("2026-06-04"):
        sweep(dt.datetime(2026, 6, 4, 9, tzinfo=CST))
    assert (fresh(waiting).light, fresh(waiting).light_reason) == (Light.YELLOW, "未及时交办整改（2026年6月1日发现）")
    assert clock.shown_reason(fresh(waiting), dt.date(2026, 6, 4)) == "发现后 3 个工作日未交办整改（2026年6月1日发现）"
    assert fresh(assigned).light == Light.GREEN


# --- photos -----------------------------------------------------------------------------------------


def test_a_jpg_that_is_no_photo_is_refused_and_nothing_is_stored(report):
    fake = photo()
    fake.file = io.BytesIO(b"MZ\x90\x00 this is a program, not a photo")
    fake.size = len(fake.file.getvalue())
    with at("2026-06-01"), pytest.raises(ServiceError, match="不是可识别的照片"):
        report(photos=[fake])
    assert (Hazard.objects.count(), Attachment.objects.count()) == (0, 0)


def test_an_oversized_photo_is_refused_by_bytes_and_by_pixels(report, settings):
    settings.DUBAN_PHOTO_MAX_MB = 1
    big = photo()
    big.size = 2 * 1024 * 1024  # what the upload says it weighs
    with at("2026-06-01"), pytest.raises(ServiceError, match="超过 1 MB 的上限"):
        report(photos=[big])
    settings.DUBAN_PHOTO_MAX_MB = 15
    settings.DUBAN_PHOTO_MAX_PIXELS = 2_000_000
    with at("2026-06-01"), pytest.raises(ServiceError, match="像素过多"):
        report(photos=[photo(size=(2000, 1500))])
    assert (Hazard.objects.count(), Attachment.objects.count()) == (0, 0)


def test_the_stored_photo_has_no_gps_unless_the_office_keeps_coordinates(report, settings):
    with at("2026-06-01"):
        hazard = report(photos=[photo(gps=(34.2611, 108.9422))])
    stored = HazardPhoto.objects.get(hazard=hazard).attachment
    with stored.file.open("rb") as f:
        image = Image.open(io.BytesIO(f.read()))
    assert not image.getexif() and "exif" not in image.info
    assert (hazard.latitude, hazard.longitude) == (None, None)

    settings.DUBAN_PHOTO_KEEP_GPS = True
    with at("2026-06-01"):
        kept = report(photos=[photo(gps=(34.2611, 108.9422))], place="北街3号")
    assert (round(kept.latitude, 3), round(kept.longitude, 3)) == (Decimal("34.261"), Decimal("108.942"))
    with HazardPhoto.objects.get(hazard=kept).attachment.file.open("rb") as f:
        assert not Image.open(io.BytesIO(f.read())).getexif()


def test_a_photo_downloads_only_within_the_hazards_scope(county, report):
    with at("2026-06-01"):
        hazard = report()
    url = f"/attachments/{HazardPhoto.objects.get(hazard=hazard).attachment_id}/"
    assert county.client("safety").get(url).status_code == 200
    assert county.client("township_liaison").get(url).status_code == 200  # 城关镇: its territory
    assert county.client("liaison").get(url).status_code == 404  # 县发展和改革局: guessing the address gets nothing
    assert county.client("sysadmin").get(url).status_code in {403, 404}


def test_each_one_is_told_on_the_home_page_what_the_hazards_ask_of_them(county, report, assign, township_head):
    from duban.core import work

    def kinds(user, day):
        return [(item.kind, item.title.split(" ", 1)[0]) for item in work.items_for(user, day) if item.url.startswith("/safety/")]

    with at("2026-06-01"):
        found = report()
        major = report(level=HazardLevel.MAJOR, place="加油站", title="防雷接地失效")
        fixing = report(place="北街3号")
        assign(fixing, due_date=dt.date(2026, 6, 3))
        asked = report(place="东街5号")
        assign(asked)
        services.request_verification(as_actor(county.people["township_liaison"]), fresh(asked), result="已整改", photos=[photo()])
    day = dt.date(2026, 6, 4)
    assert kinds(county.people["safety"], day) == [("待交办整改", found.code), ("待交办整改", major.code), ("待验收", asked.code)]
    # 城关镇: its general hazards to put on the clock and verify, and its own rectification, now late; the late first.
    assert kinds(township_head, day) == [("待交办整改", found.code), ("隐患整改逾期", fixing.code), ("待验收", asked.code)]
    assert kinds(county.people["liaison"], day) == []
    page = county.client("safety").get("/").content.decode()
    assert "待交办整改" in page and found.code in page
