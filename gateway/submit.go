package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"skyport/compat"
	"skyport/gateway/api"
	"skyport/queue"
)

// sbatchFail is sbatch's message for a submission the controller refused.
func sbatchFail(reason string) *compat.Error { return compat.SubmitRefused(reason) }

// newJob turns a submission into a job record, applying Slurm's defaults
// and the partition's; it returns Slurm's error for what cannot be accepted.
func (s *Server) newJob(req *api.SubmitRequest, who peer) (*queue.Job, *partition, error) {
	o := &req.Options
	p := s.defaultPartition()
	if o.Partition != "" {
		// Slurm accepts a list and runs the job in the first partition that
		// can take it; every name must exist.
		var first *partition
		for _, name := range strings.Split(o.Partition, ",") {
			q, ok := s.byName[name]
			if !ok {
				return nil, nil, &compat.Error{Code: 1, Msg: "sbatch: error: invalid partition specified: " + name +
					"\nsbatch: error: Batch job submission failed: Invalid partition name specified\n"}
			}
			if first == nil {
				first = q
			}
		}
		p = first
	}
	if p.cfg.State == "inactive" || p.cfg.State == "drain" {
		return nil, nil, sbatchFail("Required partition not available (inactive or drain)")
	}
	if !filepath.IsAbs(req.Cwd) {
		return nil, nil, sbatchFail("Invalid working directory")
	}
	user := s.users.userName(who.UID)
	j := &queue.Job{
		ArrayTaskID: queue.NoArrayTask,
		User:        user, UID: who.UID, GID: who.GID, Group: s.users.groupName(who.GID),
		Account: o.Account, QOS: o.QOS, Cluster: s.clusterName(),
		Partition: p.cfg.Name, SubmitHost: s.host, SubmitDir: req.Cwd,
		Command: req.ScriptPath, Args: req.ScriptArgs, Comment: o.Comment,
		OpenMode: o.OpenMode, State: queue.Pending, Reason: "None",
		NTasks: max(o.NTasks, 1), NTasksSet: o.Given["ntasks"],
		CPUsPerTask: max(o.CPUsPerTask, 1), CPUsPerTaskSet: o.Given["cpus-per-task"],
		MinNodes: max(o.MinNodes, 1), MaxNodes: max(o.MaxNodes, o.MinNodes, 1),
		Held: o.Hold,
	}
	if !j.NTasksSet {
		// Without -n, slurmctld starts one task per node, or
		// --ntasks-per-node of them.
		perNode := 1
		if n, err := strconv.Atoi(o.Extra["ntasks-per-node"]); err == nil && o.Given["ntasks-per-node"] && n > 0 {
			perNode = n
		}
		j.NTasks = j.MinNodes * perNode
	}
	if o.Given["mail-type"] {
		if j.MailType = compat.MailType(o.Extra["mail-type"]); j.MailType != "" {
			j.MailUser = o.Extra["mail-user"]
			if j.MailUser == "" {
				j.MailUser = user
			}
		}
	}
	j.OverSubscribe = compat.OverSubscribe(o.Given, o.Extra["exclusive"])
	j.Overcommit = o.Given["overcommit"]
	if o.Given["container-image"] {
		j.ContainerImage = o.Extra["container-image"]
		j.ContainerMounts = compat.ContainerMounts(o.Extra["container-mounts"])
		j.ContainerWorkDir = o.Extra["container-workdir"]
	}
	account, err := s.checkAccount(user, o.Account) // accounts.go
	if err != nil {
		return nil, nil, err
	}
	j.Account = account
	if j.QOS == "" {
		j.QOS = "normal"
	}
	j.Name = o.JobName
	if !o.Given["job-name"] {
		j.Name = compat.DefaultJobName(*o, req.ScriptPath)
	}
	// Paths are kept as given and resolved against the work dir when the
	// job runs (and when shown), as slurmstepd does.
	j.WorkDir = compat.ResolveWorkDir(o.Chdir, req.Cwd)
	if err := s.applyControlOptions(j, o); err != nil {
		return nil, nil, err
	}
	j.StdOut = o.Output
	if j.StdOut == "" {
		j.StdOut = compat.DefaultOutputPattern(isMaster(j))
	}
	j.StdErr = o.Error
	j.StdIn = o.Input
	if j.StdIn == "" {
		j.StdIn = "/dev/null"
	}
	// Memory: --mem per node, else --mem-per-cpu, else the partition's default.
	switch {
	case o.Given["mem"]:
		j.MemPerNodeMB = o.MemMB
		if o.MemMB == 0 {
			j.MemPerNodeMB = p.maxMem // --mem=0: all of the node's memory
		}
	case o.Given["mem-per-cpu"]:
		j.MemPerCPUMB = o.MemPerCPUMB
	default:
		j.MemPerCPUMB = int64(p.cfg.DefMemPerCPU)
	}
	if err := s.checkRequirements(j, p, o); err != nil {
		return nil, nil, err
	}
	j.TimeLimit = int64(p.cfg.DefaultTime)
	if o.Given["time"] {
		j.TimeLimit = o.TimeLimit
	}
	if j.TimeLimit == 0 {
		j.TimeLimit = queue.InfiniteTime
	}
	return j, p, nil
}

