package compat

import (
	"slices"
	"testing"
	"time"
)

// fakeQueue is a DependencyLookup over a fixed list of jobs.
type fakeQueue []DepJob

func (q fakeQueue) lookup() DependencyLookup {
	return DependencyLookup{
		Job: func(id uint32) []DepJob {
			var out []DepJob
			for _, j := range q {
				if j.JobID == id || j.ArrayJobID == id {
					out = append(out, j)
				}
			}
			return out
		},
		Named: func(uid uint32, name string) []DepJob {
			var out []DepJob
			for _, j := range q {
				if j.UID == uid && j.Name == name {
					out = append(out, j)
				}
			}
			return out
		},
	}
}

var depNow = time.Date(2026, 11, 27, 14, 52, 0, 0, time.UTC)

// depQueue is the queue of this machine's Slurm session the cases below
// were recorded in: 2461 completed, 2462 failed (exit 3), 2463 held,
// 2464 a held array 0-3, 2586 an array whose task 0 completed and tasks 1
// and 2 failed (raw ids 2588, 2589, 2586), 2587 an array that completed.
var depQueue = fakeQueue{
	{JobID: 2461, ArrayTaskID: -1, Name: "wrap", State: "COMPLETED", StartTime: depNow.Add(-2 * time.Minute)},
	{JobID: 2462, ArrayTaskID: -1, Name: "wrap", State: "FAILED", StartTime: depNow.Add(-2 * time.Minute)},
	{JobID: 2463, ArrayTaskID: -1, Name: "wrap", State: "PENDING"},
	{JobID: 2464, ArrayJobID: 2464, ArrayTaskID: 0, Name: "wrap", State: "PENDING"},
	{JobID: 2464, ArrayJobID: 2464, ArrayTaskID: 1, Name: "wrap", State: "PENDING"},
	{JobID: 2464, ArrayJobID: 2464, ArrayTaskID: 2, Name: "wrap", State: "PENDING"},
	{JobID: 2464, ArrayJobID: 2464, ArrayTaskID: 3, Name: "wrap", State: "PENDING"},
	{JobID: 2588, ArrayJobID: 2586, ArrayTaskID: 0, Name: "wrap", State: "COMPLETED", StartTime: depNow.Add(-time.Minute)},
	{JobID: 2589, ArrayJobID: 2586, ArrayTaskID: 1, Name: "wrap", State: "FAILED", StartTime: depNow.Add(-time.Minute)},
	{JobID: 2586, ArrayJobID: 2586, ArrayTaskID: 2, Name: "wrap", State: "FAILED", StartTime: depNow.Add(-time.Minute)},
	{JobID: 2590, ArrayJobID: 2587, ArrayTaskID: 0, Name: "wrap", State: "COMPLETED", StartTime: depNow.Add(-time.Minute)},
	{JobID: 2587, ArrayJobID: 2587, ArrayTaskID: 1, Name: "wrap", State: "COMPLETED", StartTime: depNow.Add(-time.Minute)},
	{JobID: 2606, ArrayTaskID: -1, Name: "sgl1", State: "PENDING"},
}

// TestDependencySingletonSameName checks that the "wrap" jobs pending
// with lower ids hold back a later singleton "wrap".
func TestDependencySingletonSameName(t *testing.T) {
	t.Parallel()
	d, _ := ParseDependency("singleton", 0)
	r := DependencyStatus(d, DepJob{JobID: 3000, ArrayTaskID: -1, Name: "wrap"}, depQueue.lookup(), depNow)
	if r.Rendered != "singleton(unfulfilled)" || r.Reason != ReasonWaitDependency {
		t.Errorf("%+v", r)
	}
}

