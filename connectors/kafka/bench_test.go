package kafka

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runnel-db/runnel/connectors/format/row"
	"github.com/runnel-db/runnel/exec/types"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

var benchCols = append(append([]row.Column(nil), testCols...),
	row.Column{Name: "ts", Type: types.TimestampTZT}, row.Column{Name: "score", Type: types.Float64T})

// BenchmarkPollJSON measures end-to-end reading: kfake → franz-go → Poll → JSON decoding into
// Arrow, N records spread over 3 partitions, read from the earliest offset by a fresh reader
// per iteration.
func BenchmarkPollJSON(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			c := newCluster(b, kfake.NumBrokers(1), kfake.SeedTopics(3, "t"))
			pr := newProducer(b, c.ListenAddrs())
			recs := make([]*kgo.Record, 0, 1000)
			var payload int64
			for i := 0; i < n; i++ {
				v := fmt.Appendf(nil, `{"id":%d,"p":%d,"name":"user-%d","ts":"2026-11-22T13:00:00Z","score":%d.5}`, i, i%3, i, i%1000)
				payload += int64(len(v))
				recs = append(recs, &kgo.Record{Partition: int32(i % 3), Value: v})
				if len(recs) == cap(recs) {
					produce(b, pr, recs...)
					recs = recs[:0]
				}
			}
			produce(b, pr, recs...)
			cfg, err := ParseOptions(map[string]string{
				"connector": "kafka", "topic": "t", "properties.bootstrap.server": c.ListenAddrs()[0],
			})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(payload)
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for b.Loop() {
				r, err := NewReader(cfg, jsonEnc, benchCols, nil, ReaderOptions{Mem: memory.NewGoAllocator()})
				if err != nil {
					b.Fatal(err)
				}
				if err := r.Start(context.Background(), nil); err != nil {
					b.Fatal(err)
				}
				got := 0
				for got < n {
					ch, err := r.Poll(context.Background(), 4096)
					if err != nil {
						b.Fatal(err)
					}
					got += ch.Len() + ch.Rejected
					ch.Release()
				}
				r.Close()
			}
			b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "records/s")
		})
	}
}
