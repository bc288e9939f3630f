"""The enterprise's pages, no account, through the HTTP client: an enterprise submits on the form with a photo and
reads its number and code once; bad input stores nothing and says why; too many submissions or guesses answer
429; the tracking page shows its own appeal's status and public replies, takes its rating, and never the
internal note; the poster's QR codes download as SVG and PNG."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from duban.appeals import services
from duban.appeals.choices import AppealState, Category, Outcome, RatedVia, Rating
from duban.appeals.models import Appeal, AppealReply
from duban.core.models import Attachment
from tests.appeals.conftest import as_actor, credit_code, fresh

pytestmark = pytest.mark.django_db

INTAKE, DONE, TRACK = "/appeal/", "/appeal/done/", "/appeal/track/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png(name="现场.png", size=(64, 48)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def form(**values) -> dict:
    data = {"enterprise_name": "宁夏某某新材料有限公司", "credit_code": credit_code(7), "contact_name": "马经理", "phone": "13900001111",
            "category": Category.UTILITIES, "description": "厂区新建车间用电增容申请已提交两个月，至今未安排勘察。"}
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def files_in(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def stored(media) -> tuple[int, int, int]:
    return Appeal.objects.count(), Attachment.objects.count(), len(files_in(media))


def test_an_enterprise_submits_with_a_photo_and_reads_its_number_and_code_once(county, media):
    client = Client()
    page = client.get(INTAKE)
    assert page.status_code == 200 and "统一社会信用代码" in page.content.decode() and "csrfmiddlewaretoken" in page.content.decode()
    response = client.post(INTAKE, form(attachments=[png()], identity_hidden="on"), REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 302 and response["Location"] == DONE  # no code in any address

    appeal = Appeal.objects.get()
    assert (appeal.state, appeal.channel, appeal.enterprise_name, appeal.credit_code, appeal.identity_hidden, appeal.entered_by) == (
        AppealState.SUBMITTED, "web", "宁夏某某新材料有限公司", credit_code(7), True, None)
    [attachment] = Attachment.objects.filter(owner_type="appeals.Appeal", owner_id=str(appeal.pk))
    assert (attachment.name, attachment.content_type) == ("现场.png", "image/png") and len(files_in(media)) == 1

    shown = client.get(DONE)
    text = shown.content.decode()
    code = shown.context["code"]
    assert shown.context["number"] == appeal.code == f"SQ{timezone.localdate().year}-000001"
    assert len(code) == 10 and services.code_matches(appeal, code) and code in text and appeal.code in text
    assert "保存截图" in text and "/appeal/track/" in text and "县营商办将在 1 个工作日内受理" in text
    assert "no-store" in shown["Cache-Control"]

    again = client.get(DONE)  # a reload: the number, never the code again
    again_text = again.content.decode()
    assert appeal.code in again_text and code not in again_text and "查询码已在提交后显示过一次" in again_text
    assert code not in Client().get(DONE).content.decode()


def test_a_staff_member_signed_in_in_the_same_browser_submits_as_the_enterprise_and_sees_no_staff_navigation(county):
    client = county.client("liaison")
    page = client.get(INTAKE).content.decode()
    assert 'id="mainnav"' not in page and "退出登录" not in page and "企业诉求直通车" in page
    assert client.post(INTAKE, form()).status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.entered_by is None and appeal.channel == "web"


def test_the_public_pages_need_no_sign_in_and_carry_the_content_security_policy(county):
    client = Client()
    for path in (INTAKE, DONE, TRACK, "/appeal/poster/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert 'id="mainnav"' not in response.content.decode()


def wrong_credit_code() -> str:
    """A valid computed code with one character of its body changed: its check character no longer fits."""
    good = credit_code(7)
    changed = "3" if good[10] != "3" else "4"
    return good[:10] + changed + good[11:]


@pytest.mark.parametrize(("values", "field", "words"), [
    ({"credit_code": wrong_credit_code()}, "credit_code", "校验码不符"),
    ({"attachments": [SimpleUploadedFile("营业执照.jpg", b"this is only text, not a photo", content_type="image/jpeg")]},
     "attachments", "“营业执照.jpg”的内容与扩展名 .jpg 不符"),
    ({"contact_name": None}, "contact_name", "请填写联系人。"),
    ({"phone": "12345"}, "phone", "联系电话“12345”格式不对"),
    ({"category": None}, "category", "请选择诉求类别。"),
])
def test_bad_input_stores_nothing_and_says_why_on_its_field(county, media, values, field, words):
    before = stored(media)
    response = Client().post(INTAKE, form(**{"attachments": [png()], **values}))
    assert response.status_code == 400
    assert any(words in str(error) for error in response.context["form"].errors[field]), response.context["form"].errors
    text = response.content.decode()
    assert f'data-testid="error-{field}"' in text and "诉求还没有提交" in text
    assert stored(media) == before == (0, 0, 0)


def test_an_empty_form_says_what_to_fill_in_and_stores_nothing(county, media):
    response = Client().post(INTAKE, {})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {name: list(errors[name]) for name in ("enterprise_name", "credit_code", "contact_name", "phone", "category", "description")} == {
        "enterprise_name": ["请填写企业名称。"], "credit_code": ["请填写统一社会信用代码。"], "contact_name": ["请填写联系人。"],
        "phone": ["请填写联系电话。"], "category": ["请选择诉求类别。"], "description": ["请填写诉求内容。"]}
    assert stored(media) == (0, 0, 0)


def test_an_oversized_file_stores_nothing_and_says_the_limit(county, media, settings):
    settings.DUBAN_UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("现场.png", png().read() + b"\0" * (1024 * 1024), content_type="image/png")
    response = Client().post(INTAKE, form(attachments=[png("另一张.png"), big]))
    assert response.status_code == 400
    [error] = response.context["form"].errors["attachments"]
    assert "超过 1 MB 的上限" in error
    assert stored(media) == (0, 0, 0)


def test_too_many_submissions_from_one_address_answer_429_and_store_nothing_more(county, settings):
    settings.DUBAN_APPEAL_SUBMITS_PER_IP = 2
    client = Client()
    for n in range(2):
        assert client.post(INTAKE, form(phone=f"1390000{n:04d}"), REMOTE_ADDR="10.2.2.2").status_code == 302
    refused = client.post(INTAKE, form(phone="13900009999"), REMOTE_ADDR="10.2.2.2")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "分钟后再提交" in refused.content.decode()
    assert Appeal.objects.count() == 2
    assert client.post(INTAKE, form(phone="13900009999"), REMOTE_ADDR="10.2.2.3").status_code == 302  # another address


def test_too_many_submissions_with_one_phone_answer_429(county, settings):
    settings.DUBAN_APPEAL_SUBMITS_PER_PHONE = 3
    for n in range(3):
        assert Client().post(INTAKE, form(), REMOTE_ADDR=f"10.3.3.{n}").status_code == 302
    refused = Client().post(INTAKE, form(phone="139 0000 1111"), REMOTE_ADDR="10.3.3.9")  # the same number, spaced
    assert refused.status_code == 429 and "分钟后再提交" in refused.content.decode()
    assert Appeal.objects.count() == 3


def test_a_refused_form_does_not_use_up_the_attempts(county, settings):
    settings.DUBAN_APPEAL_SUBMITS_PER_IP = 1
    client = Client()
    assert client.post(INTAKE, form(credit_code=wrong_credit_code()), REMOTE_ADDR="10.4.4.4").status_code == 400
    assert client.post(INTAKE, form(), REMOTE_ADDR="10.4.4.4").status_code == 302
    assert client.post(INTAKE, form(), REMOTE_ADDR="10.4.4.4").status_code == 429


# --- tracking -------------------------------------------------------------------------------------------------


def opened(number: str, code: str, **extra) -> Client:
    """A browser that entered the number and code on the tracking page."""
    client = Client()
    response = client.post(TRACK, {"action": "lookup", "number": number, "code": code}, **extra)
    assert response.status_code == 302 and response["Location"] == TRACK, response.content.decode()[:500]
    return client


@pytest.fixture
def answered(county, submit, desk):
    """(appeal, code) of an appeal replied to by 县发展和改革局 with an internal note."""
    made = submit(description="<script>alert('x')</script> 用电增容两个月未勘察")
    appeal = made.appeal
    unit = as_actor(county.people["liaison"])
    services.accept_appeal(desk, appeal)
    services.dispatch_appeal(desk, fresh(appeal), lead_unit=county.units["ndrc"])
    services.sign_appeal(unit, fresh(appeal))
    services.reply_appeal(unit, fresh(appeal), public_text="已协调供电公司本周五现场勘察。", outcome=Outcome.PARTLY,
                          internal_note="增容需省公司批复，内部掌握")
    return fresh(appeal), made.query_code


def test_the_right_code_shows_the_status_and_the_public_reply_but_not_the_internal_note(county, answered):
    appeal, code = answered
    client = opened(appeal.code, code.lower())  # typed in lower case
    page = client.get(TRACK)
    text = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert page.context["status"] == "已答复" and page.context["unit"] == county.units["ndrc"]
    assert "已协调供电公司本周五现场勘察。" in text and "部分解决" in text and "县发展和改革局" in text
    assert "增容需省公司批复" not in text and code not in text
    assert 'data-testid="rating-form"' in text


def test_a_script_in_the_description_is_shown_inert_on_the_tracking_page(answered):
    appeal, code = answered
    text = opened(appeal.code, code).get(TRACK).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text and "<script>alert" not in text


def test_each_state_in_the_enterprises_words(county, submit, desk):
    made = submit()
    appeal, code = made.appeal, made.query_code
    client = opened(appeal.code, code)
    assert client.get(TRACK).context["status"] == "已提交待受理"
    assert client.get(TRACK).context["unit"] is None
    services.accept_appeal(desk, fresh(appeal))
    assert client.get(TRACK).context["status"] == "已受理"
    services.dispatch_appeal(desk, fresh(appeal), lead_unit=county.units["ndrc"])
    page = client.get(TRACK)
    assert (page.context["status"], page.context["unit"]) == ("已转交承办单位", county.units["ndrc"])
    services.sign_appeal(as_actor(county.people["liaison"]), fresh(appeal))
    assert client.get(TRACK).context["status"] == "办理中"


def test_a_declined_appeal_shows_the_reason(submit, desk):
    made = submit()
    services.decline_appeal(desk, made.appeal, reason="属于司法诉讼事项，请通过法院解决")
    page = opened(made.appeal.code, made.query_code).get(TRACK)
    assert page.context["status"] == "不予受理" and "属于司法诉讼事项，请通过法院解决" in page.content.decode()


def test_a_wrong_code_and_an_unknown_number_get_the_same_words_and_open_nothing(answered):
    appeal, code = answered
    for number, guess in ((appeal.code, "ABCDEFGHJK"), ("SQ2026-999999", code)):
        client = Client()
        response = client.post(TRACK, {"action": "lookup", "number": number, "code": guess})
        assert response.status_code == 400
        assert response.context["form"].non_field_errors() == ["受理编号或查询码不正确。"]
        page = client.get(TRACK)
        assert "appeal" not in page.context and "已协调供电公司" not in page.content.decode()


def test_too_many_wrong_guesses_from_one_address_answer_429_even_for_the_right_code(answered, settings):
    settings.DUBAN_APPEAL_GUESSES_PER_IP = 3
    appeal, code = answered
    client = Client()
    for _ in range(3):
        assert client.post(TRACK, {"number": appeal.code, "code": "ABCDEFGHJK"}, REMOTE_ADDR="10.5.5.5").status_code == 400
    refused = client.post(TRACK, {"number": appeal.code, "code": code}, REMOTE_ADDR="10.5.5.5")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "查询过于频繁，请" in refused.content.decode() and "分钟后再试" in refused.content.decode()
    assert "appeal" not in client.get(TRACK).context


def test_too_many_wrong_guesses_at_one_number_answer_429_from_any_address(answered, settings):
    settings.DUBAN_APPEAL_GUESSES_PER_NUMBER = 2
    appeal, code = answered
    for n in range(2):
        assert Client().post(TRACK, {"number": appeal.code, "code": "ABCDEFGHJK"}, REMOTE_ADDR=f"10.6.6.{n}").status_code == 400
    assert Client().post(TRACK, {"number": appeal.code, "code": code}, REMOTE_ADDR="10.6.6.9").status_code == 429


def test_an_unsatisfied_rating_reopens_the_appeal_with_its_unit(county, answered):
    appeal, code = answered
    client = opened(appeal.code, code)
    response = client.post(TRACK, {"action": "rate", "number": appeal.code, "rating": Rating.UNSATISFIED, "comment": "只答应勘察，没有时间表",
                                   "version": appeal.version})
    assert response.status_code == 302 and response["Location"] == TRACK
    appeal = fresh(appeal)
    assert (appeal.state, appeal.reopen_count, appeal.rating, appeal.holder_unit) == (AppealState.HANDLING, 1, Rating.UNSATISFIED,
                                                                                        county.units["ndrc"])
    reply = AppealReply.objects.get(appeal=appeal, round=1)
    assert (reply.rating, reply.rating_comment, reply.rated_via) == (Rating.UNSATISFIED, "只答应勘察，没有时间表", RatedVia.ENTERPRISE)
    page = client.get(TRACK)
    text = page.content.decode()
    assert page.context["status"] == "办理中" and "重新办理" in text and "不满意" in text
    assert page.context["rating_form"] is None


def test_unsatisfied_without_a_reason_is_refused_and_changes_nothing(answered):
    appeal, code = answered
    client = opened(appeal.code, code)
    response = client.post(TRACK, {"action": "rate", "number": appeal.code, "rating": Rating.UNSATISFIED, "comment": "",
                                   "version": appeal.version})
    assert response.status_code == 400
    assert response.context["rating_form"].errors["comment"] == ["请说明不满意的原因，以便承办单位重新办理。"]
    after = fresh(appeal)
    assert (after.state, after.version, after.rating) == (AppealState.REPLIED, appeal.version, "")


def test_a_satisfied_rating_closes_it(answered):
    appeal, code = answered
    client = opened(appeal.code, code)
    client.post(TRACK, {"action": "rate", "number": appeal.code, "rating": Rating.SATISFIED, "comment": "", "version": appeal.version})
    assert fresh(appeal).state == AppealState.CLOSED
    assert client.get(TRACK).context["status"] == "已办结"


def test_a_rating_without_the_code_entered_in_this_browser_changes_nothing(answered):
    appeal, _code = answered
    response = Client().post(TRACK, {"action": "rate", "number": appeal.code, "rating": Rating.SATISFIED, "version": appeal.version})
    assert response.status_code == 302
    assert fresh(appeal).state == AppealState.REPLIED and fresh(appeal).version == appeal.version


def test_leaving_the_tracking_page_forgets_the_appeal(answered):
    appeal, code = answered
    client = opened(appeal.code, code)
    client.post(TRACK, {"action": "leave"})
    assert "appeal" not in client.get(TRACK).context


# --- the poster -----------------------------------------------------------------------------------------------


def test_the_poster_shows_the_county_the_title_the_forms_address_and_what_to_expect(county, settings):
    settings.DUBAN_COUNTY_NAME = "同心县"
    settings.DUBAN_SITE_URL = "https://duban.example.gov.cn"
    page = Client().get("/appeal/poster/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "同心县" in text and "企业诉求直通车" in text and "<svg" in text and 'class="appeal-qr"' in text
    assert page.context["intake_url"] == "https://duban.example.gov.cn/appeal/"
    assert page.context["expectations"] == [
        "县营商办 1 个工作日内受理，受理后 1 个工作日内转交承办单位。",
        "承办单位 1 个工作日内签收，5 个工作日内答复（复杂诉求经批准不超过 15 个工作日）。",
        "答复后 3 个工作日内回访；您可凭受理编号和查询码评价，不满意的重新办理。",
    ]
    assert 'style="' not in text and "<style" not in text


def test_the_qr_code_downloads_as_svg_and_png_of_the_requests_address(county):
    svg = Client().get("/appeal/poster.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    body = svg.content.decode()
    assert body.startswith("<?xml") and "<svg" in body and "<title>http://testserver/appeal/</title>" in body
    png_response = Client().get("/appeal/poster.png")
    assert png_response.status_code == 200 and png_response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(png_response.content))
    image.load()
    assert image.format == "PNG" and image.width == image.height and image.width > 200


def test_a_form_refused_by_the_csrf_check_says_what_to_do_in_chinese(county):
    from django.test import Client

    from duban.appeals.models import Appeal

    client = Client(enforce_csrf_checks=True)
    response = client.post("/appeal/", {"enterprise_name": "某某公司"})
    assert response.status_code == 403 and "页面已过期或浏览器未允许 Cookie" in response.content.decode()
    assert Appeal.objects.count() == 0