// TestDependencyStatus checks what squeue showed (%r and %E) for jobs
// submitted with these dependencies on this machine's Slurm 22.05.
func TestDependencyStatus(t *testing.T) {
	t.Parallel()
	dep, never := ReasonWaitDependency, ReasonNeverSatisfied
	tests := []struct {
		spec, rendered, reason string
	}{
		{"afterok:2461", "", ""},
		{"afterok:2462", "afterok:2462(failed)", never},
		{"afterok:99999", "", ""},
		{"afterok:2463", "afterok:2463(unfulfilled)", dep},
		{"afterok:2463,afterok:2462", "afterok:2463(unfulfilled),afterok:2462(failed)", never},
		{"afterok:2463?afterok:2462", "afterok:2463(unfulfilled)?afterok:2462(failed)", dep},
		{"afterok:2462?afternotok:2461", "afterok:2462(failed)?afternotok:2461(failed)", never},
		{"afterok:2463?afterok:2461", "", ""},
		{"afterok:2463,afterok:2461", "afterok:2463(unfulfilled)", dep},
		{"afternotok:2461", "afternotok:2461(failed)", never},
		{"afterany:2462", "", ""},
		{"after:2463", "after:2463(unfulfilled)", dep},
		{"after:2461", "", ""},
		{"afterok:2463_1", "", ""},
		{"afterok:2464_1", "afterok:2464_1(unfulfilled)", dep},
		{"after:2461+100", "after:2461+100(unfulfilled)", dep},
		{"after:2461+1", "", ""},
		{"afterok:2461+100", "", ""},
		{"afterok:2463,afterok:99999", "afterok:2463(unfulfilled)", dep},
		{"afterok:2463:2463", "afterok:2463(unfulfilled)", dep},
		{"afterok:2463,afterany:2463", "afterok:2463(unfulfilled),afterany:2463(unfulfilled)", dep},
		{"afterok:2463?afterany:2461,afternotok:2462", "", ""},
		{"afterok:2461_*", "", ""},
		{"afterok:2461_0", "", ""},
		{"afterok:2463_*", "", ""},
		{"aftercorr:2461", "", ""},
		{"aftercorr:2462", "aftercorr:2462(failed)", never},
		{"afterok:2464", "afterok:2464_*(unfulfilled)", dep},
		{"aftercorr:2464", "aftercorr:2464_*(unfulfilled)", dep},
		{"afterok:2464:2464_*", "afterok:2464_*(unfulfilled)", dep},
		{"afterok:2586", "afterok:2586_*(failed)", never},
		{"afternotok:2586", "", ""},
		{"afterany:2586", "", ""},
		{"after:2586", "", ""},
		{"afterok:2586_0", "", ""},
		{"afterok:2586_1", "afterok:2586_1(failed)", never},
		{"afterok:2586_5", "", ""},
		{"afterok:2587", "", ""},
		{"afternotok:2587", "afternotok:2587_*(failed)", never},
		{"afterok:2462_*", "", ""},
		{"afternotok:2586_*", "", ""},
		{"afterok:2588", "", ""},
		{"afterok:2462,afterok:2461", "afterok:2462(failed)", never},
		{"afterok:2462,afterok:2463", "afterok:2462(failed),afterok:2463(unfulfilled)", never},
		{"afterok:2462?afterok:2463?afterany:2461", "", ""},
		{"afterok:2461,afterok:2462", "afterok:2462(failed)", never},
		{"afterok:2462,afterok:99999", "afterok:2462(failed)", never},
		{"afterok:2462,after:2463+5,afterok:2461", "afterok:2462(failed),after:2463+5(unfulfilled)", never},
		{"afterok:2463(failed)", "afterok:2463(failed)", never},
		{"singleton", "", ""},
		{"", "", ""},
	}
	self := DepJob{JobID: 3000, ArrayTaskID: -1, Name: "dependent"}
	for _, tc := range tests {
		d, err := ParseDependency(tc.spec, 0)
		if err != nil {
			t.Fatalf("ParseDependency(%q): %v", tc.spec, err)
		}
		r := DependencyStatus(d, self, depQueue.lookup(), depNow)
		if r.Rendered != tc.rendered || r.Reason != tc.reason ||
			r.Satisfied != (tc.reason == "") || r.NeverSatisfied != (tc.reason == never) {
			t.Errorf("%q: got %q %q satisfied=%v never=%v, want %q %q", tc.spec,
				r.Rendered, r.Reason, r.Satisfied, r.NeverSatisfied, tc.rendered, tc.reason)
		}
		if r.Rendered != r.Dep.String() {
			t.Errorf("%q: Rendered %q but Dep renders %q", tc.spec, r.Rendered, r.Dep.String())
		}
		if r.Satisfied && len(r.Dep.Items) != 0 {
			t.Errorf("%q: satisfied but items left: %+v", tc.spec, r.Dep.Items)
		}
	}
}

