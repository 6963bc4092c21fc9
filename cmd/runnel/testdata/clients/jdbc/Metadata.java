// Metadata drives pgjdbc the way Metabase, DBeaver and Tableau do: DatabaseMetaData for schemas,
// tables, columns and keys, ResultSetMetaData, a PreparedStatement past prepareThreshold (a
// server-side named statement with binary results) and a fetch-size cursor. It prints what the
// driver returns; clients_jdbc_test.go compares the output with the same program run against
// PostgreSQL 15 (testdata/clients/jdbc/expected.txt). Rows of Runnel's own schema,
// runnel_catalog, are left out so that the output can equal PostgreSQL's.
import java.sql.*;
import java.util.*;

public class Metadata {
    public static void main(String[] args) throws Exception {
        String url = args[0];
        try (Connection c = DriverManager.getConnection(url, args[1], "")) {
            DatabaseMetaData md = c.getMetaData();
            section("product");
            System.out.println("  " + md.getDatabaseProductName() + " major=" + md.getDatabaseMajorVersion());
            section("isValid");
            System.out.println("  valid=" + c.isValid(5));
            section("getTransactionIsolation");
            System.out.println("  iso=" + c.getTransactionIsolation());
            section("getSchemas");
            guard(() -> dump("getSchemas", md.getSchemas()));
            section("getTables(null, null, %, [TABLE, PARTITIONED TABLE, VIEW, FOREIGN TABLE, MATERIALIZED VIEW])");
            guard(() -> dump("getTables", md.getTables(null, null, "%",
                    new String[] {"TABLE", "PARTITIONED TABLE", "VIEW", "FOREIGN TABLE", "MATERIALIZED VIEW"})));
            section("getTables(null, public, %, null)");
            guard(() -> dump("getTables-all", md.getTables(null, "public", "%", null)));
            section("getColumns(null, public, customer_totals, null)");
            guard(() -> dump("getColumns-mv", md.getColumns(null, "public", "customer_totals", null)));
            section("getColumns(null, public, orders, %)");
            guard(() -> dump("getColumns-orders", md.getColumns(null, "public", "orders", "%")));
            section("getPrimaryKeys(null, public, orders)");
            guard(() -> dump("getPrimaryKeys", md.getPrimaryKeys(null, "public", "orders")));
            section("getIndexInfo(null, public, orders, false, true)");
            guard(() -> dump("getIndexInfo", md.getIndexInfo(null, "public", "orders", false, true)));

            section("Statement.executeQuery");
            guard(() -> {
            try (Statement s = c.createStatement()) {
                dump("stmt", s.executeQuery("SELECT customer, total, n FROM customer_totals ORDER BY customer"));
            }
            });

            section("PreparedStatement x7 (prepareThreshold=5: a server-side named statement, binary results)");
            guard(() -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, customer, amount, created_at FROM orders WHERE customer = ? AND amount > ? ORDER BY id")) {
                for (int i = 0; i < 7; i++) {
                    ps.setString(1, "alice");
                    ps.setBigDecimal(2, new java.math.BigDecimal("1.0"));
                    try (ResultSet rs = ps.executeQuery()) {
                        if (i == 0) {
                            ResultSetMetaData m = rs.getMetaData();
                            for (int j = 1; j <= m.getColumnCount(); j++) {
                                System.out.println("  col " + m.getColumnName(j) + " type=" + m.getColumnTypeName(j)
                                        + " class=" + m.getColumnClassName(j) + " nullable=" + m.isNullable(j)
                                        + " autoinc=" + m.isAutoIncrement(j) + " table=" + m.getTableName(j));
                            }
                        }
                        StringBuilder sb = new StringBuilder();
                        while (rs.next()) {
                            sb.append(" ").append(rs.getLong(1)).append("/").append(rs.getString(2)).append("/")
                                    .append(rs.getBigDecimal(3)).append("/")
                                    .append(rs.getTimestamp(4).toInstant());
                        }
                        System.out.println("  exec " + i + ":" + sb);
                    }
                }
            }
            });

            section("read-only transaction with fetchSize=1 (a named portal fetched in chunks)");
            guard(() -> {
                c.setAutoCommit(false);
                c.setReadOnly(true);
                try (Statement s = c.createStatement()) {
                    s.setFetchSize(1);
                    dump("fetchsize", s.executeQuery("SELECT id, customer, amount FROM orders ORDER BY id"));
                } finally {
                    c.rollback();
                    c.setReadOnly(false);
                    c.setAutoCommit(true);
                }
            });

            section("types outside pgjdbc's built-in cache (int8[], jsonb, regclass)");
            guard(() -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(
                            "SELECT ARRAY[id] AS ids, to_jsonb(customer) AS j, 'orders'::regclass AS rc FROM orders ORDER BY id LIMIT 1")) {
                ResultSetMetaData m = rs.getMetaData();
                for (int j = 1; j <= m.getColumnCount(); j++) {
                    System.out.println("  col " + m.getColumnName(j) + " type=" + m.getColumnTypeName(j)
                            + " sqlType=" + m.getColumnType(j) + " class=" + m.getColumnClassName(j));
                }
                rs.next();
                Array a = rs.getArray(1);
                System.out.println("  arr basetype=" + a.getBaseTypeName() + " values=" + Arrays.toString((Object[]) a.getArray())
                        + " j=" + rs.getString(2) + " rc=" + rs.getString(3));
            }
            });
        }
        section("close");
    }

    interface Step {
        void run() throws SQLException;
    }

    // guard runs one step and prints its error instead of stopping, so that one diff shows every
    // difference.
    static void guard(Step s) {
        try {
            s.run();
        } catch (SQLException e) {
            System.out.println("  ERROR " + e.getSQLState() + ": " + e.getMessage().split("\n")[0]);
        }
    }

    static void section(String name) {
        System.out.println("=== " + name);
    }

    static void dump(String label, ResultSet rs) throws SQLException {
        ResultSetMetaData m = rs.getMetaData();
        List<String> cols = new ArrayList<>();
        for (int i = 1; i <= m.getColumnCount(); i++) cols.add(m.getColumnName(i));
        System.out.println("  [" + label + "] columns: " + String.join(",", cols));
        int schemaCol = cols.indexOf("TABLE_SCHEM") >= 0 ? cols.indexOf("TABLE_SCHEM") : cols.indexOf("table_schem");
        List<String> rows = new ArrayList<>();
        while (rs.next()) {
            if (schemaCol >= 0 && "runnel_catalog".equals(rs.getString(schemaCol + 1))) {
                continue;
            }
            StringBuilder sb = new StringBuilder("   ");
            for (int i = 1; i <= m.getColumnCount(); i++) sb.append(" ").append(rs.getString(i));
            rows.add(sb.toString());
        }
        rs.close();
        for (String r : rows) System.out.println(r);
        System.out.println("  rows=" + rows.size());
    }
}
