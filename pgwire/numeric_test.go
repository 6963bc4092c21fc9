package pgwire

import (
	"encoding/hex"
	"testing"

	"github.com/runnel-db/runnel/exec/types"
)

// numericSendCases are numeric_send outputs of PostgreSQL 15 (select encode(numeric_send(v), 'hex')).
var numericSendCases = []struct{ text, hex string }{
	{"0", "0000000000000000"},
	{"0.00", "0000000000000002"},
	{"12.50", "0002000000000002000c1388"},
	{"-1234567.89", "0003000140000002007b11d722c4"},
	{"1", "00010000000000000001"},
	{"10000", "00010001000000000001"},
	{"0.0001", "0001ffff000000040001"},
	{"123456789012345678901234567890.12345678", "000a000700000008000c0d801ed204d2162e23340d801ed204d2162e"},
	{"-0.001", "0001ffff40000003000a"},
	{"99999999999999999999999999999999999999", "000a0009000000000063270f270f270f270f270f270f270f270f270f"},
	{"0.00000000000000000000000000000000000001", "0001fff6000000260064"},
	{"100000000000000000000", "00010005000000000001"},
}

func TestNumericBinaryMatchesPostgres(t *testing.T) {
	for _, c := range numericSendCases {
		v, err := types.ParseNumeric(c.text)
		if err != nil {
			t.Fatalf("ParseNumeric(%q): %v", c.text, err)
		}
		if got := hex.EncodeToString(appendNumericBinary(nil, v)); got != c.hex {
			t.Errorf("send %s = %s, want %s", c.text, got, c.hex)
		}
		raw, _ := hex.DecodeString(c.hex)
		back, err := decodeNumericBinary(raw)
		if err != nil {
			t.Fatalf("recv %s: %v", c.hex, err)
		}
		if back.String() != c.text {
			t.Errorf("recv %s = %s, want %s", c.hex, back.String(), c.text)
		}
	}
}

func TestNumericBinaryRejects(t *testing.T) {
	for _, h := range []string{
		"000000000000",           // short header
		"00010000c0000000",       // NaN
		"000100000000000000",     // missing digit bytes
		"0001000000000000271000", // digit 10000 (and a stray byte)
		"0001000000000000000100", // trailing byte
		"00010000000000270001",   // dscale 39
		"0001000b000000000001",   // weight 11: 10^44
		"00010000123400000001",   // bad sign
	} {
		raw, _ := hex.DecodeString(h)
		if v, err := decodeNumericBinary(raw); err == nil {
			t.Errorf("decodeNumericBinary(%s) = %s, want an error", h, v)
		}
	}
}

func FuzzNumericBinary(f *testing.F) {
	for _, c := range numericSendCases {
		raw, _ := hex.DecodeString(c.hex)
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeNumericBinary(b)
		if err != nil {
			return
		}
		again, err := decodeNumericBinary(appendNumericBinary(nil, v))
		if err != nil || again.String() != v.String() {
			t.Fatalf("round trip of %s: %v %v", v, again, err)
		}
	})
}
