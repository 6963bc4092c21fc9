//go:build invariants

package exec

// checkInvariants enables costly invariant checks (build with -tags invariants): every
// operator output must be consolidated.
const checkInvariants = true
