"""Finding the units and leaders a sheet names, the way a county writes them: a unit by its full name, its
short name or its name without the leading 县 ("交通运输局", "城关镇人民政府"); a leader by name, by title
("常务副县长"), or by surname and title ("王书记"). A name is matched only when it points at exactly one
record; otherwise the caller reports it (never a guess).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from duban.core.choices import Role, UnitKind
from duban.core.models import Unit, User

# Separators of a cell that lists several names: 、 , ， ； ; / and line breaks (after NFKC: , ; /).
_SPLIT = re.compile(r"[、,;/\n|]+")
_REMARK = re.compile(r"[(（][^)）]*[)）]$")
_ALL_TOWNSHIPS = re.compile(r"^(?:各|全县各)乡(?:镇|\(镇\))(?:\(街道(?:办事处)?\)|、?街道(?:办事处)?)?(?:人民政府|党委政府|党委、政府)?$")
_VAGUE = re.compile(r"^(?:各|有关|相关|县直|其他|其它).*(?:单位|部门)$|^(?:各|有关|相关)")


def normal(text: str) -> str:
    """NFKC (full-width to half-width), no spaces, no 同志."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(text.split()).removesuffix("同志")


def split_names(text: str) -> list[str]:
    """The names a cell lists, in order, without repeats."""
    names = [n.strip() for n in _SPLIT.split(normal(text))]
    return list(dict.fromkeys(n for n in names if n))


