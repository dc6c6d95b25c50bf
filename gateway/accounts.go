package gateway

import (
	"io"
	"net/http"
	"slices"

	"skyport/compat"
	"skyport/gateway/api"
)

// acctDB is the accounting data sacctmgr and sshare show to caller: the
// configured accounts or, when there are none, one account per user
// named after the user (what sbatch records for a job without -A), for
// the caller and every user with a live job.
func (s *Server) acctDB(caller string) *compat.AcctDB {
	db := &compat.AcctDB{Cluster: s.clusterName(), ControlHost: s.host, Caller: caller}
	if len(s.cfg.Accounts) > 0 {
		for _, a := range s.cfg.Accounts {
			acct := compat.AcctAccount{
				Name: a.Name, Description: a.Description, Organization: a.Organization,
				Parent: a.Parent, Shares: a.FairShare,
			}
			for _, u := range a.Users {
				acct.Users = append(acct.Users, compat.AcctUser{Name: u, Default: a.Default})
			}
			db.Accounts = append(db.Accounts, acct)
		}
		return db
	}
	users := []string{caller}
	s.mu.RLock()
	for _, e := range s.live {
		if !slices.Contains(users, e.job.User) {
			users = append(users, e.job.User)
		}
	}
	s.mu.RUnlock()
	slices.Sort(users)
	for _, u := range users {
		a := compat.AcctAccount{
			Name: u, Description: u, Organization: u, Parent: "root", Shares: 1,
			Users: []compat.AcctUser{{Name: u, Default: true}},
		}
		if u == "root" {
			// root's account is the top one, as in Slurm.
			a.Description, a.Parent = "default root account", ""
		}
		db.Accounts = append(db.Accounts, a)
	}
	return db
}

// checkAccount returns the account a job of user is charged to: the one
// asked for, else the user's default. With accounts configured, an
// account the user is not associated with is Slurm's "Invalid account"
// refusal; a user without any association and no -A keeps the account
// named after them, as without accounts.
func (s *Server) checkAccount(user, asked string) (string, error) {
	if len(s.cfg.Accounts) == 0 {
		if asked == "" {
			return user, nil
		}
		return asked, nil
	}
	db := s.acctDB(user)
	if asked == "" {
		if def, ok := db.DefaultAccount(user); ok {
			return def, nil
		}
		return user, nil
	}
	if !db.HasAssoc(user, asked) {
		return "", sbatchFail("Invalid account or account/partition combination specified")
	}
	return asked, nil
}

func (s *Server) handleSacctmgr(w http.ResponseWriter, r *http.Request) {
	who, ok := caller(w, r)
	if !ok {
		return
	}
	var req api.SacctmgrRequest
	if !decode(w, r, &req) {
		return
	}
	db := s.acctDB(s.users.userName(who.UID))
	render(w, 0, func(out io.Writer) error { return compat.Sacctmgr(out, req.Options, db) })
}

func (s *Server) handleSshare(w http.ResponseWriter, r *http.Request) {
	who, ok := caller(w, r)
	if !ok {
		return
	}
	var req api.SshareRequest
	if !decode(w, r, &req) {
		return
	}
	db := s.acctDB(s.users.userName(who.UID))
	render(w, 0, func(out io.Writer) error { return compat.Sshare(out, req.Options, db) })
}
