package compat

import (
	"bufio"
	"io"
	"strconv"
	"time"
)

// ConfigView is what the daemon fills for "scontrol show config". Every
// other key prints the value of the reference cluster (Slurm 22.05.8,
// recorded on the reference machine), which describes a single-node
// cluster with cons_tres, backfill and slurmdbd accounting; Overrides
// replaces the value of any key (by its exact name) verbatim.
type ConfigView struct {
	ClusterName string    // ClusterName
	ControlHost string    // SlurmctldHost[0] and the ping line ("vm")
	Up          bool      // the ping line says UP (else DOWN)
	BootTime    time.Time // BOOT_TIME: when the daemon started
	NextJobID   uint32    // NEXT_JOB_ID
	MinJobAge   int       // seconds finished jobs stay visible (300)
	KillWait    int       // seconds between SIGTERM and SIGKILL (30)
	// DefMemPerCPU is the default memory per CPU in MiB; 0 prints
	// "DefMemPerNode = UNLIMITED" instead, as Slurm does.
	DefMemPerCPU int64
	MaxArraySize int    // 0 keeps the reference value 1001
	MaxJobCount  int    // 0 keeps the reference value 10000
	FirstJobID   uint32 // 0 keeps 1
	SlurmUser    string // "slurm"; empty keeps the reference "slurm(64030)"
	SlurmUID     uint32
	ConfPath     string // SLURM_CONF; empty keeps /etc/slurm/slurm.conf
	Version      string // SLURM_VERSION; empty means 22.05.8
	Overrides    map[string]string
}

// ScontrolShowConfig writes "scontrol show config" as Slurm 22.05 prints
// it: the date line, "Key = value" lines (keys padded to 23 columns), the
// cgroup section and the ping line. now dates the first line.
func ScontrolShowConfig(w io.Writer, c ConfigView, now time.Time) error {
	bw := bufio.NewWriterSize(w, 16<<10)
	var b []byte
	b = append(b, "Configuration data as of "...)
	b = appendTimestamp(b, now, now.Location())
	b = append(b, '\n')
	for _, kv := range scontrolConfigKeys {
		key, val := kv.key, c.configValue(kv.key, kv.val, now.Location())
		if key == "DefMemPerCPU" && c.DefMemPerCPU <= 0 {
			key = "DefMemPerNode"
		}
		if v, ok := c.Overrides[key]; ok {
			val = v
		}
		b = appendConfigLine(b, key, val)
	}
	b = append(b, "\nCgroup Support Configuration:\n"...)
	for _, kv := range scontrolCgroupKeys {
		val := kv.val
		if v, ok := c.Overrides[kv.key]; ok {
			val = v
		}
		b = appendConfigLine(b, kv.key, val)
	}
	b = append(b, '\n')
	host := c.ControlHost
	if host == "" {
		host = "vm"
	}
	b = append(b, ScontrolPingLine(host, c.Up, false)...)
	if _, err := bw.Write(b); err != nil {
		return err
	}
	return bw.Flush()
}

// appendConfigLine appends "Key<padding> = value".
func appendConfigLine(b []byte, key, val string) []byte {
	b = append(b, key...)
	b = appendSpaces(b, 23-len(key))
	b = append(b, " = "...)
	b = append(b, val...)
	return append(b, '\n')
}

// configValue is the value of key: from the view for the keys it
// describes, ref (the reference cluster's) otherwise.
func (c *ConfigView) configValue(key, ref string, loc *time.Location) string {
	orRef := func(s string) string {
		if s == "" {
			return ref
		}
		return s
	}
	positive := func(n int64) string {
		if n <= 0 {
			return ref
		}
		return strconv.FormatInt(n, 10)
	}
	switch key {
	case "BOOT_TIME":
		return string(appendScontrolTime(nil, c.BootTime, loc))
	case "ClusterName":
		return orRef(c.ClusterName)
	case "DefMemPerCPU":
		if c.DefMemPerCPU <= 0 {
			return "UNLIMITED"
		}
		return strconv.FormatInt(c.DefMemPerCPU, 10)
	case "FirstJobId":
		return positive(int64(c.FirstJobID))
	case "KillWait":
		return strconv.Itoa(c.KillWait) + " sec"
	case "MaxArraySize":
		return positive(int64(c.MaxArraySize))
	case "MaxJobCount":
		return positive(int64(c.MaxJobCount))
	case "MinJobAge":
		return strconv.Itoa(c.MinJobAge) + " sec"
	case "NEXT_JOB_ID":
		return strconv.FormatUint(uint64(c.NextJobID), 10)
	case "SlurmUser":
		if c.SlurmUser == "" {
			return ref
		}
		return c.SlurmUser + "(" + strconv.FormatUint(uint64(c.SlurmUID), 10) + ")"
	case "SlurmctldHost[0]":
		return orRef(c.ControlHost)
	case "SLURM_CONF":
		return orRef(c.ConfPath)
	case "SLURM_VERSION":
		return orRef(c.Version)
	}
	return ref
}
