package sqllogictest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// EngineName is the name every target answers to in skipif/onlyif: the tests speak PostgreSQL.
const EngineName = "postgresql"

// RunnelName is the extra name a Runnel target (in-process, or a server whose server_version
// says "Runnel") answers to, so a file checked against the real PostgreSQL can bridge a
// difference, e.g. `skipif runnel` before a REFRESH MATERIALIZED VIEW only PostgreSQL needs.
const RunnelName = "runnel"

// Options configure a run.
type Options struct {
	// URL is the server to test; "" starts a fresh in-process Runnel per file.
	URL string
	// Incremental also checks every query through a materialized view (see the package doc).
	Incremental bool
	// Rewrite replaces the expected results of failing queries in place.
	Rewrite bool
	// Timeout bounds each statement or query; 0 means 60 s.
	Timeout time.Duration
	// Verbose, when not nil, receives a description of each failure as it happens.
	Verbose io.Writer
}

// Failure describes one failed record.
type Failure struct {
	File     string
	Line     int
	SQL      string
	Expected string
	Actual   string
}

// Key is the failure's "file:line".
func (f Failure) Key() string { return fmt.Sprintf("%s:%d", f.File, f.Line) }

func (f Failure) String() string {
	return fmt.Sprintf("%s: %s\nexpected:\n%s\nactual:\n%s\n", f.Key(), indent(f.SQL), indent(f.Expected), indent(f.Actual))
}

// Summary counts the records of a run. Passed + Failed + Skipped is the number of statement and
// query records met (records after a halt are not counted).
type Summary struct {
	Passed, Failed, Skipped int
	// ViewChecks counts the queries also checked through a materialized view (incremental mode).
	ViewChecks int
	Failures   []Failure
}

// String is the summary line: "N passed, M failed, K skipped".
func (s Summary) String() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped", s.Passed, s.Failed, s.Skipped)
}

// Add adds o's counts and failures to s.
func (s *Summary) Add(o Summary) {
	s.Passed += o.Passed
	s.Failed += o.Failed
	s.Skipped += o.Skipped
	s.ViewChecks += o.ViewChecks
	s.Failures = append(s.Failures, o.Failures...)
}

// Files expands paths (files, or folders searched recursively for *.slt and *.test) into a
// sorted list of test files.
func Files(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".slt") || strings.HasSuffix(path, ".test")) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, nil
}

// Run runs every test file under paths (see Files), each against a fresh server unless
// opts.URL is set. A file that cannot be read, parsed or connected to counts as one failure.
func Run(ctx context.Context, paths []string, opts Options) (Summary, error) {
	files, err := Files(paths)
	if err != nil {
		return Summary{}, err
	}
	var total Summary
	for _, f := range files {
		s, err := RunFile(ctx, f, opts)
		if err != nil {
			fail := Failure{File: f, Actual: err.Error()}
			s.Failed++
			s.Failures = append(s.Failures, fail)
			if opts.Verbose != nil {
				fmt.Fprint(opts.Verbose, fail.String())
			}
		}
		total.Add(s)
	}
	return total, nil
}

// RunFile runs one test file. The error reports what kept the file from running to its end
// (unreadable, unparsable, server unreachable); the summary counts what ran before that.
func RunFile(ctx context.Context, path string, opts Options) (Summary, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	recs, err := parseFile(path)
	if err != nil {
		return Summary{}, err
	}
	url := opts.URL
	if url == "" {
		srv, err := startServer()
		if err != nil {
			return Summary{}, err
		}
		defer srv.close()
		url = srv.url
	}
	r := &fileRun{opts: opts, url: url, labels: map[string]string{}, edits: map[string][]edit{}}
	if err := r.connect(ctx); err != nil {
		return Summary{}, err
	}
	defer func() { r.conn.Close(context.Background()) }()
	r.names = []string{EngineName}
	if opts.URL == "" || strings.Contains(r.conn.ParameterStatus("server_version"), "Runnel") {
		r.names = append(r.names, RunnelName)
	}
	if opts.Incremental {
		r.inc = newIncremental(recs, r.names)
		r.inc.tryCreate(ctx, r, -1)
	}
	_, err = r.runRecords(ctx, path, recs, 0)
	if werr := r.writeEdits(); err == nil {
		err = werr
	}
	return r.sum, err
}

