package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every key of the program, in the conventions terminal users
// know from bubbles, k9s and lazygit: j/k and the arrows move or scroll,
// g/G, Home/End and PgUp/PgDn jump, enter opens, esc goes back, q quits
// from any page that is not taking text, ? toggles the full help. Pages
// take the bindings they use from here (with their own help words), so a
// key means the same thing on every page.
type KeyMap struct {
	// Moving and scrolling.
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	// Open is enter: choose, sign in, open.
	Open key.Binding
	// Back is esc: back, cancel, close.
	Back key.Binding
	// Quit is q (not in text fields); ForceQuit is ctrl+c, everywhere.
	Quit, ForceQuit key.Binding
	// Help toggles the full help.
	Help key.Binding

	// The profile list.
	New, Edit, Delete, Filter, Yes, No key.Binding
	// Sign-in pages.
	Copy, OpenBrowser, QR, Approve key.Binding
	// The demo's group change on the token page.
	DemoGroups key.Binding
	// The token page.
	Refresh, NextTab, PrevTab, Raw, Reveal, Changes key.Binding
	// The error page.
	Retry, OtherFlow key.Binding
	// The welcome page.
	Demo, Import key.Binding
}

// DefaultKeyMap is the program's keymap.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:        bind("up,k", "↑/k", "up"),
		Down:      bind("down,j", "↓/j", "down"),
		Top:       bind("g,home", "g/home", "top"),
		Bottom:    bind("G,end", "G/end", "bottom"),
		PageUp:    bind("pgup,ctrl+b", "pgup", "page up"),
		PageDown:  bind("pgdown,ctrl+f,space", "pgdn", "page down"),
		Open:      bind("enter", "enter", "open"),
		Back:      bind("esc", "esc", "back"),
		Quit:      bind("q", "q", "quit"),
		ForceQuit: bind("ctrl+c", "ctrl+c", "quit"),
		Help:      bind("?", "?", "more keys"),

		New:    bind("n", "n", "new"),
		Edit:   bind("e", "e", "edit"),
		Delete: bind("d", "d", "delete"),
		Filter: bind("/", "/", "filter"),
		Yes:    bind("y", "y", "yes, delete"),
		No:     bind("n,esc", "n/esc", "no"),

		Copy:        bind("c", "c", "copy"),
		OpenBrowser: bind("o", "o", "open browser"),
		QR:          bind("s", "s", "QR code"),
		Approve:     bind("a", "a", "approve (demo)"),
		DemoGroups:  bind("m", "m", "move groups (demo)"),

		Refresh: bind("r", "r", "refresh now"),
		NextTab: bind("tab,right,l", "tab", "next tab"),
		PrevTab: bind("shift+tab,left,h", "shift+tab", "previous tab"),
		Raw:     bind("v", "v", "raw JSON"),
		Reveal:  bind("t", "t", "show raw token"),
		Changes: bind("w", "w", "what changed"),

		Retry:     bind("r", "r", "retry"),
		OtherFlow: bind("f", "f", "other flow"),

		Demo:   bind("t", "t", "try the demo"),
		Import: bind("i", "i", "import a file"),
	}
}

// with is b with other help words (the same keys).
func with(b key.Binding, desc string) key.Binding {
	h := b.Help()
	b.SetHelp(h.Key, desc)
	return b
}

func bind(keys, name, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(splitKeys(keys)...), key.WithHelp(name, desc))
}

func splitKeys(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

// keyMap adapts a short and a full list of bindings to help.KeyMap.
type keyMap struct {
	short []key.Binding
	full  [][]key.Binding
}

// ShortHelp is the help line.
func (k keyMap) ShortHelp() []key.Binding { return k.short }

// FullHelp is the `?` help.
func (k keyMap) FullHelp() [][]key.Binding { return k.full }

// nav are the moving keys of a list or a scrolled view, for the full help.
func (k KeyMap) nav() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}
}
