package gateway

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// machineInfo is what scontrol show node tells about the machine a node
// runs on: Arch (uname -m), OS ("Linux <release> <version>", as slurmd
// reports uname) and when the machine booted. Sky Port knows it only for
// the nodes of local gates, which are this machine.
type machineInfo struct {
	arch string
	os   string
	boot time.Time
}

// localMachine is this machine's machineInfo, read once.
var localMachine = sync.OnceValue(func() machineInfo {
	m := machineInfo{arch: unameArch(runtime.GOARCH)}
	osType := procLine("/proc/sys/kernel/ostype")
	release := procLine("/proc/sys/kernel/osrelease")
	version := procLine("/proc/sys/kernel/version")
	if osType != "" && release != "" {
		m.os = osType + " " + release + " " + version
	}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		m.boot = bootTime(b)
	}
	return m
})

// unameArch maps a Go GOARCH to the machine name uname -m prints.
func unameArch(goarch string) string {
	switch goarch {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	case "386":
		return "i686"
	}
	return goarch
}

// procLine is the first line of a /proc file, "" when it cannot be read.
func procLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line)
}

// bootTime is the "btime" (boot time in seconds since the epoch) of a
// /proc/stat text; zero when absent.
func bootTime(stat []byte) time.Time {
	sc := bufio.NewScanner(bytes.NewReader(stat))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "btime ")
		if !ok {
			continue
		}
		if secs, err := strconv.ParseInt(strings.TrimSpace(rest), 10, 64); err == nil {
			return time.Unix(secs, 0)
		}
	}
	return time.Time{}
}
