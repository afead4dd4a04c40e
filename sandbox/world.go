package sandbox

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // x5t is defined as a SHA-1 thumbprint
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"slices"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// Identities of the default world. They are fixed so that documentation,
// test scripts and the demo can name them; key material is generated at
// every start.
const (
	TenantID     = "5e0d7c3a-9b4f-4c21-8a6e-2f1b3c4d5e6f"
	TenantDomain = "sandbox.onmicrosoft.com"
	TenantName   = "cdflogin sandbox"

	BrowserAppID     = "1a2b3c4d-0001-4000-8000-00000000b001" // public client, Mobile and desktop http://localhost
	DeviceAppID      = "1a2b3c4d-0002-4000-8000-00000000d002" // public client flows on
	NoPublicAppID    = "1a2b3c4d-0003-4000-8000-00000000e003" // public client flows off, http://localhost under Web
	SecretAppID      = "1a2b3c4d-0004-4000-8000-00000000c004" // client secret
	CertificateAppID = "1a2b3c4d-0005-4000-8000-00000000f005" // client certificate
	NoConsentAppID   = "1a2b3c4d-0006-4000-8000-00000000a006" // public client, never consented to the CDF API

	// SecretAppSecret is the client secret of the secret app. It is a
	// published test value of the sandbox, not a real secret.
	SecretAppSecret = "sandbox-secret~Q8x7.Fq2-local-only"
	// CertificatePFXPassword protects the certificate app's PFX bytes.
	CertificatePFXPassword = "sandbox"

	AliceUsername   = "alice@" + TenantDomain
	BobUsername     = "bob@" + TenantDomain
	OverageUsername = "olga@" + TenantDomain

	// Entra security groups.
	GroupCDFAdmins  = "9f1c0a11-0000-4000-9000-000000000a01" // mapped to the CDF admins group
	GroupCDFReaders = "9f1c0a11-0000-4000-9000-000000000a02" // mapped to the CDF readers group
	GroupMarketing  = "9f1c0a11-0000-4000-9000-000000000a03" // mapped to no CDF group
	GroupAppWriters = "9f1c0a11-0000-4000-9000-000000000a04" // service principals of the secret and certificate apps
	GroupRetired    = "9f1c0a11-0000-4000-9000-000000000a05" // sourceId of a CDF group; nobody is a member
	GroupRestricted = "9f1c0a11-0000-4000-9000-000000000a06" // only group of the restricted project; nobody is a member

	// ProjectName is the CDF project the sandbox users can use.
	ProjectName = "sandbox-project"
	// RestrictedProjectName is a CDF project no sandbox user can access.
	RestrictedProjectName = "restricted-project"
)

// App keys: short, stable handles for the default apps.
const (
	AppBrowser     = "browser"
	AppDevice      = "device"
	AppNoPublic    = "nopublic"
	AppSecret      = "secret"
	AppCertificate = "certificate"
	AppNoConsent   = "noconsent"
)

// World is the configuration of the fake tenant and CDF: apps, users,
// groups and projects. DefaultWorld returns the documented one.
type World struct {
	TenantID     string
	TenantDomain string
	TenantName   string
	Apps         []App
	Users        []User
	Groups       []Group
	Projects     []Project
	// CDFTokenVersion is the access token version (1 or 2; 0 means 2)
	// minted for the sandbox's own CDF URL.
	CDFTokenVersion int
	// IdPClients are the app clients of the Cognito user pool and the
	// OIDC provider (idpworld.go).
	IdPClients []IdPClient
	// Clusters are further resources tokens can be asked for, such as
	// https://westeurope-1.cognitedata.com. Their tokens are valid but the
	// sandbox CDF rejects them (wrong audience), like a wrong-cluster
	// profile against a real cluster.
	Clusters []Resource
}

// Resource is an API tokens can be minted for.
type Resource struct {
	URI          string // e.g. https://westeurope-1.cognitedata.com
	TokenVersion int    // 1 or 2 (0 means 2)
}

