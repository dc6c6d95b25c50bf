package compat

import "strings"

// defaultSignalSecs is how long before the time limit --signal fires
// when no "@seconds" is given.
const defaultSignalSecs = 60

// SignalOption is a parsed sbatch --signal=[R][B][R][:]SIG[@seconds].
type SignalOption struct {
	Signal int  // the signal number
	Secs   int  // seconds before the time limit (60 when not given)
	Batch  bool // "B:": the batch shell only (else every job step)
}

// ParseSignalOption parses a --signal value as sbatch 22.05 does; ok is
// false for one sbatch refuses ("Invalid --signal specification").
func ParseSignalOption(v string) (SignalOption, bool) {
	if !sbValidSignal(v) {
		return SignalOption{}, false
	}
	o := SignalOption{Secs: defaultSignalSecs}
	s := v
	for i := 0; i < 3 && s != ""; i++ {
		switch s[0] {
		case 'R', 'r':
			s = s[1:]
		case 'B', 'b':
			o.Batch = true
			s = s[1:]
		default:
			i = 3
		}
	}
	s = strings.TrimPrefix(s, ":")
	name, secs, hasSecs := strings.Cut(s, "@")
	o.Signal = int(uint16(sbSignalNumber(name))) //nolint:gosec // Slurm keeps a uint16_t
	if hasSecs {
		n, _, _ := strtolC(secs)
		o.Secs = int(n)
	}
	return o, true
}
