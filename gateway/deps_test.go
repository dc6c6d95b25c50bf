package gateway

import (
	"context"
	"strings"
	"testing"

	"skyport/compat"
	"skyport/gateway/api"
	"skyport/queue"
)

// withDep sets --dependency (and more) on a submission.
func withDep(spec string, extra ...string) func(o *compat.SubmitOptions) {
	return func(o *compat.SubmitOptions) {
		o.Extra = map[string]string{"dependency": spec}
		for i := 0; i+1 < len(extra); i += 2 {
			o.Extra[extra[i]] = extra[i+1]
		}
	}
}

// Dependencies as on the reference cluster (REFERENCE.md §1.8): afterok
// on a job that fails is never satisfied (the job stays pending, or is
// cancelled with --kill-on-invalid-dep=yes), afternotok and afterany run,
// '?' needs one item, an unknown job is dropped at submission.
func TestDependencies(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	fail := d.submit(t, "sleep 1; exit 3", nil)
	fs := itoa(fail)
	ok := d.submit(t, "true", withDep("afterok:"+fs))
	kill := d.submit(t, "true", withDep("afterok:"+fs, "kill-on-invalid-dep", "yes"))
	notok := d.submit(t, "true", withDep("afternotok:"+fs))
	anyOf := d.submit(t, "true", withDep("afterok:"+fs+"?afternotok:"+fs))
	afterany := d.submit(t, "true", withDep("afterany:"+fs))
	unknown := d.submit(t, "true", withDep("afterok:99999"))
	if got := d.live(ok).Dependency; got != "afterok:"+fs+"(unfulfilled)" {
		t.Errorf("dependency while waiting: %q", got)
	}
	if got := d.live(anyOf).Dependency; got != "afterok:"+fs+"(unfulfilled)?afternotok:"+fs+"(unfulfilled)" {
		t.Errorf("'?' dependency: %q", got)
	}
	if got := d.live(unknown).Dependency; got != "" {
		t.Errorf("dependency on an unknown job kept: %q", got)
	}
	d.waitState(t, notok, queue.Completed)
	d.waitState(t, anyOf, queue.Completed)
	d.waitState(t, afterany, queue.Completed)
	d.waitState(t, unknown, queue.Completed)
	k := d.waitState(t, kill, queue.Cancelled)
	if k.job.Reason != compat.ReasonNeverSatisfied || k.job.Dependency != "afterok:"+fs+"(failed)" {
		t.Errorf("killed job: reason %q dependency %q", k.job.Reason, k.job.Dependency)
	}
	waitFor(t, "DependencyNeverSatisfied", func() bool { return d.reason(ok) == compat.ReasonNeverSatisfied })
	if got := d.live(ok).Dependency; got != "afterok:"+fs+"(failed)" {
		t.Errorf("never satisfied dependency: %q", got)
	}
	_, err := d.client.Submit(context.Background(), api.SubmitRequest{
		Options: compat.SubmitOptions{Wrap: "true", Given: map[string]bool{"wrap": true},
			Extra: map[string]string{"dependency": "bogus:1"}},
		Script: compat.WrapScript("true"), Cwd: t.TempDir(),
	})
	if err == nil || !strings.Contains(err.Error(), compat.ReasonDependency) {
		t.Errorf("bogus dependency: %v", err)
	}
}

// A job that depends on an array waits for every task; singleton waits
// for the earlier job of the same name.
func TestDependencyOnArrayAndSingleton(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, twoCPUs(t), "")
	arr := d.array(t, "sleep 0.3", "0-3", nil)
	after := d.submit(t, "true", withDep("afterok:"+itoa(arr)))
	first := d.submit(t, "sleep 0.5", func(o *compat.SubmitOptions) { o.JobName, o.Given["job-name"] = "solo", true })
	second := d.submit(t, "true", func(o *compat.SubmitOptions) {
		o.JobName, o.Given["job-name"] = "solo", true
		o.Extra = map[string]string{"dependency": "singleton"}
	})
	e := d.waitState(t, after, queue.Completed)
	for task, j := range d.arrayRecords(t, arr) {
		if j.State != queue.Completed || !j.EndTime.After(j.StartTime.Add(-1)) || e.job.StartTime.Before(j.EndTime) {
			t.Errorf("task %d (%s, end %v) vs dependent start %v", task, j.State, j.EndTime, e.job.StartTime)
		}
	}
	s := d.waitState(t, second, queue.Completed)
	f := d.waitState(t, first, queue.Completed)
	if s.job.StartTime.Before(f.job.EndTime) {
		t.Errorf("singleton started %v before the first job ended %v", s.job.StartTime, f.job.EndTime)
	}
}

// A pending dependency is in the job record: it survives a restart of
// the daemon, and the job runs once its dependency is satisfied.
func TestDependencySurvivesRestart(t *testing.T) {
	t.Parallel()
	cfg := twoCPUs(t)
	d := startDaemon(t, cfg, "")
	first := d.submit(t, "sleep 1", nil)
	dep := d.submit(t, "true", withDep("afterok:"+itoa(first)))
	d.waitState(t, first, queue.Running)
	d.stop()
	d2 := startDaemon(t, cfg, d.dir)
	if got := d2.live(dep).Dependency; got != "afterok:"+itoa(first)+"(unfulfilled)" && d2.live(dep).State == queue.Pending {
		t.Errorf("after restart: dependency %q", got)
	}
	d2.waitState(t, first, queue.Completed)
	e := d2.waitState(t, dep, queue.Completed)
	if e.job.Dependency != "" {
		t.Errorf("finished job keeps dependency %q", e.job.Dependency)
	}
}
