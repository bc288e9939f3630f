"""The QR code poster the business office prints so an enterprise reaches the appeal form without an account.

The codes are drawn by segno (pure Python, no system libraries) at error correction Q: a poster on a
corridor wall gets scratched and stuck over, and Q still reads with a quarter of the code gone.
"""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

ERROR = "q"
BORDER = 4  # the quiet zone the standard asks for, in modules


def qr_code(url: str) -> segno.QRCode:
    """The QR code of `url` as every poster draws it (same version and mask for the same text)."""
    return segno.make(url, error=ERROR, micro=False, boost_error=False)


def qr_svg(url: str, *, scale: int = 8) -> str:
    """The QR code of `url` as an <svg> element (one path, a viewBox and no size: CSS class appeal-qr sizes it) for a page."""
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="svg", scale=scale, border=BORDER, title=url, svgclass="appeal-qr", lineclass=None,
                      xmldecl=False, svgns=True, omitsize=True, nl=False)
    return buffer.getvalue().decode("utf-8")


def qr_png(url: str, scale: int = 10) -> bytes:
    """The QR code of `url` as a PNG, `scale` pixels a module (10 gives about 4 cm at 300 dpi for a short address)."""
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=scale, border=BORDER)
    return buffer.getvalue()


def absolute_url(path: str, request=None) -> str:
    """The full address of `path`: DUBAN_SITE_URL when set (a printed poster must not carry whatever Host a request said), else the request's."""
    if path.startswith(("http://", "https://")):
        return path
    if settings.DUBAN_SITE_URL:
        return settings.DUBAN_SITE_URL + path
    if request is None:
        raise ValueError("DUBAN_SITE_URL is not set and there is no request to take the address from")
    return request.build_absolute_uri(path)


def poster_context(intake_url: str, *, track_url: str | None = None, office: str = "", request=None) -> dict:
    """What the poster template shows: the title, the office, the addresses, the QR codes as inline SVG and the steps."""
    intake = absolute_url(intake_url, request)
    track = absolute_url(track_url, request) if track_url else None
    return {
        "title": _("企业诉求直通车"),
        "office": office,
        "intake_url": intake,
        "intake_qr_svg": mark_safe(qr_svg(intake)),  # segno escapes the url in the title
        "track_url": track,
        "track_qr_svg": mark_safe(qr_svg(track)) if track else None,
        "steps": [
            _("微信或手机浏览器扫码，无需注册登录"),
            _("填写企业名称、统一社会信用代码、联系人和诉求内容"),
            _("提交后记下受理编号和查询码，凭它查看办理进度、评价答复"),
        ],
    }
