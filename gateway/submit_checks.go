package gateway

import (
	"skyport/compat"
	"skyport/queue"
)

// checkRequirements makes slurmctld's checks of what a new job j asks of
// the nodes of partition p, in Slurm's order: GRES syntax, excluded
// nodes, features, reservation, then whether a node could ever hold it.
// It records the job's GPU request on j (gpu.go). Like slurmctld, it lets
// a held job ask for more than any node has (it waits until released,
// then for PartitionConfig, or BadConstraints for GPUs), except for
// --test-only, which asks whether the job could start.
func (s *Server) checkRequirements(j *queue.Job, p *partition, o *compat.SubmitOptions) error {
	wantsGPU, err := compat.CheckGres(o)
	if err != nil {
		return err
	}
	typedGPU, err := setGPURequest(j, o)
	if err != nil {
		return err
	}
	if list := o.Extra["exclude"]; o.Given["exclude"] && list != "" {
		if err := compat.CheckExcludedNodes(list, s.isNode); err != nil {
			return err
		}
	}
	if o.Given["constraint"] && o.Extra["constraint"] != "" {
		return sbatchFail(compat.ReasonBadFeature) // Sky Port's nodes have no features
	}
	if o.Given["reservation"] && o.Extra["reservation"] != "" {
		return sbatchFail(compat.ReasonBadResv) // nor reservations
	}
	if j.ContainerImage != "" && !s.runsContainers(p) {
		return sbatchFail(compat.ReasonNodeConfig) // no node of p has a container runtime
	}
	if j.Held && !o.TestOnly {
		return nil
	}
	if jobMem(j) > p.maxMem {
		return &compat.Error{Code: 1, Msg: "sbatch: error: Memory specification can not be satisfied\n" +
			"sbatch: error: Batch job submission failed: " + compat.ReasonNodeConfig + "\n"}
	}
	if wantsGPU && (typedGPU || !p.offersGPUs(j.GPUs)) {
		return sbatchFail(compat.ReasonNodeConfig) // no node of p has (that many) GPUs, nor typed ones
	}
	if o.TestOnly && needCPUs(j) > p.maxNode {
		return sbatchFail(compat.ReasonNodeConfig)
	}
	return nil
}

// isNode reports whether name is a node of one of the gates.
func (s *Server) isNode(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.nodes {
		if n.name == name {
			return true
		}
	}
	return false
}

// runsContainers reports whether a node of partition p has a container
// runtime (gate.Node.Containers) for --container-image jobs.
func (s *Server) runsContainers(p *partition) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range p.nodes {
		if n.containers != "" {
			return true
		}
	}
	return false
}
