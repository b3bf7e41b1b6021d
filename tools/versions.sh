# Versions of every external tool kube-access builds or runs, in one place.
# Sourced by tools/env.sh; bump a version here and the cache key changes with it.

# Pulumi engine and providers: must match the npm SDKs pinned in package.json.
PULUMI_VERSION=3.248.0
PULUMI_COMMIT=dc7edd58bc13179f81b80983aab4eb7f74a01b41
PULUMI_KUBERNETES_VERSION=4.32.0
PULUMI_KUBERNETES_COMMIT=a03ff6ba58d2f1ea68319dda4b2c982119489c71
PULUMI_TLS_VERSION=5.5.1
PULUMI_TLS_COMMIT=c3b9a61e70758bd93edf5699ed8c8ac9d1f53224
PULUMI_KEYCLOAK_VERSION=6.13.0
PULUMI_KEYCLOAK_COMMIT=d68abf5db5169453bb74263ff28561517fbb2d11
TERRAFORM_PROVIDER_KEYCLOAK_COMMIT=f1724f757eb5f25d8263866776da8ecd8734831b

# Local control plane and identity provider for the demo and end-to-end tests.
KUBERNETES_VERSION=1.37.2
ETCD_VERSION=3.6.16
KEYCLOAK_VERSION=26.5.6
