package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// watchBinary is the program of `skyport watch`, `skyport tail` and
// `skyport dashboard`. It is separate because its websocket client pulls
// in net/http, which would slow down the start of every shim (measured:
// about 10% more CPU per squeue --version) and break the shim binary's
// import rules.
const watchBinary = "skyport-watch"

// execWatch replaces this process with skyport-watch (next to this
// executable, else on PATH) running the command; it returns only when
// that fails.
func execWatch(name string, args []string, stderr io.Writer) int {
	path := findWatch()
	if path == "" {
		fmt.Fprintf(stderr, "skyport %s: error: %s not found next to skyport or on PATH\n", name, watchBinary)
		return 1
	}
	argv := append([]string{watchBinary, name}, args...)
	err := syscall.Exec(path, argv, os.Environ()) //nolint:gosec // the user's own program, found beside skyport or on their PATH
	fmt.Fprintf(stderr, "skyport %s: error: run %s: %v\n", name, path, err)
	return 1
}

// findWatch looks for skyport-watch beside the running executable, then
// on PATH; "" when there is none.
func findWatch() string {
	var dirs []string
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Dir(exe))
	}
	dirs = append(dirs, strings.Split(os.Getenv("PATH"), string(os.PathListSeparator))...)
	for _, d := range dirs {
		if d == "" {
			continue
		}
		p := filepath.Join(d, watchBinary)
		//nolint:gosec // PATH is the user's own
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p
		}
	}
	return ""
}
