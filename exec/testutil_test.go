package exec

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// Test-only expressions, so that operator tests do not depend on package expr's constructors.

// colRef is input column i.
type colRef struct {
	i int
	t types.T
}

func (c colRef) Type() types.T  { return c.t }
func (c colRef) String() string { return fmt.Sprintf("#%d", c.i) }
func (c colRef) Eval(_ *expr.Context, cols []arrow.Array, _ int) (arrow.Array, error) {
	cols[c.i].Retain()
	return cols[c.i], nil
}

// lessThan is `#a < #b` over int64 columns with SQL NULL semantics.
type lessThan struct{ a, b int }

func (l lessThan) Type() types.T  { return types.BoolT }
func (l lessThan) String() string { return fmt.Sprintf("(#%d < #%d)", l.a, l.b) }
func (l lessThan) Eval(ctx *expr.Context, cols []arrow.Array, n int) (arrow.Array, error) {
	x, y := cols[l.a].(*array.Int64), cols[l.b].(*array.Int64)
	b := array.NewBooleanBuilder(ctx.Allocator())
	defer b.Release()
	for i := 0; i < n; i++ {
		if x.IsNull(i) || y.IsNull(i) {
			b.AppendNull()
		} else {
			b.Append(x.Value(i) < y.Value(i))
		}
	}
	return b.NewArray(), nil
}

// refLess is lessThan on Datum rows: true, false or nil.
func refLess(row []types.Datum, a, b int) types.Datum {
	if row[a] == nil || row[b] == nil {
		return nil
	}
	return row[a].(int64) < row[b].(int64)
}

// fmtDatum renders a Datum canonically for comparing results.
func fmtDatum(d types.Datum) string {
	switch v := d.(type) {
	case nil:
		return "NULL"
	case types.NumericValue:
		return "N" + v.String()
	case float64:
		return fmt.Sprintf("F%g", v)
	}
	return fmt.Sprintf("%T:%v", d, d)
}

func fmtRow(row []types.Datum) string {
	parts := make([]string, len(row))
	for i, d := range row {
		parts[i] = fmtDatum(d)
	}
	return strings.Join(parts, "|")
}

// zmap is a Z-set in plain Go form: rendered row → weight (no zero weights).
type zmap map[string]int64

// zmapRows remembers the row behind every rendered key, for references that post-process a
// reference result (tests do not run in parallel).
var zmapRows = map[string][]types.Datum{}

func (m zmap) add(row []types.Datum, w int64) {
	k := fmtRow(row)
	zmapRows[k] = row
	m[k] += w
	if m[k] == 0 {
		delete(m, k)
	}
}

func (m zmap) addBatch(t *testing.T, b zset.Batch) {
	t.Helper()
	seen := map[string]bool{}
	for i, w := range b.Weights() {
		row := zset.RowAt(b.Cols(), i)
		k := fmtRow(row)
		if w == 0 || seen[k] {
			t.Fatalf("output not consolidated: row %s weight %d (duplicate %v)", k, w, seen[k])
		}
		seen[k] = true
		m.add(row, w)
	}
}

