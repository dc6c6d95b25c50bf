package gateway

import (
	"strconv"
	"strings"

	"skyport/compat"
	"skyport/queue"
)

// controlView fills the parts of a job's view that job control owns:
// arrays, dependency, nice, requeue and suspension.
func controlView(j *queue.Job, v *compat.Job) {
	if isMaster(j) {
		v.ArrayTasks = j.ArrayPending
		if j.ArrayThrottle > 0 {
			v.ArrayTasks += "%" + strconv.Itoa(j.ArrayThrottle)
		}
	}
	v.ArrayThrottle = j.ArrayThrottle
	v.Dependency = j.Dependency
	v.Nice = j.Nice
	v.NoRequeue = j.NoRequeue
	v.MailType, v.MailUser, v.OverSubscribe = j.MailType, j.MailUser, j.OverSubscribe
	if len(j.Args) > 0 {
		v.Command += " " + strings.Join(j.Args, " ") // Slurm shows the script with its arguments
	}
	if j.State == queue.Suspended {
		v.SuspendTime = j.SuspendTime
	}
}
