package tui

import (
	"context"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/atotto/clipboard"

	"github.com/cognite-tools/cdflogin/ui"
)

// ClipboardEnv is what Clipboard looks at: the environment, and tmux's
// answer about its set-clipboard option.
type ClipboardEnv struct {
	Getenv func(string) string
	// TmuxOption returns `tmux show-options -gv NAME` (nil: tmux is not
	// asked).
	TmuxOption func(name string) (string, error)
	// OSClipboard copies with the OS clipboard; nil when there is none.
	OSClipboard func(text string) error
}

// Clipboard decides how the program copies, from what can honestly be
// known here:
//
//   - In tmux, OSC 52 reaches a clipboard only with set-clipboard on
//     (tmux's default, external, drops what programs send). Then the copy
//     lands in tmux's paste buffer, and in the terminal's clipboard where
//     the terminal allows it.
//   - GNU screen passes no OSC 52.
//   - Elsewhere, terminals known to take OSC 52 copies by default: kitty,
//     foot, WezTerm, Alacritty, Ghostty, Windows Terminal, Rio. (Others,
//     such as VTE terminals, xterm and Apple's Terminal, ignore or refuse
//     them; the program also asks the terminal itself with XTGETTCAP.)
//   - Otherwise the OS clipboard, but not over SSH, where it would be the
//     remote machine's.
//   - Otherwise none: the program says to select the text.
func Clipboard(env ClipboardEnv) ui.Clipboard {
	get := env.Getenv
	if get == nil {
		get = func(string) string { return "" }
	}
	ssh := get("SSH_TTY") != "" || get("SSH_CONNECTION") != ""
	osClip := env.OSClipboard
	if ssh {
		osClip = nil
	}
	term := get("TERM")
	switch {
	case term == "dumb":
		return ui.Clipboard{Write: osClip, NoQuery: true}
	case get("TMUX") != "":
		on := false
		if env.TmuxOption != nil {
			v, err := env.TmuxOption("set-clipboard")
			on = err == nil && strings.TrimSpace(v) == "on"
		}
		if on {
			return ui.Clipboard{OSC52: true, Via: "tmux's paste buffer (and your terminal's clipboard, where it allows OSC 52)", NoQuery: true}
		}
		// tmux answers XTGETTCAP for itself, not for the terminal.
		return ui.Clipboard{Write: osClip, NoQuery: true}
	case get("STY") != "" || strings.HasPrefix(term, "screen"):
		return ui.Clipboard{Write: osClip, NoQuery: true}
	case knownOSC52(get):
		return ui.Clipboard{OSC52: true, Via: "your terminal's clipboard"}
	}
	cb := ui.Clipboard{Write: osClip}
	// Apple's Terminal answers XTGETTCAP wrongly (Bubble Tea's warning).
	cb.NoQuery = get("TERM_PROGRAM") == "Apple_Terminal"
	return cb
}

// knownOSC52 reports a terminal that takes OSC 52 copies by default.
func knownOSC52(get func(string) string) bool {
	term, prog := get("TERM"), get("TERM_PROGRAM")
	switch {
	case term == "xterm-kitty", get("KITTY_WINDOW_ID") != "":
		return true
	case strings.HasPrefix(term, "foot"):
		return true
	case prog == "WezTerm", term == "wezterm":
		return true
	case term == "alacritty", get("ALACRITTY_WINDOW_ID") != "":
		return true
	case prog == "ghostty", term == "xterm-ghostty":
		return true
	case get("WT_SESSION") != "":
		return true
	case prog == "rio", term == "rio":
		return true
	}
	return false
}

// SystemClipboardEnv is the real run's: the process environment, tmux
// asked with a time limit, and the OS clipboard (atotto/clipboard) when
// one is usable here.
func SystemClipboardEnv(getenv func(string) string) ClipboardEnv {
	env := ClipboardEnv{Getenv: getenv}
	if getenv("TMUX") != "" {
		env.TmuxOption = func(name string) (string, error) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			out, err := exec.CommandContext(ctx, "tmux", "show-options", "-gv", name).Output()
			return string(out), err
		}
	}
	if osClipboardUsable(getenv) {
		env.OSClipboard = clipboard.WriteAll
	}
	return env
}

// osClipboardUsable reports whether atotto/clipboard can copy here: it
// found a copy command, and on Linux and the BSDs a display to copy to.
func osClipboardUsable(getenv func(string) string) bool {
	if clipboard.Unsupported {
		return false
	}
	switch runtime.GOOS {
	case "darwin", "windows":
		return true
	}
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
}
