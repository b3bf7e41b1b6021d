# Go modules that tools/build-engine.sh builds, derived from tools/versions.sh.
# Sourced by the build script only.
#
# Untagged modules are addressed by pseudo-version (v<major>.0.0-<commit UTC
# time>-<12-hex commit>): the module proxy refuses a bare commit hash. The
# commit times below were read from the upstream git history for the commits
# pinned in tools/versions.sh; bump them together.

# Engine CLI: built from the wrapper module tools/engine/pulumi (go.mod pins it).
ENGINE_PULUMI_PKG=github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
ENGINE_VERSION_LDFLAG=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version

# Node.js language host: built from the wrapper module tools/engine/language-nodejs,
# which pins sdk/v3 v$PULUMI_LANGUAGE_NODEJS_VERSION (its own newer module is not served here).
ENGINE_LANGHOST_PKG=github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs

# Providers: module, pseudo-version, main package dir inside the module,
# version variable stamped with -X.
# tls and keycloak are built from source archives (tools/versions.sh), not modules.
ENGINE_TLS_VERSION_VAR=github.com/pulumi/pulumi-tls/provider/v5/pkg/version.Version

ENGINE_KUBERNETES_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
ENGINE_KUBERNETES_MODVER=v4.0.0-20260115033456-${PULUMI_KUBERNETES_COMMIT:0:12}
ENGINE_KUBERNETES_VERSION_VAR=github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version

ENGINE_KEYCLOAK_VERSION_VAR=github.com/pulumi/pulumi-keycloak/provider/v6/pkg/version.Version
