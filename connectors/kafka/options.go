package kafka

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/runnel-db/runnel/exec/sqlerr"
)

// StartupMode says where a partition without a committed offset starts when the source starts.
type StartupMode uint8

const (
	// StartEarliest starts at the log start offset (the oldest retained record).
	StartEarliest StartupMode = iota
	// StartLatest starts at the log end offset: only records produced after the start are read.
	StartLatest
	// StartTimestamp starts at the first record whose timestamp is at or after
	// Config.StartupTimestampMillis (the log end offset if there is none).
	StartTimestamp
)

func (m StartupMode) String() string {
	switch m {
	case StartLatest:
		return "latest"
	case StartTimestamp:
		return "timestamp"
	default:
		return "earliest"
	}
}

// Config is a parsed WITH clause of a Kafka source.
type Config struct {
	Topic   string
	Brokers []string // properties.bootstrap.server, split on commas, trimmed
	// Startup applies to partitions without a committed offset at the first start; see the
	// package comment for partitions found later.
	Startup StartupMode
	// StartupTimestampMillis is the epoch-millisecond timestamp of StartTimestamp.
	StartupTimestampMillis int64
	// ClientID is properties.client.id ("runnel" when unset).
	ClientID string
	// FetchMaxWait is properties.fetch.wait.max.ms (500 ms when unset): how long the broker
	// holds a fetch that has no data yet.
	FetchMaxWait time.Duration
	// FetchMaxBytes is properties.fetch.max.bytes (0: ReaderOptions.MaxBufferedBytes decides).
	FetchMaxBytes int32
}

// Option names (lower-case, as the WITH clause spells them).
const (
	optConnector        = "connector"
	optTopic            = "topic"
	optBootstrap        = "properties.bootstrap.server"
	optStartupMode      = "scan.startup.mode"
	optStartupMillis    = "scan.startup.timestamp.millis"
	optStartupMillisAlt = "scan.startup.timestamp_millis" // RisingWave's alias
	optClientID         = "properties.client.id"
	optFetchWait        = "properties.fetch.wait.max.ms"
	optFetchMaxBytes    = "properties.fetch.max.bytes"
	optGroupIDPrefix    = "group.id.prefix"
	optAutoCommit       = "properties.enable.auto.commit"
	optSecurityProtocol = "properties.security.protocol"
)

// unsupported are options RisingWave documents that Runnel does not implement (security,
// schema registries, rate limits): using one is a 0A000 error rather than "unrecognized".
var unsupported = []string{
	"properties.sasl.", "properties.ssl.", "properties.security.", "aws.", "privatelink.",
	"kafka.", "source_rate_limit", "properties.statistics.interval.ms",
	"properties.queued.", "properties.message.max.bytes", "properties.receive.message.max.bytes",
	"properties.fetch.queue.backoff.ms", "properties.sync.call.timeout", "connection",
	"properties.enable.ssl.certificate.verification", "schema.registry",
}

