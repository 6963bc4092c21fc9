package main

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestKcatInterop produces with kcat (librdkafka, a non-Go client) into an in-process Kafka and
// checks what the real server makes of it: JSON and CSV lines into sources, keyed upserts and a
// tombstone (kcat -Z sends an empty value as NULL) into a FORMAT UPSERT table.
func TestKcatInterop(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		t.Skip("kcat is not installed: run `apt-get install -y kcat` to run this test (.ci/run does)")
	}
	k := startKafka(t, kfake.SeedTopics(2, "clicks", "users"), kfake.SeedTopics(1, "bids"))
	// produce pipes lines into kcat -P, one message per line.
	produce := func(topic string, partition string, extra []string, lines ...string) {
		t.Helper()
		args := append([]string{"-P", "-b", k.addr, "-t", topic, "-p", partition, "-m", "10"}, extra...)
		cmd := exec.Command(kcat, args...)
		cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("kcat %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	s := startServer(t, t.TempDir())
	c := connect(t, s)
	mustExec(t, c, "CREATE SOURCE clicks (user_id bigint, url text) "+k.with("clicks")+" FORMAT PLAIN ENCODE JSON")
	mustExec(t, c, "CREATE SOURCE bids (auction int, price numeric(10,2), bidder text) "+k.with("bids")+
		" FORMAT PLAIN ENCODE CSV (delimiter = ',', without_header = 'true')")
	mustExec(t, c, "CREATE TABLE users (id bigint PRIMARY KEY, name text) "+k.with("users")+" FORMAT UPSERT ENCODE JSON")
	mustExec(t, c, "CREATE MATERIALIZED VIEW per_url AS SELECT url, count(*) AS n FROM clicks GROUP BY url")
	mustExec(t, c, "CREATE MATERIALIZED VIEW named AS SELECT u.name, count(*) AS n FROM clicks c JOIN users u ON u.id = c.user_id GROUP BY u.name")
	mustExec(t, c, "CREATE MATERIALIZED VIEW best AS SELECT auction, max(price) AS top, count(*) AS n, min(bidder) AS first FROM bids GROUP BY auction")

	// Upserts keyed by the scalar JSON of the key (-K: splits key from value at the first ':'),
	// and by a JSON object key (-K '\t').
	produce("users", "0", []string{"-K:", "-Z"}, `1:{"id": 1, "name": "ann"}`, `2:{"id": 2, "name": "bob"}`)
	produce("users", "1", []string{"-K", `\t`, "-Z"}, "{\"id\": 3}\t{\"id\": 3, \"name\": \"cy\"}")
	waitText(t, s, c, 20*time.Second, "SELECT id, name FROM users ORDER BY id", "1|ann\n2|bob\n3|cy")

	produce("clicks", "0", nil, `{"user_id": 1, "url": "/a"}`, `{"user_id": 2, "url": "/b"}`, `{"user_id": 1, "url": "/b"}`)
	produce("clicks", "1", nil, `{"user_id": 3, "url": "/a", "extra": [1, 2]}`, `{"user_id": 9, "url": "/c"}`)
	produce("bids", "0", nil, "1,10.50,ann", "1,12,bob", "2,3.25,cy", "1,11.00,al", `3,4,"doe, jane"`)
	waitText(t, s, c, 20*time.Second, "SELECT url, n FROM per_url ORDER BY url", "/a|2\n/b|2\n/c|1")
	waitText(t, s, c, 20*time.Second, "SELECT name, n FROM named ORDER BY name", "ann|2\nbob|1\ncy|1")
	waitText(t, s, c, 20*time.Second, "SELECT auction, top, n, first FROM best ORDER BY auction", "1|12.00|3|al\n2|3.25|1|cy\n3|4.00|1|doe, jane")

	// An update and a tombstone: user 1 renamed, user 2 deleted (the key alone says which).
	produce("users", "0", []string{"-K:", "-Z"}, `1:{"id": 1, "name": "anna"}`, `2:`)
	waitText(t, s, c, 20*time.Second, "SELECT id, name FROM users ORDER BY id", "1|anna\n3|cy")
	waitText(t, s, c, 20*time.Second, "SELECT name, n FROM named ORDER BY name", "anna|2\ncy|1")
	// A tombstone keyed by a JSON object.
	produce("users", "1", []string{"-K", `\t`, "-Z"}, "{\"id\": 3}\t")
	waitText(t, s, c, 20*time.Second, "SELECT id, name FROM users ORDER BY id", "1|anna")
	waitText(t, s, c, 20*time.Second, "SELECT name, n FROM named ORDER BY name", "anna|2")
	// The tombstone really was a NULL value on the wire, not an empty string.
	if recs := consumeAll(t, k.addr, "users", 0, 4); recs[3].Value != nil || string(recs[3].Key) != "2" {
		t.Errorf("kcat -Z did not produce a tombstone: key %q value %q", recs[3].Key, recs[3].Value)
	}
	if got, want := rowsText(t, c, "SELECT source, consumer, partition, committed_offset, lag, records, rejected FROM runnel_catalog.source_status ORDER BY source, consumer, partition"),
		"bids|best|0|5|0|5|0\n"+
			"clicks|named|0|3|0|3|0\nclicks|named|1|2|0|2|0\n"+
			"clicks|per_url|0|3|0|3|0\nclicks|per_url|1|2|0|2|0\n"+
			"users|users|0|4|0|4|0\nusers|users|1|2|0|2|0"; got != want {
		t.Errorf("source_status:\n%s\nwant:\n%s", got, want)
	}
}

// consumeAll reads the first n records of one partition of topic.
func consumeAll(t *testing.T, addr, topic string, partition int32, n int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{
		topic: {partition: kgo.NewOffset().AtStart()}}))
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
			t.Fatalf("read %d of %d records of %s/%d: %v", len(recs), n, topic, partition, err)
		}
		fs.EachError(func(_ string, p int32, err error) { t.Fatalf("consume %s/%d: %v", topic, p, err) })
		recs = append(recs, fs.Records()...)
	}
	return recs
}
