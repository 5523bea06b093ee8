package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// credentials are made fresh at every start: a CA, a serving certificate for 127.0.0.1,
// a service-account signing key and static bearer tokens for an admin and test users.
type credentials struct {
	CAPEM      []byte            `json:"-"`
	AdminToken string            `json:"adminToken"`
	UserTokens map[string]string `json:"userTokens"`
}

// staticUsers are written to the token file; the admin is in system:masters, the others are not.
var staticUsers = []struct{ name, groups string }{
	{"sandbox-admin", "system:masters"},
	{"alice", "developers"},
	{"bob", "partners"},
}

func writeCredentials(dir string) (credentials, error) {
	var creds credentials
	caKey, caCert, caPEM, err := newCA()
	if err != nil {
		return creds, err
	}
	creds.CAPEM = caPEM
	if err := os.WriteFile(filepath.Join(dir, "ca.crt"), caPEM, 0o600); err != nil {
		return creds, err
	}
	certPEM, keyPEM, err := newServingCert(caKey, caCert)
	if err != nil {
		return creds, err
	}
	if err := os.WriteFile(filepath.Join(dir, "serving.crt"), certPEM, 0o600); err != nil {
		return creds, err
	}
	if err := os.WriteFile(filepath.Join(dir, "serving.key"), keyPEM, 0o600); err != nil {
		return creds, err
	}
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return creds, err
	}
	saPriv := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(saKey)})
	saPubDER, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return creds, err
	}
	saPub := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: saPubDER})
	if err := os.WriteFile(filepath.Join(dir, "sa.key"), saPriv, 0o600); err != nil {
		return creds, err
	}
	if err := os.WriteFile(filepath.Join(dir, "sa.pub"), saPub, 0o600); err != nil {
		return creds, err
	}
	creds.UserTokens = map[string]string{}
	lines := ""
	for i, u := range staticUsers {
		token, err := randomToken()
		if err != nil {
			return creds, err
		}
		if i == 0 {
			creds.AdminToken = token
		} else {
			creds.UserTokens[u.name] = token
		}
		lines += fmt.Sprintf("%s,%s,%s,\"%s\"\n", token, u.name, u.name, u.groups)
	}
	return creds, os.WriteFile(filepath.Join(dir, "tokens.csv"), []byte(lines), 0o600)
}

func newCA() (*ecdsa.PrivateKey, *x509.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "eks-access-sync-sandbox-ca"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, nil, err
	}
	return key, cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

func newServingCert(caKey *ecdsa.PrivateKey, ca *x509.Certificate) ([]byte, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost", "kubernetes.default.svc"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), nil
}

func randomToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func (c credentials) httpClient() (*http.Client, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(c.CAPEM) {
		return nil, fmt.Errorf("sandbox CA does not parse")
	}
	return &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
	}, nil
}

// writeReady publishes what clients need, atomically, so a reader never sees half a file.
func writeReady(dir, server string, creds credentials) error {
	body, err := json.MarshalIndent(map[string]any{
		"server":     server,
		"caData":     base64.StdEncoding.EncodeToString(creds.CAPEM),
		"adminToken": creds.AdminToken,
		"userTokens": creds.UserTokens,
		"pid":        os.Getpid(),
	}, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "ready.json.tmp")
	if err := os.WriteFile(tmp, body, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "ready.json"))
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
