package gateway

import (
	"net/http"
	"os/user"
	"strconv"

	"skyport/gateway/api"
)

// handleUser resolves a user name for a client. The client binary is built
// without cgo, so its own lookup reads only /etc/passwd; the daemon's goes
// through NSS (LDAP, SSSD, ...), as Slurm's commands do.
func (s *Server) handleUser(w http.ResponseWriter, r *http.Request) {
	if _, ok := caller(w, r); !ok {
		return
	}
	var req api.UserRequest
	if !decode(w, r, &req) {
		return
	}
	var resp api.UserResponse
	if u, err := user.Lookup(req.Name); err == nil {
		if n, err := strconv.ParseUint(u.Uid, 10, 32); err == nil {
			resp = api.UserResponse{UID: uint32(n), Found: true}
		}
	}
	writeJSON(w, resp)
}

// supplementaryGroups lists the groups of uid for a job that a gate runs
// as that user, or nil when the user database does not know it (the gate
// then uses only the job's gid). Results are cached per uid.
func (c *userCache) supplementaryGroups(uid uint32) []uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gs, ok := c.groupLists[uid]; ok {
		return gs
	}
	var gs []uint32
	if u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10)); err == nil {
		if ids, err := u.GroupIds(); err == nil {
			for _, s := range ids {
				if n, err := strconv.ParseUint(s, 10, 32); err == nil {
					gs = append(gs, uint32(n))
				}
			}
		}
	}
	if c.groupLists == nil {
		c.groupLists = map[uint32][]uint32{}
	}
	c.groupLists[uid] = gs
	return gs
}
