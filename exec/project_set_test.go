package exec

import (
	"sort"
	"testing"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// TestProjectSetZipsAndKeepsWeights expands rows (id, arr, n) by unnest(arr) zipped with
// generate_series(1, n): the shorter side is padded with NULLs, a row for which both yield
// nothing disappears, and every output row carries its input row's weight (deletions too).
func TestProjectSetZipsAndKeepsWeights(t *testing.T) {
	mem := newMem(t)
	defer mem.AssertSize(t, 0)
	intArr, _ := types.ArrayOf(types.Int32T)
	in := []types.T{types.Int64T, intArr, types.Int64T}
	op := NewProjectSet(in, []SetFunc{
		{Name: "unnest", Args: []expr.Expr{colRef{1, intArr}}, Types: []types.T{types.Int32T}},
		{Name: "generate_series", Args: []expr.Expr{expr.Const(int64(1), types.Int64T), colRef{2, types.Int64T}}, Types: []types.T{types.Int64T}},
	})
	b := zset.NewBuilder(mem, in)
	b.Append(1, int64(1), types.ArrayValue{int64(10), int64(20), nil}, int64(1))
	b.Append(-1, int64(2), types.ArrayValue{}, int64(2))
	b.Append(2, int64(3), nil, int64(0))
	b.Append(1, int64(4), types.ArrayValue{int64(7)}, nil)
	batch := b.Build()
	b.Release()
	defer batch.Release()
	out, err := op.Step(&expr.Context{Mem: mem}, []zset.Batch{batch})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	var got []string
	for i := 0; i < out.NumRows(); i++ {
		got = append(got, fmtRow(zset.RowAt(out.Cols(), i)[:1])+"|"+fmtRow(zset.RowAt(out.Cols(), i)[3:])+"|"+fmtDatum(out.Weights()[i]))
	}
	sort.Strings(got)
	want := []string{
		"int64:1|NULL|NULL|int64:1",
		"int64:1|int64:10|int64:1|int64:1",
		"int64:1|int64:20|NULL|int64:1",
		"int64:2|NULL|int64:1|int64:-1",
		"int64:2|NULL|int64:2|int64:-1",
		"int64:4|int64:7|NULL|int64:1",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows %v, want %v", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %s, want %s", i, got[i], want[i])
		}
	}
}
