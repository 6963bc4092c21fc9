package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/runnel-db/runnel/sql"
)

var errMarker = regexp.MustCompile(`--\s*error:\s*(\w+)`)

// TestDocsSQLRuns runs every ```sql block of README.md and docs/*.md, in order, against a fresh
// server: the documentation may only show SQL that works. A statement that is meant to fail is
// marked with a "-- error: <SQLSTATE>" comment on the line before it.
func TestDocsSQLRuns(t *testing.T) {
	files, _ := filepath.Glob("../../docs/*.md")
	files = append([]string{"../../README.md"}, files...)
	block := regexp.MustCompile("(?s)```sql\n(.*?)```")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		blocks := block.FindAllStringSubmatch(string(data), -1)
		if len(blocks) == 0 {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			s := startServer(t, ":memory:")
			c := connect(t, s)
			broker := ""
			if strings.Contains(string(data), "connector = 'kafka'") {
				broker = docsKafka(t)
			}
			ran := 0
			for _, b := range blocks {
				if broker != "" {
					b[1] = strings.ReplaceAll(b[1], docsBroker, broker)
				}
				texts, offsets, err := sql.Split(b[1])
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				prevEnd := 0
				for i, text := range texts {
					// The marker comment sits between the previous statement and this one.
					wantErr := ""
					if m := errMarker.FindStringSubmatch(b[1][prevEnd:offsets[i]]); m != nil {
						wantErr = m[1]
					}
					prevEnd = offsets[i] + len(text)
					_, err := c.Exec(context.Background(), text)
					ran++
					switch {
					case wantErr == "" && err != nil:
						t.Errorf("%s: %s\n  failed: %v", f, strings.TrimSpace(text), err)
					case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
						t.Errorf("%s: %s\n  want error %s, got %v", f, strings.TrimSpace(text), wantErr, err)
					}
				}
			}
			if ran == 0 {
				t.Fatalf("%s: sql blocks held no statements", f)
			}
		})
	}
}

// docsBroker is the broker address the documentation's examples use.
const docsBroker = "127.0.0.1:9092"

// docsKafka starts an in-process Kafka broker with the topics the documentation reads, a few
// messages in each, and returns its address (which replaces docsBroker in the examples).
func docsKafka(t *testing.T) string {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "clicks", "bids", "users"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	addr := c.ListenAddrs()[0]
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	recs := []*kgo.Record{
		{Topic: "clicks", Value: []byte(`{"user_id": 1, "url": "/", "ts": "2026-11-22T10:00:00Z", "extra": {"referrer": "search"}}`)},
		{Topic: "clicks", Value: []byte(`{"user_id": 2, "url": "/docs", "ts": 1795341600000, "extra": {"referrer": "mail"}}`)},
		{Topic: "bids", Value: []byte("1;10.50;ann")},
		{Topic: "users", Key: []byte(`{"id": 1}`), Value: []byte(`{"id": 1, "name": "ann", "country": "NZ"}`)},
		{Topic: "users", Key: []byte(`2`), Value: []byte(`{"id": 2, "name": "bob", "country": "FR"}`)},
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	return addr
}
