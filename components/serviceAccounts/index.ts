export * from "./serviceAccountToken";
export * from "./serviceAccountUser";
