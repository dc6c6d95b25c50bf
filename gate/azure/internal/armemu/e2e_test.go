package armemu_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// arrayScript is an unchanged Slurm batch script: four tasks, each
// writing its output file and a result file into the submit directory.
// Each records where it ran: the host name (the VM's), the user and the
// owner of its working directory (the VM's login user: the submit
// directory is an empty tmpfs in the VM, so the job ran in files staged
// there and its results came back by sync).
const arrayScript = `#!/bin/bash
#SBATCH --array=1-4
#SBATCH -o out_%A_%a.txt
#SBATCH -c 1
echo "task $SLURM_ARRAY_TASK_ID on $(hostname)"
{ hostname; echo "$SLURM_ARRAY_TASK_ID"; id -un; stat -c %u .; } > result_$SLURM_ARRAY_TASK_ID
sleep 1
`

var poolNode = regexp.MustCompile(`^az-[01]$`)

func TestE2EArrayOnAzure(t *testing.T) {
	t.Parallel()
	l := newLab(t, labConfig{BootDelay: 2 * time.Second, ReadyDelay: 4 * time.Second, IdleTimeout: "8s"})
	pids := map[string]int{} // every VM's sshd pid seen

	// A first job: a new VM, CONFIGURING while it boots, every base
	// resource created once. It starts once cloud-init has finished.
	id := l.sbatch("-p", "az", "-o", "cold_%j.txt", "--wrap",
		"hostname; id -un; ls /var/lib/cloud/instance/boot-finished; sleep 1")
	seen := l.follow(id, pids)
	if !slices.Contains(seen, "CONFIGURING") || !slices.Contains(seen, "RUNNING") {
		t.Errorf("job %s went through %v, want CONFIGURING while its VM booted, then RUNNING", id, seen)
	}
	st := l.stats()
	if st.WritesTotal != 6 {
		t.Errorf("first job on a new VM: %d ARM writes %v, want 6 (group, nsg, vnet, public ip, nic, vm)", st.WritesTotal, st.Writes)
	}
	if len(st.VMs) != 1 {
		t.Fatalf("VMs after the first job: %+v", st.VMs)
	}
	vm1 := st.VMs[0].Name
	l.checkFile("cold_"+id+".txt", vm1+"\nskyport\n/var/lib/cloud/instance/boot-finished\n")
	node := strings.TrimSpace(l.mustShim("sacct", "-n", "-X", "-P", "-o", "NodeList", "-j", id))
	if !poolNode.MatchString(node) {
		t.Errorf("NodeList %q is not a node of the pool", node)
	}

	// A second job: the warm VM, no ARM write.
	before := st.WritesTotal
	id = l.sbatch("-p", "az", "-o", "warm_%j.txt", "--wrap", "hostname")
	l.follow(id, pids)
	if n := l.stats().WritesTotal - before; n != 0 {
		t.Errorf("a job on the warm VM: %d ARM writes, want 0", n)
	}
	l.checkFile("warm_"+id+".txt", vm1+"\n")

	// The array: the warm VM, and a second one for the tasks that do not
	// fit on it.
	if err := os.WriteFile(filepath.Join(l.submit, "array.sh"), []byte(arrayScript), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 4; i++ {
		if _, err := os.Stat(filepath.Join(l.submit, "result_"+strconv.Itoa(i))); err == nil {
			t.Fatalf("result_%d exists before the array ran", i)
		}
	}
	st = l.stats()
	before, vmsBefore := st.WritesTotal, len(st.VMs)
	arr := l.sbatch("-p", "az", "array.sh")
	l.follow(arr, pids)
	st = l.stats()
	newVMs := len(st.VMs) - vmsBefore
	if writes := st.WritesTotal - before; writes != 3*newVMs || newVMs > 1 {
		t.Errorf("the array created %d VMs with %d ARM writes, want at most 1 VM, each of 3 writes (public ip, nic, vm)", newVMs, writes)
	}
	names := map[string]bool{}
	for _, v := range st.VMs {
		names[v.Name] = true
	}
	states := l.states(arr)
	for i := 1; i <= 4; i++ {
		task := arr + "_" + strconv.Itoa(i)
		if states[task] != "COMPLETED" {
			t.Errorf("task %s: %q", task, states[task])
		}
		res := strings.Split(strings.TrimSpace(l.read("result_"+strconv.Itoa(i))), "\n")
		if len(res) != 4 || !names[res[0]] || res[1] != strconv.Itoa(i) || res[2] != "skyport" || res[3] == "0" {
			t.Errorf("result_%d = %q: want a VM's host name, the task id, the VM's login and its uid", i, res)
			continue
		}
		l.checkFile("out_"+arr+"_"+strconv.Itoa(i)+".txt", "task "+strconv.Itoa(i)+" on "+res[0]+"\n")
	}
	out := l.mustShim("sacct", "-n", "-X", "-P", "-o", "JobID,NodeList", "-j", arr)
	for line := range strings.Lines(out) {
		if _, n, _ := strings.Cut(strings.TrimSpace(line), "|"); !poolNode.MatchString(n) {
			t.Errorf("sacct: %q: NodeList is not a node of the pool", line)
		}
	}

	// After the idle timeout every VM is deleted with what it owns, and
	// its sshd (with everything in its namespaces) is gone.
	l.waitGone(60 * time.Second)
	for vm, pid := range pids {
		if alive(pid) {
			t.Errorf("sshd %d of %s still runs after its VM was deleted", pid, vm)
		}
	}
	links, err := exec.Command("nsenter", "--net="+l.netns, "ip", "-o", "link", "show").CombinedOutput()
	if err != nil || strings.Contains(string(links), "armemu-v") {
		t.Errorf("veths left in the lab: %v\n%s", err, links)
	}
}

func TestE2EKillDuringCreate(t *testing.T) {
	t.Parallel()
	l := newLab(t, labConfig{BootDelay: 4 * time.Second, IdleTimeout: "3s"})
	id := l.sbatch("-p", "az", "-o", "r_%j.txt", "--wrap", "hostname")
	var first string
	l.waitFor("a VM being created", 30*time.Second, func() bool {
		st := l.stats()
		if len(st.VMs) == 1 && st.VMs[0].ProvisioningState == "Creating" {
			first = st.VMs[0].Name
			return true
		}
		return false
	})
	l.killDaemon()
	l.startDaemon()
	pids := map[string]int{}
	l.follow(id, pids)
	if s := l.states(id)[id]; s != "COMPLETED" {
		t.Fatalf("job %s after the restart: %s\n%s", id, s, l.logs())
	}
	ran := strings.TrimSpace(l.read("r_" + id + ".txt"))
	if ran == "" || !strings.HasPrefix(ran, "sp-") {
		t.Errorf("the job ran on %q", ran)
	}
	l.waitGone(60 * time.Second)
	// The VM the killed daemon was creating is an orphan: reconciliation
	// deleted it.
	if log := l.log("skyportd-2.log"); !regexp.MustCompile(`deleting orphaned vm.*vm=` + first).MatchString(log) {
		t.Errorf("the restarted daemon did not delete the VM %s the killed one was creating:\n%s", first, l.logs())
	}
	if ran == first {
		t.Errorf("the job ran on the orphaned VM %s", first)
	}
}

// follow polls squeue and sacct until every job or task of id has ended,
// and returns the states squeue showed, in order, without repeats. It
// records each VM's sshd pid in pids.
func (l *lab) follow(id string, pids map[string]int) []string {
	l.tb.Helper()
	var seen []string
	l.waitFor("job "+id+" to end", 120*time.Second, func() bool {
		if out, err := l.shim("squeue", "-h", "-j", id, "-o", "%T"); err == nil {
			for s := range strings.FieldsSeq(out) {
				if len(seen) == 0 || seen[len(seen)-1] != s {
					seen = append(seen, s)
				}
			}
		}
		for _, v := range l.stats().VMs {
			if v.SSHDPID > 0 {
				pids[v.Name] = v.SSHDPID
			}
		}
		st := l.states(id)
		if len(st) == 0 {
			return false
		}
		for _, s := range st {
			switch s {
			case "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "REQUEUED", "RESIZING", "SUSPENDED":
				return false
			}
		}
		return true
	})
	return seen
}

// waitGone waits until the emulator holds no VM, NIC, public IP or disk.
func (l *lab) waitGone(timeout time.Duration) {
	l.tb.Helper()
	l.waitFor("every VM and what it owns deleted", timeout, func() bool {
		st := l.stats()
		for _, typ := range []string{"Microsoft.Compute/virtualMachines", "Microsoft.Compute/disks",
			"Microsoft.Network/networkInterfaces", "Microsoft.Network/publicIPAddresses"} {
			if st.Resources[typ] != 0 {
				return false
			}
		}
		return len(st.VMs) == 0
	})
}

func (l *lab) read(name string) string {
	l.tb.Helper()
	b, err := os.ReadFile(filepath.Join(l.submit, name))
	if err != nil {
		l.tb.Errorf("%v", err)
	}
	return string(b)
}

func (l *lab) checkFile(name, want string) {
	l.tb.Helper()
	if got := l.read(name); got != want {
		l.tb.Errorf("%s = %q, want %q", name, got, want)
	}
}
