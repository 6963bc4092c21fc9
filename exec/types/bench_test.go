package types

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestHotPathsDoNotAllocate(t *testing.T) {
	a, b := mustNumeric(t, "12345.678"), mustNumeric(t, "-0.001")
	var sink NumericValue
	if n := testing.AllocsPerRun(100, func() { sink, _ = NumericAdd(a, b) }); n != 0 {
		t.Errorf("NumericAdd allocates %v times", n)
	}
	c := mustNumeric(t, "1.5")
	if n := testing.AllocsPerRun(100, func() { sink, _ = NumericAdd(a, c) }); n != 0 {
		t.Errorf("NumericAdd (mixed scales) allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { sink, _ = NumericMul(a, c) }); n != 0 {
		t.Errorf("NumericMul allocates %v times", n)
	}
	_ = sink
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, c := range benchColumns(mem) {
		buf := make([]byte, 0, 64)
		if n := testing.AllocsPerRun(100, func() { buf = AppendText(buf[:0], c.arr, 1, c.typ, nil) }); n != 0 {
			t.Errorf("AppendText %s allocates %v times", c.typ, n)
		}
		c.arr.Release()
	}
}

type benchColumn struct {
	typ T
	arr arrow.Array
}

func benchColumns(mem memory.Allocator) []benchColumn {
	num, _ := ParseNumeric("-1234567.891")
	return []benchColumn{
		{Int64T, MakeArray(mem, Int64T, []Datum{int64(0), int64(-1234567890123)})},
		{Float64T, MakeArray(mem, Float64T, []Datum{0.0, 123456.789e-3})},
		{NumericT, MakeArray(mem, NumericT, []Datum{NumericValue{}, num})},
		{TimestampT, MakeArray(mem, TimestampT, []Datum{TimestampValue(0), TimestampValue(1705314600123456)})},
		{IntervalT, MakeArray(mem, IntervalT, []Datum{IntervalValue{}, IntervalValue{Months: 14, Days: 3, Micros: 14706500000}})},
	}
}

func BenchmarkNumericAdd(b *testing.B) {
	b.Run("same-scale", func(b *testing.B) {
		x, y := mustNumeric(b, "12345.678"), mustNumeric(b, "-0.001")
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			x, _ = NumericAdd(x, y)
		}
	})
	b.Run("mixed-scale", func(b *testing.B) {
		x, y := mustNumeric(b, "12345.678"), mustNumeric(b, "-1")
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			x, _ = NumericAdd(x, y)
		}
	})
}

func BenchmarkNumericDiv(b *testing.B) {
	x, y := mustNumeric(b, "12345.678"), NumericFromInt64(7)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_, _ = NumericDiv(x, y)
	}
}

func BenchmarkAppendText(b *testing.B) {
	mem := memory.NewGoAllocator()
	for _, c := range benchColumns(mem) {
		b.Run(c.typ.String(), func(b *testing.B) {
			buf := make([]byte, 0, 64)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				buf = AppendText(buf[:0], c.arr, 1, c.typ, nil)
			}
		})
		c.arr.Release()
	}
	b.Run("timestamptz-Kolkata", func(b *testing.B) {
		loc, _ := time.LoadLocation("Asia/Kolkata")
		arr := MakeArray(mem, TimestampTZT, []Datum{TimestampValue(1705314600123456)})
		defer arr.Release()
		buf := make([]byte, 0, 64)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			buf = AppendText(buf[:0], arr, 0, TimestampTZT, loc)
		}
	})
}

func BenchmarkParseText(b *testing.B) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	for _, c := range []struct {
		typ T
		in  string
	}{
		{Int64T, "1234567890"},
		{Float64T, "123.456"},
		{NumericT, "-1234567.891"},
		{DateT, "2024-01-15"},
		{TimestampT, "2024-01-15 10:30:00.123456"},
		{TimestampTZT, "2024-01-15 10:30:00+02"},
		{TimestampTZT, "2024-01-15 10:30:00"},
		{IntervalT, "1 day 02:03:04"},
		{JSONBT, `{"b": [1, 2], "a": "x"}`},
	} {
		b.Run(c.typ.String()+"/"+c.in, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := ParseText(c.in, c.typ, loc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
