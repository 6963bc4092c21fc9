package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/runnel-db/runnel/connectors/datagen"
	"github.com/runnel-db/runnel/engine"
)

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	psqlLine   = regexp.MustCompile(`(?m)^  psql -h (\S+) -p (\d+) -U runnel runnel$`)
	printedSQL = regexp.MustCompile(`(?ms)^  ((?:CREATE|SELECT)\b.*?;)$`)
)

// pageRow is one row of the printed SELECT.
type pageRow struct {
	page                       string
	views, visitors, purchases int64
	revenue                    string // "<nil>" for NULL
}

func (r pageRow) String() string {
	return fmt.Sprintf("%s|%d|%d|%d|%s", r.page, r.views, r.visitors, r.purchases, r.revenue)
}

func queryPages(t *testing.T, c *pgx.Conn, q string) ([]pageRow, int64) {
	t.Helper()
	var rows []pageRow
	var total int64
	text := rowsText(t, c, q)
	if text == "" {
		return nil, 0
	}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Split(line, "|")
		if len(f) != 5 {
			t.Fatalf("%s: row %q does not have 5 columns", q, line)
		}
		r := pageRow{page: f[0], revenue: f[4]}
		for i, p := range []*int64{&r.views, &r.visitors, &r.purchases} {
			n, err := strconv.ParseInt(f[i+1], 10, 64)
			if err != nil {
				t.Fatalf("%s: row %q: %v", q, line, err)
			}
			*p = n
		}
		rows = append(rows, r)
		total += r.views
	}
	return rows, total
}

// expectedPages is page_stats over the first n events of the seed, sorted by page.
func expectedPages(seed uint64, n int) []pageRow {
	g := datagen.NewPageViews(seed)
	type acc struct {
		views, purchases, cents int64
		users                   map[int64]bool
	}
	by := map[string]*acc{}
	for i := 0; i < n; i++ {
		e := g.Next(time.Time{})
		a := by[e.Page]
		if a == nil {
			a = &acc{users: map[int64]bool{}}
			by[e.Page] = a
		}
		a.views++
		a.users[e.UserID] = true
		if e.AmountCents > 0 {
			a.purchases++
			a.cents += e.AmountCents
		}
	}
	var rows []pageRow
	for p, a := range by {
		r := pageRow{page: p, views: a.views, visitors: int64(len(a.users)), purchases: a.purchases, revenue: "<nil>"}
		if a.purchases > 0 {
			r.revenue = fmt.Sprintf("%d.%02d", a.cents/100, a.cents%100)
		}
		rows = append(rows, r)
	}
	sortPages(rows)
	return rows
}

func sortPages(rows []pageRow) {
	sort.Slice(rows, func(i, j int) bool { return rows[i].page < rows[j].page })
}

