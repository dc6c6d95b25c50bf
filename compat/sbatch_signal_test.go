package compat

import "testing"

func TestParseSignalOption(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want SignalOption
		ok   bool
	}{
		{"B:USR2@30", SignalOption{12, 30, true}, true},
		{"USR2@90", SignalOption{12, 90, false}, true},
		{"SIGTERM", SignalOption{15, 60, false}, true},
		{"10@5", SignalOption{10, 5, false}, true},
		{"RB:USR1@1", SignalOption{10, 1, true}, true},
		{"BOGUS@3", SignalOption{}, false},
		{"USR1@x", SignalOption{}, false},
	}
	for _, tc := range tests {
		got, ok := ParseSignalOption(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseSignalOption(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzParseSignalOption(f *testing.F) {
	for _, s := range []string{"B:USR2@30", "USR2@90", "R:10", "@", "b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, ok := ParseSignalOption(s)
		if ok != sbValidSignal(s) {
			t.Fatalf("%q: ok %v, but sbValidSignal says %v", s, ok, sbValidSignal(s))
		}
		if ok && (o.Signal < 1 || o.Secs < 0 || o.Secs > 0xffff) {
			t.Fatalf("%q: %+v out of range", s, o)
		}
	})
}
