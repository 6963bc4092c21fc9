// Package kafka reads one Kafka topic for a source created with
// CREATE SOURCE … WITH (connector = 'kafka', …) FORMAT PLAIN|UPSERT ENCODE JSON|CSV, compatible
// with RisingWave's options, and delivers decoded Arrow chunks together with the offsets they
// advance, so that the engine commits rows and offsets atomically (exactly-once).
//
// # Options
//
// ParseOptions accepts connector = 'kafka', topic, properties.bootstrap.server (comma-separated
// host:port list), scan.startup.mode = earliest (default) | latest | timestamp, and
// scan.startup.timestamp.millis (alias scan.startup.timestamp_millis), which, as in RisingWave,
// selects the timestamp mode whatever scan.startup.mode says; mode 'timestamp' without it is an
// error. Also accepted: properties.client.id, properties.fetch.wait.max.ms (default 500, as
// librdkafka), properties.fetch.max.bytes, properties.security.protocol = 'plaintext', and
// group.id.prefix and properties.enable.auto.commit, which are validated and ignored (Runnel uses
// no consumer group and commits nothing to Kafka). Bad values, missing required options and
// unknown keys are 22023 errors naming the option (PostgreSQL reports an unrecognized storage
// parameter as 22023 too); options RisingWave documents but Runnel lacks (SASL, SSL, schema
// registry, …) are 0A000. ParseEncoding mirrors RisingWave: ENCODE CSV requires delimiter, and
// without_header defaults to 'false' while a CSV header is not supported with Kafka, so
// without_header = 'true' is required; UPSERT goes with JSON only. CheckTopic lets CREATE SOURCE
// fail early on an unreachable broker (08001) or a missing topic (42704).
//
// # Reading
//
// A Reader consumes every partition of the topic with kgo.ConsumePartitions at exact offsets:
// no consumer group, no offset commits to Kafka. Start takes the committed offsets (next offset
// per partition). A background loop lists the topic's partitions and high watermarks at once and
// every PartitionDiscoveryInterval (default 10 s) and assigns partitions it has not assigned:
//
//   - a partition with a committed offset starts there;
//   - a partition present at the reader's first successful listing starts per scan.startup.mode;
//   - a partition that appears later starts at its earliest offset, whatever the mode, so that
//     records produced between its creation and its discovery are not lost (Flink's FLIP-288,
//     Druid and Pinot do the same; RisingWave applies the startup mode to new partitions too,
//     which with 'latest' skips those records).
//
// Startup positions are resolved to exact offsets with ListOffsets before consuming, and the next
// Chunk reports them in Offsets even if the partition delivered nothing (Poll returns a chunk
// without rows for that). Committing it pins the position, so a restart does not re-resolve
// 'latest' and skip what was produced while Runnel was down.
//
// Poll(ctx, n) blocks until records arrive and returns at most n of them decoded into one Chunk.
// Chunk.Offsets holds, for each partition that delivered records, exactly the last delivered
// record's offset + 1 (rejected records included). Rewind(committed) — after the engine failed to
// commit a chunk — replaces the consuming client with one positioned at committed (partitions
// absent go back to where they were first assigned) and drops anything buffered, so the same
// records are delivered again. Poll and Rewind are not concurrent with each other; Status,
// RecentErrors and Close may be called from any goroutine.
//
// # Backpressure
//
// Nothing is fetched on the reader's behalf except through franz-go's buffer, and franz-go
// issues the next fetch to a broker only after the previous response from that broker was
// entirely polled. Each fetch asks for at most MaxBufferedBytes (default 8 MiB;
// properties.fetch.max.bytes overrides it) and at most min(MaxBufferedBytes, 1 MiB) per
// partition, so what is buffered ahead of Poll is bounded by MaxBufferedBytes per broker that
// leads a partition of the topic (plus, per partition, one record batch larger than the limit,
// which Kafka returns whole so that consumers make progress). kgo.MaxBufferedRecords/Bytes are
// producer options; the Kafka fetch protocol has no record-count limit, so the bound is in bytes
// only. Status reports the buffered records and bytes and their peaks (from franz-go's
// fetch-record hooks).
//
// # Decoding
//
// ENCODE JSON uses connectors/format/json and ENCODE CSV connectors/format/csv (without header),
// straight into Arrow builders. A record that does not decode — a bad payload, a null or empty
// value in FORMAT PLAIN, an undecodable key in FORMAT UPSERT — is skipped: it advances the
// offsets, is counted per partition and in Chunk.Rejected, is kept in RecentErrors (the last 100,
// with partition, offset, reason and the first 64 bytes of the value) and is logged at most once
// per 5 s per reader as a summary. The source never stops on bad data.
//
// FORMAT UPSERT ENCODE JSON: the value is the whole row and the message key, JSON, identifies it.
// An object key gives the primary-key columns by field name (exact, then case-insensitive match;
// its other fields are ignored); a scalar key is accepted when the primary key has one column.
// A value lacking key fields gets them from the key (the value's own fields win). A null or empty
// value is a tombstone: a row with only the key columns set and Chunk.Deletes[i] = true. A
// non-JSON key, a scalar key for a multi-column key, or a tombstone without key fields is a
// rejected record. A JSON null or missing key is allowed on values (the value must then carry the
// key). NOT NULL on the key columns is the engine's to enforce.
//
// # Broker failures
//
// franz-go retries every request with exponential backoff (100 ms up to RetryBackoffMax, default
// 2 s); Poll just waits meanwhile, without spinning. Status.State is "starting", "running",
// "retrying: <last error>" (the latest broker request or partition discovery failed) or "closed",
// with LastError and LastErrorTime kept after recovery. When the broker is back, reading resumes
// from the next undelivered offset. Close takes up to about a second when the broker is gone
// (franz-go's session teardown).
//
// # Ownership
//
// A Chunk's arrays are allocated from ReaderOptions.Mem and belong to the caller, who calls
// Release. The Reader owns its decoder and clients until Close.
//
// # Tests
//
// The tests run against kfake in process. The broker-restart test closes a kfake cluster that
// persists to a temporary DataDir and starts a new one on the same port with the same DataDir,
// which reloads the log, so offsets continue where they were.
package kafka
