package datagen

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

func newCluster(t *testing.T, topic string) (string, *kgo.Client) {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, topic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	addr := c.ListenAddrs()[0]
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return addr, cl
}

// consume reads n records of topic from the start of every partition.
func consume(t *testing.T, addr, topic string, n int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var recs []*kgo.Record
	for len(recs) < n {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consumed %d of %d records: %v", len(recs), n, err)
		}
		fs.EachError(func(_ string, _ int32, err error) { t.Fatalf("fetch: %v", err) })
		recs = append(recs, fs.Records()...)
	}
	return recs
}

// stripTS removes the "ts" field (the last one) of a payload.
func stripTS(v []byte) string {
	s := string(v)
	return s[:strings.LastIndex(s, `,"ts":`)]
}

// TestProducerWritesTheSequence produces a bounded run and reads the topic back: every event
// once, exactly the generator's sequence for the seed, keyed by user (one partition per user),
// stamped on the rate's schedule.
func TestProducerWritesTheSequence(t *testing.T) {
	const topic, n, rate = "pageviews", 600, 2000.0
	addr, cl := newCluster(t, topic)
	p, err := NewProducer(cl, topic, NewPageViews(9), Rate(rate), MaxEvents(n))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if st := p.Stats(); st.Sent != n || st.Acked != n || st.Failed != 0 || st.LastError != nil {
		t.Fatalf("stats after Run: %+v", st)
	}
	// Event i is due at start + i/rate: the last cannot go out before (n-1)/rate.
	if min := time.Duration(float64(n-1) / rate * float64(time.Second)); elapsed < min {
		t.Errorf("%d events at %v/s took %v, less than the schedule's %v", n, rate, elapsed, min)
	}

	recs := consume(t, addr, topic, n)
	if len(recs) != n {
		t.Fatalf("topic holds %d records, want %d", len(recs), n)
	}
	g := NewPageViews(9)
	var want, got []string
	for i := 0; i < n; i++ {
		e := g.Next(time.Time{})
		want = append(want, string(AppendKey(nil, &e))+" "+stripTS(AppendJSON(nil, &e)))
	}
	partOf := map[string]int32{}
	parts := map[int32]bool{}
	for _, r := range recs {
		got = append(got, string(r.Key)+" "+stripTS(r.Value))
		if p, ok := partOf[string(r.Key)]; ok && p != r.Partition {
			t.Fatalf("key %s in partitions %d and %d", r.Key, p, r.Partition)
		}
		partOf[string(r.Key)] = r.Partition
		parts[r.Partition] = true
		ts := r.Value[strings.LastIndex(string(r.Value), `"ts":"`)+6 : len(r.Value)-2]
		pt, err := time.Parse(time.RFC3339Nano, string(ts))
		if err != nil {
			t.Fatalf("ts %q: %v", ts, err)
		}
		if !pt.Equal(r.Timestamp.Truncate(time.Millisecond)) || pt.Before(start.Truncate(time.Millisecond)) || pt.After(time.Now()) {
			t.Fatalf("ts %v, record timestamp %v, run from %v", pt, r.Timestamp, start)
		}
	}
	if len(parts) != 3 {
		t.Errorf("records went to %d partitions, want all 3", len(parts))
	}
	sort.Strings(want)
	sort.Strings(got)
	for i := range want {
		if want[i] != got[i] {
			t.Fatalf("the topic does not hold the generator's sequence: first difference\n got %s\nwant %s", got[i], want[i])
		}
	}
}

// TestProducerStopsOnCancel: an unbounded Run returns nil soon after its context ends.
func TestProducerStopsOnCancel(t *testing.T) {
	_, cl := newCluster(t, "t")
	p, err := NewProducer(cl, "t", NewPageViews(1), Rate(500))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for p.Stats().Acked < 50 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of the cancel")
	}
	if st := p.Stats(); st.Acked < 50 || st.Acked+st.Failed > st.Sent {
		t.Fatalf("stats: %+v", st)
	}
}

func TestNewProducerValidates(t *testing.T) {
	_, cl := newCluster(t, "t")
	g := NewPageViews(1)
	for _, c := range []struct {
		name string
		opts []ProducerOpt
		want string
	}{
		{"zero rate", []ProducerOpt{Rate(0)}, "rate 0"},
		{"negative max", []ProducerOpt{MaxEvents(-1)}, "max events -1"},
	} {
		if _, err := NewProducer(cl, "t", g, c.opts...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want one mentioning %q", c.name, err, c.want)
		}
	}
	if _, err := NewProducer(cl, "", g); err == nil {
		t.Error("an empty topic was accepted")
	}
	if _, err := NewProducer(nil, "t", g); err == nil {
		t.Error("a nil client was accepted")
	}
}
