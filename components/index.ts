/**
 * The public API of kube-access as a library: what a Pulumi program may import
 * to onboard users with its own config. Everything not named here is internal
 * and may change without notice.
 *
 * - Read and validate config: `loadAccessSpec` (from stack config),
 *   `validateWithAccessFiles` (a plain object naming access files) or
 *   `validateAccessSpec` (a plain object without them), all throwing
 *   `AccessSpecError` with every problem and its field path.
 * - Create everything: `KubeAccess` (one component for the whole spec).
 * - Or one method at a time: `CertificateUser`, `ServiceAccountUser`,
 *   `KeycloakAccess`, `AccessBindings`, `ImpersonationAccess`, `AuthenticatingProxy`.
 * - Pure helpers: the API server's view of an identity (`apiServerUsername`,
 *   `apiServerGroups`), binding planning (`planRoleBindings`) and kubeconfig
 *   rendering (`renderKubeconfig`).
 */

// Config: the model and its intake.
export type * from "./model/types";
export { AccessSpecError } from "./intake/reader";
export type { SpecIssue } from "./intake/reader";
export { configKeys, secretConfigKeys, validateAccessSpec } from "./access/validate";
export type { RawConfig, ConfigFacts } from "./access/validate";
export { configNamespace, loadAccessSpec } from "./access/load";
export { validateWithAccessFiles } from "./intake/accessFiles";
export type { AccessSecrets } from "./access/load";

// Identity: what the API server sees.
export { apiServerGroups, apiServerUsername, serviceAccountUsername } from "./model/identity";

// The orchestrator.
export { KubeAccess, needsKubernetesObjects, providerClusterIdentifier } from "./access/kubeAccess";
export type { KubeAccessArgs, OidcApiServerSettings, AuthenticatingProxySettings } from "./access/kubeAccess";
export { userSummaries } from "./access/summary";
export type { UserSummary, CredentialSummary } from "./access/summary";
export { publishedPassphraseWarning } from "./access/passphraseCheck";

// One component per auth method, and RBAC.
export { CertificateUser } from "./certificates/certificateUser";
export type { CertificateUserArgs } from "./certificates/certificateUser";
export { ServiceAccountUser } from "./serviceAccounts/serviceAccountUser";
export type { ServiceAccountUserArgs } from "./serviceAccounts/serviceAccountUser";
export { KeycloakAccess } from "./oidc/keycloakAccess";
export { oidcKubeconfig } from "./oidc/kubeconfigCredential";
export type { KeycloakAccessArgs } from "./oidc/keycloakAccess";
export { apiServerOidcFlags, authenticationConfiguration } from "./oidc/apiServer";
export { ImpersonationAccess } from "./impersonation/impersonationAccess";
export type { ImpersonationAccessArgs } from "./impersonation/impersonationAccess";
export { AuthenticatingProxy } from "./proxy/authenticatingProxy";
export type { AuthenticatingProxyArgs } from "./proxy/authenticatingProxy";
export { requestHeaderFlags } from "./proxy/apiServer";
export { AccessBindings } from "./rbac/accessBindings";
export type { AccessBindingsArgs } from "./rbac/accessBindings";
export { planRoleBindings } from "./rbac/plan";
export type { PlannedBinding, RbacSubject } from "./rbac/plan";

// Kubeconfigs.
export { renderKubeconfig } from "./kubeconfig/render";
export type { KubeconfigInput, KubeconfigCredential } from "./kubeconfig/render";
