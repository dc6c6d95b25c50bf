package compat

import (
	"errors"
	"testing"
)

func TestParseTimeLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
	}{
		// REFERENCE §1.5, as sbatch recorded them.
		{"10", 10},
		{"10:30", 11}, // MM:SS rounded up
		{"1:00:00", 60},
		{"1-0", 1440},
		{"1-12", 1440 + 12*60},
		{"1-12:30", 1440 + 12*60 + 30},
		{"1-12:30:45", 1440 + 12*60 + 31},
		{"0:45", 1},
		{"90", 90},
		{"UNLIMITED", Infinite},
		{"infinite", Infinite},
		{"0", Infinite},
		{"-5", 4294960097}, // Slurm's bug: 2982611-04:17:00
		// More forms, checked against sbatch 22.05.8 (scontrol TimeLimit).
		{"-2", 4294964417}, // 2982614-04:17:00
		{"-0", Infinite},
		{"-1", Infinite},
		{"Unlimited", Infinite},
		{"INFINITE", Infinite},
		{"0:0", Infinite},
		{"00", Infinite},
		{"0-0", Infinite},
		{"1-0:0:0", 1440},
		{"5-", 5 * 1440},
		{"1-", 1440},
		{"1:60", 2},
		{"1:2:60", 63},
		{"0:3600", 60},        // Toil's 0:<seconds>
		{"30:00:00", 30 * 60}, // Nextflow's HH:mm:ss past 24 h
		{"0:61", 2},
		{"71582789", 1},                     // minutes*60 wraps to 44 s
		{"35791394", 4259175903},            // 2957761-01:03:00
		{"99999999999", 4293812088},         // 2981813-22:48:00
		{"4294967295", Infinite},            // C int -1 minutes
		{"2147483647", Infinite},            // wraps to -60 s
		{"2147483648", Infinite},            // wraps to 0
		{"1-2:3", 1440 + 2*60 + 3},          // D-H:M
		{"0-0:0:1", 1},                      // one second rounds up
		{"00:00:59", 1},                     // H:M:S
		{"100000000000000000000", Infinite}, // strtol saturates, (int) is -1: -60 s
	}
	for _, tc := range tests {
		got, err := ParseTimeLimit(tc.in)
		if err != nil {
			t.Errorf("ParseTimeLimit(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseTimeLimit(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestParseTimeLimitInvalid(t *testing.T) {
	t.Parallel()
	// REFERENCE §1.5 and more, all refused by sbatch 22.05.8.
	for _, in := range []string{"abc", "1:2:3:4", "1:xx", "+5", " 5", "", "1-2:", "60:00:00:00",
		"5:", ":5", "1::2", "--5", "1-2-3", "1:2-3", "5m", "1.5", "1-2::", "-", ":", "1-:2"} {
		_, err := ParseTimeLimit(in)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("ParseTimeLimit(%q): err = %v, want *Error", in, err)
			continue
		}
		if e.Msg != "sbatch: error: Invalid --time specification\n" || e.Code != 255 {
			t.Errorf("ParseTimeLimit(%q) = %q (exit %d)", in, e.Msg, e.Code)
		}
	}
}

func FuzzParseTimeLimit(f *testing.F) {
	for _, s := range []string{"10", "10:30", "1-12:30:45", "UNLIMITED", "-5", "0:3600", "1:2:3:4", "abc", "99999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseTimeLimit(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != 255 {
				t.Fatalf("ParseTimeLimit(%q): error %v is not a 255 *Error", s, err)
			}
			return
		}
		if m != Infinite && (m <= 0 || m > 1<<32-1) {
			t.Fatalf("ParseTimeLimit(%q) = %d: not a uint32 minute count", s, m)
		}
		// A plain minute count within int range is read as itself.
		if n, rest, ok := strtolC(s); ok && rest == "" && n > 0 && n < 35791394 && m != n {
			t.Fatalf("ParseTimeLimit(%q) = %d, want %d", s, m, n)
		}
	})
}
