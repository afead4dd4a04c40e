package claims

import "strings"

// meanings is the one-line meaning of each Entra ID claim CDF users meet
// in access and ID tokens (v1.0 and v2.0).
var meanings = map[string]string{
	"aud":                      "Audience: who the token is for; for CDF the cluster's URL (https://<cluster>.cognitedata.com) or its app ID",
	"iss":                      "Issuer: the Entra tenant's token service that signed it (sts.windows.net/<tid>/ = v1.0, login.microsoftonline.com/<tid>/v2.0 = v2.0)",
	"iat":                      "Issued at: when Entra minted the token",
	"nbf":                      "Not before: the token is not valid before this time",
	"exp":                      "Expires: the token is not accepted after this time",
	"aio":                      "Entra-internal data used to reuse tokens; not meant to be read",
	"azp":                      "Authorized party (v2.0): client ID of the app that asked for the token",
	"appid":                    "Application ID (v1.0): client ID of the app that asked for the token",
	"azpacr":                   "How the client authenticated (v2.0): 0 public client, 1 client secret, 2 certificate",
	"appidacr":                 "How the client authenticated (v1.0): 0 public client, 1 client secret, 2 certificate",
	"idp":                      "Identity provider that authenticated the subject, when it is not the issuer's tenant (guests, personal accounts)",
	"ipaddr":                   "IP address the user signed in from",
	"name":                     "Display name of the user",
	"oid":                      "Object ID of the user or service principal in this tenant: the stable ID to authorise on",
	"preferred_username":       "Username (v2.0), usually the UPN or email; can change, do not authorise on it",
	"upn":                      "User principal name (v1.0), e.g. alice@contoso.com",
	"unique_name":              "Person-readable user name (v1.0); can change, do not authorise on it",
	"email":                    "Email address of the user, when the account has one",
	"given_name":               "First name of the user",
	"family_name":              "Last name of the user",
	"rh":                       "Entra-internal token for re-validating the token; not meant to be read",
	"roles":                    "App roles assigned to the user or application for this API",
	"scp":                      "Delegated scopes the user consented to for this API, space-separated (CDF needs IDENTITY or user_impersonation)",
	"sid":                      "Session ID of the user's sign-in session",
	"sub":                      "Subject: the user or app the token is about, unique per application (pairwise)",
	"tid":                      "Tenant ID: the Entra directory that issued the token",
	"uti":                      "Unique token ID (Entra-internal), used to revoke and trace tokens",
	"ver":                      "Token version: 1.0 or 2.0 (set by the API's accessTokenAcceptedVersion)",
	"wids":                     "Entra directory roles of the user, as role template IDs",
	"groups":                   "Object IDs of the Entra groups the subject is in; CDF maps them to CDF groups by source ID",
	"hasgroups":                "The user is in too many groups to list (overage): the groups claim is left out",
	"_claim_names":             "Claims left out of the token (groups overage) and where to fetch them",
	"_claim_sources":           "Where to fetch the claims named in _claim_names (a Microsoft Graph URL)",
	"amr":                      "Authentication methods used: pwd, mfa, rsa, otp, fido, wia, …",
	"acr":                      "Authentication context class (v1.0): 0 means the user did not meet ISO/IEC 29115 requirements, 1 is normal",
	"acrs":                     "Authentication context IDs (Conditional Access) the user satisfied",
	"auth_time":                "When the user last entered credentials",
	"idtyp":                    "Token type: app (client credentials) or user (optional claim)",
	"nonce":                    "Value the app sent to tie the ID token to its request",
	"at_hash":                  "Hash of the access token issued with this ID token",
	"c_hash":                   "Hash of the authorization code issued with this ID token",
	"xms_cc":                   "Client capabilities the app declared (e.g. CP1: can handle claims challenges)",
	"xms_ssm":                  "Entra-internal: single sign-on state",
	"xms_tcdt":                 "Time the tenant was created",
	"xms_pdl":                  "Preferred data location of the user (multi-geo tenants)",
	"xms_pl":                   "Preferred language of the user",
	"xms_tpl":                  "Preferred language of the tenant",
	"xms_idrel":                "Entra-internal: relation of the subject to the tenant (member, guest)",
	"xms_mirid":                "Resource ID of the managed identity that got the token",
	"xms_az_rid":               "Azure resource ID of the managed identity or VM that got the token",
	"xms_ftd":                  "Entra-internal: front-door routing data",
	"ctry":                     "Country of the user",
	"tenant_ctry":              "Country of the tenant",
	"tenant_region_scope":      "Region of the tenant",
	"login_hint":               "Opaque hint the app can send back to sign the same user in again",
	"onprem_sid":               "On-premises security identifier of a synced user",
	"pwd_exp":                  "Seconds until the user's password expires",
	"pwd_url":                  "Where the user can change the password",
	"in_corp":                  "The user signs in from inside the corporate network",
	"deviceid":                 "ID of the device object of the signing-in device",
	"verified_primary_email":   "Verified primary email addresses of the user",
	"verified_secondary_email": "Verified secondary email addresses of the user",
	"cnf":                      "Confirmation: key the token is bound to (proof of possession)",
	"puid":                     "Entra-internal: passport user ID",
	"altsecid":                 "Alternate security ID (guests, federated accounts)",
	"home_oid":                 "Object ID of the guest user in their home tenant",
	"fwd":                      "IP address the request was forwarded from",
	"signin_state":             "Sign-in state (e.g. kmsi, dvc_mngd, dvc_cmp, inknownntwk)",
	"sp_oid":                   "Object ID of the service principal (optional claim)",
	// Amazon Cognito and other OpenID providers (RFC 9068 access tokens).
	"client_id":              "Client ID of the app client that asked for the token (Cognito access tokens carry it instead of aud)",
	"token_use":              "Cognito: which token this is, access or id; CDF takes the access token",
	"scope":                  "Scopes granted, space-separated; for Cognito <resource-server>/IDENTITY and <resource-server>/user_impersonation for CDF",
	"cognito:groups":         "Cognito user pool groups of the user; CDF maps them to CDF groups by source ID (the group's name)",
	"cognito:username":       "Cognito user name of the user (ID token)",
	"cognito:roles":          "IAM roles of the user's Cognito groups",
	"cognito:preferred_role": "IAM role of the user's highest-precedence Cognito group",
	"username":               "Cognito user name of the user (access token)",
	"event_id":               "Cognito: ID of the sign-in event",
	"origin_jti":             "Cognito: ID of the original sign-in the token was refreshed from (revocation)",
	"jti":                    "Unique token ID",
	"version":                "Cognito access token version (2 carries custom claims)",
}

