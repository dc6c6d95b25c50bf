package gateway

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"time"

	"skyport/compat"
	"skyport/gateway/api"
	"skyport/queue"
)

func (s *Server) handleScontrol(w http.ResponseWriter, r *http.Request) {
	who, ok := caller(w, r)
	if !ok {
		return
	}
	var req api.ScontrolRequest
	if !decode(w, r, &req) {
		return
	}
	if resp, ok := s.scontrolJobs(r.Context(), req.Request, who); ok {
		writeJSON(w, resp)
		return
	}
	if req.Request.Command == compat.ScontrolCmdWriteScript {
		writeJSON(w, s.writeScript(req.Request, who)) // scontrol_script.go
		return
	}
	writeJSON(w, s.scontrol(req.Request))
}

// scontrolJobs runs the scontrol commands that change jobs: hold, uhold,
// release, requeue, requeuehold, suspend, resume and update job. ok is
// false for the other commands.
func (s *Server) scontrolJobs(ctx context.Context, req compat.ScontrolRequest, who peer) (api.ScontrolResponse, bool) {
	holdFlags := opFlags{split: true, holdLine: true, unknown: compat.ReasonInvalidJobID}
	plain := opFlags{unknown: compat.ReasonInvalidJobID}
	var resp api.ScontrolResponse
	switch req.Command {
	case compat.ScontrolCmdHold, compat.ScontrolCmdUHold:
		resp = s.runJobOp(ctx, req.Jobs, holdFlags, who, s.holdOp(who, req.Command == compat.ScontrolCmdHold))
	case compat.ScontrolCmdRelease:
		resp = s.runJobOp(ctx, req.Jobs, holdFlags, who, s.releaseOp(who))
	case compat.ScontrolCmdRequeue, compat.ScontrolCmdRequeueHold:
		resp = s.runJobOp(ctx, req.Jobs, plain, who, s.requeueOp(who, req.Command == compat.ScontrolCmdRequeueHold))
	case compat.ScontrolCmdSuspend, compat.ScontrolCmdResume:
		f := opFlags{unknown: compat.ReasonUnexpectedMessage}
		resp = s.runJobOp(ctx, req.Jobs, f, who, s.suspendOp(who, req.Command == compat.ScontrolCmdResume))
	case compat.ScontrolCmdUpdate:
		if req.Update == nil || req.Update.Entity != "job" {
			return resp, false
		}
		resp = s.scontrolUpdateJob(ctx, req.Update, who)
	default:
		return resp, false
	}
	if req.Quiet {
		resp.Stderr = ""
	}
	return resp, true
}

// scontrol answers the read-only scontrol commands (show, ping) from the
// live set, the partitions and the configuration.
func (s *Server) scontrol(req compat.ScontrolRequest) api.ScontrolResponse {
	switch req.Command {
	case compat.ScontrolCmdShow, compat.ScontrolCmdPing:
	default:
		return api.ScontrolResponse{Stderr: "scontrol: error: " + req.Command + " is not supported by Sky Port yet\n", Exit: 1}
	}
	parts := s.partitionViews()
	s.mu.RLock()
	nodes := s.nodeViews()
	s.mu.RUnlock()
	data := compat.ScontrolData{
		Jobs: s.showJobViews(req), Partitions: parts, Nodes: nodes, Config: s.configView(),
	}
	var out bytes.Buffer
	err := compat.ScontrolRender(&out, req, data, s.now())
	resp := api.ScontrolResponse{Stdout: out.String()}
	var ce *compat.Error
	switch {
	case errors.As(err, &ce):
		resp.Stderr, resp.Exit = ce.Msg, ce.Code
	case err != nil:
		resp.Stderr, resp.Exit = "scontrol: error: "+err.Error()+"\n", 1
	}
	return resp
}

// configView is what scontrol show config reports of this daemon.
func (s *Server) configView() compat.ConfigView {
	return compat.ConfigView{
		ClusterName:  s.clusterName(),
		ControlHost:  s.host,
		Up:           true,
		BootTime:     s.started,
		MinJobAge:    int(time.Duration(s.cfg.Daemon.MinJobAge) / time.Second),
		KillWait:     int(time.Duration(s.cfg.Daemon.KillWait) / time.Second),
		DefMemPerCPU: int64(s.defaultPartition().cfg.DefMemPerCPU),
		NextJobID:    s.store.NextID(),
	}
}

// showJobViews are the views "scontrol show" reads: none but for "show
// job", and only the asked job's (with its array's tasks) unless all.
func (s *Server) showJobViews(req compat.ScontrolRequest) []*compat.Job {
	if req.Command != compat.ScontrolCmdShow || req.Entity != "job" {
		return nil
	}
	q := req.ShowJob
	var keep func(*queue.Job) bool
	if !q.All {
		keep = func(j *queue.Job) bool { return j.ID == q.JobID || j.ArrayJobID == q.JobID }
	}
	return s.views(s.snapshot(keep))
}
