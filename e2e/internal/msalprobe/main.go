// Command msalprobe is an outside client of the sandbox that uses nothing
// but MSAL Go: it trusts the sandbox through SSL_CERT_FILE and runs client
// credentials (secret and certificate), device code, auth code + PKCE
// (interactive) and a refresh. It talks to its driver (the e2e test) on
// stdout/stdin, one line per step, and never prints a token:
//
//	→ DEVICE <verification_uri> <user_code>   driver approves on the page
//	→ AUTHORIZE <url>                          driver signs in like a browser
//	→ OK <step> <who>                          step done
//
// It exits 1 with the error on stderr when a step fails.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

type config struct {
	authority, cdfScope   string
	secretApp, secret     string
	certApp, certFile     string
	deviceApp, browserApp string
	steps                 string
}

func main() {
	var c config
	flag.StringVar(&c.authority, "authority", "", "sandbox authority URL")
	flag.StringVar(&c.cdfScope, "scope", "", "CDF scope (<cdf_url>/.default)")
	flag.StringVar(&c.secretApp, "secret-app", "", "client ID of the secret app")
	flag.StringVar(&c.secret, "secret", "", "client secret (read from env MSALPROBE_SECRET when empty)")
	flag.StringVar(&c.certApp, "cert-app", "", "client ID of the certificate app")
	flag.StringVar(&c.certFile, "cert-file", "", "PEM file with certificate and key")
	flag.StringVar(&c.deviceApp, "device-app", "", "client ID of the device code app")
	flag.StringVar(&c.browserApp, "browser-app", "", "client ID of the browser app")
	flag.StringVar(&c.steps, "steps", "secret,certificate,device,interactive,refresh", "steps to run")
	flag.Parse()
	if c.secret == "" {
		c.secret = os.Getenv("MSALPROBE_SECRET")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "msalprobe:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) error {
	steps := map[string]bool{}
	for _, s := range strings.Split(c.steps, ",") {
		steps[s] = true
	}
	scopes := []string{c.cdfScope}
	if steps["secret"] {
		cred, err := confidential.NewCredFromSecret(c.secret)
		if err != nil {
			return fmt.Errorf("secret credential: %w", err)
		}
		if err := clientCredentials(ctx, c, c.secretApp, cred, "secret"); err != nil {
			return err
		}
	}
	if steps["certificate"] {
		pemData, err := os.ReadFile(c.certFile)
		if err != nil {
			return fmt.Errorf("certificate: %w", err)
		}
		certs, key, err := confidential.CertFromPEM(pemData, "")
		if err != nil {
			return fmt.Errorf("certificate: %w", err)
		}
		cred, err := confidential.NewCredFromCert(certs, key)
		if err != nil {
			return fmt.Errorf("certificate credential: %w", err)
		}
		if err := clientCredentials(ctx, c, c.certApp, cred, "certificate"); err != nil {
			return err
		}
	}
	if steps["device"] {
		app, err := public.New(c.deviceApp, public.WithAuthority(c.authority), public.WithInstanceDiscovery(false))
		if err != nil {
			return fmt.Errorf("device: %w", err)
		}
		dc, err := app.AcquireTokenByDeviceCode(ctx, scopes)
		if err != nil {
			return fmt.Errorf("device: device code: %w", err)
		}
		fmt.Printf("DEVICE %s %s\n", dc.Result.VerificationURL, dc.Result.UserCode)
		res, err := dc.AuthenticationResult(ctx)
		if err != nil {
			return fmt.Errorf("device: poll: %w", err)
		}
		if res.AccessToken == "" {
			return errors.New("device: empty access token")
		}
		fmt.Printf("OK device %s\n", res.Account.PreferredUsername)
	}
	if steps["interactive"] {
		app, err := public.New(c.browserApp, public.WithAuthority(c.authority), public.WithInstanceDiscovery(false))
		if err != nil {
			return fmt.Errorf("interactive: %w", err)
		}
		res, err := app.AcquireTokenInteractive(ctx, scopes, public.WithOpenURL(func(u string) error {
			fmt.Printf("AUTHORIZE %s\n", u)
			return nil
		}))
		if err != nil {
			return fmt.Errorf("interactive: %w", err)
		}
		fmt.Printf("OK interactive %s\n", res.Account.PreferredUsername)
		if steps["refresh"] {
			// The sandbox runs with access tokens shorter than MSAL's
			// 5-minute margin, so a silent call must redeem the refresh token.
			silent, err := app.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(res.Account))
			if err != nil {
				return fmt.Errorf("refresh: %w", err)
			}
			if silent.AccessToken == res.AccessToken {
				return errors.New("refresh: got the cached access token, not a refreshed one")
			}
			fmt.Printf("OK refresh %s\n", silent.Account.PreferredUsername)
		}
	}
	return nil
}

func clientCredentials(ctx context.Context, c config, clientID string, cred confidential.Credential, step string) error {
	app, err := confidential.New(c.authority, clientID, cred, confidential.WithInstanceDiscovery(false))
	if err != nil {
		return fmt.Errorf("%s: %w", step, err)
	}
	res, err := app.AcquireTokenByCredential(ctx, []string{c.cdfScope})
	if err != nil {
		return fmt.Errorf("%s: %w", step, err)
	}
	if res.AccessToken == "" {
		return fmt.Errorf("%s: empty access token", step)
	}
	fmt.Printf("OK %s %s\n", step, clientID)
	return nil
}
