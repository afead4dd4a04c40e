package ui

import "time"

// spinFrames are the frames of the activity spinner.
var spinFrames = []string{"⣾", "⣽", "⣻", "⢿", "⡿", "⣟", "⣯", "⣷"}

// spinInterval is how often the spinner moves.
const spinInterval = 125 * time.Millisecond

// spinView is the spinner frame at now. The frame is a function of the
// clock, so a view is the same for the same time (golden tests), and the
// ticks only decide when to redraw. Plain mode shows no animation.
func spinView(st Styles, now time.Time) string {
	if st.Plain {
		return "…"
	}
	i := int(now.UnixMilli()/spinInterval.Milliseconds()) % len(spinFrames)
	return st.Key.Render(spinFrames[i])
}
