package mirror

// The benchmarks measure Push through a real OpenSSH sshd on loopback
// against rsync -a over the same sshd (root and /usr/sbin/sshd needed, else
// they skip):
//
//	go test ./gate/ssh/mirror -run XXX -bench . -benchtime 3x
//
// MIRROR_BENCH_FILES (default 10000) and MIRROR_BENCH_MB (default 1024) set
// the tree. The goals: BenchmarkFirstSync's ratio (mirror time / rsync
// time) at most 1.25, i.e. within 80 % of rsync's speed; BenchmarkResync's
// mirror-s/op (an unchanged tree) at most 1 s. The trees live in
// b.TempDir; each iteration of BenchmarkFirstSync writes the tree twice.

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// benchTree writes a tree of n files (100 per directory) holding mb MiB of
// incompressible bytes in total, once per benchmark.
func benchTree(b *testing.B) string {
	b.Helper()
	n, mb := envInt("MIRROR_BENCH_FILES", 10000), envInt("MIRROR_BENCH_MB", 1024)
	root := filepath.Join(b.TempDir(), "src")
	size := mb << 20 / n
	rng := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, size)
	for i := range n {
		p := filepath.Join(root, fmt.Sprintf("d%03d", i/100), fmt.Sprintf("f%05d.dat", i))
		if i%100 == 0 {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				b.Fatal(err)
			}
		}
		_, _ = rng.Read(buf)
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("tree: %d files, %d MiB", n, mb)
	return root
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// rsyncTo runs rsync -a from src to the same path under root over s.
func rsyncTo(b *testing.B, s *sshd, src, root string) {
	b.Helper()
	dst := root + src
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		b.Fatal(err)
	}
	sshCmd := fmt.Sprintf("ssh -p %d -i %s -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR",
		s.port, s.keyFile)
	out, err := exec.Command("rsync", "-a", "-e", sshCmd, src+"/", "127.0.0.1:"+dst+"/").CombinedOutput()
	if err != nil {
		b.Fatalf("rsync: %v: %s", err, out)
	}
}

// BenchmarkFirstSync copies the tree to an empty host with Push and with
// rsync -a, alternating which goes first, and reports both times and
// their ratio.
func BenchmarkFirstSync(b *testing.B) {
	if _, err := exec.LookPath("rsync"); err != nil {
		b.Skip("no rsync")
	}
	s := startSSHD(b)
	src := benchTree(b)
	var mine, theirs time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		base := b.TempDir()
		mRoot, rRoot := filepath.Join(base, "m"), filepath.Join(base, "r")
		b.StartTimer()
		runMine := func() {
			start := time.Now()
			if _, _, err := Push(b.Context(), sshRemote{s.client}, Plan{Dirs: []string{src}, Root: mRoot}); err != nil {
				b.Fatal(err)
			}
			mine += time.Since(start)
		}
		runRsync := func() {
			start := time.Now()
			rsyncTo(b, s, src, rRoot)
			theirs += time.Since(start)
		}
		if i%2 == 0 {
			runMine()
			runRsync()
		} else {
			runRsync()
			runMine()
		}
		b.StopTimer()
		if err := os.RemoveAll(base); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(mine.Seconds()/float64(b.N), "mirror-s/op")
	b.ReportMetric(theirs.Seconds()/float64(b.N), "rsync-s/op")
	b.ReportMetric(mine.Seconds()/theirs.Seconds(), "ratio")
}

// BenchmarkResync pushes an unchanged tree again (after one first push),
// and reports rsync's time for the same no-op.
func BenchmarkResync(b *testing.B) {
	s := startSSHD(b)
	src := benchTree(b)
	root := filepath.Join(b.TempDir(), "m")
	plan := Plan{Dirs: []string{src}, Root: root}
	r := sshRemote{s.client}
	if _, _, err := Push(b.Context(), r, plan); err != nil {
		b.Fatal(err)
	}
	rsyncRoot := filepath.Join(b.TempDir(), "r")
	_, rsyncErr := exec.LookPath("rsync")
	if rsyncErr == nil {
		rsyncTo(b, s, src, rsyncRoot)
	}
	var mine, theirs time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		_, st, err := Push(b.Context(), r, plan)
		if err != nil {
			b.Fatal(err)
		}
		if st != (Stats{}) {
			b.Fatalf("an unchanged tree sent %+v", st)
		}
		mine += time.Since(start)
		if rsyncErr == nil {
			start = time.Now()
			rsyncTo(b, s, src, rsyncRoot)
			theirs += time.Since(start)
		}
	}
	b.ReportMetric(mine.Seconds()/float64(b.N), "mirror-s/op")
	if rsyncErr == nil {
		b.ReportMetric(theirs.Seconds()/float64(b.N), "rsync-s/op")
	}
}
