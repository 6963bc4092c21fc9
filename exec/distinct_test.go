package exec

import (
	"math/rand"
	"testing"

	"github.com/runnel-db/runnel/exec/types"
)

var kvTypes = []types.T{types.Int64T, types.TextT}

func genKV(rng *rand.Rand) []types.Datum {
	return []types.Datum{maybeNull(rng, int64(rng.Intn(4))), maybeNull(rng, []string{"a", "b"}[rng.Intn(2)])}
}

func TestDistinctOracle(t *testing.T) {
	for seed := int64(1); seed <= 40; seed++ {
		oracle(t, seed, 30, func() Operator { return NewDistinct(kvTypes) },
			[][]types.T{kvTypes}, []func(*rand.Rand) []types.Datum{genKV},
			func(rels []*relation) zmap {
				want := zmap{}
				rels[0].each(func(row []types.Datum, n int64) {
					if n > 0 {
						want.add(row, 1)
					}
				})
				return want
			})
	}
}

func TestSetOpOracle(t *testing.T) {
	for _, kind := range []SetOpKind{Intersect, IntersectAll, Except, ExceptAll} {
		for seed := int64(1); seed <= 25; seed++ {
			oracle(t, seed, 30, func() Operator { return NewSetOp(kind, kvTypes) },
				[][]types.T{kvTypes, kvTypes}, []func(*rand.Rand) []types.Datum{genKV, genKV},
				func(rels []*relation) zmap {
					want := zmap{}
					count := func(r *relation, row []types.Datum) int64 { return r.counts[fmtRow(row)] }
					seen := map[string]bool{}
					for _, r := range rels {
						r.each(func(row []types.Datum, _ int64) {
							if seen[fmtRow(row)] {
								return
							}
							seen[fmtRow(row)] = true
							a, b := count(rels[0], row), count(rels[1], row)
							var m int64
							switch kind {
							case Intersect:
								if a > 0 && b > 0 {
									m = 1
								}
							case IntersectAll:
								m = min(a, b)
							case Except:
								if a > 0 && b == 0 {
									m = 1
								}
							case ExceptAll:
								m = max(a-b, 0)
							}
							if m > 0 {
								want.add(row, m)
							}
						})
					}
					return want
				})
		}
	}
}
