package kafka

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/runnel-db/runnel/exec/sqlerr"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// discoverLoop lists the topic's partitions now and every PartitionDiscoveryInterval (every
// second until the first listing succeeds) and assigns new ones.
func (r *Reader) discoverLoop(ctx context.Context) {
	defer close(r.done)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := r.discover(ctx)
		if ctx.Err() == nil {
			r.health.discovered(err)
		}
		next := r.opts.PartitionDiscoveryInterval
		r.mu.Lock()
		if r.initial == nil {
			next = min(next, time.Second)
		}
		r.mu.Unlock()
		t.Reset(next)
	}
}

// discover lists partitions and high watermarks and assigns partitions not yet assigned.
func (r *Reader) discover(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	topic := r.cfg.Topic
	details, err := r.adm.ListTopics(ctx, topic)
	if err != nil {
		return err
	}
	d, ok := details[topic]
	if !ok || errors.Is(d.Err, kerr.UnknownTopicOrPartition) {
		return fmt.Errorf("topic %q does not exist", topic)
	}
	if d.Err != nil {
		return fmt.Errorf("topic %q: %w", topic, d.Err)
	}
	ends, err := r.adm.ListEndOffsets(ctx, topic)
	if err != nil {
		return err
	}

	r.mu.Lock()
	if r.initial == nil {
		r.initial = make(map[int32]bool, len(d.Partitions))
		for p := range d.Partitions {
			r.initial[p] = true
		}
	}
	for p, ps := range r.parts {
		if o, ok := ends.Lookup(topic, p); ok && o.Err == nil && o.Offset > ps.hwm {
			ps.hwm = o.Offset
		}
	}
	var fresh []int32
	want := map[StartupMode]bool{}
	for p := range d.Partitions {
		if _, ok := r.parts[p]; ok {
			continue
		}
		fresh = append(fresh, p)
		if _, ok := r.committed[p]; !ok {
			want[r.modeFor(p)] = true
		}
	}
	r.mu.Unlock()
	if len(fresh) == 0 {
		return nil
	}
	sort.Slice(fresh, func(i, j int) bool { return fresh[i] < fresh[j] })

	listed := map[StartupMode]kadm.ListedOffsets{StartLatest: ends}
	if want[StartEarliest] {
		if listed[StartEarliest], err = r.adm.ListStartOffsets(ctx, topic); err != nil {
			return err
		}
	}
	if want[StartTimestamp] {
		if listed[StartTimestamp], err = r.adm.ListOffsetsAfterMilli(ctx, r.cfg.StartupTimestampMillis, topic); err != nil {
			return err
		}
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	add := make(map[int32]kgo.Offset)
	var firstErr error
	for _, p := range fresh {
		pos, fromCommit := r.committed[p]
		mode := r.modeFor(p)
		if !fromCommit {
			o, ok := listed[mode].Lookup(topic, p)
			if !ok || o.Err != nil || o.Offset < 0 {
				if firstErr == nil {
					firstErr = fmt.Errorf("listing %s offset of partition %d: %v", mode, p, o.Err)
				}
				continue // retried at the next discovery
			}
			pos = o.Offset
		}
		hwm := int64(-1)
		if o, ok := ends.Lookup(topic, p); ok && o.Err == nil {
			hwm = o.Offset
		}
		r.parts[p] = newPartStats(pos, hwm, time.Now())
		r.origin[p], r.fromCommit[p] = pos, fromCommit
		if !fromCommit {
			r.unreported[p] = true
		}
		add[p] = kgo.NewOffset().At(pos)
		how := "committed offset"
		if !fromCommit {
			how = "scan.startup.mode " + mode.String()
		}
		r.logger.Info("kafka partition assigned", "partition", p, "offset", pos, "from", how)
	}
	if len(add) > 0 {
		r.cl.AddConsumePartitions(map[string]map[int32]kgo.Offset{topic: add})
		if r.wake != nil {
			r.wake() // let a blocked Poll report the new start positions
		}
	}
	return firstErr
}

// modeFor is the startup mode of a partition without a committed offset: the configured one for
// partitions that existed at the first listing, earliest for partitions added later.
func (r *Reader) modeFor(p int32) StartupMode {
	if r.initial[p] {
		return r.cfg.Startup
	}
	return StartEarliest
}

// sqlstateConnect is PostgreSQL's sqlclient_unable_to_establish_sqlconnection.
const sqlstateConnect = "08001"

// CheckTopic connects to cfg's brokers and returns the topic's partition count, so that CREATE
// SOURCE can fail early (as RisingWave does) instead of creating a source that only retries.
// Errors are *sqlerr.Error: 08001 when no broker answered before ctx was done, 42704
// (undefined_object) when the topic does not exist.
func CheckTopic(ctx context.Context, cfg Config) (int, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(cfg.Brokers...), kgo.ClientID(cfg.ClientID))
	if err != nil {
		return 0, sqlerr.New(sqlerr.InvalidParameterValue, "kafka option %q: %v", optBootstrap, err)
	}
	defer cl.Close()
	details, err := kadm.NewClient(cl).ListTopics(ctx, cfg.Topic)
	if err != nil {
		return 0, sqlerr.New(sqlstateConnect, "cannot reach kafka brokers %s: %v", strings.Join(cfg.Brokers, ","), err)
	}
	d, ok := details[cfg.Topic]
	if !ok || errors.Is(d.Err, kerr.UnknownTopicOrPartition) {
		return 0, sqlerr.New(sqlerr.UndefinedObject, "kafka topic %q does not exist", cfg.Topic)
	}
	if d.Err != nil {
		return 0, sqlerr.New(sqlstateConnect, "kafka topic %q: %v", cfg.Topic, d.Err)
	}
	return len(d.Partitions), nil
}
