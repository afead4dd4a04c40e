package aadsts

import (
	"slices"
	"strings"
)

// The catalogue of Entra errors people meet when signing in to Cognite Data
// Fusion from a terminal. Sources: Microsoft's "Microsoft Entra
// authentication and authorization error codes" reference
// (learn.microsoft.com/entra/identity-platform/reference-error-codes), its
// troubleshooting articles, and real answers quoted in public issues.
// Portal paths use the Microsoft Entra admin center's names.
//
// Texts may use these placeholders, filled from Context by Explain. They
// name what the answer or the profile says, never an assumption:
//
//	{app}      application (client) ID          {tenant}   directory (tenant) ID
//	{redirect} redirect URI (http://localhost:N) {port}     its port
//	{cluster}  CDF cluster (westeurope-1)        {cdf}      CDF URL
//	{resource} the API asked for (the answer's, else the profile's scopes')
//	{scope}    {resource}/.default               {cdfscope} {cdf}/.default
//	{api}      "the Cognite API (R)" when R is CDF's, else "the API R"
//	{profile}  "profile NAME" (or "the profile") {p}        " -p NAME" (or "")
//	{login}    cdflogin login -p NAME            {flow}     "device code", "client secret" …
//	{credential} "client secret" or "certificate" (app flows)
//	{name}     the profile's name (or NAME)
//	{codelife} " (this tenant's device codes live 20s, …)" when known, else empty

// entry is one catalogue row.
type entry struct {
	// Codes are the AADSTS numbers this row explains.
	Codes []int
	// Errors are OAuth "error" values explained by this row whatever the
	// number (the device-code poll answers, which carry no reliable one).
	Errors []string
	Title  string
	Cause  string
	Fix    string
	// Variants replace the texts in a context where the code means
	// something else (another flow, a refresh, another API); the first
	// that applies wins.
	Variants []variant
	Suggest  string // "browser" or "device": a flow that avoids the problem
}

// variant is an entry's text for one context. Empty texts keep the
// entry's; empty conditions match any context.
type variant struct {
	Flows   []string // the flows it is for
	Step    string   // the step it is for (StepRefresh …)
	Foreign bool     // only when the resource is not CDF's
	Title   string
	Cause   string
	Fix     string
	// NoSuggest drops the entry's suggested flow.
	NoSuggest bool
}

func (v variant) applies(c Context) bool {
	if len(v.Flows) > 0 && !slices.Contains(v.Flows, c.Flow) {
		return false
	}
	if v.Step != "" && v.Step != c.Step {
		return false
	}
	if v.Foreign {
		cdf := strings.TrimRight(c.CDFURL, "/")
		if cdf == "" && c.Cluster != "" {
			cdf = "https://" + c.Cluster + ".cognitedata.com"
		}
		if c.Resource == "" || isCDF(strings.TrimRight(c.Resource, "/"), cdf) {
			return false
		}
	}
	return true
}

// in is the entry as it reads in context c.
func (en entry) in(c Context) entry {
	for _, v := range en.Variants {
		if !v.applies(c) {
			continue
		}
		if v.Title != "" {
			en.Title = v.Title
		}
		if v.Cause != "" {
			en.Cause = v.Cause
		}
		if v.Fix != "" {
			en.Fix = v.Fix
		}
		if v.NoSuggest {
			en.Suggest = ""
		}
		break
	}
	return en
}

// Flow groups for variants.
var (
	userFlows = []string{FlowBrowser, FlowDevice}
	appFlows  = []string{FlowSecret, FlowCertificate}
)

// Paths in the Entra admin center, reused below.
const (
	pAppAuth    = "Microsoft Entra admin center › App registrations › (app {app}) › Authentication"
	pAppSecrets = "Microsoft Entra admin center › App registrations › (app {app}) › Certificates & secrets"
	pAppAPI     = "Microsoft Entra admin center › App registrations › (app {app}) › API permissions"
	pEntApp     = "Microsoft Entra admin center › Enterprise apps › (app {app})"
	pCA         = "Microsoft Entra admin center › Protection › Conditional Access › Policies"
	pSignInLogs = "Monitoring & health › Sign-in logs"
	addDesktop  = "Add a platform › Mobile and desktop applications › custom redirect URI {redirect} (not Web, not Single-page application; http://localhost without a port covers every port), then Save and wait 3-5 minutes"
	signInAgain = "Sign in again: {login}"
)

