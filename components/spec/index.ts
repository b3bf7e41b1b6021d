export * from "./types";
export * from "./reader";
export * from "./pem";
export * from "./names";
export * from "./validate";
export * from "./load";
export * from "./accessFiles";
