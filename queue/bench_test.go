package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// benchJobs is the size of the store the start-up and memory benchmarks
// use: the daemon's design load.
const benchJobs = 100_000

// benchBlobs are a typical script and environment (about 4 KB, as from
// an interactive shell).
var benchBlobs = Blobs{
	Script: []byte("#!/bin/bash\n#SBATCH --job-name=sim\n#SBATCH --ntasks=4\n#SBATCH --time=02:00:00\n" +
		"#SBATCH --output=/home/alice/projects/sim/logs/%x-%j.out\nmodule load gcc openmpi\n" +
		"cd /home/alice/projects/sim/run-042\nsrun ./simulate --input params.toml --steps 100000\n"),
	Env: benchEnv(),
}

// benchEnv returns an environment like a login shell's.
func benchEnv() []string {
	env := []string{
		"SHELL=/bin/bash", "HOME=/home/alice", "USER=alice", "LOGNAME=alice", "LANG=en_US.UTF-8",
		"PATH=/home/alice/.local/bin:/opt/openmpi/4.1/bin:/opt/gcc/13/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"LD_LIBRARY_PATH=/opt/openmpi/4.1/lib:/opt/gcc/13/lib64",
		"SSH_CONNECTION=10.1.2.3 53422 10.1.2.10 22", "SSH_CLIENT=10.1.2.3 53422 22", "SSH_TTY=/dev/pts/3",
		"PWD=/home/alice/projects/sim/run-042", "OLDPWD=/home/alice/projects/sim", "TERM=xterm-256color",
		"MODULEPATH=/opt/modulefiles:/usr/share/modulefiles", "LOADEDMODULES=gcc/13:openmpi/4.1",
		"HISTSIZE=10000", "EDITOR=vim", "MAIL=/var/spool/mail/alice", "XDG_RUNTIME_DIR=/run/user/1000",
		"DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus", "XDG_SESSION_ID=4711",
	}
	// LS_COLORS alone is often 1.5 KB of little-repeating text.
	var colors []string
	for i := range 160 {
		colors = append(colors, fmt.Sprintf("*.%x=%02d;%02d", i*2654435761%0xfffff, i%50, (i*7)%100))
	}
	return append(env, "LS_COLORS="+strings.Join(colors, ":"))
}

