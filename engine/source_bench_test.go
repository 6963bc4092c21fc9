package engine

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/twmb/franz-go/pkg/kgo"
)

// produceEvents writes n JSON events {"k": …, "v": …} over groups keys into k's partitions.
func (k *kafkaTopic) produceEvents(b testing.TB, partitions, n, groups int) {
	rng := rand.New(rand.NewSource(1))
	const chunk = 10_000
	recs := make([]*kgo.Record, 0, chunk)
	for i := 0; i < n; i++ {
		v := fmt.Sprintf(`{"k": %d, "v": %d, "tag": "event-%d"}`, rng.Intn(groups), rng.Intn(1000), i)
		recs = append(recs, &kgo.Record{Partition: int32(i % partitions), Value: []byte(v)})
		if len(recs) == chunk || i == n-1 {
			if err := k.client.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
				b.Fatal(err)
			}
			recs = recs[:0]
		}
	}
}

// processCPUSeconds is the user and system CPU time this process has used.
func processCPUSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec) + float64(ru.Utime.Usec)/1e6 + float64(ru.Stime.Sec) + float64(ru.Stime.Usec)/1e6
}

// BenchmarkSourceGroupBy measures JSON events from Kafka (kfake, in process) into
// SELECT k, count(*) FROM src GROUP BY k with 100K groups: decode, dataflow, state and view
// writes, offsets and the fsynced commit, from the view's creation until it has counted all.
// Run: go test ./engine -run XXX -bench SourceGroupBy -benchtime 1x
func BenchmarkSourceGroupBy(b *testing.B) {
	const events, groups, partitions = 1_000_000, 100_000, 3
	k := newKafkaTopic(b, "events", partitions)
	k.produceEvents(b, partitions, events, groups)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e, s := openDir(b, "CREATE SOURCE src (k bigint, v bigint, tag text) "+k.with()+" FORMAT PLAIN ENCODE JSON")
		epochs, cpu0 := e.epoch.Load(), processCPUSeconds()
		start := time.Now()
		mustQuery(b, s, "CREATE MATERIALIZED VIEW g AS SELECT k, count(*) AS n FROM src GROUP BY k")
		key := feedKey{e.cat.lookup("", "g").ID, e.cat.lookup("", "src").ID}
		for committed := int64(0); committed < events; time.Sleep(time.Millisecond) {
			offs, err := e.committedOffsets(key)
			if err != nil {
				b.Fatal(err)
			}
			committed = 0
			for _, o := range offs {
				committed += o
			}
		}
		b.ReportMetric(float64(events)/time.Since(start).Seconds(), "events/s")
		// CPU of the whole process: Runnel and the in-process broker serving it.
		b.ReportMetric(float64(events)/(processCPUSeconds()-cpu0), "events/cpu-s")
		b.ReportMetric(float64(e.epoch.Load()-epochs), "epochs")
		b.StopTimer()
		if got := mustQuery(b, s, "SELECT sum(n) FROM g"); got[0] != strconv.Itoa(events) {
			b.Fatalf("the view counted %s events, want %d", got[0], events)
		}
		b.StartTimer()
	}
}

// BenchmarkSourceLatency produces events at 10K/s and measures how long each takes from the
// produce call until a view shows it: the view holds the highest sequence number seen, and a
// SUBSCRIBE to it receives each epoch as it commits. For
// comparison, a plain franz-go consumer reads the same topic meanwhile: broker-* metrics are the
// produce → consume latency of the broker (kfake) and client alone.
// Run: go test ./engine -run XXX -bench SourceLatency -benchtime 1x
func BenchmarkSourceLatency(b *testing.B) {
	const rate, seconds = 10_000, 5
	k := newKafkaTopic(b, "lat", 1)
	// The producer sends each record at once (franz-go lingers 10 ms by default), so that the
	// latency measured is the broker's and Runnel's.
	producer, err := kgo.NewClient(kgo.SeedBrokers(k.addr), kgo.DefaultProduceTopic("lat"), kgo.ProducerLinger(0))
	if err != nil {
		b.Fatal(err)
	}
	defer producer.Close()
	_, s := openDir(b, "CREATE SOURCE lat (seq bigint, k bigint) "+k.with()+" FORMAT PLAIN ENCODE JSON;"+
		"CREATE MATERIALIZED VIEW hi AS SELECT max(seq) AS seq, count(*) AS n FROM lat")
	sp, err := s.Prepare(context.Background(), "SUBSCRIBE TO hi WITH (SNAPSHOT = false)", nil)
	if err != nil {
		b.Fatal(err)
	}
	sub, err := s.Execute(context.Background(), sp, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Rows.Close()
	sent := make([]time.Time, rate*seconds)
	seen := make([]time.Duration, 0, len(sent))
	baseline := make(chan []time.Duration, 1)
	go func() {
		cons, err := kgo.NewClient(kgo.SeedBrokers(k.addr),
			kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{"lat": {0: kgo.NewOffset().AtStart()}}))
		if err != nil {
			baseline <- nil
			return
		}
		defer cons.Close()
		var lat []time.Duration
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(seconds+10)*time.Second)
		defer cancel()
		for len(lat) < len(sent) && ctx.Err() == nil {
			fs := cons.PollFetches(ctx)
			now := time.Now()
			fs.EachRecord(func(r *kgo.Record) {
				var seq int
				fmt.Sscanf(string(r.Value), `{"seq": %d`, &seq)
				lat = append(lat, now.Sub(sent[seq]))
			})
		}
		baseline <- lat
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		start := time.Now()
		next := 0
		for next < len(sent) {
			<-tick.C
			due := int(time.Since(start).Seconds() * rate)
			for ; next < due && next < len(sent); next++ {
				sent[next] = time.Now()
				producer.Produce(context.Background(), &kgo.Record{Value: []byte(fmt.Sprintf(`{"seq": %d, "k": %d}`, next, next%100))}, nil)
			}
		}
	}()
	b.ResetTimer()
	last := -1
	ctx := context.Background()
	for last < len(sent)-1 {
		// Each committed epoch that changes the view arrives as one chunk: the row it inserts
		// holds the highest sequence number seen.
		rec, err := sub.Rows.Next(ctx)
		if err != nil || rec == nil {
			b.Fatalf("subscription ended: %v", err)
		}
		now := time.Now()
		diff, seq := rec.Column(1).(*array.Int64), rec.Column(2).(*array.Int64)
		v := -1
		for i := 0; i < int(rec.NumRows()); i++ {
			if diff.Value(i) > 0 && seq.IsValid(i) {
				v = max(v, int(seq.Value(i)))
			}
		}
		rec.Release()
		for i := last + 1; i <= v; i++ {
			seen = append(seen, now.Sub(sent[i]))
		}
		last = max(last, v)
	}
	<-done
	b.StopTimer()
	pct := func(ds []time.Duration, p float64) float64 {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(seen, 0.5), "p50-ms")
	b.ReportMetric(pct(seen, 0.99), "p99-ms")
	b.ReportMetric(pct(seen, 1), "max-ms")
	if base := <-baseline; len(base) > 0 {
		b.ReportMetric(pct(base, 0.5), "broker-p50-ms")
		b.ReportMetric(pct(base, 0.99), "broker-p99-ms")
		b.ReportMetric(pct(base, 1), "broker-max-ms")
	}
}
