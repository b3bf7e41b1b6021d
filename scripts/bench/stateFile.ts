/**
 * The stack's state file in a self-managed (file) backend, as the engine
 * stores it: `<stack>.json`, or compressed, `<stack>.json.gz` with
 * `PULUMI_SELF_MANAGED_STATE_GZIP=true` or `<stack>.json.zst` with
 * `PULUMI_DIY_BACKEND_ZSTD=true` (https://www.pulumi.com/docs/iac/concepts/state-and-backends/).
 */

/** Whether `fileName` is the state file of `stack`, compressed or not; not its `.bak` or `.attrs` companions. */
export function isStateFile(fileName: string, stack: string): boolean {
    return [".json", ".json.gz", ".json.zst"].some((suffix) => fileName === `${stack}${suffix}`);
}

/**
 * Bytes of the state as JSON, which is what the engine serialises at each
 * checkpoint whatever it then stores: the file's own size when it is JSON,
 * else the size of `exported` (a `pulumi stack export`) compacted, which is
 * within a few hundred bytes of it (Node.js 20 cannot read zstd).
 */
export function stateJsonBytes(fileName: string, fileBytes: number, exported: string): number {
    return fileName.endsWith(".json") ? fileBytes : Buffer.byteLength(JSON.stringify(JSON.parse(exported)));
}
