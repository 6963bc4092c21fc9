package types

import (
	"math"
	"testing"
	"time"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

func TestDatetimeConversions(t *testing.T) {
	tm := time.Date(2024, 1, 15, 10, 30, 0, 123456789, time.UTC)
	ts := TimestampFromTime(tm)
	if ts != 1705314600123456 || !ts.Time().Equal(tm.Truncate(time.Microsecond)) {
		t.Errorf("TimestampFromTime = %d, back %v", ts, ts.Time())
	}
	if pre := TimestampFromTime(time.Date(1969, 12, 31, 23, 59, 59, 500000000, time.UTC)); pre != -500000 {
		t.Errorf("pre-epoch = %d", pre)
	}
	d := mustParse(t, "2024-02-28", DateT, nil).(DateValue)
	if got, err := DateAddDays(d, 2); err != nil || FormatDatum(got, DateT, nil) != "2024-03-01" {
		t.Errorf("date + 2 = %v, %v", got, err)
	}
	if _, err := DateAddDays(d, math.MaxInt32); sqlerr.Code(err) != sqlerr.DatetimeFieldOverflow {
		t.Errorf("date overflow: %v", err)
	}
	if got, _ := DateAddDays(DateInfinity, -5); got != DateInfinity {
		t.Errorf("infinity - 5 = %v", got)
	}
	mid := DateToTimestamp(d)
	if FormatDatum(mid, TimestampT, nil) != "2024-02-28 00:00:00" || TimestampToDate(mid+1) != d ||
		TimestampToDate(mid-1) != d-1 {
		t.Errorf("date/timestamp conversion around %v", mid)
	}
	if DateToTimestamp(DateNegInfinity) != TimestampNegInfinity || TimestampToDate(TimestampInfinity) != DateInfinity {
		t.Error("infinities")
	}
	la := mustLoc(t, "America/Los_Angeles")
	// timestamptz '2024-07-15 10:30:00Z' in Los Angeles is 03:30 local (PDT, -07).
	inst := mustParse(t, "2024-07-15 10:30:00Z", TimestampTZT, nil).(TimestampValue)
	local := TimestampTZToLocal(inst, la)
	if FormatDatum(local, TimestampT, nil) != "2024-07-15 03:30:00" || TimestampLocalToTZ(local, la) != inst {
		t.Errorf("tz conversion: %s", FormatDatum(local, TimestampT, nil))
	}
	if TimestampLocalToTZ(local, nil) != local {
		t.Error("nil zone is UTC")
	}
	if _, err := AddInterval(mustParse(t, "294000-01-01", TimestampT, nil).(TimestampValue), IntervalValue{Months: 12 * 1000}, nil); sqlerr.Code(err) != sqlerr.DatetimeFieldOverflow {
		t.Errorf("timestamp overflow: %v", err)
	}
	if _, err := IntervalAdd(IntervalValue{Months: math.MaxInt32}, IntervalValue{Months: 1}); sqlerr.Code(err) != sqlerr.DatetimeFieldOverflow {
		t.Errorf("interval overflow: %v", err)
	}
	if _, err := IntervalSub(IntervalValue{}, IntervalValue{Days: math.MinInt32}); sqlerr.Code(err) != sqlerr.DatetimeFieldOverflow {
		t.Errorf("interval negation overflow: %v", err)
	}
	if _, err := ParseText("now", TimestampTZT, nil); sqlerr.Code(err) != sqlerr.FeatureNotSupported {
		t.Errorf("'now': %v", err)
	}
}
