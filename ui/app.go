package ui

import (
	"context"

	tea "charm.land/bubbletea/v2"
)

// app is the root model.
type app struct {
	ctx         context.Context
	cfg         Config
	interrupted bool
	cancelWork  context.CancelFunc
}

func newApp(ctx context.Context, cfg Config) *app { return &app{ctx: ctx, cfg: cfg} }

// stopWork cancels in-flight sign-ins and refreshes.
func (m *app) stopWork() {
	if m.cancelWork != nil {
		m.cancelWork()
		m.cancelWork = nil
	}
}

func (m *app) Init() tea.Cmd { return nil }

func (m *app) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "ctrl+c" {
		m.interrupted = true
		m.stopWork()
		return m, tea.Quit
	}
	return m, nil
}

func (m *app) View() tea.View { return tea.NewView("cdflogin\n") }
