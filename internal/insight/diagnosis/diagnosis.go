// Package diagnosis is the one place that explains a failure to a person.
// Explain takes the error, the profile, the flow and what the server said
// (Entra's code, the resource its answer names, the device code's lifetime,
// the trace and correlation IDs) and returns the explanation: Entra's
// refusals through the AADSTS catalogue, failures to reach Entra ID or CDF
// through nethint's advice, CDF's error answers, and a browser answer that
// never came or was refused. The command line (cmdutil.FlowError), doctor
// and the interactive program all explain through it, so one failure reads
// the same everywhere.
package diagnosis

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/cognite-tools/cdflogin/flows"
	"github.com/cognite-tools/cdflogin/internal/aadsts"
	"github.com/cognite-tools/cdflogin/internal/insight/cdf"
	"github.com/cognite-tools/cdflogin/internal/loopback"
	"github.com/cognite-tools/cdflogin/internal/nethint"
	"github.com/cognite-tools/cdflogin/profiles"
)

// Kind is what sort of failure an explanation is about.
type Kind int

// The kinds of Explanation.
const (
	None     Kind = iota // nothing to add to the error's own line
	Entra                // Entra ID refused (the AADSTS catalogue)
	Network              // Entra ID or CDF could not be reached (nethint)
	CDF                  // CDF answered with an error
	Browser              // the browser's answer did not come, or was refused
	Provider             // Amazon Cognito or another OpenID provider refused, or cannot run the flow
)

// Input is everything an explanation is made from.
type Input struct {
	// Err is the failure.
	Err error
	// Profile is the profile the failure happened for (may be zero).
	Profile profiles.Profile
	// Flow is the flow that ran; empty means the profile's.
	Flow profiles.Flow
	// Answer is Entra's answer when the caller read it itself (doctor's
	// probes); otherwise it is found in Err.
	Answer *aadsts.Error
	// Service is what a failed request was trying to reach, when the
	// caller knows (doctor's requests, the interactive program's sign-in);
	// AnyService lets the error tell.
	Service nethint.Service
	// Unreachable says the caller knows Err is a failure to reach
	// Service (a request of its own that got no answer); see
	// nethint.Target.
	Unreachable bool
	// Step is what was being done (aadsts.StepProbe …) when Err does not
	// tell; a refresh is told by the error.
	Step string
}

// Explanation says what went wrong and what to do. For Entra refusals the
// embedded aadsts.Explanation has everything (title, cause, fix, the
// flow to try, Entra's own words and IDs); for the other kinds it carries
// the title, cause and fix, so a screen can show any kind the same way.
type Explanation struct {
	Kind Kind
	aadsts.Explanation
	// Advice is nethint's advice, for Kind Network.
	Advice *nethint.Advice
	// text is what String prints for the kinds whose text is not the
	// AADSTS layout.
	text string
}

// Explained reports whether there is anything to say beyond the error's
// own line.
func (x Explanation) Explained() bool { return x.Kind != None }

// String is the explanation for a terminal, several lines, as printed
// under the error line: the AADSTS layout (title, Cause, Fix, Try, Entra's
// words, IDs) for Entra, nethint's for a failure to reach a server, the
// advice for CDF's answers and the browser wait.
func (x Explanation) String() string {
	switch x.Kind {
	case None:
		return ""
	case Entra:
		return x.Explanation.String()
	case Network:
		return x.Advice.String()
	}
	return x.text
}

// FixText is the fix as one paragraph, for a screen that wraps or a
// one-line "fix:".
func (x Explanation) FixText() string {
	if x.Kind == Network {
		return x.Advice.FixText()
	}
	return x.Fix
}

// Explain explains in.Err (or in.Answer) for in.Profile and in.Flow.
func Explain(in Input) Explanation {
	if in.Flow == "" {
		in.Flow = in.Profile.Flow
	}
	if in.Answer != nil {
		return entra(in, in.Answer)
	}
	err := in.Err
	if err == nil || errors.Is(err, context.Canceled) {
		return Explanation{}
	}
	var answer *flows.AnswerError
	if errors.As(err, &answer) {
		// Something answered in Entra's place: the message says what to
		// check (HTTPS_PROXY, the authority), and it is not a failure to
		// reach the server nor Entra's word.
		return Explanation{}
	}
	var ie *loopback.IssuerError
	if errors.As(err, &ie) {
		return Explanation{Kind: Browser, Explanation: aadsts.Explanation{Title: "The browser's answer names another sign-in server",
			Cause: ie.Error(), Fix: ie.Details()}, text: ie.Details()}
	}
	var te *loopback.TimeoutError
	if errors.As(err, &te) {
		d := te.DetailsFor(in.Profile.Name)
		return Explanation{Kind: Browser, Explanation: aadsts.Explanation{Title: "No answer from the browser",
			Cause: te.Error(), Fix: d}, text: d}
	}
	if x, ok := provider(err, in); ok {
		return x
	}
	if ae, ok := aadsts.Parse(err); ok {
		return entra(in, ae)
	}
	var ce *cdf.Error
	if errors.As(err, &ce) && ce.Status != 0 {
		d := ce.DetailsFor(in.Profile.Name)
		if d == "" {
			return Explanation{}
		}
		return Explanation{Kind: CDF, Explanation: aadsts.Explanation{Title: firstLine(ce.Error()), Fix: d}, text: d}
	}
	if a, ok := network(err, in); ok {
		return Explanation{Kind: Network, Advice: &a,
			Explanation: aadsts.Explanation{Title: a.Title(), Cause: networkCause(a), Fix: a.FixText()}}
	}
	return Explanation{}
}

