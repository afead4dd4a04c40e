package ui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Styles is every style the program uses, built in one place by
// NewStyles from the terminal's background and the plain setting.
type Styles struct {
	Plain bool // no colour, no animation, no decoration

	Indent    string         // left margin of every screen line
	Title     lipgloss.Style // screen title
	Subtitle  lipgloss.Style
	Label     lipgloss.Style // left column of key/value lines
	Value     lipgloss.Style
	Muted     lipgloss.Style
	Good      lipgloss.Style
	Warn      lipgloss.Style
	Bad       lipgloss.Style
	Key       lipgloss.Style // a key name in running text
	Link      lipgloss.Style // a URL (also an OSC 8 hyperlink)
	Selected  lipgloss.Style // the cursor row of a list
	Code      lipgloss.Style // the device user code
	TabActive lipgloss.Style
	Tab       lipgloss.Style
	Box       lipgloss.Style // frame around the user code
	Help      help.Styles

	BarFull, BarEmpty color.Color
}

// NewStyles builds the styles for a dark or light background. plain gives
// unstyled text (NO_COLOR is handled by the renderer's colour profile).
func NewStyles(isDark, plain bool) Styles {
	if plain {
		n := lipgloss.NewStyle()
		return Styles{
			Plain: true, Title: n, Subtitle: n, Label: n, Value: n, Muted: n,
			Good: n, Warn: n, Bad: n, Key: n, Link: n, Selected: n, Code: n, TabActive: n, Tab: n,
			Box:  n.Border(lipgloss.ASCIIBorder()).Padding(0, 1),
			Help: help.Styles{Ellipsis: n, ShortKey: n, ShortDesc: n, ShortSeparator: n, FullKey: n, FullDesc: n, FullSeparator: n},
		}
	}
	ld := lipgloss.LightDark(isDark)
	accent := ld(lipgloss.Color("#5A3FC0"), lipgloss.Color("#B4A2FF"))
	muted := ld(lipgloss.Color("#6C6C6C"), lipgloss.Color("#8A8A8A"))
	good := ld(lipgloss.Color("#1A7F37"), lipgloss.Color("#5FD787"))
	warn := ld(lipgloss.Color("#9A6700"), lipgloss.Color("#FFD75F"))
	bad := ld(lipgloss.Color("#CF222E"), lipgloss.Color("#FF6B6B"))
	fg := ld(lipgloss.Color("#1F2328"), lipgloss.Color("#E6E6E6"))
	selBg := ld(lipgloss.Color("#E8E2FF"), lipgloss.Color("#3B2F6B"))

	base := lipgloss.NewStyle()
	return Styles{
		Indent:    " ",
		Title:     base.Bold(true).Foreground(accent),
		Subtitle:  base.Foreground(muted),
		Label:     base.Foreground(muted),
		Value:     base.Foreground(fg),
		Muted:     base.Foreground(muted),
		Good:      base.Foreground(good),
		Warn:      base.Foreground(warn),
		Bad:       base.Foreground(bad).Bold(true),
		Key:       base.Foreground(accent).Bold(true),
		Link:      base.Foreground(accent).Underline(true),
		Selected:  base.Foreground(fg).Background(selBg).Bold(true),
		Code:      base.Bold(true).Foreground(accent),
		TabActive: base.Bold(true).Foreground(accent).Underline(true),
		Tab:       base.Foreground(muted),
		Box:       base.Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 2),
		Help:      help.DefaultStyles(isDark),
		BarFull:   accent,
		BarEmpty:  muted,
	}
}
