"""The unified social credit code 统一社会信用代码 (GB 32100-2015): normalizing, checking and making one.

18 characters from 31 (the digits and the capitals without I O Z S V): position 1 the registering
department 登记管理部门, 2 the kind of body 机构类别, 3-8 the registering authority's area code 行政区划码
(digits), 9-17 the body's identifier 主体标识码 (its organization code 组织机构代码), 18 the check character.

Only the position-18 check is enforced (with the alphabet and the digits of 3-8): it catches every single
wrong character and every swap of two neighbours. The organization code's own check (GB 11714, position 17)
is not: individual businesses 个体工商户 (92…) and codes given before the organization codes were merged
carry identifiers that need not satisfy it, and refusing a real code stops an enterprise from appealing at
all (docs/adr/017-appeal-parts.md). `organization_check_character` is here for who wants to look anyway.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from duban.core.errors import ServiceError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: value for value, char in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
LENGTH = 18
AREA = range(2, 8)  # positions 3-8, zero-based
# Letters the standard leaves out because they are read as digits (or as each other); the hint names the likely one.
FORBIDDEN = {"I": "1", "O": "0", "Z": "2", "S": "5", "V": "U"}

ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
FIELD = "credit_code"


def normalize(text: str) -> str:
    """The code as typed, without spaces, full-width characters made half-width, in capitals."""
    return "".join(str(text or "").translate(_FULL_WIDTH).split()).upper()


def check_character(first17: str) -> str:
    """The position-18 check character of a code's first 17 characters (ValueError if they cannot be a code's)."""
    if len(first17) != LENGTH - 1 or any(char not in VALUES for char in first17):
        raise ValueError(f"not the first 17 characters of a unified social credit code: {first17!r}")
    remainder = sum(VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True)) % 31
    return ALPHABET[(31 - remainder) % 31]


def organization_check_character(first8: str) -> str:
    """The GB 11714 check character of an organization code's first 8 characters (position 17 of a credit code)."""
    if len(first8) != 8 or not all(char.isascii() and char.isalnum() for char in first8):
        raise ValueError(f"not the first 8 characters of an organization code: {first8!r}")
    remainder = sum(int(char, 36) * weight for char, weight in zip(first8.upper(), ORG_WEIGHTS, strict=True)) % 11
    check = 11 - remainder
    return {10: "X", 11: "0"}.get(check, str(check))


def _problem(code: str) -> str | None:
    """What is wrong with a normalized code, said to the person who typed it; None when it is a valid code."""
    if not code:
        return _("请填写统一社会信用代码（18位，印在营业执照上）。")
    if len(code) != LENGTH:
        return _("统一社会信用代码应为18位，您填写了%(count)d位，请对照营业执照核对。") % {"count": len(code)}
    for position, char in enumerate(code, 1):
        if char in FORBIDDEN:
            return _("统一社会信用代码里没有字母%(letter)s，第%(position)d位可能是“%(likely)s”，请对照营业执照核对。") % {
                "letter": char, "position": position, "likely": FORBIDDEN[char]}
        if char not in VALUES:
            return _("统一社会信用代码只含数字和大写字母，第%(position)d位的“%(char)s”不是，请对照营业执照核对。") % {
                "position": position, "char": char}
    for index in AREA:
        if not code[index].isdigit():
            return _("统一社会信用代码第3至8位是行政区划代码，只含数字，第%(position)d位却是“%(char)s”，请对照营业执照核对。") % {
                "position": index + 1, "char": code[index]}
    if check_character(code[:-1]) != code[-1]:
        return _("统一社会信用代码第18位校验码不符，请对照营业执照逐位核对。")
    return None


def is_valid(code: str) -> bool:
    """Whether `code` (as typed: spaces and full-width characters allowed) is a valid unified social credit code."""
    return _problem(normalize(code)) is None


def validate(code: str) -> str:
    """The normalized code, or a ServiceError on field credit_code saying what is wrong and what to do."""
    normalized = normalize(code)
    problem = _problem(normalized)
    if problem:
        raise ServiceError(problem, field=FIELD)
    return normalized


def make(first17: str) -> str:
    """A valid code from its first 17 characters (the check character appended), for tests and the demo county."""
    first17 = normalize(first17)
    return first17 + check_character(first17)
