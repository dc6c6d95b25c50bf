package compat

import (
	"errors"
	"strconv"
	"testing"
)

func TestParseMemory(t *testing.T) {
	t.Parallel()
	// Each checked against sbatch 22.05.8 --mem (scontrol MinMemoryNode).
	tests := []struct {
		in   string
		want int64
	}{
		{"1G", 1024}, // REFERENCE §1.6
		{"24152", 24152},
		{"4GB", 4096}, // submitit
		{"4gb", 4096},
		{"4Gb", 4096},
		{"4g", 4096},
		{" 5", 5},
		{"+5", 5},
		{"0", 0},
		{"1500K", 2}, // kibibytes round up
		{"1K", 1},
		{"1kb", 1},
		{"1T", 1024 * 1024},
		{"1tb", 1024 * 1024},
		{"20000", 20000},
		{"05", 5},
		{"1M", 1},
		{"1mB", 1},
		{"500M", 500},
		{"1024K", 1},
		{"1025K", 2},
		{"-0", 0},
	}
	for _, tc := range tests {
		got, err := ParseMemory(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestParseMemoryInvalid(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"abc", "-5", "5MiB", "5 G", "5.5G", "", "5KBX", "5BB", "0x10", "5P", "G",
		"9223372036854775808", "99999999999999T"} {
		_, err := ParseMemory(in)
		var e *Error
		if !errors.As(err, &e) || e.Msg != "sbatch: error: Invalid --mem specification\n" || e.Code != 255 {
			t.Errorf("ParseMemory(%q): err = %v", in, err)
		}
	}
}

func FuzzParseMemory(f *testing.F) {
	for _, s := range []string{"1G", "4GB", "1500K", "abc", "-5", "5 G", "9223372036854775807K"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mb, err := ParseMemory(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != 255 {
				t.Fatalf("ParseMemory(%q): error %v is not a 255 *Error", s, err)
			}
			return
		}
		if mb < 0 {
			t.Fatalf("ParseMemory(%q) = %d", s, mb)
		}
		// Round trip: the MiB count, and the same in GiB when whole, parse back.
		if back, err := ParseMemory(strconv.FormatInt(mb, 10)); err != nil || back != mb {
			t.Fatalf("ParseMemory(%d) = %d, %v", mb, back, err)
		}
		if mb%1024 == 0 {
			if back, err := ParseMemory(strconv.FormatInt(mb/1024, 10) + "G"); err != nil || back != mb {
				t.Fatalf("ParseMemory(%dG) = %d, %v", mb/1024, back, err)
			}
		}
	})
}
