package gateway

import (
	"cmp"
	"io"
	"net/http"
	"slices"

	"skyport/compat"
	"skyport/gateway/api"
	"skyport/queue"
)

// snapshot returns the views of the live jobs (only those ids names and
// their array tasks, when ids is not nil), in job ID order. Views are
// immutable once published, so they are read after the lock is released.
func (s *Server) snapshot(ids map[uint32]bool) []*compat.Job {
	s.mu.RLock()
	out := make([]*compat.Job, 0, len(s.live))
	for _, e := range s.live {
		if ids == nil || ids[e.job.ID] || (e.job.ArrayJobID != 0 && ids[e.job.ArrayJobID]) {
			out = append(out, e.view)
		}
	}
	s.mu.RUnlock()
	// In ID order the renderers' sorts (by priority, which follows the
	// IDs) find runs already in order: about twice as fast as map order.
	slices.SortFunc(out, func(a, b *compat.Job) int { return cmp.Compare(a.JobID, b.JobID) })
	return out
}

func (s *Server) handleSqueue(w http.ResponseWriter, r *http.Request) {
	who, ok := caller(w, r)
	if !ok {
		return
	}
	var req api.SqueueRequest
	if !decode(w, r, &req) {
		return
	}
	var ids map[uint32]bool
	if req.Options.Jobs != nil && len(*req.Options.Jobs) <= 64 {
		ids = map[uint32]bool{}
		for _, j := range *req.Options.Jobs {
			ids[j.JobID] = true
		}
	}
	jobs := s.snapshot(ids)
	now := s.now()
	if req.Options.Clusters != "" {
		req.Options.ClusterName = s.clusterName() // squeue -M's "CLUSTER: NAME" line
	}
	// About 90 bytes a line in the default format.
	render(w, 128+96*len(jobs), func(out io.Writer) error {
		return compat.Squeue(out, req.Options, jobs, who.UID, now)
	})
}

func (s *Server) handleSinfo(w http.ResponseWriter, r *http.Request) {
	var req api.SinfoRequest
	if !decode(w, r, &req) {
		return
	}
	parts := s.partitionViews()
	s.mu.RLock()
	nodes := s.nodeViews()
	s.mu.RUnlock()
	now := s.now()
	render(w, 0, func(out io.Writer) error {
		return compat.Sinfo(out, req.Options, parts, nodes, now)
	})
}

func (s *Server) handleSacct(w http.ResponseWriter, r *http.Request) {
	who, ok := caller(w, r)
	if !ok {
		return
	}
	var req api.SacctRequest
	if !decode(w, r, &req) {
		return
	}
	o := req.Options
	o.ForCaller(who.UID)
	q := queue.Query{From: o.Start, To: o.End}
	if o.Jobs != nil {
		q = queue.Query{}
		for _, sel := range *o.Jobs {
			q.IDs = append(q.IDs, sel.JobID)
		}
	}
	if !o.AllUsers && o.Users != nil {
		q.Users = *o.Users
	}
	var jobs []*compat.Job
	err := s.store.Scan(r.Context(), q, func(j *queue.Job) bool {
		jobs = append(jobs, s.sacctView(j))
		return true
	})
	if err != nil {
		s.logErr(r.Context(), "sacct", err)
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	now := s.now()
	render(w, 256+160*len(jobs), func(out io.Writer) error {
		return compat.Sacct(out, o, jobs, now)
	})
}

// sacctView is the view of a stored job, with the live reason when the
// job is still pending.
func (s *Server) sacctView(j *queue.Job) *compat.Job {
	s.mu.RLock()
	e, ok := s.live[j.ID]
	s.mu.RUnlock()
	if ok && e.job.State == j.State {
		return e.view
	}
	return s.viewOf(j, "")
}
