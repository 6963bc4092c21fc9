package types

// The IANA time zone database is embedded so that timestamptz input and output work on machines
// without /usr/share/zoneinfo (the system copy is preferred when present).
import _ "time/tzdata"