// Context is what the AADSTS catalogue is told about profile p, the flow
// that ran and the step: the profile's values (flows.ExplainContext, which
// the browser flow's error page uses too) and the step.
func Context(p profiles.Profile, flow profiles.Flow, step string) aadsts.Context {
	c := flows.ExplainContext(p, flow)
	c.Step = step
	return c
}

// entra explains Entra's answer ae in in's context: the resource its
// answer names wins over the scopes', a refresh is told from the error,
// the device code's lifetime from the flows.
func entra(in Input, ae *aadsts.Error) Explanation {
	step := in.Step
	var lr *flows.LoginRequiredError
	var ee *flows.EntraError
	switch {
	case errors.As(in.Err, &lr):
		step = aadsts.StepRefresh
	case errors.As(in.Err, &ee) && ee.Refresh:
		step = aadsts.StepRefresh
	}
	if step == "" {
		step = aadsts.StepSignIn
	}
	c := Context(in.Profile, in.Flow, step)
	if r := ae.Resource(); r != "" {
		c.Resource = r
	}
	if ee != nil {
		c.CodeLifetime = ee.CodeLifetime
	}
	return Explanation{Kind: Entra, Explanation: aadsts.Explain(ae, c)}
}

// network is nethint's advice for err, a failure to reach Entra ID or
// CDF, for the target the error (or in.Service) names: CDF for the CDF
// client's errors, Entra ID for the flows' (flows.ErrNetwork).
func network(err error, in Input) (nethint.Advice, bool) {
	p := in.Profile
	t := nethint.Target{Service: in.Service, Profile: p.Name, CAFile: p.CAFile, Unreachable: in.Unreachable}
	var ce *cdf.Error
	switch {
	case errors.As(err, &ce):
		t.Service, t.Unreachable = nethint.CDF, ce.Unreachable()
	case errors.Is(err, flows.ErrNetwork):
		t.Service, t.Unreachable = nethint.Entra, true
	}
	switch t.Service {
	case nethint.Entra:
		t.Host = hostOf(p.AuthorityURL())
	case nethint.CDF:
		t.Host = hostOf(p.BaseURL())
	}
	return nethint.Explain(err, t)
}

// networkCause is the advice's cause, or, when it has none, the host it
// failed to reach.
func networkCause(a nethint.Advice) string {
	if a.Cause != "" || a.Host == "" {
		return a.Cause
	}
	return "No connection to " + a.Host + "."
}

// hostOf is the host[:port] of a URL, or "".
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// provider explains what a Cognito or other OpenID provider said, a flow
// it cannot run, and a discovery document that could not be used.
func provider(err error, in Input) (Explanation, bool) {
	mk := func(title, cause, fix string) (Explanation, bool) {
		return Explanation{Kind: Provider, Explanation: aadsts.Explanation{Title: title, Cause: cause, Fix: fix},
			text: title + "\n  Fix: " + fix}, true
	}
	var pe *flows.ProviderError
	if errors.As(err, &pe) {
		p := in.Profile
		p.Flow = in.Flow
		title, fix := flows.ProviderAdvice(p, pe.Code)
		if title == "" {
			return Explanation{}, false
		}
		return mk(title, pe.Error(), fix)
	}
	var fe *flows.FlowUnsupportedError
	if errors.As(err, &fe) {
		fix := "Use another flow."
		if fe.Try != "" {
			fix = "Sign in with the " + string(fe.Try) + " flow: cdflogin login -p " + fe.Profile + " --flow " + string(fe.Try) +
				" (or set flow: " + string(fe.Try) + " in the profile)."
		}
		return mk("The identity provider cannot run the "+string(fe.Flow)+" flow", fe.Reason, fix)
	}
	var de *flows.DiscoveryError
	if errors.As(err, &de) {
		if de.Mismatch != "" {
			return mk("The issuer in the profile is not the issuer the provider names", de.Error(),
				"Set issuer to "+de.Mismatch+" exactly: cdflogin profile edit "+in.Profile.Name+" --issuer "+de.Mismatch)
		}
		return mk("The provider's OpenID discovery document could not be read", de.Error(),
			"Check the issuer: "+de.Issuer+"/.well-known/openid-configuration must answer with JSON (for Cognito: https://cognito-idp.<region>.amazonaws.com/<pool-id>).")
	}
	return Explanation{}, false
}
