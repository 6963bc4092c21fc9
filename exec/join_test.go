package exec

import (
	"math/rand"
	"testing"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/types"
)

var (
	joinLeftTypes  = []types.T{types.Int64T, types.Int64T, types.TextT}
	joinRightTypes = []types.T{types.Int64T, types.Int64T}
)

func genJoinLeft(rng *rand.Rand) []types.Datum {
	return []types.Datum{maybeNull(rng, int64(rng.Intn(4))), maybeNull(rng, int64(rng.Intn(7)-3)), []string{"p", "q"}[rng.Intn(2)]}
}

func genJoinRight(rng *rand.Rand) []types.Datum {
	return []types.Datum{maybeNull(rng, int64(rng.Intn(4))), maybeNull(rng, int64(rng.Intn(7)-3))}
}

// refJoin evaluates the join from scratch with nested loops.
func refJoin(kind JoinKind, keys bool, residual bool, rels []*relation) zmap {
	want := zmap{}
	L, R := rels[0], rels[1]
	matches := func(l, r []types.Datum) bool {
		if keys && (l[0] == nil || r[0] == nil || l[0] != r[0]) {
			return false
		}
		if residual {
			return refLess(append(append([]types.Datum{}, l...), r...), 1, 4) == true
		}
		return true
	}
	nullsL := make([]types.Datum, len(joinLeftTypes))
	nullsR := make([]types.Datum, len(joinRightTypes))
	cat := func(a, b []types.Datum) []types.Datum { return append(append([]types.Datum{}, a...), b...) }
	rMatched := map[string]bool{}
	var rTotal, rNull int64
	R.each(func(r []types.Datum, nr int64) {
		rTotal += nr
		if r[0] == nil {
			rNull += nr
		}
	})
	var rRows [][]types.Datum
	var rNs []int64
	R.each(func(r []types.Datum, nr int64) { rRows, rNs = append(rRows, r), append(rNs, nr) })
	L.each(func(l []types.Datum, nl int64) {
		matched := false
		for i, r := range rRows {
			nr := rNs[i]
			if matches(l, r) {
				matched = true
				rMatched[fmtRow(r)] = true
				if kind <= FullJoin {
					want.add(cat(l, r), nl*nr)
				}
			}
		}
		switch {
		case (kind == LeftJoin || kind == FullJoin) && !matched:
			want.add(cat(l, nullsR), nl)
		case kind == SemiJoin && matched, kind == AntiJoin && !matched:
			want.add(l, nl)
		case kind == NullAwareAntiJoin:
			if rTotal == 0 || (rNull == 0 && l[0] != nil && !matched) {
				want.add(l, nl)
			}
		}
	})
	if kind == RightJoin || kind == FullJoin {
		R.each(func(r []types.Datum, nr int64) {
			if !rMatched[fmtRow(r)] {
				want.add(cat(nullsL, r), nr)
			}
		})
	}
	return want
}

func TestJoinOracle(t *testing.T) {
	kinds := []JoinKind{InnerJoin, LeftJoin, RightJoin, FullJoin, SemiJoin, AntiJoin, NullAwareAntiJoin}
	for _, kind := range kinds {
		for _, keys := range []bool{true, false} {
			for _, residual := range []bool{false, true} {
				if kind == NullAwareAntiJoin && (!keys || residual) {
					continue
				}
				name := kind.String()
				if !keys {
					name += "/nokeys"
				}
				if residual {
					name += "/residual"
				}
				t.Run(name, func(t *testing.T) {
					var lk, rk []int
					if keys {
						lk, rk = []int{0}, []int{0}
					}
					var res expr.Expr
					if residual {
						res = lessThan{1, 4}
					}
					for seed := int64(1); seed <= 20; seed++ {
						oracle(t, seed, 30, func() Operator { return NewJoin(kind, joinLeftTypes, joinRightTypes, lk, rk, res) },
							[][]types.T{joinLeftTypes, joinRightTypes},
							[]func(*rand.Rand) []types.Datum{genJoinLeft, genJoinRight},
							func(rels []*relation) zmap { return refJoin(kind, keys, residual, rels) })
					}
				})
			}
		}
	}
}
