package compat

import (
	"slices"
	"strings"
)

// squeueJobMatch reports whether the -j list selects j and which rows it
// prints: the whole job (nil), or (for a pending array) the named tasks.
func squeueJobMatch(sel []JobSelector, j *Job) ([]int64, bool) {
	var tasks []int64
	var set []int64
	for _, s := range sel {
		switch {
		case s.Task == -1 && (s.JobID == j.JobID || (j.ArrayJobID != 0 && s.JobID == j.ArrayJobID)):
			return nil, true
		case s.Task >= 0 && j.ArrayTaskID == s.Task && s.JobID == arrayMaster(j) && j.ArrayTasks == "":
			return nil, true
		case s.Task >= 0 && j.ArrayTasks != "" && s.JobID == arrayMaster(j):
			if set == nil {
				set = expandArrayTasks(j.ArrayTasks)
			}
			if slices.Contains(set, s.Task) && !slices.Contains(tasks, s.Task) {
				tasks = append(tasks, s.Task)
			}
		}
	}
	slices.Sort(tasks)
	return tasks, len(tasks) > 0
}

// selectsJob applies every filter but the job list.
func (o *SqueueOptions) selectsJob(j *Job, myUID uint32) bool {
	if o.Reservation != "" {
		return false
	}
	if o.Partitions != nil && !slices.Contains(*o.Partitions, j.Partition) {
		return false
	}
	if o.States != nil {
		if !slices.ContainsFunc(*o.States, func(s string) bool { return stateMatches(j.State, s) }) {
			return false
		}
	} else if jobFinished(j.State) {
		return false
	}
	if o.Me && j.UID != myUID {
		return false
	}
	if o.Users != nil && !slices.Contains(*o.Users, j.UID) {
		return false
	}
	if o.Names != nil && !slices.Contains(*o.Names, j.Name) {
		return false
	}
	if o.Accounts != nil && !containsFold(*o.Accounts, j.Account) {
		return false
	}
	if o.QOS != nil && !containsFold(*o.QOS, j.QOS) {
		return false
	}
	if o.Nodes != nil {
		hosts := expandHostlist(j.NodeList)
		if !slices.ContainsFunc(*o.Nodes, func(n string) bool {
			return slices.ContainsFunc(expandHostlist(n), func(h string) bool { return slices.Contains(hosts, h) })
		}) {
			return false
		}
	}
	return true
}

// containsFold reports whether list holds s, ignoring case.
func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(v string) bool { return strings.EqualFold(v, s) })
}

// maxArrayTasks bounds the expansion of an array task list.
const maxArrayTasks = 1 << 20

// expandArrayTasks lists the task ids of an array spec such as "0-5%2",
// "1,3,7" or "0-15:4", ascending and without repeats. Malformed parts are
// skipped.
func expandArrayTasks(spec string) []int64 {
	if i := strings.IndexByte(spec, '%'); i >= 0 {
		spec = spec[:i]
	}
	var out []int64
	for _, part := range splitNonEmpty(spec, ",") {
		rng, stepStr, hasStep := strings.Cut(part, ":")
		lo, hi := rng, rng
		if a, b, ok := strings.Cut(rng, "-"); ok {
			lo, hi = a, b
		}
		first, r1 := cStrtol(lo)
		last, r2 := cStrtol(hi)
		step := int64(1)
		if hasStep {
			step, _ = cStrtol(stepStr)
		}
		if r1 == lo || r2 == hi || first < 0 || last < first || step <= 0 {
			continue
		}
		for t := first; t <= last && len(out) < maxArrayTasks; t += step {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
