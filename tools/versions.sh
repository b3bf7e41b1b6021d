# Versions of every external tool kube-access builds or runs, in one place.
# Sourced by tools/env.sh; bump a version here and the cache key changes with it.

# Pulumi engine and providers: must match the npm SDKs pinned in package.json.
PULUMI_VERSION=3.248.0
PULUMI_COMMIT=dc7edd58bc13179f81b80983aab4eb7f74a01b41
# The module proxy here serves pulumi-kubernetes' provider module only at the
# v4.25.0 tag's commit, so the npm SDK is pinned to 4.25.0 as well.
PULUMI_KUBERNETES_VERSION=4.25.0
PULUMI_KUBERNETES_COMMIT=f47bc2d6f1996444d11c12b4ef083b82585f7c07
# Node.js language host: its own module is not served here at any version; sdk/v3
# v3.68.0 is the newest release that still contains it (tools/engine/language-nodejs).
PULUMI_LANGUAGE_NODEJS_VERSION=3.68.0
# tls and keycloak: the module proxy here refuses their provider modules, so they
# are built from the unmodified upstream sources in ../shared/third_party (archive
# name and SHA-256 below); every other module comes from the module proxy. See
# docs/engine.md.
PULUMI_TLS_VERSION=5.5.1
PULUMI_TLS_COMMIT=c3b9a61e70758bd93edf5699ed8c8ac9d1f53224
PULUMI_TLS_ARCHIVE=pulumi-tls-5.5.1.tgz
PULUMI_TLS_ARCHIVE_SHA256=e1a32e9bc2b3905a2a68491fb34b44f0b7ac24795acc7d52ddfead5c71ea6d75
PULUMI_KEYCLOAK_VERSION=6.13.0
PULUMI_KEYCLOAK_COMMIT=d68abf5db5169453bb74263ff28561517fbb2d11
TERRAFORM_PROVIDER_KEYCLOAK_COMMIT=f1724f757eb5f25d8263866776da8ecd8734831b
PULUMI_KEYCLOAK_ARCHIVE=pulumi-keycloak-6.13.0-with-terraform-provider-keycloak-5.9.0.tgz
PULUMI_KEYCLOAK_ARCHIVE_SHA256=badce241014109701edeaef5e4902a78c3cc6f30ecdb208e4928b637f4dd09f8

# kubelogin (`kubectl oidc-login`), the exec credential plugin in OIDC kubeconfigs,
# built from ../shared/third_party like the two providers above.
KUBELOGIN_VERSION=1.36.3
KUBELOGIN_COMMIT=fb427a8063fe42aef7a092bdcfc7724c22d1594d
KUBELOGIN_ARCHIVE=kubelogin-1.36.3.tgz
KUBELOGIN_ARCHIVE_SHA256=6338e00b743b946c0f2884df31ebcf2e6d52f9aae1ce033be16eb1b8f6d7ae9c

# Go release the builds need: Kubernetes 1.37's go.mod says go 1.26.0 (GOTOOLCHAIN=local).
GO_MIN=1.26

# Local control plane and identity provider for the demo and end-to-end tests.
KUBERNETES_VERSION=1.37.2
ETCD_VERSION=3.6.16
KEYCLOAK_VERSION=26.5.6
# The oldest Java release Keycloak 26 supports (its server installation guide:
# OpenJDK 21); tools/local-cluster.sh looks for one (tools/find-java.sh).
KEYCLOAK_JAVA_MIN=21

# Node.js policy packs (policy/): the launcher script `pulumi-analyzer-policy`
# from the @pulumi/pulumi npm package. 3.220.0 is the last release that ships
# it (later ones run packs through the language host's RunPlugin, which the
# 3.68.0 language host here does not implement). See docs/engine.md.
PULUMI_POLICY_LAUNCHER_VERSION=3.220.0
# The runtime name a policy pack declares for this engine, so the CLI starts
# the launcher (analyzer plugin policy-<runtime>) instead of the language host.
PULUMI_POLICY_LAUNCHER_RUNTIME=nodejs-launcher

# actionlint, the GitHub Actions workflow linter, from the Go module proxy.
ACTIONLINT_VERSION=1.7.12
