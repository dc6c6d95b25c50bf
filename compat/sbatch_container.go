package compat

import "strings"

// The container options of sbatch are those of the pyxis SPANK plugin,
// which a Slurm cluster with containers commonly has: SPANK options come
// after Slurm's own in getopt's table (sbatchOptions) and are not in
// sbatch --help's text here, as on a cluster without the plugin's help.
//
//	--container-image=IMAGE      run the batch script inside IMAGE
//	--container-mounts=SRC[:DST[:FLAGS]][,...]   FLAGS: ro or rw
//	--container-workdir=DIR      where the script starts inside
//
// Sky Port records them on the job; gates with a container runtime
// (docker or podman) honour them.

// checkContainerMounts checks a --container-mounts list: absolute source
// and destination paths, flags ro or rw, no empty item.
func checkContainerMounts(val string) error {
	for _, m := range strings.Split(val, ",") {
		parts := strings.Split(m, ":")
		if len(parts) > 3 || !strings.HasPrefix(parts[0], "/") {
			return sbInvalid("container-mounts")
		}
		if len(parts) > 1 && !strings.HasPrefix(parts[1], "/") {
			return sbInvalid("container-mounts")
		}
		if len(parts) > 2 && parts[2] != "ro" && parts[2] != "rw" {
			return sbInvalid("container-mounts")
		}
	}
	return nil
}

// ContainerMounts splits a checked --container-mounts list into its items.
func ContainerMounts(val string) []string {
	if val == "" {
		return nil
	}
	return strings.Split(val, ",")
}