// ParseOptions validates a Kafka source's WITH options: keys lower-cased, values as given.
//
// Errors are *sqlerr.Error naming the option: a missing required option or a bad value is
// 22023 (invalid_parameter_value); an unknown key is 22023 too, as PostgreSQL reports an
// unrecognized storage parameter; an option RisingWave documents but Runnel does not implement
// (SASL/SSL, schema registry, ...) is 0A000.
func ParseOptions(with map[string]string) (Config, error) {
	cfg := Config{ClientID: "runnel", FetchMaxWait: 500 * time.Millisecond}
	keys := make([]string, 0, len(with))
	for k := range with {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic: the first offending key (alphabetically) is reported
	var mode string
	var millisKey string
	for _, k := range keys {
		v := with[k]
		switch k {
		case optConnector:
			if !strings.EqualFold(strings.TrimSpace(v), "kafka") {
				return Config{}, badValue(k, v, "expected 'kafka'")
			}
		case optTopic:
			cfg.Topic = strings.TrimSpace(v)
			if cfg.Topic == "" {
				return Config{}, badValue(k, v, "the topic name is empty")
			}
		case optBootstrap:
			for _, b := range strings.Split(v, ",") {
				if b = strings.TrimSpace(b); b != "" {
					cfg.Brokers = append(cfg.Brokers, b)
				}
			}
			if len(cfg.Brokers) == 0 {
				return Config{}, badValue(k, v, "expected a comma-separated list of host:port")
			}
		case optStartupMode:
			mode = strings.ToLower(strings.TrimSpace(v))
			switch mode {
			case "earliest", "latest", "timestamp":
			default:
				return Config{}, badValue(k, v, "expected 'earliest', 'latest' or 'timestamp'")
			}
		case optStartupMillis, optStartupMillisAlt:
			if millisKey != "" {
				return Config{}, sqlerr.New(sqlerr.InvalidParameterValue,
					"kafka option %q conflicts with %q: give only one", k, millisKey)
			}
			ms, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || ms < 0 {
				return Config{}, badValue(k, v, "expected milliseconds since 1970-01-01 UTC")
			}
			millisKey, cfg.StartupTimestampMillis = k, ms
		case optClientID:
			cfg.ClientID = v
		case optFetchWait:
			ms, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
			if err != nil || ms < 0 {
				return Config{}, badValue(k, v, "expected a non-negative number of milliseconds")
			}
			cfg.FetchMaxWait = time.Duration(ms) * time.Millisecond
		case optFetchMaxBytes:
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
			if err != nil || n < 1024 {
				return Config{}, badValue(k, v, "expected a number of bytes of at least 1024")
			}
			cfg.FetchMaxBytes = int32(n)
		case optGroupIDPrefix:
			// Accepted for RisingWave compatibility; Runnel uses no consumer group.
		case optAutoCommit:
			if _, err := parseBool(v); err != nil {
				return Config{}, badValue(k, v, "expected 'true' or 'false'")
			}
			// Runnel never commits offsets to Kafka; its offsets live with the view state.
		case optSecurityProtocol:
			if !strings.EqualFold(strings.TrimSpace(v), "plaintext") {
				return Config{}, sqlerr.NotSupported(fmt.Sprintf("kafka option %s = '%s'", k, v))
			}
		default:
			for _, p := range unsupported {
				if strings.HasPrefix(k, p) {
					return Config{}, sqlerr.NotSupported(fmt.Sprintf("kafka option %q", k))
				}
			}
			return Config{}, sqlerr.New(sqlerr.InvalidParameterValue, "unrecognized kafka option %q", k)
		}
	}
	switch {
	case with[optConnector] == "":
		return Config{}, missing(optConnector)
	case cfg.Topic == "":
		return Config{}, missing(optTopic)
	case len(cfg.Brokers) == 0:
		return Config{}, missing(optBootstrap)
	}
	switch {
	case millisKey != "":
		// As in RisingWave, a startup timestamp overrides scan.startup.mode.
		cfg.Startup = StartTimestamp
	case mode == "timestamp":
		return Config{}, sqlerr.New(sqlerr.InvalidParameterValue,
			"kafka option %q = 'timestamp' requires %q", optStartupMode, optStartupMillis)
	case mode == "latest":
		cfg.Startup = StartLatest
	}
	return cfg, nil
}

func missing(opt string) error {
	return sqlerr.New(sqlerr.InvalidParameterValue, "kafka source requires option %q", opt)
}

func badValue(opt, v, why string) error {
	return sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for kafka option %q: '%s' (%s)", opt, v, why)
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %q", v)
}

// Format is the FORMAT of a source: how messages map to changes.
type Format uint8

const (
	// FormatPlain appends one row per message value.
	FormatPlain Format = iota
	// FormatUpsert treats the message key as the primary key: a value replaces the row with
	// that key, a null value (tombstone) deletes it.
	FormatUpsert
)

// Encode is the ENCODE of a source: how a payload becomes a row.
type Encode uint8

const (
	// EncodeJSON decodes one JSON object per payload (connectors/format/json).
	EncodeJSON Encode = iota
	// EncodeCSV decodes one CSV record per payload (connectors/format/csv).
	EncodeCSV
)

// Encoding is a parsed FORMAT ... ENCODE ... (options) clause.
type Encoding struct {
	Format Format
	Encode Encode
	// Delimiter separates CSV fields (EncodeCSV only).
	Delimiter byte
}

// ParseEncoding validates FORMAT format ENCODE encode (encodeOpts), names case-insensitive,
// option keys lower-cased.
//
// Supported: PLAIN JSON, UPSERT JSON, PLAIN CSV. As in RisingWave, ENCODE CSV requires the
// delimiter option and without_header defaults to 'false', and a CSV header is not supported
// with the Kafka connector (each message is one record, so there is no "first line"), so
// without_header = 'true' must be given. Runnel accepts any single-byte delimiter except '"',
// CR and LF (RisingWave accepts only ',', ';' and tab). ENCODE JSON takes no options.
// Unknown options are 22023 errors naming them; UPSERT CSV and other encodes are 0A000.
func ParseEncoding(format, encode string, encodeOpts map[string]string) (Encoding, error) {
	var enc Encoding
	switch strings.ToUpper(format) {
	case "PLAIN":
		enc.Format = FormatPlain
	case "UPSERT":
		enc.Format = FormatUpsert
	default:
		return Encoding{}, sqlerr.NotSupported(fmt.Sprintf("FORMAT %s for a kafka source", strings.ToUpper(format)))
	}
	keys := make([]string, 0, len(encodeOpts))
	for k := range encodeOpts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	switch strings.ToUpper(encode) {
	case "JSON":
		enc.Encode = EncodeJSON
		if len(keys) > 0 {
			return Encoding{}, sqlerr.New(sqlerr.InvalidParameterValue, "unrecognized ENCODE JSON option %q", keys[0])
		}
	case "CSV":
		enc.Encode = EncodeCSV
		if enc.Format != FormatPlain {
			return Encoding{}, sqlerr.NotSupported("FORMAT UPSERT ENCODE CSV")
		}
		withoutHeader := false
		haveDelim := false
		for _, k := range keys {
			v := encodeOpts[k]
			switch k {
			case "delimiter":
				if len(v) != 1 || v[0] == '"' || v[0] == '\r' || v[0] == '\n' || v[0] >= 0x80 {
					return Encoding{}, sqlerr.New(sqlerr.InvalidParameterValue,
						"invalid value for ENCODE CSV option \"delimiter\": '%s' (expected one ASCII character other than '\"', CR and LF)", v)
				}
				enc.Delimiter, haveDelim = v[0], true
			case "without_header":
				b, err := parseBool(v)
				if err != nil {
					return Encoding{}, sqlerr.New(sqlerr.InvalidParameterValue,
						"invalid value for ENCODE CSV option \"without_header\": '%s' (expected 'true' or 'false')", v)
				}
				withoutHeader = b
			default:
				return Encoding{}, sqlerr.New(sqlerr.InvalidParameterValue, "unrecognized ENCODE CSV option %q", k)
			}
		}
		if !haveDelim {
			return Encoding{}, sqlerr.New(sqlerr.InvalidParameterValue, "ENCODE CSV requires option \"delimiter\"")
		}
		if !withoutHeader {
			e := sqlerr.NotSupported("a CSV header with the kafka connector")
			e.Hint = "Add without_header = 'true' to the ENCODE CSV options."
			return Encoding{}, e
		}
	default:
		return Encoding{}, sqlerr.NotSupported(fmt.Sprintf("ENCODE %s for a kafka source", strings.ToUpper(encode)))
	}
	return enc, nil
}