func diffZ(got, want zmap) string {
	var lines []string
	for k, w := range want {
		if got[k] != w {
			lines = append(lines, fmt.Sprintf("  %s: got %d want %d", k, got[k], w))
		}
	}
	for k, w := range got {
		if _, ok := want[k]; !ok {
			lines = append(lines, fmt.Sprintf("  %s: got %d want 0", k, w))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// relation is a multiset of rows held by a test as the accumulated input.
type relation struct {
	rows   map[string][]types.Datum
	counts map[string]int64
}

func newRelation() *relation {
	return &relation{rows: map[string][]types.Datum{}, counts: map[string]int64{}}
}

func (r *relation) apply(row []types.Datum, w int64) {
	k := fmtRow(row)
	r.rows[k] = row
	r.counts[k] += w
	if r.counts[k] == 0 {
		delete(r.counts, k)
		delete(r.rows, k)
	}
}

// each calls f for every row with its multiplicity, in a deterministic order.
func (r *relation) each(f func(row []types.Datum, n int64)) {
	keys := make([]string, 0, len(r.counts))
	for k := range r.counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f(r.rows[k], r.counts[k])
	}
}

// delta is one epoch's changes to a relation.
type delta struct {
	rows [][]types.Datum
	ws   []int64
}

// randomDelta draws changes to rel: inserts of gen() rows, deletes of live rows, sometimes
// everything deleted. The changes are applied to rel.
func randomDelta(rng *rand.Rand, rel *relation, gen func() []types.Datum) delta {
	var d delta
	if len(rel.counts) > 0 && rng.Intn(12) == 0 {
		rel.each(func(row []types.Datum, n int64) { d.rows, d.ws = append(d.rows, row), append(d.ws, -n) })
	} else {
		for k := rng.Intn(8); k > 0; k-- {
			if len(rel.counts) > 0 && rng.Intn(3) == 0 {
				var live [][]types.Datum
				var ns []int64
				rel.each(func(row []types.Datum, n int64) { live, ns = append(live, row), append(ns, n) })
				p := rng.Intn(len(live))
				w := -int64(1 + rng.Intn(int(ns[p])))
				d.rows, d.ws = append(d.rows, live[p]), append(d.ws, w)
				rel.apply(live[p], w)
				continue
			}
			row := gen()
			w := int64(1 + rng.Intn(2))
			d.rows, d.ws = append(d.rows, row), append(d.ws, w)
			rel.apply(row, w)
		}
		return d
	}
	for i, row := range d.rows {
		rel.apply(row, d.ws[i])
	}
	return d
}

// batch builds d as a consolidated batch (deletes and inserts of one row merge).
func (d delta) batch(mem memory.Allocator, ts []types.T) zset.Batch {
	b := zset.NewBuilder(mem, ts)
	for i, row := range d.rows {
		b.AppendRow(row, d.ws[i])
	}
	return zset.Consolidate(mem, b.Build())
}

func maybeNull(rng *rand.Rand, d types.Datum) types.Datum {
	if rng.Intn(6) == 0 {
		return nil
	}
	return d
}

func newMem(t testing.TB) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// oracle drives op for epochs epochs over random deltas of its inputs and checks the view
// invariant after every epoch: the accumulated output equals ref over the accumulated inputs.
func oracle(t *testing.T, seed int64, epochs int, op func() Operator, inTypes [][]types.T,
	gens []func(*rand.Rand) []types.Datum, ref func(rels []*relation) zmap) {
	t.Helper()
	mem := newMem(t)
	ctx := &expr.Context{Mem: mem}
	rng := rand.New(rand.NewSource(seed))
	o := op()
	rels := make([]*relation, len(inTypes))
	for i := range rels {
		rels[i] = newRelation()
	}
	got := zmap{}
	for e := 0; e < epochs; e++ {
		in := make([]zset.Batch, len(inTypes))
		for i := range in {
			var d delta
			if rng.Intn(4) != 0 {
				d = randomDelta(rng, rels[i], func() []types.Datum { return gens[i](rng) })
			}
			in[i] = d.batch(mem, inTypes[i])
		}
		out, err := o.Step(ctx, in)
		for _, b := range in {
			b.Release()
		}
		if err != nil {
			t.Fatalf("seed %d epoch %d: %v", seed, e, err)
		}
		if !zset.IsConsolidated(out) {
			t.Fatalf("seed %d epoch %d: %s: output not consolidated", seed, e, o.Explain())
		}
		got.addBatch(t, out)
		out.Release()
		if d := diffZ(got, ref(rels)); d != "" {
			t.Fatalf("seed %d epoch %d: %s: view differs from recomputation:\n%s", seed, e, o.Explain(), d)
		}
	}
}

func sqlerrCode(err error) string { return sqlerr.Code(err) }
