package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"skyport/compat"
	"skyport/gateway/api"
	"skyport/queue"
)

// Steps: srun inside a job (or srun holding its own allocation) runs the
// step's command itself, in the job's process group, and tells the daemon
// when the step starts and ends. The daemon numbers the steps and keeps
// them in the job record, so sacct lists them after a restart; a job that
// ends closes the steps still open (their processes died with it).

// errNotRunning refuses a step for a job that does not run; errTooMany a
// step whose tasks need more CPUs than the job has (without -O).
var (
	errNotRunning = errors.New("job not running")
	errTooMany    = errors.New("more processors requested than permitted")
)

// srunNoJob is srun's message for a job id it cannot use.
func srunNoJob(id uint32, reason string) *compat.Error {
	return compat.Errorf(1, "srun: error: Unable to confirm allocation for job %d: %s\n"+
		"srun: Check SLURM_JOB_ID environment variable. Expired or invalid job %d", id, reason, id)
}

func (s *Server) handleStepStart(w http.ResponseWriter, r *http.Request) {
	who, ok := caller(w, r)
	if !ok {
		return
	}
	var req api.StepStartRequest
	if !decode(w, r, &req) {
		return
	}
	now := s.now().UTC()
	var step queue.Step
	upd, err := s.store.Update(r.Context(), req.JobID, func(j *queue.Job) error {
		if who.UID != 0 && who.UID != j.UID {
			return errAccess
		}
		if j.State != queue.Running {
			return errNotRunning
		}
		if !req.Overcommit && max(req.NTasks, 1)*max(req.CPUsPerTask, 1) > max(j.AllocCPUs, 1) {
			return errTooMany
		}
		cpus := j.AllocCPUs
		if req.CPUs > 0 && req.CPUs < cpus {
			cpus = req.CPUs
		}
		step = queue.Step{
			ID: uint32(len(j.Steps)), Name: req.Name, State: queue.Running, Start: now,
			NTasks: max(req.NTasks, 1), CPUs: max(cpus, 1),
		}
		j.Steps = append(j.Steps, step)
		return nil
	})
	switch {
	case errors.Is(err, queue.ErrNotFound):
		writeError(w, http.StatusNotFound, srunNoJob(req.JobID, "Invalid job id specified"))
		return
	case errors.Is(err, errAccess):
		writeError(w, http.StatusForbidden, srunNoJob(req.JobID, "Access/permission denied"))
		return
	case errors.Is(err, errTooMany):
		writeError(w, http.StatusConflict, compat.Errorf(1, "srun: error: Unable to create step for job %d: More processors requested than permitted", req.JobID))
		return
	case errors.Is(err, errNotRunning):
		writeError(w, http.StatusConflict, srunNoJob(req.JobID, "Job/step already completing or completed"))
		return
	case err != nil:
		s.logErr(r.Context(), "step start", err)
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	s.mu.Lock()
	s.publish(upd, "")
	s.mu.Unlock()
	s.log.Debug("step started", "job_id", upd.ID, "step", step.ID, "name", step.Name)
	writeJSON(w, api.StepStartResponse{StepID: step.ID, Node: upd.NodeList, CPUs: step.CPUs, Layout: stepLayout(upd)})
}

func (s *Server) handleStepEnd(w http.ResponseWriter, r *http.Request) {
	who, ok := caller(w, r)
	if !ok {
		return
	}
	var req api.StepEndRequest
	if !decode(w, r, &req) {
		return
	}
	now := s.now().UTC()
	upd, err := s.store.Update(r.Context(), req.JobID, func(j *queue.Job) error {
		if who.UID != 0 && who.UID != j.UID {
			return errAccess
		}
		if int(req.StepID) >= len(j.Steps) {
			return fmt.Errorf("step %d.%d: %w", req.JobID, req.StepID, queue.ErrNotFound)
		}
		st := &j.Steps[req.StepID]
		if !st.End.IsZero() {
			return errSkip // closed already (by the job's end): the first word stands
		}
		endStep(st, req, who.UID, now)
		return nil
	})
	switch {
	case errors.Is(err, errSkip):
		w.WriteHeader(http.StatusNoContent)
		return
	case errors.Is(err, queue.ErrNotFound):
		writeError(w, http.StatusNotFound, compat.Errorf(1, "srun: error: Invalid job id specified"))
		return
	case errors.Is(err, errAccess):
		writeError(w, http.StatusForbidden, compat.Errorf(1, "srun: error: Access/permission denied"))
		return
	case err != nil:
		s.logErr(r.Context(), "step end", err)
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	s.mu.Lock()
	s.publish(upd, "")
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// endStep records a step's end as slurmstepd reports it: killed by a
// signal → CANCELLED 0:sig ("by UID" when a user asked), a non-zero
// exit → FAILED, else COMPLETED.
func endStep(st *queue.Step, req api.StepEndRequest, uid uint32, now time.Time) {
	st.End = now
	if st.Start.After(now) {
		st.Start = now
	}
	st.ExitCode, st.ExitSignal = req.ExitCode, req.Signal
	st.MaxRSSKB, st.UserCPU, st.SystemCPU = req.MaxRSSKB, req.UserCPU, req.SystemCPU
	switch {
	case req.Signal != 0 || req.Cancelled:
		st.State = queue.Cancelled
		st.ExitCode = 0
		st.ByUser, st.CancelledBy = req.Cancelled, uid
	case req.ExitCode != 0:
		st.State = queue.Failed
	default:
		st.State = queue.Completed
	}
}

// closeSteps ends the steps of j still open when the job ends: their
// processes died with the job. A cancelled job's steps are "CANCELLED by
// UID" 0:15, the others CANCELLED 0:9.
func closeSteps(j *queue.Job, end time.Time) {
	for i := range j.Steps {
		st := &j.Steps[i]
		if !st.End.IsZero() {
			continue
		}
		st.End = end
		st.State = queue.Cancelled
		st.ExitCode, st.ExitSignal = 0, int(syscall.SIGKILL)
		if j.CancelRequested {
			st.ExitSignal = int(syscall.SIGTERM)
			st.ByUser, st.CancelledBy = true, j.CancelledBy
		}
	}
}

// stepLayout is sacct's Layout of a job's srun steps: Slurm's default
// distribution, cyclic while a step's tasks are no more than its nodes
// (one task in a batch job), else block (SLURM_DISTRIBUTION shows the
// same); srun's own allocation lays its steps out in blocks.
func stepLayout(j *queue.Job) string {
	if j.Interactive {
		return "Block"
	}
	return "Cyclic"
}

// stepLayoutOf is the Layout of step st of j.
func stepLayoutOf(j *queue.Job, st *queue.Step) string {
	if st.NTasks > 1 {
		return "Block"
	}
	return stepLayout(j)
}

// stepViews is the Slurm-facing view of j's srun steps.
func stepViews(j *queue.Job) []*compat.Step {
	if len(j.Steps) == 0 {
		return nil
	}
	out := make([]*compat.Step, len(j.Steps))
	for i := range j.Steps {
		st := &j.Steps[i]
		layout := stepLayoutOf(j, st)
		out[i] = &compat.Step{
			ID: strconv.FormatUint(uint64(st.ID), 10), Name: st.Name, State: string(st.State),
			ExitCode: st.ExitCode, Signal: st.ExitSignal, Start: st.Start, End: st.End,
			MaxRSSKB: st.MaxRSSKB, UserCPU: time.Duration(st.UserCPU), SystemCPU: time.Duration(st.SystemCPU),
			TotalCPU: time.Duration(st.UserCPU + st.SystemCPU),
			NodeList: j.NodeList, NumCPUs: st.CPUs, NumTasks: st.NTasks, Layout: layout,
			ByUser: st.ByUser, CancelledBy: st.CancelledBy,
		}
	}
	return out
}
