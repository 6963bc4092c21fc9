"""Reflects a database the way Superset does, through SQLAlchemy 1.4's inspector, and prints
what it finds. clients_sqlalchemy_test.go compares the output with the same script run against
PostgreSQL 15 (expected.txt)."""
import sys

import sqlalchemy as sa


def guard(label, f):
    """Prints f()'s result, or its error, so that one diff shows every difference."""
    try:
        print(label, f())
    except Exception as e:  # noqa: BLE001 - the error is the output
        print(label, "ERROR", type(e).__name__, str(e).splitlines()[0])


def main():
    engine = sa.create_engine(sys.argv[1])
    print("sqlalchemy", sa.__version__.split(".")[0] + "." + sa.__version__.split(".")[1])
    insp = sa.inspect(engine)
    guard("get_schema_names", lambda: [s for s in insp.get_schema_names() if s != "runnel_catalog"])
    guard("default_schema_name", lambda: insp.default_schema_name)
    guard("get_table_names", lambda: sorted(insp.get_table_names()))
    guard("get_view_names", lambda: sorted(insp.get_view_names()))
    guard("get_view_names(materialized)", lambda: sorted(insp.get_view_names(include=("materialized",))))
    for t in ["orders", "customer_totals", "big_orders"]:
        guard("get_columns(%s)" % t, lambda: insp.get_columns(t))
    guard("get_pk_constraint(orders)", lambda: insp.get_pk_constraint("orders"))
    guard("get_pk_constraint(copy_target)", lambda: insp.get_pk_constraint("copy_target"))
    guard("get_foreign_keys(orders)", lambda: insp.get_foreign_keys("orders"))
    guard("get_indexes(orders)", lambda: insp.get_indexes("orders"))
    guard("get_unique_constraints(orders)", lambda: insp.get_unique_constraints("orders"))
    guard("get_table_comment(orders)", lambda: insp.get_table_comment("orders"))
    guard("has_table(customer_totals)", lambda: engine.dialect.has_table(engine.connect(), "customer_totals"))
    guard("has_table(nope)", lambda: engine.dialect.has_table(engine.connect(), "nope"))

    def query():
        with engine.connect() as c:
            return [tuple(r) for r in c.execute(sa.text(
                "SELECT customer, total, n FROM customer_totals WHERE n >= :n ORDER BY customer"), {"n": 1})]
    guard("query", query)

    def autoload():
        t = sa.Table("customer_totals", sa.MetaData(), autoload_with=engine)
        with engine.connect() as c:
            rows = [tuple(r) for r in c.execute(sa.select(t).where(t.c.customer == "alice"))]
        return [c.name for c in t.columns], rows
    guard("autoload", autoload)


main()
