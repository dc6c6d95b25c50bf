package opts

import (
	"testing"
	"time"
)

func TestValues(t *testing.T) {
	t.Parallel()
	if n, err := Int(int64(8)); err != nil || n != 8 {
		t.Errorf("Int(8) = %d, %v", n, err)
	}
	for _, bad := range []any{-1, 1.5, "8", float64(-2)} {
		if _, err := Int(bad); err == nil {
			t.Errorf("Int(%#v): no error", bad)
		}
	}
	if d, err := Duration("90s"); err != nil || d != 90*time.Second {
		t.Errorf("Duration(90s) = %v, %v", d, err)
	}
	if d, err := Duration(int64(5)); err != nil || d != 5*time.Second {
		t.Errorf("Duration(5) = %v, %v", d, err)
	}
	if _, err := Duration("-1s"); err == nil {
		t.Error("Duration(-1s): no error")
	}
	for in, want := range map[any]int64{"16G": 16384, "512": 512, "1536K": 2, int64(100): 100, "1T": 1 << 20} {
		if got, err := MemMB(in); err != nil || got != want {
			t.Errorf("MemMB(%#v) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []any{"16Q", "-1G", "G", true} {
		if _, err := MemMB(bad); err == nil {
			t.Errorf("MemMB(%#v): no error", bad)
		}
	}
	if s, err := Strings([]any{"a", "b"}); err != nil || len(s) != 2 {
		t.Errorf("Strings = %q, %v", s, err)
	}
	if _, err := Strings([]any{"a", 1}); err == nil {
		t.Error("Strings with a number: no error")
	}
	if k := SortedKeys(map[string]any{"b": 1, "a": 2}); k[0] != "a" || k[1] != "b" {
		t.Errorf("SortedKeys = %q", k)
	}
}
