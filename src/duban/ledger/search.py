"""Chinese-aware text search of tasks: overlapping bigrams in a derived column, a full-text index over it.

Chinese has no spaces between words and most search words are two characters long (燃气, 招商, 征地), which
trigram indexes cannot serve. So a task's searchable text is kept, normalised and tokenised, in the derived
column `Task.search_text` (see `tokens`):

    code, title, responsible_name  →  NFKC, lower case  →  runs of CJK characters and runs of other letters
    and digits  →  each CJK run as its overlapping bigrams followed by its last character, each other run
    as a whole word, all separated by spaces:

    "2026-0042", "推进G241国道改线", "张三"  →  "2026 0042 推进 进 g241 国道 道改 改线 线 张三 三"

Both databases index the space-separated tokens as words, with their positions: SQLite through an FTS5
external-content table (`ledger_task_fts`, tokenizer unicode61) kept in step with `ledger_task` by triggers;
PostgreSQL through a GIN index on a stored `to_tsvector('simple', search_text)` (column search_vector). A query is tokenised the same way
and becomes a phrase (its tokens adjacent, in order), so any Chinese substring finds exactly the tasks that
contain it, as `LIKE '%…%'` did, but through the index. See `parse` for the rules and
docs/adr/006-chinese-search.md for the decision.

The column is derived in one place: `Matter.derived` (matters/models.py) computes it with `document` from
`SOURCES` whenever one of them is written — by `Model.save()`, `matters.machine.write()` and the task
queryset's `bulk_create` / `bulk_update` / `update`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db import connections
from django.db.models import BooleanField, Expression, F, Q, QuerySet
from django.db.models.expressions import RawSQL

# The task's own fields, in this order (a lead unit's name is not included: renaming a unit would leave
# every task's index entry stale).
SOURCES = ("code", "title", "responsible_name")
MAX_QUERY = 100  # characters of a query that are searched; a title has at most 300

FTS_TABLE = "ledger_task_fts"
# PostgreSQL: the tsvector stored beside search_text (a generated column the database keeps, not a model
# field: backups and the ORM never see it) and its GIN index. Stored, not an expression index: a phrase is
# checked against the row's positions, which GIN does not hold, and an expression index would make every
# candidate row run to_tsvector again (100k tasks, "2026-0": 530 ms against ~40 ms).
PG_COLUMN = "search_vector"
PG_INDEX = "task_search_vector_gin"

# CJK characters (Han ideographs with 〇 and 々, kana, Hangul syllables): no spaces between words, so they
# are indexed as bigrams. Anything else that is a letter or digit forms words; the rest separates.
_CJK = (
    "\u3005\u3007\u3021-\u3029\u3038-\u303c\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\U00020000-\U000323af"
)
_RUNS = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")


def normalize(text: str) -> str:
    """NFKC (full-width Ｇ２４１ → G241, ① → 1, compatibility ideographs → unified ones), then lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _runs(text: str) -> list[tuple[str, bool]]:
    """(run, is_cjk) for each run of CJK characters or of other letters and digits, in order."""
    return [(m[1] or m[2], bool(m[1])) for m in _RUNS.finditer(normalize(text))]


def _cjk_tokens(run: str, *, closed: bool = True) -> list[str]:
    """A CJK run's overlapping bigrams, then (`closed`: the run ends here) its last character.

    The last character makes every character findable as the start of a token (a one-character query is
    the prefix "字*"), and it keeps two runs apart: without it, 关镇 | 镇推 from "城关镇、镇推进" would be
    adjacent, and the phrase of "关镇推" would match text that does not contain it.
    """
    bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
    return [*bigrams, run[-1]] if closed else bigrams


def tokens(text: str) -> list[str]:
    """The index tokens of one text: CJK runs as bigrams and their last character, other runs as words."""
    result: list[str] = []
    for run, cjk in _runs(text or ""):
        if cjk:
            result.extend(_cjk_tokens(run))
        else:
            result.append(run)
    return result


def document(*texts: str) -> str:
    """`Task.search_text`: the tokens of the source fields, space-separated (the fields one after another)."""
    return " ".join(token for text in texts for token in tokens(text or ""))


# --- queries ------------------------------------------------------------------------------------------

Term = tuple[str, bool]  # (token, is a prefix)


@dataclass(frozen=True)
class Query:
    """What a search box's text asks for: `terms`, a phrase (tokens adjacent, in order) that must be in the
    task's text; or `legacy`, a substring of the title, code or responsible person (text with no letter or
    digit at all, such as "（）": rare, and the old LIKE answers it exactly)."""

    terms: tuple[Term, ...] = ()
    legacy: str = ""


