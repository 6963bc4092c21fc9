package types

import (
	"testing"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// TestArrayTextRoundTrip checks array_in and array_out against outputs of PostgreSQL 15.
func TestArrayTextRoundTrip(t *testing.T) {
	intArr, _ := ArrayOf(Int32T)
	ts, _ := ArrayOf(TimestampT)
	f8, _ := ArrayOf(Float64T)
	b, _ := ArrayOf(BoolT)
	cases := []struct {
		in   string
		t    T
		want string
	}{
		{`{ a , "b c" ,NULL, "NULL", "\\x" , x\\,y }`, TextArrayT, `{a,"b c",NULL,"NULL","\\x","x\\",y}`},
		{`{}`, intArr, `{}`},
		{` {1, 2 ,3} `, intArr, `{1,2,3}`},
		{`[1:2]={1,2}`, intArr, `{1,2}`},
		{`{"2020-01-01 10:00"}`, ts, `{"2020-01-01 10:00:00"}`},
		{`{1.50,NaN}`, f8, `{1.5,NaN}`},
		{`{t,null}`, b, `{t,NULL}`},
		{`{"",'',"a,b"}`, TextArrayT, `{"",'',"a,b"}`},
		{`1  2`, Int2VectorT, `1 2`},
		{``, Int2VectorT, ``},
		{`[0:1]={3,4}`, Int2VectorT.PlainArray(), `[0:1]={3,4}`},
	}
	for _, c := range cases {
		d, err := ParseText(c.in, c.t, nil)
		if err != nil {
			t.Fatalf("%q::%s: %v", c.in, c.t, err)
		}
		if got := FormatDatum(d, c.t, nil); got != c.want {
			t.Errorf("%q::%s = %q, want %q", c.in, c.t, got, c.want)
		}
	}
}

func TestArrayTextErrors(t *testing.T) {
	intArr, _ := ArrayOf(Int32T)
	for _, in := range []string{`{1,2`, `1,2}`, `{"a"b}`, `{1}x`, `{1,}`, `{,1}`} {
		_, err := ParseText(in, intArr, nil)
		if sqlerr.Code(err) != sqlerr.InvalidTextRepresentation {
			t.Errorf("%q: got %v, want 22P02 malformed array literal", in, err)
		}
	}
	for _, in := range []string{`{{1},{2}}`, `[2:3]={1,2}`} {
		_, err := ParseText(in, intArr, nil)
		if sqlerr.Code(err) != sqlerr.FeatureNotSupported {
			t.Errorf("%q: got %v, want 0A000", in, err)
		}
	}
	if _, err := ParseText(`{1,x}`, intArr, nil); sqlerr.Code(err) != sqlerr.InvalidTextRepresentation {
		t.Errorf("{1,x}: got %v, want 22P02", err)
	}
}

func TestArrayTypeNames(t *testing.T) {
	i2, _ := ArrayOf(Int16T)
	for _, c := range []struct {
		t    T
		name string
		oid  uint32
	}{{i2, "smallint[]", 1005}, {TextArrayT, "text[]", 1009}, {Int2VectorT, "int2vector", 22},
		{OidVectorT, "oidvector", 30}, {OidArrayT, "oid[]", 1028}, {Int2VectorT.PlainArray(), "smallint[]", 1005}} {
		if c.t.String() != c.name || c.t.OID() != c.oid {
			t.Errorf("%+v: %s %d, want %s %d", c.t, c.t.String(), c.t.OID(), c.name, c.oid)
		}
		if back, ok := FromOID(c.oid); !ok || back.OID() != c.oid {
			t.Errorf("FromOID(%d) = %v", c.oid, back)
		}
	}
}