// App is an app registration with its service principal.
type App struct {
	Key      string // short handle, e.g. "browser"
	Name     string
	ClientID string
	// ObjectID is the service principal's object ID (oid/sub of app tokens).
	ObjectID string
	// PublicClientFlows is "Allow public client flows" (device code).
	PublicClientFlows bool
	// PublicRedirectURIs are "Mobile and desktop applications" redirect URIs.
	PublicRedirectURIs []string
	// WebRedirectURIs are "Web" redirect URIs (the app is then confidential
	// when redeeming codes sent there).
	WebRedirectURIs []string
	// Secrets are valid client secret values.
	Secrets []string
	// Certificates are registered certificates (public part is what counts).
	Certificates []Certificate
	// Consented says an admin granted consent to the CDF API (delegated
	// user_impersonation and IDENTITY). Without it user tokens fail with
	// AADSTS65001.
	Consented bool
	// Roles are application permissions granted (roles claim of app tokens).
	Roles []string
	// Groups are the Entra groups the service principal is a member of.
	Groups []string
}

// Confidential reports whether the app has a credential (secret or
// certificate).
func (a App) Confidential() bool { return len(a.Secrets) > 0 || len(a.Certificates) > 0 }

// Certificate is a client certificate with its key, ready to be written to
// files by tests and the demo.
type Certificate struct {
	Cert    *x509.Certificate
	CertPEM []byte // CERTIFICATE block
	KeyPEM  []byte // PKCS#8 PRIVATE KEY block
	// PFX is the certificate and key as PKCS#12, protected by PFXPassword.
	PFX         []byte
	PFXPassword string
}

// ThumbprintSHA1 is the hex SHA-1 thumbprint as the Entra portal shows it.
func (c Certificate) ThumbprintSHA1() string {
	sum := sha1.Sum(c.Cert.Raw) //nolint:gosec // thumbprint, not security
	return fmt.Sprintf("%X", sum[:])
}

// PEM returns the certificate followed by its private key.
func (c Certificate) PEM() []byte { return append(append([]byte(nil), c.CertPEM...), c.KeyPEM...) }

// NewCertificate generates a self-signed RSA client certificate for subject
// with the PFX protected by password.
func NewCertificate(subject, password string, now time.Time) (Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return Certificate{}, fmt.Errorf("generate certificate key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: subject},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(2, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return Certificate{}, fmt.Errorf("create certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return Certificate{}, fmt.Errorf("parse certificate: %w", err)
	}
	pk8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return Certificate{}, fmt.Errorf("marshal key: %w", err)
	}
	pfx, err := pkcs12.Modern.Encode(key, cert, nil, password)
	if err != nil {
		return Certificate{}, fmt.Errorf("encode PFX: %w", err)
	}
	return Certificate{
		Cert:        cert,
		CertPEM:     pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:      pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk8}),
		PFX:         pfx,
		PFXPassword: password,
	}, nil
}

func (c Certificate) matches(x5t, x5tS256 string) bool {
	if x5tS256 != "" {
		sum := sha256.Sum256(c.Cert.Raw)
		got, ok := decodeThumbprint(x5tS256)
		return ok && bytes.Equal(got, sum[:])
	}
	sum := sha1.Sum(c.Cert.Raw) //nolint:gosec // x5t is SHA-1 by definition
	got, ok := decodeThumbprint(x5t)
	return ok && bytes.Equal(got, sum[:])
}

