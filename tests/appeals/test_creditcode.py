"""The unified social credit code check (GB 32100-2015): what an enterprise types on the appeal form."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duban.appeals import creditcode
from duban.appeals.creditcode import ALPHABET
from duban.core.errors import ServiceError

DIGITS = "0123456789"
prefixes = st.builds(
    lambda head, area, body: head + area + body,
    st.text(ALPHABET, min_size=2, max_size=2),
    st.text(DIGITS, min_size=6, max_size=6),
    st.text(ALPHABET, min_size=9, max_size=9),
)


def test_the_alphabet_is_the_standards_31_characters_and_weights_are_powers_of_3():
    assert len(ALPHABET) == len(set(ALPHABET)) == 31
    assert not set("IOZSV") & set(ALPHABET)
    assert creditcode.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@given(prefixes)
def test_every_made_code_is_valid(first17):
    code = creditcode.make(first17)
    assert len(code) == 18 and code[:17] == first17
    assert creditcode.is_valid(code)
    assert creditcode.validate(code) == code


@given(prefixes)
def test_every_single_wrong_character_is_refused(first17):
    code = creditcode.make(first17)
    for position in range(18):
        for char in ALPHABET:
            if char != code[position]:
                changed = code[:position] + char + code[position + 1:]
                assert not creditcode.is_valid(changed), (code, changed)
                with pytest.raises(ServiceError):
                    creditcode.validate(changed)


@given(prefixes)
def test_swapping_two_neighbours_is_refused(first17):
    code = creditcode.make(first17)
    for position in range(16):  # the check character itself not included: its weight is not in the sum
        swapped = code[:position] + code[position + 1] + code[position] + code[position + 2:]
        assert swapped == code or not creditcode.is_valid(swapped)


# Worked by hand (value of a letter = its place in ALPHABET: A=10 … H=17, J=18 … N=22, P=23 … R=25, T=26, U=27,
# W=28, X=29, Y=30; weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28):
#
# 企业 of 福州市 (9 1 350100), organization code M000100Y-4:
#   9·1 + 1·3 + 3·9 + 5·27 + 0 + 1·26 + 0 + 0 + M(21)·20 + 0 + 0 + 0 + 1·8 + 0 + 0 + Y(30)·30 + 4·28
#   = 9 + 3 + 27 + 135 + 26 + 420 + 8 + 900 + 112 = 1640;  1640 mod 31 = 28;  31 − 28 = 3  → "3"
#   GB 11714 of M000100Y (A=10 … Z=35, weights 3 7 9 10 5 8 4 2): M(22)·3 + 1·5 + Y(34)·2 = 66 + 5 + 68 = 139;
#   139 mod 11 = 7;  11 − 7 = 4  → "4", the 17th character.
# 个体工商户 of 深圳市 (9 2 440300), identifier MA5DXK0L1 (its 17th is not the GB 11714 one, which would be 4):
#   9·1 + 2·3 + 4·9 + 4·27 + 0 + 3·26 + 0 + 0 + M(21)·20 + A(10)·29 + 5·25 + D(13)·13 + X(29)·8 + K(19)·24
#   + 0 + L(20)·30 + 1·28 = 9 + 6 + 36 + 108 + 78 + 420 + 290 + 125 + 169 + 232 + 456 + 600 + 28 = 2557;
#   2557 mod 31 = 15;  31 − 15 = 16  → G
# 社会团体 of 南京市 (5 1 320100), 5000000L: 5 + 3 + 27 + 54 + 26 + 5·20 + L(20)·28 = 775 = 25·31;
#   31 − 0 = 31, and 31 counts as 0  → "0"
@pytest.mark.parametrize("first17, check", [
    ("91350100M000100Y4", "3"),
    ("92440300MA5DXK0L1", "G"),
    ("5132010050000000L", "0"),
])
def test_check_characters_worked_by_hand(first17, check):
    assert creditcode.check_character(first17) == check
    assert creditcode.is_valid(first17 + check)


def test_the_organization_code_check_is_gb_11714_and_not_required():
    assert creditcode.organization_check_character("M000100Y") == "4"
    individual = creditcode.make("92440300MA5DXK0L1")
    assert creditcode.organization_check_character(individual[8:16]) != individual[16]
    assert creditcode.is_valid(individual)  # an individual business's identifier need not pass GB 11714


# 00000000: sum 0, 11 − 0 = 11 → "0";  40000000: 4·3 = 12, 12 mod 11 = 1, 11 − 1 = 10 → X;  10000000: 3, 11 − 3 = 8 → "8"
@pytest.mark.parametrize("first8, check", [("00000000", "0"), ("40000000", "X"), ("10000000", "8")])
def test_the_organization_check_maps_10_to_x_and_11_to_0(first8, check):
    assert creditcode.organization_check_character(first8) == check


def test_what_people_type_is_normalized():
    code = creditcode.make("91350100M000100Y4")
    full_width = "".join(chr(ord(char) + 0xFEE0) for char in code)
    assert creditcode.normalize(f" {full_width[:6]}\u3000{full_width[6:].lower()} ") == code
    assert creditcode.validate(" " + code.lower()[:9] + " " + code[9:] + "\n") == code


def refusal(code):
    with pytest.raises(ServiceError) as refused:
        creditcode.validate(code)
    assert refused.value.field == "credit_code"
    return refused.value.message


def test_refusals_say_what_to_do():
    code = creditcode.make("91350100M000100Y4")
    assert refusal(code[:16]) == "统一社会信用代码应为18位，您填写了16位，请对照营业执照核对。"
    assert refusal("") == "请填写统一社会信用代码（18位，印在营业执照上）。"
    wrong = code[:17] + ALPHABET[(ALPHABET.index(code[17]) + 1) % 31]
    assert refusal(wrong) == "统一社会信用代码第18位校验码不符，请对照营业执照逐位核对。"
    assert refusal(code[:9] + "O" + code[10:]) == "统一社会信用代码里没有字母O，第10位可能是“0”，请对照营业执照核对。"
    assert refusal(code[:3] + "-" + code[4:]) == "统一社会信用代码只含数字和大写字母，第4位的“-”不是，请对照营业执照核对。"
    assert refusal(code[:4] + "A" + code[5:]) == "统一社会信用代码第3至8位是行政区划代码，只含数字，第5位却是“A”，请对照营业执照核对。"


def test_check_character_wants_17_characters_of_the_alphabet():
    for bad in ["9135010", "91350100M000100Y43", "91350100I000100Y4"]:
        with pytest.raises(ValueError):
            creditcode.check_character(bad)
