import * as fs from "fs";
import * as path from "path";
import { accessFilesKey, mergeAccessFiles } from "../../components/intake/accessFiles";
import { isPlainObject } from "../../components/intake/reader";

/**
 * The name the demo's stack, whose project folder is not the checkout
 * (`.kube-access/demo/project`), gives an access file that the checkout's
 * Pulumi.dev.yaml names. A relative name is kept as written, so problems
 * name the file as the user wrote it (`teams/a.yaml:users[0]`), and the
 * first folder (or file) of the name is linked from the project folder to the
 * checkout's. An absolute name is kept; a name that leaves the checkout
 * (`../x.yaml`), or whose first folder the project folder already has for
 * something else (`node_modules/...`), becomes the absolute path of the file
 * in the checkout.
 *
 * @param file one entry of `kube-access:accessFiles`; anything but a string is returned as it is, for validation to refuse.
 * @param checkout the folder Pulumi.dev.yaml is in.
 * @param projectDir the demo stack's project folder; created if missing.
 */
export function demoAccessFileName(file: unknown, checkout: string, projectDir: string): unknown {
    if (typeof file !== "string" || path.isAbsolute(file)) return file;
    const first = path.normalize(file).split(path.sep)[0];
    const absolute = path.resolve(checkout, file);
    if (first === ".." || first === "." || first === "") return absolute;
    const link = path.join(projectDir, first);
    const target = path.join(checkout, first);
    fs.mkdirSync(projectDir, { recursive: true });
    if (!fs.lstatSync(link, { throwIfNoEntry: false })) {
        fs.symlinkSync(target, link);
        return file;
    }
    const same = (a: string, b: string) => {
        try {
            return fs.realpathSync(a) === fs.realpathSync(b);
        } catch {
            return false;
        }
    };
    return same(link, target) ? file : absolute;
}

/**
 * The names of the OIDC users the demo's config declares, inline
 * (`kube-access:users`) and in the access files it names
 * (`kube-access:accessFiles`, relative to `checkout`), in that order: each
 * gets an initial password from the demo. Entries that are not users of
 * method `oidc` with a string name are skipped; whether the config is valid
 * is for `pulumi up` to say.
 *
 * @param config the `config` map of the checkout's Pulumi.dev.yaml, keys with their namespace.
 * @param checkout the folder Pulumi.dev.yaml is in.
 */
export function demoOidcUserNames(config: Record<string, unknown>, checkout: string): string[] {
    const raw = Object.fromEntries(
        ["users", accessFilesKey]
            .filter((key) => config[`kube-access:${key}`] !== undefined)
            .map((key) => [key, config[`kube-access:${key}`]]),
    );
    const users = mergeAccessFiles(raw, checkout).raw.users;
    const names = (Array.isArray(users) ? users : [])
        .filter((u): u is { name: string } => isPlainObject(u) && isPlainObject(u.auth) && u.auth.method === "oidc")
        .map((u) => u.name)
        .filter((name) => typeof name === "string");
    return [...new Set(names)];
}
