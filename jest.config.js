/** Unit tests: fast, with Pulumi mocks; end-to-end tests live in test/e2e and run with `npm run test:e2e`. */
module.exports = {
    preset: "ts-jest",
    testEnvironment: "node",
    roots: ["<rootDir>/components", "<rootDir>/test", "<rootDir>/policy"],
    testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/e2e/"],
    transform: { "^.+\\.ts$": ["ts-jest"] },
    testTimeout: 60000,
};
