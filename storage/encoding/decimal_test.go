package encoding

import (
	"bytes"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

type dec struct {
	lo    uint64
	hi    int64
	scale int8
}

func (d dec) coef() *big.Int {
	c := new(big.Int).SetInt64(d.hi)
	c.Lsh(c, 64)
	return c.Or(c, new(big.Int).SetUint64(d.lo))
}

func (d dec) rat() *big.Rat {
	c := d.coef()
	if d.scale >= 0 {
		return new(big.Rat).SetFrac(c, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.scale)), nil))
	}
	return new(big.Rat).SetInt(c.Mul(c, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-d.scale)), nil)))
}

func decFromInt(v int64, scale int8) dec {
	hi := int64(0)
	if v < 0 {
		hi = -1
	}
	return dec{uint64(v), hi, scale}
}

func decimalCorpus(r *rand.Rand) []dec {
	ds := []dec{
		decFromInt(0, 0), decFromInt(0, 5), decFromInt(15, 1), decFromInt(150, 2), decFromInt(1500, 3),
		decFromInt(-15, 1), decFromInt(-150, 2), decFromInt(1, 0), decFromInt(10, 0), decFromInt(100, 0),
		decFromInt(1, 38), decFromInt(-1, 38), decFromInt(105, 2), decFromInt(1, 1), decFromInt(11, 2),
		decFromInt(math.MaxInt64, 0), decFromInt(math.MinInt64, 0), decFromInt(math.MinInt64, 10),
		{math.MaxUint64, math.MaxInt64, 0}, {0, math.MinInt64, 0}, {1, math.MinInt64, 38},
		{math.MaxUint64, math.MaxInt64, 38}, {0, 1, 7}, decFromInt(5, -2),
	}
	for i := 0; i < 300; i++ {
		var d dec
		switch r.IntN(3) {
		case 0:
			d = decFromInt(int64(r.IntN(2001)-1000), int8(r.IntN(4)))
		case 1:
			d = decFromInt(int64(r.Uint64()), int8(r.IntN(39)))
		default:
			d = dec{r.Uint64(), int64(r.Uint64()), int8(r.IntN(39))}
		}
		ds = append(ds, d)
	}
	return ds
}

func TestDecimalOrderAndRoundTrip(t *testing.T) {
	ds := decimalCorpus(rand.New(rand.NewPCG(9, 10)))
	encs := make([][]byte, len(ds))
	rats := make([]*big.Rat, len(ds))
	for i, d := range ds {
		encs[i] = EncodeDecimal(nil, d.lo, d.hi, d.scale)
		rats[i] = d.rat()
		rest, lo, hi, scale, err := DecodeDecimal(append(encs[i], 0x42))
		if err != nil || !bytes.Equal(rest, []byte{0x42}) {
			t.Fatalf("DecodeDecimal(%+v): rest %x, %v", d, rest, err)
		}
		got := dec{lo, hi, scale}
		if got.rat().Cmp(rats[i]) != 0 {
			t.Fatalf("decimal round trip %+v (%s) → %+v (%s)", d, rats[i].FloatString(40), got, got.rat().FloatString(40))
		}
		if scale < 0 || (scale > 0 && new(big.Int).Mod(got.coef(), big.NewInt(10)).Sign() == 0) {
			t.Fatalf("decoded %+v is not the canonical (smallest) scale", got)
		}
	}
	for i := range ds {
		for j := range ds {
			if s := sign(bytes.Compare(encs[i], encs[j])); s != rats[i].Cmp(rats[j]) {
				t.Fatalf("decimal order %s vs %s: bytes %d", rats[i].FloatString(40), rats[j].FloatString(40), s)
			}
		}
	}
	if !bytes.Equal(EncodeDecimal(nil, 15, 0, 1), EncodeDecimal(nil, 1500, 0, 3)) {
		t.Fatal("1.5 and 1.500 encode differently")
	}
	_, lo, hi, scale, _ := DecodeDecimal(EncodeDecimal(nil, 1500, 0, 3))
	if lo != 15 || hi != 0 || scale != 1 {
		t.Fatalf("1.500 decodes to %d,%d scale %d; want 15 scale 1", lo, hi, scale)
	}
	_, lo, _, scale, _ = DecodeDecimal(EncodeDecimal(nil, 100, 0, 0))
	if lo != 100 || scale != 0 {
		t.Fatalf("100 decodes to %d scale %d", lo, scale)
	}
}
