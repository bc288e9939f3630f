"""Password rules of MLPS 2.0 level 3 (docs/adr/002-password-policy.md)."""

import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CLASSES = (
    (gettext_lazy("大写字母"), set(string.ascii_uppercase)),
    (gettext_lazy("小写字母"), set(string.ascii_lowercase)),
    (gettext_lazy("数字"), set(string.digits)),
)


def character_classes(password: str) -> int:
    """How many of upper case, lower case, digits and other characters the password mixes."""
    used = sum(1 for _label, chars in CLASSES if any(c in chars for c in password))
    if any(not (c in string.ascii_letters or c in string.digits) for c in password):
        used += 1
    return used


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule, worded in Chinese (Django 5.2's zh-Hans catalogue lacks its new message)."""

    def get_error_message(self):
        return _("密码太短，至少要 %(n)d 个字符。") % {"n": self.min_length}

    def get_help_text(self):
        return _("密码至少 %(n)d 个字符。") % {"n": self.min_length}


class CharacterClassValidator:
    """Refuses a password that mixes fewer than `min_classes` of the four character classes."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号四类中的至少 %(n)d 类。") % {"n": self.min_classes}
