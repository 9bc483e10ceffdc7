"""A new city's schema as a copy of the template, written from the template's catalog in a handful of queries.

django-tenants' `clone_schema` is a PL/pgSQL function that asks `information_schema` about every table and column;
those views scan the whole catalog, so each clone costs more than the one before (about 20 s at 368 schemas,
docs/performance.md). Here the template's definition is read once per clone with five queries that go from the
template's namespace to its relations by index, printed by PostgreSQL's own `pg_get_*def` functions, and replayed
as one script: the cost is that of the template, not of the database (ADR 0030).

The definition is read with `search_path` set to the template alone, so PostgreSQL writes the template's own
objects unqualified and everything elsewhere (`public.users_user`, `public.pilot_append_only()`) qualified; the
script is replayed with `search_path` set to the new schema alone, where the unqualified names land. No text is
rewritten. A template holding anything this copy does not know (views, functions, partitions, row security,
sequences that are not identity columns, comments) is copied by django-tenants' function instead (`unsupported`).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from psycopg import sql

# The template's relations: the one query that scans pg_class (it has no index on the namespace); every query after
# it starts from these oids (`unnest`, so the planner expects a few rows and goes by index even when the catalog's
# statistics are old), and the copy's reading hardly grows with the number of cities.
RELATIONS = "SELECT oid, relkind FROM pg_class WHERE relnamespace = %(ns)s"

# Objects the template may hold that this copy does not write, counted among its relations (or in its namespace).
UNSUPPORTED = {
    "row security or inheritance": """
        SELECT count(*) FROM pg_class c WHERE c.oid = ANY(%(tables)s::oid[])
        AND (c.relrowsecurity OR c.relhassubclass OR EXISTS (SELECT FROM pg_inherits i WHERE i.inhrelid = c.oid))""",
    "functions": "SELECT count(*) FROM pg_proc WHERE pronamespace = %(ns)s",
    "types of their own": """
        SELECT count(*) FROM pg_type t WHERE t.typnamespace = %(ns)s AND t.typrelid = 0
        AND NOT EXISTS (SELECT FROM pg_type e WHERE e.oid = t.typelem AND e.typrelid <> 0)""",
    "sequences that are not identity columns": """
        SELECT count(*) FROM unnest(%(sequences)s::oid[]) s(oid) WHERE NOT EXISTS (
            SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype = 'i')""",
    "rules or policies": """
        SELECT (SELECT count(*) FROM pg_rewrite WHERE ev_class = ANY(%(tables)s::oid[]))
             + (SELECT count(*) FROM pg_policy WHERE polrelid = ANY(%(tables)s::oid[]))""",
    "comments": """
        SELECT count(*) FROM pg_description WHERE classoid = 'pg_class'::regclass AND objoid = ANY(%(tables)s::oid[])""",
}

COLUMNS = """
    SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
           a.attidentity, a.attgenerated,
           CASE WHEN a.attcollation <> t.typcollation
                THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END,
           s.relname, q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle,
           pg_sequence_last_value(s.oid)
    FROM unnest(%(tables)s::oid[]) AS r(oid) JOIN pg_class c ON c.oid = r.oid
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
    LEFT JOIN pg_collation co ON co.oid = a.attcollation
    LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
    LEFT JOIN pg_depend dep ON a.attidentity <> '' AND dep.refclassid = 'pg_class'::regclass
         AND dep.refobjid = c.oid AND dep.refobjsubid = a.attnum AND dep.deptype = 'i'
         AND dep.classid = 'pg_class'::regclass
    LEFT JOIN pg_class s ON s.oid = dep.objid AND s.relkind = 'S'
    LEFT JOIN pg_sequence q ON q.seqrelid = s.oid
    ORDER BY c.relname, a.attnum"""

# Primary keys, unique and check constraints go in before the rows are copied, foreign keys after (ordered by name,
# so the script is the same text for the same template).
CONSTRAINTS = """
    SELECT c.relname, k.conname, pg_get_constraintdef(k.oid), k.contype = 'f'
    FROM unnest(%(tables)s::oid[]) AS r(oid) JOIN pg_class c ON c.oid = r.oid JOIN pg_constraint k ON k.conrelid = c.oid
    ORDER BY k.contype = 'f', c.relname, k.conname"""

# Indexes that no constraint owns (a constraint's index comes with its constraint).
INDEXES = """
    SELECT pg_get_indexdef(i.indexrelid), quote_ident(c.relname)
    FROM unnest(%(tables)s::oid[]) AS r(oid) JOIN pg_class c ON c.oid = r.oid
    JOIN pg_index i ON i.indrelid = c.oid JOIN pg_class x ON x.oid = i.indexrelid
    WHERE NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = c.oid)
    ORDER BY c.relname, x.relname"""

TRIGGERS = """
    SELECT pg_get_triggerdef(g.oid), quote_ident(c.relname)
    FROM unnest(%(tables)s::oid[]) AS r(oid) JOIN pg_class c ON c.oid = r.oid JOIN pg_trigger g ON g.tgrelid = c.oid
    WHERE NOT g.tgisinternal
    ORDER BY c.relname, g.tgname"""


@dataclass
class Table:
    name: str
    columns: list[str] = field(default_factory=list)  # column definitions, in the template's order
    copied: list[str] = field(default_factory=list)  # the columns a copy of the rows writes (not generated ones)
    sequences: list[tuple[str, int]] = field(default_factory=list)  # identity sequence, its last value


@dataclass
class SchemaDefinition:
    """The template as statements to replay in another schema: tables, then constraints, rows, indexes, keys."""

    tables: dict[str, Table]
    constraints: list[str]
    foreign_keys: list[str]
    indexes: list[str]
    triggers: list[str]

    def script(self, source: str) -> str:
        """Everything, in the order that is cheapest to run: indexes and foreign keys after the rows."""
        statements = []
        for table in self.tables.values():
            statements.append(f"CREATE TABLE {quote(table.name)} (\n  " + ",\n  ".join(table.columns) + "\n)")
        statements += self.constraints
        for table in self.tables.values():
            columns = ", ".join(quote(name) for name in table.copied)
            statements.append(
                f"INSERT INTO {quote(table.name)} ({columns}) OVERRIDING SYSTEM VALUE "
                f"SELECT {columns} FROM {quote(source)}.{quote(table.name)}"
            )
            for sequence, last_value in table.sequences:
                statements.append(f"SELECT setval({literal(quote(sequence))}, {int(last_value)})")
        statements += self.indexes + self.foreign_keys + self.triggers
        return ";\n".join(statements) + ";\n"


def quote(name: str) -> str:
    return sql.Identifier(name).as_string(connection.connection)


def literal(value: str) -> str:
    return sql.Literal(value).as_string(connection.connection)


def _column(row) -> tuple[str, tuple[str, int] | None]:
    (_, name, type_, not_null, default, identity, generated, collation, sequence, start, increment, minimum,
     maximum, cache, cycle, last_value) = row  # fmt: skip
    parts = [quote(name), type_]
    if collation:
        parts.append(f"COLLATE {collation}")
    if generated == "s":
        parts.append(f"GENERATED ALWAYS AS ({default}) STORED")
    elif default is not None:
        parts.append(f"DEFAULT {default}")
    if identity:
        options = (
            f"SEQUENCE NAME {quote(sequence)} START WITH {start} INCREMENT BY {increment} MINVALUE {minimum} "
            f"MAXVALUE {maximum} CACHE {cache}{' CYCLE' if cycle else ''}"
        )
        parts.append(f"GENERATED {'ALWAYS' if identity == 'a' else 'BY DEFAULT'} AS IDENTITY ({options})")
    if not_null:
        parts.append("NOT NULL")
    return " ".join(parts), (sequence, last_value) if identity and last_value is not None else None


def _unqualified(statement: str, schema: str, table: str) -> str:
    """`pg_get_indexdef` and `pg_get_triggerdef` name their table with its schema whatever the search_path: drop
    the template's name (`schema`, quoted as PostgreSQL prints it) from that one place (`… ON tenant_template.t …`
    → `… ON t …`)."""
    qualified = f" ON {schema}.{table} "
    if statement.count(qualified) != 1:
        raise ValueError(f"unexpected definition: {statement}")
    return statement.replace(qualified, f" ON {table} ")


def _search_path(cursor, schemas: str) -> str:
    """Set this session's search_path, returning the previous one (django-tenants set it and expects it back)."""
    cursor.execute("SELECT current_setting('search_path'), set_config('search_path', %s, false)", [schemas])
    return cursor.fetchone()[0]


