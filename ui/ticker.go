package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// tickMsg is a timer tick addressed to one ticker. The tag makes sure a
// restarted ticker ignores the ticks of its previous run, so two timers
// never speed each other up.
type tickMsg struct {
	ID  int
	Tag int
}

// afterFunc schedules msg after d (tea.Tick in the program; tests record
// the request and fire ticks themselves).
type afterFunc func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd

// ticker is a repeating timer in the shape of bubbles/spinner: it emits
// one tickMsg per interval while running.
type ticker struct {
	id       int
	tag      int
	interval time.Duration
	running  bool
	after    afterFunc
}

// newTicker returns a stopped ticker with the given id (unique in the app).
func newTicker(id int, interval time.Duration, after afterFunc) ticker {
	if after == nil {
		after = tea.Tick
	}
	return ticker{id: id, interval: interval, after: after}
}

// Start (re)starts the ticker; ticks of an earlier run are ignored.
func (t *ticker) Start() tea.Cmd {
	t.tag++
	t.running = true
	return t.next()
}

// Stop stops the ticker.
func (t *ticker) Stop() {
	t.tag++
	t.running = false
}

// Running reports whether the ticker runs.
func (t *ticker) Running() bool { return t.running }

// Current is the tick the ticker waits for (tests fire it).
func (t *ticker) Current() tickMsg { return tickMsg{ID: t.id, Tag: t.tag} }

// Update reports whether msg is this ticker's current tick and schedules
// the next one.
func (t *ticker) Update(msg tea.Msg) (bool, tea.Cmd) {
	tm, ok := msg.(tickMsg)
	if !ok || !t.running || tm.ID != t.id || tm.Tag != t.tag {
		return false, nil
	}
	t.tag++
	return true, t.next()
}

func (t *ticker) next() tea.Cmd {
	id, tag := t.id, t.tag
	return t.after(t.interval, func(time.Time) tea.Msg { return tickMsg{ID: id, Tag: tag} })
}
