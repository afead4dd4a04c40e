package sandbox

// The identity providers of the sandbox besides its Entra tenant: an
// Amazon Cognito user pool (issuer, hosted UI, app clients, pool groups)
// and a generic OpenID provider (with a device-code endpoint), on a
// listener of their own. Their users are the tenant's users; their groups
// are the users' PoolGroups, by name. CDF trusts each through a project
// of its own (CognitoProjectName, OIDCProjectName), whose groups link to
// the provider's group names by sourceId.

// Identities of the default world's Cognito user pool and OIDC provider.
const (
	// IdPCognito and IdPOIDC name the two providers in IdPClient.IdP.
	IdPCognito = "cognito"
	IdPOIDC    = "oidc"

	// CognitoPoolID is the user pool's ID, the last segment of its issuer
	// (https://cognito-idp.<region>.amazonaws.com/<pool-id> in AWS).
	CognitoPoolID = "eu-west-1_Sandbox7Q"
	// CognitoResourceServer is the resource server identifier of the
	// Cognite API in the pool, as Cognite's guide registers it.
	CognitoResourceServer = "https://cognitedata.com"

	// CognitoPublicClientID is the pool's app client without a secret
	// (authorization code grant, callback http://localhost:53000).
	CognitoPublicClientID = "4q1sandboxcognitopublic0a1"
	// CognitoSecretClientID is the pool's app client with a secret
	// (client credentials grant).
	CognitoSecretClientID = "6r2sandboxcognitomachine0b"
	// CognitoClientSecret is that client's secret, a published test
	// value of the sandbox.
	CognitoClientSecret = "sandbox-cognito-secret~local-only"

	// OIDCPublicClientID is the generic provider's public client (browser
	// and device code).
	OIDCPublicClientID = "cdflogin-sandbox-cli"
	// OIDCSecretClientID is its confidential client (client_secret_post).
	OIDCSecretClientID = "cdflogin-sandbox-robot"
	// OIDCClientSecret is that client's secret, a published test value.
	OIDCClientSecret = "sandbox-oidc-secret~local-only"
	// OIDCCertificateClientID is its client that authenticates with a
	// private_key_jwt assertion (the certificate app's key pair).
	OIDCCertificateClientID = "cdflogin-sandbox-robot-cert"
	// OIDCAudience is the API identifier CDF's OIDC project accepts as
	// aud; clients ask for it with the audience parameter (Auth0 style).
	OIDCAudience = "https://sandbox-api.cdflogin.test"
	// OIDCGroupsClaim is the claim the generic provider puts groups in
	// (a profile names it with groups_claim).
	OIDCGroupsClaim = "cdf_groups"

	// Pool groups (Cognito groups and the OIDC provider's groups), by name.
	PoolGroupAdmins    = "cdf-admins"
	PoolGroupReaders   = "cdf-readers"
	PoolGroupMarketing = "marketing"
	PoolGroupRobots    = "cdf-robots"

	// CognitoProjectName and OIDCProjectName are the CDF projects that
	// trust the Cognito pool and the OIDC provider.
	CognitoProjectName = "cognito-project"
	OIDCProjectName    = "oidc-project"
)

// IdPClient is an app client of the Cognito user pool or the OIDC
// provider.
type IdPClient struct {
	IdP      string // IdPCognito or IdPOIDC
	Key      string
	Name     string
	ClientID string
	// Secret makes the client confidential (client credentials).
	Secret string
	// Certificates authenticate the client with private_key_jwt (OIDC).
	Certificates []Certificate
	// CallbackURLs are the allowed redirect URIs. Cognito compares them
	// exactly; the OIDC provider also takes any port of an http://localhost
	// one (RFC 8252 §7.3).
	CallbackURLs []string
	// Groups are the groups of the client's own (client credentials)
	// tokens; the OIDC provider's only, as a Cognito client credentials
	// token carries no cognito:groups.
	Groups []string
}

// IdPClient returns the app client with the given key or client ID.
func (w World) IdPClient(keyOrClientID string) (IdPClient, bool) {
	for _, c := range w.IdPClients {
		if c.Key == keyOrClientID || c.ClientID == keyOrClientID {
			return c, true
		}
	}
	return IdPClient{}, false
}

// defaultIdPClients are the default world's app clients; cert is the
// certificate app's key pair, reused for private_key_jwt.
func defaultIdPClients(cert Certificate) []IdPClient {
	return []IdPClient{
		{IdP: IdPCognito, Key: "cognito-public", Name: "cdflogin (Cognito, sandbox)", ClientID: CognitoPublicClientID,
			CallbackURLs: []string{"http://localhost:53000"}},
		{IdP: IdPCognito, Key: "cognito-secret", Name: "cdflogin robot (Cognito, sandbox)", ClientID: CognitoSecretClientID,
			Secret: CognitoClientSecret},
		{IdP: IdPOIDC, Key: "oidc-public", Name: "cdflogin (OIDC, sandbox)", ClientID: OIDCPublicClientID,
			CallbackURLs: []string{"http://localhost"}},
		{IdP: IdPOIDC, Key: "oidc-secret", Name: "cdflogin robot (OIDC, sandbox)", ClientID: OIDCSecretClientID,
			Secret: OIDCClientSecret, Groups: []string{PoolGroupRobots}},
		{IdP: IdPOIDC, Key: "oidc-certificate", Name: "cdflogin robot with a key (OIDC, sandbox)", ClientID: OIDCCertificateClientID,
			Certificates: []Certificate{cert}, Groups: []string{PoolGroupRobots}},
	}
}

// idpProjects are the CDF projects that trust the pool and the provider;
// their groups link to pool group names, and the Cognito project's robots
// group to the Cognito app client's ID, by sourceId.
func idpProjects(adminCaps, readCaps []Capability) []Project {
	robotCaps := []Capability{
		{ACL: "projectsAcl", Actions: []string{"LIST", "READ"}},
		{ACL: "timeSeriesAcl", Actions: []string{"READ", "WRITE"}},
	}
	groups := func(base int64, robots string) []CDFGroup {
		return []CDFGroup{
			{ID: base + 1, Name: "admins", SourceID: PoolGroupAdmins, Capabilities: adminCaps},
			{ID: base + 2, Name: "readers", SourceID: PoolGroupReaders, Capabilities: readCaps},
			{ID: base + 3, Name: "robots", SourceID: robots, Capabilities: robotCaps},
		}
	}
	// The Cognito project links its service account by the app client's
	// ID; the OIDC provider's robots carry a group.
	return []Project{
		{Name: CognitoProjectName, IdP: IdPCognito, Groups: groups(3000, CognitoSecretClientID)},
		{Name: OIDCProjectName, IdP: IdPOIDC, Groups: groups(4000, PoolGroupRobots)},
	}
}
