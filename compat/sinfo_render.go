package compat

import (
	"bufio"
	"io"
	"time"
)

// Sinfo writes sinfo's output for the options o, from the partitions (in
// configuration order, the first default one marked) and nodes. now dates
// the -l header and gives the location of timestamps.
func Sinfo(w io.Writer, o SinfoOptions, parts []Partition, nodes []Node, now time.Time) error {
	if o.Show != "" {
		_, err := io.WriteString(w, o.Show)
		return err
	}
	bw := bufio.NewWriter(w)
	if o.Reservation {
		if _, err := bw.WriteString("No reservations in the system\n"); err != nil {
			return err
		}
		return bw.Flush()
	}
	items, _ := o.compileFormat()
	recs := buildSinfoRecords(&o, items, parts, nodes, now.Location())

	partWidth, nodeWidth := -1, -1
	if o.DefaultFormat && !o.ListReasons {
		partWidth = 9
		for _, r := range recs {
			if r.part == nil {
				continue
			}
			n := len(r.part.Name)
			if r.part.Default {
				n++
			}
			partWidth = max(partWidth, n)
		}
		if o.NodeCentric && !o.Summarize {
			nodeWidth = 9
			for _, r := range recs {
				nodeWidth = max(nodeWidth, len(sinfoHostlist(r.nodes)))
			}
		}
	}
	widthOf := func(it fmtItem) int {
		f := &sinfoFields()[it.col]
		switch {
		case (f.letter == 'P' || f.letter == 'R') && partWidth >= 0:
			return partWidth
		case (f.letter == 'N' || f.letter == 'n') && nodeWidth >= 0:
			return nodeWidth
		}
		return it.width
	}

	var line []byte
	if o.Long && !o.NoHeader {
		line = append(line, ctimeLine(now)...)
	}
	if !o.NoHeader {
		for _, it := range items {
			if it.col >= 0 {
				f := &sinfoFields()[it.col]
				cut := f.letter != 'N' && f.letter != 'n' && f.letter != 'o'
				line = appendField(line, f.header, widthOf(it), it.right, cut)
			}
			line = append(line, it.suffix...)
		}
		line = append(line, '\n')
	}
	var scratch []byte
	for i := range recs {
		r := &recs[i]
		for _, it := range items {
			if it.col >= 0 {
				width := widthOf(it)
				scratch = scratch[:0]
				if it.col == sinfoPartCol {
					scratch = appendSinfoPartition(scratch, r, width)
				} else {
					scratch = sinfoFields()[it.col].value(scratch, r)
				}
				line = appendField(line, scratch, width, it.right, true)
			}
			line = append(line, it.suffix...)
		}
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
		line = line[:0]
	}
	if _, err := bw.Write(line); err != nil {
		return err
	}
	return bw.Flush()
}