// decodeThumbprint decodes an x5t/x5t#S256 header value. RFC 7515 says
// base64url; MSAL Go sends standard base64 with padding, which Entra
// accepts too.
func decodeThumbprint(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

// User is a person of the tenant.
type User struct {
	Username string // UPN, e.g. alice@sandbox.onmicrosoft.com
	Name     string
	ObjectID string
	Groups   []string // Entra group IDs
	// PoolGroups are the user's groups in the Cognito user pool and the
	// OIDC provider, by name.
	PoolGroups []string
}

// Group is an Entra security group.
type Group struct {
	ID   string
	Name string
}

// Project is a CDF project with its groups.
type Project struct {
	Name   string // projectUrlName
	Groups []CDFGroup
	// IdP is the identity provider the project trusts: "" the Entra
	// tenant, IdPCognito or IdPOIDC.
	IdP string
}

// CDFGroup is a CDF access group mapped to an Entra group by SourceID.
type CDFGroup struct {
	ID           int64
	Name         string
	SourceID     string
	Capabilities []Capability
	Metadata     map[string]string
}

// Capability is one CDF ACL with its actions and scope, serialized as
// {"<acl>": {"actions": [...], "scope": {...}}}.
type Capability struct {
	ACL     string         // e.g. "groupsAcl"
	Actions []string       // e.g. ["LIST", "READ"]
	Scope   map[string]any // e.g. {"all": {}}; nil means all
}

// MarshalJSON writes the CDF shape.
func (c Capability) MarshalJSON() ([]byte, error) {
	scope := c.Scope
	if scope == nil {
		scope = map[string]any{"all": map[string]any{}}
	}
	return json.Marshal(map[string]any{c.ACL: map[string]any{"actions": c.Actions, "scope": scope}})
}

func (c Capability) allScope() bool {
	if c.Scope == nil {
		return true
	}
	_, ok := c.Scope["all"]
	return ok
}

// OverageGroupCount is how many groups the overage user is in; Entra puts
// at most 200 groups in a JWT.
const OverageGroupCount = 210

// maxTokenGroups is Entra's limit of groups in a JWT before overage.
const maxTokenGroups = 200

// DefaultWorld returns the documented sandbox world. It generates the
// certificate app's key pair, so every call returns a fresh certificate.
func DefaultWorld() World {
	now := time.Now()
	cert, err := NewCertificate("CN=cdflogin-sandbox-certificate-app", CertificatePFXPassword, now)
	if err != nil {
		// crypto/rand cannot fail on supported platforms; a failure here is
		// a broken machine.
		panic(err)
	}
	localhost := []string{"http://localhost"}
	overageGroups := make([]string, 0, OverageGroupCount)
	overageGroups = append(overageGroups, GroupCDFReaders)
	for i := 1; len(overageGroups) < OverageGroupCount; i++ {
		overageGroups = append(overageGroups, fmt.Sprintf("0f0e0d0c-0000-4000-8000-%012d", i))
	}
	readCaps := []Capability{
		{ACL: "projectsAcl", Actions: []string{"LIST", "READ"}},
		{ACL: "groupsAcl", Actions: []string{"LIST"}, Scope: map[string]any{"currentuserscope": map[string]any{}}},
		{ACL: "assetsAcl", Actions: []string{"READ"}},
		{ACL: "timeSeriesAcl", Actions: []string{"READ"}},
	}
	adminCaps := []Capability{
		{ACL: "projectsAcl", Actions: []string{"LIST", "READ", "UPDATE"}},
		{ACL: "groupsAcl", Actions: []string{"LIST", "READ", "CREATE", "UPDATE", "DELETE"}},
		{ACL: "assetsAcl", Actions: []string{"READ", "WRITE"}},
	}
	projects := []Project{
		{Name: ProjectName, Groups: []CDFGroup{
			{ID: 1001, Name: "admins", SourceID: GroupCDFAdmins, Capabilities: adminCaps, Metadata: map[string]string{"origin": "sandbox"}},
			{ID: 1002, Name: "readers", SourceID: GroupCDFReaders, Capabilities: readCaps, Metadata: map[string]string{"origin": "sandbox"}},
			{ID: 1003, Name: "app-writers", SourceID: GroupAppWriters, Capabilities: []Capability{
				{ACL: "projectsAcl", Actions: []string{"LIST", "READ"}},
				{ACL: "assetsAcl", Actions: []string{"READ", "WRITE"}},
				{ACL: "timeSeriesAcl", Actions: []string{"READ", "WRITE"}},
			}},
			{ID: 1004, Name: "retired-team", SourceID: GroupRetired, Capabilities: readCaps},
		}},
		{Name: RestrictedProjectName, Groups: []CDFGroup{
			{ID: 2001, Name: "restricted-admins", SourceID: GroupRestricted, Capabilities: adminCaps},
		}},
	}
	return World{
		TenantID:     TenantID,
		TenantDomain: TenantDomain,
		TenantName:   TenantName,
		Apps: []App{
			{Key: AppBrowser, Name: "cdflogin browser (sandbox)", ClientID: BrowserAppID, ObjectID: "7c000000-0000-4000-8000-00000000b001",
				PublicRedirectURIs: localhost, Consented: true},
			{Key: AppDevice, Name: "cdflogin device code (sandbox)", ClientID: DeviceAppID, ObjectID: "7c000000-0000-4000-8000-00000000d002",
				PublicClientFlows: true, PublicRedirectURIs: localhost, Consented: true},
			{Key: AppNoPublic, Name: "cdflogin no public client flows (sandbox)", ClientID: NoPublicAppID, ObjectID: "7c000000-0000-4000-8000-00000000e003",
				WebRedirectURIs: localhost, Consented: true},
			{Key: AppSecret, Name: "cdflogin client secret (sandbox)", ClientID: SecretAppID, ObjectID: "7c000000-0000-4000-8000-00000000c004",
				Secrets: []string{SecretAppSecret}, Consented: true, Groups: []string{GroupAppWriters}},
			{Key: AppCertificate, Name: "cdflogin client certificate (sandbox)", ClientID: CertificateAppID, ObjectID: "7c000000-0000-4000-8000-00000000f005",
				Certificates: []Certificate{cert}, Consented: true, Groups: []string{GroupAppWriters}},
			{Key: AppNoConsent, Name: "cdflogin without consent (sandbox)", ClientID: NoConsentAppID, ObjectID: "7c000000-0000-4000-8000-00000000a006",
				PublicClientFlows: true, PublicRedirectURIs: localhost, Consented: false},
		},
		Users: []User{
			{Username: AliceUsername, Name: "Alice Anders", ObjectID: "a11ce000-0000-4000-8000-0000000a11ce", Groups: []string{GroupCDFAdmins, GroupCDFReaders},
				PoolGroups: []string{PoolGroupAdmins, PoolGroupReaders}},
			{Username: BobUsername, Name: "Bob Berg", ObjectID: "b0b00000-0000-4000-8000-000000000b0b", Groups: []string{GroupMarketing},
				PoolGroups: []string{PoolGroupMarketing}},
			{Username: OverageUsername, Name: "Olga Overage", ObjectID: "01ga0000-0000-4000-8000-0000000001ga", Groups: overageGroups,
				PoolGroups: []string{PoolGroupReaders}},
		},
		Groups: []Group{
			{ID: GroupCDFAdmins, Name: "CDF admins"},
			{ID: GroupCDFReaders, Name: "CDF readers"},
			{ID: GroupMarketing, Name: "Marketing"},
			{ID: GroupAppWriters, Name: "CDF app writers"},
			{ID: GroupRetired, Name: "Retired team"},
			{ID: GroupRestricted, Name: "Restricted project team"},
		},
		Projects:        append(projects, idpProjects(adminCaps, readCaps)...),
		IdPClients:      defaultIdPClients(cert),
		CDFTokenVersion: 2,
		Clusters: []Resource{
			{URI: "https://westeurope-1.cognitedata.com", TokenVersion: 2},
			{URI: "https://api.cognitedata.com", TokenVersion: 2},
			{URI: "https://az-eastus-1.cognitedata.com", TokenVersion: 2},
			{URI: "https://greenfield.cognitedata.com", TokenVersion: 2},
			{URI: "https://bluefield.cognitedata.com", TokenVersion: 2},
		},
	}
}

// App returns the app with the given key or client ID.
func (w World) App(keyOrClientID string) (App, bool) {
	for _, a := range w.Apps {
		if a.Key == keyOrClientID || a.ClientID == keyOrClientID {
			return a, true
		}
	}
	return App{}, false
}

// User returns the user with the given username (case-insensitive) or
// object ID.
func (w World) User(usernameOrID string) (User, bool) {
	for _, u := range w.Users {
		if equalFold(u.Username, usernameOrID) || u.ObjectID == usernameOrID {
			return u, true
		}
	}
	return User{}, false
}

func (w World) project(name string) (Project, bool) {
	i := slices.IndexFunc(w.Projects, func(p Project) bool { return p.Name == name })
	if i < 0 {
		return Project{}, false
	}
	return w.Projects[i], true
}

func equalFold(a, b string) bool { return bytes.EqualFold([]byte(a), []byte(b)) }
