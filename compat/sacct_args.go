package compat

import "strings"

// appendNames adds the comma-separated names of s to list.
func appendNames(list *[]string, s string) *[]string {
	if list == nil {
		list = &[]string{}
	}
	for _, n := range splitNonEmpty(s, ",") {
		if !containsFold(*list, n) {
			*list = append(*list, n)
		}
	}
	return list
}

// addJobs parses one -j argument (a comma list) into o.Jobs.
func (o *SacctOptions) addJobs(s string) error {
	list := []SacctJobSelector{}
	if o.Jobs != nil {
		list = *o.Jobs
	}
	for _, tok := range splitSacctList(s) {
		sel, err := parseSacctJob(tok)
		if err != nil {
			return err
		}
		dup := false
		for _, have := range list {
			if have == sel {
				dup = true
				break
			}
		}
		if !dup {
			list = append(list, sel)
		}
	}
	if len(list) > 0 {
		o.Jobs = &list
	}
	return nil
}

// splitSacctList splits a sacct list argument as Slurm's list helpers do:
// at commas, a leading quote quotes the whole argument, other quotes
// become backquotes.
func splitSacctList(s string) []string {
	if s != "" && (s[0] == '"' || s[0] == '\'') {
		q := s[0]
		s = s[1:]
		if i := strings.IndexByte(s, q); i >= 0 {
			s = s[:i]
		}
	}
	s = strings.NewReplacer(`"`, "`", "'", "`").Replace(s)
	return splitNonEmpty(s, ",")
}

// parseSacctJob parses one job selector the way Slurm's
// slurm_parse_step_str does.
func parseSacctJob(tok string) (SacctJobSelector, error) {
	if tok[0] < '0' || tok[0] > '9' {
		return SacctJobSelector{}, Errorf(1, "sacct: fatal: Bad job/step specified: %s", tok)
	}
	sel := SacctJobSelector{Task: -1}
	name := tok
	if i := strings.IndexByte(name, '.'); i >= 0 {
		step := name[i+1:]
		name = name[:i]
		switch {
		case step == "batch", step == "extern", step == "interactive":
			sel.Step = step
		case step != "" && step[0] >= '0' && step[0] <= '9':
			n, _ := cStrtol(step)
			sel.Step = itoa(n)
		default:
			return sel, Errorf(1, "sacct: fatal: Bad step specified: %s", name)
		}
	}
	if i := strings.IndexByte(name, '_'); i >= 0 {
		task := name[i+1:]
		name = name[:i]
		if task == "" || task[0] < '0' || task[0] > '9' {
			return sel, Errorf(1, "sacct: fatal: Bad job array element specified: %s", name)
		}
		sel.Task, _ = cStrtol(task)
	} else if i := strings.IndexByte(name, '+'); i >= 0 && sel.Step == "" {
		off := name[i+1:]
		name = name[:i]
		if off == "" || off[0] < '0' || off[0] > '9' {
			return sel, Errorf(1, "sacct: fatal: Bad hetjob offset specified: %s", name)
		}
		// A heterogeneous job component: Sky Port has none.
		sel.None = true
	}
	id, _ := cStrtol(name)
	if id > 0xffffffff {
		sel.None = true
	}
	sel.JobID = uint32(id)
	return sel, nil
}

// itoa formats n in decimal.
func itoa(n int64) string { return string(appendInt(nil, n)) }

// addStates parses one -s argument into o.States.
func (o *SacctOptions) addStates(s string) error {
	list := []string{}
	if o.States != nil {
		list = *o.States
	}
	for _, tok := range splitSacctList(s) {
		name, ok := ParseJobState(tok)
		if !ok {
			return Errorf(1, "sacct: fatal: unrecognized job state value '%s'", tok)
		}
		if !containsFold(list, name) {
			list = append(list, name)
		}
	}
	o.States = &list
	return nil
}

// addUsers parses one -u argument into o.Users.
func (o *SacctOptions) addUsers(s string, lookupUser func(string) (uint32, bool)) error {
	list := []uint32{}
	if o.Users != nil {
		list = *o.Users
	}
	for _, name := range splitSacctList(s) {
		uid, ok := uint32(0), false
		if lookupUser != nil {
			uid, ok = lookupUser(name)
		}
		if !ok {
			return Errorf(1, "sacct: error: Invalid user id: %s", name)
		}
		dup := false
		for _, u := range list {
			dup = dup || u == uid
		}
		if !dup {
			list = append(list, uid)
		}
	}
	o.Users = &list
	return nil
}
