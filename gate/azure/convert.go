package azure

import (
	"fmt"
	"math"

	"skyport/gate/internal/opts"
)

// The helpers below read the generic values a TOML (or JSON) decoder puts
// in a gate's option map.

func toBool(v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("want true or false, got %T", v)
	}
	return b, nil
}

// toStrings accepts a string or a list of strings.
func toStrings(v any) ([]string, error) {
	if s, ok := v.(string); ok {
		return []string{s}, nil
	}
	return opts.Strings(v)
}

// toInt accepts the non-negative integers a decoder produces that fit an int32.
func toInt(v any) (int, error) {
	n, err := opts.Int(v)
	if err != nil {
		return 0, err
	}
	if n > math.MaxInt32 {
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

// toTable accepts a TOML table.
func toTable(v any) (map[string]any, error) {
	t, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want a table, got %T", v)
	}
	return t, nil
}
