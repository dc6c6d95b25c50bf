// Package stream is the client side of skyportd's event stream: the wire
// types of the websocket endpoint (Path) and a client that resumes after a
// lag or a broken connection without losing an event or an output byte.
// It is kept apart from gateway/api, which the shims link, because it
// pulls in net/http and the websocket library.
//
// The protocol: the client connects to Path (on the daemon's Unix socket,
// or on its loopback TCP port with a bearer token), sends one Subscribe as
// a JSON text message, and then reads Frames, one JSON text message each.
// The first frames replay what the subscription asked for (events from
// Subscribe.From, output from Subscribe.Offsets); a frame with Ready marks
// the switch to live events.
package stream

import "time"

// Path is the websocket endpoint.
const Path = "/v1/stream"

// Type is the kind of an event.
type Type string

// The event types. Every event but Output and Cost carries the job's
// state after the change; Type is the most specific kind of the change.
const (
	// Submitted: a new job is stored (state PENDING).
	Submitted Type = "submitted"
	// State: the job's state or its pending reason changed in a way no
	// other type describes.
	State Type = "state"
	// Started: the job runs; Gate and Node say where.
	Started Type = "started"
	// Output: Data are the bytes of the job's Stream at Offset.
	Output Type = "output"
	// Finished: the job ended; Exit says how.
	Finished Type = "finished"
	// Requeued: a job that had been started is pending again.
	Requeued Type = "requeued"
	// CostUpdate: the job's running cost changed (cloud gates).
	CostUpdate Type = "cost"
)

// Types lists every event type.
var Types = []Type{Submitted, State, Started, Output, Finished, Requeued, CostUpdate}

// Output streams.
const (
	Stdout = "stdout"
	Stderr = "stderr"
)

// Event is one thing that happened to a job.
type Event struct {
	// Seq orders the events: it increases from one event to the next
	// (it may skip numbers). Output read back from a job's file to fill
	// a gap carries the Seq of the event sent before it.
	Seq   uint64    `json:"seq"`
	Type  Type      `json:"type"`
	Time  time.Time `json:"time"`
	JobID uint32    `json:"job_id"`
	// ArrayJobID is the array's job ID when the job is an array task.
	ArrayJobID uint32 `json:"array_job_id,omitempty"`
	Name       string `json:"name,omitempty"`
	User       string `json:"user,omitempty"`
	UID        uint32 `json:"uid"`
	Partition  string `json:"partition,omitempty"`
	State      string `json:"state,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Gate       string `json:"gate,omitempty"`
	Node       string `json:"node,omitempty"`
	Exit       *Exit  `json:"exit,omitempty"`
	// Stream, Offset and Data are an Output event's: Data is the bytes of
	// the job's file for Stream from byte Offset on. When stderr goes to
	// the same file as stdout, there is only Stdout.
	Stream string `json:"stream,omitempty"`
	Offset int64  `json:"offset,omitempty"`
	Data   []byte `json:"data,omitempty"`
	Cost   *Cost  `json:"cost,omitempty"`
}

// Exit is how a job ended, as sacct's ExitCode shows it (code:signal),
// and the final sizes of its output: once a client has output up to these
// offsets it has all of it.
type Exit struct {
	Code       int   `json:"code"`
	Signal     int   `json:"signal"`
	StdoutSize int64 `json:"stdout_size"`
	StderrSize int64 `json:"stderr_size"`
}

// Cost is the running cost of a job on a paid gate.
type Cost struct {
	Currency string `json:"currency"`
	// Total is the cost so far; PerHour the current rate.
	Total   float64 `json:"total"`
	PerHour float64 `json:"per_hour"`
}

// Subscribe is the client's first message. Empty filters match
// everything; a user sees only their own jobs unless the daemon is
// configured otherwise (root sees all).
type Subscribe struct {
	// From is the first sequence number wanted: a client that saw N
	// resumes with N+1. 0 means live events only.
	From  uint64   `json:"from,omitempty"`
	Users []string `json:"users,omitempty"`
	// Jobs matches job IDs and, for array tasks, the array's job ID.
	Jobs       []uint32 `json:"jobs,omitempty"`
	Partitions []string `json:"partitions,omitempty"`
	// States matches the job's state after the event (Output events: the
	// state of the running job).
	States []string `json:"states,omitempty"`
	Types  []Type   `json:"types,omitempty"`
	// Offsets resume jobs' output: the daemon sends each named stream
	// from its offset on, read back from the job's file, then live.
	Offsets []Offset `json:"offsets,omitempty"`
	// OnLag is what happens when the client reads too slowly: "close"
	// (the default) ends the connection after a Lagged frame; "skip"
	// goes on with newer events after it.
	OnLag string `json:"on_lag,omitempty"`
}

// Offset is a position in a job's output.
type Offset struct {
	JobID  uint32 `json:"job_id"`
	Stream string `json:"stream"`
	Offset int64  `json:"offset"`
}

// Frame is one message from the daemon: a batch of events, or one of the
// notices.
type Frame struct {
	Events []Event `json:"events,omitempty"`
	// Ready says the replay is over: Seq is the newest event before the
	// live ones.
	Ready *Ready `json:"ready,omitempty"`
	// Gap says events From..To-1 were asked for but are no longer kept.
	Gap *Gap `json:"gap,omitempty"`
	// Lagged says the client fell behind: Resume is the first event it
	// did not get.
	Lagged *Lagged `json:"lagged,omitempty"`
	// Error ends the stream (a bad subscription).
	Error string `json:"error,omitempty"`
}

// Ready marks the end of the replay.
type Ready struct {
	Seq uint64 `json:"seq"`
}

// Gap is a range of events that was trimmed from the log.
type Gap struct {
	From uint64 `json:"from"`
	To   uint64 `json:"to"`
}

// Lagged tells a slow client where to resume.
type Lagged struct {
	Resume uint64 `json:"resume"`
	// Closing is true when the daemon ends the connection after it.
	Closing bool `json:"closing"`
}
