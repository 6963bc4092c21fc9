package kafka

import (
	"strings"
	"testing"
	"time"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

func baseWith() map[string]string {
	return map[string]string{
		"connector":                   "kafka",
		"topic":                       "t",
		"properties.bootstrap.server": "b1:9092, b2:9092",
	}
}

func TestParseOptions(t *testing.T) {
	cfg, err := ParseOptions(baseWith())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Topic != "t" || len(cfg.Brokers) != 2 || cfg.Brokers[1] != "b2:9092" || cfg.Startup != StartEarliest ||
		cfg.ClientID != "runnel" || cfg.FetchMaxWait != 500*time.Millisecond {
		t.Fatalf("defaults: %+v", cfg)
	}

	w := baseWith()
	w["scan.startup.mode"] = "LATEST"
	w["properties.client.id"] = "me"
	w["group.id.prefix"] = "x"
	w["properties.fetch.wait.max.ms"] = "50"
	w["properties.security.protocol"] = "PLAINTEXT"
	if cfg, err = ParseOptions(w); err != nil || cfg.Startup != StartLatest || cfg.ClientID != "me" || cfg.FetchMaxWait != 50*time.Millisecond {
		t.Fatalf("latest: %+v %v", cfg, err)
	}

	for _, key := range []string{"scan.startup.timestamp.millis", "scan.startup.timestamp_millis"} {
		w = baseWith()
		w["scan.startup.mode"] = "timestamp"
		w[key] = "1700000000000"
		if cfg, err = ParseOptions(w); err != nil || cfg.Startup != StartTimestamp || cfg.StartupTimestampMillis != 1700000000000 {
			t.Fatalf("%s: %+v %v", key, cfg, err)
		}
	}
	// As in RisingWave, the timestamp overrides the mode.
	w = baseWith()
	w["scan.startup.mode"] = "latest"
	w["scan.startup.timestamp.millis"] = "5"
	if cfg, err = ParseOptions(w); err != nil || cfg.Startup != StartTimestamp {
		t.Fatalf("override: %+v %v", cfg, err)
	}
}

func TestParseOptionsErrors(t *testing.T) {
	cases := []struct {
		mod      func(map[string]string)
		code     string
		mentions string
	}{
		{func(w map[string]string) { delete(w, "connector") }, sqlerr.InvalidParameterValue, `"connector"`},
		{func(w map[string]string) { w["connector"] = "pulsar" }, sqlerr.InvalidParameterValue, `"connector"`},
		{func(w map[string]string) { delete(w, "topic") }, sqlerr.InvalidParameterValue, `"topic"`},
		{func(w map[string]string) { w["topic"] = " " }, sqlerr.InvalidParameterValue, `"topic"`},
		{func(w map[string]string) { delete(w, "properties.bootstrap.server") }, sqlerr.InvalidParameterValue, `"properties.bootstrap.server"`},
		{func(w map[string]string) { w["properties.bootstrap.server"] = " , " }, sqlerr.InvalidParameterValue, `"properties.bootstrap.server"`},
		{func(w map[string]string) { w["scan.startup.mode"] = "beginning" }, sqlerr.InvalidParameterValue, `"scan.startup.mode"`},
		{func(w map[string]string) { w["scan.startup.mode"] = "timestamp" }, sqlerr.InvalidParameterValue, `"scan.startup.timestamp.millis"`},
		{func(w map[string]string) { w["scan.startup.timestamp.millis"] = "yesterday" }, sqlerr.InvalidParameterValue, `"scan.startup.timestamp.millis"`},
		{func(w map[string]string) { w["scan.startup.timestamp_millis"] = "-1" }, sqlerr.InvalidParameterValue, `"scan.startup.timestamp_millis"`},
		{func(w map[string]string) { w["properties.fetch.wait.max.ms"] = "soon" }, sqlerr.InvalidParameterValue, `"properties.fetch.wait.max.ms"`},
		{func(w map[string]string) { w["properties.fetch.max.bytes"] = "10" }, sqlerr.InvalidParameterValue, `"properties.fetch.max.bytes"`},
		{func(w map[string]string) { w["properties.enable.auto.commit"] = "maybe" }, sqlerr.InvalidParameterValue, `"properties.enable.auto.commit"`},
		{func(w map[string]string) { w["topik"] = "x" }, sqlerr.InvalidParameterValue, `"topik"`},
		{func(w map[string]string) { w["properties.sasl.mechanism"] = "PLAIN" }, sqlerr.FeatureNotSupported, `"properties.sasl.mechanism"`},
		{func(w map[string]string) { w["properties.security.protocol"] = "SSL" }, sqlerr.FeatureNotSupported, `properties.security.protocol`},
	}
	for i, c := range cases {
		w := baseWith()
		c.mod(w)
		_, err := ParseOptions(w)
		e := sqlerr.From(err)
		if e == nil || e.Code != c.code || !strings.Contains(e.Message, c.mentions) {
			t.Errorf("case %d: got %v (%v), want %s mentioning %s", i, err, sqlerr.Code(err), c.code, c.mentions)
		}
	}
}

func TestParseEncoding(t *testing.T) {
	enc, err := ParseEncoding("plain", "json", nil)
	if err != nil || enc.Format != FormatPlain || enc.Encode != EncodeJSON {
		t.Fatalf("plain json: %+v %v", enc, err)
	}
	enc, err = ParseEncoding("UPSERT", "JSON", map[string]string{})
	if err != nil || enc.Format != FormatUpsert {
		t.Fatalf("upsert json: %+v %v", enc, err)
	}
	enc, err = ParseEncoding("PLAIN", "CSV", map[string]string{"delimiter": ";", "without_header": "true"})
	if err != nil || enc.Encode != EncodeCSV || enc.Delimiter != ';' {
		t.Fatalf("csv: %+v %v", enc, err)
	}

	cases := []struct {
		format, encode string
		opts           map[string]string
		code, mentions string
	}{
		{"UPSERT", "CSV", map[string]string{"delimiter": ",", "without_header": "true"}, sqlerr.FeatureNotSupported, "UPSERT ENCODE CSV"},
		{"PLAIN", "AVRO", nil, sqlerr.FeatureNotSupported, "AVRO"},
		{"DEBEZIUM", "JSON", nil, sqlerr.FeatureNotSupported, "DEBEZIUM"},
		{"PLAIN", "JSON", map[string]string{"schema.registry": "http://x"}, sqlerr.InvalidParameterValue, `"schema.registry"`},
		{"PLAIN", "CSV", map[string]string{"without_header": "true"}, sqlerr.InvalidParameterValue, `"delimiter"`},
		{"PLAIN", "CSV", map[string]string{"delimiter": ",;", "without_header": "true"}, sqlerr.InvalidParameterValue, `"delimiter"`},
		{"PLAIN", "CSV", map[string]string{"delimiter": `"`, "without_header": "true"}, sqlerr.InvalidParameterValue, `"delimiter"`},
		{"PLAIN", "CSV", map[string]string{"delimiter": ",", "without_header": "yes"}, sqlerr.InvalidParameterValue, `"without_header"`},
		{"PLAIN", "CSV", map[string]string{"delimiter": ","}, sqlerr.FeatureNotSupported, "CSV header"},
		{"PLAIN", "CSV", map[string]string{"delimiter": ",", "without_header": "false"}, sqlerr.FeatureNotSupported, "CSV header"},
		{"PLAIN", "CSV", map[string]string{"delimiter": ",", "without_header": "true", "quote": "'"}, sqlerr.InvalidParameterValue, `"quote"`},
	}
	for i, c := range cases {
		_, err := ParseEncoding(c.format, c.encode, c.opts)
		e := sqlerr.From(err)
		if e == nil || e.Code != c.code || !strings.Contains(e.Message, c.mentions) {
			t.Errorf("case %d: got %v (%v), want %s mentioning %s", i, err, sqlerr.Code(err), c.code, c.mentions)
		}
	}
}
