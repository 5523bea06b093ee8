// Command sandbox-kube runs a real kube-apiserver (from the official k8s.io/kubernetes
// module) with an embedded etcd, on loopback only, for the project's tests and demo.
//
//	sandbox-kube serve --dir DIR [--port N] [--webhook-config FILE [--webhook-cache-ttl D]]
//	                                          start; writes DIR/ready.json once /readyz answers
//	sandbox-kube kubectl ARGS...              the real kubectl, same build
package main

import (
	"context"
	"fmt"
	"net/http"
	neturl "net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	kubectl "k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

type url = neturl.URL

func mustURL(raw string) url {
	u, err := neturl.Parse(raw)
	if err != nil {
		panic(err)
	}
	return *u
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "kubectl" {
		cmd := kubectl.NewDefaultKubectlCommand()
		cmd.SetArgs(os.Args[2:])
		if err := cmd.Execute(); err != nil {
			os.Exit(1)
		}
		return
	}
	if len(os.Args) < 2 || os.Args[1] != "serve" {
		fmt.Fprintln(os.Stderr, "usage: sandbox-kube serve --dir DIR [--port N] | sandbox-kube kubectl ARGS...")
		os.Exit(2)
	}
	opts, err := parseServeArgs(os.Args[2:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "sandbox-kube:", err)
		os.Exit(2)
	}
	if err := serve(opts); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox-kube:", err)
		os.Exit(1)
	}
}

type serveOptions struct {
	dir  string
	port int
	// webhookConfig is the kubeconfig of a token webhook (the aws-iam-authenticator), checked after the static tokens.
	webhookConfig string
	// webhookCacheTTL is how long the apiserver keeps a webhook's answer for a token.
	webhookCacheTTL string
}

func parseServeArgs(args []string) (serveOptions, error) {
	opts := serveOptions{}
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--dir":
			i++
			if i >= len(args) {
				return opts, fmt.Errorf("--dir needs a value")
			}
			opts.dir = args[i]
		case "--port":
			i++
			if i >= len(args) {
				return opts, fmt.Errorf("--port needs a value")
			}
			if _, err := fmt.Sscanf(args[i], "%d", &opts.port); err != nil {
				return opts, fmt.Errorf("--port %q: %w", args[i], err)
			}
		case "--webhook-config", "--webhook-cache-ttl":
			name := args[i]
			i++
			if i >= len(args) {
				return opts, fmt.Errorf("%s needs a value", name)
			}
			if name == "--webhook-config" {
				opts.webhookConfig = args[i]
			} else if _, err := time.ParseDuration(args[i]); err != nil {
				return opts, fmt.Errorf("--webhook-cache-ttl %q: %w", args[i], err)
			} else {
				opts.webhookCacheTTL = args[i]
			}
		default:
			return opts, fmt.Errorf("unknown argument %q", args[i])
		}
	}
	if opts.dir == "" {
		return opts, fmt.Errorf("--dir is required")
	}
	return opts, nil
}

func serve(opts serveOptions) error {
	dir, err := filepath.Abs(opts.dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	port := opts.port
	if port == 0 {
		if port, err = freePort(); err != nil {
			return err
		}
	}
	creds, err := writeCredentials(dir)
	if err != nil {
		return fmt.Errorf("writing credentials: %w", err)
	}
	etcd, etcdURL, err := startEtcd(filepath.Join(dir, "etcd"))
	if err != nil {
		return fmt.Errorf("starting etcd: %w", err)
	}
	defer etcd.Close()

	server := fmt.Sprintf("https://127.0.0.1:%d", port)
	go func() {
		if err := waitReady(server, creds); err != nil {
			fmt.Fprintln(os.Stderr, "sandbox-kube:", err)
			_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
			return
		}
		if err := writeReady(dir, server, creds); err != nil {
			fmt.Fprintln(os.Stderr, "sandbox-kube: writing ready.json:", err)
			_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
		}
	}()

	cmd := app.NewAPIServerCommand()
	cmd.SetArgs(apiserverFlags(dir, port, etcdURL, opts))
	cmd.SilenceUsage = true
	return cmd.ExecuteContext(signalContext())
}

func apiserverFlags(dir string, port int, etcdURL string, opts serveOptions) []string {
	file := func(name string) string { return filepath.Join(dir, name) }
	var webhook []string
	if opts.webhookConfig != "" {
		ttl := opts.webhookCacheTTL
		if ttl == "" {
			ttl = "2m0s"
		}
		webhook = []string{
			"--authentication-token-webhook-config-file=" + opts.webhookConfig,
			"--authentication-token-webhook-cache-ttl=" + ttl,
		}
	}
	return append(webhook,
		"--etcd-servers="+etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port),
		"--endpoint-reconciler-type=none",
		"--service-cluster-ip-range=10.0.0.0/24",
		"--tls-cert-file="+file("serving.crt"),
		"--tls-private-key-file="+file("serving.key"),
		"--client-ca-file="+file("ca.crt"),
		"--authorization-mode=RBAC",
		"--anonymous-auth=false",
		"--token-auth-file="+file("tokens.csv"),
		"--service-account-issuer=https://kubernetes.default.svc",
		"--api-audiences=https://kubernetes.default.svc",
		"--service-account-key-file="+file("sa.pub"),
		"--service-account-signing-key-file="+file("sa.key"),
		"--service-account-max-token-expiration=48h",
		"--enable-priority-and-fairness=false",
		"--profiling=false",
		"--v=0",
	)
}

// signalContext is cancelled on SIGTERM/SIGINT so the apiserver shuts down and etcd is closed.
func signalContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-ch
		cancel()
		<-ch
		os.Exit(1)
	}()
	return ctx
}

func startEtcd(dir string) (*embed.Etcd, string, error) {
	clientPort, err := freePort()
	if err != nil {
		return nil, "", err
	}
	peerPort, err := freePort()
	if err != nil {
		return nil, "", err
	}
	cfg := embed.NewConfig()
	cfg.Name = "sandbox"
	cfg.Dir = dir
	cfg.UnsafeNoFsync = true
	cfg.LogLevel = "error"
	client := mustURL(fmt.Sprintf("http://127.0.0.1:%d", clientPort))
	peer := mustURL(fmt.Sprintf("http://127.0.0.1:%d", peerPort))
	cfg.ListenClientUrls = []url{client}
	cfg.AdvertiseClientUrls = []url{client}
	cfg.ListenPeerUrls = []url{peer}
	cfg.AdvertisePeerUrls = []url{peer}
	cfg.InitialCluster = cfg.Name + "=" + peer.String()
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, "", err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, client.String(), nil
	case <-time.After(30 * time.Second):
		e.Close()
		return nil, "", fmt.Errorf("etcd not ready after 30s")
	}
}

func waitReady(server string, creds credentials) error {
	client, err := creds.httpClient()
	if err != nil {
		return err
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest(http.MethodGet, server+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+creds.AdminToken)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("kube-apiserver at %s not ready after 60s", server)
}