var catalogue = []entry{
	// --- App registration: client type, redirect URI, credentials ---
	{
		Codes: []int{7000218},
		Title: "The app is treated as confidential (public client flows off)",
		Cause: "Entra wants a client secret or certificate from app {app}: \"Allow public client flows\" is off (device code), or the redirect URI {redirect} is registered under the Web platform instead of Mobile and desktop applications (browser sign-in), or the client ID belongs to a confidential app.",
		Fix: pAppAuth + " › Advanced settings › Allow public client flows (\"Enable the following mobile and desktop flows\") = Yes, then Save. " +
			"For the browser sign-in: remove " + "{redirect} from the Web platform and " + addDesktop + ".",
		Variants: []variant{
			{Flows: []string{FlowDevice}, Fix: pAppAuth + " › Advanced settings › Allow public client flows (\"Enable the following mobile and desktop flows\") = Yes, then Save and wait a few minutes."},
			{Flows: []string{FlowBrowser},
				Cause: "Entra wants a client secret or certificate from app {app} to redeem the browser sign-in's code: the redirect URI {redirect} is registered under the Web platform (which makes the app confidential) instead of Mobile and desktop applications, or the client ID belongs to a confidential app.",
				Fix:   pAppAuth + ": remove {redirect} from the Web platform and " + addDesktop + ". If the app is meant to be confidential, use the secret or certificate flow instead."},
			{Flows: appFlows, Title: "No client credential reached Entra",
				Cause: "Entra wants a client secret or certificate from app {app} and got none, though {profile} signs in with its {credential}.",
				Fix:   "Check that {profile}'s {credential} is set and can be read (cdflogin doctor{p} says whether it loads); nothing to change in the portal."},
		},
		Suggest: "browser",
	},
	{
		Codes: []int{7000215},
		Title: "Invalid client secret",
		Cause: "The client secret sent for app {app} is wrong: a typo, the secret of another app, the \"Secret ID\" GUID instead of its \"Value\", or a deleted secret.",
		Fix:   pAppSecrets + " › Client secrets › New client secret; copy the Value column (shown only once, not the Secret ID) into {profile}'s client_secret (e.g. the env: variable or the keyring entry).",
		Variants: []variant{
			{Flows: []string{FlowCertificate}, Title: "Entra checked a client secret, but the profile signs with a certificate",
				Cause: "Entra says the client secret sent for app {app} is wrong, yet {profile} signs with a certificate, which sends no secret: something else added a secret to the request (a proxy), or client_id {app} is not the app the certificate belongs to.",
				Fix:   "Compare {profile}'s client_id with the app the certificate is uploaded to (" + pAppSecrets + " › Certificates must list its thumbprint), and check any proxy (HTTPS_PROXY) that rewrites requests; cdflogin doctor{p} shows the certificate's thumbprint."},
			{Flows: userFlows, Title: "Entra checked a client secret in a sign-in of a person",
				Cause: "{profile} signs in a person with the {flow} flow, which sends no client secret, yet Entra checked one for app {app}: the app is treated as confidential.",
				Fix:   pAppAuth + " › Advanced settings › Allow public client flows (\"Enable the following mobile and desktop flows\") = Yes, and register {redirect} under Mobile and desktop applications, not Web."},
		},
	},
	{
		Codes: []int{7000222},
		Title: "Client secret expired",
		Cause: "The client secret of app {app} is past its Expires date.",
		Fix:   pAppSecrets + " › Client secrets › New client secret and store its Value in {profile}'s client_secret, then delete the expired one; or switch to a certificate (Certificates › Upload certificate).",
	},
	{
		Codes: []int{700016},
		Title: "Application not found in the tenant",
		Cause: "No application with client ID {app} exists in tenant {tenant}: wrong client ID, wrong tenant, or a single-tenant app registered in another tenant.",
		Fix:   "Compare App registrations › (your app) › Overview › Application (client) ID and Directory (tenant) ID with {profile} (client_id {app}, tenant {tenant}). To use the app from another tenant set Authentication › Supported account types to multitenant and have that tenant consent.",
	},
	{
		Codes: []int{90002},
		Title: "Tenant not found",
		Cause: "Tenant {tenant} does not exist in this cloud: a typo, an unverified domain, or a tenant of another cloud.",
		Fix:   "Copy the Directory (tenant) ID from Microsoft Entra admin center › Entra ID › Overview (or App registrations › (app) › Overview) into {profile}'s tenant; use login.microsoftonline.com for the public cloud.",
	},
	{
		Codes:   []int{50011},
		Title:   "Redirect URI not registered",
		Cause:   "The redirect URI {redirect} is not registered for app {app} (or is registered with another path, trailing slash or platform). Entra shows this in the browser only.",
		Fix:     pAppAuth + " › " + addDesktop + ". Don't register several localhost URIs that differ only by port.",
		Suggest: "device",
	},
	{
		Codes:   []int{500113},
		Title:   "No redirect URI registered",
		Cause:   "App {app} has no redirect URI at all (e.g. an app made for client credentials reused for an interactive sign-in).",
		Fix:     pAppAuth + " › " + addDesktop + ".",
		Suggest: "device",
	},
	{
		Codes: []int{500112},
		Title: "Redirect URI differs between the two legs",
		Cause: "The code was redeemed with another redirect URI than the one the browser was sent with (expected {redirect}).",
		Fix:   "Nothing to change in the portal: this is a cdflogin bug, please report it with the correlation ID.",
	},
	{
		Codes:   []int{9002327, 9002326},
		Title:   "Redirect URI registered as a Single-page application",
		Cause:   "{redirect} is registered for app {app} under the Single-page application platform, whose codes can only be redeemed by a browser.",
		Fix:     pAppAuth + ": remove {redirect} from Single-page application and " + addDesktop + ".",
		Suggest: "device",
	},
	{
		Codes: []int{700025},
		Title: "Secret sent by a public client",
		Cause: "A client secret or certificate was sent for app {app}, which is a public client, in a sign-in of a person (browser or device code) with {profile}, or its refresh.",
		Fix:   "Remove client_secret / certificate from {profile}: the browser and device flows send none (they are only for the secret and certificate flows). Nothing to change in the portal.",
		Variants: []variant{
			{Flows: appFlows, Title: "The app is a public client: it cannot sign in with a {credential}",
				Cause: "{profile} signs in as app {app} with its {credential}, but Entra treats the app as a public client (no {credential} registered for it, or it is marked as public), and a public client may send no credential.",
				Fix:   "To sign in as the app: " + pAppSecrets + " › register the {credential} and put it in {profile}; " + pAppAuth + " › Advanced settings › Allow public client flows = No. To sign in as a person instead, use the browser or device flow (cdflogin profile edit {name} --flow device)."},
		},
	},
	{
		Codes: []int{700024},
		Title: "Client assertion outside its valid time",
		Cause: "The signed client assertion of the certificate flow is not valid at Entra's time: this machine's clock is off.",
		Fix:   "Synchronise the clock (NTP, e.g. timedatectl set-ntp true) and try again.",
	},
	{
		Codes: []int{700027},
		Title: "Certificate not registered on the app",
		Cause: "The certificate cdflogin signs with is not registered on app {app} (not uploaded, uploaded to another app, or expired).",
		Fix:   pAppSecrets + " › Certificates › Upload certificate (the public .cer/.pem of the profile's certificate), then compare the thumbprint the portal shows with the certificate's (openssl x509 -in cert.pem -noout -fingerprint -sha1).",
	},
	{
		Codes: []int{7000112},
		Title: "Application disabled",
		Cause: "App {app} is disabled in tenant {tenant} (by an admin, or by Microsoft).",
		Fix:   pEntApp + " › Properties › Enabled for users to sign-in? = Yes; if Microsoft disabled it, register a new app.",
	},
	{
		Codes: []int{50194},
		Title: "Single-tenant app used with /common",
		Cause: "App {app} is single-tenant but the authority is common or organizations.",
		Fix:   "Put the Directory (tenant) ID in {profile}'s tenant, or set App registrations › (app {app}) › Authentication › Supported account types to multitenant.",
	},
	{
		Codes: []int{50059},
		Title: "No tenant in the request",
		Cause: "The authority names no tenant (common/organizations) and nothing else identifies one.",
		Fix:   "Put the Directory (tenant) ID in {profile}'s tenant.",
	},

	// --- Consent and permissions to the Cognite API ---
	{
		Codes: []int{65001},
		Title: "Consent missing for the Cognite API",
		Cause: "Nobody consented to app {app} using {api} on the user's behalf, user consent is disabled, or the scopes changed since consent.",
		Fix:   pAppAPI + " › Add a permission › APIs my organization uses › {api} › user_impersonation, then Grant admin consent for the tenant; or " + pEntApp + " › Permissions › Grant admin consent.",
		Variants: []variant{
			{Foreign: true, Title: "Consent missing for {resource}",
				Fix: pAppAPI + " › Add a permission › {resource} › the delegated permissions it needs, then Grant admin consent for the tenant. For CDF, {profile}'s scopes should be {cdfscope} instead."},
		},
	},
	{
		Codes: []int{65004},
		Title: "Consent declined",
		Cause: "The consent prompt was answered with Cancel/No.",
		Fix:   "Sign in again and accept; or have an admin pre-consent (" + pAppAPI + " › Grant admin consent) so the prompt does not appear.",
	},
	{
		Codes: []int{90094},
		Title: "Admin consent required",
		Cause: "App {app} needs a permission only an admin can grant, or user consent is turned off in tenant {tenant}.",
		Fix:   "An admin: " + pAppAPI + " › Grant admin consent for the tenant; or Enterprise apps › Consent and permissions › Admin consent settings (request workflow).",
	},
	{
		Codes: []int{500011},
		Title: "The Cognite API is not in the tenant",
		Cause: "The resource {resource} (cluster {cluster}) has no service principal in tenant {tenant}: the Cognite API was never registered there, or the cluster in the scope is wrong.",
		Fix:   "An admin registers the Cognite API once by opening https://login.microsoftonline.com/{tenant}/adminconsent?client_id={resource} and accepting; then check Enterprise apps for it. Also check the cluster in {profile}'s cdf_url and scopes ({resource}).",
		Variants: []variant{
			{Foreign: true, Title: "The requested API is not in the tenant",
				Cause: "Entra found no service principal for {resource} in tenant {tenant}: {profile}'s scopes ask for {resource}, which is not the profile's CDF, and that API is not registered in the tenant (or its URI is mistyped).",
				Fix:   "Check {profile}'s scopes: for CDF they are {cdfscope} (or none, which means the same). If {resource} is what you want, an admin must add that API to tenant {tenant} (Enterprise apps)."},
		},
	},
	{
		Codes:    []int{500014},
		Title:    "The Cognite API is disabled in the tenant",
		Cause:    "The enterprise app of {api} is disabled for sign-in in tenant {tenant}.",
		Fix:      "Microsoft Entra admin center › Enterprise apps › ({api}) › Properties › Enabled for users to sign-in? = Yes.",
		Variants: []variant{{Foreign: true, Title: "The requested API is disabled in the tenant"}},
	},
	{
		Codes: []int{650057},
		Title: "Cognite API not in the app's permissions",
		Cause: "App {app} asks for {resource} but {api} is not listed in its API permissions.",
		Fix:   pAppAPI + " › Add a permission › APIs my organization uses › {api} › user_impersonation, then Grant admin consent.",
		Variants: []variant{
			{Foreign: true, Title: "The requested API is not in the app's permissions",
				Fix: pAppAPI + " › Add a permission › {resource}, then Grant admin consent; or, for CDF, set {profile}'s scopes to {cdfscope}."},
		},
	},
	{
		Codes: []int{70011},
		Title: "Invalid scope",
		Cause: "A requested scope is not valid for {api}.",
		Fix:   "Use {scope} (or the API's delegated scopes) in {profile}'s scopes.",
	},
	{
		Codes: []int{1002012},
		Title: "Client credentials need a /.default scope",
		Cause: "The secret and certificate flows can only ask for a scope ending in /.default.",
		Fix:   "Set {profile}'s scopes to {scope} (or leave them empty).",
	},
	{
		Codes: []int{700022},
		Title: "Scopes of several resources in one request",
		Cause: "The scopes name more than one resource (e.g. two clusters, or CDF and Microsoft Graph).",
		Fix:   "Keep the scopes of one resource only ({scope}) plus openid profile offline_access.",
	},

	// --- Users, tenants and assignments ---
	{
		Codes: []int{50020},
		Title: "Account not in the tenant",
		Cause: "The account used does not exist in tenant {tenant} (a personal Microsoft account, or an account of another organisation) and the app is single-tenant.",
		Fix:   "Sign in with an account of tenant {tenant}, and use the tenant ID (not common) in {profile}; or invite the user: Microsoft Entra admin center › Users › Invite external user (B2B guest).",
	},
	{
		Codes: []int{16000},
		Title: "Account cannot use this app",
		Cause: "The selected account (often a cached one from another tenant) cannot sign in to app {app} in tenant {tenant}.",
		Fix:   "Sign in again and pick another account; invite the user as a guest if they must use this tenant.",
	},
	{
		Codes: []int{50105},
		Title: "User not assigned to the app",
		Cause: "App {app} requires assignment and the user (or their group) is not assigned.",
		Fix:   pEntApp + " › Users and groups › Add user/group; or Properties › Assignment required? = No.",
	},
	{
		Codes: []int{50126},
		Title: "Wrong user name or password",
		Cause: "The user name or password typed on the sign-in page is wrong.",
		Fix:   "Retry on the sign-in page, or reset the password (https://aka.ms/sspr). Nothing to configure.",
	},
	{
		Codes: []int{50053, 50055, 50057},
		Title: "Account locked, password expired or account disabled",
		Cause: "The user's account cannot sign in right now (locked, expired password or disabled).",
		Fix:   "Reset the password, or have an admin unlock / re-enable the user (Microsoft Entra admin center › Users › (user)); " + pSignInLogs + " tells which.",
	},
	{
		Codes: []int{50058},
		Title: "No browser session",
		Cause: "A silent browser sign-in found no session.",
		Fix:   signInAgain + ".",
	},

	// --- MFA and Conditional Access ---
	{
		Codes: []int{50076},
		Title: "Multi-factor authentication required",
		Cause: "A Conditional Access or MFA policy now applies to {api}, and the cached sign-in did not do MFA.",
		Fix:   signInAgain + " and complete MFA. Admins: " + pCA + " (or per-user MFA) explains why.",
	},
	{
		Codes: []int{50079},
		Title: "MFA registration required",
		Cause: "The user must register security info for MFA before signing in.",
		Fix:   "Register at https://aka.ms/mysecurityinfo (My Sign-Ins › Security info), then " + signInAgain + ".",
	},
	{
		Codes: []int{50158},
		Title: "External security challenge not completed",
		Cause: "The tenant requires an external challenge (third-party MFA, terms of use) that this sign-in did not complete.",
		Fix:   signInAgain + " in the browser and complete the challenge. Admins: " + pCA + " › Terms of use / custom controls.",
	},
	{
		Codes:   []int{53003},
		Title:   "Blocked by Conditional Access",
		Cause:   "A Conditional Access policy of tenant {tenant} blocks this sign-in (app, location, platform, or the device code flow itself via the \"Authentication flows\" condition).",
		Fix:     "Find the policy: Microsoft Entra admin center › " + pSignInLogs + " › the failed sign-in › Conditional Access tab; then " + pCA + " › exclude the app/user, or use a flow the policy allows (the browser sign-in on a compliant device instead of device code).",
		Suggest: "browser",
	},
	{
		Codes:   []int{530003, 530033, 53000, 50097},
		Title:   "Managed or compliant device required",
		Cause:   "Conditional Access requires a managed/compliant device. A device code sign-in cannot prove it (the device that signs in is not the one that gets the token), nor can a container, WSL, SSH session or VM.",
		Fix:     "Use the browser sign-in ({login} --flow browser) on a managed device, in Edge or Chrome with the work profile. Admins: " + pCA + " › (policy) › Grant \"Require device to be marked as compliant\" / exclusions.",
		Suggest: "browser",
	},

	// --- Tokens, codes and refresh ---
	{
		Codes: []int{700082},
		Title: "Refresh token expired (inactivity)",
		Cause: "The cached sign-in was not used for longer than the refresh token's lifetime (90 days by default).",
		Fix:   signInAgain + ". Nothing to change in the portal.",
	},
	{
		Codes: []int{50173},
		Title: "Sign-in revoked",
		Cause: "The cached sign-in was revoked: a password change or reset, or an admin's Revoke sessions.",
		Fix:   signInAgain + ".",
	},
	{
		Codes: []int{70043},
		Title: "Sign-in frequency reached",
		Cause: "A Conditional Access sign-in frequency control ended the cached sign-in.",
		Fix:   signInAgain + ". Admins: " + pCA + " › (policy) › Session › Sign-in frequency.",
	},
	{
		Codes: []int{70008},
		Title: "Code or refresh token expired",
		Cause: "The authorization code was redeemed too late (codes live about 10 minutes), or the refresh token expired.",
		Fix:   signInAgain + ".",
	},
	{
		Codes: []int{70000},
		Title: "Grant not valid",
		Cause: "Entra refused the code or refresh token (expired, already used, mangled by a browser extension, or asking for scopes never consented).",
		Fix:   signInAgain + "; if it keeps failing, consent the scopes (" + pAppAPI + " › Grant admin consent).",
	},
	{
		Codes: []int{54005},
		Title: "Authorization code already redeemed",
		Cause: "The same authorization code was redeemed twice.",
		Fix:   signInAgain + ".",
	},
	{
		Codes: []int{50148, 501481},
		Title: "PKCE verifier does not match",
		Cause: "The code was redeemed with the verifier of another sign-in attempt (two sign-ins racing on port {port}, or a stale browser tab).",
		Fix:   "Close old sign-in tabs and " + signInAgain + " (one at a time).",
	},
	{
		Codes: []int{9002313},
		Title: "Malformed request",
		Cause: "Entra found the request malformed (parameters missing, mangled or double-encoded).",
		Fix:   "Nothing to change in the portal: retry; if it persists, report it to cdflogin with the correlation ID.",
		Variants: []variant{
			{Step: StepRefresh, Title: "Refresh token not accepted",
				Cause: "Entra did not accept the cached refresh token of {profile} (it calls the request malformed): it does not know the token, for example after the tenant was reset or restarted, or the token was damaged.",
				Fix:   signInAgain + ". Nothing to change in the portal."},
		},
	},
	{
		Codes: []int{900144, 90014},
		Title: "Required parameter missing",
		Cause: "A parameter Entra needs was missing from the request.",
		Fix:   "Nothing to change in the portal: report it to cdflogin with the correlation ID.",
	},
	{
		Codes: []int{50196},
		Title: "Too many identical requests",
		Cause: "Entra saw the same request too often in a short time (a tight refresh or poll loop).",
		Fix:   "Wait a minute and retry; stop scripts that sign in in a loop (use cdflogin token{p}, which caches).",
	},
	{
		Codes: []int{90033},
		Title: "Transient Entra ID error",
		Cause: "Entra ID had a passing problem on its side (\"A transient error has occurred. Please try again.\"); nothing is wrong with app {app} or the profile.",
		Fix:   "Retry in a minute; if it keeps failing, check the Azure status page (https://azure.status.microsoft) and Monitoring & health › Service health in the Entra admin center.",
	},
	{
		Codes: []int{1002016},
		Title: "TLS 1.2 required",
		Cause: "The connection to Entra used TLS 1.0/1.1, usually because a TLS-intercepting proxy downgraded it.",
		Fix:   "Use TLS 1.2 or newer: check the corporate proxy (HTTPS_PROXY) or TLS inspection; cdflogin itself uses TLS 1.2+.",
	},
	{
		Codes: []int{399284},
		Title: "Federated identity provider misconfigured",
		Cause: "The tenant's external identity provider sent an ID token with a wrong issuer.",
		Fix:   "The tenant admin fixes the federation configuration (Microsoft Entra admin center › External Identities, or the domain's federation settings).",
	},

	// --- Device code poll answers (react to the error value) ---
	{
		Errors: []string{"authorization_declined"},
		Title:  "Sign-in declined",
		Cause:  "The device code sign-in was declined in the browser.",
		Fix:    "Run {login} again and approve the sign-in.",
	},
	{
		Codes:  []int{70020, 70019},
		Errors: []string{"expired_token", "code_expired"},
		Title:  "Device code expired",
		Cause:  "Nobody finished the sign-in before the device code expired{codelife}.",
		Fix:    "Run {login} again and enter the new code sooner.",
	},
	{
		Codes:  []int{7000014, 70018},
		Errors: []string{"bad_verification_code"},
		Title:  "Device code not recognised",
		Cause:  "Entra does not recognise the device code (mistyped, already used, or issued for another tenant or app).",
		Fix:    "Run {login} again and enter the new code exactly as shown.",
	},
	{
		Codes:  []int{70016},
		Errors: []string{"authorization_pending"},
		Title:  "Sign-in not finished yet",
		Cause:  "The device code sign-in is still waiting for the user.",
		Fix:    "Finish the sign-in in the browser; cdflogin keeps polling.",
	},
}
