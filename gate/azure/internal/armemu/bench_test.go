package armemu_test

import (
	"testing"
	"time"
)

// BenchmarkReuse measures a job on a warm VM of the emulator, through the
// real skyportd and shims: from sbatch until sacct says RUNNING (the goal
// is at most 5 s), and the ARM writes it costs (the goal is 0).
//
//	go test -run '^$' -bench Reuse -benchtime 5x ./gate/azure/internal/armemu
func BenchmarkReuse(b *testing.B) {
	l := newLab(b, labConfig{BootDelay: time.Second, IdleTimeout: "10m"})
	l.follow(l.sbatch("-p", "az", "--wrap", "true"), map[string]int{}) // the VM, warm from now on
	benchStart(b, l, nil)
}

// BenchmarkColdStart measures a job that needs a new VM (a boot delay of
// 1 s): from sbatch until RUNNING, and its ARM writes (6 for the first VM,
// which creates the group and network too, 3 for each VM after it).
//
//	go test -run '^$' -bench ColdStart -benchtime 3x ./gate/azure/internal/armemu
func BenchmarkColdStart(b *testing.B) {
	l := newLab(b, labConfig{BootDelay: time.Second, IdleTimeout: "1s"})
	vms := 0
	benchStart(b, l, func() {
		// The previous job's VM is gone, and so are the gate's calls that
		// delete it: the OS disk's delete is its last.
		l.waitGone(time.Minute)
		l.waitFor("the gate's deletes", time.Minute, func() bool { return l.stats().Writes["Microsoft.Compute/disks"] >= vms })
		vms++
	})
}

// benchStart times b.N submissions until RUNNING, each after setup (not
// timed), and reports the ARM writes per job.
func benchStart(b *testing.B, l *lab, setup func()) {
	writes := 0
	b.ResetTimer()
	b.StopTimer()
	for range b.N {
		if setup != nil {
			setup()
		}
		before := l.stats().WritesTotal
		b.StartTimer()
		id := l.sbatch("-p", "az", "--wrap", "sleep 2")
		l.waitFor("job "+id+" RUNNING", 2*time.Minute, func() bool { return l.states(id)[id] == "RUNNING" })
		b.StopTimer()
		writes += l.stats().WritesTotal - before
		l.follow(id, map[string]int{})
	}
	b.ReportMetric(float64(writes)/float64(b.N), "writes/op")
}
