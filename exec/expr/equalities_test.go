package expr

import (
	"testing"

	"github.com/runnel-db/runnel/exec/types"
)

func TestKeyEqualities(t *testing.T) {
	col0, col1, col2 := Column(0, types.Int64T), Column(1, types.TextT), Column(2, types.Int32T)
	must := func(e Expr, err error) Expr {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	eq0 := must(Call("=", []Expr{col0, Const(int64(7), types.Int64T)}))
	eq1 := must(Call("=", []Expr{Const("x", types.TextT), col1}))
	p := Param(0, types.UnknownT)
	eqParam := must(Call("=", []Expr{col2, p}))
	gt := must(Call(">", []Expr{col0, Const(int64(1), types.Int64T)}))
	widened := must(Call("=", []Expr{col2, Const(int64(3), types.Int64T)})) // int4 column cast to bigint

	ctx := &Context{Params: []types.Datum{int64(5)}}
	got := KeyEqualities(ctx, must(And(eq0, eq1, gt, eqParam)))
	if len(got) != 3 || got[0] != int64(7) || got[1] != "x" || got[2] != int64(5) {
		t.Errorf("AND of equalities: got %v", got)
	}
	if got := KeyEqualities(ctx, must(Or(eq0, eq1))); len(got) != 0 {
		t.Errorf("OR pins nothing, got %v", got)
	}
	if got := KeyEqualities(ctx, widened); len(got) != 0 {
		t.Errorf("a comparison through a cast pins nothing, got %v", got)
	}
}
