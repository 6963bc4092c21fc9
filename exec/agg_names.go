package exec

import "sort"

// Aggregates lists the aggregate functions Runnel computes, sorted (pg_proc lists them).
func Aggregates() []string {
	out := make([]string, 0, len(supportedAggregates))
	for name := range supportedAggregates {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