def parse(text: str | None) -> Query | None:
    """The query for a search box's text, or None for no filter (empty or blank).

    The text is tokenised as a task's is (`tokens`), except its last run, which may go on in the task:

    - a last CJK run of two or more characters: its bigrams only (not its last character), so "城关" finds
      城关镇, and any Chinese substring finds exactly the tasks containing it;
    - a last CJK character alone: the prefix "字*" (a bigram starting with it, or a run's last character),
      so one character finds every task that contains it, through the index;
    - a last word of letters or digits: a prefix, so "2026-00" finds 2026-0042 and "g24" finds G241.

    Words are otherwise whole (case-insensitive; "241" does not find G241). Runs separated by spaces or
    punctuation in the query must be consecutive runs in the task ("城关镇 东关村" finds 城关镇、东关村).
    """
    text = (text or "").replace("\x00", "").strip()[:MAX_QUERY]
    if not text:
        return None
    runs = _runs(text)
    if not runs:
        return Query(legacy=text)
    terms: list[Term] = []
    for n, (run, cjk) in enumerate(runs):
        last = n == len(runs) - 1
        if not cjk:
            terms.append((run, last))
        elif not last:
            terms.extend((token, False) for token in _cjk_tokens(run))
        elif len(run) == 1:
            terms.append((run, True))
        else:
            terms.extend((token, False) for token in _cjk_tokens(run, closed=False))
    return Query(terms=tuple(terms))


def fts5_match(query: Query) -> str:
    """The FTS5 MATCH expression: every token a quoted string (never FTS syntax), `*` for a prefix, joined
    with `+` into one phrase."""
    return " + ".join('"' + token.replace('"', '""') + '"' + ("*" if prefix else "") for token, prefix in query.terms)


def pg_tsquery(query: Query) -> str:
    """The to_tsquery('simple', …) text: quoted lexemes, `:*` for a prefix, `<->` between them (a phrase)."""
    return " <-> ".join(
        "'" + token.replace("\\", "\\\\").replace("'", "''") + "'" + (":*" if prefix else "") for token, prefix in query.terms
    )


