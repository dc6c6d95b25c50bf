package gateway

import (
	"strconv"
	"strings"

	"skyport/compat"
	"skyport/queue"
)

// applyControlOptions sets what sbatch's job-control options ask of the
// new job j: --array, --begin, --nice, --requeue/--no-requeue and
// --kill-on-invalid-dep (--dependency needs the job's ID: see submit).
// It returns Slurm's error for a value the controller refuses.
func (s *Server) applyControlOptions(j *queue.Job, o *compat.SubmitOptions) error {
	if spec, ok := o.Extra["array"]; ok {
		a, err := compat.ParseArray(spec, s.maxArraySize())
		if err != nil {
			return err
		}
		if len(a.Tasks) > 0 {
			j.ArrayPending = taskSetOf(a.Tasks).String()
			j.ArrayThrottle = a.Throttle
		}
	}
	if v, ok := o.Extra["begin"]; ok {
		t, err := compat.ParseSacctTime(v, s.now())
		if err != nil {
			return compat.Errorf(255, "sbatch: error: Invalid --begin specification")
		}
		j.BeginTime = t.UTC()
	}
	if v, ok := o.Extra["nice"]; ok {
		j.Nice = 100 // --nice without a value
		if v != "" {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return compat.Errorf(255, "sbatch: error: Invalid --nice value: %s", v)
			}
			j.Nice = n
		}
	}
	j.NoRequeue = o.Given["no-requeue"]
	j.KillOnInvalidDep = strings.EqualFold(o.Extra["kill-on-invalid-dep"], "yes")
	return nil
}
