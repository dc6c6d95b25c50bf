package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// row is one line of the table.
type row struct {
	num, what, sky, slurm, ratio, target, result string
}

// reference is a Slurm number recorded in REFERENCE.md §8 (run 2), used
// in place of a live measurement when real Slurm is not measured.
type reference struct {
	median, p95 time.Duration
	where       string
}

var (
	refSbatch    = reference{7000 * time.Microsecond, 8100 * time.Microsecond, "§8.1 run 2"}
	refSqueue    = reference{22500 * time.Microsecond, 23200 * time.Microsecond, "§8.2 run 2"}
	refCompleted = reference{2012 * time.Millisecond, 2311 * time.Millisecond, "§8.3 run 2"}
)

// Targets.
const (
	relTarget        = 0.5 // Sky Port p50 ≤ relTarget × Slurm p50
	squeueBigTarget  = 100 * time.Millisecond
	completedTarget  = 100 * time.Millisecond
	throughputTarget = 40.0 // jobs/s
	idleRSSTarget    = 40 << 20
	bigRSSTarget     = 300 << 20
)

// report prints the machine, the table, the commands and any error.
func (b *bench) report(w io.Writer) {
	m := b.machine
	fmt.Fprintf(w, "## Sky Port benchmark (%s)\n\n", m.Start.Format(time.DateTime))
	fmt.Fprintf(w, "- machine: nproc %d, %s, Linux %s\n", m.NProc, m.Model, m.Kernel)
	fmt.Fprintf(w, "- load average (1/5/15 min): %s at the start, %s at the end; `/bin/true` timed the same way: %s (REFERENCE.md §8: median 2.3 ms)\n",
		m.LoadStart, m.LoadEnd, m.True.pair())
	fmt.Fprintf(w, "- Go: %s (bench), skyportd built with %s; binaries in %s, config %s\n", m.GoBench, orDash(m.GoDaemon), m.SkyportBin, b.config)
	if b.slurm {
		fmt.Fprintf(w, "- real Slurm: %s (%s), measured in the same run\n", m.Slurm, slurmBin)
	} else {
		fmt.Fprintf(w, "- real Slurm: %s; its column shows REFERENCE.md §8's recorded numbers instead, marked \"ref\"\n", b.slurmNote)
	}
	if b.quick {
		fmt.Fprintf(w, "- **-quick**: smaller counts for a smoke run; the targets are meant for the full run\n")
	}
	fmt.Fprintln(w)
	rows := b.rows()
	fmt.Fprintln(w, "| # | measurement | Sky Port | real Slurm 22.05 | Sky Port / Slurm | target | result |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", r.num, r.what, r.sky, r.slurm, r.ratio, r.target, r.result)
	}
	fmt.Fprintln(w)
	b.commands(w)
	if len(b.errs) > 0 {
		fmt.Fprintln(w, "\nErrors:")
		keys := make([]string, 0, len(b.errs))
		for k := range b.errs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "- %s: %s\n", k, strings.ReplaceAll(b.errs[k].Error(), "\n", " "))
		}
	}
}

