package engine

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
)

// ServerVersion is the PostgreSQL version Runnel advertises; psql and drivers pick their catalog
// queries by it (see ../shared/docs/pgclients/README.md).
const ServerVersion = "15.0 (Runnel)"

// setting describes one configuration parameter.
type setting struct {
	name     string // canonical spelling, as SHOW's column and ParameterStatus use it
	def      string
	desc     string // SHOW ALL's description, PostgreSQL's wording
	reported bool   // sent with ParameterStatus at startup and when changed
	readOnly bool
	// normalize validates a new value and returns its canonical form.
	normalize func(string) (string, error)
}

var knownSettings = func() map[string]*setting {
	list := []*setting{
		{name: "server_version", def: ServerVersion, reported: true, readOnly: true, desc: "Shows the server version."},
		{name: "server_version_num", def: "150000", readOnly: true, desc: "Shows the server version as an integer."},
		{name: "server_encoding", def: "UTF8", reported: true, readOnly: true, desc: "Shows the server (database) character set encoding."},
		{name: "client_encoding", def: "UTF8", reported: true, normalize: normalizeEncoding, desc: "Sets the client's character set encoding."},
		{name: "DateStyle", def: "ISO, MDY", reported: true, normalize: normalizeDateStyle, desc: "Sets the display format for date and time values."},
		{name: "IntervalStyle", def: "postgres", reported: true, normalize: onlyValue("postgres"), desc: "Sets the display format for interval values."},
		{name: "TimeZone", def: "UTC", reported: true, normalize: normalizeTimeZone, desc: "Sets the time zone for displaying and interpreting time stamps."},
		{name: "integer_datetimes", def: "on", reported: true, readOnly: true, desc: "Shows whether datetimes are integer based."},
		{name: "standard_conforming_strings", def: "on", reported: true, normalize: onlyValue("on"), desc: "Causes '...' strings to treat backslashes literally."},
		{name: "application_name", def: "", reported: true, desc: "Sets the application name to be reported in statistics and logs."},
		{name: "is_superuser", def: "on", reported: true, readOnly: true, desc: "Shows whether the current user is a superuser."},
		{name: "session_authorization", def: "", reported: true, readOnly: true, desc: "Sets the session user name."},
		{name: "default_transaction_read_only", def: "off", reported: true, desc: "Sets the default read-only status of new transactions."},
		{name: "in_hot_standby", def: "off", reported: true, readOnly: true, desc: "Shows whether hot standby is currently active."},
		{name: "extra_float_digits", def: "1", normalize: normalizeExtraFloatDigits, desc: "Sets the number of digits displayed for floating-point values."},
		{name: "search_path", def: "\"$user\", public", normalize: normalizeSearchPath, desc: "Sets the schema search order for names that are not schema-qualified."},
		{name: "statement_timeout", def: "0", normalize: normalizeMilliseconds("statement_timeout"), desc: "Sets the maximum allowed duration of any statement."},
		{name: "client_min_messages", def: "notice", desc: "Sets the message levels that are sent to the client."},
		{name: "transaction_isolation", def: "read committed", readOnly: true, desc: "Sets the current transaction's isolation level."},
		{name: "default_transaction_isolation", def: "read committed", desc: "Sets the transaction isolation level of each new transaction."},
		{name: "max_identifier_length", def: "63", readOnly: true, desc: "Shows the maximum identifier length."},
		{name: "lc_messages", def: "C", desc: "Sets the language in which messages are displayed."},
		{name: "lc_monetary", def: "C", desc: "Sets the locale for formatting monetary amounts."},
		{name: "lc_numeric", def: "C", desc: "Sets the locale for formatting numbers."},
		{name: "lc_time", def: "C", desc: "Sets the locale for formatting date and time values."},
		{name: "bytea_output", def: "hex", normalize: onlyValue("hex"), desc: "Sets the output format for bytea."},
	}
	m := map[string]*setting{}
	for _, s := range list {
		m[strings.ToLower(s.name)] = s
	}
	return m
}()

// settings are one session's parameter values.
//
// Like PostgreSQL's, settings are transactional: a SET inside a transaction block is undone by
// ROLLBACK, and SET LOCAL lasts until the end of the block (COMMIT or ROLLBACK).
type settings struct {
	values   map[string]string // lower-case name → value
	location *time.Location
	timeout  time.Duration // statement_timeout; 0: none
	// resets are the values RESET returns to where they differ from the built-in default: the
	// ones the client sent at startup, as in PostgreSQL.
	resets map[string]string
	// In a transaction block that changed a setting: txBegin holds the values at BEGIN (what
	// ROLLBACK restores), txSession the values the block's plain SETs made (what COMMIT
	// restores, undoing SET LOCAL). Both nil otherwise.
	txBegin, txSession map[string]string
}