// TestDependencyReference replays REFERENCE §1.8: 81 and 82 run, then 81
// completes and 82 exits 3.
func TestDependencyReference(t *testing.T) {
	t.Parallel()
	running := fakeQueue{
		{JobID: 81, ArrayTaskID: -1, State: "RUNNING", StartTime: depNow},
		{JobID: 82, ArrayTaskID: -1, State: "RUNNING", StartTime: depNow},
	}
	ended := fakeQueue{
		{JobID: 81, ArrayTaskID: -1, State: "COMPLETED", StartTime: depNow},
		{JobID: 82, ArrayTaskID: -1, State: "FAILED", StartTime: depNow},
	}
	tests := []struct {
		id                            uint32
		spec                          string
		before, beforeReason          string
		after, afterReason            string
		satisfiedBefore, satisfiedNow bool
	}{
		{83, "afterok:81", "afterok:81(unfulfilled)", "Dependency", "", "", false, true},
		{84, "afterok:82", "afterok:82(unfulfilled)", "Dependency", "afterok:82(failed)", "DependencyNeverSatisfied", false, false},
		{85, "afterany:82", "afterany:82(unfulfilled)", "Dependency", "", "", false, true},
		{86, "afternotok:82", "afternotok:82(unfulfilled)", "Dependency", "", "", false, true},
		{87, "afterok:99999", "", "", "", "", true, true},
		{89, "singleton", "", "", "", "", true, true},
	}
	for _, tc := range tests {
		d, err := ParseDependency(tc.spec, 0)
		if err != nil {
			t.Fatal(err)
		}
		self := DepJob{JobID: tc.id, ArrayTaskID: -1, Name: "single"}
		r := DependencyStatus(d, self, running.lookup(), depNow)
		if r.Rendered != tc.before || r.Reason != tc.beforeReason || r.Satisfied != tc.satisfiedBefore {
			t.Errorf("%d before: %q %q %v, want %q %q", tc.id, r.Rendered, r.Reason, r.Satisfied, tc.before, tc.beforeReason)
		}
		if r.Satisfied {
			continue
		}
		r = DependencyStatus(r.Dep, self, ended.lookup(), depNow.Add(time.Minute))
		if r.Rendered != tc.after || r.Reason != tc.afterReason || r.Satisfied != tc.satisfiedNow {
			t.Errorf("%d after: %q %q %v, want %q %q", tc.id, r.Rendered, r.Reason, r.Satisfied, tc.after, tc.afterReason)
		}
	}
}

