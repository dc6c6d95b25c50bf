package gateway

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"skyport/compat"
	"skyport/gateway/api"
	"skyport/queue"
)

// array submits an array job with spec and returns its ID.
func (d *testDaemon) array(t *testing.T, wrap, spec string, set func(o *compat.SubmitOptions)) uint32 {
	t.Helper()
	return d.submit(t, wrap, func(o *compat.SubmitOptions) {
		o.Extra = map[string]string{"array": spec}
		o.Given["array"] = true
		if set != nil {
			set(o)
		}
	})
}

// live returns the live record of job id (nil when it is not live).
func (d *testDaemon) live(id uint32) *queue.Job {
	d.srv.mu.RLock()
	defer d.srv.mu.RUnlock()
	if e, ok := d.srv.live[id]; ok {
		return e.job
	}
	return nil
}

// waitFor polls cond until it holds, failing the test after 20s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// arrayRecords returns the stored records of array id, by task id.
func (d *testDaemon) arrayRecords(t *testing.T, id uint32) map[int64]*queue.Job {
	t.Helper()
	out := map[int64]*queue.Job{}
	err := d.srv.store.Scan(context.Background(), queue.Query{IDs: []uint32{id}}, func(j *queue.Job) bool {
		if !isMaster(j) {
			out[j.ArrayTaskID] = j
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// An array is one record until its tasks start; started tasks get the
// next job IDs in task order, the last task runs under the array's ID,
// and each task sees Slurm's SLURM_ARRAY_* variables and %A/%a.
func TestArrayRuns(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	dir := t.TempDir()
	id := d.array(t, "echo $SLURM_JOB_ID $SLURM_ARRAY_JOB_ID $SLURM_ARRAY_TASK_ID $SLURM_ARRAY_TASK_COUNT "+
		"$SLURM_ARRAY_TASK_MIN $SLURM_ARRAY_TASK_MAX $SLURM_ARRAY_TASK_STEP", "1-5:2", func(o *compat.SubmitOptions) {
		o.Output = filepath.Join(dir, "o-%A_%a.out")
	})
	waitFor(t, "every task to complete", func() bool {
		recs := d.arrayRecords(t, id)
		if len(recs) != 3 {
			return false
		}
		for _, j := range recs {
			if j.State != queue.Completed {
				return false
			}
		}
		return true
	})
	recs := d.arrayRecords(t, id)
	if recs[5].ID != id {
		t.Errorf("last task runs as job %d, want the array's id %d", recs[5].ID, id)
	}
	if recs[1].ID <= id || recs[3].ID != recs[1].ID+1 {
		t.Errorf("task ids: 1→%d 3→%d, want consecutive ids above %d in task order", recs[1].ID, recs[3].ID, id)
	}
	for task, j := range recs {
		b, err := os.ReadFile(filepath.Join(dir, "o-"+itoa(id)+"_"+itoa64(task)+".out"))
		want := itoa(j.ID) + " " + itoa(id) + " " + itoa64(task) + " 3 1 5 2\n"
		if err != nil || string(b) != want {
			t.Errorf("task %d output %q, %v; want %q", task, b, err, want)
		}
	}
}

func itoa(n uint32) string  { return strconv.FormatUint(uint64(n), 10) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// A 10 000-task array is a single record at submission and a single row
// of squeue, "N_[0-9999]".
func TestArrayLargeIsOneRecord(t *testing.T) {
	t.Parallel()
	cfg := twoCPUs(t)
	cfg.Daemon.MaxArraySize = 10000
	d := startDaemon(t, cfg, "")
	id := d.array(t, "true", "0-9999%5", func(o *compat.SubmitOptions) { o.Hold = true })
	if _, total := d.srv.store.Count(); total != 1 {
		t.Errorf("%d records stored for one array, want 1", total)
	}
	d.srv.mu.RLock()
	v := d.view(d.srv.live[id])
	n := len(d.srv.live)
	d.srv.mu.RUnlock()
	if v.ArrayTasks != "0-9999%5" || n != 1 {
		t.Errorf("view %q, live %d; want 0-9999%%5 and 1", v.ArrayTasks, n)
	}
	_, err := d.client.Submit(context.Background(), api.SubmitRequest{
		Options: compat.SubmitOptions{Wrap: "true", Given: map[string]bool{"wrap": true, "array": true},
			Extra: map[string]string{"array": "0-10000"}},
		Script: compat.WrapScript("true"), Cwd: t.TempDir(),
	})
	if err == nil || !strings.Contains(err.Error(), compat.ReasonInvalidArray) {
		t.Errorf("task 10000 with MaxArraySize 10000: %v, want %q", err, compat.ReasonInvalidArray)
	}
}

// The "%N" throttle keeps N tasks running at once; the rest wait with
// reason JobArrayTaskLimit. scancel of pending tasks takes them out of
// the master's list, and scancel of the array ends everything.
func TestArrayThrottleAndCancel(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	id := d.array(t, "sleep 60", "0-9%1", nil)
	waitFor(t, "one running task", func() bool {
		recs := d.arrayRecords(t, id)
		return len(recs) == 1 && recs[0].State == queue.Running
	})
	waitFor(t, "reason JobArrayTaskLimit", func() bool { return d.reason(id) == "JobArrayTaskLimit" })
	me := peer{UID: uint32(os.Getuid())}
	targets, err := compat.ParseScancelArgs([]string{itoa(id) + "_4", itoa(id) + "_[7-8]"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp := d.srv.scancel(context.Background(), targets, me); resp.Exit != 0 {
		t.Fatalf("scancel tasks: %+v", resp)
	}
	if got := d.live(id).ArrayPending; got != "1-3,5-6,9" {
		t.Errorf("pending after scancel of 4 and 7-8: %q, want 1-3,5-6,9", got)
	}
	if len(d.arrayRecords(t, id)) != 1 {
		t.Errorf("cancelling pending tasks made records")
	}
	all, _ := compat.ParseScancelArgs([]string{itoa(id)}, nil, nil)
	d.srv.scancel(context.Background(), all, me)
	e := d.waitState(t, id, queue.Cancelled)
	if d.view(e).ArrayTasks != "1-3,5-6,9%1" {
		t.Errorf("cancelled array shows %q", d.view(e).ArrayTasks)
	}
	for _, j := range d.arrayRecords(t, id) {
		d.waitState(t, j.ID, queue.Cancelled)
	}
}

// A crash between the two writes of a task split (the master names the
// new record, which is not stored yet) loses no task: the next daemon
// stores the record.
func TestArraySplitRecovered(t *testing.T) {
	t.Parallel()
	cfg := twoCPUs(t)
	d := startDaemon(t, cfg, "")
	id := d.array(t, "true", "0-3", func(o *compat.SubmitOptions) { o.Hold = true })
	d.stop()
	st, err := queue.Open(filepath.Join(d.dir, "queue"), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	newID, err := st.ReserveIDs(1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Update(context.Background(), id, func(j *queue.Job) error {
		j.ArrayPending, j.SplitID, j.SplitTask = "1-3", newID, 0
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	d2 := startDaemon(t, cfg, d.dir)
	j, err := d2.srv.store.Get(newID)
	if err != nil || j.ArrayJobID != id || j.ArrayTaskID != 0 || j.State != queue.Pending || !j.Held {
		t.Fatalf("restored task: %+v, %v", j, err)
	}
	if d2.live(newID) == nil {
		t.Error("restored task is not live")
	}
}

func TestTaskSet(t *testing.T) {
	t.Parallel()
	s := taskSetOf([]int64{9, 1, 2, 3, 5, 6, 3})
	if got := s.String(); got != "1-3,5-6,9" {
		t.Fatalf("String = %q", got)
	}
	if s.Len() != 6 || !s.Contains(5) || s.Contains(4) || s.Contains(10) {
		t.Errorf("Len/Contains wrong for %v", s)
	}
	if got := s.Remove(2).Remove(9).String(); got != "1,3,5-6" {
		t.Errorf("Remove = %q", got)
	}
	if got := s.Minus(parseTaskSet("2-5")).String(); got != "1,6,9" {
		t.Errorf("Minus = %q", got)
	}
	if got := s.Intersect(parseTaskSet("0-1,6-100")).String(); got != "1,6,9" {
		t.Errorf("Intersect = %q", got)
	}
	if got := parseTaskSet("0-9999").Len(); got != 10000 {
		t.Errorf("Len(0-9999) = %d", got)
	}
}

// FuzzTaskSet checks the task set against a plain map of ids.
func FuzzTaskSet(f *testing.F) {
	f.Add("1-3,5-6,9", int64(5), "2-5")
	f.Add("", int64(0), "0")
	f.Add("0-9999", int64(9999), "100-200,300")
	f.Fuzz(func(t *testing.T, a string, x int64, b string) {
		s, o := parseTaskSet(a), parseTaskSet(b)
		if s.Len() > 1<<16 || o.Len() > 1<<16 {
			return
		}
		if back := parseTaskSet(s.String()); back.String() != s.String() {
			t.Fatalf("round trip of %q: %q then %q", a, s.String(), back.String())
		}
		in := func(set taskSet) map[int64]bool {
			m := map[int64]bool{}
			set.Each(func(t int64) bool { m[t] = true; return true })
			return m
		}
		ms, mo := in(s), in(o)
		if int64(len(ms)) != s.Len() || s.Contains(x) != ms[x] {
			t.Fatalf("%q: Len %d for %d ids, Contains(%d) wrong", a, s.Len(), len(ms), x)
		}
		check := func(name string, got taskSet, want func(int64) bool) {
			g := in(got)
			for id := range ms {
				if g[id] != want(id) {
					t.Fatalf("%s(%q, %q): id %d wrong", name, a, b, id)
				}
			}
			for id := range g {
				if !ms[id] {
					t.Fatalf("%s(%q, %q): foreign id %d", name, a, b, id)
				}
			}
		}
		check("Minus", s.Minus(o), func(id int64) bool { return !mo[id] })
		check("Intersect", s.Intersect(o), func(id int64) bool { return mo[id] })
		check("Remove", s.Remove(x), func(id int64) bool { return id != x })
	})
}
