package azure

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The helpers below read the generic values a TOML (or JSON) decoder puts
// in a gate's option map.

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func toString(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("want a string, got %T", v)
	}
	return s, nil
}

func toBool(v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("want true or false, got %T", v)
	}
	return b, nil
}

// toStrings accepts a string or a list of strings.
func toStrings(v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
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
	return nil, fmt.Errorf("want a string or a list of strings, got %T", v)
}

// toInt accepts the non-negative integers a decoder produces.
func toInt(v any) (int, error) {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > math.MaxInt32 {
			return 0, fmt.Errorf("not a whole number: %v", x)
		}
		n = int64(x)
	default:
		return 0, fmt.Errorf("want an integer, got %T", v)
	}
	if n < 0 || n > math.MaxInt32 {
		return 0, fmt.Errorf("out of range: %d", n)
	}
	return int(n), nil
}

// toFloat accepts an integer or a float; negative values are allowed
// (a spot max price of -1 means "up to the on-demand price").
func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, fmt.Errorf("not a number: %v", x)
		}
		return x, nil
	}
	return 0, fmt.Errorf("want a number, got %T", v)
}

// toDuration accepts a Go duration string ("300s", "5m") or whole seconds.
func toDuration(v any) (time.Duration, error) {
	if s, ok := v.(string); ok {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("want a duration like \"300s\", got %q", s)
		}
		return d, nil
	}
	n, err := toInt(v)
	if err != nil {
		return 0, err
	}
	return time.Duration(n) * time.Second, nil
}

// toMemMB accepts MiB as an integer, or a size with a suffix K, M, G or T.
func toMemMB(v any) (int64, error) {
	s, ok := v.(string)
	if !ok {
		n, err := toInt(v)
		return int64(n), err
	}
	mult := map[byte]float64{'K': 1.0 / 1024, 'M': 1, 'G': 1024, 'T': 1024 * 1024}
	num, m := strings.TrimSpace(s), 1.0
	if num != "" {
		if f, ok := mult[strings.ToUpper(num[len(num)-1:])[0]]; ok {
			num, m = num[:len(num)-1], f
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || f*m > math.MaxInt32*1024.0 {
		return 0, fmt.Errorf("want a size like \"16G\" or MiB, got %q", s)
	}
	return int64(math.Ceil(f * m)), nil
}

// toTable accepts a TOML table.
func toTable(v any) (map[string]any, error) {
	t, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want a table, got %T", v)
	}
	return t, nil
}