// TestDependencyFinalStates checks that failed and fulfilled items are not
// looked at again, as Slurm does: 84 stays DependencyNeverSatisfied after
// 82 is purged or requeued.
func TestDependencyFinalStates(t *testing.T) {
	t.Parallel()
	d, _ := ParseDependency("afterok:82,afterok:83", 0)
	self := DepJob{JobID: 84, ArrayTaskID: -1}
	q := fakeQueue{
		{JobID: 82, ArrayTaskID: -1, State: "FAILED"},
		{JobID: 83, ArrayTaskID: -1, State: "COMPLETED"},
	}
	r := DependencyStatus(d, self, q.lookup(), depNow)
	if !r.NeverSatisfied || r.Rendered != "afterok:82(failed)" {
		t.Fatalf("first pass: %+v", r)
	}
	q = fakeQueue{
		{JobID: 82, ArrayTaskID: -1, State: "COMPLETED"},
		{JobID: 83, ArrayTaskID: -1, State: "FAILED"},
	}
	r = DependencyStatus(r.Dep, self, q.lookup(), depNow)
	if !r.NeverSatisfied || r.Rendered != "afterok:82(failed)" {
		t.Errorf("second pass: %+v", r)
	}
	r = DependencyStatus(r.Dep, self, fakeQueue{}.lookup(), depNow)
	if !r.NeverSatisfied || r.Reason != ReasonNeverSatisfied {
		t.Errorf("after a purge: %+v", r)
	}
}

// TestDependencyAfterCorr checks aftercorr task by task: the dependent
// array 2604_[0-3] on 2586 (task 0 completed, 1 and 2 failed, no task 3),
// and 2605_[0-1] on the pending plain job 2463.
func TestDependencyAfterCorr(t *testing.T) {
	t.Parallel()
	d, _ := ParseDependency("aftercorr:2586", 0)
	want := map[int64]string{0: "", 1: "aftercorr:2586_*(failed)", 2: "aftercorr:2586_*(failed)", 3: "aftercorr:2586_*(failed)"}
	for task, rendered := range want {
		self := DepJob{JobID: 2604 + uint32(task), ArrayJobID: 2604, ArrayTaskID: task}
		r := DependencyStatus(d, self, depQueue.lookup(), depNow)
		if r.Rendered != rendered || r.Satisfied != (rendered == "") || r.NeverSatisfied != (rendered != "") {
			t.Errorf("2604_%d: %+v, want %q", task, r, rendered)
		}
	}
	// The array's collapsed record keeps waiting instead of failing.
	meta := DepJob{JobID: 2604, ArrayJobID: 2604, ArrayTaskID: -1}
	if r := DependencyStatus(d, meta, depQueue.lookup(), depNow); r.Reason != ReasonWaitDependency ||
		r.Rendered != "aftercorr:2586_*(unfulfilled)" {
		t.Errorf("collapsed 2604: %+v", r)
	}
	d, _ = ParseDependency("aftercorr:2463", 0)
	for task := range int64(2) {
		self := DepJob{JobID: 2605, ArrayJobID: 2605, ArrayTaskID: task}
		if r := DependencyStatus(d, self, depQueue.lookup(), depNow); r.Rendered != "aftercorr:2463(unfulfilled)" ||
			r.Reason != ReasonWaitDependency {
			t.Errorf("2605_%d: %+v", task, r)
		}
	}
}

