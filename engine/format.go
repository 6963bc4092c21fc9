package engine

import (
	"encoding/binary"
	"fmt"

	"github.com/runnel-db/runnel/storage"
)

// metaFormat holds the version of the stored layout. A data directory written in another layout
// is refused at Open with an error saying so, never read as if it were this one.
const metaFormat = "format"

// storageFormat is the layout this build reads and writes. Format 2 stores the rows of tables
// without a primary key in blocks (rowid.go); directories from before had no format record and
// one entry per such row.
const storageFormat = 2

// checkFormat records the storage format in a new data directory and refuses one written in
// another format.
func checkFormat(db *storage.DB) error {
	v, ok, err := db.Get(storage.MetaKey(metaFormat))
	if err != nil {
		return err
	}
	if ok {
		if len(v) != 8 {
			return fmt.Errorf("corrupt %s record %x", metaFormat, v)
		}
		if got := binary.BigEndian.Uint64(v); got != storageFormat {
			return fmt.Errorf("the data directory holds storage format %d; this build of Runnel reads format %d", got, storageFormat)
		}
		return nil
	}
	lower := storage.KindPrefix(storage.KindTable)
	it, err := db.NewIter(lower, storage.PrefixEnd(lower))
	if err != nil {
		return err
	}
	hasRows := it.First()
	if err := it.Close(); err != nil {
		return err
	}
	if hasRows {
		return fmt.Errorf("the data directory was written by an earlier build of Runnel (storage format 1), whose table rows this build (format %d) cannot read; dump its contents with that build (COPY … TO STDOUT) and load them into a new directory", storageFormat)
	}
	wb := db.NewWriteBatch()
	defer wb.Close()
	if err := wb.Set(storage.MetaKey(metaFormat), binary.BigEndian.AppendUint64(nil, storageFormat)); err != nil {
		return err
	}
	return wb.Commit(true)
}
