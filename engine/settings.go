package engine

import (
	"context"
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
	reported bool // sent with ParameterStatus at startup and when changed
	readOnly bool
	// normalize validates a new value and returns its canonical form.
	normalize func(string) (string, error)
}

var knownSettings = func() map[string]*setting {
	list := []*setting{
		{name: "server_version", def: ServerVersion, reported: true, readOnly: true},
		{name: "server_version_num", def: "150000", readOnly: true},
		{name: "server_encoding", def: "UTF8", reported: true, readOnly: true},
		{name: "client_encoding", def: "UTF8", reported: true, normalize: normalizeEncoding},
		{name: "DateStyle", def: "ISO, MDY", reported: true, normalize: normalizeDateStyle},
		{name: "IntervalStyle", def: "postgres", reported: true, normalize: onlyValue("postgres")},
		{name: "TimeZone", def: "UTC", reported: true, normalize: normalizeTimeZone},
		{name: "integer_datetimes", def: "on", reported: true, readOnly: true},
		{name: "standard_conforming_strings", def: "on", reported: true, normalize: onlyValue("on")},
		{name: "application_name", def: "", reported: true},
		{name: "is_superuser", def: "on", reported: true, readOnly: true},
		{name: "session_authorization", def: "", reported: true, readOnly: true},
		{name: "default_transaction_read_only", def: "off", reported: true},
		{name: "in_hot_standby", def: "off", reported: true, readOnly: true},
		{name: "extra_float_digits", def: "1", normalize: normalizeInt},
		{name: "search_path", def: "\"$user\", public"},
		{name: "statement_timeout", def: "0"},
		{name: "client_min_messages", def: "notice"},
		{name: "transaction_isolation", def: "read committed", readOnly: true},
		{name: "default_transaction_isolation", def: "read committed"},
		{name: "max_identifier_length", def: "63", readOnly: true},
		{name: "lc_messages", def: "C"},
		{name: "lc_monetary", def: "C"},
		{name: "lc_numeric", def: "C"},
		{name: "lc_time", def: "C"},
		{name: "bytea_output", def: "hex"},
		{name: "intervalstyle", def: "postgres"},
	}
	m := map[string]*setting{}
	for _, s := range list {
		m[strings.ToLower(s.name)] = s
	}
	return m
}()

// settings are one session's parameter values.
type settings struct {
	values   map[string]string // lower-case name → value
	location *time.Location
}

func newSettings(user string) *settings {
	s := &settings{values: map[string]string{}, location: time.UTC}
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
	if d.name == "TimeZone" {
		loc, err := loadLocation(value)
		if err != nil {
			return nil, err
		}
		s.location = loc
	}
	s.values[strings.ToLower(d.name)] = value
	if d.reported {
		return &Parameter{Name: d.name, Value: value}, nil
	}
	return nil, nil
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
	if strings.Contains(up, "ISO") || up == "" {
		return "ISO, MDY", nil
	}
	return "", sqlerr.New(sqlerr.FeatureNotSupported, "DateStyle %q is not supported: only ISO output is", v)
}

func onlyValue(want string) func(string) (string, error) {
	return func(v string) (string, error) {
		if !strings.EqualFold(v, want) {
			return "", sqlerr.New(sqlerr.FeatureNotSupported, "value %q is not supported (only %q is)", v, want)
		}
		return want, nil
	}
}

func normalizeInt(v string) (string, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return "", sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter: %q", v)
	}
	return strconv.Itoa(n), nil
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

func (x *setExec) execute(_ context.Context, s *Session, _ []types.Datum) (*Result, error) {
	st := x.stmt
	name := st.Name
	switch strings.ToLower(name) {
	case "timezone", "time zone":
		name = "TimeZone"
	case "transaction", "session characteristics":
		return &Result{Tag: "SET"}, nil
	case "names":
		name = "client_encoding"
	case "datestyle":
		name = "DateStyle"
	}
	var value string
	switch st.Kind {
	case pg_query.VariableSetKind_VAR_SET_VALUE:
		parts := make([]string, 0, len(st.Args))
		for _, a := range st.Args {
			parts = append(parts, constText(a))
		}
		value = strings.Join(parts, ", ")
	case pg_query.VariableSetKind_VAR_SET_DEFAULT, pg_query.VariableSetKind_VAR_RESET:
		d := knownSettings[strings.ToLower(name)]
		if d == nil {
			return nil, sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter %q", name)
		}
		value = d.def
	case pg_query.VariableSetKind_VAR_RESET_ALL:
		var changes []Parameter
		for _, d := range knownSettings {
			if !d.readOnly && s.settings.values[strings.ToLower(d.name)] != d.def {
				if p, err := s.settings.set(d.name, d.def); err == nil && p != nil {
					changes = append(changes, *p)
				}
			}
		}
		return &Result{Tag: "RESET", ParameterChanges: changes}, nil
	default:
		return nil, sqlerr.NotSupported("this form of SET")
	}
	p, err := s.settings.set(name, value)
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
	canon := name
	if d := knownSettings[strings.ToLower(name)]; d != nil {
		canon = d.name
	}
	return []Column{{Name: canon, Type: types.TextT}}
}

func (x *showExec) execute(_ context.Context, s *Session, _ []types.Datum) (*Result, error) {
	name := x.name
	switch strings.ToLower(name) {
	case "transaction_isolation", "transaction isolation level":
		name = "transaction_isolation"
	case "timezone":
		name = "TimeZone"
	case "all":
		return nil, sqlerr.NotSupported("SHOW ALL")
	}
	canon, value, err := s.settings.get(name)
	if err != nil {
		return nil, err
	}
	cols := []Column{{Name: canon, Type: types.TextT}}
	return rowsResult("SHOW", cols, s.e.mem, [][]types.Datum{{value}}), nil
}

// textArrowType is the Arrow type of text result columns.
var textArrowType arrow.DataType = arrow.BinaryTypes.String
