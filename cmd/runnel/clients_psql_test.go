package main

import (
	"net"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestPsqlDescribe runs psql 15's describe commands against the real server with the clients'
// schema (testdata/clients/schema.sql). Each expected output is what psql prints against
// PostgreSQL 15 for the same schema (psql -X -h 127.0.0.1 -U postgres runnel_clients -c ...),
// except for what docs/sql.md's catalog section lists as different, which is:
//   - owners: Runnel's bootstrap role runnel, not postgres (and pg_database_owner for public);
//   - \l: the one database runnel, collation C;
//   - \du: the roles that exist (here only runnel);
//   - View definition: the SELECT as written, not PostgreSQL's re-printed form;
//   - sizes: bytes stored in Pebble, not 8 kB pages (masked below as SIZE);
//   - \dn: runnel_catalog is a schema too.
func TestPsqlDescribe(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not installed: install postgresql-client to run this test (.ci/run does)")
	}
	s := startClientsServer(t)
	host, port, _ := net.SplitHostPort(s.addr)
	sizes := regexp.MustCompile(`\d+ (bytes|kB|MB)( *)`)
	run := func(cmds ...string) string {
		args := []string{"-h", host, "-p", port, "-U", "runnel", "-d", "runnel", "-X", "-v", "ON_ERROR_STOP=1", "-P", "pager=off"}
		for _, c := range cmds {
			args = append(args, "-c", c)
		}
		out, err := exec.Command(psql, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("psql %q: %v\n%s", cmds, err, out)
		}
		return sizes.ReplaceAllStringFunc(string(out), func(m string) string {
			return "SIZE" + strings.Repeat(" ", max(0, len(m)-len("SIZE")))
		})
	}
	cases := []struct {
		cmds []string
		want string
	}{
		{[]string{`\d orders`}, `                         Table "public.orders"
   Column   |           Type           | Collation | Nullable | Default 
------------+--------------------------+-----------+----------+---------
 id         | bigint                   |           | not null | 
 customer   | text                     |           | not null | 
 amount     | numeric(10,2)            |           |          | 
 created_at | timestamp with time zone |           |          | now()
Indexes:
    "orders_pkey" PRIMARY KEY, btree (id)

`},
		{[]string{`\d+ orders`}, `                                                    Table "public.orders"
   Column   |           Type           | Collation | Nullable | Default | Storage  | Compression | Stats target | Description 
------------+--------------------------+-----------+----------+---------+----------+-------------+--------------+-------------
 id         | bigint                   |           | not null |         | plain    |             |              | 
 customer   | text                     |           | not null |         | extended |             |              | 
 amount     | numeric(10,2)            |           |          |         | main     |             |              | 
 created_at | timestamp with time zone |           |          | now()   | plain    |             |              | 
Indexes:
    "orders_pkey" PRIMARY KEY, btree (id)
Access method: heap

`},
		{[]string{`\d customer_totals`}, `     Materialized view "public.customer_totals"
  Column  |  Type   | Collation | Nullable | Default 
----------+---------+-----------+----------+---------
 customer | text    |           |          | 
 total    | numeric |           |          | 
 n        | bigint  |           |          | 

`},
		{[]string{`\d+ customer_totals`}, `                                Materialized view "public.customer_totals"
  Column  |  Type   | Collation | Nullable | Default | Storage  | Compression | Stats target | Description 
----------+---------+-----------+----------+---------+----------+-------------+--------------+-------------
 customer | text    |           |          |         | extended |             |              | 
 total    | numeric |           |          |         | main     |             |              | 
 n        | bigint  |           |          |         | plain    |             |              | 
View definition:
 SELECT customer, sum(amount) AS total, count(*) AS n FROM orders GROUP BY customer;
Access method: heap

`},
		{[]string{`\d+ big_orders`}, `                              View "public.big_orders"
  Column  |     Type      | Collation | Nullable | Default | Storage  | Description 
----------+---------------+-----------+----------+---------+----------+-------------
 id       | bigint        |           |          |         | plain    | 
 customer | text          |           |          |         | extended | 
 amount   | numeric(10,2) |           |          |         | main     | 
View definition:
 SELECT id, customer, amount FROM orders WHERE amount > 100;

`},
		{[]string{`\df`}, `                       List of functions
 Schema | Name | Result data type | Argument data types | Type 
--------+------+------------------+---------------------+------
(0 rows)

`},
		{[]string{`\du`}, `                                   List of roles
 Role name |                         Attributes                         | Member of 
-----------+------------------------------------------------------------+-----------
 runnel    | Superuser, Create role, Create DB, Replication, Bypass RLS | {}

`},
		{[]string{`\l`}, `                                        List of databases
  Name  | Owner  | Encoding | Collate | Ctype | ICU Locale | Locale Provider | Access privileges 
--------+--------+----------+---------+-------+------------+-----------------+-------------------
 runnel | runnel | UTF8     | C       | C     |            | libc            | 
(1 row)

`},
		{[]string{`\x`, `\l`}, `Expanded display is on.
List of databases
-[ RECORD 1 ]-----+-------
Name              | runnel
Owner             | runnel
Encoding          | UTF8
Collate           | C
Ctype             | C
ICU Locale        | 
Locale Provider   | libc
Access privileges | 

`},
		{[]string{`\dt+`}, `                                       List of relations
 Schema |    Name     | Type  | Owner  | Persistence | Access method |   Size    | Description 
--------+-------------+-------+--------+-------------+---------------+-----------+-------------
 public | copy_target | table | runnel | permanent   | heap          | SIZE      | 
 public | orders      | table | runnel | permanent   | heap          | SIZE      | 
(2 rows)

`},
		{[]string{`\dm+`}, `                                              List of relations
 Schema |      Name       |       Type        | Owner  | Persistence | Access method |   Size   | Description 
--------+-----------------+-------------------+--------+-------------+---------------+----------+-------------
 public | customer_totals | materialized view | runnel | permanent   | heap          | SIZE     | 
(1 row)

`},
	}
	for _, c := range cases {
		if got := run(c.cmds...); got != c.want {
			t.Errorf("psql %q:\n%s\nwant:\n%s", c.cmds, got, c.want)
		}
	}
	// Sizes are real: the table with rows is larger than the empty one.
	args := []string{"-h", host, "-p", port, "-U", "runnel", "-d", "runnel", "-X", "-At", "-c",
		"SELECT pg_table_size('orders') > pg_table_size('copy_target'), pg_table_size('copy_target')"}
	if out, err := exec.Command(psql, args...).CombinedOutput(); err != nil || string(out) != "t|0\n" {
		t.Errorf("sizes: %q, %v", out, err)
	}
}
