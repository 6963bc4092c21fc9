//go:build !invariants

package exec

// checkInvariants enables costly invariant checks (build with -tags invariants).
const checkInvariants = false
