package expr

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
)

func benchInt64Col(mem memory.Allocator, n int) arrow.Array {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	for i := 0; i < n; i++ {
		b.Append(int64(i * 7))
	}
	return b.NewArray()
}

func benchEval(b *testing.B, e Expr, cols []arrow.Array, n int) {
	ctx := &Context{Mem: memory.DefaultAllocator}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := e.Eval(ctx, cols, n)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
	b.SetBytes(int64(n * 8))
}

func BenchmarkInt64Add(b *testing.B) {
	for _, n := range []int{16, 1024, 16384} {
		col := benchInt64Col(memory.DefaultAllocator, n)
		cols := []arrow.Array{col, col}
		b.Run(fmt.Sprintf("col+col/%d", n), func(b *testing.B) {
			e, _ := Call("+", []Expr{Column(0, types.Int64T), Column(1, types.Int64T)})
			benchEval(b, e, cols, n)
		})
		b.Run(fmt.Sprintf("col+const/%d", n), func(b *testing.B) {
			e, _ := Call("+", []Expr{Column(0, types.Int64T), Const(int64(1), types.Int64T)})
			benchEval(b, e, cols, n)
		})
		col.Release()
	}
}

func BenchmarkInt64Compare(b *testing.B) {
	for _, n := range []int{16, 1024, 16384} {
		col := benchInt64Col(memory.DefaultAllocator, n)
		cols := []arrow.Array{col, col}
		b.Run(fmt.Sprintf("col>const/%d", n), func(b *testing.B) {
			e, _ := Call(">", []Expr{Column(0, types.Int64T), Const(int64(5000), types.Int64T)})
			benchEval(b, e, cols, n)
		})
		b.Run(fmt.Sprintf("col=col/%d", n), func(b *testing.B) {
			e, _ := Call("=", []Expr{Column(0, types.Int64T), Column(1, types.Int64T)})
			benchEval(b, e, cols, n)
		})
		col.Release()
	}
}

func BenchmarkLike(b *testing.B) {
	const n = 1024
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	for i := 0; i < n; i++ {
		sb.Append("customer-" + strconv.Itoa(i) + "-account-" + strconv.Itoa(i*31))
	}
	col := sb.NewArray()
	sb.Release()
	defer col.Release()
	for _, p := range []string{"customer-1%", "%account-3%", "%-1_-account%"} {
		b.Run(p, func(b *testing.B) {
			e, err := Like(Column(0, types.TextT), Const(p, types.UnknownT), nil, false, false)
			if err != nil {
				b.Fatal(err)
			}
			benchEval(b, e, []arrow.Array{col}, n)
		})
	}
}