class _PgMatch(Expression):
    """`<table>.search_vector @@ to_tsquery('simple', %s)`, the column next to search_text in the same table."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, tsquery: str, column=None):
        super().__init__()
        self.column = column if column is not None else F("search_text")
        self.tsquery = tsquery

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.column)  # "<alias>"."search_text"
        name = connection.ops.quote_name("search_text")
        if not column.endswith(name):
            raise ValueError(f"unexpected column SQL for search_text: {column}")
        vector = column[: -len(name)] + connection.ops.quote_name(PG_COLUMN)
        return f"{vector} @@ to_tsquery('simple'::regconfig, %s)", (*params, self.tsquery)


def filter_tasks(queryset: QuerySet, text: str | None) -> QuerySet:
    """Tasks of `queryset` whose code, title or responsible person match `text` (see `parse`)."""
    query = parse(text)
    if query is None:
        return queryset
    if query.legacy:
        return queryset.filter(
            Q(title__contains=query.legacy) | Q(code__startswith=query.legacy) | Q(responsible_name__contains=query.legacy)
        )
    vendor = connections[queryset.db].vendor
    if vendor == "sqlite":
        match = RawSQL(f'SELECT rowid FROM "{FTS_TABLE}" WHERE "{FTS_TABLE}" MATCH %s', (fts5_match(query),))
        return queryset.filter(pk__in=match)
    if vendor == "postgresql":
        return queryset.filter(_PgMatch(pg_tsquery(query)))
    return queryset.filter(search_text__contains=" ".join(token for token, _prefix in query.terms))


# --- the index: created by migration ledger 0003, repaired after every migrate ------------------------

_TRIGGERS = {
    f"{FTS_TABLE}_ai": f"""
        CREATE TRIGGER IF NOT EXISTS "{FTS_TABLE}_ai" AFTER INSERT ON ledger_task BEGIN
            INSERT INTO "{FTS_TABLE}"(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
    f"{FTS_TABLE}_ad": f"""
        CREATE TRIGGER IF NOT EXISTS "{FTS_TABLE}_ad" AFTER DELETE ON ledger_task BEGIN
            INSERT INTO "{FTS_TABLE}"("{FTS_TABLE}", rowid, search_text) VALUES ('delete', old.id, old.search_text);
        END""",
    f"{FTS_TABLE}_au": f"""
        CREATE TRIGGER IF NOT EXISTS "{FTS_TABLE}_au" AFTER UPDATE OF id, search_text ON ledger_task
        WHEN old.search_text IS NOT new.search_text OR old.id IS NOT new.id BEGIN
            INSERT INTO "{FTS_TABLE}"("{FTS_TABLE}", rowid, search_text) VALUES ('delete', old.id, old.search_text);
            INSERT INTO "{FTS_TABLE}"(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
}
# External content: the index reads ledger_task.search_text (no second copy of the text); no column sizes,
# since results are never ranked. Tokens are already normalised, so unicode61 only splits on the spaces.
_FTS_TABLE_SQL = (
    f'CREATE VIRTUAL TABLE IF NOT EXISTS "{FTS_TABLE}" USING fts5(search_text, content=\'ledger_task\', '
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0', columnsize=0)"
)
_PG_SQL = (
    f"ALTER TABLE ledger_task ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON ledger_task USING gin ({PG_COLUMN})",
)


def install_index(connection) -> None:
    """Create the text index if missing; on SQLite rebuild it from `ledger_task.search_text`."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(_FTS_TABLE_SQL)
            for sql in _TRIGGERS.values():
                cursor.execute(sql)
            cursor.execute(f"INSERT INTO \"{FTS_TABLE}\"(\"{FTS_TABLE}\") VALUES ('rebuild')")
        elif connection.vendor == "postgresql":
            # Only what is missing: an ALTER TABLE, even one with nothing to do, is refused in a transaction
            # that has written rows with deferred foreign keys.
            missing = missing_parts(connection)
            for name, sql in zip((PG_COLUMN, PG_INDEX), _PG_SQL, strict=False):
                if name in missing:
                    cursor.execute(sql)


def drop_index(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in _TRIGGERS:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
            cursor.execute(f'DROP TABLE IF EXISTS "{FTS_TABLE}"')
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
            cursor.execute(f"ALTER TABLE ledger_task DROP COLUMN IF EXISTS {PG_COLUMN}")


def missing_parts(connection) -> list[str]:
    """Parts of the index that should exist (the column does) but do not; [] when complete or not installed."""
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "ledger_task")} \
            if "ledger_task" in connection.introspection.table_names(cursor) else set()
        if "search_text" not in columns:
            return []
        if connection.vendor == "postgresql":
            cursor.execute("SELECT 1 FROM pg_indexes WHERE tablename = 'ledger_task' AND indexname = %s", [PG_INDEX])
            return [name for name, present in ((PG_COLUMN, PG_COLUMN in columns), (PG_INDEX, cursor.fetchone())) if not present]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name IN (%s, %s, %s, %s)",
                           [FTS_TABLE, *_TRIGGERS])
            present = {row[0] for row in cursor.fetchall()}
            return [name for name in (FTS_TABLE, *_TRIGGERS) if name not in present]
    return []


def repair_index(connection) -> list[str]:
    """Put back whatever part of the index is missing and rebuild it; returns what was missing.

    Needed on SQLite after any migration that rebuilds `ledger_task` (SQLite's ALTER TABLE can do little, so
    Django copies the table into a new one): dropping the old table drops its triggers with it. Called after
    every `migrate` (LedgerConfig.ready connects it to post_migrate).
    """
    missing = missing_parts(connection)
    if missing:
        install_index(connection)
    return missing


def rebuild_index(connection) -> None:
    """Re-derive every task's search_text from its sources and rebuild the index (after a tokeniser change)."""
    from duban.ledger.models import Task

    rows = Task._base_manager.using(connection.alias).order_by("pk").values_list("pk", *SOURCES)
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE ledger_task SET search_text = %s WHERE id = %s AND search_text <> %s",
            [(text, pk, text) for pk, *sources in rows.iterator(chunk_size=2000) for text in [document(*sources)]],
        )
    if connection.vendor == "sqlite":
        install_index(connection)  # ends with FTS5's 'rebuild'
    else:
        repair_index(connection)  # PostgreSQL's generated column followed the updates


def check_index(connection) -> bool:
    """SQLite: FTS5's integrity check of the index against `ledger_task` (True if sound); PostgreSQL: True."""
    if connection.vendor != "sqlite":
        return True
    from django.db import DatabaseError

    try:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO \"{FTS_TABLE}\"(\"{FTS_TABLE}\", rank) VALUES ('integrity-check', 1)")
    except DatabaseError:
        return False
    return True


def repair_after_migrate(sender, using="default", **kwargs) -> None:
    repair_index(connections[using])
