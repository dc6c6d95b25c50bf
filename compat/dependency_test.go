package compat

import (
	"errors"
	"testing"
)

const (
	depErrMsg         = "sbatch: error: Batch job submission failed: Job dependency problem\n"
	depUnsupportedMsg = "sbatch: error: Batch job submission failed: Requested operation not supported on this system\n"
)

// TestParseDependency checks --dependency values against sbatch 22.05 and
// the Dependency= it showed right after submitting with --hold (jobs 2461
// and 2463 are plain jobs, 2464 an array, 99999 unknown). want is
// Dependency.String() of the parsed value, or the sbatch error.
func TestParseDependency(t *testing.T) {
	t.Parallel()
	u := "(unfulfilled)"
	tests := []struct {
		spec, want, err string
	}{
		// REFERENCE §1.8.
		{"afterok:81", "afterok:81" + u, ""},
		{"afterany:82", "afterany:82" + u, ""},
		{"afternotok:82", "afternotok:82" + u, ""},
		{"afterok:99999", "afterok:99999" + u, ""},
		{"bogus:1", "", depErrMsg},
		{"singleton", "singleton" + u, ""},
		// Types and lists.
		{"AFTEROK:2463", "afterok:2463" + u, ""},
		{"SINGLETON", "singleton" + u, ""},
		{"afterburstbuffer:2463", "afterburstbuffer:2463" + u, ""},
		{"afterburstbanana:2463", "afterburstbuffer:2463" + u, ""},
		{"AfterBurstB:2463", "afterburstbuffer:2463" + u, ""},
		{"afterburst:2463", "", depErrMsg},
		{"aftercorr:2464", "aftercorr:2464" + u, ""},
		{"afterok:2463:2461", "afterok:2463" + u + ",afterok:2461" + u, ""},
		{"afterok:2463,afterany:2461", "afterok:2463" + u + ",afterany:2461" + u, ""},
		{"afterok:2463?afterany:2461", "afterok:2463" + u + "?afterany:2461" + u, ""},
		{"afterok:2463,afterany:2461?afternotok:2462", "afterok:2463" + u + "?afterany:2461" + u + "?afternotok:2462" + u, ""},
		{"singleton,afterok:2463", "singleton" + u + ",afterok:2463" + u, ""},
		{"afterok:2463,singleton", "afterok:2463" + u + ",singleton" + u, ""},
		{"singleton?afterok:2463", "singleton" + u + "?afterok:2463" + u, ""},
		{"singleton,singleton", "singleton" + u, ""},
		{"2463", "afterany:2463" + u, ""},
		{"2463,2461", "afterany:2463" + u + ",afterany:2461" + u, ""},
		{"afterok:2463,2461", "afterok:2463" + u + ",afterany:2461" + u, ""},
		{"0", "", ""},
		{"", "", ""},
		// Repeats.
		{"afterok:2463:2463", "afterok:2463" + u, ""},
		{"afterok:2463,afterany:2463", "afterok:2463" + u + ",afterany:2463" + u, ""},
		{"afterok:2463,afterok:2463+5", "afterok:2463" + u, ""},
		// Tasks.
		{"afterok:2463_1", "afterok:2463_1" + u, ""},
		{"afterok:2464_*", "afterok:2464_*" + u, ""},
		{"afterok:2463_*", "afterok:2463_*" + u, ""},
		{"afterok:2464_*:2461", "afterok:2464_*" + u + ",afterok:2461" + u, ""},
		{"afterok:2463_", "afterok:2463_0" + u, ""},
		{"afterok:2464_ 1", "afterok:2464_1" + u, ""},
		{"afterok:2464_-1", "afterok:2464_*" + u, ""},
		{"afterany:2463_99", "afterany:2463_99" + u, ""},
		{"afterok:2463_x", "", depErrMsg},
		// Task lists.
		{"afterok:2464_[1-2]", "afterok:2464_1" + u + ",afterok:2464_2" + u, ""},
		{"afterok:2464_[1,3]", "afterok:2464_1" + u + ",afterok:2464_3" + u, ""},
		{"afterok:2464_[1-2]:2461", "afterok:2464_1" + u + ",afterok:2464_2" + u + ",afterok:2461" + u, ""},
		{"afterok:2461:2464_[1-2]", "afterok:2461" + u + ",afterok:2464_1" + u + ",afterok:2464_2" + u, ""},
		{"afterok:2464_[0-3]?afterany:2461", "afterok:2464_0" + u + "?afterok:2464_1" + u + "?afterok:2464_2" + u +
			"?afterok:2464_3" + u + "?afterany:2461" + u, ""},
		{"afterany:2464_[1-2],afterok:2464_[3]", "afterany:2464_1" + u + ",afterany:2464_2" + u + ",afterok:2464_3" + u, ""},
		{"afterok:2464_[1-2]:2464_[3]", "afterok:2464_1" + u + ",afterok:2464_2" + u + ",afterok:2464_3" + u, ""},
		{"afterok:2464_[1-2]+5", "afterok:2464_1" + u + ",afterok:2464_2+5" + u, ""},
		{"after:2464_[1-2]+5:2461", "after:2464_1" + u + ",after:2464_2+5" + u + ",after:2461+5" + u, ""},
		{"afterok:2464_[1000]", "afterok:2464_1000" + u, ""},
		{"afterok:2464_[1 ,2]", "afterok:2464_1" + u + ",afterok:2464_2" + u, ""},
		{"afterok:2464_[ 1]", "afterok:2464_1" + u, ""},
		{"afterok:2464_[1-2,]", "afterok:2464_0" + u + ",afterok:2464_1" + u + ",afterok:2464_2" + u, ""},
		{"afterok:2464_[-1]", "afterok:2464_0" + u + ",afterok:2464_1" + u, ""},
		{"afterok:2464_[+1]", "afterok:2464_1" + u, ""},
		{"afterok:2464_[1,1]", "afterok:2464_1" + u, ""},
		{"afterok:2464_[01]", "afterok:2464_1" + u, ""},
		{"afterok:2464_[1a]", "afterok:2464_1" + u, ""},
		{"afterok:2464_[1,,2]", "afterok:2464_0" + u + ",afterok:2464_1" + u + ",afterok:2464_2" + u, ""},
		{"afterok:2464_[1-2-3]", "afterok:2464_2" + u + ",afterok:2464_3" + u, ""},
		{"afterok:2464_[0]", "afterok:2464_0" + u, ""},
		{"afterok:2464_[1-3:2]", "afterok:2464_1" + u, ""},
		{"afterok:2464_[1-3:1]", "afterok:2464_1" + u + ",afterok:2464_2" + u, ""},
		{"afterok:2464_[0-3:2]", "afterok:2464_0" + u + ",afterok:2464_2" + u, ""},
		{"afterok:2464_[ 1-3:1]", "afterok:2464_1" + u + ",afterok:2464_2" + u, ""},
		{"afterok:2464_[4294967297]", "afterok:2464_1" + u, ""},
		{"afterok:2464_[3-3:1]", "", depErrMsg},
		{"afterok:2464_[1-3:1x]", "", depErrMsg},
		{"afterok:2464_[1:2]", "", depErrMsg},
		{"afterok:2464_[1001]", "", depErrMsg},
		{"afterok:2464_[1-2", "", depErrMsg},
		{"afterok:2464_[2-1]", "", depErrMsg},
		{"afterok:2464_[1-2]x", "", depErrMsg},
		{"afterok:2464_[1-2]_[3]", "", depErrMsg},
		{"afterok:2464_[]", "", depErrMsg},
		{"afterok:2464_[,1]", "", depErrMsg},
		{"afterok:2464_[1-]", "", depErrMsg},
		{"afterok:2464_[1-2],afterany:x2464_[3]", "", depErrMsg},
		{"2464_[1-2]", "", depErrMsg},
		{"afterok:1+5x_[1]", "afterok:1+5" + u, ""},
		// Times.
		{"after:2463+5", "after:2463+5" + u, ""},
		{"afterok:2463+5", "afterok:2463+5" + u, ""},
		{"after:2463+5:2461", "after:2463+5" + u + ",after:2461+5" + u, ""},
		{"after:2463:2461+5", "after:2463" + u + ",after:2461+5" + u, ""},
		{"afterok:2463+5:2461+7", "afterok:2463+5" + u + ",afterok:2461+7" + u, ""},
		{"after:2463+5,afterok:2461", "after:2463+5" + u + ",afterok:2461" + u, ""},
		{"after:2463+5?afterok:2461", "after:2463+5" + u + "?afterok:2461" + u, ""},
		{"after:2463+5x", "after:2463+5" + u, ""},
		{"after:2463+5+6", "after:2463+5" + u, ""},
		{"after:2463+5junk,afterok:2461", "after:2463+5" + u, ""},
		{"after:2463+99999999", "after:2463+28417210" + u, ""},
		{"after:2463+40000000", "after:2463+40000000" + u, ""},
		{"after:2463+4294967297", "after:2463+1" + u, ""},
		{"after:2463+x", "", depErrMsg},
		{"after:2463+0", "", depErrMsg},
		{"after:2463+-1", "", depErrMsg},
		{"after:2463+2147483648", "", depErrMsg},
		{"after:2463+4294967296", "", depErrMsg},
		// Job ids: strtol, then 32 bits.
		{"afterok:-1", "afterok:4294967295" + u, ""},
		{"afterok:4294967297", "afterok:1" + u, ""},
		{"afterok: 2463", "afterok:2463" + u, ""},
		{"afterok:4294967296", "", depErrMsg},
		{"afterok:0", "", depErrMsg},
		{"afterok:abc", "", depErrMsg},
		{"afterok:*", "", depErrMsg},
		{"afterok:", "", depErrMsg},
		{"afterok", "", depErrMsg},
		{"afterok:2463 ", "", depErrMsg},
		{"afterok:2463#", "", depErrMsg},
		{"afterok:2463.1", "", depErrMsg},
		{" afterok:2463", "", depErrMsg},
		// Separators.
		{"2463:2461", "", depErrMsg},
		{"2463,afterok:2461", "", depErrMsg},
		{"2463?2461", "", depErrMsg},
		{"afterok:2463,", "", depErrMsg},
		{",afterok:2463", "", depErrMsg},
		{"afterok:2463:", "", depErrMsg},
		{"afterok::2463", "", depErrMsg},
		{"afterok:2463??afterok:2461", "", depErrMsg},
		{"singleton,,afterok:2463", "", depErrMsg},
		{"singletonx", "", depErrMsg},
		{"singleton:2463", "", depErrMsg},
		// States as Slurm prints them, with its far-reaching '(' search.
		{"afterok:2463(failed)", "afterok:2463(failed)", ""},
		{"afterok:2463(fulfilled)", "afterok:2463" + u, ""},
		{"afterok:2463(x)", "afterok:2463" + u, ""},
		{"afterok:2463(", "", depErrMsg},
		{"singleton(failed)", "singleton(failed)", ""},
		{"singleton,afterok:2463(failed)", "singleton(failed)", ""},
		{"afterok:2463(failed):2461", "afterok:2463(failed),afterok:2461" + u, ""},
		{"afterok:2463(failed)x", "afterok:2463(failed)", ""},
		{"afterok:2463+5(failed)", "afterok:2463+5(failed)", ""},
		{"afterok:2463(failed)+5", "afterok:2463(failed)", ""},
		{"afterok:2463:2461(failed)", "afterok:2463(failed)", ""},
		{"2463(failed)", "", depErrMsg},
		// expand is refused as unsupported, wherever it is.
		{"expand:2463", "", depUnsupportedMsg},
		{"expand:abc", "", depUnsupportedMsg},
		{"expand:", "", depUnsupportedMsg},
		{"EXPAND:2463", "", depUnsupportedMsg},
		{"afterok:2463,expand:2463", "", depUnsupportedMsg},
		{"expand:2463,afterok:2463", "", depUnsupportedMsg},
		{"afterok:1expand", "", depErrMsg},
		{"bogusexpand:1", "", depErrMsg},
		{"expandx:1", "", depErrMsg},
	}
	for _, tc := range tests {
		d, err := ParseDependency(tc.spec, 0)
		if tc.err != "" {
			var e *Error
			if !errors.As(err, &e) || e.Msg != tc.err || e.Code != 1 {
				t.Errorf("ParseDependency(%q) error = %v, want %q", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseDependency(%q) error %v", tc.spec, err)
			continue
		}
		if got := d.String(); got != tc.want {
			t.Errorf("ParseDependency(%q).String() = %q, want %q", tc.spec, got, tc.want)
		}
	}
}

func TestDependencyDependsOn(t *testing.T) {
	t.Parallel()
	d, err := ParseDependency("singleton,afterok:7:8_2", 0)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[uint32]bool{7: true, 8: true, 0: false, 9: false} {
		if got := d.DependsOn(id); got != want {
			t.Errorf("DependsOn(%d) = %v, want %v", id, got, want)
		}
	}
}

func TestParseDependencyMaxArraySize(t *testing.T) {
	t.Parallel()
	if _, err := ParseDependency("afterok:5_[1500]", 0); err == nil {
		t.Error("task 1500 accepted with the default MaxArraySize")
	}
	d, err := ParseDependency("afterok:5_[1500]", 2000)
	if err != nil || d.String() != "afterok:5_1500(unfulfilled)" {
		t.Errorf("with MaxArraySize 2000: %q, %v", d.String(), err)
	}
}

// FuzzParseDependency checks that any value either fails with one of
// sbatch's two messages or parses to items whose rendering parses back to
// the same items (the round trip Slurm itself relies on).
func FuzzParseDependency(f *testing.F) {
	for _, s := range []string{"afterok:81", "after:5+10:6", "afterok:1?afterany:2", "singleton", "5,6",
		"afterok:45_[1-3,7]+2", "aftercorr:45_*", "afterok:1(failed):2", "expand:1", "after:1+99999999",
		"afterok:45_[0-9:3]", "bogus:1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		d, err := ParseDependency(spec, 0)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || (e.Msg != depErrMsg && e.Msg != depUnsupportedMsg) {
				t.Fatalf("ParseDependency(%q): unexpected error %v", spec, err)
			}
			return
		}
		for _, it := range d.Items {
			if it.State == DepFulfilled || it.Delay%60 != 0 {
				return // "+0" and wrapped delays do not survive printing
			}
			if it.Type != DepSingleton && it.JobID == 0 {
				t.Fatalf("ParseDependency(%q): job id 0 in %+v", spec, d)
			}
		}
		again, err := ParseDependency(d.String(), 0)
		if err != nil {
			t.Fatalf("ParseDependency(%q) renders %q, which fails: %v", spec, d.String(), err)
		}
		if len(again.Items) != len(d.Items) {
			t.Fatalf("ParseDependency(%q) renders %q, which parses to %+v", spec, d.String(), again)
		}
		for i := range d.Items {
			if again.Items[i] != d.Items[i] {
				t.Fatalf("ParseDependency(%q) renders %q: item %d is %+v, then %+v", spec, d.String(), i, d.Items[i], again.Items[i])
			}
		}
	})
}
