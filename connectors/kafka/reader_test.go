package kafka

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runnel-db/runnel/connectors/format/row"
	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

var testCols = []row.Column{
	{Name: "id", Type: types.Int64T},
	{Name: "p", Type: types.Int32T},
	{Name: "name", Type: types.TextT},
}

func newCluster(t testing.TB, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func newProducer(t testing.TB, addrs []string) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.DefaultProduceTopic("t"),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func produce(t testing.TB, cl *kgo.Client, recs ...*kgo.Record) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

func jrec(p int32, id int64) *kgo.Record {
	return &kgo.Record{Partition: p, Value: fmt.Appendf(nil, `{"id":%d,"p":%d,"name":"n%d"}`, id, p, id)}
}

// testReader starts a reader of topic "t" with a checked allocator; with adds WITH options.
func testReader(t testing.TB, c *kfake.Cluster, with map[string]string, enc Encoding, cols []row.Column, keyCols []int,
	committed map[int32]int64, opts ReaderOptions) *Reader {
	t.Helper()
	w := map[string]string{
		"connector": "kafka", "topic": "t",
		"properties.bootstrap.server":  strings.Join(c.ListenAddrs(), ","),
		"properties.fetch.wait.max.ms": "100",
	}
	for k, v := range with {
		w[k] = v
	}
	cfg, err := ParseOptions(w)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	opts.Mem = mem
	if opts.Source == "" {
		opts.Source = "src"
	}
	if opts.PartitionDiscoveryInterval == 0 {
		opts.PartitionDiscoveryInterval = 200 * time.Millisecond
	}
	r, err := NewReader(cfg, enc, cols, keyCols, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.Close()
		mem.AssertSize(t, 0)
	})
	if err := r.Start(context.Background(), committed); err != nil {
		t.Fatal(err)
	}
	return r
}

// delivered accumulates what Polls returned.
type delivered struct {
	ids      []int64
	parts    []int32
	names    []string // "<NULL>" for NULL
	deletes  []bool
	offsets  map[int32]int64
	rejected int
	chunks   int
}

// drain polls until want records (rows + rejected) arrived, checking every chunk's invariants.
func drain(t testing.TB, r *Reader, want, maxRecords int) *delivered {
	t.Helper()
	d := &delivered{offsets: map[int32]int64{}}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for len(d.ids)+d.rejected < want {
		c, err := r.Poll(ctx, maxRecords)
		if err != nil {
			t.Fatalf("poll after %d of %d records: %v", len(d.ids)+d.rejected, want, err)
		}
		d.add(t, c, maxRecords)
	}
	return d
}

func (d *delivered) add(t testing.TB, c *Chunk, maxRecords int) {
	t.Helper()
	defer c.Release()
	d.chunks++
	if c.Len()+c.Rejected > maxRecords {
		t.Fatalf("chunk has %d rows + %d rejected > max %d", c.Len(), c.Rejected, maxRecords)
	}
	d.rejected += c.Rejected
	for p, o := range c.Offsets {
		if o < d.offsets[p] {
			t.Fatalf("partition %d offset went back from %d to %d", p, d.offsets[p], o)
		}
		d.offsets[p] = o
	}
	if c.Len() == 0 {
		return
	}
	ids := c.Cols[0].(*array.Int64)
	for i := 0; i < c.Len(); i++ {
		d.ids = append(d.ids, ids.Value(i))
		if c.Deletes != nil {
			d.deletes = append(d.deletes, c.Deletes[i])
		}
	}
	if len(c.Cols) >= 3 {
		ps := c.Cols[1].(*array.Int32)
		names := c.Cols[2].(*array.String)
		for i := 0; i < c.Len(); i++ {
			d.parts = append(d.parts, ps.Value(i))
			if names.IsNull(i) {
				d.names = append(d.names, "<NULL>")
			} else {
				d.names = append(d.names, names.Value(i))
			}
		}
	} else if len(c.Cols) == 2 {
		vs := c.Cols[1].(*array.String)
		for i := 0; i < c.Len(); i++ {
			if vs.IsNull(i) {
				d.names = append(d.names, "<NULL>")
			} else {
				d.names = append(d.names, vs.Value(i))
			}
		}
	}
}

// expectNothing checks that Poll delivers no record for a short while.
func expectNothing(t testing.TB, r *Reader) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	for {
		c, err := r.Poll(ctx, 100)
		if errors.Is(err, context.DeadlineExceeded) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		n := c.Len() + c.Rejected
		c.Release()
		if n > 0 {
			t.Fatalf("unexpected %d records", n)
		}
	}
}

