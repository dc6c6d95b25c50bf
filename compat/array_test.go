package compat

import (
	"errors"
	"slices"
	"testing"
)

// arrayErrMsg is sbatch's stderr for a refused --array value.
const arrayErrMsg = "sbatch: error: Batch job submission failed: Invalid job array specification\n"

// TestParseArray checks --array values against what sbatch and squeue %K
// showed on Slurm 22.05 (MaxArraySize 1001): want is the squeue form, ""
// for "not an array", and bad means sbatch refused it.
func TestParseArray(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec string
		want string
		bad  bool
	}{
		// REFERENCE §1.7 and §2.1.
		{"5-1", "", true},
		{"abc", "", true},
		{"0-100000", "", true},
		{"0-5%2", "0-5%2", false},
		{"1,3,7", "1,3,7", false},
		{"2-3", "2-3", false},
		// Limits.
		{"0-1000", "0-1000", false},
		{"1000", "1000", false},
		{"1001", "", true},
		{"0-1001", "", true},
		{"0-1000:1000", "0,1000", false},
		{"1-9:1000", "1", false},
		{"1-9:1001", "", true},
		{"0-1000:1", "0-1000", false},
		{"4294967296", "", true},
		{"4294967295", "", true},
		{"2147483648", "", true},
		{"99999999999999999999", "", true},
		{"0-4294967297", "", true},
		{"1-3:4294967298", "", true},
		// Steps.
		{"1-9:2", "1,3,5,7,9", false},
		{"1-8:3", "1,4,7", false},
		{"1-9:0", "", true},
		{"1-9:-1", "", true},
		{"1-3:2:1", "", true},
		{"1:2", "", true},
		{"1-3: 2", "1,3", false},
		{"1-3:+2", "1,3", false},
		{"1-3:2%2", "1,3%2", false},
		// Throttle: read by strtol after the first '%', kept in a C int.
		{"0-5%0", "0-5", false},
		{"1-3%", "1-3", false},
		{"1-3%x", "1-3", false},
		{"0-5%2%3", "0-5%2", false},
		{"1-3%-1", "1-3", false},
		{"0-5%99999999999", "0-5%1215752191", false},
		{"0-5%4294967296", "0-5", false},
		{"0-5%4294967295", "0-5", false},
		{"0-5%2147483648", "0-5", false},
		{"0-5% 3", "0-5%3", false},
		{"0-5%+3", "0-5%3", false},
		{"0-5%3x", "0-5%3", false},
		{"1%2,5", "1,5%2", false},
		{"1,5%2", "1,5%2", false},
		{"1-3%2,7", "1-3,7%2", false},
		{"1%abc,5", "1,5", false},
		{"%2", "0%2", false},
		{"%", "0", false},
		{",%3", "0%3", false},
		{"2,%3", "0,2%3", false},
		{"1-3 %2", "", true},
		// Lists, blanks, signs and brackets (strtol, strtok).
		{"1,1", "1", false},
		{"1, 3", "1,3", false},
		{" 1", "1", false},
		{"\t1", "1", false},
		{"1 ", "", true},
		{"1-3\t", "", true},
		{" ", "", true},
		{"1 -3", "", true},
		{"1- 3", "1-3", false},
		{"1,,2", "1-2", false},
		{"1,", "1", false},
		{",1", "1", false},
		{"+1", "1", false},
		{"1-+3", "1-3", false},
		{"007", "7", false},
		{"3-3", "3", false},
		{"0x10", "", true},
		{"[1-3]", "1-3", false},
		{"[1-3", "1-3", false},
		{"1-3]", "1-3", false},
		{"[1,3]", "1,3", false},
		{"]", "0", false},
		{"[", "0", false},
		{"1-3:2]", "1,3", false},
		{"1-3]:2", "1,3", false},
		{"1]-3", "1-3", false},
		// Empty and odd ranges.
		{"", "", false},
		{",", "", false},
		{",,", "", false},
		{"0", "0", false},
		{"-1", "", true},
		{"-", "0", false},
		{"0-", "0", false},
		{"1-", "", true},
		{"0-:5", "0", false},
		{"-:5", "0", false},
		{"0--0", "0", false},
		{"1-3,-", "0-3", false},
		{"--", "", true},
		{"1--3", "", true},
		{"1-3-5", "", true},
	}
	for _, tc := range tests {
		got, err := ParseArray(tc.spec, 0)
		if tc.bad {
			var e *Error
			if !errors.As(err, &e) || e.Msg != arrayErrMsg || e.Code != 1 {
				t.Errorf("ParseArray(%q) error = %v, want %q exit 1", tc.spec, err, arrayErrMsg)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseArray(%q) error %v", tc.spec, err)
			continue
		}
		if s := got.String(); s != tc.want {
			t.Errorf("ParseArray(%q).String() = %q, want %q", tc.spec, s, tc.want)
		}
	}
}

