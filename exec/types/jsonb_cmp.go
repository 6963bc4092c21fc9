package types

import "strings"

// CompareJSONB orders two normalized jsonb texts as PostgreSQL's jsonb btree operator class does:
// by kind (null < string < number < boolean < array < object), arrays and objects first by
// element/pair count, then element by element (objects key, then value, in stored key order);
// strings by bytes (the C collation), numbers by value. A top-level scalar is, as in PostgreSQL, a
// one-element "raw scalar" array: it sorts below a one-element array and above an empty one.
// Texts that are not valid JSON (never stored) compare by bytes.
func CompareJSONB(a, b string) int {
	if a == b {
		return 0
	}
	x, err1 := parseJSON(a)
	y, err2 := parseJSON(b)
	if err1 != nil || err2 != nil {
		return strings.Compare(a, b)
	}
	return compareJSONNode(rawScalar(x), rawScalar(y))
}

// rawScalar wraps a top-level scalar as PostgreSQL's raw-scalar pseudo array.
func rawScalar(n jsonNode) *jsonNode {
	if n.kind == jsonArray || n.kind == jsonObject {
		return &n
	}
	return &jsonNode{kind: jsonArray, items: []jsonNode{n}, raw: true}
}

func compareJSONNode(x, y *jsonNode) int {
	if x.kind != y.kind {
		if x.kind < y.kind {
			return -1
		}
		return 1
	}
	switch x.kind {
	case jsonNull:
		return 0
	case jsonString:
		return strings.Compare(x.str, y.str)
	case jsonNumber:
		return compareDecimalParts(x.num, y.num)
	case jsonBool:
		switch {
		case x.b == y.b:
			return 0
		case !x.b:
			return -1
		}
		return 1
	}
	if len(x.items) != len(y.items) {
		if len(x.items) < len(y.items) {
			return -1
		}
		return 1
	}
	if x.raw != y.raw {
		if x.raw {
			return -1
		}
		return 1
	}
	for i := range x.items {
		if x.kind == jsonObject {
			if c := strings.Compare(x.keys[i], y.keys[i]); c != 0 {
				return c
			}
		}
		if c := compareJSONNode(&x.items[i], &y.items[i]); c != 0 {
			return c
		}
	}
	return 0
}

// compareDecimalParts compares two decimal literals by value, with no size limit.
func compareDecimalParts(a, b decimalParts) int {
	sa, sb := decimalSign(a), decimalSign(b)
	if sa != sb {
		if sa < sb {
			return -1
		}
		return 1
	}
	if sa == 0 {
		return 0
	}
	c := compareMagnitude(a, b)
	return c * sa
}

func decimalSign(p decimalParts) int {
	if len(p.digits) == 0 {
		return 0
	}
	if p.neg {
		return -1
	}
	return 1
}

// compareMagnitude compares |a| and |b| (both non-zero).
func compareMagnitude(a, b decimalParts) int {
	da, db := strings.TrimRight(string(a.digits), "0"), strings.TrimRight(string(b.digits), "0")
	// position of the leading digit: value = 0.d1d2... × 10^(len(digits)+exp)
	ea, eb := len(a.digits)+a.exp, len(b.digits)+b.exp
	if ea != eb {
		if ea < eb {
			return -1
		}
		return 1
	}
	return strings.Compare(da, db)
}