// TestDependencySingleton checks singleton: 2606 (sgl1, held) blocks
// 2607 and 2609 (sgl1); 2608 (sgl2) runs; a running job of the same name
// blocks, a later pending one, another user's or a task of the same
// array does not.
func TestDependencySingleton(t *testing.T) {
	t.Parallel()
	d, _ := ParseDependency("singleton", 0)
	q := append(slices.Clone(depQueue),
		DepJob{JobID: 2607, ArrayTaskID: -1, Name: "sgl1", State: "PENDING"},
		DepJob{JobID: 2609, ArrayTaskID: -1, Name: "sgl1", State: "PENDING"},
		DepJob{JobID: 2700, ArrayTaskID: -1, Name: "busy", State: "RUNNING"},
		DepJob{JobID: 2701, ArrayTaskID: -1, Name: "stop", State: "SUSPENDED"},
		DepJob{JobID: 2702, ArrayTaskID: -1, Name: "done", State: "COMPLETED"},
		DepJob{JobID: 2703, ArrayTaskID: -1, UID: 1000, Name: "other", State: "RUNNING"},
		DepJob{JobID: 2704, ArrayJobID: 2704, ArrayTaskID: 0, Name: "arr", State: "RUNNING"},
		DepJob{JobID: 2800, ArrayTaskID: -1, Name: "later", State: "PENDING"},
	)
	tests := []struct {
		self    DepJob
		blocked bool
	}{
		{DepJob{JobID: 2607, ArrayTaskID: -1, Name: "sgl1"}, true},
		{DepJob{JobID: 2609, ArrayTaskID: -1, Name: "sgl1"}, true},
		{DepJob{JobID: 2608, ArrayTaskID: -1, Name: "sgl2"}, false},
		{DepJob{JobID: 2605, ArrayTaskID: -1, Name: "sgl1"}, false},
		{DepJob{JobID: 2710, ArrayTaskID: -1, Name: "busy"}, true},
		{DepJob{JobID: 2710, ArrayTaskID: -1, Name: "stop"}, true},
		{DepJob{JobID: 2710, ArrayTaskID: -1, Name: "done"}, false},
		{DepJob{JobID: 2710, ArrayTaskID: -1, Name: "other"}, false},
		{DepJob{JobID: 2705, ArrayJobID: 2704, ArrayTaskID: 1, Name: "arr"}, false},
		{DepJob{JobID: 2710, ArrayTaskID: -1, Name: "later"}, false},
	}
	for _, tc := range tests {
		r := DependencyStatus(d, tc.self, q.lookup(), depNow)
		if tc.blocked && (r.Rendered != "singleton(unfulfilled)" || r.Reason != ReasonWaitDependency) {
			t.Errorf("%+v: %+v, want blocked", tc.self, r)
		}
		if !tc.blocked && !r.Satisfied {
			t.Errorf("%+v: %+v, want satisfied", tc.self, r)
		}
	}
}

// TestDependencyAfterTime checks "after:id+minutes" against the start
// time, and that a job cancelled before it started counts from then.
func TestDependencyAfterTime(t *testing.T) {
	t.Parallel()
	d, _ := ParseDependency("after:10+5", 0)
	self := DepJob{JobID: 11, ArrayTaskID: -1}
	start := depNow.Add(-5 * time.Minute)
	for _, tc := range []struct {
		state     string
		start     time.Time
		now       time.Time
		satisfied bool
	}{
		{"PENDING", time.Time{}, depNow, false},
		{"RUNNING", start, depNow.Add(-time.Second), false},
		{"RUNNING", start, depNow, true},
		{"CANCELLED", start, depNow, true},
		{"COMPLETED", time.Time{}, depNow, false},
	} {
		q := fakeQueue{{JobID: 10, ArrayTaskID: -1, State: tc.state, StartTime: tc.start}}
		if r := DependencyStatus(d, self, q.lookup(), tc.now); r.Satisfied != tc.satisfied {
			t.Errorf("%s started %v, now %v: %+v", tc.state, tc.start, tc.now, r)
		}
	}
}

// TestDependencyNilLookup checks that a lookup without functions treats
// every job as gone and singleton as free.
func TestDependencyNilLookup(t *testing.T) {
	t.Parallel()
	d, _ := ParseDependency("afterok:5,singleton", 0)
	if r := DependencyStatus(d, DepJob{JobID: 6}, DependencyLookup{}, depNow); !r.Satisfied {
		t.Errorf("%+v", r)
	}
}

func BenchmarkDependencyStatus(b *testing.B) {
	d, err := ParseDependency("afterok:2463:2464_[0-3]?afterany:2586,singleton", 0)
	if err != nil {
		b.Fatal(err)
	}
	self := DepJob{JobID: 3000, ArrayTaskID: -1, Name: "wrap"}
	look := depQueue.lookup()
	for b.Loop() {
		DependencyStatus(d, self, look, depNow)
	}
}
