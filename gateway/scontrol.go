package gateway

import (
	"bytes"
	"errors"
	"net/http"
	"time"

	"skyport/compat"
	"skyport/gateway/api"
)

func (s *Server) handleScontrol(w http.ResponseWriter, r *http.Request) {
	if _, ok := caller(w, r); !ok {
		return
	}
	var req api.ScontrolRequest
	if !decode(w, r, &req) {
		return
	}
	writeJSON(w, s.scontrol(req.Request))
}

// scontrol answers the read-only scontrol commands (show, ping) from the
// live set, the partitions and the configuration. The commands that change
// jobs (hold, release, requeue, update, suspend) are not served yet.
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
		Jobs: s.snapshot(nil), Partitions: parts, Nodes: nodes, Config: s.configView(),
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
	}
}
