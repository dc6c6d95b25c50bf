package gateway

import (
	"io"
	"net/http"
	"strconv"
)

// streamThreshold is how much text renderStream holds back before it
// commits to a successful answer and starts sending.
const streamThreshold = 64 << 10

// renderStream answers with the text fn produces, as render does, but
// once the text is longer than streamThreshold it sends it while fn is
// still writing: a large answer (squeue over 100 000 jobs, about 9 MB) is
// never held whole in memory, and the client reads it while the daemon
// renders the rest.
//
// fn must fail (if it fails for another reason than a write error)
// before it has written streamThreshold bytes; such an error is answered
// as render answers it, and what fn wrote is dropped. An error after the
// answer started cannot be answered any more: the connection is dropped,
// so that the client sees a broken answer, never a short one that looks
// whole.
func renderStream(w http.ResponseWriter, fn func(w io.Writer) error) {
	sw := &streamWriter{w: w, buf: make([]byte, 0, streamThreshold)}
	err := fn(sw)
	switch {
	case err != nil && !sw.started:
		writeError(w, http.StatusUnprocessableEntity, err)
	case err != nil:
		panic(http.ErrAbortHandler) // net/http closes the connection quietly
	case !sw.started:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(sw.buf)))
		_, _ = w.Write(sw.buf)
	}
}

// streamWriter holds back the first streamThreshold bytes written to it,
// then starts a 200 answer (chunked: its length is not known) and passes
// everything on.
type streamWriter struct {
	w       http.ResponseWriter
	buf     []byte
	started bool
}

// Write implements io.Writer.
func (sw *streamWriter) Write(p []byte) (int, error) {
	if sw.started {
		return sw.w.Write(p)
	}
	if len(sw.buf)+len(p) <= cap(sw.buf) {
		sw.buf = append(sw.buf, p...)
		return len(p), nil
	}
	sw.started = true
	sw.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	sw.w.WriteHeader(http.StatusOK)
	if _, err := sw.w.Write(sw.buf); err != nil {
		return 0, err
	}
	sw.buf = nil
	return sw.w.Write(p)
}
