// Command runnel is the Runnel binary.
//
//	runnel [--listen 127.0.0.1:6543] [--data-dir ./runnel-data]   serve the Postgres protocol
//	runnel slt [--url URL] [--incremental] [--rewrite] [-v] PATH…   run sqllogictest files
//	runnel bench [--rows N] [--batch N] [--groups N] [--single N]   the load test
//	runnel playground [--listen …] [--kafka 127.0.0.1:9092] [--rate 200] [--data-dir :memory:]
//	                                                                embedded Kafka + generator + server
//
// It opens (or creates) the database in the data directory ("--data-dir :memory:" keeps it in
// memory), logs where it listens and the psql command to connect, and shuts down cleanly on
// SIGINT or SIGTERM: it stops accepting connections, cancels running statements and closes the
// database. Every committed statement is already durable, so a SIGKILL loses nothing committed.
package main
