package pgwire

import (
	"bytes"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/runnel-db/runnel/exec/types"
)

// oid and the reg types are bigints in Runnel and uint32 on the wire, as PostgreSQL sends them.
func TestOidBinary(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	b := array.NewInt64Builder(mem)
	b.Append(16385)
	arr := b.NewArray()
	b.Release()
	defer arr.Release()
	if got := binaryEncoder(arr, types.OidT)(nil, 0); !bytes.Equal(got, []byte{0, 0, 0x40, 0x01}) {
		t.Errorf("oid 16385 encodes as %x", got)
	}
	if got := binaryEncoder(arr, types.Int64T)(nil, 0); len(got) != 8 {
		t.Errorf("bigint encodes as %x", got)
	}
	v, err := decodeBinary([]byte{0, 0, 0x40, 0x01}, types.RegClassT, nil)
	if err != nil || v != int64(16385) {
		t.Errorf("regclass parameter: %v, %v", v, err)
	}
	if types.OidT.Len() != 4 || types.OidT.OID() != types.OIDOid {
		t.Errorf("oid: len %d, oid %d", types.OidT.Len(), types.OidT.OID())
	}
}
