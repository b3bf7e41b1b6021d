// One linter for the whole TypeScript code base: eslint's and typescript-eslint's recommended rules.
const js = require("@eslint/js");
const tseslint = require("typescript-eslint");

module.exports = tseslint.config(
    { ignores: ["node_modules/", "bin/", "coverage/", ".kube-access/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    { files: ["**/*.js"], rules: { "@typescript-eslint/no-require-imports": "off" } },
    {
        languageOptions: {
            globals: {
                require: "readonly",
                module: "writable",
                process: "readonly",
                console: "readonly",
                __dirname: "readonly",
                Buffer: "readonly",
                URLSearchParams: "readonly",
                URL: "readonly",
                fetch: "readonly",
            },
        },
        rules: {
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        },
    },
);
