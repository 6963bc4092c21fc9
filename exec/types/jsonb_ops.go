package types

// Accessors behind jsonb's -> and ->> operators. Each parses its normalized input, so they cost
// a parse per call; results are normalized jsonb text. A false second result means SQL NULL.

// JSONBField is doc -> key: the value of key in an object (NULL for a missing key or a non-object).
func JSONBField(doc, key string) (string, bool) {
	n, err := parseJSON(doc)
	if err != nil || n.kind != jsonObject {
		return "", false
	}
	for i, k := range n.keys {
		if k == key {
			return string(n.items[i].appendText(nil)), true
		}
	}
	return "", false
}

// JSONBIndex is doc -> i: element i of an array, negative i counting from the end (NULL when out
// of range or not an array; a top-level scalar acts as a one-element array, as in PostgreSQL).
func JSONBIndex(doc string, i int64) (string, bool) {
	n, err := parseJSON(doc)
	if err != nil || n.kind == jsonObject {
		return "", false
	}
	items := n.items
	if n.kind != jsonArray {
		items = []jsonNode{n}
	}
	if i < 0 {
		i += int64(len(items))
	}
	if i < 0 || i >= int64(len(items)) {
		return "", false
	}
	return string(items[i].appendText(nil)), true
}

// JSONBText is the text form ->> gives a jsonb value: a string's contents unquoted and unescaped,
// NULL for JSON null, the normalized text otherwise.
func JSONBText(v string) (string, bool) {
	n, err := parseJSON(v)
	if err != nil {
		return "", false
	}
	switch n.kind {
	case jsonNull:
		return "", false
	case jsonString:
		return n.str, true
	}
	return v, true
}
