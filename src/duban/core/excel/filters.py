"""An export is cut by its list's FilterSet: parameters the FilterSet refuses are refused (FilterError, its
message in Chinese), rather than exporting something other than what was asked."""

from __future__ import annotations


class FilterError(ValueError):
    """Filter parameters the list's FilterSet refuses; the message lists them in Chinese."""


def checked(filterset):
    """`filterset` if its parameters are valid; FilterError naming each field and its problem otherwise."""
    if filterset.is_bound and not filterset.form.is_valid():
        problems = [f"{filterset.form.fields[name].label}：{'；'.join(errors)}" for name, errors in filterset.form.errors.items()]
        raise FilterError("筛选条件有误：" + "；".join(problems))
    return filterset
