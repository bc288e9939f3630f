"""Photos (隐患整改前后照片, 项目形象进度): checked by content, capped in bytes and pixels, re-encoded without EXIF.

A photo from a phone carries its EXIF block, GPS position included; the stored file is the pixels only,
re-encoded as JPEG (or PNG when it has transparency), so nothing of the original's metadata is served. With
DUBAN_PHOTO_KEEP_GPS the position is read first and handed to the hazard (its coordinates), on purpose.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from duban.core.errors import ServiceError

FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # what phones and cameras produce (MPO: JPEG with a second view)
GPS_IFD = 0x8825


@dataclass(frozen=True)
class CleanPhoto:
    upload: SimpleUploadedFile  # the re-encoded file, ready for core.attachments.store
    width: int
    height: int
    position: tuple[Decimal, Decimal] | None  # (latitude, longitude) when kept on purpose


def clean(upload, *, field: str = "photos") -> CleanPhoto:
    """The upload as a clean photo, or ServiceError saying what is wrong with it and what to do."""
    name = PurePath(upload.name or "").name[:120] or "照片"
    limit = settings.DUBAN_PHOTO_MAX_MB * 1024 * 1024
    if upload.size > limit:
        raise ServiceError(_("照片“%(name)s”有 %(mb).1f MB，超过 %(limit)s MB 的上限，请在手机上选择“压缩”或较小尺寸后再上传。")
                           % {"name": name, "mb": upload.size / 1048576, "limit": settings.DUBAN_PHOTO_MAX_MB}, field=field)
    upload.seek(0)
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise UnidentifiedImageError(image.format)
            if image.width * image.height > settings.DUBAN_PHOTO_MAX_PIXELS:
                raise Image.DecompressionBombError(image.width * image.height)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ServiceError(_("照片“%(name)s”的像素过多（上限 %(limit)s 百万像素），请缩小后再上传。")
                           % {"name": name, "limit": settings.DUBAN_PHOTO_MAX_PIXELS // 1_000_000}, field=field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ServiceError(_("“%(name)s”不是可识别的照片（JPG、PNG 或 WebP），请上传手机或相机拍摄的原始照片。") % {"name": name},
                           field=field) from None
    position = _position(image) if settings.DUBAN_PHOTO_KEEP_GPS else None
    image = ImageOps.exif_transpose(image)  # upright as shown on the phone, before the orientation tag is dropped
    keep_alpha = image.mode in {"RGBA", "LA"} or (image.mode == "P" and "transparency" in image.info)
    out = io.BytesIO()
    if keep_alpha:
        image.convert("RGBA").save(out, "PNG", optimize=True)
        extension, content_type = "png", "image/png"
    else:
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
        extension, content_type = "jpg", "image/jpeg"
    stem = PurePath(name).stem[:100] or "照片"
    clean_file = SimpleUploadedFile(f"{stem}.{extension}", out.getvalue(), content_type=content_type)
    return CleanPhoto(clean_file, image.width, image.height, position)


def _position(image) -> tuple[Decimal, Decimal] | None:
    """(latitude, longitude) from the photo's EXIF GPS block, or None."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except (AttributeError, KeyError, ValueError):
        return None
    try:
        lat = _degrees(gps[2], gps.get(1, "N"))
        lon = _degrees(gps[4], gps.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def _degrees(dms, ref) -> Decimal:
    d, m, s = (float(x) for x in dms)
    value = Decimal(str(round(d + m / 60 + s / 3600, 6)))
    return -value if str(ref).upper() in {"S", "W"} else value
