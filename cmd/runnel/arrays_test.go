package main

import (
	"context"
	"reflect"
	"testing"
)

// TestArraysPgx reads and sends arrays in PostgreSQL's binary array format through pgx (which
// asks for binary results of array types in the extended protocol).
func TestArraysPgx(t *testing.T) {
	s := startServer(t, t.TempDir())
	c := connect(t, s)
	ctx := context.Background()

	var ints []int32
	var texts []*string
	var big []int64
	if err := c.QueryRow(ctx, `SELECT ARRAY[1, 2, 3], ARRAY['a b', NULL, 'x"y'], '{}'::int8[]`).Scan(&ints, &texts, &big); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ints, []int32{1, 2, 3}) || len(texts) != 3 || *texts[0] != "a b" || texts[1] != nil || *texts[2] != `x"y` || len(big) != 0 {
		t.Errorf("binary arrays = %v %v %v", ints, texts, big)
	}

	// int2vector is 0-based; pgx does not know its OID and reads its text form, as it does from
	// PostgreSQL. Cast to smallint[], it comes in binary with lower bound 0.
	var vec string
	var first int16
	var plain []int16
	if err := c.QueryRow(ctx, `SELECT '4 5'::int2vector, ('4 5'::int2vector)[0], '4 5'::int2vector::int2[]`).Scan(&vec, &first, &plain); err != nil {
		t.Fatal(err)
	}
	if vec != "4 5" || first != 4 || !reflect.DeepEqual(plain, []int16{4, 5}) {
		t.Errorf("int2vector = %q, [0] = %d, ::int2[] = %v", vec, first, plain)
	}

	// Array parameters, sent in binary by pgx.
	var hit bool
	var joined string
	if err := c.QueryRow(ctx, `SELECT 3 = ANY($1::int[]), array_to_string($2::text[], '/')`, []int32{1, 3}, []string{"p", "q"}).Scan(&hit, &joined); err != nil {
		t.Fatal(err)
	}
	if !hit || joined != "p/q" {
		t.Errorf("array parameters: %v %q", hit, joined)
	}

	// oid[] goes on the wire with 4-byte oid elements (Runnel holds oids in bigints).
	var oids []uint32
	if err := c.QueryRow(ctx, `SELECT '{7,4294967295}'::oid[]`).Scan(&oids); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(oids, []uint32{7, 4294967295}) {
		t.Errorf("oid[] = %v", oids)
	}

	// Text format (the simple protocol) renders arrays as PostgreSQL's array_out.
	if got := rowsText(t, c, `SELECT ARRAY[1,NULL]::text, '1 2'::int2vector::int2[]::text`); got != "{1,NULL}|[0:1]={1,2}" {
		t.Errorf("array text output = %q", got)
	}
}
