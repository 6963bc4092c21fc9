package datagen

import (
	"bytes"
	stdjson "encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/connectors/format/json"
	"github.com/runnel-db/runnel/exec/types"
)

// columns is the playground's source schema.
var columns = []json.Column{
	{Name: "user_id", Type: types.Int64T}, {Name: "page", Type: types.TextT}, {Name: "referrer", Type: types.TextT},
	{Name: "country", Type: types.TextT}, {Name: "device", Type: types.TextT}, {Name: "amount", Type: types.NumericT},
	{Name: "ts", Type: types.TimestampTZT},
}

// wantRow is e as Runnel's text output of the columns above ("" for NULL), joined with '|'.
func wantRow(e *Event) string {
	amount := ""
	if e.AmountCents > 0 {
		amount = fmt.Sprintf("%d.%02d", e.AmountCents/100, e.AmountCents%100)
	}
	return fmt.Sprintf("%d|%s|%s|%s|%s|%s|%s", e.UserID, e.Page, e.Referrer, e.Country, e.Device, amount,
		e.Time.UTC().Truncate(time.Millisecond).Format("2006-01-02 15:04:05.999999-07"))
}

// TestPayloadsDecode decodes generated payloads with Runnel's JSON decoder (the one FORMAT PLAIN
// ENCODE JSON uses) and checks every column against the event.
func TestPayloadsDecode(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := json.NewDecoder(mem, columns, nil)
	defer d.Release()

	g := NewPageViews(1)
	t0 := time.Date(2026, 11, 22, 13, 45, 17, 0, time.FixedZone("CET", 3600))
	const n = 5000
	var want []string
	var buf, key []byte
	for i := 0; i < n; i++ {
		e := g.Next(t0.Add(time.Duration(i) * 3217 * time.Microsecond))
		buf, key = AppendJSON(buf[:0], &e), AppendKey(key[:0], &e)
		if !stdjson.Valid(buf) {
			t.Fatalf("event %d is not valid JSON: %s", i, buf)
		}
		if string(key) != strconv.FormatInt(e.UserID, 10) {
			t.Fatalf("event %d: key %q, user_id %d", i, key, e.UserID)
		}
		if err := d.Decode(buf); err != nil {
			t.Fatalf("event %d: %s: %v", i, buf, err)
		}
		want = append(want, wantRow(&e))
	}
	arrs := d.Finish()
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	if arrs[0].Len() != n {
		t.Fatalf("decoded %d rows, want %d", arrs[0].Len(), n)
	}
	for r := 0; r < n; r++ {
		var sb bytes.Buffer
		for c, a := range arrs {
			if c > 0 {
				sb.WriteByte('|')
			}
			if a.IsValid(r) {
				sb.Write(types.AppendText(nil, a, r, columns[c].Type, time.UTC))
			}
		}
		if sb.String() != want[r] {
			t.Fatalf("row %d decodes as\n%s\nwant\n%s", r, sb.String(), want[r])
		}
	}
}

func TestPayloadShape(t *testing.T) {
	e := Event{UserID: 1742, Page: CheckoutPage, Referrer: "google.com", Country: "DE", Device: "mobile",
		AmountCents: 4205, Time: time.Date(2026, 11, 22, 14, 45, 17, 123456789, time.FixedZone("CET", 3600))}
	want := `{"user_id":1742,"page":"/checkout","referrer":"google.com","country":"DE","device":"mobile","amount":42.05,"ts":"2026-11-22T13:45:17.123Z"}`
	if got := string(AppendJSON(nil, &e)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	e.Page, e.AmountCents = "/", 0
	want = `{"user_id":1742,"page":"/","referrer":"google.com","country":"DE","device":"mobile","ts":"2026-11-22T13:45:17.123Z"}`
	if got := string(AppendJSON(nil, &e)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestDeterministic: a seed fixes the events; the times given change only "ts".
func TestDeterministic(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	run := func(seed uint64, step time.Duration) ([]byte, []Event) {
		g := NewPageViews(seed)
		var out []byte
		var evs []Event
		for i := 0; i < 2000; i++ {
			e := g.Next(t0.Add(time.Duration(i) * step))
			out = AppendKey(out, &e)
			out = AppendJSON(append(out, ' '), &e)
			out = append(out, '\n')
			evs = append(evs, e)
		}
		return out, evs
	}
	a, evA := run(42, time.Millisecond)
	b, _ := run(42, time.Millisecond)
	if !bytes.Equal(a, b) {
		t.Fatal("two generators with seed 42 differ")
	}
	if c, _ := run(43, time.Millisecond); bytes.Equal(a, c) {
		t.Fatal("seeds 42 and 43 generate the same events")
	}
	_, evD := run(42, time.Second)
	for i := range evA {
		x, y := evA[i], evD[i]
		x.Time, y.Time = time.Time{}, time.Time{}
		if x != y {
			t.Fatalf("event %d: other times changed more than ts: %+v vs %+v", i, evA[i], evD[i])
		}
	}
}

// TestDistribution checks the data looks like what the package comment promises.
func TestDistribution(t *testing.T) {
	g := NewPageViews(7)
	const n = 50_000
	pageN := map[string]int{}
	country := map[int64]string{}
	device := map[int64]string{}
	userN := map[int64]int{}
	for i := 0; i < n; i++ {
		e := g.Next(time.Time{})
		if e.UserID < 1 || e.UserID > Users {
			t.Fatalf("user_id %d out of 1..%d", e.UserID, Users)
		}
		if (e.Page == CheckoutPage) != (e.AmountCents > 0) {
			t.Fatalf("page %s with amount %d cents", e.Page, e.AmountCents)
		}
		if e.AmountCents > 0 && (e.AmountCents < 500 || e.AmountCents > 100_000) {
			t.Fatalf("amount %d cents out of 5.00..1000.00", e.AmountCents)
		}
		if c, ok := country[e.UserID]; ok && (c != e.Country || device[e.UserID] != e.Device) {
			t.Fatalf("user %d seen from %s/%s and %s/%s", e.UserID, c, device[e.UserID], e.Country, e.Device)
		}
		country[e.UserID], device[e.UserID] = e.Country, e.Device
		pageN[e.Page]++
		userN[e.UserID]++
	}
	total := pageTable.total()
	for _, p := range pages {
		want := float64(n) * float64(p.weight) / float64(total)
		if got := float64(pageN[p.value]); got < 0.85*want || got > 1.15*want {
			t.Errorf("page %s: %v views, expected about %.0f", p.value, got, want)
		}
	}
	// Zipf: the heaviest user is far above the mean, and many users appear.
	top := 0
	for _, c := range userN {
		top = max(top, c)
	}
	if mean := float64(n) / float64(len(userN)); float64(top) < 10*mean || len(userN) < 2000 {
		t.Errorf("users: %d distinct, the top one has %d views (mean %.1f): not a long tail", len(userN), top, mean)
	}
}

func TestGenerateDoesNotAllocate(t *testing.T) {
	g := NewPageViews(1)
	t0 := time.Now()
	buf, key := make([]byte, 0, 512), make([]byte, 0, 32)
	allocs := testing.AllocsPerRun(5000, func() {
		e := g.Next(t0)
		buf, key = AppendJSON(buf[:0], &e), AppendKey(key[:0], &e)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per event", allocs)
	}
}

func BenchmarkGenerate(b *testing.B) {
	g := NewPageViews(1)
	t0 := time.Now()
	var buf, key []byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		e := g.Next(t0)
		buf, key = AppendJSON(buf[:0], &e), AppendKey(key[:0], &e)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
