package main

import (
	"fmt"
	"slices"
	"time"
)

// Stats summarises a sample of durations the way REFERENCE.md Appendix A's
// awk helper does, so that Sky Port's numbers and the recorded Slurm numbers
// mean the same thing.
type Stats struct {
	N                           int
	Min, Median, P95, Max, Mean time.Duration
}

// Summarize computes Stats over samples (which it does not modify). The
// median is the middle value of the sorted sample, or the mean of the two
// middle values when N is even; P95 is the ceil(0.95·N)-th smallest value
// (1-based). An empty sample gives the zero Stats.
func Summarize(samples []time.Duration) Stats {
	n := len(samples)
	if n == 0 {
		return Stats{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return Stats{
		N: n, Min: s[0], Median: med, P95: s[p95Index(n)-1], Max: s[n-1],
		Mean: sum / time.Duration(n),
	}
}

// p95Index returns ceil(0.95·n) clamped to [1, n], computed in integers:
// awk's int(0.95*n + 0.999999) gives the same value for every n below 10⁵,
// because 0.95·n has no fractional part smaller than 0.05 except zero.
func p95Index(n int) int {
	i := (95*n + 99) / 100
	return min(max(i, 1), n)
}

// String formats the summary like Appendix A's helper (milliseconds).
func (s Stats) String() string {
	if s.N == 0 {
		return "n=0"
	}
	return fmt.Sprintf("n=%d min=%s median=%s p95=%s max=%s mean=%s (ms)",
		s.N, ms(s.Min), ms(s.Median), ms(s.P95), ms(s.Max), ms(s.Mean))
}

// ms formats d in milliseconds with one decimal.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond))
}

// pair formats "median / p95 ms".
func (s Stats) pair() string {
	if s.N == 0 {
		return "—"
	}
	return ms(s.Median) + " / " + ms(s.P95) + " ms"
}
