// Command sandbox-authenticator runs the real aws-iam-authenticator server
// (sigs.k8s.io/aws-iam-authenticator/pkg/server) as the sandbox kube-apiserver's token webhook, reading
// its mappings from kube-system/aws-auth as on EKS, and asking moto who signed each token (see sts.go).
//
//	sandbox-authenticator serve --dir DIR --port N --health-port N --cluster-id ID --moto URL --kubeconfig FILE
//	                            [--creator-role ARN]
//
// --creator-role maps that role as EKS maps a cluster's creator: an administrator (system:masters) that
// does not appear in aws-auth. It is kept in the authenticator's own configuration (the MountedFile
// backend, asked before aws-auth), so no rewrite of aws-auth can lock the functions out.
//
// The apiserver needs the webhook's address and CA before it starts, and the authenticator needs the
// apiserver to read aws-auth, so start-up has two phases: first DIR/webhook.kubeconfig is written (the
// file for --authentication-token-webhook-config-file), then the server waits for FILE, a kubeconfig for
// the running apiserver, and serves.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/aws-iam-authenticator/pkg/config"
	"sigs.k8s.io/aws-iam-authenticator/pkg/mapper"
	"sigs.k8s.io/aws-iam-authenticator/pkg/metrics"
	"sigs.k8s.io/aws-iam-authenticator/pkg/server"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "serve" {
		fmt.Fprintln(os.Stderr, "usage: sandbox-authenticator serve --dir DIR --port N --health-port N --cluster-id ID --moto URL --kubeconfig FILE")
		os.Exit(2)
	}
	flags := flag.NewFlagSet("serve", flag.ExitOnError)
	dir := flags.String("dir", "", "state directory (certificate, key, webhook kubeconfig)")
	port := flags.Int("port", 0, "loopback port of the webhook")
	healthPort := flags.Int("health-port", 0, "loopback port of the health endpoint")
	clusterID := flags.String("cluster-id", "", "the cluster ID tokens must be signed for (x-k8s-aws-id)")
	moto := flags.String("moto", "", "moto server URL that answers GetCallerIdentity")
	kubeconfig := flags.String("kubeconfig", "", "kubeconfig of the apiserver whose kube-system/aws-auth holds the mappings")
	creator := flags.String("creator-role", "", "IAM role ARN mapped as the cluster creator (outside aws-auth)")
	_ = flags.Parse(os.Args[2:])
	if *dir == "" || *port == 0 || *healthPort == 0 || *clusterID == "" || *moto == "" || *kubeconfig == "" {
		fmt.Fprintln(os.Stderr, "sandbox-authenticator: --dir, --port, --health-port, --cluster-id, --moto and --kubeconfig are required")
		os.Exit(2)
	}
	motoURL, err := url.Parse(*moto)
	if err != nil || motoURL.Scheme != "http" || motoURL.Hostname() != "127.0.0.1" {
		fmt.Fprintf(os.Stderr, "sandbox-authenticator: --moto must be an http://127.0.0.1 URL, got %q\n", *moto)
		os.Exit(2)
	}
	if err := serve(*dir, *port, *healthPort, *clusterID, motoURL, *kubeconfig, *creator); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox-authenticator:", err)
		os.Exit(1)
	}
}

func serve(dir string, port, healthPort int, clusterID string, moto *url.URL, kubeconfig, creator string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	// The verifier's HTTP client uses the default transport: STS requests go to moto, through the
	// signature check STS itself would make; any other host is refused.
	http.DefaultTransport = newMotoSTS(moto)

	cfg := config.Config{
		PartitionID:               "aws",
		ClusterID:                 clusterID,
		HostPort:                  port,
		HealthPort:                healthPort,
		Hostname:                  "127.0.0.1",
		Address:                   "127.0.0.1",
		StateDir:                  dir,
		GenerateKubeconfigPath:    filepath.Join(dir, "webhook.kubeconfig"),
		Kubeconfig:                kubeconfig,
		BackendMode:               []string{mapper.ModeEKSConfigMap},
		EC2DescribeInstancesQps:   15,
		EC2DescribeInstancesBurst: 5,
	}
	if creator != "" {
		cfg.BackendMode = []string{mapper.ModeMountedFile, mapper.ModeEKSConfigMap}
		cfg.RoleMappings = []config.RoleMapping{{RoleARN: creator, Username: "kubernetes-admin", Groups: []string{"system:masters"}}}
	}
	// Phase 1: the certificate and the webhook kubeconfig the apiserver is started with.
	if err := cfg.GenerateFiles(); err != nil {
		return fmt.Errorf("generating the webhook kubeconfig: %w", err)
	}
	cfg.KubeconfigPregenerated = true
	// Phase 2: once the apiserver runs, its kubeconfig appears.
	ctx := signalContext()
	for {
		if _, err := os.Stat(kubeconfig); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(100 * time.Millisecond):
		}
	}
	metrics.InitMetrics(prometheus.DefaultRegisterer)
	srv := server.New(ctx, cfg)
	// The upstream health server listens on every interface (":port"); taking the port on loopback first
	// makes that bind fail (it only logs), so health is answered on 127.0.0.1 alone, and only once the
	// webhook's listener is open.
	health, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", healthPort))
	if err != nil {
		return fmt.Errorf("health port: %w", err)
	}
	go func() {
		_ = http.Serve(health, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	}()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	srv.Run(ctx.Done())
	return nil
}

// signalContext is cancelled on SIGTERM/SIGINT.
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