@contextmanager
def _seen_from(cursor, schema: str):
    """Read the catalog with `search_path` on `schema` alone, so its own objects print unqualified; restore after."""
    previous = _search_path(cursor, quote(schema))
    try:
        yield
    finally:
        _search_path(cursor, previous)


def _relations(cursor, schema: str) -> dict:
    """The query parameters every catalog query takes: the namespace and its tables, sequences and other kinds."""
    cursor.execute("SELECT %s::regnamespace::oid", [quote(schema)])
    namespace = cursor.fetchone()[0]
    cursor.execute(RELATIONS, {"ns": namespace})
    kinds: dict[str, list[int]] = {}
    for oid, kind in cursor.fetchall():
        kinds.setdefault(kind, []).append(oid)
    others = [oid for kind, oids in kinds.items() if kind not in ("r", "i", "S") for oid in oids]
    return {"ns": namespace, "tables": kinds.get("r", []), "sequences": kinds.get("S", []), "others": others}


def unsupported(cursor, source: str, relations: dict | None = None) -> list[str]:
    """What the template holds that `definition` would not copy (empty: the fast copy is exact)."""
    relations = relations or _relations(cursor, source)
    found = ["relations other than tables, indexes and sequences"] if relations["others"] else []
    for what, query in UNSUPPORTED.items():
        cursor.execute(query, relations)
        if cursor.fetchone()[0]:
            found.append(what)
    return found


