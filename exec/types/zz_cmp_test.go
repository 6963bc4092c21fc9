package types

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

func TestZZCompare(t *testing.T) {
	b, err := os.ReadFile("/tmp/tw/fuzzcmp.json")
	if err != nil {
		t.Skip()
	}
	var cs []struct {
		Kind, Tz, In string
		Want         *string
		Code, Msg    string
	}
	json.Unmarshal(b, &cs)
	for _, c := range cs {
		loc, _ := time.LoadLocation(c.Tz)
		typ := kindT(c.Kind)
		d, err := ParseText(c.In, typ, loc)
		if c.Code != "" {
			if e := sqlerr.From(err); e == nil || e.Code != c.Code {
				t.Errorf("%s %q [%s]: got %v %v; want %s %s", c.Kind, c.In, c.Tz, d, err, c.Code, c.Msg)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q [%s]: err %v; want %s", c.Kind, c.In, c.Tz, err, *c.Want)
			continue
		}
		if got := FormatDatum(d, typ, loc); got != *c.Want {
			t.Errorf("%s %q [%s]: got %s; want %s", c.Kind, c.In, c.Tz, got, *c.Want)
		}
	}
}
