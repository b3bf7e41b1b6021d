export * from "./config";
export * from "./apiServer";
export * from "./authenticatingProxy";
