package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Metadata clients: pgjdbc (how Metabase, DBeaver and Tableau see a database) and SQLAlchemy's
// inspector (how Superset does) run against the real server, and their output must equal what the
// same programs print against PostgreSQL 15 with the same schema (testdata/clients/schema.sql).
// The expected.txt files were produced that way:
//
//	psql -h 127.0.0.1 -U postgres -c 'create database runnel_clients'
//	psql -h 127.0.0.1 -U postgres runnel_clients -f testdata/clients/schema.sql -c 'refresh materialized view customer_totals'
//	java -cp CLASSES:/usr/share/java/postgresql.jar Metadata jdbc:postgresql://127.0.0.1:5432/runnel_clients postgres
//	/usr/bin/python3 testdata/clients/sqlalchemy/reflect.py postgresql://postgres@127.0.0.1:5432/runnel_clients

const pgjdbcJar = "/usr/share/java/postgresql.jar"

// startClientsServer starts a server with the clients' schema loaded.
func startClientsServer(t *testing.T) *server {
	t.Helper()
	s := startServer(t, t.TempDir())
	schema, err := os.ReadFile(filepath.Join("testdata", "clients", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	c := connect(t, s)
	for _, stmt := range strings.Split(string(schema), ";\n") {
		if strings.TrimSpace(stmt) != "" {
			mustExec(t, c, stmt)
		}
	}
	return s
}

// compareClientOutput fails with a line diff when got differs from the expected file.
func compareClientOutput(t *testing.T, expectedFile, got string) {
	t.Helper()
	want, err := os.ReadFile(expectedFile)
	if err != nil {
		t.Fatal(err)
	}
	if got == string(want) {
		return
	}
	wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
	var diff strings.Builder
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			diff.WriteString("- " + w + "\n+ " + g + "\n")
		}
	}
	t.Errorf("output differs from %s (PostgreSQL 15's answers):\n%s\nfull output:\n%s", expectedFile, diff.String(), got)
}

func clientCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestPgjdbcMetadata(t *testing.T) {
	for _, tool := range []string{"java", "javac"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: apt-get install default-jdk-headless", tool)
		}
	}
	if _, err := os.Stat(pgjdbcJar); err != nil {
		t.Skipf("pgjdbc not installed (%s): apt-get install libpostgresql-jdbc-java", pgjdbcJar)
	}
	classes := t.TempDir()
	src := filepath.Join("testdata", "clients", "jdbc", "Metadata.java")
	if out, err := exec.CommandContext(clientCtx(t), "javac", "-d", classes, "-cp", pgjdbcJar, src).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	s := startClientsServer(t)
	url := "jdbc:postgresql://" + s.addr + "/runnel"
	out, err := exec.CommandContext(clientCtx(t), "java", "-cp", classes+":"+pgjdbcJar, "Metadata", url, "runnel").CombinedOutput()
	if err != nil {
		t.Fatalf("java Metadata: %v\n%s", err, out)
	}
	compareClientOutput(t, filepath.Join("testdata", "clients", "jdbc", "expected.txt"), string(out))
}

func TestSQLAlchemyReflection(t *testing.T) {
	// Debian's python3-sqlalchemy and python3-psycopg2 import under /usr/bin/python3, not under
	// another python3 first on PATH.
	const python = "/usr/bin/python3"
	if out, err := exec.Command(python, "-c", "import sqlalchemy, psycopg2").CombinedOutput(); err != nil {
		t.Skipf("SQLAlchemy or psycopg2 not installed for %s (apt-get install python3-sqlalchemy python3-psycopg2): %v %s", python, err, out)
	}
	s := startClientsServer(t)
	url := "postgresql://runnel@" + s.addr + "/runnel"
	script := filepath.Join("testdata", "clients", "sqlalchemy", "reflect.py")
	out, err := exec.CommandContext(clientCtx(t), python, script, url).CombinedOutput()
	if err != nil {
		t.Fatalf("reflect.py: %v\n%s", err, out)
	}
	compareClientOutput(t, filepath.Join("testdata", "clients", "sqlalchemy", "expected.txt"), string(out))
}
