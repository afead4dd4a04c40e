package claims

import (
	"fmt"
	"slices"
	"strings"
)

// IDClientID is the check of a Cognito access token's client_id (it has
// no aud).
const IDClientID = "client-id"

// IDTokenUse is the check of a Cognito token's token_use.
const IDTokenUse = "token-use"

// checkProvider is Check for a token of Amazon Cognito or another OpenID
// provider: times, the issuer, the audience (aud, or client_id for a
// Cognito access token, which has no aud), token_use, the kind, the
// scopes CDF needs and the groups claim.
func checkProvider(tok *Token, exp Expect) []Finding {
	var fs []Finding
	add := func(f Finding) { fs = append(fs, f) }
	if !exp.Now.IsZero() {
		fs = append(fs, checkTimes(tok, exp)...)
	}
	add(checkProviderIssuer(tok, exp))
	if exp.IDToken {
		add(checkIDAudience(tok, exp))
		return fs
	}
	cognito := exp.Provider == "cognito"
	if cognito {
		add(checkTokenUse(tok))
	}
	add(checkProviderAudience(tok, exp))
	if f, ok := checkKind(tok, exp); ok {
		add(f)
	}
	if !tok.IsApp() || (exp.UserFlow != nil && *exp.UserFlow) {
		add(checkProviderScopes(tok, exp))
	} else {
		scopes := tok.Scopes()
		if len(scopes) == 0 {
			add(Finding{SeverityInfo, IDScopes, "the app token has no scope claim", ""})
		} else {
			add(Finding{SeverityOK, IDScopes, "scope: " + strings.Join(scopes, " "), ""})
		}
	}
	add(checkProviderGroups(tok, exp))
	return fs
}

func checkProviderIssuer(tok *Token, exp Expect) Finding {
	iss := tok.Issuer()
	switch {
	case iss == "":
		return Finding{SeverityError, IDIssuer, "the token has no iss claim: CDF cannot tell who issued it", "Use an access token of the profile's identity provider"}
	case exp.Issuer == "":
		return Finding{SeverityInfo, IDIssuer, "token from " + iss, ""}
	case strings.TrimRight(iss, "/") == strings.TrimRight(exp.Issuer, "/"):
		return Finding{SeverityOK, IDIssuer, "issued by the profile's issuer " + iss, ""}
	}
	return Finding{SeverityError, IDIssuer, fmt.Sprintf("the token was issued by %s, not the profile's issuer %s", iss, exp.Issuer),
		"Check the profile's issuer, and that CDF's identity provider configuration for the project trusts the issuer the token carries"}
}

func checkTokenUse(tok *Token) Finding {
	switch use := tok.String("token_use"); use {
	case "access":
		return Finding{SeverityOK, IDTokenUse, "token_use is access: the token CDF takes", ""}
	case "id":
		return Finding{SeverityError, IDTokenUse, "token_use is id: this is Cognito's ID token, which CDF does not accept", "Send the access token (cdflogin token prints it)"}
	case "":
		return Finding{SeverityWarn, IDTokenUse, "the token has no token_use claim, which every Cognito token carries", "Check that the token comes from the Cognito user pool of the profile's issuer"}
	default:
		return Finding{SeverityWarn, IDTokenUse, "token_use is " + use, ""}
	}
}

