package expr

import (
	"math"
	"math/big"
	"math/rand"
	"strconv"
	"testing"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// randInt draws from a distribution biased towards the edges of the type's range.
func randInt(r *rand.Rand, lo, hi int64) int64 {
	switch r.Intn(6) {
	case 0:
		return []int64{lo, hi, 0, 1, -1, lo + 1, hi - 1}[r.Intn(7)]
	case 1:
		return int64(r.Intn(21)) - 10
	case 2:
		return hi/2 + int64(r.Intn(3)) - 1
	}
	x := r.Int63()
	if r.Intn(2) == 0 {
		x = -x
	}
	if lo == math.MinInt64 {
		return x
	}
	return lo + int64(uint64(x)%uint64(hi-lo+1))
}

// refArith is the scalar reference: the exact result, or the SQLSTATE PostgreSQL raises.
func refArith(op string, a, b, lo, hi int64) (int64, string) {
	x, y := big.NewInt(a), big.NewInt(b)
	var r big.Int
	switch op {
	case "+":
		r.Add(x, y)
	case "-":
		r.Sub(x, y)
	case "*":
		r.Mul(x, y)
	case "/":
		if b == 0 {
			return 0, sqlerr.DivisionByZero
		}
		r.Quo(x, y) // truncates toward zero, like C
	case "%":
		if b == 0 {
			return 0, sqlerr.DivisionByZero
		}
		r.Rem(x, y) // sign of the dividend
	}
	if !r.IsInt64() || r.Int64() < lo || r.Int64() > hi {
		return 0, sqlerr.NumericValueOutOfRange
	}
	return r.Int64(), ""
}

func TestArithmeticRandom(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	kinds := []types.T{types.Int16T, types.Int32T, types.Int64T}
	for iter := 0; iter < 300; iter++ {
		ty := kinds[r.Intn(len(kinds))]
		lo, hi := intBounds(ty.Kind)
		op := []string{"+", "-", "*", "/", "%"}[r.Intn(5)]
		n := 1 + r.Intn(40)
		as, bs := make([]types.Datum, n), make([]types.Datum, n)
		for i := 0; i < n; i++ {
			if r.Intn(8) > 0 {
				as[i] = randInt(r, lo, hi)
			}
			if r.Intn(8) > 0 {
				bs[i] = randInt(r, lo, hi)
			}
		}
		constB := r.Intn(3) == 0
		if constB {
			v := randInt(r, lo, hi)
			for i := range bs {
				bs[i] = v
			}
		}
		t.Run(strconv.Itoa(iter), func(t *testing.T) {
			env := newEnv(t)
			a := env.col(ty, as...)
			var b Expr
			if constB {
				b = Const(bs[0], ty)
			} else {
				b = env.col(ty, bs...)
			}
			e := must(t)(Call(op, []Expr{a, b}))
			if e.Type() != ty {
				t.Fatalf("type %s", e.Type())
			}
			want := make([]string, n)
			wantErr := ""
			for i := 0; i < n; i++ {
				if as[i] == nil || bs[i] == nil {
					want[i] = "NULL"
					continue
				}
				v, code := refArith(op, as[i].(int64), bs[i].(int64), lo, hi)
				if code != "" && wantErr == "" {
					wantErr = code
				}
				want[i] = strconv.FormatInt(v, 10)
			}
			got, err := env.evalErr(e)
			if wantErr != "" {
				wantCode(t, err, wantErr)
				return
			}
			if err != nil {
				t.Fatalf("%s %s: %v (a=%v b=%v)", ty, op, err, as, bs)
			}
			eqStrings(t, ty.String()+" "+op, got, want)
		})
	}
}

func TestComparisonRandom(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for iter := 0; iter < 100; iter++ {
		op := []string{"=", "<>", "<", "<=", ">", ">="}[r.Intn(6)]
		n := 1 + r.Intn(70)
		as, bs := make([]types.Datum, n), make([]types.Datum, n)
		for i := 0; i < n; i++ {
			if r.Intn(8) > 0 {
				as[i] = int64(r.Intn(5))
			}
			if r.Intn(8) > 0 {
				bs[i] = int64(r.Intn(5))
			}
		}
		env := newEnv(t)
		a, b := env.col(types.Int64T, as...), env.col(types.Int64T, bs...)
		got := env.eval(must(t)(Call(op, []Expr{a, b})))
		for i := 0; i < n; i++ {
			want := "NULL"
			if as[i] != nil && bs[i] != nil {
				x, y := as[i].(int64), bs[i].(int64)
				want = strconv.FormatBool(map[string]bool{"=": x == y, "<>": x != y, "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op])
			}
			if got[i] != want {
				t.Fatalf("%v %s %v: got %s want %s", as[i], op, bs[i], got[i], want)
			}
		}
	}
}
