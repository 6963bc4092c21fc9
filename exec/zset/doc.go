// Package zset holds the Z-set batch, the unit of data that flows between dataflow operators.
//
// A Batch is an Arrow record whose last column is a non-null int64 weight: +1 inserts a row, −1
// deletes one, an update is a −1/+1 pair; there are no op codes. A batch is *consolidated* when it
// holds no two equal rows and no zero weight (Consolidate makes it so: sort or hash, sum weights,
// drop zeros). Row equality here is SQL grouping equality: NULLs equal each other, numerics compare
// by value (1.5 = 1.50), floats compare by value with all NaNs equal and -0 = +0.
//
// Ownership follows Arrow's reference counting: whoever holds a Batch releases it once. A function
// that returns a Batch hands its caller one reference. Functions that take a Batch only borrow it
// unless their comment says they take ownership. The zero Batch is the empty batch with no schema;
// Release on it is a no-op.
//
// Beyond Batch the package provides the row-level machinery every operator shares:
//   - HashRows / RowsEqual / EncodeKeys: hashing, equality and collision-free map keys under
//     grouping equality, computed with one typed loop per column;
//   - Consolidate (the only consolidation function), Concat, Empty, Take/TakeArray (gather);
//   - Builder, RowAt, DatumAt: moving rows between Arrow and types.Datum form;
//   - CompareDatum, CompareRows, SortKey: PostgreSQL's btree ordering of values and rows.
package zset
