// Package ssh is the gate that runs jobs on hosts reached over SSH. It
// registers the gate kind "ssh"; each configured host is one node.
//
// One *ssh.Client per host carries every session; it is dialled when
// first needed, kept alive with keepalive@openssh.com requests, and
// redialled after a failure with exponential backoff. Host keys are
// checked against known_hosts files or a pinned key; an unknown or changed
// key is refused.
//
// A job runs on its host exactly as on the local gate (skyport/gate/local),
// under the same supervisor program: the gate uploads the supervisor
// binary once, content-addressed, to <remote_dir>/bin on the host, writes
// the run directory <remote_dir>/<gateway-id>/jobs/<jobid>.<restart>/
// (spec.json, slurm_script) there, and starts the supervisor under setsid,
// so that it outlives the SSH connection and the daemon. The supervisor
// writes the job's output to the same absolute paths on the host, enforces
// the time limit, carries out kill.json and records exit.json.
//
// A host that does not share this machine's file system (the default) gets
// the job's files staged by skyport/gate/ssh/mirror before the launch; its
// output files are copied back while the job runs, by byte offset (kept in
// the gate's state directory, so nothing is lost or doubled across
// reconnects and restarts), and the rest of the results by Collect once
// the job has ended. A host with shared_fs = true gets neither.
//
// A gate's TOML table (unknown keys are errors; see parseOptions):
//
//	[gates.lab]
//	kind = "ssh"
//	node_fail_grace = "60s"     # also keepalive_interval, keepalive_timeout,
//	                            # connect_timeout, poll_interval, max_stage_size
//	supervisor = "/usr/lib/skyport/skyport-supervise"  # default: beside skyportd, or PATH
//
//	[[gates.lab.hosts]]
//	name = "gpu1"               # the node name
//	address = "gpu1:22"
//	user = "alice"              # default: the daemon's user
//	key_file = "/home/alice/.ssh/id_ed25519"  # default: ssh-agent (SSH_AUTH_SOCK)
//	cpus = 32                   # default: nproc on the host
//	memory = "128G"             # MB, or K/M/G/T; default: MemTotal of the host
//	max_jobs = 8                # 0: no limit
//	gpus = 2                    # its GPUs, CUDA_VISIBLE_DEVICES 0..gpus-1; default 0
//	known_hosts = "/home/alice/.ssh/known_hosts"  # or host_key = "ssh-ed25519 AAAA..."
//	shared_fs = false
//	remote_dir = ".skyport"     # relative to the remote home
//
// The host needs a POSIX sh, coreutils (stat, tail, head, sha256sum,
// mktemp, mv -T), find, setsid and /proc: any Linux host. Every remote
// command runs through the login shell, so slow shell start-up files slow
// every poll.
//
// The gate keeps one record per run in <StateDir>/runs/<run>.json: the
// handle, the stream offsets, the staging snapshot and, at the end, the
// exit. A run's host that stays unreachable past node_fail_grace ends the
// run with gate.CauseNodeFail.
package ssh