var jsonEnc = Encoding{Format: FormatPlain, Encode: EncodeJSON}

func TestThreePartitionsExactOffsets(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(3, "t"))
	pr := newProducer(t, c.ListenAddrs())
	for p := int32(0); p < 3; p++ {
		for i := int64(0); i < 10; i++ {
			produce(t, pr, jrec(p, int64(p)*100+i))
		}
	}
	r := testReader(t, c, nil, jsonEnc, testCols, nil, nil, ReaderOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	next := map[int32]int64{}
	total := 0
	for total < 30 {
		ch, err := r.Poll(ctx, 7)
		if err != nil {
			t.Fatal(err)
		}
		if ch.Len() > 7 || ch.Rejected != 0 {
			t.Fatalf("chunk of %d rows, %d rejected", ch.Len(), ch.Rejected)
		}
		ids, ps := ch.Cols[0].(*array.Int64), ch.Cols[1].(*array.Int32)
		last := map[int32]int64{}
		for i := 0; i < ch.Len(); i++ {
			p, off := ps.Value(i), ids.Value(i)%100
			if off != next[p] {
				t.Fatalf("partition %d: got offset %d, want %d", p, off, next[p])
			}
			if ch.Partitions[i] != p || ch.RowOffsets[i] != off {
				t.Fatalf("row %d: chunk says partition %d offset %d, want %d and %d", i, ch.Partitions[i], ch.RowOffsets[i], p, off)
			}
			next[p]++
			last[p] = off
		}
		for p, off := range last {
			if ch.Offsets[p] != off+1 {
				t.Fatalf("partition %d: chunk offset %d, want %d", p, ch.Offsets[p], off+1)
			}
		}
		for p, o := range ch.Offsets {
			if _, ok := last[p]; !ok && ch.Len() > 0 && o != 0 {
				t.Fatalf("partition %d reported offset %d without records", p, o)
			}
		}
		total += ch.Len()
		ch.Release()
	}
	if next[0] != 10 || next[1] != 10 || next[2] != 10 {
		t.Fatalf("per-partition counts %v", next)
	}
	expectNothing(t, r)
	st := r.Status()
	if len(st.Partitions) != 3 || st.State != "running" {
		t.Fatalf("status %+v", st)
	}
	for _, ps := range st.Partitions {
		if ps.NextOffset != 10 || ps.Records != 10 || ps.HighWatermark != 10 || ps.Lag != 0 {
			t.Fatalf("partition status %+v", ps)
		}
	}
}

func TestResumeFromCommitted(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(3, "t"))
	pr := newProducer(t, c.ListenAddrs())
	var recs []*kgo.Record
	for p := int32(0); p < 3; p++ {
		for i := int64(0); i < 20; i++ {
			recs = append(recs, jrec(p, int64(p)*100+i))
		}
	}
	produce(t, pr, recs...)

	r1 := testReader(t, c, nil, jsonEnc, testCols, nil, nil, ReaderOptions{})
	d1 := drain(t, r1, 25, 5)
	r1.Close()
	committed := d1.offsets

	// More records arrive while the source is down.
	for p := int32(0); p < 3; p++ {
		produce(t, pr, jrec(p, int64(p)*100+20))
	}
	r2 := testReader(t, c, map[string]string{"scan.startup.mode": "latest"}, jsonEnc, testCols, nil, committed, ReaderOptions{})
	d2 := drain(t, r2, 63-len(d1.ids), 5)
	expectNothing(t, r2)

	all := append(slices.Clone(d1.ids), d2.ids...)
	slices.Sort(all)
	var want []int64
	for p := int64(0); p < 3; p++ {
		for i := int64(0); i <= 20; i++ {
			want = append(want, p*100+i)
		}
	}
	if !slices.Equal(all, want) {
		t.Fatalf("delivered %v\nwant %v", all, want)
	}
	if d2.offsets[0] != 21 || d2.offsets[1] != 21 || d2.offsets[2] != 21 {
		t.Fatalf("final offsets %v", d2.offsets)
	}
}

