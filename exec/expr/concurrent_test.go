package expr

import (
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
)

// TestConcurrentEval runs one expression tree from several goroutines with distinct Contexts, as
// operators sharing a plan do; run with -race.
func TestConcurrentEval(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := types.MakeArray(mem, types.TextT, []types.Datum{"abc", "xbz", nil, "a2b"})
	p := types.MakeArray(mem, types.TextT, []types.Datum{"a%", "%b%", "x", "_2_"})
	defer s.Release()
	defer p.Release()
	cols := []arrow.Array{s, p}
	sc, pc := Column(0, types.TextT), Column(1, types.TextT)
	e := must(t)(Case([]When{
		{Cond: must(t)(Like(sc, pc, nil, false, false)), Result: must(t)(Call("substring", []Expr{sc, lit("[0-9]")}))},
		{Cond: must(t)(Call("~", []Expr{sc, pc})), Result: must(t)(Call("upper", []Expr{sc}))},
	}, must(t)(Call("||", []Expr{sc, lit("!")}))))
	want := []string{"NULL", "NULL", "NULL", "2"}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := &Context{Mem: mem}
			for k := 0; k < 50; k++ {
				arr, err := e.Eval(ctx, cols, 4)
				if err != nil {
					errs <- err.Error()
					return
				}
				for i, w := range want {
					got := "NULL"
					if arr.IsValid(i) {
						got = render(arr, i, e.Type())
					}
					if got != w {
						errs <- got + " != " + w
					}
				}
				arr.Release()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Fatal(msg)
	}
}
