package main

import (
	"database/sql"
	"errors"
	"testing"

	"github.com/lib/pq"
)

// TestLibPQ drives the server with lib/pq through database/sql: simple queries, parameters
// (unnamed prepared statements), a named prepared statement and errors with SQLSTATE and position.
func TestLibPQ(t *testing.T) {
	s := startServer(t, t.TempDir())
	db, err := sql.Open("postgres", "host=127.0.0.1 port="+portOf(s)+" user=runnel dbname=runnel sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE TABLE kv (k text PRIMARY KEY, v double precision)",
		"CREATE MATERIALIZED VIEW total AS SELECT count(*) AS n, sum(v) AS s FROM kv",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	ins, err := db.Prepare("INSERT INTO kv VALUES ($1, $2)")
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range []string{"a", "b", "c"} {
		if _, err := ins.Exec(k, float64(i)+0.5); err != nil {
			t.Fatal(err)
		}
	}
	ins.Close()
	var n int64
	var sum float64
	if err := db.QueryRow("SELECT n, s FROM total").Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	if n != 3 || sum != 4.5 {
		t.Errorf("total = %d, %v; want 3, 4.5", n, sum)
	}
	var v float64
	if err := db.QueryRow("SELECT v FROM kv WHERE k = $1", "b").Scan(&v); err != nil || v != 1.5 {
		t.Errorf("point query: %v, %v", v, err)
	}
	_, err = db.Exec("SELECT nope FROM kv")
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "42703" || pqErr.Position != "8" {
		t.Errorf("undefined column: %#v", err)
	}
}