func TestRewindRedelivers(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(1, "t"))
	pr := newProducer(t, c.ListenAddrs())
	for i := int64(0); i < 10; i++ {
		produce(t, pr, jrec(0, i))
	}
	r := testReader(t, c, nil, jsonEnc, testCols, nil, nil, ReaderOptions{})
	d := drain(t, r, 4, 4)
	if !slices.Equal(d.ids, []int64{0, 1, 2, 3}) || d.offsets[0] != 4 {
		t.Fatalf("first chunk %v %v", d.ids, d.offsets)
	}
	d = drain(t, r, 4, 4) // the engine fails to commit this one
	if !slices.Equal(d.ids, []int64{4, 5, 6, 7}) {
		t.Fatalf("second chunk %v", d.ids)
	}
	if err := r.Rewind(map[int32]int64{0: 4}); err != nil {
		t.Fatal(err)
	}
	d = drain(t, r, 6, 100)
	if !slices.Equal(d.ids, []int64{4, 5, 6, 7, 8, 9}) || d.offsets[0] != 10 {
		t.Fatalf("after rewind %v %v", d.ids, d.offsets)
	}
	// Nothing committed at all: back to the resolved start, which is reported again.
	if err := r.Rewind(nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ch, err := r.Poll(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := ch.Offsets[0]; !ok || (ch.Len() == 0 && o != 0) {
		t.Fatalf("after full rewind: %d rows, offsets %v", ch.Len(), ch.Offsets)
	}
	d = &delivered{offsets: map[int32]int64{}}
	d.add(t, ch, 100)
	for len(d.ids) < 10 {
		ch, err := r.Poll(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		d.add(t, ch, 100)
	}
	if !slices.Equal(d.ids, []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Fatalf("after full rewind %v", d.ids)
	}
	// Records buffered by the clients Rewind closed are accounted as unbuffered.
	deadline := time.Now().Add(5 * time.Second)
	for st := r.Status(); st.BufferedRecords != 0 || st.BufferedBytes != 0; st = r.Status() {
		if time.Now().After(deadline) {
			t.Fatalf("buffered gauge stuck at %d records / %d bytes", st.BufferedRecords, st.BufferedBytes)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestStartupModes(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(1, "t"))
	pr := newProducer(t, c.ListenAddrs())
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	for i := int64(0); i < 5; i++ {
		rec := jrec(0, i)
		rec.Timestamp = base.Add(time.Duration(i) * time.Second)
		produce(t, pr, rec)
	}

	earliest := testReader(t, c, map[string]string{"scan.startup.mode": "earliest"}, jsonEnc, testCols, nil, nil, ReaderOptions{})
	if d := drain(t, earliest, 5, 100); !slices.Equal(d.ids, []int64{0, 1, 2, 3, 4}) {
		t.Fatalf("earliest: %v", d.ids)
	}

	latest := testReader(t, c, map[string]string{"scan.startup.mode": "latest"}, jsonEnc, testCols, nil, nil, ReaderOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch, err := latest.Poll(ctx, 100) // the resolved start position comes first, without rows
	if err != nil {
		t.Fatal(err)
	}
	if ch.Len() != 0 || ch.Offsets[0] != 5 {
		t.Fatalf("latest first chunk: %d rows, offsets %v", ch.Len(), ch.Offsets)
	}
	ch.Release()
	produce(t, pr, jrec(0, 5), jrec(0, 6))
	if d := drain(t, latest, 2, 100); !slices.Equal(d.ids, []int64{5, 6}) || d.offsets[0] != 7 {
		t.Fatalf("latest: %v %v", d.ids, d.offsets)
	}

	ms := strconv.FormatInt(base.Add(2500*time.Millisecond).UnixMilli(), 10)
	ts := testReader(t, c, map[string]string{"scan.startup.mode": "timestamp", "scan.startup.timestamp.millis": ms},
		jsonEnc, testCols, nil, nil, ReaderOptions{})
	if d := drain(t, ts, 4, 100); !slices.Equal(d.ids, []int64{3, 4, 5, 6}) {
		t.Fatalf("timestamp: %v", d.ids)
	}
}

func TestPartitionAddedAfterStart(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(2, "t"))
	// Latest mode: the new partition must still be read from its start.
	r := testReader(t, c, map[string]string{"scan.startup.mode": "latest"}, jsonEnc, testCols, nil, nil, ReaderOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch, err := r.Poll(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Len() != 0 || len(ch.Offsets) != 2 {
		t.Fatalf("first chunk: %d rows, offsets %v", ch.Len(), ch.Offsets)
	}
	ch.Release()

	adm, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Close()
	if _, err := kadm.NewClient(adm).CreatePartitions(ctx, 1, "t"); err != nil {
		t.Fatal(err)
	}
	pr := newProducer(t, c.ListenAddrs())
	produce(t, pr, jrec(2, 200), jrec(2, 201), jrec(2, 202), jrec(0, 0))
	d := drain(t, r, 4, 100)
	slices.Sort(d.ids)
	if !slices.Equal(d.ids, []int64{0, 200, 201, 202}) || d.offsets[2] != 3 || d.offsets[0] != 1 {
		t.Fatalf("got %v offsets %v", d.ids, d.offsets)
	}
	if st := r.Status(); len(st.Partitions) != 3 {
		t.Fatalf("status partitions %+v", st.Partitions)
	}
}

func TestMalformedRecords(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(1, "t"))
	pr := newProducer(t, c.ListenAddrs())
	long := `{"id": 1, "name": "` + strings.Repeat("x", 100) + `"` // unterminated object
	produce(t, pr,
		jrec(0, 1),
		&kgo.Record{Value: []byte("not json")},
		jrec(0, 2),
		&kgo.Record{Value: []byte(`{"id":"abc"}`)},
		&kgo.Record{Value: nil},
		&kgo.Record{Value: []byte(long)},
		jrec(0, 3),
	)
	r := testReader(t, c, nil, jsonEnc, testCols, nil, nil, ReaderOptions{})
	d := drain(t, r, 7, 100)
	if !slices.Equal(d.ids, []int64{1, 2, 3}) || d.rejected != 4 || d.offsets[0] != 7 {
		t.Fatalf("ids %v rejected %d offsets %v", d.ids, d.rejected, d.offsets)
	}
	errs := r.RecentErrors()
	if len(errs) != 4 {
		t.Fatalf("recent errors %+v", errs)
	}
	wantOff := []int64{1, 3, 4, 5}
	for i, e := range errs {
		if e.Source != "src" || e.Partition != 0 || e.Offset != wantOff[i] || e.Reason == "" {
			t.Errorf("error %d: %+v", i, e)
		}
	}
	if errs[0].Payload != "not json" || !strings.Contains(errs[1].Reason, `"id"`) || errs[2].Payload != "" ||
		errs[3].Payload != long[:PayloadPrefix] {
		t.Errorf("payloads/reasons: %+v", errs)
	}
	if st := r.Status(); st.Rejected != 4 || st.Partitions[0].Rejected != 4 || st.Partitions[0].Records != 7 {
		t.Errorf("status %+v", st)
	}
}

func TestUpsertKeysAndTombstones(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(1, "t"))
	pr := newProducer(t, c.ListenAddrs())
	kv := func(k, v string) *kgo.Record {
		r := &kgo.Record{}
		if k != "" {
			r.Key = []byte(k)
		}
		if v != "" {
			r.Value = []byte(v)
		}
		return r
	}
	produce(t, pr,
		kv(`{"id":1}`, `{"id":1,"v":"a"}`),
		kv(`{"ID":2}`, `{"v":"b"}`),  // key field filled from the key
		kv(`1`, ""),                  // scalar key tombstone
		kv(`{"id":3,"v":"zzz"}`, ""), // non-key fields of the key are ignored
		kv(`nope{`, `{"id":4,"v":"d"}`),
		kv("", ""),
		kv(`{"other":1}`, ""),
		kv(`{"id":5}`, `{"id":6,"v":"e"}`), // the value wins
	)
	cols := []row.Column{{Name: "id", Type: types.Int64T}, {Name: "v", Type: types.TextT}}
	enc, err := ParseEncoding("UPSERT", "JSON", nil)
	if err != nil {
		t.Fatal(err)
	}
	r := testReader(t, c, nil, enc, cols, []int{0}, nil, ReaderOptions{})
	d := drain(t, r, 8, 100)
	if !slices.Equal(d.ids, []int64{1, 2, 1, 3, 6}) ||
		!slices.Equal(d.names, []string{"a", "b", "<NULL>", "<NULL>", "e"}) ||
		!slices.Equal(d.deletes, []bool{false, false, true, true, false}) || d.rejected != 3 {
		t.Fatalf("ids %v names %v deletes %v rejected %d", d.ids, d.names, d.deletes, d.rejected)
	}
	errs := r.RecentErrors()
	if len(errs) != 3 || errs[0].Offset != 4 || !strings.Contains(errs[0].Reason, "key") || errs[1].Offset != 5 || errs[2].Offset != 6 {
		t.Fatalf("errors %+v", errs)
	}
}

func TestCSV(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(1, "t"))
	pr := newProducer(t, c.ListenAddrs())
	produce(t, pr,
		&kgo.Record{Value: []byte("1;0;a\n")},
		&kgo.Record{Value: []byte(`2;0;"b;c"`)},
		&kgo.Record{Value: []byte("x;0;bad")},
		&kgo.Record{Value: []byte("3;0;")},
	)
	enc, err := ParseEncoding("PLAIN", "CSV", map[string]string{"delimiter": ";", "without_header": "true"})
	if err != nil {
		t.Fatal(err)
	}
	r := testReader(t, c, nil, enc, testCols, nil, nil, ReaderOptions{})
	d := drain(t, r, 4, 100)
	if !slices.Equal(d.ids, []int64{1, 2, 3}) || !slices.Equal(d.names, []string{"a", "b;c", "<NULL>"}) || d.rejected != 1 {
		t.Fatalf("ids %v names %v rejected %d", d.ids, d.names, d.rejected)
	}
	if e := r.RecentErrors(); len(e) != 1 || e[0].Offset != 2 || !strings.Contains(e[0].Reason, "id") {
		t.Fatalf("errors %+v", e)
	}
}

func TestBrokerStopAndRestart(t *testing.T) {
	dir := t.TempDir()
	c1, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "t"), kfake.DataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	addr := c1.ListenAddrs()[0]
	_, portStr, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portStr)
	pr1, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic("t"), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	for i := int64(0); i < 5; i++ {
		produce(t, pr1, jrec(0, i))
	}
	pr1.Close()

	r := testReader(t, c1, nil, jsonEnc, testCols, nil, nil, ReaderOptions{RetryBackoffMax: 300 * time.Millisecond})
	if d := drain(t, r, 5, 100); !slices.Equal(d.ids, []int64{0, 1, 2, 3, 4}) {
		t.Fatalf("before stop: %v", d.ids)
	}

	c1.Close()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.HasPrefix(r.Status().State, "retrying: ") {
		if time.Now().After(deadline) {
			t.Fatalf("state never became retrying: %+v", r.Status())
		}
		time.Sleep(50 * time.Millisecond)
	}
	loops := r.pollLoops.Load()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	_, err = r.Poll(ctx, 100)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("poll while down: %v", err)
	}
	if n := r.pollLoops.Load() - loops; n > 3 {
		t.Fatalf("Poll looped %d times while the broker was down", n)
	}
	if st := r.Status(); st.LastError == "" || st.LastErrorTime.IsZero() {
		t.Fatalf("status while down: %+v", st)
	}

	// The same port and data directory: kfake reloads the log.
	c2 := newCluster(t, kfake.NumBrokers(1), kfake.Ports(port), kfake.DataDir(dir))
	pr2 := newProducer(t, c2.ListenAddrs())
	for i := int64(5); i < 8; i++ {
		produce(t, pr2, jrec(0, i))
	}
	d := drain(t, r, 3, 100)
	if !slices.Equal(d.ids, []int64{5, 6, 7}) || d.offsets[0] != 8 {
		t.Fatalf("after restart: %v %v", d.ids, d.offsets)
	}
	if st := r.Status(); st.State != "running" {
		t.Fatalf("state after restart %q", st.State)
	}
}

