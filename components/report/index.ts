export * from "./model";
export * from "./escalation";
export * from "./snapshot";
export * from "./diff";
export * from "./render";
