package main

import (
	"testing"
	"time"
)

// msList turns milliseconds into durations.
func msList(v ...float64) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x * float64(time.Millisecond))
	}
	return out
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	oneToTwenty := make([]float64, 20)
	for i := range oneToTwenty {
		oneToTwenty[i] = float64(20 - i) // unsorted on purpose
	}
	tests := []struct {
		name string
		in   []time.Duration
		want Stats
	}{
		{"empty", nil, Stats{}},
		{"one", msList(4), Stats{N: 1, Min: 4 * ms, Median: 4 * ms, P95: 4 * ms, Max: 4 * ms, Mean: 4 * ms}},
		// odd n: the middle value; p95 = ceil(2.85) = 3rd.
		{"odd", msList(5, 1, 3), Stats{N: 3, Min: ms, Median: 3 * ms, P95: 5 * ms, Max: 5 * ms, Mean: 3 * ms}},
		// even n: mean of the two middle values; p95 = ceil(3.8) = 4th.
		{"even", msList(10, 2, 4, 8), Stats{N: 4, Min: 2 * ms, Median: 6 * ms, P95: 10 * ms, Max: 10 * ms, Mean: 6 * ms}},
		// n = 20: p95 = 19th (0.95·20 is exactly 19), not the maximum.
		{"twenty", msList(oneToTwenty...), Stats{N: 20, Min: ms, Median: 10500 * time.Microsecond, P95: 19 * ms, Max: 20 * ms, Mean: 10500 * time.Microsecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := append([]time.Duration(nil), tt.in...)
			if got := Summarize(in); got != tt.want {
				t.Errorf("Summarize = %+v, want %+v", got, tt.want)
			}
			for i := range in {
				if in[i] != tt.in[i] {
					t.Fatalf("Summarize modified its input at %d", i)
				}
			}
		})
	}
}

func TestP95IndexMatchesAwk(t *testing.T) {
	t.Parallel()
	// Appendix A: i95 = int(0.95*n + 0.999999), clamped to [1, n].
	for n := 1; n <= 100_000; n++ {
		awk := int(0.95*float64(n) + 0.999999)
		awk = min(max(awk, 1), n)
		if got := p95Index(n); got != awk {
			t.Fatalf("p95Index(%d) = %d, awk gives %d", n, got, awk)
		}
	}
}

func TestThousands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1 000"}, {100000, "100 000"}, {1234567, "1 234 567"}}
	for _, tt := range tests {
		if got := thousands(tt.in); got != tt.want {
			t.Errorf("thousands(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