// TestArrayEnv checks SLURM_ARRAY_TASK_COUNT/MIN/MAX/STEP as the tasks of
// real arrays saw them (REFERENCE §1.14 and this machine's Slurm).
func TestArrayEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec                  string
		count, min, max, step int64
	}{
		{"2-3", 2, 2, 3, 1}, // REFERENCE §1.14, job 17
		{"1-9:2", 5, 1, 9, 2},
		{"1,3,7", 3, 1, 7, 1},
		{"5", 1, 5, 5, 1},
		{"0-5%2", 6, 0, 5, 1},
		{"1-3,8,10-20:5", 7, 1, 20, 5},
		{"2,4,10", 3, 2, 10, 1},
		{"0,1000", 2, 0, 1000, 1},
		{"3-12:3", 4, 3, 12, 3},
		// STEP is the number after the first ':' of the value.
		{"1-5:2,10-20:5", 6, 1, 20, 2},
		{"10-20:5,1-5:2", 6, 1, 20, 5},
		{"1-5:2,10-12", 6, 1, 12, 2},
		{"0-6:3%2", 3, 0, 6, 3},
		{"5-5:3", 1, 5, 5, 3},
		{"1-5:2,7-9:1", 6, 1, 9, 2},
		{"1-3%2:5", 3, 1, 3, 5},
		{"1-3%2:x", 3, 1, 3, 0},
		{"1-3%2:-4", 3, 1, 3, -4},
		{"1%1:99999999999", 1, 1, 1, 1215752191},
		{"1%1: 7", 1, 1, 1, 7},
	}
	for _, tc := range tests {
		a, err := ParseArray(tc.spec, DefaultMaxArraySize)
		if err != nil {
			t.Errorf("ParseArray(%q): %v", tc.spec, err)
			continue
		}
		if a.Count() != tc.count || a.Min() != tc.min || a.Max() != tc.max || a.Step != tc.step {
			t.Errorf("ParseArray(%q): count %d min %d max %d step %d, want %d %d %d %d", tc.spec,
				a.Count(), a.Min(), a.Max(), a.Step, tc.count, tc.min, tc.max, tc.step)
		}
	}
}

func TestParseArrayTasksAndLimit(t *testing.T) {
	t.Parallel()
	a, err := ParseArray("7,1-3,2", 0)
	if err != nil || !slices.Equal(a.Tasks, []int64{1, 2, 3, 7}) || a.Throttle != 0 {
		t.Errorf("ParseArray(7,1-3,2) = %+v, %v", a, err)
	}
	if _, err := ParseArray("0-2000", 0); err == nil {
		t.Error("0-2000 accepted with the default MaxArraySize")
	}
	if a, err := ParseArray("0-2000", 4001); err != nil || a.Count() != 2001 {
		t.Errorf("0-2000 with MaxArraySize 4001: %d tasks, %v", a.Count(), err)
	}
	if a, err := ParseArray(",", 0); err != nil || a.Count() != 0 || a.Min() != 0 || a.Max() != 0 || a.String() != "" {
		t.Errorf("ParseArray(\",\") = %+v, %v; want no array", a, err)
	}
}

// FuzzParseArray checks that any value either fails with sbatch's message
// or gives ascending, unique tasks below MaxArraySize whose squeue form
// parses back to the same tasks and throttle.
func FuzzParseArray(f *testing.F) {
	for _, s := range []string{"0-15", "1-9:2", "1,3,7", "0-3,8,10-20:5", "0-5%2", "5-1", "abc", "",
		"[1-3]:2%4", "1%2,5", "-:5", "0-1000", "1-3%2:x", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		a, err := ParseArray(spec, 0)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Msg != arrayErrMsg {
				t.Fatalf("ParseArray(%q): unexpected error %v", spec, err)
			}
			return
		}
		for i, v := range a.Tasks {
			if v < 0 || v >= DefaultMaxArraySize || (i > 0 && v <= a.Tasks[i-1]) {
				t.Fatalf("ParseArray(%q): bad tasks %v", spec, a.Tasks)
			}
		}
		if a.Throttle < 0 {
			t.Fatalf("ParseArray(%q): throttle %d", spec, a.Throttle)
		}
		if len(a.Tasks) == 0 {
			return
		}
		b, err := ParseArray(a.String(), 0)
		if err != nil || !slices.Equal(a.Tasks, b.Tasks) || a.Throttle != b.Throttle {
			t.Fatalf("ParseArray(%q) = %q, which parses to %+v, %v", spec, a.String(), b, err)
		}
	})
}

func BenchmarkParseArray(b *testing.B) {
	for b.Loop() {
		if _, err := ParseArray("0-3,8,10-20:5,100-1000%4", 0); err != nil {
			b.Fatal(err)
		}
	}
}