// checkProviderAudience judges aud against the audience the profile asks
// for (Auth0-style audience), or, for a Cognito access token without
// aud, its client_id against the profile's client ID.
func checkProviderAudience(tok *Token, exp Expect) Finding {
	auds := tok.Audience()
	want := exp.Audience.URL
	if want != "" && len(auds) == 0 && exp.Provider == "cognito" {
		// Cognito puts no aud in access tokens: the scopes name the
		// resource server (<identifier>/IDENTITY …), which is what CDF's
		// audience for a Cognito project is.
		for _, s := range tok.Scopes() {
			if strings.HasPrefix(strings.ToLower(s), strings.ToLower(strings.TrimRight(want, "/"))+"/") {
				return Finding{SeverityOK, IDAudience, "no aud (as Cognito access tokens); the scope " + s + " is for the resource server " + want + ", " + exp.Audience.From, ""}
			}
		}
		return Finding{SeverityError, IDAudience, "no aud, and no scope of the resource server " + want + " (" + exp.Audience.From + ")",
			"Ask for the resource server's scopes: " + strings.TrimRight(want, "/") + "/IDENTITY and " + strings.TrimRight(want, "/") + "/user_impersonation (the profile's scopes; the app client must allow them)"}
	}
	if want != "" {
		for _, a := range auds {
			if strings.EqualFold(strings.TrimRight(a, "/"), strings.TrimRight(want, "/")) {
				return Finding{SeverityOK, IDAudience, "aud " + a + " is " + exp.Audience.From, ""}
			}
		}
		if len(auds) == 0 {
			return Finding{SeverityError, IDAudience, "the token has no aud claim, but " + exp.Audience.From + " is " + want, exp.Audience.Fix}
		}
		return Finding{SeverityError, IDAudience, fmt.Sprintf("aud %s is not %s %s: CDF will answer 401", strings.Join(auds, ", "), exp.Audience.From, want), exp.Audience.Fix}
	}
	cid := tok.ClientID()
	if len(auds) == 0 {
		switch {
		case cid == "":
			return Finding{SeverityWarn, IDClientID, "the token has neither aud nor client_id: CDF cannot tell which app it is for", "Use the access token of the profile's app client"}
		case exp.ClientID != "" && !strings.EqualFold(cid, exp.ClientID):
			return Finding{SeverityError, IDClientID, fmt.Sprintf("client_id %s is not the profile's client ID %s", cid, exp.ClientID),
				"Check the profile's client_id against the app client (Cognito: App integration › App clients)"}
		}
		return Finding{SeverityOK, IDClientID, "no aud (as Cognito access tokens); client_id " + cid + " is the profile's app client, which CDF's configuration must list", ""}
	}
	return Finding{SeverityInfo, IDAudience, "aud " + strings.Join(auds, ", ") + "; CDF's identity provider configuration for the project must accept it",
		"If CDF answers 401, set the profile's audience (--audience) to the API identifier CDF's project accepts"}
}

func checkProviderScopes(tok *Token, exp Expect) Finding {
	scopes := tok.Scopes()
	want := exp.Scopes
	if len(want) == 0 && exp.Provider == "oidc" && exp.Audience.URL != "" {
		// The audience names the API; which scopes CDF's project needs is
		// its identity provider configuration's to say.
		return Finding{SeverityInfo, IDScopes, "scope: " + orNoneList(scopes) + " (the audience names the API; the project's identity provider configuration in CDF decides the scopes it needs)", ""}
	}
	if len(want) == 0 {
		want = []string{"IDENTITY", "user_impersonation"}
	}
	for _, s := range scopes {
		if slices.Contains(want, s) {
			return Finding{SeverityOK, IDScopes, "scope has " + s + ", which CDF needs for a user token", ""}
		}
	}
	got := "no scope claim"
	if len(scopes) > 0 {
		got = "scope is " + strings.Join(scopes, " ")
	}
	return Finding{SeverityError, IDScopes, got + ": without " + strings.Join(want, " or ") + " CDF will not accept the user token",
		"Add the scopes to the app client's allowed custom scopes (Cognito: the resource server's IDENTITY and user_impersonation) and to the profile's scopes, then sign in again"}
}

func checkProviderGroups(tok *Token, exp Expect) Finding {
	claim := exp.GroupsClaim
	if claim == "" {
		claim = "groups"
	}
	if !tok.Has(claim) && exp.Provider == "cognito" && tok.IsApp() && tok.ClientID() != "" {
		// Cognito puts no groups in client credentials tokens: CDF links a
		// service account by its app client's ID as a group's source ID
		// (Cognite's "Add a service account" guide for Cognito).
		return Finding{SeverityOK, IDGroups, "no " + claim + " (as Cognito's client credentials tokens): CDF links the app by its client ID " + tok.ClientID() + " as a group's source ID", ""}
	}
	if !tok.Has(claim) {
		fix := "Put the user or app in a group whose name a CDF group's source ID names"
		if exp.Provider == "cognito" {
			fix = "Add the user to a Cognito user pool group (User pools › pool › Groups) whose name a CDF group's source ID names, and sign in again"
		} else {
			fix += "; if the provider puts groups in another claim, set the profile's groups_claim"
		}
		return Finding{SeverityWarn, IDGroups, "the token has no " + claim + " claim: CDF cannot give it any group's access", fix}
	}
	groups := tok.GroupsIn(claim)
	max := exp.MaxGroups
	if max == 0 {
		max = DefaultMaxGroups
	}
	switch {
	case len(groups) == 0:
		return Finding{SeverityWarn, IDGroups, "the " + claim + " claim is empty: the subject is in no group CDF can map", ""}
	case len(groups) > max:
		return Finding{SeverityWarn, IDGroupsCount, fmt.Sprintf("the token carries %d groups in %s, more than CDF supports per principal (%d)", len(groups), claim, max), ""}
	}
	return Finding{SeverityOK, IDGroups, fmt.Sprintf("%d group(s) in %s", len(groups), claim), ""}
}

func orNoneList(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, " ")
}
