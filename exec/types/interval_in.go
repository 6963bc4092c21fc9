package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// intervalAcc accumulates interval fields as PostgreSQL's pg_itm_in does.
type intervalAcc struct {
	years, months, days int64
	us                  int64
	// afterClock is set once a clock field ("04:05:06") was read. PostgreSQL reads fields right
	// to left and a clock assigns the time part, so fractions of larger units written to the
	// right of a clock are lost: "18:42:10 396.5 days" is 396 days 18:42:10.
	afterClock bool
}

// addFracUs adds the microseconds cascaded down from a fractional day, week or month.
func (a *intervalAcc) addFracUs(us int64) {
	if !a.afterClock {
		a.us += us
	}
}

type intervalUnit int

const (
	unitNone intervalUnit = iota
	unitMicro
	unitMilli
	unitSecond
	unitMinute
	unitHour
	unitDay
	unitWeek
	unitMonth
	unitYear
	unitDecade
	unitCentury
	unitMillennium
)

var intervalUnits = map[string]intervalUnit{
	"microsecond": unitMicro, "microseconds": unitMicro, "usec": unitMicro, "usecs": unitMicro, "us": unitMicro,
	"microsecon":  unitMicro,
	"millisecond": unitMilli, "milliseconds": unitMilli, "msec": unitMilli, "msecs": unitMilli, "ms": unitMilli,
	"millisecon": unitMilli,
	"second":     unitSecond, "seconds": unitSecond, "sec": unitSecond, "secs": unitSecond, "s": unitSecond,
	"minute": unitMinute, "minutes": unitMinute, "min": unitMinute, "mins": unitMinute, "m": unitMinute,
	"hour": unitHour, "hours": unitHour, "hr": unitHour, "hrs": unitHour, "h": unitHour,
	"day": unitDay, "days": unitDay, "d": unitDay,
	"week": unitWeek, "weeks": unitWeek, "w": unitWeek,
	"month": unitMonth, "months": unitMonth, "mon": unitMonth, "mons": unitMonth,
	"year": unitYear, "years": unitYear, "yr": unitYear, "yrs": unitYear, "y": unitYear,
	"decade": unitDecade, "decades": unitDecade, "dec": unitDecade, "decs": unitDecade,
	"century": unitCentury, "centuries": unitCentury, "cent": unitCentury, "c": unitCentury,
	"millennium": unitMillennium, "millennia": unitMillennium, "mil": unitMillennium, "mils": unitMillennium,
}

func errIntervalSyntax(s string) error {
	return sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid input syntax for type interval: \"%s\"", s)
}

// intervalFieldOverflow is SQLSTATE 22015 (interval_field_overflow).
const intervalFieldOverflow = "22015"

func errIntervalField(s string) error {
	return sqlerr.New(intervalFieldOverflow, "interval field value out of range: \"%s\"", s)
}

// maxIntervalMicros bounds the time part of an interval: Arrow's month-day-nano layout keeps it in
// nanoseconds, so about 292 years of hours fit (PostgreSQL allows 292 thousand years).
const maxIntervalMicros = math.MaxInt64 / 1000

func checkIntervalMicros(us int64) bool { return us >= -maxIntervalMicros && us <= maxIntervalMicros }

// fracMicros is AdjustFractMicroseconds: frac×scale microseconds, rounded.
func fracMicros(frac float64, scale int64) int64 {
	if frac == 0 {
		return 0
	}
	f := frac * float64(scale)
	us := int64(f)
	return us + int64(math.RoundToEven(f-float64(us)))
}

// add applies value val+frac (frac has val's sign) in unit u, as DecodeInterval does.
func (a *intervalAcc) add(val int64, frac float64, u intervalUnit) {
	switch u {
	case unitMicro:
		a.us += val + int64(math.RoundToEven(frac))
	case unitMilli:
		a.us += val*1000 + fracMicros(frac, 1000)
	case unitSecond, unitNone:
		a.us += val*microsPerSecond + fracMicros(frac, microsPerSecond)
	case unitMinute:
		a.us += val*microsPerMinute + fracMicros(frac, microsPerMinute)
	case unitHour:
		a.us += val*microsPerHour + fracMicros(frac, microsPerHour)
	case unitDay:
		a.days += val
		a.addFracUs(fracMicros(frac, microsPerDay))
	case unitWeek:
		a.days += val * 7
		a.fractDays(frac, 7)
	case unitMonth:
		a.months += val
		a.fractDays(frac, 30)
	case unitYear:
		a.years += val
		a.months += int64(math.RoundToEven(frac * 12))
	case unitDecade:
		a.years += val * 10
		a.months += int64(math.RoundToEven(frac * 120))
	case unitCentury:
		a.years += val * 100
		a.months += int64(math.RoundToEven(frac * 1200))
	case unitMillennium:
		a.years += val * 1000
		a.months += int64(math.RoundToEven(frac * 12000))
	}
}

