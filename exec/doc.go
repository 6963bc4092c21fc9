// Package exec runs dataflows of incremental operators over Z-set batches (package zset).
//
// Every Operator turns the deltas of its inputs in one epoch into its output delta
// (Operator.Step). Inputs are consolidated and borrowed; the output is consolidated and owned
// by the caller. A Graph holds the operators of one query in topological order and runs each
// once per epoch (Graph.Step); its output delta, summed over all epochs, is the query's result
// (the *view invariant*: after every epoch the accumulated output equals the query evaluated
// from scratch over the accumulated inputs; the oracle tests check it for every stateful
// operator on random inserts, deletes and batch splits).
//
// Operator classes (DESIGN.md §3):
//   - linear, stateless: Filter, Project, ProjectSet (set-returning functions), Union (ALL), Negate;
//   - bilinear: Join, from arrangements of both sides (ΔL⋈R + L⋈ΔR + ΔL⋈ΔR), plus per-row
//     match counts that keep outer-join padding, semi, anti and NOT IN output exact;
//   - non-linear, stateful: Distinct, SetOp (INTERSECT/EXCEPT [ALL]), Aggregate, TopN.
//
// Equality is SQL grouping equality (zset.RowsEqual): NULL keys group together, but join keys
// use SQL = where NULL never matches.
//
// State. Operators keep their state in memory: Aggregate in an open-addressing table from row
// hashes (zset.HashRows) to dense group ids, with full key comparison on every hash match and
// the group values in typed per-column storage (exec/group_*.go); the others in Go maps keyed by
// zset.EncodeKeys keys (exact encodings, so no hash collision can merge rows) and slices
// indexed by dense ids. What will be
// persisted to Pebble at each epoch commit (DESIGN.md §4–5), per operator:
//   - Distinct: row key → multiplicity; SetOp: row key → (left count, right count);
//   - Aggregate: group key → group-by values, row count and each accumulator's slot (count,
//     128-bit or numeric sum with per-scale counts, float sum with NaN/±Inf counts, bool
//     counts, the per-group value multiset of min/max and of DISTINCT aggregates);
//   - Join: each side's rows with weight and match count (the arrangement; the join-key index
//     is rebuilt on load);
//   - TopN: the input multiset in sort order.
//
// The structs are laid out so that each of these maps to one key range; nothing is persisted
// yet. An error from Step leaves an operator's state undefined: the caller discards the graph.
//
// Concurrency: a Graph and its operators are used by one goroutine at a time.
package exec
