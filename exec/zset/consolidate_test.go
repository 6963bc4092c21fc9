package zset

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
)

var propTypes = []types.T{types.Int16T, types.NumericT, types.Float64T, types.TextT, types.IntervalT, types.BoolT}

func randRow(rng *rand.Rand) []types.Datum {
	null := func(d types.Datum) types.Datum {
		if rng.Intn(5) == 0 {
			return nil
		}
		return d
	}
	scale := int8(rng.Intn(3))
	coef := int64(rng.Intn(3))
	for s := int8(0); s < scale; s++ {
		coef *= 10 // same small set of values at several display scales
	}
	f := []float64{0, math.Copysign(0, -1), 1.5, math.NaN(), math.Inf(-1)}[rng.Intn(5)]
	iv := []types.IntervalValue{{Months: 1}, {Days: 30}, {Days: 1}, {Micros: 86_400_000_000}}[rng.Intn(4)]
	return []types.Datum{null(int64(rng.Intn(3) - 1)), null(num(coef, scale)), null(f),
		null([]string{"", "a", "ab"}[rng.Intn(3)]), null(iv), null(rng.Intn(2) == 0)}
}

// canon renders a row by value: the reference notion of grouping equality.
func canon(row []types.Datum) string {
	s := ""
	for _, d := range row {
		switch v := d.(type) {
		case types.NumericValue:
			s += v.Normalize().String()
		case float64:
			if v == 0 {
				v = 0
			}
			s += fmt.Sprint(v)
		case types.IntervalValue:
			s += fmt.Sprint(int64(v.Months)*30*86_400_000_000 + int64(v.Days)*86_400_000_000 + v.Micros)
		default:
			s += fmt.Sprint(d)
		}
		s += "|"
	}
	return s
}

// ident renders a row exactly: the reference notion of Z-set row identity (RowsIdentical).
func ident(row []types.Datum) string {
	s := ""
	for _, d := range row {
		switch v := d.(type) {
		case types.NumericValue:
			s += v.String()
		case float64:
			if math.IsNaN(v) {
				v = math.NaN()
			}
			s += fmt.Sprint(math.Float64bits(v))
		default:
			s += fmt.Sprint(d)
		}
		s += "|"
	}
	return s
}

func TestConsolidateRandom(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewSource(7))
	for iter := 0; iter < 300; iter++ {
		b := NewBuilder(mem, propTypes)
		want := map[string]int64{}
		for n := rng.Intn(60); n > 0; n-- {
			row := randRow(rng)
			w := int64(rng.Intn(5) - 2)
			b.AppendRow(row, w)
			want[ident(row)] += w
		}
		for k, w := range want {
			if w == 0 {
				delete(want, k)
			}
		}
		in := b.Build()
		h := make([]uint64, in.NumRows())
		HashRows(in.Cols(), h)
		keys := EncodeKeys(nil, in.Cols(), in.NumRows())
		for i := range h {
			for j := range h {
				eq := RowsEqual(in.Cols(), i, in.Cols(), j)
				ri, rj := RowAt(in.Cols(), i), RowAt(in.Cols(), j)
				if eq != (canon(ri) == canon(rj)) || eq != (string(keys[i]) == string(keys[j])) || eq && h[i] != h[j] {
					t.Fatalf("rows %v and %v: RowsEqual %v, keys equal %v, hashes %x %x", ri, rj, eq,
						string(keys[i]) == string(keys[j]), h[i], h[j])
				}
			}
		}
		out := Consolidate(mem, in)
		if !IsConsolidated(out) {
			t.Fatal("IsConsolidated(Consolidate(b)) is false")
		}
		got := map[string]int64{}
		for i, w := range out.Weights() {
			k := ident(RowAt(out.Cols(), i))
			if w == 0 || got[k] != 0 {
				t.Fatalf("not consolidated: %s weight %d", k, w)
			}
			got[k] = w
		}
		out.Release()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("iter %d: got %v\nwant %v", iter, got, want)
		}
	}
}
