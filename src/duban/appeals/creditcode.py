"""Placeholder until the appeal-parts branch lands (GB 32100 check)."""
from django.utils.translation import gettext as _

from duban.core.errors import ServiceError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]


def normalize(text):
    return "".join((text or "").split()).upper()


def check_character(first17):
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def make(first17):
    return first17 + check_character(first17)


def is_valid(code):
    code = normalize(code)
    return len(code) == 18 and all(c in ALPHABET for c in code) and check_character(code[:17]) == code[17]


def validate(code):
    code = normalize(code)
    if not is_valid(code):
        raise ServiceError(_("统一社会信用代码不正确，请对照营业执照核对。"), field="credit_code")
    return code