func TestBackpressureBound(t *testing.T) {
	c := newCluster(t, kfake.NumBrokers(1), kfake.SeedTopics(1, "t"))
	pr := newProducer(t, c.ListenAddrs())
	const n = 300
	for i := int64(0); i < n; i++ {
		produce(t, pr, jrec(0, i)) // one batch per record
	}
	const bound = 1024
	r := testReader(t, c, map[string]string{"properties.fetch.wait.max.ms": "20"}, jsonEnc, testCols, nil, nil,
		ReaderOptions{MaxBufferedBytes: bound})
	deadline := time.Now().Add(10 * time.Second)
	for r.Status().BufferedRecords == 0 {
		if time.Now().After(deadline) {
			t.Fatal("nothing was ever fetched")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // many fetch-wait periods: the client could fetch more if it wanted
	st := r.Status()
	if st.PeakBufferedBytes > bound || st.BufferedRecords >= n || st.PeakBufferedRecords >= n {
		t.Fatalf("buffered beyond the bound without Poll: %+v", st)
	}
	t.Logf("without Poll: buffered %d records / %d bytes (peak %d / %d)", st.BufferedRecords, st.BufferedBytes,
		st.PeakBufferedRecords, st.PeakBufferedBytes)
	d := drain(t, r, n, 50)
	if len(d.ids) != n || d.offsets[0] != n {
		t.Fatalf("drained %d, offsets %v", len(d.ids), d.offsets)
	}
	if st := r.Status(); st.PeakBufferedBytes > bound || st.Partitions[0].RecordsPerSec <= 0 {
		t.Fatalf("peak %d > bound %d, or no rate: %+v", st.PeakBufferedBytes, bound, st.Partitions)
	}
}

func TestRecentErrorsBounded(t *testing.T) {
	var l rejectLog
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	for i := 0; i < RecentErrorsCap+7; i++ {
		l.add(RecordError{Offset: int64(i), Time: time.Now()}, logger)
	}
	if n := strings.Count(buf.String(), "rejected records"); n != 1 {
		t.Fatalf("%d log lines for a burst of rejections, want 1 (rate-limited):\n%s", n, buf.String())
	}
	l.maybeLog(time.Now().Add(rejectLogEvery), logger)
	if !strings.Contains(buf.String(), "count="+strconv.Itoa(RecentErrorsCap+6)) {
		t.Fatalf("summary line missing:\n%s", buf.String())
	}
	got := l.recent()
	if len(got) != RecentErrorsCap || got[0].Offset != 7 || got[len(got)-1].Offset != RecentErrorsCap+6 {
		t.Fatalf("ring: len %d first %d last %d", len(got), got[0].Offset, got[len(got)-1].Offset)
	}
}

func TestCheckTopicAndMissingTopic(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(2, "t"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg := Config{Topic: "t", Brokers: c.ListenAddrs(), ClientID: "x"}
	if n, err := CheckTopic(ctx, cfg); err != nil || n != 2 {
		t.Fatalf("CheckTopic: %d %v", n, err)
	}
	cfg.Topic = "nope"
	if _, err := CheckTopic(ctx, cfg); sqlerr.Code(err) != sqlerr.UndefinedObject || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("missing topic: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	short, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	if _, err := CheckTopic(short, Config{Topic: "t", Brokers: []string{dead}}); sqlerr.Code(err) != sqlstateConnect {
		t.Fatalf("unreachable broker: %v", err)
	}

	// A reader of a topic that does not exist yet retries and reports it, then reads the topic
	// once it is created.
	r := testReader(t, c, map[string]string{"topic": "later"}, jsonEnc, testCols, nil, nil, ReaderOptions{})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.Status().State, `topic "later" does not exist`) {
		if time.Now().After(deadline) {
			t.Fatalf("state %q", r.Status().State)
		}
		time.Sleep(20 * time.Millisecond)
	}
	adm, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Close()
	if _, err := kadm.NewClient(adm).CreateTopic(ctx, 1, 1, nil, "later"); err != nil {
		t.Fatal(err)
	}
	pr, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.DefaultProduceTopic("later"))
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	produce(t, pr, jrec(0, 1), jrec(0, 2))
	if d := drain(t, r, 2, 100); !slices.Equal(d.ids, []int64{1, 2}) {
		t.Fatalf("got %v", d.ids)
	}
	if st := r.Status(); st.State != "running" {
		t.Fatalf("state %q", st.State)
	}
}

func TestLagCountsUnpolledRecords(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(1, "t"))
	pr := newProducer(t, c.ListenAddrs())
	for i := int64(0); i < 10; i++ {
		produce(t, pr, jrec(0, i))
	}
	r := testReader(t, c, nil, jsonEnc, testCols, nil, nil, ReaderOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	// The fetch that delivers the first records also reports the log end: 10.
	got := 0
	for got == 0 {
		ch, err := r.Poll(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		got = ch.Len()
		ch.Release()
	}
	if lag := r.Lag(); lag != int64(10-got) {
		t.Fatalf("after polling %d of 10 records: Lag %d, want %d", got, lag, 10-got)
	}
	for got < 10 {
		ch, err := r.Poll(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		got += ch.Len()
		ch.Release()
	}
	if lag := r.Lag(); lag != 0 {
		t.Fatalf("after polling everything: Lag %d, want 0", lag)
	}
}
