// Package datagen generates realistic synthetic events and produces them to Kafka at a steady
// rate: the data behind `runnel playground`.
//
// # Page views
//
// PageViews generates the events of a small web shop: who viewed which page, coming from where,
// and, on the checkout page, how much they paid. Each event is one JSON object,
//
//	{"user_id":1742,"page":"/products/shoes","referrer":"google.com","country":"DE","device":"mobile","ts":"2026-11-22T13:45:17.123Z"}
//
// with an "amount" (a number with two decimals) added on "/checkout" views only, keyed by the
// user id in decimal. The fields match this source (see cmd/runnel's playground):
//
//	CREATE SOURCE pageviews (user_id BIGINT, page TEXT, referrer TEXT, country TEXT,
//	  device TEXT, amount NUMERIC, ts TIMESTAMPTZ) WITH (...) FORMAT PLAIN ENCODE JSON
//
// User ids follow a Zipf law (a few heavy users, a long tail), pages and referrers fixed weights;
// a user's country and device are a function of the user id, so they stay the same for a user.
//
// # Determinism
//
// A generator's sequence of events depends only on its seed: two generators with the same seed
// yield the same users, pages, referrers and amounts in the same order. The event time is the
// caller's (Next's argument) and never draws from the random source, so replaying a seed with
// other times changes only the "ts" fields.
//
// # Cost
//
// Next returns an Event by value whose strings are constants, and AppendJSON and AppendKey
// append to the caller's buffers: generating and encoding an event does not allocate once the
// buffers have grown. The Producer reuses its kgo.Records (and their buffers) after Kafka
// acknowledges them.
//
// # Concurrency
//
// A PageViews is not safe for concurrent use. A Producer's Run is called once; Stats may be
// called from any goroutine at any time.
package datagen
