"""What of an enterprise each reader may see (PIPL): one function for every surface — pages, API, exports — so
that a hidden identity or an unmasked phone cannot leak through one of them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from duban.appeals.policies import sees_contact, sees_identity


def mask_phone(phone: str) -> str:
    """138****1234; a short number keeps its last four."""
    if len(phone) >= 11:
        return phone[:3] + "****" + phone[-4:]
    return "****" + phone[-4:] if len(phone) > 4 else "****"


def mask_name(name: str) -> str:
    """马经理 → 马**: the first character only."""
    return (name[:1] + "*" * max(1, len(name) - 1)) if name else ""


@dataclass(frozen=True)
class Shown:
    """The enterprise's details as one reader may see them."""

    enterprise_name: str
    credit_code: str
    contact_name: str
    phone: str
    hidden: bool  # the identity is withheld from this reader


def shown(appeal, user) -> Shown:
    if not sees_identity(appeal, user):
        withheld = _("（企业要求对承办单位保密）")
        return Shown(withheld, "", "", "", True)
    if sees_contact(user):
        return Shown(appeal.enterprise_name, appeal.credit_code, appeal.contact_name, appeal.phone, False)
    return Shown(appeal.enterprise_name, appeal.credit_code, mask_name(appeal.contact_name), mask_phone(appeal.phone), False)


OTHER_CODE = re.compile(r"SQ\d{4}-[A-Z]?\d{6,7}")


def timeline_text(text: str, appeal, withheld: bool) -> str:
    """A timeline line as a reader of a withheld identity may read it: a repeat's or a merge's line names the
    enterprise's other appeal, which is who it is by another door — its number is left out."""
    if not withheld:
        return text
    return OTHER_CODE.sub(lambda m: m.group(0) if m.group(0) == appeal.code else _("（另一件诉求）"), text)
