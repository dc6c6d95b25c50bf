package gateway

import (
	"net/http"
	"os"
	"path/filepath"

	"skyport/compat"
	wire "skyport/gateway/api/stream"
	"skyport/gateway/stream"
	"skyport/gateway/web"
)

// mountDashboard serves the dashboard's pages on the TCP listener's mux,
// behind the guard's Host check only: they carry no data, and their
// script reads everything from the websocket with the token. A broken
// build of the pages costs the dashboard, never the stream.
func (s *Server) mountDashboard(mux *http.ServeMux, g *stream.Guard, addr string) {
	h, err := web.New()
	if err != nil {
		s.log.Error("dashboard unavailable", "err", err)
		return
	}
	mux.Handle("GET /", g.Public(h))
	s.log.Info("dashboard on TCP (skyport dashboard prints its address with the token)", "url", "http://"+addr+"/")
}

// handleDashboard gives the daemon's user (or root) the dashboard's
// address with the token in its fragment; 404 when there is no TCP
// listener.
func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	who, ok := caller(w, r)
	if !ok {
		return
	}
	if who.UID != 0 && who.UID != uint32(os.Getuid()) {
		writeError(w, http.StatusForbidden, &compat.Error{Msg: "skyport: the dashboard's token is for skyportd's own user\n", Code: 1})
		return
	}
	addr := s.events.tcpAddr()
	if addr == nil {
		writeError(w, http.StatusNotFound, &compat.Error{Msg: "skyport: no dashboard: [stream] tcp is not set\n", Code: 1})
		return
	}
	tok, err := stream.LoadToken(filepath.Join(s.stateDir, tokenFile))
	if err != nil {
		s.logErr(r.Context(), "dashboard", err)
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, wire.Dashboard{URL: "http://" + addr.String() + "/#token=" + tok})
}