def definition(cursor, source: str, relations: dict | None = None) -> SchemaDefinition:
    """Read `source` from the catalog: four queries from its relations, whatever the size of the database."""
    namespace = relations or _relations(cursor, source)
    cursor.execute("SELECT quote_ident(%s)", [source])  # how PostgreSQL's printing functions quote it
    printed = cursor.fetchone()[0]
    with _seen_from(cursor, source):
        tables: dict[str, Table] = {}
        cursor.execute(COLUMNS, namespace)
        for row in cursor.fetchall():
            table = tables.setdefault(row[0], Table(row[0]))
            column, sequence = _column(row)
            table.columns.append(column)
            if row[6] != "s":
                table.copied.append(row[1])
            if sequence:
                table.sequences.append(sequence)
        cursor.execute(CONSTRAINTS, namespace)
        constraints, foreign_keys = [], []
        for relname, conname, condef, is_foreign in cursor.fetchall():
            statement = f"ALTER TABLE ONLY {quote(relname)} ADD CONSTRAINT {quote(conname)} {condef}"
            (foreign_keys if is_foreign else constraints).append(statement)
        cursor.execute(INDEXES, namespace)
        indexes = [_unqualified(statement, printed, table) for statement, table in cursor.fetchall()]
        cursor.execute(TRIGGERS, namespace)
        triggers = [_unqualified(statement, printed, table) for statement, table in cursor.fetchall()]
    return SchemaDefinition(tables, constraints, foreign_keys, indexes, triggers)


def schema_copy(source: str, target: str) -> bool:
    """Create `target` as a copy of `source` (structure and rows). False, with nothing done, when the template
    holds something this copy does not know: the caller then uses django-tenants' clone."""
    with connection.cursor() as cursor:
        relations = _relations(cursor, source)
        if unsupported(cursor, source, relations):
            return False
        script = definition(cursor, source, relations).script(source)
        cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(target)))
        # A failing statement aborts the transaction, which also undoes this search_path: restore it on success only.
        previous = _search_path(cursor, quote(target))
        cursor.execute(script)
        _search_path(cursor, previous)
    return True


def constraints_named(cursor, schema: str) -> dict[tuple[str, str], list[str]]:
    """(table, definition) → the names of the constraints so defined in `schema`, printed as `definition` does."""
    found: dict[tuple[str, str], list[str]] = {}
    with _seen_from(cursor, schema):
        cursor.execute(CONSTRAINTS, _relations(cursor, schema))
        for relname, conname, condef, _ in cursor.fetchall():
            found.setdefault((relname, condef), []).append(conname)
    return found


def constraint_renames(cursor, source: str, schema: str) -> list[tuple[str, str, str]]:
    """(table, name in `schema`, name in `source`) for each constraint of `schema` that the template defines alike
    under another name: what django-tenants' `clone_schema` renamed in the cities it cloned (ADR 0030). Only
    one-to-one pairs whose template name is free in that table are listed."""
    template, city = constraints_named(cursor, source), constraints_named(cursor, schema)
    taken = {(table, name) for (table, _), names in city.items() for name in names}
    renames = []
    for (table, condef), names in city.items():
        wanted = template.get((table, condef), [])
        if len(names) == 1 and len(wanted) == 1 and names != wanted and (table, wanted[0]) not in taken:
            renames.append((table, names[0], wanted[0]))
    return sorted(renames)


def constraint_names_align(source: str, schema: str) -> list[tuple[str, str, str]]:
    """Give `schema`'s constraints the template's names (a unique constraint's index is renamed with it)."""
    with connection.cursor() as cursor:
        renames = constraint_renames(cursor, source, schema)
        for table, old, new in renames:
            cursor.execute(
                sql.SQL("ALTER TABLE {}.{} RENAME CONSTRAINT {} TO {}").format(
                    sql.Identifier(schema), sql.Identifier(table), sql.Identifier(old), sql.Identifier(new)
                )
            )
    return renames
