package main

import (
	"os/exec"
	"strings"
	"testing"
)

// layerRank orders Runnel's packages from the top (cmd) to the bottom (storage). A package may
// import only packages of a strictly greater rank: cmd → pgwire → engine → planner → exec →
// storage (DESIGN.md §1), with sql parse-only beside the planner, exec's sub-packages in their
// own order (sqlerr ← types ← rowcodec/zset ← expr ← exec), and the sqllogictest runner, a
// client tool that starts servers, just below cmd.
var layerRank = []struct {
	prefix string
	rank   float64
}{
	{"cmd/", 0},
	{"sqllogictest", 0.5},
	{"pgwire", 1},
	{"engine", 2},
	{"connectors/format/row", 2.6},
	{"connectors/format", 2.55},
	{"connectors", 2.5},
	{"planner", 3},
	{"sql", 3.5},
	{"exec/sqlerr", 4.9},
	{"exec/types", 4.8},
	{"exec/rowcodec", 4.75},
	{"exec/zset", 4.7},
	{"exec/expr", 4.6},
	{"exec", 4.5},
	{"storage/encoding", 5.5},
	{"storage", 5},
}

const module = "github.com/runnel-db/runnel/"

func rankOf(pkg string) (float64, bool) {
	rel := strings.TrimPrefix(pkg, module)
	for _, l := range layerRank {
		if rel == l.prefix || strings.HasPrefix(rel, l.prefix+"/") || strings.HasPrefix(l.prefix, "cmd/") && strings.HasPrefix(rel, l.prefix) {
			return l.rank, true
		}
	}
	return 0, false
}

func TestImportsFlowOneWay(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := fields[0]
		from, ok := rankOf(pkg)
		if !ok {
			t.Errorf("package %s has no place in the layering (add it to layerRank)", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			to, ok := rankOf(imp)
			if !ok {
				continue // reported as its own package above
			}
			checked++
			if to <= from {
				t.Errorf("%s imports %s: imports must flow cmd → pgwire → engine → planner → exec → storage", pkg, imp)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no internal imports found: the go list output was not understood")
	}
}