func newSettings(user string) *settings {
	s := &settings{values: map[string]string{}, location: time.UTC, resets: map[string]string{}}
	for k, d := range knownSettings {
		s.values[k] = d.def
	}
	s.values["session_authorization"] = user
	return s
}

// set changes a parameter and returns the change to report, if it is a reported one.
func (s *settings) set(name, value string) (*Parameter, error) {
	d := knownSettings[strings.ToLower(name)]
	if d == nil {
		return nil, sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter %q", name)
	}
	if d.readOnly {
		if value == s.values[strings.ToLower(d.name)] {
			return nil, nil
		}
		return nil, sqlerr.New("55P02", "parameter %q cannot be changed", d.name)
	}
	if d.normalize != nil {
		v, err := d.normalize(value)
		if err != nil {
			return nil, err
		}
		value = v
	}
	switch d.name {
	case "TimeZone":
		loc, err := loadLocation(value)
		if err != nil {
			return nil, err
		}
		s.location = loc
	case "statement_timeout":
		ms, _ := parseMilliseconds(value)
		s.timeout = time.Duration(ms) * time.Millisecond
	}
	s.values[strings.ToLower(d.name)] = value
	if d.reported {
		return &Parameter{Name: d.name, Value: value}, nil
	}
	return nil, nil
}

// resetValue is what RESET name returns to: the startup value or the built-in default.
func (s *settings) resetValue(d *setting) string {
	if v, ok := s.resets[strings.ToLower(d.name)]; ok {
		return v
	}
	return d.def
}

// setStartup applies a startup parameter; it becomes the value RESET returns to.
func (s *settings) setStartup(name, value string) error {
	if _, err := s.set(name, value); err != nil {
		return err
	}
	if d := knownSettings[strings.ToLower(name)]; d != nil && !d.readOnly {
		s.resets[strings.ToLower(d.name)] = s.values[strings.ToLower(d.name)]
	}
	return nil
}

// setInTx applies SET (local false) or SET LOCAL (local true) in a transaction block or, with
// inTx false, outside one (where SET LOCAL has no effect, as PostgreSQL warns).
func (s *settings) setInTx(name, value string, inTx, local bool) (*Parameter, error) {
	if local && !inTx {
		return nil, nil
	}
	if inTx && s.txBegin == nil {
		s.txBegin = maps.Clone(s.values)
		s.txSession = maps.Clone(s.values)
	}
	p, err := s.set(name, value)
	if err != nil {
		return nil, err
	}
	if inTx && !local {
		if d := knownSettings[strings.ToLower(name)]; d != nil {
			k := strings.ToLower(d.name)
			s.txSession[k] = s.values[k]
		}
	}
	return p, nil
}

// endTx ends a transaction block: COMMIT (commit true) keeps the block's plain SETs and undoes
// its SET LOCALs, ROLLBACK undoes both. It returns the reported parameters that changed.
func (s *settings) endTx(commit bool) []Parameter {
	target := s.txBegin
	if commit {
		target = s.txSession
	}
	s.txBegin, s.txSession = nil, nil
	var changes []Parameter
	for _, k := range slices.Sorted(maps.Keys(target)) {
		if s.values[k] == target[k] {
			continue
		}
		if p, err := s.set(k, target[k]); err == nil && p != nil {
			changes = append(changes, *p)
		}
	}
	return changes
}

func (s *settings) get(name string) (string, string, error) {
	d := knownSettings[strings.ToLower(name)]
	if d == nil {
		return "", "", sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter %q", name)
	}
	return d.name, s.values[strings.ToLower(d.name)], nil
}

