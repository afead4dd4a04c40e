package flows

import "crypto/tls"

// newTLSConfig is the TLS configuration used when the base transport has
// none: TLS 1.2 or later.
func newTLSConfig() *tls.Config { return &tls.Config{MinVersion: tls.VersionTLS12} }