class Miss(Exception):
    """A name that names no record, or several; the message says which and what to do."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name
        self.message = message


@dataclass(frozen=True)
class Candidate:
    pk: int
    label: str


class Directory:
    """The county's active units and leaders, loaded once per import (a county has hundreds, not millions)."""

    def __init__(self):
        units = list(Unit.objects.filter(is_active=True).only("id", "name", "short_name", "kind", "path", "sort_key"))
        self.units = {u.pk: u for u in units}
        self._unit_keys: dict[str, set[int]] = {}
        for unit in units:
            for key in self._keys_of_unit(unit):
                self._unit_keys.setdefault(key, set()).add(unit.pk)
        self._inactive = set(Unit.objects.filter(is_active=False).values_list("name", flat=True))
        self.townships = [u for u in units if u.kind == UnitKind.TOWNSHIP]
        leaders = (
            User.objects.filter(is_active=True, role_grants__role__in=[Role.LEADER, Role.PRINCIPAL])
            .distinct().only("id", "full_name", "title", "unit_id")
        )
        principals = set(User.objects.filter(is_active=True, role_grants__role=Role.PRINCIPAL).values_list("id", flat=True))
        self.leaders = {u.pk: u for u in leaders}
        self.principals = principals
        self._people: dict[str, list[tuple[int, int | None]]] | None = None

    # --- units -------------------------------------------------------------------------------------

    @staticmethod
    def _keys_of_unit(unit) -> set[str]:
        keys = {normal(unit.name)}
        if unit.short_name:
            keys.add(normal(unit.short_name))
        for key in list(keys):
            if key.startswith("县") and len(key) > 2:
                keys.add(key[1:])
            if key.endswith("人民政府") and len(key) > 4:
                keys.add(key.removesuffix("人民政府"))
        return keys

    def _unit_ids(self, name: str) -> set[int]:
        for attempt in dict.fromkeys((name, name.removesuffix("人民政府"), _REMARK.sub("", name))):
            if not attempt:
                continue
            ids = self._unit_keys.get(attempt) or self._unit_keys.get(attempt.removeprefix("县"))
            if ids:
                return ids
        return set()

    def unit(self, name: str) -> Unit:
        """The one active unit `name` names, else Miss."""
        ids = self._unit_ids(name)
        if len(ids) == 1:
            return self.units[next(iter(ids))]
        if len(ids) > 1:
            names = "、".join(sorted(self.units[i].name for i in ids))
            raise Miss(name, f"“{name}”可能指多个单位（{names}），请写单位全称。")
        if name in self._inactive:
            raise Miss(name, f"单位“{name}”已停用。请改填现在承担这项工作的单位。")
        if _VAGUE.match(name):
            raise Miss(name, f"“{name}”不是具体单位。请逐一写明单位名称。")
        raise Miss(name, f"找不到单位“{name}”。请核对单位名称，或请系统管理员先添加该单位。")

    def unit_list(self, text: str) -> tuple[list[Unit], list[Miss]]:
        """The units a cell lists ("各乡镇" is every township), and the names that did not match."""
        found: dict[int, Unit] = {}
        misses = []
        for name in split_names(text):
            if _ALL_TOWNSHIPS.match(name):
                found.update((u.pk, u) for u in self.townships)
                continue
            try:
                unit = self.unit(name)
            except Miss as miss:
                misses.append(miss)
            else:
                found[unit.pk] = unit
        return list(found.values()), misses

    # --- leaders -----------------------------------------------------------------------------------

    def leader(self, name: str) -> User:
        """The one county leader `name` names: by full name, title, "title + name", or surname + title."""
        bare = _REMARK.sub("", name) or name
        for attempt in dict.fromkeys((name, bare)):
            matches = [u for u in self.leaders.values() if u.full_name and normal(u.full_name) == attempt]
            if not matches:  # the title, or one of several ("县委常委、常务副县长" is also "常务副县长")
                matches = [u for u in self.leaders.values() if u.title and attempt in _titles(u.title)]
            if not matches:  # "常务副县长张三" or "张三常务副县长"
                matches = [u for u in self.leaders.values() if u.full_name and u.title and any(
                    attempt in {t + normal(u.full_name), normal(u.full_name) + t} for t in _titles(u.title))]
            if not matches:  # "王书记", "李县长": surname (one or two characters) and the end of the title
                matches = [u for u in self.leaders.values() if _surname_and_title(attempt, u)]
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                who = "、".join(f"{u.full_name}（{u.title}）" if u.title else u.full_name for u in matches)
                raise Miss(name, f"“{name}”可能指多位县领导（{who}），请写姓名。")
        raise Miss(name, f"找不到县领导“{name}”。请写县领导的姓名或职务，或请系统管理员先为其开通账号并授予领导角色。")

    def leader_pair(self, text: str) -> tuple[User | None, User | None, list[Miss]]:
        """(leader in charge, assigning leader, misses) of a 牵头县领导 cell.

        One name is the leader in charge. Two names where exactly one is a principal leader (书记, 县长) are
        the assigning leader (交办领导) and the leader in charge. More cannot be held by one task.
        """
        names = split_names(text)
        people, misses = [], []
        for name in names:
            try:
                people.append(self.leader(name))
            except Miss as miss:
                misses.append(miss)
        people = list({p.pk: p for p in people}.values())
        if misses or not people:
            return None, None, misses
        if len(people) == 1:
            return people[0], None, []
        principals = [p for p in people if p.pk in self.principals]
        if len(people) == 2 and len(principals) == 1:
            other = next(p for p in people if p.pk not in self.principals)
            return other, principals[0], []
        joined = "、".join(p.full_name for p in people)
        return None, None, [Miss(text, f"一项任务只能有一位牵头县领导（另可有一位主要领导作为交办领导），这里写了 {len(people)} 位：{joined}。请拆分任务或只保留一位。")]

    # --- people ------------------------------------------------------------------------------------

    def person_in(self, name: str, unit: Unit | None) -> User | None:
        """The one active person with this name in `unit`'s sub-tree, if there is exactly one; else None."""
        if unit is None or not name:
            return None
        if self._people is None:
            self._people = {}
            for pk, full_name, unit_id in User.objects.filter(is_active=True).exclude(full_name="").values_list("id", "full_name", "unit_id"):
                self._people.setdefault(normal(full_name), []).append((pk, unit_id))
        path = unit.path
        hits = [pk for pk, unit_id in self._people.get(normal(name), ()) if unit_id in self.units and self.units[unit_id].path.startswith(path)]
        if len(hits) != 1:
            return None
        return User(pk=hits[0], full_name=name)


def _titles(title: str) -> set[str]:
    key = normal(title)
    return {key, *(part for part in _SPLIT.split(key) if part)}


def _surname_and_title(text: str, user) -> bool:
    if not user.full_name or not user.title:
        return False
    name, title = normal(user.full_name), normal(user.title)
    for k in (1, 2):
        if len(name) > k and text.startswith(name[:k]) and len(text) > k:
            rest = text[k:]
            if len(rest) >= 2 and title.endswith(rest):
                return True
    return False
