package gateway

import (
	"strconv"
	"strings"

	"skyport/compat"
	"skyport/queue"
)

// arrayTasksView is the ArrayTasks of a job's view: the pending tasks of
// an array's master, with the array's throttle ("0-5%2"); empty for any
// other job.
func arrayTasksView(j *queue.Job) string {
	if !isMaster(j) {
		return ""
	}
	if j.ArrayThrottle > 0 {
		return j.ArrayPending + "%" + strconv.Itoa(j.ArrayThrottle)
	}
	return j.ArrayPending
}

// controlView fills the details of a job's view that job control owns:
// dependency, nice, requeue, mail and suspension (the array's tasks are a
// core field: arrayTasksView).
func controlView(j *queue.Job, v *compat.Job) {
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
