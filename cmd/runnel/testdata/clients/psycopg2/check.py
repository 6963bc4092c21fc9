"""psycopg2 against a running Runnel: every check compares real answers and exits non-zero on
the first mismatch. Usage: /usr/bin/python3 check.py HOST PORT"""

import datetime
import decimal
import io
import sys

import psycopg2
import psycopg2.errors
import psycopg2.extensions

HOST, PORT = sys.argv[1], int(sys.argv[2])


def connect(**kw):
    return psycopg2.connect(host=HOST, port=PORT, user="runnel", dbname="runnel", **kw)


def check(what, got, want):
    if got != want:
        print(f"FAIL {what}:\n  got  {got!r}\n  want {want!r}")
        sys.exit(1)
    print(f"ok   {what}")


def expect_error(what, cls, pgcode, fn):
    try:
        fn()
    except cls as e:
        check(f"{what} ({cls.__name__})", e.pgcode, pgcode)
        return e
    except Exception as e:  # the wrong class is a failure too
        print(f"FAIL {what}: raised {type(e).__name__} {getattr(e, 'pgcode', None)}: {e}")
        sys.exit(1)
    print(f"FAIL {what}: no error")
    sys.exit(1)


conn = connect()
cur = conn.cursor()

# Parameters of several types, interpolated by psycopg2 on the client side.
cur.execute(
    """CREATE TABLE params (id int PRIMARY KEY, f double precision, d numeric(12,4), s text,
       n text, day date, at timestamptz, ok boolean)"""
)
tz = datetime.timezone(datetime.timedelta(hours=2))
row = (
    1,
    1.25,
    decimal.Decimal("12345.6789"),
    "it's a \"quote\" and a \\ backslash",
    None,
    datetime.date(2024, 2, 29),
    datetime.datetime(2024, 3, 1, 12, 30, 15, 250000, tzinfo=tz),
    True,
)
cur.execute("INSERT INTO params VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", row)
cur.execute("SELECT * FROM params WHERE id = %s AND s = %s AND ok = %s", (1, row[3], True))
got = cur.fetchone()
check("parameter round trip", got, row)
check("timestamptz is the same instant", got[6].astimezone(datetime.timezone.utc),
      datetime.datetime(2024, 3, 1, 10, 30, 15, 250000, tzinfo=datetime.timezone.utc))
check("column types", [d.type_code for d in cur.description], [23, 701, 1700, 25, 25, 1082, 1184, 16])
cur.execute("SELECT %s::int + 1, %s::float8 * 2, %s::numeric / 4, %s IS NULL", (41, 0.5, decimal.Decimal("10"), None))
check("parameters in expressions", cur.fetchone(), (42, 1.0, decimal.Decimal("2.5000000000000000"), True))
conn.commit()

# A transaction: BEGIN (sent by psycopg2) … COMMIT; the rows are visible to another connection.
cur.execute("CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL, amount numeric(10,2))")
cur.execute("CREATE MATERIALIZED VIEW totals AS SELECT kind, count(*) AS n, sum(amount) AS total FROM events GROUP BY kind")
conn.commit()
cur.executemany("INSERT INTO events VALUES (%s, %s, %s)",
                [(i, "click" if i % 3 else "view", decimal.Decimal(i) / 4) for i in range(1, 31)])
conn.commit()
other = connect()
other.autocommit = True
ocur = other.cursor()
ocur.execute("SELECT kind, n, total FROM totals ORDER BY kind")
check("materialized view after inserts", ocur.fetchall(),
      [("click", 20, decimal.Decimal("75.00")), ("view", 10, decimal.Decimal("41.25"))])

# The view follows later writes from another connection.
ocur.execute("INSERT INTO events VALUES (100, 'view', 1.75), (101, 'buy', 9.99)")
ocur.execute("DELETE FROM events WHERE id = 3")
cur.execute("SELECT kind, n, total FROM totals ORDER BY kind")
check("materialized view updating", cur.fetchall(),
      [("buy", 1, decimal.Decimal("9.99")), ("click", 20, decimal.Decimal("75.00")), ("view", 10, decimal.Decimal("42.25"))])
conn.commit()

# ROLLBACK of a read-only block works; of a block that wrote it is refused (Runnel commits each
# statement), with 0A000.
cur.execute("SELECT count(*) FROM events")
conn.rollback()
cur.execute("INSERT INTO events VALUES (200, 'view', 1)")
expect_error("rollback after a write", psycopg2.errors.FeatureNotSupported, "0A000", conn.rollback)
cur.execute("SELECT count(*) FROM events WHERE id = 200")
check("the write stayed committed", cur.fetchone(), (1,))
conn.commit()

