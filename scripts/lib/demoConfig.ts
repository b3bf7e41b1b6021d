/**
 * The demo writes its stack's config from the checkout's Pulumi.dev.yaml on
 * every run. A change made by hand in its project folder (`pulumi config set`
 * to review an impersonation grant, say) would be undone and applied at once:
 * these functions find such changes so that the demo stops and names them
 * first.
 */
import * as fs from "fs";
import * as YAML from "yaml";

/** A stack's config as the demo compares it: each key's value as JSON text (a secret as its ciphertext). */
export type ConfigSnapshot = Record<string, string>;

/** The config of a stack settings file (`Pulumi.<stack>.yaml`); undefined when the file does not exist. */
export function readConfigSnapshot(stackFile: string): ConfigSnapshot | undefined {
    if (!fs.existsSync(stackFile)) return undefined;
    const config = (YAML.parse(fs.readFileSync(stackFile, "utf8"))?.config ?? {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, JSON.stringify(value)]));
}

/**
 * How `current` differs from what the demo wrote last (`written`): one line
 * per key, `<key> added`, `<key> changed` or `<key> removed`, in key order.
 * Values are never shown: some are secrets.
 */
export function handEdits(written: ConfigSnapshot, current: ConfigSnapshot): string[] {
    const keys = [...new Set([...Object.keys(written), ...Object.keys(current)])].sort();
    return keys.flatMap((key) =>
        !(key in written)
            ? [`${key} added`]
            : !(key in current)
              ? [`${key} removed`]
              : written[key] !== current[key]
                ? [`${key} changed`]
                : [],
    );
}
