// Package opts reads the values a gate finds in its options
// (gate.Config.Options): what a TOML or JSON decoder produced for the
// gate's table. Each function says what it accepts; its error says what
// was wanted, for the gate to prefix with the key.
package opts

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SortedKeys returns the keys of m in order, so that the first unknown key
// reported is always the same one.
func SortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// String accepts a string.
func String(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("want a string, got %T", v)
	}
	return s, nil
}

// Strings accepts a list of strings.
func Strings(v any) ([]string, error) {
	switch x := v.(type) {
	case []string:
		return append([]string(nil), x...), nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want strings, got an element %T", e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a list of strings, got %T", v)
}

// Int accepts a non-negative whole number of any of the types decoders
// produce.
func Int(v any) (int64, error) {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	case float64:
		if x != math.Trunc(x) || x > math.MaxInt64 || x < 0 {
			return 0, fmt.Errorf("not a whole number: %v", x)
		}
		n = int64(x)
	default:
		return 0, fmt.Errorf("want an integer, got %T", v)
	}
	if n < 0 {
		return 0, fmt.Errorf("negative: %d", n)
	}
	return n, nil
}

// Duration accepts a Go duration string ("90s", "2m") or whole seconds.
func Duration(v any) (time.Duration, error) {
	if s, ok := v.(string); ok {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("want a duration like \"90s\", got %q", s)
		}
		return d, nil
	}
	n, err := Int(v)
	if err != nil {
		return 0, err
	}
	return time.Duration(n) * time.Second, nil
}

// MemMB accepts MiB as an integer, or a Slurm-style size: a number with an
// optional suffix K, M, G or T (M when left out), rounded up to whole MiB.
func MemMB(v any) (int64, error) {
	s, ok := v.(string)
	if !ok {
		return Int(v)
	}
	mult := map[byte]float64{'K': 1.0 / 1024, 'M': 1, 'G': 1024, 'T': 1024 * 1024}
	num, m := strings.TrimSpace(s), 1.0
	if num != "" {
		if f, ok := mult[strings.ToUpper(num[len(num)-1:])[0]]; ok {
			num, m = num[:len(num)-1], f
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) {
		return 0, fmt.Errorf("want a size like \"16G\" or MiB, got %q", s)
	}
	mb := f * m
	if mb > math.MaxInt64/2 {
		return 0, fmt.Errorf("too large: %q", s)
	}
	return int64(math.Ceil(mb)), nil
}