func (s *settings) reported() []Parameter {
	var out []Parameter
	for _, d := range knownSettings {
		if d.reported {
			out = append(out, Parameter{Name: d.name, Value: s.values[strings.ToLower(d.name)]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func normalizeEncoding(v string) (string, error) {
	switch strings.ToUpper(strings.ReplaceAll(v, "-", "")) {
	case "UTF8", "UNICODE":
		return "UTF8", nil
	}
	return "", sqlerr.New(sqlerr.FeatureNotSupported, "client_encoding %q is not supported: Runnel speaks UTF8 only", v)
}

func normalizeDateStyle(v string) (string, error) {
	up := strings.ToUpper(v)
	if up == "" || strings.Contains(up, "ISO") && !strings.Contains(up, "DMY") && !strings.Contains(up, "YMD") {
		return "ISO, MDY", nil
	}
	return "", sqlerr.New(sqlerr.FeatureNotSupported, "DateStyle %q is not supported: only ISO output with MDY input order is", v)
}

// normalizeExtraFloatDigits accepts PostgreSQL's range, -15 to 3.
func normalizeExtraFloatDigits(v string) (string, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return "", sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"extra_float_digits\": %q", v)
	}
	if n < -15 || n > 3 {
		return "", sqlerr.New(sqlerr.InvalidParameterValue, "%d is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)", n)
	}
	return strconv.Itoa(n), nil
}

// millisecondUnits are PostgreSQL's time units for millisecond parameters, largest first.
var millisecondUnits = []struct {
	name string
	ms   float64
}{{"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000}, {"ms", 1}, {"us", 0.001}}

// parseMilliseconds reads a millisecond parameter as PostgreSQL does: a number, optionally
// followed by a unit (us, ms, s, min, h, d; ms without one), rounded to whole milliseconds.
func parseMilliseconds(v string) (int64, bool) {
	t := strings.TrimSpace(v)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.' || t[i] == '-' || t[i] == '+') {
		i++
	}
	f, err := strconv.ParseFloat(t[:i], 64)
	if err != nil {
		return 0, false
	}
	unit := strings.TrimSpace(t[i:])
	scale := 1.0
	if unit != "" {
		found := false
		for _, u := range millisecondUnits {
			if unit == u.name {
				scale, found = u.ms, true
			}
		}
		if !found {
			return 0, false
		}
	}
	ms := math.RoundToEven(f * scale)
	if ms < math.MinInt32 || ms > math.MaxInt32 {
		return int64(math.Copysign(math.MaxInt64, ms)), true
	}
	return int64(ms), true
}

// normalizeMilliseconds validates a millisecond parameter (0 .. 2147483647) and renders it in the
// largest unit that divides it, as SHOW does in PostgreSQL: 100ms, 2s, 1min, 0.
func normalizeMilliseconds(name string) func(string) (string, error) {
	return func(v string) (string, error) {
		ms, ok := parseMilliseconds(v)
		if !ok {
			e := sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"%s\": %q", name, v)
			e.Hint = "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\"."
			return "", e
		}
		if ms < 0 || ms > math.MaxInt32 {
			return "", sqlerr.New(sqlerr.InvalidParameterValue, "%d ms is outside the valid range for parameter \"%s\" (0 .. 2147483647)", ms, name)
		}
		if ms == 0 {
			return "0", nil
		}
		for _, u := range millisecondUnits[:5] {
			if n := int64(u.ms); ms%n == 0 {
				return strconv.FormatInt(ms/n, 10) + u.name, nil
			}
		}
		return strconv.FormatInt(ms, 10) + "ms", nil
	}
}

func onlyValue(want string) func(string) (string, error) {
	return func(v string) (string, error) {
		if !strings.EqualFold(v, want) {
			return "", sqlerr.New(sqlerr.FeatureNotSupported, "value %q is not supported (only %q is)", v, want)
		}
		return want, nil
	}
}

func normalizeTimeZone(v string) (string, error) {
	if _, err := loadLocation(v); err != nil {
		return "", err
	}
	if strings.EqualFold(v, "utc") {
		return "UTC", nil
	}
	return v, nil
}

func loadLocation(v string) (*time.Location, error) {
	switch strings.ToLower(v) {
	case "utc", "gmt", "z", "zulu", "etc/utc":
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(v)
	if err != nil {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"TimeZone\": %q", v)
	}
	return loc, nil
}

// SET / RESET / SHOW

type setExec struct{ stmt *pg_query.VariableSetStmt }

// settingName maps the spellings SET and SHOW accept to a parameter name.
func settingName(name string) string {
	switch strings.ToLower(name) {
	case "timezone", "time zone":
		return "TimeZone"
	case "names":
		return "client_encoding"
	case "datestyle":
		return "DateStyle"
	case "transaction isolation level":
		return "transaction_isolation"
	}
	return name
}

func (x *setExec) execute(_ context.Context, s *Session, _ []types.Datum) (*Result, error) {
	st := x.stmt
	switch strings.ToLower(st.Name) {
	case "transaction", "session characteristics":
		return &Result{Tag: "SET"}, nil
	}
	name := settingName(st.Name)
	inTx := s.txStatus != 'I'
	var value string
	switch st.Kind {
	case pg_query.VariableSetKind_VAR_SET_VALUE:
		parts := make([]string, 0, len(st.Args))
		for _, a := range st.Args {
			v := constText(a)
			if strings.EqualFold(name, "search_path") {
				v = quoteSearchPathEntry(v)
			}
			parts = append(parts, v)
		}
		value = strings.Join(parts, ", ")
	case pg_query.VariableSetKind_VAR_SET_DEFAULT, pg_query.VariableSetKind_VAR_RESET:
		d := knownSettings[strings.ToLower(name)]
		if d == nil {
			return nil, sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter %q", name)
		}
		value = s.settings.resetValue(d)
	case pg_query.VariableSetKind_VAR_RESET_ALL:
		var changes []Parameter
		for _, k := range slices.Sorted(maps.Keys(knownSettings)) {
			d := knownSettings[k]
			if v := s.settings.resetValue(d); !d.readOnly && s.settings.values[k] != v {
				if p, err := s.settings.setInTx(d.name, v, inTx, false); err == nil && p != nil {
					changes = append(changes, *p)
				}
			}
		}
		return &Result{Tag: "RESET", ParameterChanges: changes}, nil
	default:
		return nil, sqlerr.NotSupported("this form of SET")
	}
	p, err := s.settings.setInTx(name, value, inTx, st.IsLocal)
	if err != nil {
		return nil, err
	}
	r := &Result{Tag: "SET"}
	if st.Kind == pg_query.VariableSetKind_VAR_RESET {
		r.Tag = "RESET"
	}
	if p != nil {
		r.ParameterChanges = []Parameter{*p}
	}
	return r, nil
}

// normalizeSearchPath accepts a schema list that includes public, the only schema tables and
// views live in (the system schemas are searched anyway): a list without it would make
// PostgreSQL fail to find them, which Runnel's name lookup does not model. Entries are shown
// as PostgreSQL shows them: plain names bare, others double-quoted.
func normalizeSearchPath(v string) (string, error) {
	var entries []string
	hasPublic := false
	for _, raw := range splitSearchPath(v) {
		e := strings.TrimSpace(raw)
		if len(e) >= 2 && e[0] == '"' && e[len(e)-1] == '"' {
			e = strings.ReplaceAll(e[1:len(e)-1], `""`, `"`)
		} else {
			e = strings.ToLower(e)
		}
		if e == "" {
			continue
		}
		hasPublic = hasPublic || e == DefaultSchema
		entries = append(entries, quoteSearchPathEntry(e))
	}
	if !hasPublic {
		return "", &sqlerr.Error{Code: sqlerr.FeatureNotSupported,
			Message: fmt.Sprintf("search_path %q is not supported: it must include public", v),
			Detail:  "Runnel has one schema for tables and views, public; name lookup always searches it."}
	}
	return strings.Join(entries, ", "), nil
}

// splitSearchPath splits a search_path value at commas outside double quotes.
func splitSearchPath(v string) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				out = append(out, v[start:i])
				start = i + 1
			}
		}
	}
	return append(out, v[start:])
}

