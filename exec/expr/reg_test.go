package expr

import (
	"testing"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// fakeCatalog knows one relation, orders = 16385.
type fakeCatalog struct{}

func (fakeCatalog) RegName(r types.RegKind, oid int64) (string, error) {
	if r == types.RegClass && oid == 16385 {
		return "orders", nil
	}
	return "", sqlerr.New(sqlerr.Internal, "unexpected lookup %s %d", r, oid)
}

func (fakeCatalog) RegOID(r types.RegKind, name string) (int64, error) {
	if r == types.RegClass && name == "orders" {
		return 16385, nil
	}
	return 0, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", name)
}

func TestRegCasts(t *testing.T) {
	ctx := &Context{Catalog: fakeCatalog{}}
	eval := func(e Expr, err error) (types.Datum, error) {
		if err != nil {
			return nil, err
		}
		return EvalConst(ctx, e)
	}
	// A numeric literal needs no catalog; a name is looked up when evaluated.
	if v, err := eval(Cast(Const("16385", types.UnknownT), types.RegClassT)); err != nil || v != int64(16385) {
		t.Errorf("'16385'::regclass = %v, %v", v, err)
	}
	if v, err := eval(Cast(Const("orders", types.TextT), types.RegClassT)); err != nil || v != int64(16385) {
		t.Errorf("'orders'::text::regclass = %v, %v", v, err)
	}
	if _, err := eval(Cast(Const("nope", types.UnknownT), types.RegClassT)); sqlerr.Code(err) != sqlerr.UndefinedTable {
		t.Errorf("'nope'::regclass: %v", err)
	}
	reg, err := Cast(Const(int64(16385), types.Int64T), types.RegClassT)
	if err != nil || reg.Type() != types.RegClassT {
		t.Fatalf("16385::regclass: %v, %v", reg, err)
	}
	if v, err := eval(Cast(reg, types.TextT)); err != nil || v != "orders" {
		t.Errorf("16385::regclass::text = %v, %v", v, err)
	}
	// Without a catalog a reg value prints as its number, and names cannot be read.
	if v, err := EvalConst(&Context{}, must(t)(Cast(reg, types.TextT))); err != nil || v != "16385" {
		t.Errorf("without catalog: %v, %v", v, err)
	}
	if _, err := EvalConst(&Context{}, must(t)(Cast(Const("orders", types.TextT), types.RegClassT))); sqlerr.Code(err) != sqlerr.FeatureNotSupported {
		t.Errorf("without catalog: %v", err)
	}
	// oid is a bigint: it compares with integers and reports OID 26.
	if types.OidT.OID() != 26 || types.RegClassT.String() != "regclass" {
		t.Errorf("oid %d, %s", types.OidT.OID(), types.RegClassT)
	}
	if v, err := eval(Call("=", []Expr{reg, Const(int64(16385), types.Int32T)})); err != nil || v != true {
		t.Errorf("regclass = int: %v, %v", v, err)
	}
}
