package gateway

import (
	"context"
	"net/http"
	"time"

	"skyport/gateway/api"
	"skyport/queue"
)

// waitRecheck bounds how long a waiter sleeps between checks when no job
// end wakes it (a job that ended during a daemon restart, say).
const waitRecheck = 5 * time.Second

func (s *Server) handleWait(w http.ResponseWriter, r *http.Request) {
	if _, ok := caller(w, r); !ok {
		return
	}
	var req api.WaitRequest
	if !decode(w, r, &req) {
		return
	}
	resp, err := s.wait(r.Context(), req.JobID)
	if err != nil {
		return // the caller went away
	}
	writeJSON(w, resp)
}

// wait blocks until job id (every record of it, for an array) has ended,
// woken by each job end, and returns sbatch --wait's exit status. A job
// the daemon does not know counts as ended (exit 0, as Slurm's sbatch
// stops waiting for a job it cannot find). It returns ctx's error when
// ctx ends first.
func (s *Server) wait(ctx context.Context, id uint32) (api.WaitResponse, error) {
	t := time.NewTicker(waitRecheck)
	defer t.Stop()
	for {
		woken := s.endedChan()
		if done, code := s.waitDone(ctx, id); done {
			return api.WaitResponse{Exit: code}, nil
		}
		select {
		case <-ctx.Done():
			return api.WaitResponse{}, ctx.Err()
		case <-woken:
		case <-t.C:
		}
	}
}

// waitDone reports whether every record of job id has ended and, if so,
// sbatch --wait's exit status: the highest exit code of its records, 1
// for one that ended otherwise than COMPLETED without an exit code.
func (s *Server) waitDone(ctx context.Context, id uint32) (bool, int) {
	done, code, seen := true, 0, false
	err := s.store.Scan(ctx, queue.Query{IDs: []uint32{id}}, func(j *queue.Job) bool {
		if j.ID != id && j.ArrayJobID != id {
			return true
		}
		seen = true
		switch {
		case !j.State.Terminal():
			done = false
			return false
		case j.State == queue.Completed:
		case j.ExitCode != 0 && j.ExitSignal == 0:
			code = max(code, j.ExitCode)
		default:
			code = max(code, 1)
		}
		return true
	})
	if err != nil {
		return false, 0
	}
	if !seen {
		return true, 0
	}
	return done, code
}
