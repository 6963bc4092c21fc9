package datagen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Producer writes a PageViews generator's events to a Kafka topic at a steady rate.
type Producer struct {
	client *kgo.Client
	topic  string
	gen    *PageViews
	rate   float64
	max    int64
	log    *slog.Logger
	tick   time.Duration

	pool sync.Pool // *kgo.Record, returned by the promise once Kafka has answered

	sent, acked, failed atomic.Int64
	mu                  sync.Mutex
	lastErr             error
	lastLog             time.Time
}

// ProducerOpt configures a Producer.
type ProducerOpt func(*Producer)

// Rate sets the events per second (default 100).
func Rate(perSecond float64) ProducerOpt { return func(p *Producer) { p.rate = perSecond } }

// MaxEvents makes Run return once n events are produced and acknowledged (default 0: no limit).
func MaxEvents(n int64) ProducerOpt { return func(p *Producer) { p.max = n } }

// Logger receives produce failures, at most one line per five seconds (default: none).
func Logger(l *slog.Logger) ProducerOpt { return func(p *Producer) { p.log = l } }

// NewProducer returns a Producer of gen's events to topic through cl. The caller owns cl and
// closes it after Run returns.
func NewProducer(cl *kgo.Client, topic string, gen *PageViews, opts ...ProducerOpt) (*Producer, error) {
	p := &Producer{client: cl, topic: topic, gen: gen, rate: 100}
	for _, o := range opts {
		o(p)
	}
	switch {
	case cl == nil || gen == nil:
		return nil, errors.New("datagen: a producer needs a client and a generator")
	case topic == "":
		return nil, errors.New("datagen: a producer needs a topic")
	case !(p.rate > 0) || p.rate > 1e7:
		return nil, fmt.Errorf("datagen: rate %v is not between 0 (exclusive) and 10,000,000 events/s", p.rate)
	case p.max < 0:
		return nil, fmt.Errorf("datagen: max events %d is negative", p.max)
	}
	// Wake once per event at low rates (at most every 100 ms), every 5 ms at high ones.
	p.tick = min(max(time.Duration(float64(time.Second)/p.rate), 5*time.Millisecond), 100*time.Millisecond)
	p.pool.New = func() any { return new(kgo.Record) }
	return p, nil
}

// Stats are a Producer's counters.
type Stats struct {
	// Sent events were handed to the client; Acked ones were acknowledged by Kafka and Failed
	// ones were not (Sent - Acked - Failed are in flight).
	Sent, Acked, Failed int64
	// LastError is the last produce failure (nil if none).
	LastError error
}

// Stats returns the counters now.
func (p *Producer) Stats() Stats {
	p.mu.Lock()
	err := p.lastErr
	p.mu.Unlock()
	return Stats{Sent: p.sent.Load(), Acked: p.acked.Load(), Failed: p.failed.Load(), LastError: err}
}

// Run produces until ctx is done (it returns nil then) or, with MaxEvents, until that many
// events are sent and flushed. Event i (from 0) is scheduled, and stamped, at start + i/rate;
// after a stall of over a second (a full client buffer, a paused process) the schedule restarts
// from now instead of bursting to catch up. Produce failures are counted, not returned.
func (p *Producer) Run(ctx context.Context) error {
	t := time.NewTicker(p.tick)
	defer t.Stop()
	start := time.Now()
	var scheduled int64 // events of the current schedule sent so far
	for {
		now := time.Now()
		due := int64(now.Sub(start).Seconds() * p.rate)
		if due-scheduled > int64(p.rate)+1 {
			start, scheduled, due = now, 0, 1
		}
		for ; scheduled < due; scheduled++ {
			if p.max > 0 && p.sent.Load() >= p.max {
				return p.flush(ctx)
			}
			at := start.Add(time.Duration(float64(scheduled) / p.rate * float64(time.Second)))
			p.produce(ctx, at)
			if ctx.Err() != nil {
				return nil
			}
		}
		if p.max > 0 && p.sent.Load() >= p.max {
			return p.flush(ctx)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (p *Producer) produce(ctx context.Context, at time.Time) {
	e := p.gen.Next(at)
	r := p.pool.Get().(*kgo.Record)
	*r = kgo.Record{Topic: p.topic, Key: AppendKey(r.Key[:0], &e), Value: AppendJSON(r.Value[:0], &e), Timestamp: at}
	p.sent.Add(1)
	p.client.Produce(ctx, r, p.promise)
}

// promise runs on the client's promise goroutine: it must not block.
func (p *Producer) promise(r *kgo.Record, err error) {
	p.pool.Put(r)
	if err == nil {
		p.acked.Add(1)
		return
	}
	p.failed.Add(1)
	p.mu.Lock()
	p.lastErr = err
	logIt := p.log != nil && time.Since(p.lastLog) >= 5*time.Second && !errors.Is(err, context.Canceled)
	if logIt {
		p.lastLog = time.Now()
	}
	p.mu.Unlock()
	if logIt {
		p.log.Warn("datagen: produce failed", "topic", p.topic, "failed", p.failed.Load(), "error", err)
	}
}

// flush waits for every sent event's answer; ctx ending first is a clean stop, not an error.
func (p *Producer) flush(ctx context.Context) error {
	if err := p.client.Flush(ctx); err != nil && ctx.Err() == nil {
		return fmt.Errorf("datagen: flushing %s: %w", p.topic, err)
	}
	return nil
}