// rows builds the table.
func (b *bench) rows() []row {
	c := b.counts
	rows := []row{
		b.relative("1", fmt.Sprintf("`sbatch --wrap=true` latency p50 / p95, %d sequential", c.Sbatch),
			keySbatch, b.sbatch, b.slSbatch, refSbatch),
		{
			num: "1 (diag)", what: "the same submissions through the Go API client, no process: p50 / p95; skyportd CPU per job of row 1 (submit, start, reap)",
			sky:   b.apiSbatch.pair() + "; " + cpuCell(b.cpuSbatch),
			slurm: "—", ratio: "—", target: "—", result: "—",
		},
		b.relative("2", fmt.Sprintf("`squeue` p50 / p95, %d runs, %s held jobs queued (%s)", c.SqueueRuns, thousands(c.HeldSmall), b.rowCounts()),
			keySqueue, b.squeue, b.slSqueue, refSqueue),
		b.absolute("2", fmt.Sprintf("`squeue` p50 / p95, %d runs, %s held jobs queued (%d rows)", c.SqueueRuns, thousands(c.HeldBig), b.rowsBig),
			keySqueueBig, b.squeueBig, squeueBigTarget),
		{
			num: "2 (diag)", what: fmt.Sprintf("squeue's text rendered through the Go API client, no process: p50 / p95 with %s and %s jobs; skyportd CPU per squeue with %s", thousands(c.HeldSmall), thousands(c.HeldBig), thousands(c.HeldBig)),
			sky:   b.apiSqueue.pair() + "; " + b.apiSqueueBig.pair() + "; " + cpuCell(b.cpuSqueueBig),
			slurm: "—", ratio: "—", target: "—", result: "—",
		},
		{
			num: "2", what: "submitting the held jobs (not timed against a target)",
			sky: fmt.Sprintf("via API, %d workers: %s in %s = %.0f jobs/s (the first %s: %.0f jobs/s)", bulkWorkers,
				thousands(b.bulkBig.N), secs(b.bulkBig.Elapsed), b.bulkBig.rate(), thousands(b.bulkSmall.N), b.bulkSmall.rate()),
			slurm: b.slurmOr(keySqueue, fmt.Sprintf("%s × sequential `sbatch --hold`: %s = %.0f jobs/s", thousands(b.slHeld.N), secs(b.slHeld.Elapsed), b.slHeld.rate())),
			ratio: "—", target: "—", result: "—",
		},
		b.completedRow(),
		b.throughputRow(),
		b.rssRow("5", "skyportd VmRSS idle (1 s after start)", b.idle, memory{}, b.slctldIdle, "slurmctld now", idleRSSTarget),
		b.rssRow("5", fmt.Sprintf("skyportd VmRSS with %s held jobs, after row 2's squeue runs (peak VmHWM)", thousands(c.HeldBig)), b.bigAfter, b.bigAfterSubmit, b.slctldHeld, fmt.Sprintf("slurmctld with %s held", thousands(c.HeldSmall)), bigRSSTarget),
	}
	return rows
}

// relative is a row whose target is Sky Port p50 ≤ relTarget × Slurm p50.
func (b *bench) relative(num, what, key string, sky, sl Stats, ref reference) row {
	r := row{num: num, what: what, target: fmt.Sprintf("p50 ≤ %.1f × Slurm", relTarget)}
	r.sky = b.skyCell(key, sky)
	var tag string
	r.slurm, r.ratio = b.slurmStats(key, sl, ref, sky)
	base := sl.Median
	if !b.slurmOK(key, sl) {
		base, tag = ref.median, " (vs ref)"
	}
	switch {
	case b.errs["skyport:"+key] != nil || sky.N == 0:
		r.result = "FAIL (error)"
	case float64(sky.Median) <= relTarget*float64(base):
		r.result = "PASS" + tag
	default:
		r.result = "**FAIL**" + tag
	}
	return r
}

// absolute is a Sky Port-only row whose target is p50 ≤ limit.
func (b *bench) absolute(num, what, key string, sky Stats, limit time.Duration) row {
	r := row{num: num, what: what, slurm: "not run", ratio: "—", target: fmt.Sprintf("p50 ≤ %d ms", limit.Milliseconds())}
	r.sky = b.skyCell(key, sky)
	switch {
	case b.errs["skyport:"+key] != nil || sky.N == 0:
		r.result = "FAIL (error)"
	case sky.Median <= limit:
		r.result = "PASS"
	default:
		r.result = "**FAIL**"
	}
	return r
}

// completedRow is row 3. Its Slurm column and ratio are informative: the
// target is absolute.
func (b *bench) completedRow() row {
	c := b.counts
	r := b.absolute("3", fmt.Sprintf("submit → COMPLETED in sacct, p50 / p95, %d jobs (Slurm %d)", c.Completed, c.SlurmCompleted),
		keyCompleted, b.completed, completedTarget)
	r.slurm, r.ratio = b.slurmStats(keyCompleted, b.slCompleted, refCompleted, b.completed)
	return r
}

