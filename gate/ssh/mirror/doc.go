// Package mirror gives a job on another host the shared file system every
// Slurm client assumes: before the job starts, Push copies the submit
// directory, the script and the directories the job names to the same
// absolute paths on the host; after it ends, Pull brings back what the job
// changed, before the job is reported finished.
//
// # Transfer
//
// Both directions run over a Remote (a shell command line with stdin and
// stdout, such as an SSH session) and need only GNU find, tar, mkdir and rm
// (GNU tar 1.29 or later) on the host: nothing to install. One find lists the host's copy (type,
// mode, size, nanosecond mtime, path, link target, NUL-separated); entries
// are compared by kind, mode, size and mtime (files), mode and mtime
// (directories) or target (symlinks). Only what differs travels, as PAX
// tar streams written and read with archive/tar locally (a push of many
// files uses up to three streams side by side, then one for directories),
// streamed: file content is never held in memory. Every path on a command line is quoted
// for the shell; paths on stdin are NUL-separated. Modes (with setuid,
// setgid, sticky), mtimes, empty directories and symlinks (as links) are
// kept; owners are not (the host's user owns the copy); symlink times are
// not compared. A re-sync of an unchanged tree costs one find on the host
// and no transfer. bench_test.go compares a first sync with rsync -a over
// a real sshd and times a re-sync (how to run it is written there).
//
// Plan.Files are single files: the script, and the job's output files so
// that Pull brings them back (Push skips those that do not exist yet). The
// content of Plan.MkDirs is not mirrored: only created.
//
// # Ignore rules
//
// A file named .skyportignore in a mirrored directory or below lists, in
// gitignore syntax, what is not mirrored in either direction: negation
// with '!', directory-only patterns with a trailing '/', anchoring by a
// '/' at the start or in the middle, "**", per-directory files whose rules
// apply below their directory and come after their parents' (the last
// matching rule wins; nothing inside an ignored directory can be
// re-included). Each planned directory is its own root for the rules; a
// path is mirrored if any planned directory containing it mirrors it.
// Planned files are never ignored.
//
// # Size cap
//
// Plan.MaxBytes caps the file content one Push may send (what changed, not
// the whole tree). Beyond it Push sends nothing and fails with ErrTooLarge,
// naming the size, the cap, the largest subdirectories and .skyportignore.
//
// # Deletions
//
// Nothing is ever deleted on either side because it is missing on the
// other, except an entry replaced by one of another kind. On the host, a
// file deleted locally stays (other jobs may be running in the same
// directory and writing there); locally, a file the job deleted on the host
// stays (a lost or wiped host must never cost local data). A file deleted
// locally does not come back either: Pull only takes entries the host
// changed since the Snapshot, so a stale copy on the host, unchanged by the
// job, stays where it is.
//
// # Conflicts
//
// Pull compares three states of each path: the Snapshot (what the host
// held after Push), the host now and the local machine now. Entries the
// host did not change are left alone. For an entry the host changed:
//
//   - if the local entry is unchanged since the Snapshot, or missing, the
//     host's version is written (the job's output wins, as on a shared file
//     system where the job wrote last);
//   - if the local entry already equals the host's, nothing is done;
//   - otherwise both sides changed it: the host's version still takes the
//     path, and the local one is kept beside it, renamed to
//     <path>.skyport-conflict (or -2, -3, ... if taken). Nothing is lost and
//     no clock of either machine is trusted;
//   - directories merge: a directory is never replaced or removed; the
//     host's mode and time are applied only if the local directory's were
//     unchanged, and a local directory in the way of a host file is kept as
//     a conflict copy.
//
// # Safety
//
// The host is not trusted on the way back: every path it lists must be
// clean, absolute, under the planned directories and files, and every
// write goes through an os.Root opened on the planned directory, so '..'
// and symlinks cannot lead a write outside it. A symlink whose target
// leaves its planned directory is not created. Such entries are skipped
// and reported as ErrUnsafe once everything else is applied.
package mirror