func parseFile(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(path, f)
}

// fileRun is the state of one file's run: the connection and the control settings so far.
type fileRun struct {
	opts      Options
	url       string
	conn      *pgconn.PgConn
	threshold int
	sortMode  SortMode
	labels    map[string]string
	names     []string // the engine names for skipif/onlyif
	sum       Summary
	edits     map[string][]edit
	inc       *incremental
}

func (r *fileRun) connect(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := pgconn.Connect(cctx, r.url)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", r.url, err)
	}
	r.conn = c
	return nil
}

// result is one statement's outcome in a simple-protocol exchange.
type result struct {
	fields []pgconn.FieldDescription // nil when the statement returned no row description
	rows   [][][]byte
	tag    pgconn.CommandTag
}

// exec runs sql on the simple protocol (text results) within the per-record timeout, and
// reconnects if the connection was lost (a timeout closes it).
func (r *fileRun) exec(ctx context.Context, sql string) ([]result, error) {
	if r.conn.IsClosed() {
		if err := r.connect(ctx); err != nil {
			return nil, err
		}
	}
	cctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	mrr := r.conn.Exec(cctx, sql)
	var out []result
	var firstErr error
	for mrr.NextResult() {
		rr := mrr.ResultReader()
		var res result
		if fds := rr.FieldDescriptions(); fds != nil {
			res.fields = append([]pgconn.FieldDescription{}, fds...)
		}
		for rr.NextRow() {
			vals := rr.Values()
			row := make([][]byte, len(vals))
			for i, v := range vals {
				if v != nil {
					row[i] = append([]byte{}, v...)
				}
			}
			res.rows = append(res.rows, row)
		}
		tag, err := rr.Close()
		if err != nil && firstErr == nil {
			firstErr = err
		}
		res.tag = tag
		out = append(out, res)
	}
	if err := mrr.Close(); err != nil && firstErr == nil {
		firstErr = err
	}
	return out, firstErr
}

// runRecords runs recs of file path; it returns halted = true after a halt record. depth
// bounds include recursion.
func (r *fileRun) runRecords(ctx context.Context, path string, recs []Record, depth int) (halted bool, err error) {
	for i := range recs {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		rec := &recs[i]
		if rec.Kind != KindStatement && rec.Kind != KindQuery && rec.skipped(r.names) {
			continue // e.g. "onlyif mssql" in front of a halt
		}
		switch rec.Kind {
		case KindHalt:
			return true, nil
		case KindHashThreshold:
			r.threshold = rec.N
			continue
		case KindSortMode:
			r.sortMode = rec.Sort
			continue
		case KindSleep:
			time.Sleep(rec.Duration)
			continue
		case KindInclude:
			if depth > 8 {
				return false, fmt.Errorf("%s:%d: includes nested too deeply", path, rec.Line)
			}
			halted, err := r.include(ctx, path, rec, depth)
			if halted || err != nil {
				return halted, err
			}
			continue
		}
		if rec.skipped(r.names) {
			r.sum.Skipped++
			continue
		}
		var f *Failure
		if rec.Kind == KindStatement {
			f = r.statement(ctx, path, i, rec, depth == 0)
		} else {
			f = r.query(ctx, path, i, rec, depth == 0)
		}
		if f == nil {
			r.sum.Passed++
			continue
		}
		r.sum.Failed++
		r.sum.Failures = append(r.sum.Failures, *f)
		if r.opts.Verbose != nil {
			fmt.Fprint(r.opts.Verbose, f.String())
		}
	}
	return false, nil
}

func (r *fileRun) include(ctx context.Context, path string, rec *Record, depth int) (bool, error) {
	pattern := rec.Arg
	if !filepath.IsAbs(pattern) {
		pattern = filepath.Join(filepath.Dir(path), pattern)
	}
	matches, err := filepath.Glob(pattern)
	if err != nil || len(matches) == 0 {
		return false, fmt.Errorf("%s:%d: include %q matches no file", path, rec.Line, rec.Arg)
	}
	sort.Strings(matches)
	for _, m := range matches {
		recs, err := parseFile(m)
		if err != nil {
			return false, err
		}
		if halted, err := r.runRecords(ctx, m, recs, depth+1); halted || err != nil {
			return halted, err
		}
	}
	return false, nil
}

