package types

import (
	"io/fs"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// parsedDateTime is the result of reading a date/timestamp literal.
type parsedDateTime struct {
	year       int64 // astronomical: 0 = 1 BC
	month, day int
	tod        int64 // microseconds in the day (may be exactly 24h for "24:00:00")
	hasZone    bool
	offset     int            // seconds east, when zoneLoc is nil
	zoneLoc    *time.Location // an IANA zone, when named
	special    int            // +1 infinity, -1 -infinity, 2 epoch
	dayOfYear  int            // ISO ordinal date (YYYY-DDD), instead of month and day
}

var monthNames = []string{"january", "february", "march", "april", "may", "june", "july", "august",
	"september", "october", "november", "december"}

// fixedZones are the time zone abbreviations Runnel accepts besides IANA names and numeric offsets
// (a subset of PostgreSQL's Default abbreviation set).
var fixedZones = map[string]int{
	"z": 0, "utc": 0, "gmt": 0, "ut": 0, "zulu": 0,
	"est": -5 * 3600, "edt": -4 * 3600, "cst": -6 * 3600, "cdt": -5 * 3600,
	"mst": -7 * 3600, "mdt": -6 * 3600, "pst": -8 * 3600, "pdt": -7 * 3600,
}

type dtError int

const (
	dtSyntax dtError = iota + 1
	dtRange
	dtBadZone
	dtUnsupported
)

// parseDateTime reads ISO 8601 / PostgreSQL date and timestamp literals: "2024-01-15",
// "2024-01-15 10:30:00.5", "2024-01-15T10:30:00Z", "20240115", "01/15/2024" (MDY),
// "Jan 15 2024", "15 Jan 2024", zones Z, +02, +05:30, -0330, UTC, IANA names, and a BC/AD suffix.
func parseDateTime(s string) (p parsedDateTime, zoneName string, e dtError) {
	t := strings.TrimSpace(s)
	low := strings.ToLower(t)
	switch low {
	case "infinity", "+infinity":
		p.special = 1
		return p, "", 0
	case "-infinity":
		p.special = -1
		return p, "", 0
	case "epoch":
		p.special = 2
		return p, "", 0
	case "now", "today", "tomorrow", "yesterday", "allballs":
		return p, low, dtUnsupported
	}
	bc := false
	if strings.HasSuffix(low, " bc") {
		bc = true
		t, low = strings.TrimSpace(t[:len(t)-3]), strings.TrimSpace(low[:len(low)-3])
	} else if strings.HasSuffix(low, " ad") {
		t, low = strings.TrimSpace(t[:len(t)-3]), strings.TrimSpace(low[:len(low)-3])
	}
	rest, e := p.parseDatePart(t, low)
	if e != 0 {
		return p, "", e
	}
	rest = strings.TrimLeft(rest, " ")
	if rest != "" && (rest[0] == 'T' || rest[0] == 't') && len(rest) > 1 && rest[1] >= '0' && rest[1] <= '9' {
		rest = rest[1:]
	}
	if rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		if rest, e = p.parseTimePart(rest); e != 0 {
			return p, "", e
		}
	} else if rest != "" && rest[0] == '-' && len(rest) < len(t) && t[len(t)-len(rest)-1] != ' ' {
		return p, "", dtSyntax // "2024-01-15-08:00" reads as a four-field date in PostgreSQL
	}
	for {
		rest = strings.TrimLeft(rest, " ")
		if rest == "" {
			break
		}
		tok := rest
		if i := strings.IndexByte(rest, ' '); i >= 0 {
			tok = rest[:i]
		}
		rest = rest[len(tok):]
		switch ltok := strings.ToLower(tok); {
		case ltok == "am" || ltok == "pm":
			h := p.tod / microsPerHour
			if h > 12 {
				return p, "", dtRange
			}
			if ltok == "pm" && h < 12 {
				p.tod += 12 * microsPerHour
			} else if ltok == "am" && h == 12 {
				p.tod -= 12 * microsPerHour
			}
		case p.hasZone:
			return p, "", dtSyntax
		default:
			if zoneName, e = p.parseZone(tok); e != 0 {
				return p, zoneName, e
			}
		}
	}
	if p.year <= 0 {
		return p, "", dtRange // there is no year 0; BC years are given as positive numbers
	}
	if bc {
		p.year = 1 - p.year
	}
	if p.dayOfYear > 0 {
		// ISO ordinal date YYYY-DDD; like PostgreSQL, a day past the year's end rolls over
		p.year, p.month, p.day = civilFromDays(DaysFromCivil(p.year, 1, 1) + int64(p.dayOfYear) - 1)
		return p, zoneName, 0
	}
	if p.month < 1 || p.month > 12 || p.day < 1 || p.day > DaysInMonth(p.year, p.month) {
		return p, "", dtRange
	}
	return p, zoneName, 0
}

