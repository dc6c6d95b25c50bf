package gateway

import (
	"encoding/json"
	"fmt"
	"os/user"
	"syscall"
	"time"

	"skyport/compat"
	"skyport/gate"
	"skyport/queue"
)

// spec builds what the gate needs to run one run of j: the script, the
// complete environment (the --export replay with Slurm's variables over
// it), the expanded output paths and the limits.
func (s *Server) spec(j *queue.Job) (gate.Spec, error) {
	b, err := s.store.Blobs(blobsOwner(j))
	if err != nil {
		return gate.Spec{}, fmt.Errorf("read job %d script: %w", j.ID, err)
	}
	var opts compat.SubmitOptions
	if len(b.Options) > 0 {
		if err := json.Unmarshal(b.Options, &opts); err != nil {
			return gate.Spec{}, fmt.Errorf("decode job %d options: %w", j.ID, err)
		}
	}
	var defMem int64
	if p, ok := s.byName[j.Partition]; ok {
		defMem = int64(p.cfg.DefMemPerCPU)
	}
	in := compat.JobEnvInput{
		Opts: opts, JobID: j.ID, ArrayTaskID: j.ArrayTaskID,
		JobName: j.Name, User: j.User, UID: j.UID, GID: j.GID, Account: j.Account, QOS: j.QOS,
		Partition: j.Partition, Cluster: j.Cluster, Node: j.NodeList, ControlHost: s.host,
		SubmitDir: j.SubmitDir, SubmitHost: j.SubmitHost, CPUs: j.AllocCPUs,
		DefMemPerCPUMB: defMem, Restarts: j.Restarts, GPUs: j.GPUIDs,
	}
	if j.Command == "" && !opts.Given["wrap"] && !opts.Given["job-name"] {
		// sbatch names a script read from stdin only in the controller
		// ("sbatch"): it exports no SLURM_JOB_NAME for it.
		in.JobName = ""
	}
	if j.ArrayJobID != 0 {
		in.ArrayJobID = j.ArrayJobID
		s.arrayEnv(&in, opts)
	}
	exported := compat.ExportEnv(b.Env, opts.Export, func() []string { return loginEnv(j.User) })
	spec := gate.Spec{
		JobID: j.ID, Restart: j.Restarts, Name: j.Name, User: j.User, UID: j.UID, GID: j.GID,
		Node: j.NodeList, Groups: s.users.supplementaryGroups(j.UID), Script: b.Script, Args: j.Args,
		Env:         compat.MergeEnv(exported, compat.JobEnv(in)),
		WorkDir:     j.WorkDir,
		SubmitDir:   j.SubmitDir,
		WorkDirLine: compat.ChdirLineFormat(j.NodeList, j.WorkDir),
		StdOut:      s.outputPath(j, j.StdOut, j.NodeList),
		StdIn:       s.outputPath(j, j.StdIn, j.NodeList),
		Append:      j.OpenMode == "append",
		CPUs:        j.AllocCPUs, MemMB: j.AllocMemMB, GPUs: j.GPUIDs,
		KillWait: time.Duration(s.cfg.Daemon.KillWait),
	}
	if j.StdErr != "" {
		spec.StdErr = s.outputPath(j, j.StdErr, j.NodeList)
	}
	if j.ContainerImage != "" {
		spec.Container = &gate.Container{Image: j.ContainerImage, Mounts: j.ContainerMounts, WorkDir: j.ContainerWorkDir}
	}
	if j.TimeLimit > 0 {
		spec.TimeLimit = time.Duration(j.TimeLimit) * time.Minute
		spec.TimeoutLine = compat.TimeoutLineFormat(j.ID, j.NodeList)
		if so, ok := compat.ParseSignalOption(opts.Extra["signal"]); ok && opts.Given["signal"] {
			spec.WarnSignal = syscall.Signal(so.Signal)
			spec.WarnBefore = time.Duration(so.Secs) * time.Second
			spec.WarnBatchOnly = so.Batch
		}
	}
	return spec, nil
}

// loginEnv is the environment a fresh login of name starts with, which
// --export=NONE (and an explicit list) gives the job instead of the
// submitter's: HOME, USER, LOGNAME, SHELL, MAIL and the system PATH.
func loginEnv(name string) []string {
	u, err := user.Lookup(name)
	if err != nil {
		return []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
	}
	path := "/usr/local/bin:/usr/bin:/bin"
	if u.Uid == "0" {
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	}
	return []string{
		"HOME=" + u.HomeDir, "USER=" + u.Username, "LOGNAME=" + u.Username,
		"SHELL=/bin/bash", "MAIL=/var/mail/" + u.Username, "PATH=" + path,
	}
}