// submit stores a new job and returns its ID once it is on disk.
func (s *Server) submit(ctx context.Context, req *api.SubmitRequest, who peer) (api.SubmitResponse, error) {
	j, p, err := s.newJob(req, who)
	if err != nil {
		var ce *compat.Error
		if req.Options.TestOnly && errors.As(err, &ce) {
			err = compat.TestOnlyError(ce)
		}
		return api.SubmitResponse{}, err
	}
	if req.Options.TestOnly {
		id, err := s.store.ReserveIDs(1)
		if err != nil {
			return api.SubmitResponse{}, fmt.Errorf("reserve job id: %w", err)
		}
		return api.SubmitResponse{JobID: id, Cluster: s.clusterName(), TestOnly: s.testOnly(id, j, p)}, nil
	}
	now := s.now()
	j.SubmitTime = now.UTC()
	if !j.Held {
		j.EligibleTime = maxTime(now, j.BeginTime).UTC()
	}
	if j.Held {
		j.Reason = "JobHeldUser"
	}
	optJSON, err := json.Marshal(req.Options)
	if err != nil {
		return api.SubmitResponse{}, fmt.Errorf("encode options: %w", err)
	}
	blobs := queue.Blobs{Script: req.Script, Env: req.Env, Options: optJSON}
	id, err := s.store.ReserveIDs(1)
	if err != nil {
		return api.SubmitResponse{}, fmt.Errorf("reserve job id: %w", err)
	}
	j.ID = id
	if isMaster(j) {
		j.ArrayJobID = id
	}
	if spec := req.Options.Extra["dependency"]; spec != "" {
		if j.Dependency, err = s.initialDependency(spec, j, now); err != nil {
			return api.SubmitResponse{}, err
		}
		if j.Dependency != "" {
			j.EligibleTime = time.Time{} // eligible once the dependency is satisfied
		}
	}
	if err := s.store.Insert(ctx, j, blobs); err != nil {
		return api.SubmitResponse{}, fmt.Errorf("store job: %w", err)
	}
	s.mu.Lock()
	s.publish(j, "")
	if !j.Held {
		// A held job waits outside the scheduling list until it is
		// released: thousands of held jobs cost a pass nothing.
		s.pending = append(s.pending, id)
	}
	s.mu.Unlock()
	s.poke()
	s.log.Debug("submitted", "job_id", id, "user", j.User, "partition", j.Partition)
	return api.SubmitResponse{JobID: id, Cluster: s.clusterName()}, nil
}

// priorityOf is the priority/basic value Slurm gives a job: a large
// constant that decreases with each submission, so older jobs go first.
// A held job has priority 0.
func priorityOf(j *queue.Job) uint32 {
	if j.Held {
		return 0
	}
	return uint32(int64(0xFFFF0000-j.ID%0xFFFF) - int64(j.Nice))
}

// testOnly is sbatch --test-only's answer for j in p.
func (s *Server) testOnly(id uint32, j *queue.Job, p *partition) string {
	node := s.host
	if len(p.nodes) > 0 {
		node = p.nodes[0].name
	}
	return fmt.Sprintf("sbatch: Job %d to start at %s using %d processors on nodes %s in partition %s\n",
		id, s.now().Format("2006-01-02T15:04:05"), jobCPUs(j), node, p.cfg.Name)
}