// providerMeanings are the meanings of the claims Entra ID shares with
// Amazon Cognito and other OpenID providers, for their tokens.
var providerMeanings = map[string]string{
	"aud": "Audience: who the token is for (an API identifier; Cognito access tokens have none and name the app client in client_id)",
	"iss": "Issuer: the identity provider that signed the token (its OpenID issuer; for Cognito https://cognito-idp.<region>.amazonaws.com/<pool-id>)",
	"iat": "Issued at: when the identity provider minted the token",
	"sub": "Subject: the user (a stable ID in the provider) or, for an app, its client ID",
}

// prefixMeanings explain claims by prefix (checked after the exact names).
var prefixMeanings = []struct{ prefix, meaning string }{
	{"xms_", "Entra extension claim (xms_*): Microsoft-internal data, not meant for authorisation"},
	{"extn.", "Directory extension attribute added as an optional claim"},
	{"extension_", "Directory extension attribute added as an optional claim"},
}

var headerMeanings = map[string]string{
	"alg":   "Signing algorithm (Entra uses RS256)",
	"typ":   "Token type (JWT)",
	"kid":   "ID of the key in the issuer's JWKS that signed the token",
	"x5t":   "SHA-1 thumbprint of the signing certificate (same key as kid)",
	"nonce": "Present on Microsoft Graph tokens: their signature can only be checked by Graph",
	"cty":   "Content type of the payload",
}

// Meaning returns the one-line meaning of a payload claim, or "" when the
// claim is not in the catalogue.
func Meaning(name string) string {
	if m, ok := meanings[name]; ok {
		return m
	}
	for _, p := range prefixMeanings {
		if strings.HasPrefix(name, p.prefix) {
			return p.meaning
		}
	}
	return ""
}

// HeaderMeaning returns the one-line meaning of a header field, or "".
func HeaderMeaning(name string) string { return headerMeanings[name] }

// timeClaims are the claims whose value is a NumericDate.
var timeClaims = map[string]bool{"iat": true, "nbf": true, "exp": true, "auth_time": true, "xms_tcdt": true}

// IsTimeClaim reports whether the claim holds a time (seconds since 1970).
func IsTimeClaim(name string) bool { return timeClaims[name] }
