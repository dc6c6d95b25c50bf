package gateway

import (
	"io"
	"net/http"

	"skyport/compat"
	"skyport/gateway/api"
	"skyport/queue"
)

// snapshot returns the live entries (only those keep accepts, when keep
// is not nil) in job ID order. Entries are immutable once published, so
// they are read after the lock is released.
func (s *Server) snapshot(keep func(*queue.Job) bool) []*entry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*entry, 0, len(s.order.xs))
	for _, x := range s.order.xs {
		if keep == nil || keep(x.e.job) {
			out = append(out, x.e)
		}
	}
	return out
}

// views returns the whole views of es.
func (s *Server) views(es []*entry) []*compat.Job {
	out := make([]*compat.Job, len(es))
	for i, e := range es {
		out[i] = s.viewOf(e.job, e.reason)
	}
	return out
}

// liveSource is squeue's view of live entries: each job's view is filled
// into squeue's scratch when it reads the job, so that listing the whole
// queue builds no view that outlives its line.
type liveSource struct {
	s  *Server
	es []*entry
}

// Len implements compat.JobSource.
func (l liveSource) Len() int { return len(l.es) }

// View implements compat.JobSource.
func (l liveSource) View(i int, scratch *compat.Job, need compat.ViewNeed) *compat.Job {
	e := l.es[i]
	l.s.fillView(scratch, e.job, e.reason, need)
	return scratch
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
	var keep func(*queue.Job) bool
	if req.Options.Jobs != nil && len(*req.Options.Jobs) <= 64 {
		ids := map[uint32]bool{}
		for _, j := range *req.Options.Jobs {
			ids[j.JobID] = true
		}
		keep = func(j *queue.Job) bool { return ids[j.ID] || (j.ArrayJobID != 0 && ids[j.ArrayJobID]) }
	}
	jobs := liveSource{s, s.snapshot(keep)}
	now := s.now()
	if req.Options.Clusters != "" {
		req.Options.ClusterName = s.clusterName() // squeue -M's "CLUSTER: NAME" line
	}
	fn := func(out io.Writer) error { return compat.SqueueFrom(out, req.Options, jobs, who.UID, now) }
	if compat.CheckSqueueSort(req.Options.Sort) != nil {
		// The error follows the header, which may be longer than what
		// renderStream holds back.
		render(w, 0, fn)
		return
	}
	renderStream(w, fn)
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
		return s.viewOf(e.job, e.reason)
	}
	return s.viewOf(j, "")
}
