/**
 * Samples the resident memory (RSS) of the Pulumi processes a benchmark step
 * starts, by class: the engine (the `pulumi` CLI), the language host, the
 * program, the kubernetes/tls/keycloak providers and the dynamic-provider
 * host. Reads /proc (Linux) every `intervalMs`; a peak between two samples is
 * missed, so peaks are lower bounds.
 */
import * as fs from "fs";

export const processClasses = [
    "engine",
    "language host",
    "program",
    "dynamic providers",
    "kubernetes provider",
    "tls provider",
    "keycloak provider",
] as const;
export type ProcessClass = (typeof processClasses)[number];

/** The class of a process by its command line, or undefined for processes that are not Pulumi's. */
export function classify(args: string[]): ProcessClass | undefined {
    const exe = (args[0] ?? "").split("/").pop() ?? "";
    const line = args.join(" ");
    if (exe === "pulumi") return "engine";
    if (exe === "pulumi-language-nodejs" || /language-nodejs/.test(exe)) return "language host";
    if (exe === "pulumi-resource-kubernetes") return "kubernetes provider";
    if (exe === "pulumi-resource-tls") return "tls provider";
    if (exe === "pulumi-resource-keycloak") return "keycloak provider";
    if (/dynamic-provider|pulumi-resource-pulumi-nodejs/.test(line)) return "dynamic providers";
    if (/@pulumi[/]pulumi[/]cmd[/]run|pulumi-language-nodejs-exec|cmd[/]run[/]index/.test(line)) return "program";
    return undefined;
}

interface ProcessInfo {
    pid: number;
    ppid: number;
    rssKiB: number;
    args: string[];
}

function readProcesses(): ProcessInfo[] {
    const out: ProcessInfo[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            // Fields after the command name (which may hold spaces) start after the last ')'.
            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            const ppid = Number(fields[1]);
            const rssPages = Number(fields[21]);
            const args = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").filter(Boolean);
            out.push({ pid: Number(entry), ppid, rssKiB: (rssPages * 4096) / 1024, args });
        } catch {
            // The process ended while it was read.
        }
    }
    return out;
}

/** Peak RSS per class (the sum of that class's processes at one sample) and of all of them together, in MiB. */
export interface RssPeaks {
    byClass: Partial<Record<ProcessClass, number>>;
    total: number;
    samples: number;
}

/** Starts sampling the descendants of `rootPid`; `stop()` returns the peaks. */
export function sampleRss(rootPid: number = process.pid, intervalMs = 250): { stop: () => RssPeaks } {
    const peaks: RssPeaks = { byClass: {}, total: 0, samples: 0 };
    const sample = () => {
        const all = readProcesses();
        const children = new Map<number, ProcessInfo[]>();
        for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
        const sums: Partial<Record<ProcessClass, number>> = {};
        let total = 0;
        const stack = [...(children.get(rootPid) ?? [])];
        while (stack.length > 0) {
            const p = stack.pop()!;
            stack.push(...(children.get(p.pid) ?? []));
            const cls = classify(p.args);
            if (cls === undefined) continue;
            sums[cls] = (sums[cls] ?? 0) + p.rssKiB / 1024;
            total += p.rssKiB / 1024;
        }
        for (const [cls, mib] of Object.entries(sums) as [ProcessClass, number][]) {
            peaks.byClass[cls] = Math.max(peaks.byClass[cls] ?? 0, mib);
        }
        peaks.total = Math.max(peaks.total, total);
        peaks.samples++;
    };
    const timer = setInterval(sample, intervalMs);
    return {
        stop: () => {
            clearInterval(timer);
            sample();
            return peaks;
        },
    };
}