func leadingDigits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

func monthByName(w string) int {
	if len(w) < 3 {
		return 0
	}
	if w == "sept" {
		return 9
	}
	for i, m := range monthNames {
		if strings.HasPrefix(m, w) {
			return i + 1
		}
	}
	return 0
}

func atoi(s string) int64 {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return v
}

// parseDatePart reads the date at the start of t and returns the rest.
func (p *parsedDateTime) parseDatePart(t, low string) (string, dtError) {
	n := leadingDigits(t)
	switch {
	case n == 0:
		// "Jan 15 2024", "January 15, 2024"
		i := 0
		for i < len(low) && low[i] >= 'a' && low[i] <= 'z' {
			i++
		}
		m := monthByName(low[:i])
		if m == 0 {
			return "", dtSyntax
		}
		r := strings.TrimLeft(t[i:], " -")
		dn := leadingDigits(r)
		if dn == 0 {
			return "", dtSyntax
		}
		p.month, p.day = m, int(atoi(r[:dn]))
		r = strings.TrimLeft(strings.TrimPrefix(r[dn:], ","), " -")
		yn := leadingDigits(r)
		if yn == 0 {
			return "", dtSyntax
		}
		p.year = yearField(r[:yn])
		return r[yn:], 0
	case n == 8 && (len(t) == 8 || t[8] < '0' || t[8] > '9') && (len(t) == 8 || t[8] != '-' && t[8] != '/' && t[8] != '.'):
		p.year, p.month, p.day = atoi(t[:4]), int(atoi(t[4:6])), int(atoi(t[6:8]))
		return t[8:], 0
	case n < len(t) && (t[n] == '-' || t[n] == '/' || t[n] == '.'):
		sep := t[n]
		a := t[:n]
		r := t[n+1:]
		bn := leadingDigits(r)
		if bn == 0 {
			// "15-Jan-2024"
			i := 0
			for i < len(r) && (r[i]|0x20) >= 'a' && (r[i]|0x20) <= 'z' {
				i++
			}
			m := monthByName(strings.ToLower(r[:i]))
			if m == 0 || i >= len(r) || r[i] != sep {
				return "", dtSyntax
			}
			r = r[i+1:]
			yn := leadingDigits(r)
			if yn == 0 {
				return "", dtSyntax
			}
			p.year, p.month, p.day = yearField(r[:yn]), m, int(atoi(a))
			return textDateRest(r[yn:])
		}
		b := r[:bn]
		r = r[bn:]
		if sep == '-' && len(a) >= 3 && bn == 3 && (r == "" || r[0] == ' ' || r[0] == 'T' || r[0] == 't') {
			p.year, p.dayOfYear = atoi(a), int(atoi(b))
			if p.dayOfYear < 1 {
				return "", dtRange
			}
			return r, 0
		}
		if r == "" || r[0] != sep {
			return "", dtSyntax
		}
		r = r[1:]
		cn := leadingDigits(r)
		if cn == 0 {
			return "", dtSyntax
		}
		c := r[:cn]
		if len(a) >= 3 {
			p.year, p.month, p.day = atoi(a), int(atoi(b)), int(atoi(c))
		} else { // DateStyle MDY
			p.month, p.day, p.year = int(atoi(a)), int(atoi(b)), atoi(c)
			if len(c) <= 2 {
				p.year = twoDigitYear(p.year)
			}
		}
		return r[cn:], 0
	case n <= 2 && n < len(t) && t[n] == ' ':
		// "15 Jan 2024"
		r := strings.TrimLeft(t[n:], " ")
		i := 0
		for i < len(r) && (r[i]|0x20) >= 'a' && (r[i]|0x20) <= 'z' {
			i++
		}
		m := monthByName(strings.ToLower(r[:i]))
		if m == 0 {
			return "", dtSyntax
		}
		r = strings.TrimLeft(r[i:], " ")
		yn := leadingDigits(r)
		if yn == 0 {
			return "", dtSyntax
		}
		p.year, p.month, p.day = yearField(r[:yn]), m, int(atoi(t[:n]))
		return r[yn:], 0
	}
	return "", dtSyntax
}

// yearField reads a year written in a date with a month name: two digits or fewer mean a year
// near 2000, as PostgreSQL reads them.
func yearField(s string) int64 {
	if len(s) <= 2 {
		return twoDigitYear(atoi(s))
	}
	return atoi(s)
}

// textDateRest checks what follows a "15-Jan-2024" date: PostgreSQL takes no 'T' there.
func textDateRest(r string) (string, dtError) {
	if r != "" && (r[0] == 'T' || r[0] == 't') {
		return "", dtSyntax
	}
	return r, 0
}

