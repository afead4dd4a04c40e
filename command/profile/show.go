package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cognite-tools/cdflogin/internal/secrets"
	"github.com/cognite-tools/cdflogin/internal/textsafe"
	"github.com/cognite-tools/cdflogin/profiles"
)

// ShowOutput is `profile show --json`: the profile as written, the
// settings in effect, the state of its secrets and its token.
type ShowOutput struct {
	profiles.Profile
	Effective Effective              `json:"effective"`
	Secrets   map[string]SecretState `json:"secrets,omitempty"`
	Token     TokenState             `json:"token"`
	Problems  []string               `json:"problems,omitempty"`
}

// Effective are the settings a sign-in uses, defaults filled in.
type Effective struct {
	Authority         string   `json:"authority"`
	CDFURL            string   `json:"cdf_url"`
	Scopes            []string `json:"scopes"`
	RedirectURI       string   `json:"redirect_uri,omitempty"`
	InstanceDiscovery bool     `json:"instance_discovery"`
}

// SecretState says whether a secret reference can be resolved; the
// secret itself is never shown.
type SecretState struct {
	Ref    string `json:"ref"`
	Status string `json:"status"` // "set", "missing" or "unavailable"
	Detail string `json:"detail,omitempty"`
}

func secretState(opts *Options, p profiles.Profile, field string) SecretState {
	ref, _ := secrets.Ref(p, field)
	ref = profiles.MaskedRef(ref)
	r := secrets.Resolver{Keyring: opts.Keyring, Getenv: opts.Getenv}
	_, err := r.Secret(p, field)
	switch {
	case err == nil:
		return SecretState{Ref: ref, Status: "set"}
	case errors.Is(err, secrets.ErrUnavailable):
		return SecretState{Ref: ref, Status: "unavailable", Detail: err.Error()}
	}
	return SecretState{Ref: ref, Status: "missing", Detail: err.Error()}
}

func newShowCmd(opts *Options) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a profile, the settings in effect and its token state",
		Long: `Show one profile as written, the settings a sign-in uses (defaults filled
in), whether its secret references resolve (the secrets are never shown) and
what the token cache holds.`,
		Example: `  cdflogin profile show dev
  cdflogin profile show dev --json`,
		Args:              exactName("show"),
		ValidArgsFunction: completeNames(opts),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runShow(opts, args[0], asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

func runShow(opts *Options, name string, asJSON bool) error {
	store, err := opts.Store()
	if err != nil {
		return err
	}
	p, err := store.Get(name)
	if err != nil {
		return err
	}
	out := ShowOutput{Profile: p, Effective: Effective{
		Authority: p.AuthorityURL(), CDFURL: p.BaseURL(), Scopes: p.ScopeList(), InstanceDiscovery: p.InstanceDiscovery(),
	}}
	if p.Flow == profiles.FlowBrowser {
		out.Effective.RedirectURI = p.RedirectURI()
	}
	out.Secrets = map[string]SecretState{}
	if p.ClientSecret != "" {
		out.Secrets[secrets.FieldClientSecret] = secretState(opts, p, secrets.FieldClientSecret)
	}
	if p.CertificatePassword != "" {
		out.Secrets[secrets.FieldCertificatePassword] = secretState(opts, p, secrets.FieldCertificatePassword)
	}
	tokens, tokErr := opts.Tokens()
	now := opts.Now()
	out.Token = tokenState(tokens, tokErr, p, now)
	if verr := profiles.Validate(p); verr != nil {
		if ve, ok := verr.(*profiles.ValidationError); ok {
			for _, pr := range ve.Problems {
				out.Problems = append(out.Problems, pr.Error())
			}
		}
	}
	// A secret pasted where its reference belongs is never shown.
	out.Profile = p.Shown()
	if asJSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	// Every value comes from profiles.yaml (or an import): shown safe.
	row := func(k, v string, def bool) {
		v = textsafe.Line(v)
		if def {
			v += "  (default)"
		}
		fmt.Fprintf(tw, "%s\t%s\n", k, v)
	}
	row("name", p.Name, false)
	row("flow", string(p.Flow), false)
	if p.IsEntra() {
		row("tenant", p.Tenant, false)
	} else {
		row("provider", string(p.ProviderOf()), false)
		row("issuer", profiles.ShownURL(p.IssuerURL()), false)
		if p.TokenURL != "" {
			row("token_url", profiles.ShownURL(p.TokenURL), false)
		}
		if p.Audience != "" {
			row("audience", p.Audience, false)
		}
		row("groups_claim", p.GroupsClaim(), p.GroupsClaimName == "")
	}
	row("client_id", p.ClientID, false)
	if p.Cluster != "" {
		row("cluster", p.Cluster, false)
	}
	row("project", p.Project, false)
	// Hosts in punycode: a Unicode look-alike cannot pass for the real one.
	if p.IsEntra() {
		row("authority", profiles.ShownURL(out.Effective.Authority), p.Authority == "")
	}
	row("cdf_url", profiles.ShownURL(out.Effective.CDFURL), p.CDFURL == "")
	row("scopes", strings.Join(out.Effective.Scopes, " "), len(p.Scopes) == 0)
	if p.Flow == profiles.FlowBrowser {
		row("redirect_uri", out.Effective.RedirectURI, p.RedirectPort == 0)
	}
	if !out.Effective.InstanceDiscovery && p.IsEntra() {
		row("instance_discovery", "off (the authority is not a Microsoft login host)", false)
	}
	if p.LoginHint != "" {
		row("login_hint", p.LoginHint, false)
	}
	for _, f := range []string{secrets.FieldClientSecret, secrets.FieldCertificatePassword} {
		if st, ok := out.Secrets[f]; ok {
			row(f, st.Ref+"  ["+st.Status+"]", false)
		}
	}
	if p.Certificate != "" {
		row("certificate", p.Certificate, false)
	}
	if p.CAFile != "" {
		row("ca_file", p.CAFile, false)
	}
	row("default", strconv.FormatBool(p.Default), false)
	row("token", out.Token.String(now), false)
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, st := range out.Secrets {
		if st.Status != "set" {
			fmt.Fprintf(opts.IO.ErrOut, "Note: %s\n", textsafe.Line(st.Detail))
		}
	}
	for _, pr := range out.Problems {
		fmt.Fprintf(opts.IO.ErrOut, "Problem: %s\n", textsafe.Line(pr))
	}
	warnAuthority(opts, p)
	return nil
}
