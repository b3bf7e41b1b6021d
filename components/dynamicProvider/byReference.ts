import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

/** The methods the Pulumi dynamic-provider host calls, when a provider has them. */
const methodNames = ["check", "diff", "create", "read", "update", "delete", "configure"] as const;

/**
 * How the dynamic-provider host finds the module `file`: as a package path
 * (`<package>/<path>`) when it lies under `node_modules`, otherwise relative to
 * the project folder `cwd` (`./components/...`). The file extension is
 * dropped, so a compiled `.js` is found as well as the `.ts` source. Paths use
 * `/` on every platform.
 */
export function moduleSpecifier(file: string, cwd: string): string {
    const withoutExtension = file.replace(/\.[cm]?[jt]s$/, "");
    const parts = withoutExtension.split(path.sep);
    const nodeModules = parts.lastIndexOf("node_modules");
    if (nodeModules >= 0) return parts.slice(nodeModules + 1).join("/");
    const relative = path.relative(cwd, withoutExtension).split(path.sep).join("/");
    return relative.startsWith("../") ? relative : `./${relative}`;
}

/**
 * A dynamic provider that Pulumi stores by reference instead of by value.
 *
 * Pulumi serialises a dynamic provider's code, with everything it reaches,
 * into the `__provider` property of every resource it manages (issue #17
 * measured 10 to 20 KB per resource). The provider returned here holds only
 * the module specifier of `file` and the name `exportName` that module
 * exports `implementation` under: each call loads the module in the
 * dynamic-provider host (registering ts-node's transpiler first when only the
 * TypeScript source is there) and forwards to it. The host resolves the
 * specifier from the project folder, its working directory.
 *
 * So the code that runs is always this checkout's, also for resources a
 * stack recorded with an older program, and `__provider` is the same short
 * text on every run.
 *
 * @param implementation the provider itself; only the names of its methods are used here.
 * @param file the file that exports it, normally `__filename`.
 * @param exportName the name `file` exports `implementation` under.
 */
export function providerByReference(
    implementation: pulumi.dynamic.ResourceProvider,
    file: string,
    exportName: string,
): pulumi.dynamic.ResourceProvider {
    const specifier = moduleSpecifier(file, process.cwd());
    // Serialised by Pulumi: this function may use only its own locals, the
    // two strings above and the host's `require`.
    /* eslint-disable @typescript-eslint/no-require-imports -- the host's require, at run time */
    const load = (): Record<string, (...args: unknown[]) => unknown> => {
        const loaded = (): Record<string, (...args: unknown[]) => unknown> => require(specifier)[exportName];
        try {
            return loaded();
        } catch (error) {
            const notFound = (error as { code?: string }).code === "MODULE_NOT_FOUND";
            if (!notFound || require.extensions[".ts"]) throw error;
            try {
                require("ts-node").register({ transpileOnly: true });
                return loaded();
            } catch (retried) {
                throw new Error(
                    `kube-access cannot load its provider ${exportName} from ${specifier} in ${process.cwd()}: ` +
                        `${(retried as Error).message.split("\n")[0]}. Run pulumi from the project folder (the one ` +
                        "with Pulumi.yaml) after npm ci; the dynamic-provider host resolves the module from there.",
                );
            }
        }
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    const provider: Record<string, (...args: unknown[]) => unknown> = {};
    for (const method of methodNames) {
        if (implementation[method]) provider[method] = (...args: unknown[]) => load()[method](...args);
    }
    // The same methods as `implementation`, so the same provider type.
    return provider as unknown as pulumi.dynamic.ResourceProvider;
}
