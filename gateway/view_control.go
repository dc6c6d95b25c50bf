package gateway

import (
	"strconv"

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
	if j.State == queue.Suspended {
		v.SuspendTime = j.SuspendTime
	}
}
