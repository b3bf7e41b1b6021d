/** End-to-end tests: the real Pulumi engine, kube-apiserver, Keycloak and kubectl. Run with `npm run test:e2e`. */
module.exports = {
    preset: "ts-jest",
    testEnvironment: "node",
    roots: ["<rootDir>/test/e2e"],
    testTimeout: 15 * 60 * 1000,
    maxWorkers: 1,
    verbose: true,
};
