export * from "./spec";
export * from "./identity";
export * from "./certificates";
export * from "./serviceAccounts";
export * from "./oidc";
export * from "./rbac";
export * from "./kubeconfig";
export * from "./kubeAccess";
