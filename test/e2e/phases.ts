/**
 * Timed steps of an end-to-end suite: each step's duration is printed as it
 * ends (`[e2e] pulumi up: 9.8s`) and kept for the summary the suite prints
 * at the end.
 */
export class Phases {
    readonly timings: string[] = [];

    /** `prefix` starts every printed line, e.g. `[e2e]`. */
    constructor(private readonly prefix: string) {}

    /** Runs `step`, recording how long it took even when it fails. */
    async run<T>(label: string, step: () => Promise<T>): Promise<T> {
        const started = Date.now();
        try {
            return await step();
        } finally {
            const line = `${label}: ${((Date.now() - started) / 1000).toFixed(1)}s`;
            this.timings.push(line);
            console.log(`${this.prefix} ${line}`);
        }
    }

    /** Every step's duration, one per line. */
    summary(): string {
        return `${this.prefix} timings:\n  ${this.timings.join("\n  ")}`;
    }
}