// fractDays is AdjustFractDays: whole days, then the rest as microseconds.
func (a *intervalAcc) fractDays(frac float64, scale float64) {
	if frac == 0 {
		return
	}
	f := frac * scale
	d := int64(f)
	a.days += d
	a.addFracUs(fracMicros(f-float64(d), microsPerDay))
}

// splitNumber parses a signed decimal into its integer part and a fraction of the same sign.
func splitNumber(s string) (int64, float64, bool) {
	if s == "" {
		return 0, 0, false
	}
	neg := s[0] == '-'
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 || body == "" || body == "." {
		return 0, 0, false
	}
	ip, fp, hasDot := strings.Cut(body, ".")
	var v int64
	if ip != "" {
		var err error
		if v, err = strconv.ParseInt(ip, 10, 64); err != nil {
			return 0, 0, false
		}
	}
	var f float64
	if hasDot && fp != "" {
		for _, c := range fp {
			if c < '0' || c > '9' {
				return 0, 0, false
			}
		}
		var err error
		if f, err = strconv.ParseFloat("0."+fp, 64); err != nil {
			return 0, 0, false
		}
	}
	if neg {
		return -v, -f, true
	}
	return v, f, true
}

// parseClock parses [-+]h:m[:s[.frac]] into microseconds (m:s when mmss is set and there are
// two parts); status dtSyntax or dtRange on error.
func parseClock(tok string, mmss bool) (int64, dtError) {
	neg := false
	if tok != "" && (tok[0] == '-' || tok[0] == '+') {
		neg = tok[0] == '-'
		tok = tok[1:]
	}
	parts := strings.Split(tok, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, dtSyntax
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || h < 0 || m < 0 || !allDigits(parts[0]) || !allDigits(parts[1]) {
		return 0, dtSyntax
	}
	if m > 59 || h > maxIntervalMicros/microsPerHour {
		return 0, dtRange
	}
	us := h*microsPerHour + m*microsPerMinute
	if mmss && len(parts) == 2 {
		if m > 60 {
			return 0, dtRange
		}
		us = h*microsPerMinute + m*microsPerSecond
	}
	if len(parts) == 3 {
		sv, sf, ok := splitNumber(parts[2])
		if !ok || sv < 0 || sf < 0 || strings.HasPrefix(parts[2], "+") {
			return 0, dtSyntax
		}
		if sv > 60 || (sv == 60 && sf > 0) {
			return 0, dtRange
		}
		us += sv*microsPerSecond + fracMicros(sf, microsPerSecond)
	}
	if neg {
		us = -us
	}
	return us, 0
}

// ParseInterval reads PostgreSQL interval input: "1 day", "1 year 2 months 3 days 04:05:06",
// "-1 hour", "1.5 days", "2 weeks", "01:02:03", "@ 1 day ago", "10" (seconds), "1-2" (years-months)
// and ISO 8601 "P1Y2M3DT4H5M6S". 22007 on bad syntax, 22008 when a field overflows.
func ParseInterval(s string) (IntervalValue, error) {
	return parseInterval(s, IntervalFullRange)
}

// parseInterval reads interval text for a column whose typmod allows the fields in rangeMask: a
// bare number is taken in the range's last field ("10" is 10 minutes for INTERVAL MINUTE).
func parseInterval(s string, rangeMask int32) (IntervalValue, error) {
	in := strings.ToLower(strings.TrimSpace(s))
	in = strings.TrimSpace(strings.TrimPrefix(in, "@"))
	if in == "" {
		return IntervalValue{}, errIntervalSyntax(s)
	}
	var acc intervalAcc
	e := dtSyntax
	if in[0] == 'p' {
		if acc.parseISO(in[1:]) {
			e = 0
		}
	} else {
		e = acc.parseWords(in, bareUnit(rangeMask), rangeMask == IntervalMaskMinute|IntervalMaskSecond)
	}
	switch e {
	case dtSyntax:
		return IntervalValue{}, errIntervalSyntax(s)
	case dtRange:
		return IntervalValue{}, errIntervalField(s)
	}
	months := acc.years*12 + acc.months
	if months != int64(int32(months)) || acc.days != int64(int32(acc.days)) || !checkIntervalMicros(acc.us) {
		return IntervalValue{}, errIntervalField(s)
	}
	return IntervalValue{Months: int32(months), Days: int32(acc.days), Micros: acc.us}, nil
}

// parseWords reads the PostgreSQL word form. bare is the unit of a trailing number without one;
// mmss makes a two-part clock "1:30" minutes and seconds (INTERVAL MINUTE TO SECOND).
func (a *intervalAcc) parseWords(in string, bare intervalUnit, mmss bool) dtError {
	toks := splitIntervalTokens(in)
	ago := false
	// Each field may be given once, as in PostgreSQL ("1 hour 1 hour" is an error).
	var seen uint32
	mark := func(units ...intervalUnit) bool {
		for _, u := range units {
			if seen&(1<<u) != 0 {
				return false
			}
			seen |= 1 << u
		}
		return true
	}
	for i := 0; i < len(toks); i++ {
		tok := toks[i]
		switch {
		case tok == "ago":
			// PostgreSQL accepts "ago" anywhere, even twice, and negates everything once
			ago = true
		case strings.Contains(tok, ":"):
			us, e := parseClock(tok, mmss)
			if e != 0 {
				return e
			}
			// a clock claims every unit from hours down (PostgreSQL's DTK_TIME_M)
			if !mark(unitHour, unitMinute, unitSecond, unitMilli, unitMicro) {
				return dtSyntax
			}
			a.us += us
			a.afterClock = true
		case isYearMonth(tok):
			neg := tok[0] == '-'
			y, m, _ := strings.Cut(strings.TrimLeft(tok, "+-"), "-")
			yv, _ := strconv.ParseInt(y, 10, 64)
			mv, _ := strconv.ParseInt(m, 10, 64)
			if mv > 11 || !mark(unitYear, unitMonth) {
				return dtSyntax
			}
			if neg {
				yv, mv = -yv, -mv
			}
			a.years += yv
			a.months += mv
		default:
			num, unitText := splitNumberUnit(tok)
			if num == "" {
				return dtSyntax
			}
			v, f, ok := splitNumber(num)
			if !ok {
				return dtSyntax
			}
			u := unitNone
			switch {
			case unitText != "":
				uu, found := intervalUnits[unitText]
				if !found {
					return dtSyntax
				}
				u = uu
			case i == len(toks)-1:
				u = bare
			case intervalUnits[toks[i+1]] != unitNone:
				u = intervalUnits[toks[i+1]]
				i++
			case strings.Contains(toks[i+1], ":") || nextIsHours(toks[i+1:]):
				u = unitDay // "3 04:05:06", "3 4 hours": a bare number before hours is days
			case i+1 == len(toks)-1 && bare == unitHour && toks[i+1] != "ago":
				u = unitDay // "1 2" as DAY TO HOUR
			}
			if u == unitNone || !mark(u) {
				return dtSyntax
			}
			if u == unitSecond && f != 0 && !mark(unitMilli, unitMicro) {
				return dtSyntax // fractional seconds claim the smaller units too
			}
			a.add(v, f, u)
		}
	}
	if seen == 0 {
		return dtSyntax // no field at all ("ago")
	}
	if ago {
		a.years, a.months, a.days, a.us = -a.years, -a.months, -a.days, -a.us
	}
	return 0
}

// nextIsHours reports whether toks starts with a number in hours ("4 hours", "4h").
func nextIsHours(toks []string) bool {
	num, unit := splitNumberUnit(toks[0])
	if num == "" {
		return false
	}
	if unit == "" && len(toks) > 1 {
		unit = toks[1]
	}
	return intervalUnits[unit] == unitHour
}

// splitIntervalTokens splits on spaces and commas.
func splitIntervalTokens(in string) []string {
	return strings.FieldsFunc(in, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == '\n' })
}

