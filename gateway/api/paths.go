package api

import (
	"path/filepath"
	"strconv"
)

// MaxSocketPath is the longest socket path Sky Port uses; longer ones do
// not fit sockaddr_un on every system (108 bytes on Linux, 104 on BSDs).
const MaxSocketPath = 100

// SocketEnv is the environment variable that names the daemon's socket.
const SocketEnv = "SKYPORT_SOCKET"

// StateDir returns the default directory of the daemon's state:
// $XDG_STATE_HOME/skyport, else $HOME/.local/state/skyport.
func StateDir(getenv func(string) string) string {
	if d := getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "skyport")
	}
	home := getenv("HOME")
	if home == "" {
		home = "/"
	}
	return filepath.Join(home, ".local", "state", "skyport")
}

// SocketIn returns the socket path for a daemon whose state is in dir:
// dir/skyportd.sock, or /tmp/skyport-<uid>/skyportd.sock when that path
// would be longer than MaxSocketPath.
func SocketIn(dir string, uid int) string {
	p := filepath.Join(dir, "skyportd.sock")
	if len(p) <= MaxSocketPath {
		return p
	}
	return filepath.Join("/tmp", "skyport-"+strconv.Itoa(uid), "skyportd.sock")
}

// DefaultSocket returns where the shims look for the daemon: $SKYPORT_SOCKET
// if set, else the socket of the default state directory.
func DefaultSocket(getenv func(string) string, uid int) string {
	if s := getenv(SocketEnv); s != "" {
		return s
	}
	return SocketIn(StateDir(getenv), uid)
}
