export * from "./csr";
export * from "./clusterSigning";
export * from "./clusterSignedCertificate";
export * from "./certificateUser";
