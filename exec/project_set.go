package exec

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/expr"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/runnel-db/runnel/exec/zset"
)

// SetFunc is a set-returning function call: for each input row it yields zero or more rows of
// len(Types) values.
type SetFunc struct {
	// Name is one of unnest, generate_subscripts, generate_series, _pg_expandarray and
	// pg_options_to_table.
	Name string
	// Args are evaluated over the input row.
	Args []expr.Expr
	// Types are the output columns: one, (x, n) for _pg_expandarray or (option_name,
	// option_value) for pg_options_to_table, followed by a bigint
	// when Ordinality is set.
	Types []types.T
	// Ordinality appends each row's 1-based position (WITH ORDINALITY).
	Ordinality bool
}

// maxSetRows bounds the rows one input row may expand into.
const maxSetRows = 10_000_000

// expand returns the rows f yields for argument values args (nil: NULL).
func (f *SetFunc) expand(args []types.Datum) ([][]types.Datum, error) {
	arrayArg := func() (types.ArrayValue, int64) {
		if args[0] == nil {
			return nil, 1
		}
		return args[0].(types.ArrayValue), f.Args[0].Type().LowerBound()
	}
	var out [][]types.Datum
	switch f.Name {
	case "unnest":
		a, _ := arrayArg()
		for _, d := range a {
			out = append(out, []types.Datum{d})
		}
	case "_pg_expandarray":
		a, _ := arrayArg()
		for i, d := range a {
			out = append(out, []types.Datum{d, int64(i + 1)})
		}
	case "pg_options_to_table":
		// Each "name=value" element, split at the first '=' (no '=': the value is NULL).
		a, _ := arrayArg()
		for _, d := range a {
			if d == nil {
				return nil, sqlerr.New(sqlerr.NullValueNotAllowed, "null array element not allowed in this context")
			}
			name, value, ok := strings.Cut(d.(string), "=")
			if ok {
				out = append(out, []types.Datum{name, value})
			} else {
				out = append(out, []types.Datum{name, nil})
			}
		}
	case "generate_subscripts":
		a, lb := arrayArg()
		if args[1] == nil || args[1].(int64) != 1 || len(a) == 0 {
			return nil, nil
		}
		reverse := len(args) > 2 && args[2] != nil && args[2].(bool)
		for i := range a {
			k := int64(i)
			if reverse {
				k = int64(len(a) - 1 - i)
			}
			out = append(out, []types.Datum{lb + k})
		}
	case "generate_series":
		for _, a := range args {
			if a == nil {
				return nil, nil
			}
		}
		start, stop, step := args[0].(int64), args[1].(int64), int64(1)
		if len(args) > 2 {
			step = args[2].(int64)
		}
		if step == 0 {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "step size cannot equal zero")
		}
		for v := start; (step > 0 && v <= stop) || (step < 0 && v >= stop); v += step {
			if len(out) >= maxSetRows {
				return nil, sqlerr.NotSupported("generate_series of more than 10000000 rows")
			}
			out = append(out, []types.Datum{v})
			if (step > 0 && v > stop-step) || (step < 0 && v < stop-step) {
				break // the next value would pass stop (or overflow)
			}
		}
	default:
		return nil, internalf("set-returning function %s", f.Name)
	}
	if f.Ordinality {
		for i := range out {
			out[i] = append(out[i], int64(i+1))
		}
	}
	return out, nil
}

// projectSetOp evaluates set-returning functions per input row and emits the row's columns
// followed by the functions' columns, once per result row: functions that yield fewer rows than
// the longest are padded with NULLs (PostgreSQL 10's ProjectSet). An input row for which every
// function yields nothing produces no output. Each output row keeps its input row's weight, so
// the operator is linear and stateless.
type projectSetOp struct {
	inTypes []types.T
	funcs   []SetFunc
	outT    []types.T
}

var _ Operator = (*projectSetOp)(nil)

// NewProjectSet returns the operator that expands rows of inTypes by funcs.
func NewProjectSet(inTypes []types.T, funcs []SetFunc) Operator {
	outT := append([]types.T{}, inTypes...)
	for _, f := range funcs {
		outT = append(outT, f.Types...)
	}
	return &projectSetOp{inTypes: inTypes, funcs: funcs, outT: outT}
}

func (p *projectSetOp) Explain() string {
	parts := make([]string, len(p.funcs))
	for i, f := range p.funcs {
		args := make([]string, len(f.Args))
		for k, a := range f.Args {
			args[k] = a.String()
		}
		parts[i] = f.Name + "(" + strings.Join(args, ", ") + ")"
	}
	return "ProjectSet " + strings.Join(parts, ", ")
}

func (p *projectSetOp) Step(ctx *expr.Context, in []zset.Batch) (zset.Batch, error) {
	if err := checkArity("project set", in, 1); err != nil {
		return zset.Batch{}, err
	}
	b := in[0]
	n := b.NumRows()
	mem := ctx.Allocator()
	// Evaluate every argument over the batch.
	argCols := make([][]arrow.Array, len(p.funcs))
	defer func() {
		for _, cs := range argCols {
			for _, c := range cs {
				if c != nil {
					c.Release()
				}
			}
		}
	}()
	for i, f := range p.funcs {
		argCols[i] = make([]arrow.Array, len(f.Args))
		for k, a := range f.Args {
			c, err := a.Eval(ctx, b.Cols(), n)
			if err != nil {
				return zset.Batch{}, fmt.Errorf("project set: %w", err)
			}
			argCols[i][k] = c
		}
	}
	outB := zset.NewBuilder(mem, p.outT)
	defer outB.Release()
	row := make([]types.Datum, len(p.outT))
	weights := b.Weights()
	for r := 0; r < n; r++ {
		results := make([][][]types.Datum, len(p.funcs))
		most := 0
		for i, f := range p.funcs {
			args := make([]types.Datum, len(f.Args))
			for k, a := range f.Args {
				t := a.Type()
				if t.Kind == types.Unknown {
					t = types.TextT
				}
				args[k] = types.DatumAt(argCols[i][k], r, t)
			}
			rows, err := f.expand(args)
			if err != nil {
				return zset.Batch{}, err
			}
			results[i] = rows
			most = max(most, len(rows))
		}
		if most == 0 {
			continue
		}
		for c := range p.inTypes {
			row[c] = types.DatumAt(b.Col(c), r, p.inTypes[c])
		}
		for k := 0; k < most; k++ {
			at := len(p.inTypes)
			for i, f := range p.funcs {
				for j := range f.Types {
					row[at+j] = nil
					if k < len(results[i]) {
						row[at+j] = results[i][k][j]
					}
				}
				at += len(f.Types)
			}
			outB.AppendRow(row, weights[r])
		}
	}
	return zset.Consolidate(mem, outB.Build()), nil
}
