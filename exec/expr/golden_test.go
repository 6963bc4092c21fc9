package expr

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// goldenCase is one line of testdata/pg_golden.tsv: an operator, function or cast applied to
// literal arguments, with PostgreSQL 15's output (text, \N for NULL, or "ERROR <sqlstate>").
type goldenCase struct {
	line  int
	op    string
	types []types.T
	args  []string
	want  string
}

var typeNames = map[string]types.T{
	"int2": types.Int16T, "int4": types.Int32T, "int8": types.Int64T, "float4": types.Float32T,
	"float8": types.Float64T, "numeric": types.NumericT, "text": types.TextT, "varchar": types.VarcharT,
	"bool": types.BoolT, "date": types.DateT, "timestamp": types.TimestampT,
	"timestamptz": types.TimestampTZT, "interval": types.IntervalT, "jsonb": types.JSONBT,
	"unknown": types.UnknownT, // an untyped string literal
}

func parseTypeName(t *testing.T, s string) types.T {
	if i := strings.IndexByte(s, '('); i > 0 {
		base := parseTypeName(t, s[:i])
		parts := strings.Split(strings.TrimSuffix(s[i+1:], ")"), ",")
		p, _ := strconv.Atoi(parts[0])
		base.Precision = int32(p)
		if len(parts) > 1 {
			sc, _ := strconv.Atoi(parts[1])
			base.Scale = int32(sc)
		}
		return base
	}
	ty, ok := typeNames[s]
	if !ok {
		t.Fatalf("unknown type %q", s)
	}
	return ty
}

func loadGolden(t *testing.T) []goldenCase {
	f, err := os.Open("testdata/pg_golden.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []goldenCase
	sc := bufio.NewScanner(f)
	ln := 0
	for sc.Scan() {
		ln++
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Split(line, "\t")
		c := goldenCase{line: ln, op: fs[0], want: fs[len(fs)-1]}
		for _, tn := range strings.Split(fs[1], ",") {
			c.types = append(c.types, parseTypeName(t, tn))
		}
		c.args = fs[2 : len(fs)-2]
		out = append(out, c)
	}
	return out
}

// buildGolden constructs the expression for c over the given argument expressions.
func buildGolden(c goldenCase, t *testing.T, args []Expr) (Expr, error) {
	switch {
	case strings.HasPrefix(c.op, "::"):
		return Cast(args[0], parseTypeName(t, c.op[2:]))
	case c.op == "u-":
		return Call("-", args)
	}
	return Call(c.op, args)
}

func datumOf(t *testing.T, s string, ty types.T) types.Datum {
	if s == `\N` {
		return nil
	}
	d, err := types.ParseText(s, ty, time.UTC)
	if err != nil {
		t.Fatalf("parse %q as %s: %v", s, ty, err)
	}
	return d
}

func render(arr arrow.Array, i int, ty types.T) string {
	if arr.IsNull(i) {
		return `\N`
	}
	if ty.Kind == types.Bool { // the golden file holds PostgreSQL's bool::text
		return strconv.FormatBool(arr.(*array.Boolean).Value(i))
	}
	return string(types.AppendText(nil, arr, i, ty, time.UTC))
}

func errString(err error) string {
	return "ERROR " + sqlerr.Code(err)
}

// TestGoldenPostgres checks every golden case twice: with column arguments (the kernels' array
// paths) and with constant arguments (folding and the scalar paths).
func TestGoldenPostgres(t *testing.T) {
	for _, c := range loadGolden(t) {
		for _, mode := range []string{"columns", "consts"} {
			t.Run(strconv.Itoa(c.line)+"/"+mode, func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				ctx := &Context{Mem: mem}
				var cols []arrow.Array
				var args []Expr
				for i, ty := range c.types {
					if ty.Kind == types.Unknown {
						args = append(args, lit(c.args[i]))
						continue
					}
					d := datumOf(t, c.args[i], ty)
					if mode == "columns" {
						cols = append(cols, types.MakeArray(mem, ty, []types.Datum{d}))
						args = append(args, Column(len(cols)-1, ty))
					} else {
						args = append(args, Const(d, ty))
					}
				}
				defer func() {
					for _, a := range cols {
						a.Release()
					}
				}()
				got := evalOne(t, ctx, c, args, cols)
				if got != c.want {
					t.Errorf("line %d: %s%v %q: got %q, want %q", c.line, c.op, c.types, c.args, got, c.want)
				}
			})
		}
	}
}

func evalOne(t *testing.T, ctx *Context, c goldenCase, args []Expr, cols []arrow.Array) string {
	e, err := buildGolden(c, t, args)
	if err != nil {
		return errString(err)
	}
	arr, err := e.Eval(ctx, cols, 1)
	if err != nil {
		return errString(err)
	}
	defer arr.Release()
	if arr.Len() != 1 {
		t.Fatalf("got %d rows", arr.Len())
	}
	if !arrow.TypeEqual(arr.DataType(), e.Type().ArrowType()) {
		t.Fatalf("%s: array type %s, expression type %s", e, arr.DataType(), e.Type())
	}
	return render(arr, 0, e.Type())
}

// TestGoldenBatches evaluates all non-error golden rows of one signature as a single batch with an
// extra all-NULL row, checking the vectorized paths and NULL propagation.
func TestGoldenBatches(t *testing.T) {
	groups := map[string][]goldenCase{}
	var order []string
	for _, c := range loadGolden(t) {
		if strings.HasPrefix(c.want, "ERROR") || strings.Contains(strings.Join(typeStrings(c.types), ","), "unknown") {
			continue
		}
		k := c.op + " " + strings.Join(strings.Fields(strings.Trim(strings.Join(typeStrings(c.types), ","), "")), "")
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], c)
	}
	for _, k := range order {
		cs := groups[k]
		t.Run(k, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			ctx := &Context{Mem: mem}
			n := len(cs) + 1
			var cols []arrow.Array
			var args []Expr
			for i, ty := range cs[0].types {
				ds := make([]types.Datum, 0, n)
				for _, c := range cs {
					ds = append(ds, datumOf(t, c.args[i], ty))
				}
				ds = append(ds, nil)
				cols = append(cols, types.MakeArray(mem, ty, ds))
				args = append(args, Column(i, ty))
			}
			defer func() {
				for _, a := range cols {
					a.Release()
				}
			}()
			e, err := buildGolden(cs[0], t, args)
			if err != nil {
				t.Fatal(err)
			}
			arr, err := e.Eval(ctx, cols, n)
			if err != nil {
				t.Fatal(err)
			}
			defer arr.Release()
			for i, c := range cs {
				if got := render(arr, i, e.Type()); got != c.want {
					t.Errorf("line %d row %d: got %q, want %q", c.line, i, got, c.want)
				}
			}
			wantLast := `\N`
			if cs[0].op == "concat" {
				wantLast = ""
			}
			if got := render(arr, n-1, e.Type()); got != wantLast {
				t.Errorf("all-NULL row: got %q, want %q", got, wantLast)
			}
		})
	}
}

func typeStrings(ts []types.T) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.String()
	}
	return out
}
