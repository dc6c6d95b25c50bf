package gateway

import (
	"errors"

	"skyport/compat"
	"skyport/gateway/api"
	"skyport/queue"
)

// writeScript answers "scontrol write batch_script ID": the job's batch
// script on Stdout (the shim writes it to the file asked for), or Slurm's
// "job script retrieval failed" on Stderr for a job that scontrol cannot
// see, that has no script (an srun allocation) or that belongs to someone
// else. Slurm exits 0 either way.
func (s *Server) writeScript(req compat.ScontrolRequest, who peer) api.ScontrolResponse {
	if !req.HasScriptJob {
		return api.ScontrolResponse{}
	}
	fail := func(reason string) api.ScontrolResponse {
		return api.ScontrolResponse{Stderr: compat.ScontrolScriptError(reason)}
	}
	s.mu.RLock()
	e, ok := s.live[req.ScriptJob]
	var j *queue.Job
	if ok {
		j = e.job
	}
	s.mu.RUnlock()
	if j == nil || j.Interactive {
		return fail(compat.ReasonInvalidJobID)
	}
	if who.UID != 0 && who.UID != j.UID {
		return fail("Access/permission denied")
	}
	b, err := s.store.Blobs(blobsOwner(j))
	if errors.Is(err, queue.ErrNotFound) || (err == nil && len(b.Script) == 0) {
		return fail(compat.ReasonInvalidJobID)
	}
	if err != nil {
		s.log.Error("cannot read batch script", "job_id", j.ID, "err", err)
		return fail("Unexpected error")
	}
	return api.ScontrolResponse{Stdout: string(b.Script)}
}
