package ssh

import (
	"testing"

	"skyport/gate"
	"skyport/gate/gatetest"
	"skyport/gate/ssh/sshtest"
)

// sshdHost is a host entry for the real sshd d, logging in as root with
// keyFile.
func sshdHost(d *sshtest.SSHD, keyFile string, shared bool) Host {
	return Host{
		Name: "n1", Address: d.Addr, User: "root", KeyFile: keyFile,
		KnownHosts: nil, HostKey: sshtest.AuthorizedKey(d.HostKey),
		SharedFS: shared, RemoteDir: remoteDir,
	}
}

// TestConformanceSSHD runs the conformance suite against OpenSSH's sshd
// in namespaces of its own. The suite's jobs and the test share files
// (markers, outputs), so the host is declared to share this file system;
// staging is tested on its own (TestStagingSSHD).
func TestConformanceSSHD(t *testing.T) {
	t.Parallel()
	key, pub := sshtest.NewKey(t)
	d := sshtest.StartSSHD(t, pub)
	gatetest.Run(t, func(t *testing.T, dir string) gate.Gate {
		opts := testOptions(t, sshdHost(d, key, true))
		opts.Dial = d.Dial
		return openTest(t, dir, opts)
	})
}