// quoteSearchPathEntry double-quotes a search_path entry that is not a plain lower-case name,
// as PostgreSQL shows "$user".
func quoteSearchPathEntry(v string) string {
	plain := v != ""
	for i, r := range v {
		if !(r >= 'a' && r <= 'z' || r == '_' || i > 0 && (r >= '0' && r <= '9' || r == '$')) {
			plain = false
		}
	}
	if plain {
		return v
	}
	return `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
}

// constText renders a SET argument (a constant) as text.
func constText(n *pg_query.Node) string {
	if c := n.GetAConst(); c != nil {
		switch v := c.Val.(type) {
		case *pg_query.A_Const_Sval:
			return v.Sval.Sval
		case *pg_query.A_Const_Ival:
			return strconv.Itoa(int(v.Ival.Ival))
		case *pg_query.A_Const_Fval:
			return v.Fval.Fval
		case *pg_query.A_Const_Boolval:
			if v.Boolval.Boolval {
				return "on"
			}
			return "off"
		}
	}
	if tc := n.GetTypeCast(); tc != nil {
		return constText(tc.Arg)
	}
	return ""
}

type showExec struct{ name string }

func showColumns(name string) []Column {
	if strings.EqualFold(name, "all") {
		return showAllColumns
	}
	canon := settingName(name)
	if d := knownSettings[strings.ToLower(canon)]; d != nil {
		canon = d.name
	}
	return []Column{{Name: canon, Type: types.TextT}}
}

// showAllColumns are SHOW ALL's, as in PostgreSQL.
var showAllColumns = []Column{{Name: "name", Type: types.TextT}, {Name: "setting", Type: types.TextT}, {Name: "description", Type: types.TextT}}

func (x *showExec) execute(_ context.Context, s *Session, _ []types.Datum) (*Result, error) {
	if strings.EqualFold(x.name, "all") {
		names := slices.Sorted(maps.Keys(knownSettings))
		rows := make([][]types.Datum, 0, len(names))
		for _, k := range names {
			d := knownSettings[k]
			rows = append(rows, []types.Datum{d.name, s.settings.values[k], d.desc})
		}
		return rowsResult("SHOW", showAllColumns, s.e.mem, rows), nil
	}
	canon, value, err := s.settings.get(settingName(x.name))
	if err != nil {
		return nil, err
	}
	cols := []Column{{Name: canon, Type: types.TextT}}
	return rowsResult("SHOW", cols, s.e.mem, [][]types.Datum{{value}}), nil
}

// textArrowType is the Arrow type of text result columns.
var textArrowType arrow.DataType = arrow.BinaryTypes.String