func isYearMonth(tok string) bool {
	t := strings.TrimLeft(tok, "+-")
	if len(tok)-len(t) > 1 {
		return false
	}
	y, m, ok := strings.Cut(t, "-")
	return ok && y != "" && m != "" && allDigits(y) && allDigits(m)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// splitNumberUnit splits "10min" into "10" and "min"; a token without a leading number gives "".
func splitNumberUnit(tok string) (string, string) {
	i := 0
	if i < len(tok) && (tok[i] == '+' || tok[i] == '-') {
		i++
	}
	for i < len(tok) && (tok[i] >= '0' && tok[i] <= '9' || tok[i] == '.') {
		i++
	}
	return tok[:i], tok[i:]
}

// parseISO reads the part of an ISO 8601 duration after 'P'.
func (a *intervalAcc) parseISO(in string) bool {
	inTime := false
	if in == "" {
		return false
	}
	for in != "" {
		if in[0] == 't' {
			if inTime {
				return false
			}
			inTime = true
			in = in[1:]
			continue
		}
		num, rest := splitNumberUnit(in)
		if num == "" || rest == "" {
			return false
		}
		v, f, ok := splitNumber(num)
		if !ok {
			return false
		}
		var u intervalUnit
		switch d := rest[0]; {
		case d == 'y' && !inTime:
			u = unitYear
		case d == 'm' && !inTime:
			u = unitMonth
		case d == 'w' && !inTime:
			u = unitWeek
		case d == 'd' && !inTime:
			u = unitDay
		case d == 'h' && inTime:
			u = unitHour
		case d == 'm' && inTime:
			u = unitMinute
		case d == 's' && inTime:
			u = unitSecond
		default:
			return false
		}
		a.add(v, f, u)
		in = rest[1:]
	}
	return true
}
