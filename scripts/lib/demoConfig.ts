/**
 * The demo writes its stack's config from the checkout's Pulumi.dev.yaml on
 * every run. A change made by hand in its project folder (`pulumi config set`
 * to review an impersonation grant, say) would be undone and applied at once,
 * unless Pulumi.dev.yaml now says the same: these functions find the changes
 * a run would undo, so that the demo stops and names them first.
 */
import * as fs from "fs";
import * as YAML from "yaml";

/** A stack's config as the demo compares it: each key's value as canonical JSON (a secret as its ciphertext). */
export type ConfigSnapshot = Record<string, string>;

/** JSON text with object keys sorted, so equal values read back in another key order compare equal. */
export function canonicalJson(value: unknown): string {
    const sorted = (v: unknown): unknown =>
        Array.isArray(v)
            ? v.map(sorted)
            : v !== null && typeof v === "object"
              ? Object.fromEntries(
                    Object.keys(v as object)
                        .sort()
                        .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
                )
              : v;
    return JSON.stringify(sorted(value)) ?? "undefined";
}

/** The config of a stack settings file (`Pulumi.<stack>.yaml`); undefined when the file does not exist. */
export function readConfigSnapshot(stackFile: string): ConfigSnapshot | undefined {
    if (!fs.existsSync(stackFile)) return undefined;
    const config = (YAML.parse(fs.readFileSync(stackFile, "utf8"))?.config ?? {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, canonicalJson(value)]));
}

/** One key changed since the demo last wrote the config. */
export interface HandEdit {
    key: string;
    change: "added" | "changed" | "removed";
}

/** How `current` differs from what the demo wrote last (`written`), in key order. Values are never kept: some are secrets. */
export function handEdits(written: ConfigSnapshot, current: ConfigSnapshot): HandEdit[] {
    const keys = [...new Set([...Object.keys(written), ...Object.keys(current)])].sort();
    return keys.flatMap((key): HandEdit[] =>
        !(key in written)
            ? [{ key, change: "added" }]
            : !(key in current)
              ? [{ key, change: "removed" }]
              : written[key] !== current[key]
                ? [{ key, change: "changed" }]
                : [],
    );
}

/**
 * The hand edits this run would undo: a plain value the demo now writes
 * otherwise (or not at all), or a secret it sets again. An edit that
 * Pulumi.dev.yaml now carries too is not undone. Secrets set by hand that the
 * demo does not set stay (it keeps other secrets).
 */
export function editsUndone(
    edits: HandEdit[],
    current: ConfigSnapshot,
    plainToWrite: Record<string, unknown>,
    secretKeysToSet: string[],
): HandEdit[] {
    return edits.filter(({ key, change }) => {
        const wasSecret = change !== "removed" && current[key].includes('"secure"');
        if (wasSecret || secretKeysToSet.includes(key)) return secretKeysToSet.includes(key) || key in plainToWrite;
        if (change === "removed") return key in plainToWrite;
        return !(key in plainToWrite) || canonicalJson(plainToWrite[key]) !== current[key];
    });
}

/** Config keys an access file can hold too (components/intake/accessFiles.ts). */
const accessFileKeys = ["kube-access:users", "kube-access:groups", "kube-access:namespaces", "kube-access:bindings"];

/** What the demo says when it stops for hand edits it would undo. */
export function handEditsMessage(undone: HandEdit[], projectFolder: string): string {
    const inFiles = undone.every((e) => accessFileKeys.includes(e.key));
    return (
        `[demo] the demo's stack config was changed by hand in ${projectFolder}, and Pulumi.dev.yaml does not say the same:\n` +
        undone.map((e) => `  - ${e.key} ${e.change}`).join("\n") +
        "\n[demo] npm run demo writes that config from the checkout's Pulumi.dev.yaml, so this run would undo those changes " +
        `and apply that at once. Keep them: make Pulumi.dev.yaml${inFiles ? " (or an access file it names)" : ""} say the same, ` +
        "then run npm run demo again. Drop them: npm run demo -- --reset-config. The stack was not changed."
    );
}
