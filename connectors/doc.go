// Package connectors is Runnel's edge to the outside world: sources that read events from
// external systems (Kafka, the built-in generators, later MQTT/NATS/Postgres) and sinks that write
// view changes back out (DESIGN.md §1).
//
// # Contract
//
//   - A source produces Arrow batches whose columns have the source's declared SQL types
//     (exec/types' Arrow layout); the engine hands them to the dataflow once per epoch together
//     with the source offsets they advance, so offsets commit atomically with the view state.
//   - Message payloads are turned into rows by a format (sub-package format/…): a format decodes
//     one payload at a time into column builders, and a payload it cannot decode is rejected
//     whole, counted and reported with a reason; the source keeps running.
//   - A sink encodes rows with a format's encoder (for example format/csv) and never blocks the
//     epoch commit on the external system.
//
// Connectors import only exec's sub-packages (types, sqlerr, zset) and the Arrow module; the engine
// imports connectors, never the reverse.
package connectors
