package exec

// groupTable indexes group ids by the hash of their key (zset.HashRows): an open-addressing
// table with linear probing whose slots hold id+1 (0 = empty), kept at most 3/4 full, plus
// each group's full hash by id (for rehashing and to compare keys only on a hash match).
// Deletion shifts the following entries back instead of leaving tombstones. The caller
// compares keys: the table only yields the candidates with the same hash.
type groupTable struct {
	slots []int32
	shift uint     // 64 - log2(len(slots))
	used  int      // occupied slots
	hash  []uint64 // group id → hash of its key
}

// home is the preferred slot of hash h (the high bits of a multiplicative mix: hashes of
// integer keys can share their low bits).
func (t *groupTable) home(h uint64) int {
	return int(((h ^ h>>32) * 0x9e3779b97f4a7c15) >> t.shift)
}

// next is the slot probed after pos.
func (t *groupTable) next(pos int) int { return (pos + 1) & (len(t.slots) - 1) }

// insert records group g with hash h (g must not be in the table).
func (t *groupTable) insert(g int32, h uint64) {
	t.hash = growTo(t.hash, int(g)+1)
	t.hash[g] = h
	if (t.used+1)*4 > len(t.slots)*3 {
		t.resize(max(16, 2*len(t.slots)))
	}
	t.place(g)
	t.used++
}

func (t *groupTable) place(g int32) {
	pos := t.home(t.hash[g])
	for t.slots[pos] != 0 {
		pos = t.next(pos)
	}
	t.slots[pos] = g + 1
}

func (t *groupTable) resize(n int) {
	old := t.slots
	t.slots = make([]int32, n)
	t.shift = 64
	for m := n; m > 1; m >>= 1 {
		t.shift--
	}
	for _, s := range old {
		if s != 0 {
			t.place(s - 1)
		}
	}
}

// remove deletes group g, which must be in the table.
func (t *groupTable) remove(g int32) {
	i := t.home(t.hash[g])
	for t.slots[i] != g+1 {
		i = t.next(i)
	}
	// Backward-shift deletion: move back every following entry of the run whose home is not
	// cyclically in (i, j].
	for j := t.next(i); t.slots[j] != 0; j = t.next(j) {
		k := t.home(t.hash[t.slots[j]-1])
		if i <= j {
			if i < k && k <= j {
				continue
			}
		} else if i < k || k <= j {
			continue
		}
		t.slots[i] = t.slots[j]
		i = j
	}
	t.slots[i] = 0
	t.used--
}