// throughputRow is row 4.
func (b *bench) throughputRow() row {
	c := b.counts
	r := row{num: "4", what: fmt.Sprintf("throughput: %d × `sbatch --wrap=true` (%d parallel loops), first submit → all COMPLETED (Slurm: capped at %d jobs)", c.Throughput, throughputWorkers, c.SlurmThroughput),
		target: fmt.Sprintf("≥ %.0f jobs/s", throughputTarget), ratio: "—"}
	if b.errs["skyport:"+keyThroughput] != nil || b.thr.Elapsed == 0 {
		r.sky, r.result = "error", "FAIL (error)"
	} else {
		r.sky = fmt.Sprintf("%.1f jobs/s (%s; submits took %s)", b.thr.rate(), secs(b.thr.Elapsed), secs(b.thr.Submit))
		r.result = "PASS"
		if b.thr.rate() < throughputTarget {
			r.result = "**FAIL**"
		}
	}
	switch {
	case !b.slurm:
		r.slurm = "ref §8.1: 0.7-0.8 jobs/s"
	case b.errs["slurm:"+keyThroughput] != nil || b.slThr.Elapsed == 0:
		r.slurm = "error"
	default:
		r.slurm = fmt.Sprintf("%.2f jobs/s (%d jobs, %s)", b.slThr.rate(), b.slThr.N, secs(b.slThr.Elapsed)) + b.busyNote(keyThroughput)
		if b.thr.Elapsed > 0 {
			r.ratio = fmt.Sprintf("%.0f× the rate", b.thr.rate()/b.slThr.rate())
		}
	}
	return r
}

// rssRow is a row 5 line; slurmctld's memory is shown for scale only.
func (b *bench) rssRow(num, what string, m, before, ctld memory, ctldWhat string, limit int64) row {
	r := row{num: num, what: what, ratio: "—", target: fmt.Sprintf("≤ %d MiB", limit>>20)}
	switch m.RSS {
	case 0:
		r.sky, r.result = "error", "FAIL (error)"
	default:
		r.sky = mib(m.RSS) + fmt.Sprintf(" (anon %s, files %s)", mib(m.Anon), mib(m.File))
		if m.HWM > m.RSS {
			r.sky += " (peak " + mib(m.HWM) + ")"
		}
		if before.RSS > 0 {
			r.sky += "; " + mib(before.RSS) + " right after submitting"
		}
		r.result = "PASS"
		if m.RSS > limit {
			r.result = "**FAIL**"
		}
	}
	r.slurm = "—"
	if ctld.RSS > 0 {
		r.slurm = ctldWhat + ": " + mib(ctld.RSS) + " (for scale)"
	}
	return r
}

// rowCounts says how many rows squeue printed on each system in row 2.
func (b *bench) rowCounts() string {
	s := fmt.Sprintf("Sky Port %d rows", b.rowsSmall)
	if b.slurmOK(keySqueue, b.slSqueue) {
		s += fmt.Sprintf(", Slurm %d rows", b.slRows)
	}
	return s
}

// skyCell formats Sky Port's stats, or "error" (with the samples taken
// before it, if any).
func (b *bench) skyCell(key string, s Stats) string {
	return statsCell(b.errs["skyport:"+key], s)
}

// statsCell formats s, noting a failed measurement.
func statsCell(err error, s Stats) string {
	switch {
	case err == nil && s.N > 0:
		return s.pair()
	case s.N > 0:
		return fmt.Sprintf("error after %d: %s", s.N, s.pair())
	}
	return "error"
}

// slurmOK reports whether real Slurm was measured for key.
func (b *bench) slurmOK(key string, sl Stats) bool {
	return b.slurm && b.errs["slurm:"+key] == nil && sl.N > 0
}

// slurmStats formats the Slurm cell (live, or the reference) and the
// ratio of the medians.
func (b *bench) slurmStats(key string, sl Stats, ref reference, sky Stats) (cell, ratio string) {
	base := sl.Median
	if b.slurmOK(key, sl) {
		cell = sl.pair()
	} else {
		base = ref.median
		cell = fmt.Sprintf("ref %s: %s / %s ms", ref.where, ms(ref.median), ms(ref.p95))
		if b.slurm {
			cell = statsCell(b.errs["slurm:"+key], sl) + "; " + cell
		}
	}
	cell += b.busyNote(key)
	ratio = "—"
	if sky.N > 0 && base > 0 {
		ratio = fmt.Sprintf("%.2f", float64(sky.Median)/float64(base))
	}
	return cell, ratio
}

// busyNote says when real Slurm's node was busy with other people's
// jobs during the scenario key.
func (b *bench) busyNote(key string) string {
	if n := b.slurmBusy[key]; n != "" {
		return " (node busy: " + n + ")"
	}
	return ""
}