// TestPlayground starts the playground in process on free ports, runs the statements it prints
// exactly as printed (through psql when it is installed, as a user would paste them), and checks
// that the printed SELECT's answer grows between queries and ends exactly equal to the view
// computed from the generator's sequence, with source_status agreeing on what was read.
func TestPlayground(t *testing.T) {
	const seed, events, rate = 5, 3000, 400
	out, logs := &syncBuffer{}, &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- playground(ctx, playgroundConfig{listen: "127.0.0.1:0", kafka: "127.0.0.1:0", dataDir: engine.MemoryDir,
			rate: rate, seed: seed, maxEvents: events}, out, slog.New(slog.NewTextHandler(logs, nil)))
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "Stop with Ctrl-C.") {
		select {
		case err := <-done:
			t.Fatalf("playground returned %v before printing its instructions; output:\n%s\nlogs:\n%s", err, out, logs)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no instructions after 30s; output:\n%s\nlogs:\n%s", out, logs)
		}
	}
	printed := out.String()
	m := psqlLine.FindStringSubmatch(printed)
	if m == nil {
		t.Fatalf("no psql command in the output:\n%s", printed)
	}
	host, port := m[1], m[2]
	var stmts []string
	for _, sm := range printedSQL.FindAllStringSubmatch(printed, -1) {
		stmts = append(stmts, sm[1])
	}
	if len(stmts) != 3 || !strings.HasPrefix(stmts[0], "CREATE SOURCE") ||
		!strings.HasPrefix(stmts[1], "CREATE MATERIALIZED VIEW") || !strings.HasPrefix(stmts[2], "SELECT") {
		t.Fatalf("want CREATE SOURCE, CREATE MATERIALIZED VIEW and SELECT in the output, found %d statements:\n%s", len(stmts), printed)
	}
	s := &server{addr: net.JoinHostPort(host, port)}
	c := connect(t, s)

	if psql, err := exec.LookPath("psql"); err == nil {
		cmd := exec.Command(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", port, "-U", "runnel", "runnel")
		cmd.Stdin = strings.NewReader("  " + stmts[0] + "\n\n  " + stmts[1] + "\n")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("psql with the printed CREATE statements: %v\n%s\nlogs:\n%s", err, b, logs)
		}
	} else {
		t.Log("psql is not installed: running the printed statements through pgx")
		mustExec(t, c, stmts[0])
		mustExec(t, c, stmts[1])
	}

	// The SELECT's answer grows while the generator runs.
	wait := func(what string, ok func([]pageRow, int64) bool) ([]pageRow, int64) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			rows, total := queryPages(t, c, stmts[2])
			if ok(rows, total) {
				return rows, total
			}
			if time.Now().After(deadline) {
				t.Fatalf("waited 30s for %s; last answer (%d views): %v\nlogs:\n%s", what, total, rows, logs)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	first, n1 := wait("a first answer", func(_ []pageRow, n int64) bool { return n > 0 })
	second, n2 := wait("the answer to change", func(_ []pageRow, n int64) bool { return n != n1 })
	if n2 < n1 || n2 > events {
		t.Fatalf("total views went from %d to %d (%d events are generated)", n1, n2, events)
	}
	if len(second) < len(first) {
		t.Errorf("pages went from %d to %d", len(first), len(second))
	}
	for i := 1; i < len(second); i++ {
		if second[i].views > second[i-1].views {
			t.Fatalf("the SELECT's rows are not ordered by views: %v", second)
		}
	}
	t.Logf("views: %d, then %d", n1, n2)

	// Once the generator stops, the view holds exactly its events.
	final, _ := wait("all events", func(_ []pageRow, n int64) bool { return n == events })
	sortPages(final)
	if want := expectedPages(seed, events); fmt.Sprint(final) != fmt.Sprint(want) {
		t.Errorf("final view:\n%v\nwant (from the generator's sequence):\n%v", final, want)
	}
	status := fmt.Sprintf("SELECT count(*), sum(committed_offset), sum(records), sum(rejected) FROM runnel_catalog.source_status WHERE source = '%s' AND consumer = 'page_stats'", playgroundTopic)
	if got, want := rowsText(t, c, status), fmt.Sprintf("%d|%d|%d|0", playgroundPartitions, events, events); got != want {
		t.Errorf("source_status: %s, want %s", got, want)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("playground after cancel: %v\nlogs:\n%s", err, logs)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("playground did not stop within 15s of the cancel\nlogs:\n%s", logs)
	}
}

// TestPlaygroundPortInUse: a taken --listen address is an error naming the flag, and the
// broker started before it is closed again.
func TestPlaygroundPortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	kafka := freePort(t)
	err = playground(context.Background(), playgroundConfig{listen: taken.Addr().String(), kafka: kafka,
		dataDir: engine.MemoryDir, rate: 10}, &syncBuffer{}, slog.New(slog.NewTextHandler(&syncBuffer{}, nil)))
	if err == nil || !strings.Contains(err.Error(), "--listen") {
		t.Fatalf("err %v, want one naming --listen", err)
	}
	if ln, err := net.Listen("tcp", kafka); err != nil {
		t.Errorf("--kafka %s is still taken after the failed start: %v", kafka, err)
	} else {
		ln.Close()
	}
	if err := runPlayground([]string{"--rate", "0", "--kafka", "127.0.0.1:0", "--listen", "127.0.0.1:0"}); err == nil || !strings.Contains(err.Error(), "--rate") {
		t.Errorf("--rate 0: err %v", err)
	}
}

// TestPlaygroundREADME: the README's Playground section shows the statements exactly as the
// playground prints them with its default addresses.
func TestPlaygroundREADME(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	i := strings.Index(readme, "\n## Playground")
	if i < 0 {
		t.Skip("README.md has no Playground section yet")
	}
	section := readme[i+1:]
	if j := strings.Index(section, "\n## "); j >= 0 {
		section = section[:j]
	}
	source, view, query := playgroundSQL("127.0.0.1:9092")
	for _, s := range []string{"psql -h 127.0.0.1 -p 6543 -U runnel runnel", source, view, query} {
		if !strings.Contains(section, s) {
			t.Errorf("the README's Playground section does not show, as printed:\n%s", s)
		}
	}
}