func BenchmarkSubmit(b *testing.B) {
	s := openDisk(b, b.TempDir())
	defer closeStore(b, s)
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Submit(ctx, newJob("bench", 1000), benchBlobs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSubmitParallel shows what group commit gives: concurrent
// submissions share fsyncs.
func BenchmarkSubmitParallel(b *testing.B) {
	s := openDisk(b, b.TempDir())
	defer closeStore(b, s)
	ctx := context.Background()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Submit(ctx, newJob("bench", 1000), benchBlobs); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkUpdate(b *testing.B) {
	s := openDisk(b, b.TempDir())
	defer closeStore(b, s)
	ctx := context.Background()
	id := submit(b, s, newJob("bench", 1000), benchBlobs)
	i := 0
	for b.Loop() {
		i++
		_, err := s.Update(ctx, id, func(j *Job) error {
			j.Reason = strconv.Itoa(i) // a change, so that it is written
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	s := openDisk(b, b.TempDir())
	defer closeStore(b, s)
	id := submit(b, s, newJob("bench", 1000), benchBlobs)
	for b.Loop() {
		if _, err := s.Get(id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkActive100k measures start-up recovery with 100 000 active jobs:
// Open, then Active, then Close; it also reports each step's share.
func BenchmarkActive100k(b *testing.B) {
	dir := b.TempDir()
	load(b, dir, benchJobs)
	var open, active, closing time.Duration
	for b.Loop() {
		t := time.Now()
		s := openDisk(b, dir)
		open += time.Since(t)
		t = time.Now()
		jobs, err := s.Active()
		active += time.Since(t)
		if err != nil {
			b.Fatal(err)
		}
		if len(jobs) != benchJobs {
			b.Fatalf("Active = %d jobs, want %d", len(jobs), benchJobs)
		}
		t = time.Now()
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		closing += time.Since(t)
	}
	n := float64(b.N)
	b.ReportMetric(float64(open.Milliseconds())/n, "open-ms")
	b.ReportMetric(float64(active.Milliseconds())/n, "active-ms")
	b.ReportMetric(float64(closing.Milliseconds())/n, "close-ms")
}

// BenchmarkRSS reports resident memory in MB (VmRSS, test binary
// included), and its anonymous part (RssAnon: the rest is pages of
// Badger's memory-mapped files, which the kernel reclaims when memory is
// short): "idle" in a fresh process with an empty store open, "load-peak"
// while this process stores 100 000 jobs as fast as it can, "open" in a
// fresh process, like a restarted daemon, after opening the full store,
// and "active" there after reading and holding its 100 000 active jobs.
func BenchmarkRSS(b *testing.B) {
	for b.Loop() {
		m := rssChild(b, b.TempDir())
		b.ReportMetric(m["open"], "idle-MB")
		b.ReportMetric(m["open-anon"], "idle-anon-MB")
		dir := b.TempDir()
		stop := make(chan struct{})
		peak := make(chan [2]float64)
		go func() {
			var top [2]float64
			for {
				top[0], top[1] = max(top[0], vmRSS()), max(top[1], procStatus("RssAnon"))
				select {
				case <-stop:
					peak <- top
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}()
		load(b, dir, benchJobs)
		close(stop)
		top := <-peak
		b.ReportMetric(top[0], "load-peak-MB")
		b.ReportMetric(top[1], "load-peak-anon-MB")
		m = rssChild(b, dir)
		if m["jobs"] != benchJobs {
			b.Fatalf("restarted store has %v active jobs, want %d", m["jobs"], benchJobs)
		}
		for _, name := range []string{"open", "open-anon", "active", "active-anon"} {
			b.ReportMetric(m[name], name+"-MB")
		}
	}
}

// rssEnv names the store directory of a test binary re-executed by
// BenchmarkRSS: it opens the store, reads the active jobs, and prints its
// memory at each step.
const rssEnv = "SKYPORT_QUEUE_RSS_DIR"

// rssChild runs the test binary as a child in rss mode on dir and returns
// what it measured.
func rssChild(b *testing.B, dir string) map[string]float64 {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), rssEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("rss child: %v", err)
	}
	metrics := map[string]float64{}
	for _, f := range strings.Fields(string(out)) {
		name, v, _ := strings.Cut(f, "=")
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			b.Fatalf("rss child printed %q", f)
		}
		metrics[name] = n
	}
	return metrics
}

// measureRSS is the child of rssChild.
func measureRSS(dir string) {
	s, err := Open(dir, Options{Logger: quiet})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("open=%.1f open-anon=%.1f\n", vmRSS(), procStatus("RssAnon"))
	jobs, err := s.Active()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("active=%.1f active-anon=%.1f jobs=%d\n", vmRSS(), procStatus("RssAnon"), len(jobs))
	runtime.KeepAlive(jobs)
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(0)
}

// load stores n active jobs, with blobs, in the store in dir (without
// fsync, for speed) and closes it.
func load(tb testing.TB, dir string, n int) {
	tb.Helper()
	start := time.Now()
	s, err := Open(dir, Options{Logger: quiet, NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	const workers = 4
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				j := newJob("load"+strconv.Itoa(i), uint32(1000+i%50))
				if i%2 == 0 {
					j.State, j.StartTime, j.NodeList = Running, t0, "vm"
				}
				if _, err := s.Submit(ctx, j, benchBlobs); err != nil {
					tb.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("loaded %d jobs in %v", n, time.Since(start).Round(time.Millisecond))
}

// vmRSS returns this process's resident set size in MB, or 0 without
// /proc.
func vmRSS() float64 { return procStatus("VmRSS") }

// procStatus returns a field of /proc/self/status in MB, or 0.
func procStatus(field string) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkDecodeJob reads a typical record; BenchmarkDecodeJobJSON reads
// the same job as JSON, for comparison (JSON was the first candidate for
// the record format).
func BenchmarkDecodeJob(b *testing.B) {
	rec := encodeJob(benchJob())
	b.SetBytes(int64(len(rec)))
	for b.Loop() {
		if _, err := decodeJob(rec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeJobJSON(b *testing.B) {
	rec, err := json.Marshal(benchJob())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(rec)))
	for b.Loop() {
		var j Job
		if err := json.Unmarshal(rec, &j); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeJob(b *testing.B) {
	j := benchJob()
	for b.Loop() {
		encodeJob(j)
	}
}

// benchJob is a running job with typical paths.
func benchJob() *Job {
	j := newJob("sim-run-042", 1000)
	j.ID, j.State, j.StartTime, j.NodeList, j.Gate = 123456, Running, t0.Add(time.Minute), "vm", "local"
	j.SubmitDir, j.WorkDir = "/home/alice/projects/sim/run-042", "/home/alice/projects/sim/run-042"
	j.Command, j.StdOut = "/home/alice/projects/sim/run-042/job.sh", "/home/alice/projects/sim/logs/%x-%j.out"
	j.Handle = []byte(`{"pid":123456,"start":"2025-03-14T09:27:53Z","dir":"/var/lib/skyport/gates/local/123456"}`)
	return j
}
