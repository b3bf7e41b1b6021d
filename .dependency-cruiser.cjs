/**
 * Import rules for components/: imports point one way, down the layers
 * README.md's "Layout" lists. Checked by `npm run lint` (dependency-cruiser).
 * Tests may import across layers; product code may not.
 */
const layers = [
    ["intake"],
    ["model"],
    ["x509", "kubernetesApi", "kubeconfig", "dynamicProvider", "rotation"],
    ["rbac", "namespaces"],
    ["certificates", "serviceAccounts", "oidc", "impersonation", "proxy"],
    ["access"],
    ["report"],
];
const methods = layers[4];
const folderPattern = (folders) => `^components/(${folders.join("|")})/`;
const notTest = "\\.test\\.ts$";

module.exports = {
    forbidden: [
        ...layers.slice(0, -1).map((layer, i) => ({
            name: `${layer.join("-")}-imports-higher-layer`,
            comment: `${layer.join(", ")} may import only from the layers below it`,
            severity: "error",
            from: { path: folderPattern(layer), pathNot: notTest },
            to: { path: folderPattern(layers.slice(i + 1).flat()) },
        })),
        {
            name: "method-imports-method",
            comment: "auth method folders share code only through the layers below them",
            severity: "error",
            from: { path: folderPattern(methods), pathNot: notTest },
            to: { path: folderPattern(methods), pathNot: "^components/$1/" },
        },
        {
            name: "components-import-public-api",
            comment: "inside components/, import the module itself, not the public API in components/index.ts",
            severity: "error",
            from: { path: "^components/.+/", pathNot: notTest },
            to: { path: "^components/index\\.ts$" },
        },
        {
            name: "no-circular",
            severity: "error",
            from: { pathNot: notTest },
            to: { circular: true },
        },
        {
            name: "unknown-components-folder",
            comment: "every folder of components/ belongs to a layer above",
            severity: "error",
            from: { path: "^components/", pathNot: `${folderPattern(layers.flat())}|^components/index\\.ts$` },
            to: {},
        },
    ],
    options: {
        doNotFollow: { path: "node_modules" },
        tsConfig: { fileName: "tsconfig.json" },
        tsPreCompilationDeps: true,
    },
};
