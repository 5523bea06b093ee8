package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// motoSTS answers the verifier's GetCallerIdentity requests for the real STS host names from moto.
//
// moto never checks a signature and answers an access key it never issued with a default identity, so
// before asking it who the caller is, this checks what STS checks of a presigned request: the SigV4
// signature over the query and the signed headers (x-k8s-aws-id included, so a token for another cluster
// fails) with the secret of that key as moto holds it, that the key is active, that a session's token
// matches, the credential scope (date, region, service) and the signing time. Then it re-sends the
// request in the form moto understands (the key in an Authorization header, a JSON answer).
type motoSTS struct {
	moto   *url.URL
	client *http.Client
	now    func() time.Time
	// sessions keeps the credentials of STS sessions already looked up: moto never changes them, and
	// reading moto's whole state for each token is slow once a test run has made many resources.
	// IAM access keys are read afresh every time: their status changes (a key made inactive).
	mu       sync.Mutex
	sessions map[string]motoKey
}

func newMotoSTS(moto *url.URL) *motoSTS {
	return &motoSTS{
		moto:     moto,
		client:   &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 10 * time.Second},
		now:      time.Now,
		sessions: map[string]motoKey{},
	}
}

// stsHost matches the host names the verifier accepts for the aws partition: the global endpoint and
// the regional, FIPS and dual-stack ones.
var stsHost = regexp.MustCompile(`^(sts\.amazonaws\.com|sts(-fips)?\.([a-z0-9-]+)\.(amazonaws\.com|api\.aws))$`)

func stsRegion(host string) string {
	m := stsHost.FindStringSubmatch(host)
	if m == nil {
		return ""
	}
	if m[3] == "" {
		return "us-east-1"
	}
	return m[3]
}

func (m *motoSTS) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" || !stsHost.MatchString(req.URL.Host) {
		return nil, fmt.Errorf("sandbox STS adapter serves only STS host names, refusing %s://%s", req.URL.Scheme, req.URL.Host)
	}
	keyID, code, err := m.verify(req)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sandbox-sts: refused %s (key %s): %v\n", code, keyID, err)
		return stsError(req, http.StatusForbidden, code, err.Error()), nil
	}
	return m.callerIdentity(req, keyID)
}

type motoKey struct {
	AccessKeyID     string  `json:"access_key_id"`
	SecretAccessKey string  `json:"secret_access_key"`
	Status          string  `json:"status"`
	RoleARN         *string `json:"role_arn"`
	SessionToken    string  `json:"session_token"`
}