# A named (server-side) cursor: DECLARE … CURSOR WITHOUT HOLD, FETCH FORWARD n, CLOSE.
cur.execute("CREATE TABLE big (i int PRIMARY KEY, sq bigint)")
cur.execute("INSERT INTO big SELECT g, g::bigint * g FROM generate_series(1, 2345) g")
conn.commit()
named = conn.cursor("big_cursor")
named.execute("SELECT i, sq FROM big WHERE i > %s ORDER BY i", (5,))
chunks, rows = [], []
while True:
    part = named.fetchmany(1000)
    if not part:
        break
    chunks.append(len(part))
    rows.extend(part)
check("named cursor chunk sizes", chunks, [1000, 1000, 340])
check("named cursor rows", rows, [(i, i * i) for i in range(6, 2346)])
named.close()
conn.commit()
# itersize-driven iteration and a cursor WITH HOLD that outlives the commit.
held = conn.cursor("held", withhold=True)
held.itersize = 100
held.execute("SELECT i FROM big WHERE i <= 250 ORDER BY i DESC")
conn.commit()
check("WITH HOLD cursor after commit", [r[0] for r in held], list(range(250, 0, -1)))
held.close()
conn.commit()

# COPY … TO STDOUT and FROM STDIN.
buf = io.StringIO()
cur.copy_expert("COPY (SELECT kind, n, total FROM totals ORDER BY kind) TO STDOUT WITH CSV HEADER", buf)
check("copy_expert TO STDOUT CSV HEADER", buf.getvalue(), "kind,n,total\nbuy,1,9.99\nclick,20,75.00\nview,11,43.25\n")
cur.execute("CREATE TABLE people (id int, name text, note text)")
cur.copy_from(io.StringIO("1\tann\t\\N\n2\tbob\ttab\\there\n"), "people", columns=("id", "name", "note"))
cur.copy_expert("COPY people FROM STDIN WITH (FORMAT csv)", io.StringIO('3,"o\'neil, jr",""\n4,dee,\n'))
cur.execute("SELECT id, name, note FROM people ORDER BY id")
check("copy_from and copy_expert FROM STDIN", cur.fetchall(),
      [(1, "ann", None), (2, "bob", "tab\there"), (3, "o'neil, jr", ""), (4, "dee", None)])
conn.commit()

# Errors map to psycopg2's exception classes with the right SQLSTATE; the transaction block
# fails until rollback.
expect_error("undefined table", psycopg2.errors.UndefinedTable, "42P01", lambda: cur.execute("SELECT * FROM nope"))
expect_error("in failed transaction", psycopg2.errors.InFailedSqlTransaction, "25P02", lambda: cur.execute("SELECT 1"))
conn.rollback()
expect_error("unique violation", psycopg2.errors.UniqueViolation, "23505",
             lambda: cur.execute("INSERT INTO big VALUES (%s, 0)", (7,)))
conn.rollback()
expect_error("division by zero", psycopg2.errors.DivisionByZero, "22012", lambda: cur.execute("SELECT 1 / 0"))
conn.rollback()
e = expect_error("syntax error", psycopg2.errors.SyntaxError, "42601", lambda: cur.execute("SELEC 1"))
check("syntax error position", e.diag.statement_position, "1")
conn.rollback()
expect_error("undefined column", psycopg2.errors.UndefinedColumn, "42703", lambda: cur.execute("SELECT nope FROM big"))
conn.rollback()
expect_error("unknown cursor", psycopg2.errors.InvalidCursorName, "34000", lambda: cur.execute('FETCH 1 FROM "nope"'))
conn.rollback()

# statement_timeout, from the connection's options, cancels a long query with 57014.
slow = connect(options="-c statement_timeout=1000")
scur = slow.cursor()
scur.execute("SHOW statement_timeout")
check("statement_timeout from options", scur.fetchone(), ("1s",))
expect_error("statement timeout", psycopg2.errors.QueryCanceled, "57014", lambda: scur.execute(
    "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 1000) b WHERE a.a + b.b < 0"))
slow.rollback()
scur.execute("SELECT 1")
check("usable after the timeout", scur.fetchone(), (1,))
slow.close()

# A subscription read through a named cursor: the snapshot, then a change made elsewhere.
sub = conn.cursor("changes")
sub.execute("SUBSCRIBE totals")
snap = sorted(sub.fetchmany(10))
epoch = snap[0][0]
check("SUBSCRIBE cursor snapshot", [r[1:] for r in snap],
      [(1, "buy", 1, decimal.Decimal("9.99")), (1, "click", 20, decimal.Decimal("75.00")), (1, "view", 11, decimal.Decimal("43.25"))])
ocur.execute("INSERT INTO events VALUES (300, 'buy', 0.01)")
change = sorted(sub.fetchmany(10))
check("SUBSCRIBE cursor change", change,
      [(epoch + 1, -1, "buy", 1, decimal.Decimal("9.99")), (epoch + 1, 1, "buy", 2, decimal.Decimal("10.00"))])
sub.close()
conn.commit()

other.close()
conn.close()
print("psycopg2: all checks passed")
