package engine

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
	"github.com/runnel-db/runnel/storage"
)

// TestSlotLog appends random deltas (with retractions) to a state slot log across committed
// epochs, with compactions in the epoch and in the background, and checks after each that
// loading the log gives the sum of the deltas, and that compaction keeps the log small.
func TestSlotLog(t *testing.T) {
	for _, background := range []bool{false, true} {
		t.Run(fmt.Sprint("background=", background), func(t *testing.T) { testSlotLog(t, background) })
	}
}

func testSlotLog(t *testing.T, background bool) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	db, err := storage.Open(storage.DefaultOptions(storage.MemoryDir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ts := []types.T{types.Int64T, types.TextT, types.NumericT}
	l := newSlotLog(stateID(3, 1), ts)
	l.compactAt = 2000
	if background {
		l.bg = &backgroundCompactor{db: db, mem: mem}
		defer l.bg.wg.Wait()
	}
	rng := rand.New(rand.NewSource(1))
	want := map[string]int64{}
	compactions := 0
	for epoch := 0; epoch < 60; epoch++ {
		b := zset.NewBuilder(mem, ts)
		for i := rng.Intn(40); i > 0; i-- {
			k := rng.Int63n(30)
			row := []types.Datum{k, fmt.Sprint("v", k%7), nil}
			key := fmt.Sprint(row)
			w := int64(1 + rng.Intn(3))
			if want[key] > 0 && rng.Intn(3) == 0 {
				w = -want[key]
			}
			want[key] += w
			b.AppendRow(row, w)
		}
		delta := zset.Consolidate(mem, b.Build())
		wb := db.NewBatch()
		before := l.runs
		if err := l.append(wb, mem, delta); err != nil {
			t.Fatal(err)
		}
		delta.Release()
		if l.runs < before {
			compactions++
		}
		if err := wb.Commit(false); err != nil {
			t.Fatal(err)
		}
		wb.Close()
		if background && epoch%3 == 0 && l.compacting != nil {
			<-l.compacting.done // finished before the next epoch; otherwise it spans several
		}

		fresh := newSlotLog(l.id, ts)
		snap := db.NewSnapshot()
		got, err := fresh.load(snap, mem)
		snap.Close()
		if err != nil {
			t.Fatal(err)
		}
		gotMap := map[string]int64{}
		cols, ws := got.Cols(), got.Weights()
		for i := range ws {
			gotMap[fmt.Sprint(zset.RowAt(cols, i))] += ws[i]
		}
		got.Release()
		for k, w := range want {
			if w != 0 && gotMap[k] != w {
				t.Fatalf("epoch %d: row %s has weight %d, want %d", epoch, k, gotMap[k], w)
			}
			if w == 0 && gotMap[k] != 0 {
				t.Fatalf("epoch %d: row %s should be gone, has weight %d", epoch, k, gotMap[k])
			}
		}
		if fresh.next != l.next {
			t.Fatalf("epoch %d: a loaded log continues at run %d, the writer at %d", epoch, fresh.next, l.next)
		}
	}
	if compactions < 3 {
		t.Fatalf("only %d compactions in 60 epochs", compactions)
	}
	if l.runs > 12 {
		t.Fatalf("the log has %d runs after 60 epochs: compaction does not keep up", l.runs)
	}
}
