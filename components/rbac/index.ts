export * from "./plan";
export * from "./accessBindings";
