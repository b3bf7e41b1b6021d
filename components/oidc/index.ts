export * from "./apiServer";
export * from "./kubeconfigCredential";
export * from "./keycloakAccess";
