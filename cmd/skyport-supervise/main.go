// Command skyport-supervise is the local gate's per-job supervisor on its
// own: the same code as `skyportd supervise`, in a binary that links only
// the gate (no Badger, no TOML, no daemon), so that each job starts faster
// and costs less CPU. skyportd's local gate uses it when it is installed
// next to skyportd, and falls back to `skyportd supervise` otherwise.
package main

import (
	"fmt"
	"os"

	"skyport/gate/local"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "supervise" {
		fmt.Fprintln(os.Stderr, "usage: skyport-supervise supervise ... (started by skyportd's local gate, not by hand)")
		os.Exit(2)
	}
	os.Exit(local.Supervise(os.Args[2:]))
}