// slurmOr is text when real Slurm was measured for key, else a dash.
func (b *bench) slurmOr(key, text string) string {
	switch {
	case !b.slurm:
		return "—"
	case b.errs["slurm:"+key] != nil:
		return "error"
	}
	return text
}

// commands prints the exact loops behind each row.
func (b *bench) commands(w io.Writer) {
	c := b.counts
	sp := b.bin + "/"
	fmt.Fprintf(w, "Commands (times are wall clock around each client process; p50 = median, p95 = ceil(0.95 n)-th value, as REFERENCE.md Appendix A):\n\n")
	fmt.Fprintf(w, "- Sky Port, fresh daemon and state per scenario: `XDG_STATE_HOME=/tmp/skbNNN %sskyportd -config %s`; "+
		"shims `%s{sbatch,squeue,sacct,scancel}` with `SKYPORT_SOCKET=/tmp/skbNNN/skyport/skyportd.sock`, cwd `/tmp/skbNNN/work`. "+
		"Real Slurm: `%s/{sbatch,squeue,sacct,scancel}`, cwd a fresh `/tmp/skbslurmNNN` per scenario; every job the bench created is `scancel`led by ID afterwards.\n", sp, b.config, sp, slurmBin)
	fmt.Fprintf(w, "- Rows 1 and 2 sample both systems side by side (Sky Port, Slurm, Slurm, Sky Port, ...), so both see the same machine load; rows 3 and 4 run on Sky Port, then on Slurm. Before each Slurm scenario the bench waits up to 2 min for other people's running or runnable jobs to finish, and notes any it saw (\"node busy\").\n")
	fmt.Fprintf(w, "- 1: %d × { t0; `sbatch --wrap=true` (stdout read for the job ID); t1 }; the jobs run meanwhile. Afterwards Sky Port is drained, Slurm's leftovers cancelled.\n", c.Sbatch)
	fmt.Fprintf(w, "- 2: held jobs first — Sky Port: %d goroutines each calling `api.NewClient(sock).Submit` with the request `sbatch --hold --wrap=true` builds (compat.ParseSbatchArgs + MergeOptions, WrapScript(\"true\"), Cwd, Env); "+
		"Slurm: sequential `sbatch --parsable --hold --wrap=true`. Then `squeue -h` once to count rows, and %d × { t0; `squeue` >/dev/null; t1 }. Slurm only gets the %s case.\n", bulkWorkers, c.SqueueRuns, thousands(c.HeldSmall))
	fmt.Fprintf(w, "- 3: %d (Slurm %d) × { t0; `id=$(sbatch --parsable --wrap=true)`; until `sacct -n -X -P -j $id -o State` = COMPLETED: sleep 10 ms (Slurm 50 ms); t1; sleep random 0.1-0.3 s (Slurm 0.5-1.5 s, as Appendix A) }.\n", c.Completed, c.SlurmCompleted)
	fmt.Fprintf(w, "- 4: t0; %d parallel loops of `sbatch --parsable --wrap=true` until %d (Slurm %d) are submitted; then every 50 ms `sacct -n -X -P -j ID,ID,... -o State` until all print COMPLETED; t1. Rate = jobs / (t1 - t0).\n", throughputWorkers, c.Throughput, c.SlurmThroughput)
	fmt.Fprintf(w, "- 5: VmRSS (and VmHWM) of skyportd's pid from /proc/PID/status: 1 s after start with an empty queue; and with %s held jobs, right after submitting them and after row 2's squeue runs (the row shows the latter). MiB = 2^20 bytes.\n", thousands(c.HeldBig))
	fmt.Fprintf(w, "- diag rows: the same requests sent through `skyport/gateway/api.Client` from inside the bench (no process start); skyportd's CPU = utime+stime from /proc/PID/stat (10 ms ticks) over the loop, divided by its count.\n")
}

// cpuCell formats a CPU time per operation.
func cpuCell(d time.Duration) string {
	if d <= 0 {
		return "CPU —"
	}
	return ms(d) + " ms CPU"
}

// secs formats d in seconds.
func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

// thousands formats n with a thin space every three digits (100 000).
func thousands(n int) string {
	s := fmt.Sprint(n)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ' ')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// orDash is s, or "—" when empty.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
