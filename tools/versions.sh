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
# tls and keycloak: the module proxy here refuses every version of their provider
# modules (403), so they cannot be built on this machine; see docs/engine.md.
PULUMI_TLS_VERSION=5.5.1
PULUMI_TLS_COMMIT=c3b9a61e70758bd93edf5699ed8c8ac9d1f53224
PULUMI_KEYCLOAK_VERSION=6.13.0
PULUMI_KEYCLOAK_COMMIT=d68abf5db5169453bb74263ff28561517fbb2d11
TERRAFORM_PROVIDER_KEYCLOAK_COMMIT=f1724f757eb5f25d8263866776da8ecd8734831b

# Local control plane and identity provider for the demo and end-to-end tests.
KUBERNETES_VERSION=1.37.2
ETCD_VERSION=3.6.16
KEYCLOAK_VERSION=26.5.6