// twoDigitYear maps 70..99 to 1970..1999 and 0..69 to 2000..2069, as PostgreSQL does.
func twoDigitYear(y int64) int64 {
	if y < 70 {
		return y + 2000
	}
	return y + 1900
}

// parseTimePart reads HH:MM[:SS[.frac]] and returns the rest.
func (p *parsedDateTime) parseTimePart(r string) (string, dtError) {
	hn := leadingDigits(r)
	if hn == 0 || hn > 2 || hn >= len(r) || r[hn] != ':' {
		return "", dtSyntax
	}
	h := atoi(r[:hn])
	r = r[hn+1:]
	mn := leadingDigits(r)
	if mn == 0 || mn > 2 {
		return "", dtSyntax
	}
	m := atoi(r[:mn])
	r = r[mn:]
	var sec, frac int64
	// fraction reads ".ddd" as PostgreSQL does: strtod, then rint of the microseconds.
	fraction := func() {
		r = r[1:]
		fn := leadingDigits(r)
		f, _ := strconv.ParseFloat("0."+r[:fn], 64)
		r = r[fn:]
		frac = int64(math.RoundToEven(f * 1e6))
	}
	switch {
	case r != "" && r[0] == ':':
		r = r[1:]
		sn := leadingDigits(r)
		if sn == 0 || sn > 2 {
			return "", dtSyntax
		}
		sec = atoi(r[:sn])
		r = r[sn:]
		if r != "" && r[0] == '.' {
			fraction()
		}
	case r != "" && r[0] == '.':
		// "MM:SS.fff": two fields with a fraction are minutes and seconds
		h, m, sec = 0, h, m
		fraction()
	}
	if h > 24 || m > 59 || sec > 60 || (h == 24 && (m != 0 || sec != 0 || frac != 0)) {
		return "", dtRange
	}
	p.tod = ((h*60+m)*60+sec)*microsPerSecond + frac
	return r, 0
}

// parseZone reads a zone suffix: Z, UTC, +HH, +HH:MM, +HHMM, +HH:MM:SS, an abbreviation or an IANA name.
func (p *parsedDateTime) parseZone(r string) (string, dtError) {
	p.hasZone = true
	if r[0] == '+' || r[0] == '-' {
		sign := 1
		if r[0] == '-' {
			sign = -1
		}
		body := r[1:]
		var h, m, sec int64
		switch parts := strings.Split(body, ":"); {
		case len(parts) == 1 && allDigits(body) && len(body) <= 2:
			h = atoi(body)
		case len(parts) == 1 && allDigits(body) && len(body) == 4:
			h, m = atoi(body[:2]), atoi(body[2:])
		case len(parts) == 2 && allDigits(parts[0]) && allDigits(parts[1]) && len(parts[1]) == 2:
			h, m = atoi(parts[0]), atoi(parts[1])
		case len(parts) == 3 && allDigits(parts[0]) && allDigits(parts[1]) && allDigits(parts[2]):
			h, m, sec = atoi(parts[0]), atoi(parts[1]), atoi(parts[2])
		default:
			return "", dtSyntax
		}
		if h > 15 || m > 59 || sec > 59 {
			return "", dtRange
		}
		p.offset = sign * int(h*3600+m*60+sec)
		return "", 0
	}
	if off, ok := fixedZones[strings.ToLower(r)]; ok {
		p.offset = off
		return "", 0
	}
	if strings.ContainsAny(r, " ") {
		return "", dtSyntax
	}
	loc, err := loadLocation(r)
	if err != nil {
		if !strings.Contains(r, "/") {
			return "", dtSyntax // PostgreSQL tries a bare word as a zone name last
		}
		return r, dtBadZone
	}
	p.zoneLoc = loc
	return "", 0
}

// zoneCache holds loaded zones by name (time.LoadLocation reads a file on every call).
var zoneCache sync.Map // string → *time.Location

// zoneNamesLower maps lower-cased IANA names to their spelling, for case-insensitive lookups.
var zoneNamesLower = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	root := "/usr/share/zoneinfo"
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		name, _ := filepath.Rel(root, path)
		m[strings.ToLower(name)] = name
		return nil
	})
	return m
})

// loadLocation resolves an IANA zone name; like PostgreSQL it matches names case-insensitively.
func loadLocation(name string) (*time.Location, error) {
	if strings.EqualFold(name, "utc") {
		return time.UTC, nil
	}
	if l, ok := zoneCache.Load(name); ok {
		return l.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		exact, ok := zoneNamesLower()[strings.ToLower(name)]
		if !ok {
			return nil, err
		}
		if loc, err = time.LoadLocation(exact); err != nil {
			return nil, err
		}
	}
	zoneCache.Store(name, loc)
	return loc, nil
}
