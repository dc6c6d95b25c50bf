package gateway

import (
	"context"
	"errors"
	"fmt"

	"skyport/compat"
	"skyport/queue"
)

// Job arrays work as in Slurm 22.05: one record, the master (its ID is
// the array's job ID, ArrayJobID == ID), stands for every task not started
// yet (ArrayPending). When a task starts it is split off into a record of
// its own under the next job ID; the last task takes over the master
// record. A 10 000-task array is one record until its tasks run, and the
// live set holds only the master, the running tasks and those that ended
// within MinJobAge.

// isMaster reports whether j stands for pending tasks of an array.
func isMaster(j *queue.Job) bool { return j.ArrayPending != "" }

// updateMaster changes an array master (or any job whose change must not
// be overtaken by an older view of it) as store.Update does, and publishes
// the result under the same lock, so that views are published in the
// order the changes were stored. A pending job keeps its live reason
// unless keepReason is false.
func (s *Server) updateMaster(ctx context.Context, id uint32, keepReason bool, fn func(*queue.Job) error) (*queue.Job, error) {
	s.ctl.arrayMu.Lock()
	defer s.ctl.arrayMu.Unlock()
	upd, err := s.store.Update(ctx, id, fn)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.republish(upd, keepReason)
	s.mu.Unlock()
	return upd, nil
}

// republish publishes j, keeping the live reason of a job that was and
// still is pending when keep is set; the caller holds s.mu.
func (s *Server) republish(j *queue.Job, keep bool) {
	reason := ""
	if e, ok := s.live[j.ID]; keep && ok && e.job.State == queue.Pending && j.State == queue.Pending {
		reason = e.reason
	}
	s.publish(j, reason)
}

// takeTask makes task t of array master id the record that runs it: a new
// record split off the master under a new job ID, or the master record
// itself when t is its last pending task. It returns that record, still
// PENDING and without an allocation, or an error wrapping errSkip when t
// is no longer pending (cancelled, held or started meanwhile).
//
// The master is changed first, naming the new record (SplitID), and the
// record inserted second; recoverSplits finishes the work after a crash
// between the two.
func (s *Server) takeTask(ctx context.Context, id uint32, t int64) (*queue.Job, error) {
	return s.splitTask(ctx, id, t, true, 0)
}

// splitTask is takeTask; forRun refuses a held master (a task about to
// run), otherwise a held master's task is split off held (scontrol
// commands on one pending task work on a record of its own, as in Slurm).
// newID, when not 0, is an ID reserved for the task's record.
func (s *Server) splitTask(ctx context.Context, id uint32, t int64, forRun bool, newID uint32) (*queue.Job, error) {
	s.ctl.arrayMu.Lock()
	defer s.ctl.arrayMu.Unlock()
	cur, err := s.store.Get(id)
	if err != nil {
		return nil, err
	}
	pending := parseTaskSet(cur.ArrayPending)
	if cur.State != queue.Pending || (forRun && cur.Held) || !pending.Contains(t) {
		return nil, errSkip
	}
	switch {
	case pending.Len() == 1:
		newID = 0
	case newID == 0:
		if newID, err = s.store.ReserveIDs(1); err != nil {
			return nil, fmt.Errorf("array %d task %d: %w", id, t, err)
		}
	}
	upd, err := s.store.Update(ctx, id, func(r *queue.Job) error {
		if r.ArrayPending != cur.ArrayPending || r.State != queue.Pending || r.Held != cur.Held {
			return errSkip
		}
		if newID == 0 {
			r.ArrayPending, r.ArrayTaskID = "", t
			r.SplitID, r.SplitTask = 0, 0
			return nil
		}
		r.ArrayPending = pending.Remove(t).String()
		r.SplitID, r.SplitTask = newID, t
		return nil
	})
	if err != nil {
		return nil, err
	}
	task := upd
	if newID != 0 {
		task = taskRecord(upd, newID, t)
		if err := s.store.Insert(ctx, task, queue.Blobs{}); err != nil && !errors.Is(err, queue.ErrExists) {
			return nil, fmt.Errorf("array %d task %d: %w", id, t, err)
		}
	}
	s.mu.Lock()
	s.republish(upd, true)
	if task != upd {
		s.publish(task, "")
	}
	s.mu.Unlock()
	return task, nil
}

// taskRecord is the record of task t split off master m under id.
func taskRecord(m *queue.Job, id uint32, t int64) *queue.Job {
	c := m.Clone()
	c.ID, c.ArrayTaskID = id, t
	c.ArrayPending, c.SplitID, c.SplitTask = "", 0, 0
	c.State, c.Reason = queue.Pending, "None"
	c.Dependency = ""
	return c
}

// recoverSplits finishes the splits a crash interrupted: a master that
// names a task record which is not stored gets it now. It runs at
// start-up, before the scheduler, and returns the records it made.
func (s *Server) recoverSplits(ctx context.Context, jobs []*queue.Job) []*queue.Job {
	var made []*queue.Job
	for _, m := range jobs {
		if m.SplitID == 0 {
			continue
		}
		if _, err := s.store.Get(m.SplitID); !errors.Is(err, queue.ErrNotFound) {
			continue
		}
		task := taskRecord(m, m.SplitID, m.SplitTask)
		if m.State.Terminal() {
			// The master was cancelled before the task ran: so is the task.
			task.State, task.EndTime, task.CancelledBy = queue.Cancelled, m.EndTime, m.CancelledBy
		}
		if err := s.store.Insert(ctx, task, queue.Blobs{}); err != nil {
			s.log.Error("cannot restore array task", "job_id", task.ID, "array_job_id", m.ID, "err", err)
			continue
		}
		s.log.Info("restored array task after a crash", "job_id", task.ID, "array_job_id", m.ID, "task", m.SplitTask)
		made = append(made, task)
	}
	return made
}

// arrayRunning counts, per array, the tasks that hold resources now (for
// the "%N" throttle); the caller holds s.mu.
func (s *Server) arrayRunning() map[uint32]int {
	n := map[uint32]int{}
	for _, e := range s.live {
		j := e.job
		if j.ArrayJobID != 0 && !isMaster(j) && j.State != queue.Pending && !j.State.Terminal() {
			n[j.ArrayJobID]++
		}
	}
	return n
}

// blobsOwner is the job whose stored script and environment j runs: an
// array task split off its master runs the master's.
func blobsOwner(j *queue.Job) uint32 {
	if j.ArrayJobID != 0 {
		return j.ArrayJobID
	}
	return j.ID
}

// arrayEnv fills the SLURM_ARRAY_TASK_COUNT/MIN/MAX/STEP of an array
// task from the --array value it was submitted with.
func (s *Server) arrayEnv(in *compat.JobEnvInput, opts compat.SubmitOptions) {
	a, err := compat.ParseArray(opts.Extra["array"], s.maxArraySize())
	if err != nil || len(a.Tasks) == 0 {
		return
	}
	in.ArrayTaskCount, in.ArrayTaskMin, in.ArrayTaskMax, in.ArrayTaskStep = a.Count(), a.Min(), a.Max(), a.Step
}