func (r *fileRun) statement(ctx context.Context, path string, idx int, rec *Record, top bool) *Failure {
	fail := func(exp, act string) *Failure {
		return &Failure{File: path, Line: rec.Line, SQL: rec.SQL, Expected: exp, Actual: act}
	}
	if top && r.inc != nil {
		r.inc.beforeStatement(ctx, r, rec)
	}
	res, err := r.exec(ctx, rec.SQL)
	if top && r.inc != nil && err == nil {
		r.inc.afterStatement(ctx, r, idx, rec)
	}
	if rec.ExpectError {
		return checkError(err, rec, fail)
	}
	if err != nil {
		return fail("ok", err.Error())
	}
	if rec.Count >= 0 {
		var n int64
		for _, x := range res {
			n += x.tag.RowsAffected()
		}
		if n != rec.Count {
			if r.opts.Rewrite {
				r.edits[path] = append(r.edits[path], edit{rec.Line - 1, rec.Line - 1, []string{fmt.Sprintf("statement count %d", n)}})
			}
			return fail(fmt.Sprintf("count %d", rec.Count), fmt.Sprintf("count %d", n))
		}
	}
	return nil
}

func checkError(err error, rec *Record, fail func(exp, act string) *Failure) *Failure {
	exp := "an error"
	if rec.ErrorRegex != "" {
		exp = "an error matching " + rec.ErrorRegex
	}
	if err == nil {
		return fail(exp, "ok")
	}
	if rec.ErrorRegex == "" {
		return nil
	}
	re, rerr := regexp.Compile(rec.ErrorRegex)
	if rerr != nil {
		return fail(exp, "bad regex: "+rerr.Error())
	}
	if !re.MatchString(err.Error()) {
		return fail(exp, err.Error())
	}
	return nil
}

func (r *fileRun) query(ctx context.Context, path string, idx int, rec *Record, top bool) *Failure {
	fail := func(exp, act string) *Failure {
		return &Failure{File: path, Line: rec.Line, SQL: rec.SQL, Expected: exp, Actual: act}
	}
	res, err := r.exec(ctx, rec.SQL)
	if rec.ExpectError {
		return checkError(err, rec, fail)
	}
	expected := strings.Join(rec.Expected, "\n")
	if err != nil {
		if top && r.inc != nil {
			r.inc.dropView(ctx, r, idx)
		}
		return fail(expected, err.Error())
	}
	var result *result
	for i := range res {
		if res[i].fields != nil || result == nil {
			result = &res[i]
		}
	}
	if result == nil {
		return fail(expected, "no result")
	}
	if rec.Types != "" && len(result.fields) != len(rec.Types) {
		return fail(expected, fmt.Sprintf("%d columns, the record's type string %q has %d", len(result.fields), rec.Types, len(rec.Types)))
	}
	mode := r.sortMode
	if rec.SortSet {
		mode = rec.Sort
	}
	rendered := renderRows(result.rows, rec.Types)
	rows, vals := sortRows(rendered, mode)
	if rec.Label != "" {
		h := HashValues(vals)
		if prev, ok := r.labels[rec.Label]; ok && prev != h {
			return fail("results of label "+rec.Label+": "+prev, h)
		}
		r.labels[rec.Label] = h
	}
	if !resultsMatch(rec.Expected, rows, vals, mode) {
		valueLayout := strings.HasSuffix(path, ".test")
		actual := formatResults(rows, vals, r.threshold, valueLayout)
		if r.opts.Rewrite {
			r.addEdit(path, rec, actual)
		}
		if top && r.inc != nil {
			r.inc.dropView(ctx, r, idx)
		}
		return fail(expected, strings.Join(actual, "\n"))
	}
	if top && r.inc != nil {
		if msg := r.inc.check(ctx, r, idx, rec, rendered); msg != "" {
			return fail("the same rows from a materialized view of the query", msg)
		}
	}
	return nil
}

func indent(s string) string {
	if s == "" {
		return "    (nothing)"
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