// key looks the access key up in moto's own state: IAM access keys (with their status) and the
// credentials of STS sessions (with their session token).
func (m *motoSTS) key(id string) (*motoKey, error) {
	m.mu.Lock()
	session, known := m.sessions[id]
	m.mu.Unlock()
	if known {
		return &session, nil
	}
	resp, err := m.client.Get(m.moto.JoinPath("/moto-api/data.json").String())
	if err != nil {
		return nil, fmt.Errorf("reading moto's state: %w", err)
	}
	defer resp.Body.Close()
	var data struct {
		IAM struct {
			AccessKey []motoKey `json:"AccessKey"`
		} `json:"iam"`
		STS struct {
			AssumedRole []motoKey `json:"AssumedRole"`
		} `json:"sts"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&data); err != nil {
		return nil, fmt.Errorf("reading moto's state: %w", err)
	}
	for _, session := range data.STS.AssumedRole {
		if session.AccessKeyID == id {
			session.Status = "Active"
			m.mu.Lock()
			m.sessions[id] = session
			m.mu.Unlock()
			return &session, nil
		}
	}
	for _, key := range data.IAM.AccessKey {
		if key.AccessKeyID == id && key.RoleARN == nil {
			return &key, nil
		}
	}
	return nil, nil
}

// verify returns the access key ID once the presigned request is one STS would accept, or an STS
// error code and why not.
func (m *motoSTS) verify(req *http.Request) (string, string, error) {
	query := req.URL.Query()
	get := func(name string) string {
		for k, v := range query {
			if strings.EqualFold(k, name) && len(v) == 1 {
				return v[0]
			}
		}
		return ""
	}
	if get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" {
		return "", "IncompleteSignature", fmt.Errorf("X-Amz-Algorithm must be AWS4-HMAC-SHA256")
	}
	scope := strings.Split(get("X-Amz-Credential"), "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return "", "IncompleteSignature", fmt.Errorf("malformed X-Amz-Credential")
	}
	keyID, day, region, service := scope[0], scope[1], scope[2], scope[3]
	stamp := get("X-Amz-Date")
	signedAt, err := time.Parse("20060102T150405Z", stamp)
	if err != nil || stamp[:8] != day {
		return keyID, "IncompleteSignature", fmt.Errorf("X-Amz-Date %q does not match the credential scope date %q", stamp, day)
	}
	if service != "sts" {
		return keyID, "SignatureDoesNotMatch", fmt.Errorf("credential scope names service %q, not sts", service)
	}
	if want := stsRegion(req.URL.Host); region != want {
		return keyID, "SignatureDoesNotMatch", fmt.Errorf("credential scope names region %q, the host is in %q", region, want)
	}
	if signedAt.After(m.now().Add(5 * time.Minute)) {
		return keyID, "SignatureDoesNotMatch", fmt.Errorf("signature not yet current: %s", stamp)
	}
	if m.now().After(signedAt.Add(15 * time.Minute)) {
		return keyID, "ExpiredToken", fmt.Errorf("request signature expired at %s", signedAt.Add(15*time.Minute).Format(time.RFC3339))
	}
	key, err := m.key(keyID)
	if err != nil {
		return keyID, "InternalFailure", err
	}
	if key == nil {
		return keyID, "InvalidClientTokenId", fmt.Errorf("the security token included in the request is invalid: moto never issued this access key")
	}
	if key.Status != "Active" {
		return keyID, "InvalidClientTokenId", fmt.Errorf("the access key is %s", key.Status)
	}
	if key.SessionToken != get("X-Amz-Security-Token") {
		return keyID, "InvalidClientTokenId", fmt.Errorf("the session token does not belong to this access key")
	}
	want := signature(req, key.SecretAccessKey, stamp, day, region, service)
	if !hmac.Equal([]byte(want), []byte(get("X-Amz-Signature"))) {
		return keyID, "SignatureDoesNotMatch", fmt.Errorf("the request signature we calculated does not match the signature provided")
	}
	return keyID, "", nil
}

// signature recomputes the SigV4 query signature of the request as received, with the header values
// the verifier sent (Host from the URL, x-k8s-aws-id as the authenticator's cluster ID).
func signature(req *http.Request, secret, stamp, day, region, service string) string {
	var pairs []string
	for k, vs := range req.URL.Query() {
		if strings.EqualFold(k, "X-Amz-Signature") {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, uriEncode(k)+"="+uriEncode(v))
		}
	}
	sort.Strings(pairs)
	var signed []string
	for k, vs := range req.URL.Query() {
		if strings.EqualFold(k, "X-Amz-SignedHeaders") && len(vs) == 1 {
			signed = strings.Split(vs[0], ";")
		}
	}
	var headers strings.Builder
	for _, name := range signed {
		value := req.Header.Get(name)
		if strings.EqualFold(name, "host") {
			value = req.URL.Host
		}
		headers.WriteString(strings.ToLower(name) + ":" + strings.Join(strings.Fields(value), " ") + "\n")
	}
	emptyBody := sha256.Sum256(nil)
	canonical := strings.Join([]string{
		http.MethodGet, "/", strings.Join(pairs, "&"), headers.String(), strings.Join(signed, ";"), hex.EncodeToString(emptyBody[:]),
	}, "\n")
	hashed := sha256.Sum256([]byte(canonical))
	scope := strings.Join([]string{day, region, service, "aws4_request"}, "/")
	toSign := strings.Join([]string{"AWS4-HMAC-SHA256", stamp, scope, hex.EncodeToString(hashed[:])}, "\n")
	key := []byte("AWS4" + secret)
	for _, part := range []string{day, region, service, "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	return hex.EncodeToString(hmacSHA256(key, toSign))
}

func hmacSHA256(key []byte, data string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(data))
	return mac.Sum(nil)
}

// uriEncode is SigV4's encoding: every byte but the unreserved characters as %XX, upper case.
func uriEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// callerIdentity asks moto who owns the key: moto reads the caller from an Authorization header and
// answers JSON when asked with ContentType=JSON.
func (m *motoSTS) callerIdentity(req *http.Request, keyID string) (*http.Response, error) {
	day := m.now().UTC().Format("20060102")
	form := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}, "ContentType": {"JSON"}}
	ask, err := http.NewRequestWithContext(req.Context(), http.MethodPost, m.moto.String()+"/", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	ask.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	ask.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=verified-by-sandbox-sts", keyID, day))
	resp, err := m.client.Do(ask)
	if err != nil {
		return nil, fmt.Errorf("asking moto for the caller identity: %w", err)
	}
	resp.Request = req
	return resp, nil
}

func stsError(req *http.Request, status int, code, message string) *http.Response {
	body, _ := json.Marshal(map[string]any{"Error": map[string]string{"Code": code, "Message": message, "Type": "Sender"}})
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(string(body))),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}
